#!/usr/bin/env bash
# Request smuggling stopped inline, live: wirewall on net_tap between two
# namespaces; a recording TCP server in the server namespace keeps every
# byte each connection delivers. Smuggling requests sent with a raw
# socket from the client namespace must never arrive complete (their head
# never reaches the server), the client's connection must be reset, and
# wirewall must alert on each; clean requests on the same port must
# arrive whole and be answered.
#
#   test_smuggling.sh WIREWALL_BINARY SOURCE_DIR
#
# Root only; exit 77 = skipped; everything is removed on exit.
set -u

WIREWALL=$(readlink -f "$1")
SRC=$(readlink -f "$2")
# shellcheck source=lib.sh
. "$SRC/tests/netns/lib.sh"
netns_setup wws
rig_start_wirewall "$WIREWALL" "$WORK/wirewall.log" -c "$SRC/conf/wirewall.ini" \
	--set flow.max_flows=65536 --eve "$WORK/eve.json" --set waf.enabled=no
{ rig_attach_taps && rig_wait_ready "$WORK/wirewall.log" forwarding; } || { cat "$WORK/wirewall.log"; exit 1; }

# The recording server: each connection's bytes go to conn-<n>.bin.
ip netns exec "$NS_S" /usr/bin/python3 - "$RIG_S4" "$WORK" <<'EOF' &
import socket, sys, threading
addr, out = sys.argv[1], sys.argv[2]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, 80))
s.listen(64)
n = 0
def serve(c, n):
    data = b""
    c.settimeout(3)
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            data += b
            if b"\r\n\r\n" in data and data.startswith(b"GET /clean"):
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    except OSError:
        pass
    open("%s/conn-%d.bin" % (out, n), "wb").write(data)
    c.close()
while True:
    c, _ = s.accept()
    n += 1
    threading.Thread(target=serve, args=(c, n), daemon=True).start()
EOF

# The client: one connection per request, the head cut in two segments
# (TCP_NODELAY and a pause), as a smuggler would send it.
cat >"$WORK/client.py" <<'EOF'
import socket, sys, time
addr = sys.argv[1]
reqs = {
    "clean1": b"GET /clean/1 HTTP/1.1\r\nHost: s\r\n\r\n",
    "cl_and_te": b"POST /a HTTP/1.1\r\nHost: s\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: s\r\n\r\n",
    "te_unknown": b"POST /b HTTP/1.1\r\nHost: s\r\nTransfer-Encoding: xchunked\r\n\r\n",
    "space_before_colon": b"GET /c HTTP/1.1\r\nHost: s\r\nContent-Length : 30\r\n\r\n",
    "obs_fold": b"GET /d HTTP/1.1\r\nHost: s\r\nX: 1\r\n folded\r\n\r\n",
    "clean2": b"GET /clean/2 HTTP/1.1\r\nHost: s\r\n\r\n",
}
for name, r in reqs.items():
    c = socket.create_connection((addr, 80), timeout=3)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.sendall(r[:12])
    time.sleep(0.2)
    try:
        c.sendall(r[12:])
        c.settimeout(1.5)
        got = c.recv(100)
        print(name, "answered" if got.startswith(b"HTTP/1.1 200") else "no answer")
    except ConnectionResetError:
        print(name, "reset")
    except OSError:
        print(name, "no answer")
    c.close()
EOF
for _ in $(seq 50); do
	ip netns exec "$NS_C" bash -c "exec 3<>/dev/tcp/$RIG_S4/80" 2>/dev/null && break
	sleep 0.1
done
ip netns exec "$NS_C" /usr/bin/python3 "$WORK/client.py" "$RIG_S4" >"$WORK/client.out" 2>&1
sleep 4 # the server's read timeout closes the blocked connections
rig_stop_wirewall

/usr/bin/python3 - "$WORK" <<'EOF'
import glob, json, sys
work = sys.argv[1]
print(open(work + "/client.out").read())
received = [open(f, "rb").read() for f in sorted(glob.glob(work + "/conn-*.bin"))]
complete = [r for r in received if b"\r\n\r\n" in r]
paths = sorted(r.split(b" ")[1].decode() for r in complete if r.count(b" ") >= 1)
print("heads the server received complete:", paths)
bad = [p for p in paths if not p.startswith("/clean")]
assert not bad, "smuggling requests reached the server: %s" % bad
assert "/clean/1" in paths and "/clean/2" in paths, "clean requests lost"
assert all(b"/smuggled" not in r for r in received), "smuggled request delivered"
ev = [json.loads(l) for l in open(work + "/eve.json")]
sigs = sorted(e["alert"]["signature"] for e in ev if e["event_type"] == "alert")
print("alerts:", sigs)
for v in ("cl_and_te", "te_unknown", "space_before_colon", "obs_fold"):
    assert "HTTP protocol violation: " + v in sigs, "no alert for " + v
urls = sorted(e["http"]["url"] for e in ev if e["event_type"] == "http")
assert urls == ["/clean/1", "/clean/2"], urls
# Live, the server's answers give each clean request its status.
assert all(e["http"].get("status") == 200 and e["http"]["length"] == 2
           for e in ev if e["event_type"] == "http"), "no status in http events"
out = open(work + "/client.out").read()
assert "clean1 answered" in out and "clean2 answered" in out, out
for v in ("cl_and_te", "te_unknown", "space_before_colon", "obs_fold"):
    assert v + " reset" in out, "the client was not reset: " + v
print("ok - smuggling requests never reached the server complete")
EOF
rc=$?
[ $rc = 0 ] || tail -20 "$WORK/wirewall.log"
exit $rc
