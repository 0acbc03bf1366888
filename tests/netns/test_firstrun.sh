#!/usr/bin/env bash
# A first run (issue 16): wirewall started with an empty compile cache
# forwards at once, while the CRS compiles in the background; requests
# the rules would judge meanwhile follow [exceptions] waf_not_ready (pass
# by default, reset when set so), each counted, with an anomaly event;
# once the compile is done the CRS stops an attack, and the next start
# reads the compiled set back from the cache, in force before the first
# packet. The cache is the test's own, empty (not $WW_WAF_CACHE, which
# scripts/test.sh fills for the other suites). The compile is the window
# the first checks run in: the whole CRS (about 10 s) with a release
# build; under ASan, where the whole CRS takes one to four minutes on a
# busy machine, its SQL injection and XSS rules (144 of 530 rules, about
# 10 s): the point is the order, not the size.
#
#   test_firstrun.sh WIREWALL_BINARY WIREWALLCTL_BINARY SOURCE_DIR
#
# Root only; exit 77 = skipped; everything is removed on exit.
set -u
WIREWALL=$(readlink -f "$1")
CTL=$(readlink -f "$2")
SRC=$(readlink -f "$3")
# shellcheck source=lib.sh
. "$SRC/tests/netns/lib.sh"
netns_setup wwf
PY=/usr/bin/python3

CACHE=$WORK/cache
mkdir -m 700 "$CACHE"
RULES=/usr/share/modsecurity-crs/rules
if ldd "$WIREWALL" | grep -q libasan; then
	mkdir "$WORK/rules"
	for n in 901 941 942 949; do
		ln -s "$RULES"/REQUEST-$n-*.conf "$WORK/rules/"
	done
	RULES=$WORK/rules
fi
mkdir -p "$WORK/www"
echo "hello" >"$WORK/www/index.html"
ip netns exec "$NS_S" "$PY" -u -m http.server -b "$RIG_S4" -d "$WORK/www" 8080 \
	>/dev/null 2>"$WORK/server.log" &

ctl() { "$CTL" -s "$RIG_CTL" "$@"; }
get() { # path -> the status code (000: no answer, e.g. reset)
	ip netns exec "$NS_C" curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 \
		"http://$RIG_S4:8080$1"
}
status_is() { [ "$(get "$1")" = "$2" ]; }
waf_state_is() { ctl status | grep -qx "waf $1"; }
# The request the CRS must stop (942100 and friends, score over 5).
SQLI="/index.html?id=1%27%20OR%20%271%27=%271"

start() { # compile cache
	rig_stop_wirewall
	rig_detach_taps
	rig_start_wirewall "$WIREWALL" "$WORK/wirewall.log" -c "$SRC/conf/wirewall.ini" \
		--set flow.max_flows=65536 --set "waf.cache_dir=$1" \
		--set "waf.rules_dir=$RULES" \
		--eve "$WORK/eve.json"
	{ rig_attach_taps && rig_wait_ready "$WORK/wirewall.log" forwarding; } ||
		{ cat "$WORK/wirewall.log"; exit 1; }
}

# --- cold: forwarding first, the rules later ---
start "$CACHE"
check "ready to forward with an empty cache: the rule set compiles meanwhile" \
	waf_state_is compiling
check "wirewallctl status: not ready yet, forwarding" bash -c \
	"'$CTL' -s '$RIG_CTL' status | grep -qx 'forwarding true' &&
	 '$CTL' -s '$RIG_CTL' status | grep -qx 'ready false'"
check "ping through wirewall while the rules compile" \
	ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 2 "$RIG_S4"
check "a TCP connection through it" wait_port "$NS_C" "$RIG_S4" 8080
check "an attack passes uninspected meanwhile (waf_not_ready = pass)" \
	status_is "$SQLI" 200
ctl set exceptions.waf_not_ready=reset >"$WORK/set1" 2>&1
check "wirewallctl set exceptions.waf_not_ready=reset while compiling" \
	grep -q "^ok" "$WORK/set1"
check "... then requests are reset meanwhile" status_is "/index.html?n=2" 000
ctl set exceptions.waf_not_ready=pass >/dev/null 2>&1
check "... and with pass again they pass" status_is "/index.html?n=3" 200
# Everything above happened before the rules were in force.
check "all of that before the compile was done" waf_state_is compiling
check "the server saw the passed requests, not the reset one" bash -c \
	"grep -q 'id=1' '$WORK/server.log' && grep -q 'n=3' '$WORK/server.log' &&
	 ! grep -q 'n=2' '$WORK/server.log'"
ctl stats >"$WORK/stats1" 2>&1
check "counted: stats.exceptions.waf_not_ready pass 2, reset 1" "$PY" -c "
import json, sys
e = json.loads(open('$WORK/stats1').readline())['exceptions']['waf_not_ready']
sys.exit(0 if e['pass'] == 2 and e['reset'] == 1 and e['drop'] == 0 else 1)"
ctl waf reload >"$WORK/reload1" 2>&1
check "waf reload is refused while the start's compile runs" \
	grep -q "error: .*still compiling" "$WORK/reload1"

# The compile finishes in the background, however long it takes (the
# wait says so every few seconds).
rig_wait_ready "$WORK/wirewall.log" waf
echo $? >"$WORK/ready.rc"
check "the rule set comes in force by itself" grep -qx 0 "$WORK/ready.rc"
check "the log says how it came and what went meanwhile" grep -q \
	"ready: waf in force: [0-9]* rules (policy [0-9]*), compiled in the background in .* s; meanwhile 3 request(s) followed \[exceptions\] waf_not_ready" \
	"$WORK/wirewall.log"
check "wirewallctl status: ready, waf in force" bash -c \
	"'$CTL' -s '$RIG_CTL' status | grep -qx 'waf in_force' &&
	 '$CTL' -s '$RIG_CTL' status | grep -qx 'ready true'"
check "now the CRS stops the attack: 403" status_is "$SQLI" 403
check "a benign request passes" status_is "/index.html?q=running+shoes" 200
check "the compiled set is in the test's own cache" \
	bash -c "ls '$CACHE'/hs-*.db >/dev/null"
rig_stop_wirewall
echo $? >"$WORK/stop.rc"
check "wirewall stops cleanly (exit 0)" grep -qx 0 "$WORK/stop.rc"
# One anomaly event per source per [block] alert_interval: the first.
check "an anomaly event names the exception, the client and what was done" "$PY" -c "
import json, sys
ev = [e for e in map(json.loads, open('$WORK/eve.json'))
      if e['event_type'] == 'anomaly' and e['anomaly']['event'] == 'waf_not_ready']
sys.exit(0 if ev and ev[0]['wirewall']['action'] == 'pass' and
         ev[0]['src_ip'] == '$RIG_C4' and ev[0]['dest_port'] == 8080 else 1)"

# --- warm: the next start reads the set back, in force at once ---
start "$CACHE"
check "warm start: in force when forwarding starts" grep -q \
	"ready: forwarding .*; waf in force" "$WORK/wirewall.log"
check "... read from the compile cache" grep -q \
	"ready: waf in force: .*read from the compile cache" "$WORK/wirewall.log"
check "... the attack is stopped from the first request" status_is "$SQLI" 403

# --- stopped while compiling (Ctrl-C on a first run): a clean exit ---
mkdir -m 700 "$WORK/cache2"
start "$WORK/cache2"
check "cold again: compiling" waf_state_is compiling
rig_stop_wirewall
echo $? >"$WORK/stop2.rc"
check "stopped while compiling: exit 0 (nothing leaked, no crash)" \
	grep -qx 0 "$WORK/stop2.rc"
check "... and it says the compile was abandoned" \
	grep -q "stopping while the rule set compiles" "$WORK/wirewall.log"
netns_finish
