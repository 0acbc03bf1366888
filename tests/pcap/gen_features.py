#!/usr/bin/python3
"""Captures for the feature test (test_features.py), built byte by byte.

    gen_features.py OUTDIR      (writes every capture, to look at them)

Each scenario returns a Capture: its frames, and for every flow the list
of packets it sent as the test built them (time, direction, IP total
length, L4 payload length, TCP flags and window), from which the test
computes the features it expects. Times are integer microseconds after
T0 (a UNIX time that is a multiple of 10 s, so the 1 s and 10 s windows
start on whole seconds of the scenario's clock).

Scenarios (all servers are in 198.51.100.0/24, the protected network;
every client is a different address):
  http      one HTTP/1.1 connection from 203.0.113.10: handshake, four
            requests answered 200/302/404/503, FIN both ways
  many      203.0.113.20: 30 SYNs to 30 ports in second 2, each refused
            by a RST; a UDP exchange at 3.25 s and another at 13.5 s
  udpscan   203.0.113.30: UDP to 10 ports of one server, each answered by
            ICMP port unreachable; then UDP to 4 other servers
  status    203.0.113.40: ten requests on one connection, answered
            401/403/404/200, at known intervals
  slow      203.0.113.50: three connections that send a partial request
            head, one completed at 8.3 s, one more header line at 9.5 s
  agents    203.0.113.60: one request per connection: curl, a browser,
            sqlmap, kube-probe, a POST with a body, no User-Agent
  v6        2001:db8:1:2::10: one HTTP connection over IPv6
"""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapfile import inet_csum, ipv4, tcp4, write_pcap  # noqa: E402

T0 = 1767225600  # 2026-01-01 00:00:00 UTC, a multiple of 10 s

FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
TOSERVER, TOCLIENT = 0, 1

MAC_C = bytes.fromhex("020000000001")
MAC_S = bytes.fromhex("020000000002")

SERVER = "198.51.100.80"


def a4(text):
    return socket.inet_pton(socket.AF_INET, text)


def a6(text):
    return socket.inet_pton(socket.AF_INET6, text)


def eth(ip_packet, from_client):
    v6 = (ip_packet[0] >> 4) == 6
    src, dst = (MAC_C, MAC_S) if from_client else (MAC_S, MAC_C)
    return dst + src + (b"\x86\xdd" if v6 else b"\x08\x00") + ip_packet


def ipv6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64,
                       src, dst) + payload


def tcp6(src, dst, sport, dport, seq, ack, flags, data=b"", window=65535):
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                    ack & 0xFFFFFFFF, 5 << 4, flags, window, 0, 0)
    c = inet_csum(src + dst + struct.pack("!IxxxB", 20 + len(data), 6) + h + data)
    return ipv6(src, dst, 6, h[:16] + struct.pack("!H", c) + h[18:] + data)


def udp4(src, dst, sport, dport, data):
    n = 8 + len(data)
    h = struct.pack("!HHHH", sport, dport, n, 0)
    c = inet_csum(src + dst + struct.pack("!BBH", 0, 17, n) + h + data) or 0xFFFF
    return ipv4(src, dst, 17, h[:6] + struct.pack("!H", c) + data)


def icmp4_port_unreachable(src, dst, offending):
    """ICMP destination unreachable, code 3 (port), quoting the offending
    datagram's IP header and first 8 bytes."""
    body = b"\0\0\0\0" + offending[:28]
    c = inet_csum(struct.pack("!BBH", 3, 3, 0) + body)
    return ipv4(src, dst, 1, struct.pack("!BBH", 3, 3, c) + body)


class Pkt:
    """One packet as built: what the features are computed from."""

    def __init__(self, t_us, direction, ip, proto, payload, flags=0, win=0):
        self.t = t_us
        self.dir = direction
        # IP total length: the IPv4 header's field, or 40 + the IPv6
        # payload length.
        if (ip[0] >> 4) == 4:
            self.size = struct.unpack("!H", ip[2:4])[0]
        else:
            self.size = 40 + struct.unpack("!H", ip[4:6])[0]
        assert self.size == len(ip)
        self.proto = proto
        self.payload = payload
        self.flags = flags
        self.win = win


class Capture:
    def __init__(self):
        self.frames = []  # (t_us, frame bytes)
        self.flows = []

    def add(self, t_us, ip, from_client):
        self.frames.append((t_us, eth(ip, from_client)))

    def sorted_frames(self):
        return sorted(self.frames, key=lambda f: f[0])

    def write(self, path):
        write_pcap(path, [(T0 + t / 1e6, raw) for t, raw in self.sorted_frames()])

    def merge(self, other):
        self.frames += other.frames
        self.flows += other.flows
        return self


def us(seconds):
    return int(round(seconds * 1e6))


class Flow:
    """A flow's packets; subclasses build them."""

    def __init__(self, cap, client, server, cport, sport, proto):
        self.cap, self.proto = cap, proto
        self.client, self.server = client, server
        self.cport, self.sport = cport, sport
        self.v6 = ":" in client
        self.pkts = []
        cap.flows.append(self)

    def record(self, t, direction, ip, payload, flags=0, win=0):
        t = us(t)
        self.cap.add(t, ip, direction == TOSERVER)
        self.pkts.append(Pkt(t, direction, ip, self.proto, payload, flags, win))
        return len(self.pkts)  # the packet's number in its flow


class Tcp(Flow):
    def __init__(self, cap, client, server=SERVER, cport=40000, sport=80,
                 cwin=64240, swin=65160):
        super().__init__(cap, client, server, cport, sport, 6)
        self.seq = [1000, 5000]
        self.win = [cwin, swin]
        # What the HTTP parser will see, as the scenario knows it:
        # request heads (first byte, last byte or None: never completed),
        # complete requests (time, path) and responses (time, status,
        # latency from the request's last byte to the response's first).
        self.heads, self.requests, self.responses = [], [], []
        self.stream = [b"", b""]  # the bytes sent each way

    def send(self, t, direction, flags, data=b"", win=None):
        win = self.win[direction] if win is None else win
        me, peer = direction, 1 - direction
        src, dst = (self.client, self.server) if me == TOSERVER else (self.server, self.client)
        sp, dp = (self.cport, self.sport) if me == TOSERVER else (self.sport, self.cport)
        ack = self.seq[peer] if flags & ACK else 0
        if self.v6:
            ip = tcp6(a6(src), a6(dst), sp, dp, self.seq[me], ack, flags, data, win)
        else:
            ip = tcp4(a4(src), a4(dst), sp, dp, self.seq[me], ack, flags, data, win)
        self.seq[me] += len(data) + (1 if flags & (SYN | FIN) else 0)
        self.stream[me] += data
        return self.record(t, direction, ip, len(data), flags, win)

    def c(self, t, flags, data=b"", win=None):
        return self.send(t, TOSERVER, flags, data, win)

    def s(self, t, flags, data=b"", win=None):
        return self.send(t, TOCLIENT, flags, data, win)

    def handshake(self, t, gap=0.005):
        self.c(t, SYN)
        self.s(t + gap, SYN | ACK)
        self.c(t + 2 * gap, ACK)

    def get(self, t, raw, path):
        """A whole request head (no body) in one segment."""
        n = self.c(t, PSH | ACK, raw)
        self.heads.append((us(t), us(t)))
        self.requests.append((us(t), path))
        return n

    def answer(self, t, status, body=b""):
        """A response in one segment, to the oldest unanswered request."""
        req_t = self.requests[len(self.responses)][0]
        n = self.s(t, PSH | ACK, response(status, REASONS[status], body))
        self.responses.append((us(t), status, us(t) - req_t))
        return n

    def close(self, t, gap=0.005):
        """FIN from the client, the server's FIN-ACK, the last ACK."""
        self.c(t, FIN | ACK)
        self.s(t + gap, FIN | ACK)
        self.c(t + 2 * gap, ACK)


class Udp(Flow):
    def __init__(self, cap, client, server, cport, sport):
        super().__init__(cap, client, server, cport, sport, 17)

    def c(self, t, data):
        ip = udp4(a4(self.client), a4(self.server), self.cport, self.sport, data)
        self.record(t, TOSERVER, ip, len(data))
        return ip

    def s(self, t, data):
        ip = udp4(a4(self.server), a4(self.client), self.sport, self.cport, data)
        self.record(t, TOCLIENT, ip, len(data))
        return ip


class IcmpErrors(Flow):
    """The ICMP flow of the errors a server sends a client."""

    def __init__(self, cap, client, server):
        super().__init__(cap, client, server, 0, 0, 1)

    def unreachable(self, t, offending):
        ip = icmp4_port_unreachable(a4(self.server), a4(self.client), offending)
        self.record(t, TOCLIENT, ip, len(ip) - 20 - 8)


def response(status, reason, body=b""):
    return (b"HTTP/1.1 %d %s\r\nContent-Length: %d\r\n\r\n" % (status, reason, len(body))
            + body)


# ---- scenarios ----

HTTP_CLIENT = "203.0.113.10"
HTTP_REQS = [
    # (request, its time, response status, latency in s)
    (b"GET /search?q=abc&page=2 HTTP/1.1\r\nHost: shop.example\r\n"
     b"User-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n", 0.130, 200, 0.050),
    (b"GET /old HTTP/1.1\r\nHost: shop.example\r\n\r\n", 0.300, 302, 0.020),
    (b"GET /gone HTTP/1.1\r\nHost: shop.example\r\n\r\n", 0.400, 404, 0.030),
    (b"GET /busy HTTP/1.1\r\nHost: shop.example\r\n\r\n", 0.500, 503, 0.040),
]
REASONS = {200: b"OK", 302: b"Found", 401: b"Unauthorized", 403: b"Forbidden",
           404: b"Not Found", 503: b"Service Unavailable"}


def http():
    """One connection, 19 packets: the client's SYN offers a window of
    64240, its later segments 502; four requests, each answered in one
    segment and acknowledged; the ACK after the 302 carries URG; FIN both
    ways. Returns (capture, flow)."""
    cap = Capture()
    f = Tcp(cap, HTTP_CLIENT, cport=40000)
    f.c(0.100, SYN)
    f.s(0.110, SYN | ACK)
    f.win[TOSERVER] = 502
    f.c(0.120, ACK)
    for req, t, status, lat in HTTP_REQS:
        f.get(t, req, req.split(b" ")[1].split(b"?")[0].decode())
        f.answer(t + lat, status, b"hello" if status == 200 else b"")
        f.c(t + lat + 0.010, ACK | (URG if status == 302 else 0))
    f.close(0.600, gap=0.010)
    return cap, f


MANY_CLIENT = "203.0.113.20"
MANY_SERVER = "198.51.100.20"


def many():
    """30 SYNs in second 2 to ports 1001..1030, each refused at +1 ms; a
    DNS-like exchange at 3.25 s and one at 13.5 s (the first frames after
    the refused flows' closed_timeout, 10 s, has passed: they end then)."""
    cap = Capture()
    syns = []
    for i in range(30):
        f = Tcp(cap, MANY_CLIENT, MANY_SERVER, cport=50000 + i, sport=1001 + i)
        f.c(2.000 + 0.010 * i, SYN)
        f.s(2.001 + 0.010 * i, RST | ACK, win=0)
        syns.append(f)
    u1 = Udp(cap, MANY_CLIENT, MANY_SERVER, 53000, 53)
    u1.c(3.250, b"q" * 20)
    u1.s(3.260, b"r" * 60)
    u2 = Udp(cap, MANY_CLIENT, MANY_SERVER, 53001, 5353)
    u2.c(13.500, b"q" * 30)
    u2.s(13.510, b"r" * 90)
    return cap, syns, u1, u2


SCAN_CLIENT = "203.0.113.30"
SCAN_SERVER = "198.51.100.30"
SCAN_OTHERS = ["198.51.100.31", "198.51.100.32", "198.51.100.33", "198.51.100.34"]


def udpscan():
    cap = Capture()
    probes, icmp = [], IcmpErrors(cap, SCAN_CLIENT, SCAN_SERVER)
    for i in range(10):
        f = Udp(cap, SCAN_CLIENT, SCAN_SERVER, 33000 + i, 2001 + i)
        ip = f.c(1.100 + 0.020 * i, b"probe")
        icmp.unreachable(1.102 + 0.020 * i, ip)
        probes.append(f)
    others = []
    for j, addr in enumerate(SCAN_OTHERS):
        f = Udp(cap, SCAN_CLIENT, addr, 34000 + j, 53)
        f.c(1.400 + 0.020 * j, b"d" * 12)
        others.append(f)
    return cap, probes, icmp, others


STATUS_CLIENT = "203.0.113.40"
# (path, status); requests at 4.050 s, then every 0.08 s and 0.12 s in turn.
STATUS_REQS = [("/login", 401), ("/login", 401), ("/admin", 403), ("/admin", 403),
               ("/.env", 403), ("/backup.zip", 404), ("/", 200), ("/index.html", 200),
               ("/login", 200), ("/", 200)]


def status_times():
    t, out = 4.050, []
    for k in range(len(STATUS_REQS)):
        out.append(round(t, 6))
        t += 0.080 if k % 2 == 0 else 0.120
    return out


def status():
    cap = Capture()
    f = Tcp(cap, STATUS_CLIENT, cport=40400)
    f.handshake(4.000)
    for (path, st), t in zip(STATUS_REQS, status_times()):
        f.get(t, b"GET %s HTTP/1.1\r\nHost: shop\r\nUser-Agent: hydra\r\n\r\n"
              % path.encode(), path)
        f.answer(t + 0.010, st)
        f.c(t + 0.020, ACK)
    f.close(4.960)
    return cap, f


SLOW_CLIENT = "203.0.113.50"
SLOW_HEAD_AT = [6.250, 6.450, 6.650]


def slow():
    cap = Capture()
    conns = []
    for k, t in enumerate(SLOW_HEAD_AT):
        f = Tcp(cap, SLOW_CLIENT, cport=40500 + k)
        f.handshake(t - 0.050)
        f.c(t, PSH | ACK, b"GET /slow HTTP/1.1\r\nHost: shop\r\n")
        f.s(t + 0.005, ACK)
        f.heads.append((us(t), None))
        conns.append(f)
    for k, f in enumerate(conns):
        f.c(7.500 + 0.010 * k, PSH | ACK, b"X-A: b\r\n")
        f.s(7.505 + 0.010 * k, ACK)
    conns[0].c(8.300, PSH | ACK, b"\r\n")
    conns[0].heads[0] = (us(SLOW_HEAD_AT[0]), us(8.300))
    conns[0].requests.append((us(8.300), "/slow"))
    conns[0].s(8.305, ACK)
    # One more header line at 9.5 s: the tick at 9 s is not the last.
    conns[1].c(9.500, PSH | ACK, b"X-B: c\r\n")
    conns[1].s(9.505, ACK)
    return cap, conns


AGENTS_CLIENT = "203.0.113.60"
# (request segments, expected request features: method, path_len,
#  query_len, args, request target, headers, ua class, body length)
AGENTS = [
    ([b"GET /api/items?limit=10&offset=20&sort=name HTTP/1.1\r\nHost: api.example\r\n"
      b"User-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n"],
     dict(method=1, path="/api/items", query="limit=10&offset=20&sort=name", args=3,
          target="/api/items?limit=10&offset=20&sort=name", headers=3, ua=2, body=0)),
    ([b"GET /index.html HTTP/1.1\r\nHost: www.example\r\n"
      b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0\r\n"
      b"Accept: text/html\r\nAccept-Language: en-US\r\nConnection: keep-alive\r\n\r\n"],
     dict(method=1, path="/index.html", query="", args=0, target="/index.html",
          headers=5, ua=1, body=0)),
    ([b"GET /item.php?id=1%27%20AND%201%3D1--%20- HTTP/1.1\r\nHost: shop\r\n"
      b"User-Agent: sqlmap/1.7.2#stable (https://sqlmap.org)\r\nAccept: */*\r\n"
      b"Cache-Control: no-cache\r\n\r\n"],
     dict(method=1, path="/item.php", query="id=1%27%20AND%201%3D1--%20-", args=1,
          target="/item.php?id=1%27%20AND%201%3D1--%20-", headers=4, ua=4, body=0)),
    ([b"GET /healthz HTTP/1.1\r\nHost: 10.0.0.1:8080\r\nUser-Agent: kube-probe/1.28\r\n"
      b"Accept: */*\r\nConnection: close\r\n\r\n"],
     dict(method=1, path="/healthz", query="", args=0, target="/healthz", headers=4,
          ua=6, body=0)),
    ([b"POST /login HTTP/1.1\r\nHost: shop\r\nUser-Agent: python-requests/2.31.0\r\n"
      b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 27\r\n\r\n",
      b"username=admin&password=x1y"],
     dict(method=3, path="/login", query="", args=0, target="/login", headers=4, ua=3,
          body=27)),
    ([b"HEAD / HTTP/1.0\r\n\r\n"],
     dict(method=2, path="/", query="", args=0, target="/", headers=0, ua=0, body=0)),
]


def agents():
    """One connection per request, 0.1 s apart from 5.1 s; the request
    row comes with the segment that completes the request."""
    cap = Capture()
    out = []
    for k, (segments, want) in enumerate(AGENTS):
        t = 5.100 + 0.100 * k
        f = Tcp(cap, AGENTS_CLIENT, cport=40600 + k)
        f.handshake(t)
        n = 0
        for j, seg in enumerate(segments):
            n = f.c(t + 0.020 + 0.010 * j, PSH | ACK, seg)
        # The head is the first segment; the request ends with the last.
        f.heads.append((us(t + 0.020), us(t + 0.020)))
        f.requests.append((us(t + 0.020 + 0.010 * (len(segments) - 1)), want["path"]))
        f.answer(t + 0.060, 200)
        out.append((f, n, want))
    return cap, out


V6_CLIENT = "2001:db8:1:2::10"
V6_SERVER = "2001:db8:ffff::80"


def v6():
    cap = Capture()
    f = Tcp(cap, V6_CLIENT, V6_SERVER, cport=40700)
    f.handshake(9.100)
    f.get(9.120, b"GET /v6 HTTP/1.1\r\nHost: v6.example\r\nUser-Agent: curl/8.5.0\r\n\r\n",
          "/v6")
    f.answer(9.140, 200, b"six")
    f.c(9.150, ACK)
    f.close(9.200)
    return cap, f


def mixed():
    """Every scenario's clients in one capture, and the IPv6 client."""
    cap = Capture()
    for build in (http, many, udpscan, status, slow, agents, v6):
        cap.merge(build()[0])
    return cap


if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, build in (("http", http), ("many", many), ("udpscan", udpscan),
                        ("status", status), ("slow", slow), ("agents", agents),
                        ("v6", v6), ("mixed", lambda: (mixed(),))):
        build()[0].write(os.path.join(out, "features_%s.pcap" % name))
