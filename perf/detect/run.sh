#!/usr/bin/env bash
# perf/detect: what the per-flow and per-client features and the models
# that score them cost offline mode's throughput, in one run over one
# capture (see perf/README.md):
#   (a) detect.enabled=no: no features, no models (the peer);
#   (b) detect.enabled=yes, no model: the features kept up to date;
#   (c) the same plus a 100-tree depth-8 random-forest classifier and a
#       100-tree isolation forest (max_samples 256) scoring every row.
#
#   perf/detect/run.sh [SECONDS_PER_RUN] [ROUNDS] [MIX]  (defaults: 3, 3, both)
#
# MIX: "api" (1-5 small requests per connection, about ten frames per
# flow: the most rows per frame, the worst case) or "web" (browsers on
# keep-alive connections, 2-20 requests of 5-60 KB: tens of frames per
# flow). RESULT names end in _api or _web.
#
# The capture is HTTP from 64 clients (perf/detect/gen_capture.py), a
# 20-second block repeated until (a) takes about SECONDS_PER_RUN to
# process it. The models are trained (perf/detect/train.py) on the rows
# wirewall exports from that block with --features. Each round runs the
# three configurations, in an order that rotates from round to round;
# the figures are medians over the rounds, the ratios medians of the
# rounds' ratios. scikit-learn is timed on the same rows in each round.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-3}
ROUNDS=${2:-3}
MIX=${3:-both}
if [[ $MIX == both ]]; then
	"$0" "$SECS" "$ROUNDS" api && exec "$0" "$SECS" "$ROUNDS" web
	exit 1
fi
PY=/usr/bin/python3
WW=build/app/wirewall/wirewall

fail() {
	echo "perf/detect: $*" >&2
	exit 1
}
[[ $MIX == api || $MIX == web ]] || fail "MIX is api or web"
[ -x "$WW" ] || fail "no $WW: build first (meson setup build -Dbuildtype=release && ninja -C build)"
[[ $SECS =~ ^[0-9]+([.][0-9]+)?$ && $ROUNDS =~ ^[1-9][0-9]*$ ]] ||
	fail "usage: perf/detect/run.sh [SECONDS_PER_RUN] [ROUNDS]"

BUILT=$(stat -c %Y "$WW")
WORK=$(mktemp -d /tmp/ww_perf_detect.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
CONF="$WORK/ww.ini"
printf '[general]\nprotected_networks = 10.77.0.0/24\n[waf]\nenabled = no\n' >"$CONF"
MODELS=(--set "detect.classifier=$WORK/rf.wwf" --set "detect.anomaly=$WORK/iforest.wwf")

# run NAME PCAP ARGS...: one offline run; its summary in $WORK/NAME.out,
# its stderr in $WORK/NAME.err; prints the frames per second.
run() {
	local name=$1 pcap=$2 rate
	shift 2
	if ! "$WW" -c "$CONF" -r "$pcap" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"; then
		cat "$WORK/$name.err" >&2
		fail "run $name failed: $WW -c $CONF -r $pcap $*"
	fi
	rate=$(sed -n 's/.*processed [0-9]* frames in [0-9.]* s (\([0-9]*\) frames.*/\1/p' "$WORK/$name.err")
	if [ -z "$rate" ] || [ "$rate" -le 0 ]; then
		cat "$WORK/$name.err" >&2
		fail "run $name: no rate in wirewall's output"
	fi
	echo "$rate"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# ns_per_row NAME: the ns per row of run NAME's "detect rows" summary
# line (empty when nothing was scored).
ns_per_row() { sed -n 's/.*detect rows [0-9]*, scored [1-9][0-9]*, \([0-9.]*\) ns per row.*/\1/p' "$WORK/$1.out"; }

# The capture's block, the rows it yields, the models.
$PY perf/detect/gen_capture.py block "$WORK/block.pcap" 20000 64 20 "$MIX"
run features "$WORK/block.pcap" --features "$WORK/rows.csv" >/dev/null
$PY perf/detect/train.py fit "$WORK/rows.csv" "$WORK" | sed 's/^trees \([a-z]*\) \([0-9]*\) \([0-9]*\) \([0-9]*\)$/INFO detect_model_\1 100 trees, depth \2, \3 nodes and \4 leaves per tree/'
rm -f "$WORK/rows.csv"

# The models load and score, and the size of the batches they score
# (rows per forest call), for scikit-learn's timing.
run probe "$WORK/block.pcap" "${MODELS[@]}" --eve "$WORK/eve.json" >/dev/null
[ -n "$(ns_per_row probe)" ] || fail "the models scored no row: $(cat "$WORK/probe.out")"
read -r BATCH ROWS_PER_FRAME < <($PY - "$WORK/eve.json" <<'PY'
import json, sys
s = [json.loads(line) for line in open(sys.argv[1])]
s = [e["stats"] for e in s if e["event_type"] == "stats"][-1]
d, f = s["detect"], sum(p["rx_packets"] for p in s["ports"].values())
print("%.0f %.2f" % (max(1, d["scored"] / max(1, d["batches"])), d["scored"] / f))
PY
)
[ -n "${ROWS_PER_FRAME:-}" ] || fail "no detect counters in the stats event"
rm -f "$WORK/eve.json"

# The block repeated until (a) takes about SECS: copies 90 s apart, past
# every flow timeout a copy's reused ports could meet.
run warm "$WORK/block.pcap" --set detect.enabled=no >/dev/null
A1=$(run calib "$WORK/block.pcap" --set detect.enabled=no)
BLOCK_FRAMES=$(sed -n 's/.*processed \([0-9]*\) frames.*/\1/p' "$WORK/calib.err")
COPIES=$(awk -v s="$SECS" -v r="$A1" -v n="$BLOCK_FRAMES" 'BEGIN { c = int(s * r / n + 0.999); print c < 1 ? 1 : c }')
$PY perf/detect/gen_capture.py repeat "$WORK/block.pcap" "$WORK/cap.pcap" "$COPIES" 90 >/dev/null
rm -f "$WORK/block.pcap"
FRAMES=$((BLOCK_FRAMES * COPIES))
echo "capture: $FRAMES frames ($COPIES copies of a 20 s block of 20000 connections from 64 clients, $MIX mix)"
run warm "$WORK/cap.pcap" --set detect.enabled=no >/dev/null # page cache

declare -A pps
ra=() rb=() rc=() ns=() sk=()
for r in $(seq "$ROUNDS"); do
	order=(a b c)
	for _ in $(seq $(((r - 1) % 3))); do order=("${order[@]:1}" "${order[0]}"); done
	for k in "${order[@]}"; do
		case $k in
		a) pps[a]=$(run a "$WORK/cap.pcap" --set detect.enabled=no) ;;
		b) pps[b]=$(run b "$WORK/cap.pcap" --set detect.enabled=yes) ;;
		c) pps[c]=$(run c "$WORK/cap.pcap" --set detect.enabled=yes "${MODELS[@]}") ;;
		esac
	done
	if [ -n "$(ns_per_row a)" ] || grep -q 'detect state' "$WORK/a.out"; then
		fail "(a) ran the detect stage"
	fi
	[ -z "$(ns_per_row b)" ] || fail "(b) scored rows without a model"
	n=$(ns_per_row c)
	[ -n "$n" ] || fail "(c) scored no row: $(cat "$WORK/c.out")"
	s=$($PY perf/detect/train.py time "$WORK" "$BATCH" 1.5 | awk '{print $2}')
	ra+=("${pps[a]}") rb+=("${pps[b]}") rc+=("${pps[c]}") ns+=("$n") sk+=("$s")
	echo "round $r (${order[*]}): off ${pps[a]} fps, features ${pps[b]} fps, features+models ${pps[c]} fps; $n ns per row in the models, scikit-learn $s ns"
done

# A rebuild in the middle would mix two programs' figures.
[ "$(stat -c %Y "$WW")" = "$BUILT" ] || fail "$WW was rebuilt during the run: run again"

A=$(printf '%s\n' "${ra[@]}" | median)
B=$(printf '%s\n' "${rb[@]}" | median)
C=$(printf '%s\n' "${rc[@]}" | median)
RB=$(for i in "${!ra[@]}"; do echo "${rb[$i]} / ${ra[$i]}" | bc -l; done | median)
RC=$(for i in "${!ra[@]}"; do echo "${rc[$i]} / ${ra[$i]}" | bc -l; done | median)
NS=$(printf '%s\n' "${ns[@]}" | median)
RS=$(for i in "${!ns[@]}"; do echo "${sk[$i]} / ${ns[$i]}" | bc -l; done | median)
SK=$(printf '%s\n' "${sk[@]}" | median)
SK64=$($PY perf/detect/train.py time "$WORK" 64 1.5 | awk '{print $2}')
STATE=$(sed -n 's/.*detect state \([0-9]*\) bytes per flow, \([0-9]*\) bytes per client (\([0-9]*\) bytes.*/\1 \2 \3/p' "$WORK/c.out")
read -r PER_FLOW PER_CLIENT PER_WORKER <<<"$STATE"
[ -n "$PER_WORKER" ] || fail "no detect state line in the summary"

printf 'RESULT detect_features_pps_%s %.0f pps vs features_off %.0f pps ratio %.2f\n' "$MIX" "$B" "$A" "$RB"
printf 'RESULT detect_ml_pps_%s %.0f pps vs features_off %.0f pps ratio %.2f\n' "$MIX" "$C" "$A" "$RC"
printf 'RESULT detect_ns_per_row_%s %.0f ns vs sklearn %.0f ns ratio %.1f\n' "$MIX" "$NS" "$SK" "$RS"
printf 'INFO detect_rows %s rows per frame scored, %s rows per forest call (scikit-learn timed at the same batch; at 64 rows a call it takes %s ns per row)\n' \
	"$ROWS_PER_FRAME" "$BATCH" "$SK64"
printf 'INFO detect_state %s bytes per flow, %s bytes per client, %s bytes of client table and batch per worker\n' \
	"$PER_FLOW" "$PER_CLIENT" "$PER_WORKER"
