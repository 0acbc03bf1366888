#!/usr/bin/env bash
# perf/fwd: plain forwarding, wirewall against dpdk-testpmd (io forward),
# on the same virtual ports, one worker core each, in the same run.
#
#   perf/fwd/run.sh [SECONDS_PER_RUN] [ROUNDS]      (defaults: 8 and 3)
#
# Ports: net_pcap replaying a capture of 64-byte UDP/IPv4 frames forever
# (infinite_rx=1) -> net_null (no-rx=1), so both programs pay the same I/O
# and the difference is what each does per frame. The two programs run
# alternately, ROUNDS times each, and each run's rate is the median of its
# one-second samples after warm-up: these VMs are shared, and alternating
# spreads their drift over both sides.
#
# wirewall runs its full pipeline with the default configuration
# (conf/wirewall.ini): decode and length checks of every frame, and
# software checksum verification, since net_pcap gives no RX checksum
# offload. A second line measures wirewall with checksum verification off,
# which is what a NIC that verifies checksums (RX offload) leaves to do.
#
# Prints, as DESIGN.md asks:
#   RESULT fwd <wirewall Mpps> Mpps vs testpmd <Mpps> Mpps ratio <r>
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-8}
ROUNDS=${2:-3}
BUILD=${BUILD:-build}

[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" -Dbuildtype=release >/dev/null
ninja -C "$BUILD" >/dev/null
WW=$BUILD/app/wirewall/wirewall
TESTPMD=$(command -v dpdk-testpmd)

WORK=$(mktemp -d /tmp/ww_perf_fwd.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 perf/fwd/gen_udp.py "$WORK/udp64.pcap" 1024

EAL=(--no-pci --no-huge -m 1024 -l 0,1)
VDEVS=(--vdev "net_pcap0,rx_pcap=$WORK/udp64.pcap,infinite_rx=1" --vdev "net_null0,no-rx=1")

# Median of per-second rates, skipping the first two seconds (warm-up)
# and the last one (cut short by the stop).
median() { sort -n | awk '{a[NR]=$1} END{ if (NR == 0) print 0; else print a[int((NR+1)/2)] }'; }

run_testpmd() {
	# timeout's own status (124) is the normal way this run ends.
	{ timeout -s INT "$SECS" "$TESTPMD" "${EAL[@]}" --file-prefix wwpf_tp "${VDEVS[@]}" -- \
		--forward-mode=io --auto-start --stats-period=1 --no-flush-rx \
		--total-num-mbufs=16384 --nb-cores=1 2>/dev/null || true; } |
		awk '/Tx-pps:/ && $2 > 0 {print $2}' | sed -n '2,$p' | median
}

run_wirewall() { # extra --set args
	rm -f "$WORK/eve.json"
	timeout -s INT "$SECS" "$WW" "${EAL[@]}" --file-prefix wwpf_ww "${VDEVS[@]}" -- \
		-c conf/wirewall.ini --set eve.stats_interval=1 --eve "$WORK/eve.json" "$@" \
		>/dev/null 2>&1 || true
	/usr/bin/python3 - "$WORK/eve.json" <<'EOF' | sed -n '3,$p' | sed '$d' | median
import json, sys
prev = None
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event_type"] != "stats":
        continue
    tx = e["stats"]["ports"]["net_null0"]["tx_packets"]
    up = e["stats"]["uptime"]
    if prev is not None and up > prev[1]:
        print(int((tx - prev[0]) / (up - prev[1])))
    prev = (tx, up)
EOF
}

tp=() ww=() wn=()
for r in $(seq "$ROUNDS"); do
	tp+=("$(run_testpmd)")
	ww+=("$(run_wirewall)")
	wn+=("$(run_wirewall --set decode.verify_checksums=no)")
	echo "round $r: testpmd ${tp[-1]} pps, wirewall ${ww[-1]} pps, wirewall without checksum verification ${wn[-1]} pps"
done

TP=$(printf '%s\n' "${tp[@]}" | median)
WWV=$(printf '%s\n' "${ww[@]}" | median)
WNV=$(printf '%s\n' "${wn[@]}" | median)
awk -v w="$WWV" -v n="$WNV" -v t="$TP" 'BEGIN {
	if (t == 0) { print "perf/fwd: testpmd measured nothing" > "/dev/stderr"; exit 1 }
	printf "RESULT fwd %.2f Mpps vs testpmd %.2f Mpps ratio %.2f\n", w/1e6, t/1e6, w/t
	printf "RESULT fwd_hw_checksum %.2f Mpps vs testpmd %.2f Mpps ratio %.2f\n", n/1e6, t/1e6, n/t
}'
