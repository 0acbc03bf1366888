#!/usr/bin/env bash
# Block lists live: wirewall on net_tap between two namespaces. A block
# list file drops the client's IPv6 address from the start; at run time
# wirewallctl blocks the client's IPv4 address (ping and HTTP stop, both
# ways), lists it, removes it (traffic flows again), blocks it with a TTL
# (it lifts by itself), and reloads a changed file; a bad file is refused
# with the lists in force kept. Alerts name the blocked source.
#
#   test_block.sh WIREWALL_BINARY WIREWALLCTL_BINARY SOURCE_DIR
#
# Root only; exit 77 = skipped; everything is removed on exit.
set -u
WIREWALL=$(readlink -f "$1")
CTL=$(readlink -f "$2")
SRC=$(readlink -f "$3")
# shellcheck source=lib.sh
. "$SRC/tests/netns/lib.sh"
netns_setup wwb

echo "$RIG_C6/128   # the client's IPv6 address" >"$WORK/block.list"
rig_start_wirewall "$WIREWALL" "$WORK/wirewall.log" -c "$SRC/conf/wirewall.ini" \
	--set flow.max_flows=65536 --set "block.files=$WORK/block.list" \
	--eve "$WORK/eve.json" --set waf.enabled=no
{ rig_attach_taps && rig_wait_ready "$WORK/wirewall.log" forwarding; } || { cat "$WORK/wirewall.log"; exit 1; }
for _ in $(seq 100); do [ -S "$RIG_CTL" ] && break; sleep 0.1; done

mkdir -p "$WORK/www"
echo "hello" >"$WORK/www/index.html"
ip netns exec "$NS_S" /usr/bin/python3 -m http.server -b "$RIG_S4" -d "$WORK/www" 8080 >/dev/null 2>&1 &

ctl() { "$CTL" -s "$RIG_CTL" "$@"; }
ping4() { ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 "$RIG_S4"; }
ping6() { ip netns exec "$NS_C" ping -6 -c 2 -i 0.2 -W 1 "$RIG_S6"; }
http() { ip netns exec "$NS_C" curl -sf --max-time 3 -o /dev/null "http://$RIG_S4:8080/index.html"; }
back() { ip netns exec "$NS_S" ping -c 2 -i 0.2 -W 1 "$RIG_C4"; }
fails() { ! "$@"; }

check "HTTP server up behind wirewall" wait_port "$NS_C" "$RIG_S4" 8080
check "IPv4 passes before any block" ping4
check "IPv6 source on the block list file is dropped" fails ping6
check "block add (IPv4 client)" ctl block add "$RIG_C4"
check "blocked client: ping fails" fails ping4
check "blocked client: HTTP fails" fails http
check "blocked as a destination: server -> client ping fails" fails back
check "block list shows the file entry and the run-time one" \
	bash -c "'$CTL' -s '$RIG_CTL' block list | grep -q '^$RIG_C4/32 dynamic\$' &&
		'$CTL' -s '$RIG_CTL' block list | grep -q '^$RIG_C6/128 listed\$'"
check "block del" ctl block del "$RIG_C4"
check "after del: ping passes" ping4
check "after del: HTTP passes" http
check "block del of an unknown entry is an error (exit 1)" \
	bash -c "'$CTL' -s '$RIG_CTL' block del 192.0.2.99; [ \$? = 1 ]"
check "a bad prefix is refused with the reason" \
	bash -c "'$CTL' -s '$RIG_CTL' block add 10.0.0.1/8 | grep -q 'host bits'"
check "block add with a 2 s TTL" ctl block add "$RIG_C4" 2
check "within the TTL: ping fails" fails ping4
sleep 2.5
check "after the TTL: ping passes" ping4
echo "# the client's IPv6 address is no longer listed" >"$WORK/block.list"
check "block reload of a changed file" ctl block reload
check "after reload: IPv6 passes" ping6
echo "$RIG_C6/129" >"$WORK/block.list"
check "reload of a bad file is refused, naming file and line" \
	bash -c "'$CTL' -s '$RIG_CTL' block reload | grep -q 'block.list:1:'"
check "after the refused reload: IPv6 still passes" ping6
check "stats over the control socket count the block-list drops" \
	bash -c "'$CTL' -s '$RIG_CTL' stats | head -1 | /usr/bin/python3 -c '
import json, sys
s = json.loads(sys.stdin.readline())
assert s[\"drop\"][\"blocklist\"] > 0, s[\"drop\"]'"
rig_stop_wirewall
alerts_ok() {
	/usr/bin/python3 - "$WORK/eve.json" "$RIG_C4" "$RIG_C6" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
al = [(e["src_ip"], e["alert"]["signature"]) for e in ev if e["event_type"] == "alert"]
print(al)
assert (sys.argv[2], "Blocked source on the dynamic block list") in al
assert (sys.argv[3], "Blocked source on the block list") in al
# The server's packets to the blocked client were dropped by destination.
assert any(s == "Blocked destination on the dynamic block list" for _, s in al)
PY
}
check "alerts name each blocked source and list" alerts_ok
netns_finish
