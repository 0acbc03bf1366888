#!/usr/bin/env bash
# perf/flow: packets and new connections per second through the flow
# table, TCP reassembly and HTTP parsing, against testpmd io-forward on
# the same ports, in one run (see perf/README.md).
#
#   perf/flow/run.sh [SECONDS_PER_RUN] [ROUNDS]      (defaults: 8 and 3)
#
# The ports replay a capture of complete HTTP connections (10 frames each)
# forever; every replay of a connection starts with a SYN on a flow that
# has closed, so wirewall sees a steady stream of new connections, each
# one tracked, reassembled, parsed and logged in its counters. testpmd
# moves the same frames without looking at them; its connections per
# second are its frames per second / 10.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-8}
ROUNDS=${2:-3}

WORK=$(mktemp -d /tmp/ww_perf_flow.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 perf/flow/gen_http_mix.py "$WORK/http.pcap" 256
# shellcheck source=../lib.sh
. perf/lib.sh
perf_setup "$WORK/http.pcap"
PKTS='s["ports"]["net_null0"]["tx_packets"]'
FLOWS='s["flow"]["created"]'
REQS='s["http"]["requests"]'

tp=() wp=() wf=() wr=()
for r in $(seq "$ROUNDS"); do
	tp+=("$(run_testpmd "$SECS")")
	run_wirewall "$SECS" "$WORK/eve.json"
	wp+=("$(eve_rates "$WORK/eve.json" "$PKTS")")
	wf+=("$(eve_rates "$WORK/eve.json" "$FLOWS")")
	wr+=("$(eve_rates "$WORK/eve.json" "$REQS")")
	echo "round $r: testpmd ${tp[-1]} pps; wirewall ${wp[-1]} pps, ${wf[-1]} new flows/s, ${wr[-1]} requests/s"
done
TP=$(printf '%s\n' "${tp[@]}" | median)
WP=$(printf '%s\n' "${wp[@]}" | median)
WF=$(printf '%s\n' "${wf[@]}" | median)
WR=$(printf '%s\n' "${wr[@]}" | median)
echo "state per flow: 128 bytes of flow state + about 70 of hash (tests/unit/test_flow: 198 bytes with one million flows); an inspected connection also holds an HTTP context ([http] max_header_bytes x 3 + body_depth + 20 KiB: both parsers and up to 8 requests awaiting answers) until it ends"
awk -v tp="$TP" -v wp="$WP" -v wf="$WF" -v wr="$WR" 'BEGIN {
	if (tp == 0) { print "perf/flow: testpmd measured nothing" > "/dev/stderr"; exit 1 }
	printf "RESULT flow_pps %.2f Mpps vs testpmd %.2f Mpps ratio %.2f\n", wp/1e6, tp/1e6, wp/tp
	printf "RESULT flow_new_flows %.0f flows/s vs testpmd %.0f flows/s ratio %.2f\n", wf, tp/10, wf/(tp/10)
	printf "RESULT flow_http_requests %.0f requests/s vs testpmd %.0f requests/s ratio %.2f\n", wr, tp/10, wr/(tp/10)
}'
