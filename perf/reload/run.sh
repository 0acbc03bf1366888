#!/usr/bin/env bash
# perf/reload: packets lost while the appliance reloads, against the same
# stream with no reload, in one run (see perf/README.md).
#
#   perf/reload/run.sh [RELOADS] [RATE] [SECONDS]   (defaults: 20, 2000, 20)
#
# wirewall runs inline on net_tap between two namespaces (scripts/rig.sh)
# with the shipped configuration: the rule engine on, the shipped models
# scoring, a block-list file. A UDP stream with sequence numbers crosses
# it at RATE packets per second for SECONDS, twice: once untouched (the
# peer), once while wirewall reloads RELOADS times, alternating SIGHUP and
# `wirewallctl reload` (each re-reads the configuration, the rules, the
# models and the block lists, builds each off the fast path and publishes
# it by RCU). An HTTP client fetches a page every 50 ms in both phases.
# The receiver counts distinct sequence numbers; lost = sent - received.
#
#   RESULT reload_delivered <fraction> vs no_reload <fraction> ratio <r>
#   INFO reload_lost <n> of <sent> (no_reload: <n>), http failures ...
#
# Root only. Traffic stays inside the namespaces this script creates.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
RELOADS=${1:-20}
RATE=${2:-2000}
SECS=${3:-20}
WW=$SRC/build/app/wirewall/wirewall
CTL=$SRC/build/app/wirewallctl/wirewallctl
[ "$(id -u)" = 0 ] || { echo "perf/reload: needs root" >&2; exit 1; }
[ -x "$WW" ] && [ -x "$CTL" ] || { echo "perf/reload: build first (ninja -C build)" >&2; exit 1; }

RIG=wwrl$$
RIG=${RIG:0:7}
# shellcheck source=../../scripts/rig.sh
. "$SRC/scripts/rig.sh"
NS_C=$(rig_ns_c)
NS_S=$(rig_ns_s)
WORK=$(mktemp -d /tmp/ww_perf_reload.XXXXXX)
cleanup() {
	rig_stop_wirewall 2>/dev/null || true
	rig_down
	rm -rf "$WORK" "$RIG_CTL"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
rig_up

echo "# a block list the reloads re-read" >"$WORK/block.list"
echo "192.0.2.0/24" >>"$WORK/block.list"
rig_start_wirewall "$WW" "$WORK/wirewall.log" -c "$SRC/conf/wirewall.ini" \
	--set flow.max_flows=65536 --eve "$WORK/eve.json" \
	--set "waf.cache_dir=${WW_WAF_CACHE:-$SRC/build/hs-cache}" \
	--set "detect.classifier=$SRC/models/classifier.wwf" \
	--set "detect.anomaly=$SRC/models/anomaly.wwf" \
	--set "block.files=$WORK/block.list"
{ rig_attach_taps && rig_wait_ready "$WORK/wirewall.log" waf; } || { cat "$WORK/wirewall.log"; exit 1; }
for _ in $(seq 600); do [ -S "$RIG_CTL" ] && break; sleep 0.1; done

mkdir -p "$WORK/www"
echo "hello" >"$WORK/www/index.html"
ip netns exec "$NS_S" /usr/bin/python3 -m http.server -b "$RIG_S4" -d "$WORK/www" 8080 >/dev/null 2>&1 &
for _ in $(seq 50); do
	ip netns exec "$NS_C" curl -sf --max-time 1 -o /dev/null "http://$RIG_S4:8080/" && break
	sleep 0.2
done

# receive PORT OUT: count distinct sequence numbers until 3 s of silence.
receive() {
	ip netns exec "$NS_S" /usr/bin/python3 - "$RIG_S4" "$1" "$2" <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(3.0)
seen, started = set(), False
while True:
    try:
        d = s.recv(2048)
    except socket.timeout:
        if started:
            break
        s.settimeout(30.0)
        continue
    started = True
    s.settimeout(3.0)
    seen.add(struct.unpack("!I", d[:4])[0])
open(sys.argv[3], "w").write("%d\n" % len(seen))
PY
}
# send PORT: RATE packets a second for SECS, paced on the clock.
send() {
	ip netns exec "$NS_C" /usr/bin/python3 - "$RIG_S4" "$1" "$RATE" "$SECS" <<'PY'
import socket, struct, sys, time
dst, port, rate, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n, total, t0 = 0, int(rate * secs), time.monotonic()
pad = b"x" * 60
while n < total:
    due = t0 + n / rate
    now = time.monotonic()
    if due > now:
        time.sleep(due - now)
    s.sendto(struct.pack("!I", n) + pad, (dst, port))
    n += 1
print(n)
PY
}
# http_loop OUT: a request every 50 ms until $WORK/stop exists.
http_loop() {
	local ok=0 bad=0
	while [ ! -e "$WORK/stop" ]; do
		if ip netns exec "$NS_C" curl -sf --max-time 2 -o /dev/null "http://$RIG_S4:8080/"; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
		sleep 0.05
	done
	echo "$ok $bad" >"$1"
}

# phase NAME PORT RELOADS: one stream; prints "sent received".
phase() {
	local name=$1 port=$2 n=$3 sent i
	rm -f "$WORK/stop"
	receive "$port" "$WORK/$name.recv"
	local rpid=$!
	sleep 0.5
	http_loop "$WORK/$name.http" &
	local hpid=$!
	if [ "$n" -gt 0 ]; then
		(
			sleep 1
			for i in $(seq "$n"); do
				if [ $((i % 2)) = 1 ]; then
					kill -HUP "$WW_PID"
				else
					"$CTL" -s "$RIG_CTL" reload >>"$WORK/reloads.log" 2>&1 || true
				fi
				sleep "$(echo "($SECS - 2) / $n" | bc -l)"
			done
		) &
		local lpid=$!
	fi
	sent=$(send "$port")
	[ "$n" -gt 0 ] && wait "$lpid"
	touch "$WORK/stop"
	wait "$hpid" "$rpid"
	echo "$sent $(cat "$WORK/$name.recv")"
}

read -r S0 R0 < <(phase base 9001 0)
read -r S1 R1 < <(phase reload 9002 "$RELOADS")
read -r H0OK H0BAD <"$WORK/base.http"
read -r H1OK H1BAD <"$WORK/reload.http"
DONE=$(grep -c "wirewall: reload: configuration" "$WORK/wirewall.log" || true)
REFUSED=$(grep "wirewall: reload: configuration" "$WORK/wirewall.log" | grep -c "refused" || true)
"$CTL" -s "$RIG_CTL" stats | head -1 >"$WORK/stats.json"
rig_stop_wirewall
D0=$(echo "$R0 / $S0" | bc -l)
D1=$(echo "$R1 / $S1" | bc -l)
printf 'RESULT reload_delivered %.6f vs no_reload %.6f ratio %.6f\n' "$D1" "$D0" "$(echo "$D1 / $D0" | bc -l)"
printf 'INFO reload_lost %d of %d over %d reloads (no_reload: %d of %d); http ok %d failed %d (no_reload: ok %d failed %d); %s reloads done (configuration, rules, models, block lists), %s with a part refused\n' \
	$((S1 - R1)) "$S1" "$RELOADS" $((S0 - R0)) "$S0" "$H1OK" "$H1BAD" "$H0OK" "$H0BAD" "$DONE" "$REFUSED"
grep -m1 "wirewall: reload: configuration" "$WORK/wirewall.log" | sed 's/^/INFO first reload: /' | cut -c1-400
/usr/bin/python3 - "$WORK/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
d = {k: v for k, v in s["drop"].items() if v and k != "total"}
print("INFO reload_drops", d or "none")
PY
