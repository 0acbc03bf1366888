#!/usr/bin/python3
"""Write a pcap of complete HTTP/1.1 connections to port 80, for replay.

    gen_http_mix.py OUT.pcap [CONNECTIONS]

Each connection is ten frames: handshake, a GET with a few headers, the
server's ACK and response, and a FIN exchange. Replayed in a loop, every
round starts each connection again with a SYN on the same ports, which
the appliance counts as a new flow, so the replay is a steady stream of
new connections, each reassembled and parsed.
"""
import sys

from scapy.all import IP, TCP, Ether, Raw

sys.path.insert(0, __file__.rsplit("/perf/", 1)[0] + "/tests/pcap")
from pcapfile import write_pcap  # noqa: E402


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 256
    frames, t = [], 1767225600.0
    for i in range(n):
        cli = "10.%d.%d.%d" % (1 + i // 65536, (i // 256) % 256, i % 256)
        srv, cp = "10.200.0.80", 20000 + i
        req = (b"GET /catalog/item?id=%d&ref=home HTTP/1.1\r\nHost: shop.example\r\n"
               b"User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: text/html\r\n"
               b"Accept-Language: en\r\nCookie: session=abcdef0123456789\r\n\r\n" % i)
        resp = b"HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\n" + b"x" * 300
        C = lambda **kw: Ether() / IP(src=cli, dst=srv) / TCP(sport=cp, dport=80, **kw)
        S = lambda **kw: Ether() / IP(src=srv, dst=cli) / TCP(sport=80, dport=cp, **kw)
        a, b = 1000, 9000
        pk = [C(flags="S", seq=a), S(flags="SA", seq=b, ack=a + 1),
              C(flags="A", seq=a + 1, ack=b + 1),
              C(flags="PA", seq=a + 1, ack=b + 1) / Raw(req),
              S(flags="A", seq=b + 1, ack=a + 1 + len(req)),
              S(flags="PA", seq=b + 1, ack=a + 1 + len(req)) / Raw(resp),
              C(flags="A", seq=a + 1 + len(req), ack=b + 1 + len(resp)),
              C(flags="FA", seq=a + 1 + len(req), ack=b + 1 + len(resp)),
              S(flags="FA", seq=b + 1 + len(resp), ack=a + 2 + len(req)),
              C(flags="A", seq=a + 2 + len(req), ack=b + 2 + len(resp))]
        for p in pk:
            frames.append((t, bytes(p)))
            t += 0.00001
    write_pcap(out, frames)


if __name__ == "__main__":
    main()
