#!/usr/bin/env bash
# Run-time policy changes, live: wirewallctl set and reload publish a new
# policy snapshot while traffic flows. The anomaly threshold, a rate limit
# and an exception policy change what the appliance does at once; keys
# that need a restart and bad values are refused with the policy in force
# kept; a steady ping stream across all the changes loses nothing; SIGHUP
# does not stop forwarding.
#
#   test_policy.sh WIREWALL_BINARY WIREWALLCTL_BINARY SOURCE_DIR
#
# Root only; exit 77 = skipped; everything is removed on exit.
set -u
WIREWALL=$(readlink -f "$1")
CTL=$(readlink -f "$2")
SRC=$(readlink -f "$3")
# shellcheck source=lib.sh
. "$SRC/tests/netns/lib.sh"
netns_setup wwp

mkdir -p "$WORK/www"
echo "hello" >"$WORK/www/index.html"
ip netns exec "$NS_S" /usr/bin/python3 -u -m http.server -b "$RIG_S4" -d "$WORK/www" 8080 \
	>/dev/null 2>"$WORK/server.log" &

# The configuration file "reload" re-reads: the example plus what the
# test changes in it.
cp "$SRC/conf/wirewall.ini" "$WORK/ww.ini"
rig_detach_taps
rig_start_wirewall "$WIREWALL" "$WORK/wirewall.log" -c "$WORK/ww.ini" \
	--set flow.max_flows=65536 --set "waf.cache_dir=${WW_WAF_CACHE:-}" \
	--eve "$WORK/eve.json"
{ rig_attach_taps && rig_wait_ready "$WORK/wirewall.log" waf; } ||
	{ cat "$WORK/wirewall.log"; exit 1; }
check "HTTP server up behind wirewall" wait_port "$NS_C" "$RIG_S4" 8080

get() { # path -> status line
	ip netns exec "$NS_C" curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 \
		"http://$RIG_S4:8080$1"
}
ctl() { "$CTL" -s "$RIG_CTL" "$@"; }
status_is() { [ "$(get "$1")" = "$2" ]; }
SQLI="/index.html?q=1%27%20UNION%20SELECT%20password%20FROM%20users--"

# A steady stream across every change below: 3000 pings, 5 ms apart.
ip netns exec "$NS_C" ping -q -i 0.005 -c 3000 -W 2 "$RIG_S4" >"$WORK/ping.out" 2>&1 &
PING=$!

check "at the default threshold the SQL injection gets 403" \
	status_is "$SQLI" 403
ctl set waf.anomaly_threshold=1000 >"$WORK/set1" 2>&1
check "wirewallctl set waf.anomaly_threshold=1000: ok, a new policy" \
	grep -q "^policy [0-9]* in force" "$WORK/set1"
check "... and the same request now passes" status_is "$SQLI" 200
ctl set waf.anomaly_threshold=5 >/dev/null 2>&1
check "back to 5: refused again" status_is "$SQLI" 403

ctl set limit.rate=1 >/dev/null 2>&1
ctl set limit.burst=2 >"$WORK/set2" 2>&1
check "a rate limit set while running" grep -q "^ok" "$WORK/set2"
for i in 1 2 3 4; do get "/index.html?r=$i"; done >"$WORK/rates"
check "... takes effect: the third request in a second gets 429" \
	bash -c "sed -n 3p '$WORK/rates' | grep -q 429"
ctl set limit.rate=0 >/dev/null 2>&1
sleep 1
for i in 5 6 7 8; do get "/index.html?r=$i"; done >"$WORK/rates2"
check "... and lifted: every request passes" bash -c "[ \$(grep -c 200 '$WORK/rates2') = 4 ]"

# An exception policy: a connection picked up without its handshake.
# Under auto (the WAF is on) its data is reset; under pass it goes
# through uninspected. Crafted with scapy from the client namespace.
midstream() { # tag
	ip netns exec "$NS_C" /usr/bin/python3 - "$RIG_S4" "$1" <<'PY' >/dev/null 2>&1
import sys
from scapy.all import IP, TCP, Raw, send
send(IP(dst=sys.argv[1]) / TCP(sport=45000 + len(sys.argv[2]), dport=8080, flags="PA",
     seq=1000, ack=1000) / Raw(b"GET /mid-" + sys.argv[2].encode() + b" HTTP/1.1\r\n\r\n"),
     verbose=False)
PY
}
midstream a
sleep 0.5
ctl set exceptions.midstream=pass >"$WORK/set3" 2>&1
check "wirewallctl set exceptions.midstream=pass: ok" grep -q "^ok" "$WORK/set3"
midstream bb
sleep 0.5
ctl stats >"$WORK/stats" 2>&1
check "the exception counted under reset before, pass after" \
	/usr/bin/python3 -c "
import json, sys
s = json.loads(open('$WORK/stats').readline())['exceptions']['midstream']
sys.exit(0 if s['reset'] >= 1 and s['pass'] >= 1 else 1)"

# Keys that need a restart, and bad values: refused, naming them.
ctl set flow.max_flows=2048 >"$WORK/bad1" 2>&1
check "a key that needs a restart is refused, named" \
	grep -q "error: .*\[flow\] max_flows" "$WORK/bad1"
ctl set waf.paranoia_level=9 >"$WORK/bad2" 2>&1
check "an out-of-range value is refused, naming section and key" \
	grep -q "error: .*\[waf\] paranoia_level" "$WORK/bad2"
check "the policy in force stayed: the SQL injection still gets 403" \
	status_is "$SQLI" 403

# reload re-reads the file (run-time sets kept on top of it).
ctl set waf.anomaly_threshold=1000 >/dev/null 2>&1
printf '\n[waf]\nparanoia_level = 2\n' >>"$WORK/ww.ini"
ctl reload >"$WORK/reload" 2>&1
check "wirewallctl reload: the file re-read, the rule set recompiled" \
	grep -q "rule set recompiled" "$WORK/reload"
check "... and in force" status_is "$SQLI" 200
# The paranoia level: a run of special characters (942430, restricted
# SQL character anomaly) is refused at level 2, not at level 1.
PL2="/index.html?q=(((((((((((((((((((("
ctl set waf.anomaly_threshold=5 >/dev/null 2>&1
check "at paranoia level 2 (from the file) a level-2 detection refuses" status_is "$PL2" 403
ctl set waf.paranoia_level=1 >"$WORK/set4" 2>&1
check "wirewallctl set waf.paranoia_level=1: the rule set recompiled" \
	grep -q "rule set recompiled" "$WORK/set4"
check "... and the same request passes at level 1" status_is "$PL2" 200
printf '[http]\ncontexts = 64\n' >>"$WORK/ww.ini"
ctl reload >"$WORK/reload2" 2>&1
check "a reload that changes a restart-only key is refused" \
	grep -q "error: .*\[http\] contexts" "$WORK/reload2"

kill -HUP "$WW_PID"
sleep 0.3
check "SIGHUP: still running, and says so" bash -c \
	"kill -0 $WW_PID && grep -q 'SIGHUP' '$WORK/wirewall.log'"

# A long URL crosses the worker's event ring whole.
LONG="/index.html?q=$(printf '%3000s' | tr ' ' z)&end=1"
get "$LONG" >/dev/null

wait $PING
check "3000 pings across every change: 0% packet loss" \
	grep -q " 0% packet loss" "$WORK/ping.out"
rig_stop_wirewall
check "wirewall exits cleanly" true
check "the http event of a 3 KB URL carries it whole" /usr/bin/python3 -c "
import json, sys
urls = [json.loads(l)['http']['url'] for l in open('$WORK/eve.json')
        if '\"event_type\":\"http\"' in l]
sys.exit(0 if '$LONG' in urls else 1)"
check "the summary adds up: in = forwarded + dropped + held" /usr/bin/python3 -c "
import re, sys
t = open('$WORK/wirewall.log').read()
m = re.search(r'in (\d+) = forwarded (\d+) \+ dropped (\d+) \+ held (\d+)', t)
sys.exit(0 if m and int(m[1]) == int(m[2]) + int(m[3]) + int(m[4]) else 1)"
netns_finish
