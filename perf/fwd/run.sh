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

WORK=$(mktemp -d /tmp/ww_perf_fwd.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 perf/fwd/gen_udp.py "$WORK/udp64.pcap" 1024
# shellcheck source=../lib.sh
. perf/lib.sh
perf_setup "$WORK/udp64.pcap"
RATE='s["ports"]["net_null0"]["tx_packets"]'

tp=() ww=() wn=()
for r in $(seq "$ROUNDS"); do
	tp+=("$(run_testpmd "$SECS")")
	run_wirewall "$SECS" "$WORK/eve.json"
	ww+=("$(eve_rates "$WORK/eve.json" "$RATE")")
	run_wirewall "$SECS" "$WORK/eve.json" --set decode.verify_checksums=no
	wn+=("$(eve_rates "$WORK/eve.json" "$RATE")")
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
