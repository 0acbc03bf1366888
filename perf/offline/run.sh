#!/usr/bin/env bash
# perf/offline: offline mode's throughput over a mixed capture with the
# default flow table (one million flows) against a 65,536-flow table, in
# the same run: expiry must cost what expires, not the size of the table.
# Also the time from start to the first packet with the default
# configuration and a warm rule-set cache.
#
#   perf/offline/run.sh [CONNECTIONS] [ROUNDS]    (defaults: 25000 and 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-25000}
ROUNDS=${2:-3}
WW=build/app/wirewall/wirewall
[ -x "$WW" ] || ninja -C build
WORK=$(mktemp -d /tmp/ww_perf_offline.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PYTHONPATH=tests/pcap /usr/bin/python3 perf/offline/gen_mix.py "$WORK/mix.pcap" "$N" 120
FRAMES=$(PYTHONPATH=tests/pcap /usr/bin/python3 -c "
import sys; from pcapfile import read_pcap; print(len(read_pcap(sys.argv[1])))" "$WORK/mix.pcap")
CONF="$WORK/ww.ini"
printf '[general]\nprotected_networks = 10.77.0.2/32\n[waf]\ncache_dir = %s\n' \
	"${WW_WAF_CACHE:-$WORK/cache}" >"$CONF"

run() { # extra args -> frames per second (start-up excluded: it is
	# measured below)
	"$WW" -c "$CONF" -r "$WORK/mix.pcap" "$@" 2>&1 >/dev/null |
		sed -n 's/.*processed [0-9]* frames in [0-9.]* s (\([0-9]*\) frames.*/\1/p'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The rule engine is off for the throughput runs (it is measured by
# perf/waf); everything else as shipped.
run --set waf.enabled=no >/dev/null # warm the page cache
d=() s=()
for r in $(seq "$ROUNDS"); do
	d+=("$(run --set waf.enabled=no)")
	s+=("$(run --set waf.enabled=no --set flow.max_flows=65536)")
	echo "round $r: default table ${d[-1]} frames/s, 65536 flows ${s[-1]} frames/s"
done
D=$(printf '%s\n' "${d[@]}" | median)
S=$(printf '%s\n' "${s[@]}" | median)
echo "$FRAMES frames"
printf 'RESULT offline_default_table %.0f packets/s vs offline_65536_table %.0f packets/s ratio %.2f\n' \
	"$D" "$S" "$(echo "$D / $S" | bc -l)"

# Start-up: default configuration (the CRS on, compiled databases in the
# cache), a capture of one frame.
PYTHONPATH=tests/pcap /usr/bin/python3 -c "
import sys; from pcapfile import read_pcap, write_pcap
write_pcap(sys.argv[2], [(t[0] + t[1] / 1e6, b) for t, b in read_pcap(sys.argv[1])[:1]])" "$WORK/mix.pcap" "$WORK/one.pcap"
"$WW" -c "$CONF" -r "$WORK/one.pcap" >/dev/null # fills the cache if cold
u=()
for r in $(seq "$ROUNDS"); do
	/usr/bin/time -o "$WORK/t" -f %e "$WW" -c "$CONF" -r "$WORK/one.pcap" >/dev/null 2>&1
	u+=("$(cat "$WORK/t")")
done
U=$(printf '%s\n' "${u[@]}" | median)
printf 'RESULT startup_default_config %.2f s vs one_second 1.00 s ratio %.2f\n' "$U" "$(echo "1 / $U" | bc -l)"
