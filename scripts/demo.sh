#!/usr/bin/env bash
# wirewall inline between two network namespaces, with real traffic.
#
#   scripts/demo.sh           run the traffic, then tear everything down
#   scripts/demo.sh --hold    keep the rig up after the traffic until Ctrl-C,
#                             so you can send your own, e.g.
#                               ip netns exec wwc curl http://10.77.0.2:8080/
#
# Installs what is missing, builds, starts wirewall on two net_tap ports
# (outside: client namespace "wwc", inside: server namespace "wws"), sends
# pings, HTTP requests, a smuggling attempt and a 20 MB download through
# it in both directions,
# and shows wirewall's counters once a second; one request smuggling
# attempt and one SQL injection show the appliance stopping them. Needs
# root. The compiled rule set is cached in /var/cache/wirewall ([waf]
# cache_dir), or in $WW_WAF_CACHE when set; on a first run wirewall
# forwards at once and the CRS compiles in the background (about 10 s).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

HOLD=0
[ "${1:-}" = "--hold" ] && HOLD=1
if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root (network namespaces and tap devices)" >&2
	exit 1
fi

scripts/setup.sh
[ -f build/build.ninja ] || meson setup build -Dbuildtype=release >/dev/null
ninja -C build >/dev/null
echo "demo: built $(readlink -f build/app/wirewall/wirewall)"

RIG=ww
# shellcheck source=rig.sh
. scripts/rig.sh
WORK=$(mktemp -d /tmp/wirewall-demo.XXXXXX)
WW_PID=
EVE_KEEP=/tmp/wirewall-demo.eve.json

teardown() {
	trap - EXIT INT TERM
	echo
	echo "demo: stopping wirewall and removing the rig"
	if [ -n "$WW_PID" ] && kill -0 "$WW_PID" 2>/dev/null; then
		kill -INT "$WW_PID"
		wait "$WW_PID" 2>/dev/null || true
	fi
	rig_down
	cp "$WORK/eve.json" "$EVE_KEEP" 2>/dev/null &&
		echo "demo: the EVE log of this run is in $EVE_KEEP"
	rm -rf "$WORK"
}
trap teardown EXIT
trap 'exit 130' INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "rig: namespaces wwc (client, $RIG_C4) and wws (server, $RIG_S4)"
rig_up

step "wirewall: two net_tap ports, one worker, conf/wirewall.ini"
# Its periodic stats line (every second here) is the live counter view.
# shellcheck disable=SC2046
build/app/wirewall/wirewall --no-pci --no-huge -m 1024 -l 0,1 \
	--file-prefix wwdemo $(rig_eal_args) -- \
	-c conf/wirewall.ini --set eve.stats_interval=1 \
	${WW_WAF_CACHE:+--set "waf.cache_dir=$WW_WAF_CACHE"} \
	--set "control.socket=$WORK/ctl.sock" --set "limit.routes=GET /api/ 2 2" \
	--set detect.classifier=models/classifier.wwf \
	--set detect.anomaly=models/anomaly.wwf \
	--eve "$WORK/eve.json" 2>&1 | tee "$WORK/wirewall.log" |
	grep --line-buffered -v '^EAL\|^TELEMETRY\|qdisc\|rte flow' &
sleep 0.5
WW_PID=$(pgrep -f "file-prefix wwdemo" | head -1)
rig_attach_taps
# wirewall forwards within seconds; on a first run its rule set compiles
# in the background meanwhile (requests pass uninspected, counted, until
# it is in force: [exceptions] waf_not_ready).
rig_wait_ready "$WORK/wirewall.log" forwarding

mkdir -p "$WORK/www"
head -c 20000000 /dev/urandom >"$WORK/www/blob"
echo "hello through wirewall" >"$WORK/www/index.html"
ip netns exec wws /usr/bin/python3 -m http.server -b "$RIG_S4" -d "$WORK/www" 8080 >/dev/null 2>&1 &
ip netns exec wwc /usr/bin/python3 -m http.server -b "$RIG_C4" -d "$WORK/www" 8080 >/dev/null 2>&1 &
sleep 1

step "ping, both directions"
ip netns exec wwc ping -c 3 -i 0.3 "$RIG_S4" | tail -2
ip netns exec wws ping -c 3 -i 0.3 "$RIG_C4" | tail -2
ip netns exec wwc ping -6 -c 3 -i 0.3 "$RIG_S6" | tail -2

step "the rule set: $(build/app/wirewallctl/wirewallctl -s "$WORK/ctl.sock" status | sed -n 's/^waf //p')"
# A first run compiles the CRS now (cached for the next run); the HTTP
# part of the demo waits for it, saying so every few seconds (wirewall's
# log then says "ready: waf in force").
rig_wait_ready "$WORK/wirewall.log" waf

step "20 curl requests, client -> server"
for i in $(seq 20); do
	ip netns exec wwc curl -s -o /dev/null -w '%{http_code} ' "http://$RIG_S4:8080/index.html?n=$i"
done
echo

step "a request smuggling attempt (Content-Length with Transfer-Encoding)"
ip netns exec wwc /usr/bin/python3 - "$RIG_S4" <<'EOF'
import socket, sys, time
c = socket.create_connection((sys.argv[1], 8080), timeout=3)
c.sendall(b"POST / HTTP/1.1\r\nHost: s\r\nContent-Length: 4\r\n")
time.sleep(0.2)
try:
    c.sendall(b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: s\r\n\r\n")
    print("client:", c.recv(100)[:40] or "connection closed")
except ConnectionResetError:
    print("client: connection reset by wirewall")
EOF
sleep 0.5
/usr/bin/python3 - "$WORK/eve.json" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event_type"] == "alert":
        print("alert: %s (action %s)" % (e["alert"]["signature"], e["alert"]["action"]))
EOF

step "an SQL injection: /index.html?id=1' OR '1'='1"
ip netns exec wwc curl -s -o /dev/null -w '%{http_code} from wirewall (the CRS), the server never saw it\n' \
	"http://$RIG_S4:8080/index.html?id=1%27%20OR%20%271%27=%271"

step "a route limit (GET /api/, 2 per second): 5 calls at once"
for i in $(seq 5); do
	ip netns exec wwc curl -s -o /dev/null -w '%{http_code} ' "http://$RIG_S4:8080/api/x?n=$i"
done
echo "  (404s came from the server; 429s from wirewall, which never let them through)"

step "a run-time block: wirewallctl block add $RIG_C4 (for 3 s)"
build/app/wirewallctl/wirewallctl -s "$WORK/ctl.sock" block add "$RIG_C4" 3
ip netns exec wwc ping -c 2 -W 1 "$RIG_S4" >/dev/null 2>&1 && echo "ping passed (unexpected)" || echo "ping from the client: no answer while blocked"
sleep 3.5
ip netns exec wwc ping -c 1 -W 2 "$RIG_S4" >/dev/null 2>&1 && echo "ping from the client: answered again after the block expired"

step "an nmap SYN scan of 300 ports, scored by the trained models (alert only)"
timeout 30 ip netns exec wwc nmap -n -Pn -sS -p 1-300 --max-rate 500 "$RIG_S4" >/dev/null 2>&1 || true
sleep 1.5
/usr/bin/python3 - "$WORK/eve.json" <<'EOF'
import json, sys
seen = set()
for line in open(sys.argv[1]):
    e = json.loads(line)
    m = e.get("wirewall", {}).get("model")
    if e["event_type"] == "alert" and m and e["alert"]["signature"] not in seen:
        seen.add(e["alert"]["signature"])
        print("model alert: %s from %s (action %s)" % (e["alert"]["signature"],
              e["src_ip"], e["wirewall"]["action"]))
if not seen:
    print("no model alert: the models (models/MODELS.md) did not put this scan"
          " over the 0.8 bar")
print("([detect] may_act = no: the models alert, never act)")
EOF

step "20 MB download each way, checked by SHA-256"
ip netns exec wwc curl -s -o "$WORK/dl1" -w 'server -> client: %{size_download} bytes at %{speed_download} B/s\n' "http://$RIG_S4:8080/blob"
ip netns exec wws curl -s -o "$WORK/dl2" -w 'client -> server: %{size_download} bytes at %{speed_download} B/s\n' "http://$RIG_C4:8080/blob"
want=$(sha256sum <"$WORK/www/blob")
for f in dl1 dl2; do
	if [ "$(sha256sum <"$WORK/$f")" = "$want" ]; then echo "$f: checksum OK"; else echo "$f: CHECKSUM MISMATCH"; fi
done
sleep 1.5

if [ $HOLD = 1 ]; then
	step "rig is up: try 'ip netns exec wwc curl http://$RIG_S4:8080/'; Ctrl-C to stop"
	while kill -0 "$WW_PID" 2>/dev/null; do sleep 1; done
fi
step "traffic done"
