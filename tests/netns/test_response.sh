#!/usr/bin/env bash
# The escalation ladder live: wirewall on net_tap between two namespaces,
# the rule engine on. The client sends SQL injection over real TCP
# connections; the rule engine's verdicts throttle it, then block it
# (`wirewallctl offenders` shows it, HTTP and ping fail, "response"
# events say why); the block's TTL runs out and it gets through again. In
# dry run the same attack is logged as steps and nothing is dropped (the
# caps and the never list are tested offline: tests/pcap/test_response.py).
#
#   test_response.sh WIREWALL_BINARY WIREWALLCTL_BINARY SOURCE_DIR
#
# Root only; exit 77 = skipped; everything is removed on exit.
set -u
WIREWALL=$(readlink -f "$1")
CTL=$(readlink -f "$2")
SRC=$(readlink -f "$3")
# shellcheck source=lib.sh
. "$SRC/tests/netns/lib.sh"
netns_setup wwr

rig_start_wirewall "$WIREWALL" "$WORK/wirewall.log" -c "$SRC/conf/wirewall.ini" \
	--set flow.max_flows=65536 --eve "$WORK/eve.json" \
	--set waf.enabled=yes --set "waf.cache_dir=${WW_WAF_CACHE:-$WORK/hs}" \
	--set response.throttle_at=3 --set response.block_at=6 \
	--set response.block_ttl=10 --set response.half_life=3
{ rig_attach_taps && rig_wait_ready "$WORK/wirewall.log" waf; } || { cat "$WORK/wirewall.log"; exit 1; }
for _ in $(seq 100); do [ -S "$RIG_CTL" ] && break; sleep 0.1; done

mkdir -p "$WORK/www"
echo "hello" >"$WORK/www/index.html"
ip netns exec "$NS_S" /usr/bin/python3 -m http.server -b "$RIG_S4" -d "$WORK/www" 8080 >/dev/null 2>&1 &

ctl() { "$CTL" -s "$RIG_CTL" "$@"; }
ping4() { ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 "$RIG_S4"; }
# A name, not an address, in Host: CRS flags a numeric Host header.
http() { ip netns exec "$NS_C" curl -sf --max-time 3 -o /dev/null -H "Host: shop.rig" "http://$RIG_S4:8080/index.html"; }
fails() { ! "$@"; }
# @1 SQL injection requests, each on a connection of its own (the
# answers are the rule engine's: refused).
attack() {
	local i
	for i in $(seq "$1"); do
		ip netns exec "$NS_C" curl -s --max-time 2 -o /dev/null -H "Host: shop.rig" \
			"http://$RIG_S4:8080/?id=1%27%20OR%20%271%27%3D%271&n=$i" || true
	done
}
# offenders_step STEP: the client is on the ladder at STEP.
offenders_step() {
	ctl offenders | head -1 | /usr/bin/python3 -c '
import json, sys
o = {e["src_ip"]: e for e in json.loads(sys.stdin.readline())}
e = o.get(sys.argv[1])
print(e)
assert e is not None and e["step"] == sys.argv[2], o
if sys.argv[2] != "none":
    assert e["reasons"] and e["reasons"][-1]["kind"] == "waf", e' "$RIG_C4" "$1"
}
# events ACTION...: "response" events for the client with these actions.
events() {
	/usr/bin/python3 - "$WORK/eve.json" "$RIG_C4" "$@" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
got = [e["wirewall"]["response"] for e in ev
       if e["event_type"] == "response" and e.get("src_ip") == sys.argv[2]]
print([g["action"] for g in got])
for want in sys.argv[3:]:
    assert any(g["action"] == want for g in got), want
PY
}

check "HTTP server up behind wirewall" wait_port "$NS_C" "$RIG_S4" 8080
check "benign HTTP passes before the attack" http
# One alert per request: the 3rd throttles, the 6th or 7th blocks. The
# evidence halves every 3 s: by the end of the block's 10 s what is left
# is no step, even with the attack's last segments (the client's kernel
# retransmits them after curl gave up) arriving then.
attack 8
check "the attacker is blocked by the ladder (offenders)" offenders_step block
check "blocked: HTTP fails" fails http
check "blocked: ping fails" fails ping4
check "block list shows the ladder's entry" \
	bash -c "'$CTL' -s '$RIG_CTL' block list | grep -q '^$RIG_C4/32 dynamic'"
check "response events: throttle, then block, with the verdicts" events throttle block
sleep 11
check "after the TTL: HTTP passes" http
check "after the TTL: off the ladder" offenders_step none
check "response event: expire" events expire

check "dry run on" ctl set response.dry_run=yes
attack 10
check "dry run: HTTP still passes" http
check "dry run: stats count the steps logged" bash -c "'$CTL' -s '$RIG_CTL' stats | head -1 |
	/usr/bin/python3 -c 'import json,sys; r = json.loads(sys.stdin.readline())[\"response\"]; print(r); assert r[\"dry_run\"] >= 1'"
rig_stop_wirewall
netns_finish
