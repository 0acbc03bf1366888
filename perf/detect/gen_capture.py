#!/usr/bin/python3
"""Captures for perf/detect: HTTP traffic from a population of clients,
for the per-flow and per-client features and the models that score them.

    gen_capture.py block OUT.pcap [CONNECTIONS] [CLIENTS] [SPAN_SECONDS]
    gen_capture.py repeat IN.pcap OUT.pcap COPIES SHIFT_SECONDS

block: CONNECTIONS TCP connections to four web servers (10.77.0.1-4, port
80, some 8080), spread over SPAN seconds of capture time, from CLIENTS
clients of very unequal activity (a few busy ones, a long tail), each
connection from the client's own next port. A connection is a handshake,
one to five requests on it (GETs of pages, API calls with arguments,
static files, form POSTs with a body, now and then an injection-looking
query; browsers, curl, Python and Go clients, the odd scanner user
agent), each answered (200 mostly; 301, 401, 403, 404, 500), responses
above one segment split in two; the client ACKs, then a FIN exchange
(one in twenty ends with the client's RST). Beside them, one in four
connections has a DNS-like UDP exchange, and one in ten a SYN to a
closed port answered by RST (clients probing). So flows reach every
decision point (2, 4, 8 and 16 packets, a request, the end), clients
count new flows, ports, requests and statuses, and the busy ones cross
the per-second triggers. Defaults: 20000 connections, 64 clients, 20 s.

repeat: COPIES copies of IN one after the other, copy k shifted by
k x SHIFT seconds (a whole number: only the seconds of each record
header change), so a long run needs one short generation. SHIFT must
exceed the capture's span and the closed-flow timeout between the same
connection's copies (a copy's connections reuse their ports).

Built byte by byte (no scapy): checksums are correct.
"""
import random
import struct
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/perf/", 1)[0] + "/tests/pcap")
from pcapfile import inet_csum, ipv4, tcp4, write_pcap  # noqa: E402

ETH_C = bytes.fromhex("020000000002" "020000000001" "0800")
ETH_S = bytes.fromhex("020000000001" "020000000002" "0800")
SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10
MSS = 1448

UAS = [
    (40, b"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
    (30, b"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
         b"(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"),
    (10, b"curl/8.5.0"),
    (10, b"python-requests/2.31.0"),
    (6, b"Go-http-client/1.1"),
    (3, b"Googlebot/2.1 (+http://www.google.com/bot.html)"),
    (1, b"sqlmap/1.7.2#stable (https://sqlmap.org)"),
]


def udp(src, dst, sport, dport, data):
    h = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, 8 + len(data))
    c = inet_csum(pseudo + h + data) or 0xFFFF
    return ipv4(src, dst, 17, h[:6] + struct.pack("!H", c) + data)


def request(rnd, ua, i):
    """(request bytes, status, response body length)"""
    k = rnd.random()
    host = b"Host: shop.example\r\nUser-Agent: " + ua + b"\r\n"
    common = b"Accept: */*\r\nAccept-Language: en-GB,en;q=0.8\r\n"
    if ua.startswith(b"sqlmap") or k < 0.01:
        q = b"id=%d%%27%%20OR%%201%%3D1--%%20-&cat=%%22%%3E%%3Cscript%%3E" % i
        return (b"GET /product.php?" + q + b" HTTP/1.1\r\n" + host + common + b"\r\n",
                rnd.choice((200, 500, 403)), rnd.randrange(200, 2000))
    if k < 0.35:
        path = rnd.choice((b"/", b"/index.html", b"/catalog", b"/about", b"/cart"))
        return (b"GET " + path + b" HTTP/1.1\r\n" + host + common +
                b"Cookie: session=%016x; theme=dark\r\n\r\n" % rnd.getrandbits(64),
                rnd.choice((200, 200, 200, 200, 301)), rnd.randrange(800, 4000))
    if k < 0.65:
        q = b"id=%d&page=%d&sort=price" % (rnd.randrange(100000), rnd.randrange(20))
        return (b"GET /api/v1/items?" + q + b" HTTP/1.1\r\n" + host + common +
                b"Authorization: Bearer %032x\r\n\r\n" % rnd.getrandbits(128),
                rnd.choice((200, 200, 200, 404, 401)), rnd.randrange(100, 1400))
    if k < 0.85:
        path = b"/static/%s.%s" % (rnd.choice((b"app", b"vendor", b"logo", b"style")),
                                   rnd.choice((b"js", b"css", b"png")))
        return (b"GET " + path + b" HTTP/1.1\r\n" + host + common + b"\r\n",
                rnd.choice((200, 200, 200, 200, 404)), rnd.randrange(300, 2800))
    body = b"user=u%d&password=%s&remember=1" % (rnd.randrange(5000),
                                                 b"%x" % rnd.getrandbits(48))
    return (b"POST /login HTTP/1.1\r\n" + host + common +
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body,
            rnd.choice((302, 401, 401, 200)), rnd.randrange(100, 600))


def block(out, n, n_clients, span, mix="api"):
    """mix "api": 1-5 small requests per connection (API calls, the
    worst case: about ten frames per flow); "web": browsers on
    keep-alive connections, 2-20 requests each, pages and assets of
    5-60 KB (tens of frames per flow)."""
    rnd = random.Random(20240607)
    web = mix == "web"
    t0 = 1767225600.0
    servers = [bytes([10, 77, 0, s]) for s in range(1, 5)]
    clients = [bytes([10, 64 + (c >> 16) % 64, (c >> 8) & 255, c & 255])
               for c in range(1, n_clients + 1)]
    # Zipf-like activity: client c gets weight 1 / (c + 1).
    weights = [1.0 / (c + 1) for c in range(n_clients)]
    next_port = [1024 + rnd.randrange(20000) for _ in range(n_clients)]
    ua_of = [rnd.choices([u for _, u in UAS], [w for w, _ in UAS])[0]
             for _ in range(n_clients)]
    frames = []
    for i in range(n):
        ci = rnd.choices(range(n_clients), weights)[0]
        cli, srv = clients[ci], rnd.choice(servers)
        sp = next_port[ci]
        next_port[ci] = 1024 + (sp - 1024 + 1) % 64000
        dport = 8080 if rnd.random() < 0.1 else 80
        t = t0 + rnd.random() * span
        rtt = rnd.uniform(0.0003, 0.004)
        cs, ss = rnd.getrandbits(32), rnd.getrandbits(32)

        def C(fl, data=b"", win=64240):
            frames.append((t, ETH_C + tcp4(cli, srv, sp, dport, cs, ss, fl, data, win)))

        def S(fl, data=b"", win=65160):
            frames.append((t, ETH_S + tcp4(srv, cli, dport, sp, ss, cs, fl, data, win)))

        C(SYN)
        cs += 1
        t += rtt / 2
        S(SYN | ACK)
        ss += 1
        t += rtt / 2
        C(ACK)
        n_req = (rnd.choice((2, 4, 6, 8, 12, 20)) if web
                 else rnd.choice((1, 1, 1, 2, 2, 3, 5)))
        for r in range(n_req):
            req, status, blen = request(rnd, ua_of[ci], i)
            if web:
                blen = blen * rnd.randrange(5, 16)
            t += rnd.uniform(0.00005, 0.3 if r else 0.0002)
            C(PSH | ACK, req)
            cs += len(req)
            t += rtt / 2 + rnd.uniform(0.0002, 0.02)
            resp = (b"HTTP/1.1 %d X\r\nServer: nginx\r\nContent-Type: text/html\r\n"
                    b"Content-Length: %d\r\n\r\n" % (status, blen)) + b"x" * blen
            while resp:
                seg, resp = resp[:MSS], resp[MSS:]
                S(PSH | ACK if not resp else ACK, seg)
                ss += len(seg)
            t += rtt / 2
            C(ACK)
        t += rnd.uniform(0.0001, 0.5)
        if rnd.random() < 0.05:
            C(RST | ACK)
        else:
            C(FIN | ACK)
            cs += 1
            t += rtt / 2
            S(FIN | ACK)
            ss += 1
            t += rtt / 2
            C(ACK)
        if rnd.random() < 0.25:
            q = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                 b"\x04shop\x07example\x00\x00\x01\x00\x01")
            t += 0.001
            frames.append((t, ETH_C + udp(cli, srv, 1024 + (sp + 30000) % 64000, 53, q)))
            frames.append((t + rtt, ETH_S + udp(srv, cli, 53, 1024 + (sp + 30000) % 64000,
                                                q + b"\xc0\x0c\x00\x01\x00\x01"
                                                b"\x00\x00\x0e\x10\x00\x04\x0a\x4d\x00\x01")))
        if rnd.random() < 0.1:
            port = rnd.choice((22, 23, 25, 443, 3306, 5432, 6379, 8443, 9200))
            psp = 1024 + (sp + 15000) % 64000
            t += 0.002
            seq = rnd.getrandbits(32)
            frames.append((t, ETH_C + tcp4(cli, srv, psp, port, seq, 0, SYN, b"", 1024)))
            frames.append((t + rtt, ETH_S + tcp4(srv, cli, port, psp, 0, seq + 1,
                                                 RST | ACK, b"", 0)))
    frames.sort(key=lambda f: f[0])
    write_pcap(out, frames)
    print("gen_capture: %d frames, %d connections from %d clients over %.0f s (%s mix)"
          % (len(frames), n, n_clients, span, mix))


def repeat(inp, out, copies, shift):
    data = np.fromfile(inp, dtype=np.uint8)
    head, body = data[:24], data[24:]
    offs, off = [], 0
    raw = body.tobytes()
    while off < len(raw):
        offs.append(off)
        off += 16 + struct.unpack_from("<I", raw, off + 8)[0]
    offs = np.array(offs, dtype=np.int64)
    idx = offs[:, None] + np.arange(4)
    secs = body[idx].copy().view("<u4").ravel()
    with open(out, "wb") as fh:
        fh.write(head.tobytes())
        for k in range(copies):
            body[idx] = (secs + np.uint32(k * shift)).view(np.uint8).reshape(-1, 4)
            fh.write(body.tobytes())
    print("gen_capture: %d frames (%d copies)" % (len(offs) * copies, copies))


def main():
    a = sys.argv[1:]
    if a and a[0] == "block":
        block(a[1], int(a[2]) if len(a) > 2 else 20000,
              int(a[3]) if len(a) > 3 else 64, float(a[4]) if len(a) > 4 else 20.0,
              a[5] if len(a) > 5 else "api")
    elif a and a[0] == "repeat" and len(a) == 5:
        repeat(a[1], a[2], int(a[3]), int(a[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
