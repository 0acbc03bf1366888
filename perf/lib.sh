# shellcheck shell=bash
# Shared by the perf/ scripts that race wirewall against testpmd on the
# same virtual ports (net_pcap replaying a capture forever -> net_null).
#
#   perf_setup PCAP            sets EAL, VDEVS, WW, TESTPMD
#   run_testpmd SECS           median Tx-pps of testpmd io-forward
#   run_wirewall SECS EVE ARGS...   runs wirewall, leaves its EVE log
#   eve_rates EVE EXPR         median per-second rate of a stats counter
#   median                     median of numbers on stdin

median() { sort -n | awk '{a[NR]=$1} END{ if (NR == 0) print 0; else print a[int((NR+1)/2)] }'; }

perf_setup() {
	BUILD=${BUILD:-build}
	[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" -Dbuildtype=release >/dev/null
	ninja -C "$BUILD" >/dev/null
	WW=$BUILD/app/wirewall/wirewall
	TESTPMD=$(command -v dpdk-testpmd)
	EAL=(--no-pci --no-huge -m 1024 -l 0,1)
	VDEVS=(--vdev "net_pcap0,rx_pcap=$1,infinite_rx=1" --vdev "net_null0,no-rx=1")
}

run_testpmd() {
	# timeout's own status (124) is the normal way this run ends.
	{ timeout -s INT "$1" "$TESTPMD" "${EAL[@]}" --file-prefix wwpf_tp "${VDEVS[@]}" -- \
		--forward-mode=io --auto-start --stats-period=1 --no-flush-rx \
		--total-num-mbufs=16384 --nb-cores=1 2>/dev/null || true; } |
		awk '/Tx-pps:/ && $2 > 0 {print $2}' | sed -n '2,$p' | median
}

run_wirewall() {
	local secs=$1 eve=$2
	shift 2
	rm -f "$eve"
	timeout -s INT "$secs" "$WW" "${EAL[@]}" --file-prefix wwpf_ww "${VDEVS[@]}" -- \
		-c conf/wirewall.ini --set eve.stats_interval=1 --set control.socket= \
		--set waf.enabled=no \
		--eve "$eve" "$@" \
		>/dev/null 2>&1 || true
}

# Median per-second rate of a counter of the stats events; EXPR is a
# Python expression over `s` (one event's "stats" object).
eve_rates() {
	/usr/bin/python3 - "$1" "$2" <<'PY' | sed -n '3,$p' | sed '$d' | median
import json, sys
prev = None
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event_type"] != "stats":
        continue
    s = e["stats"]
    v, up = eval(sys.argv[2]), s["uptime"]
    if prev is not None and up > prev[1]:
        print(int((v - prev[0]) / (up - prev[1])))
    prev = (v, up)
PY
}
