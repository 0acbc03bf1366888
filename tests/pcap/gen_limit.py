#!/usr/bin/python3
"""Generate the rate-limit pcap cases.

    gen_limit.py OUTDIR

limit.pcap: for 20 s of capture time, client A opens a connection and
sends one GET every 20 ms (50 requests/s), client B one every 200 ms
(5 requests/s), interleaved in time order; run against a limit of 20/s
with burst 10, A must get burst + rate x t requests through, B all.
syn.pcap: one source opens 100 connections in 1 s (SYN only), another 5.
"""
import os
import sys

from scapy.all import IP, TCP, Ether, Raw

from pcapfile import write_pcap

T0 = 1767225600.0
SERVER = "198.51.100.80"


def connection(frames, t, client, cport, path, raw=None):
    """SYN, SYN-ACK, ACK, then the request (a GET of @path, or @raw),
    0.1 ms apart."""
    eth_c = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    eth_s = Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")
    C = lambda **kw: eth_c / IP(src=client, dst=SERVER) / TCP(sport=cport, dport=80, **kw)
    S = lambda **kw: eth_s / IP(src=SERVER, dst=client) / TCP(sport=80, dport=cport, **kw)
    req = raw or b"GET %s HTTP/1.1\r\nHost: shop.example\r\n\r\n" % path.encode()
    frames.append((t, bytes(C(flags="S", seq=100))))
    frames.append((t + 0.0001, bytes(S(flags="SA", seq=900, ack=101))))
    frames.append((t + 0.0002, bytes(C(flags="A", seq=101, ack=901))))
    frames.append((t + 0.0003, bytes(C(flags="PA", seq=101, ack=901) / Raw(req))))


def main():
    out = sys.argv[1]
    frames = []
    for i in range(1000):  # A: 50/s for 20 s
        connection(frames, T0 + i * 0.02, "192.0.2.10", 10000 + i, "/a/%d" % i)
    for i in range(100):  # B: 5/s for 20 s
        connection(frames, T0 + 0.005 + i * 0.2, "192.0.2.20", 20000 + i, "/b/%d" % i)
    frames.sort(key=lambda f: f[0])
    write_pcap(os.path.join(out, "limit.pcap"), frames)

    syn = []
    eth = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    for i in range(100):
        syn.append((T0 + i * 0.01, bytes(eth / IP(src="192.0.2.30", dst=SERVER) /
                                         TCP(sport=30000 + i, dport=80, flags="S"))))
    for i in range(5):
        syn.append((T0 + 0.003 + i * 0.2, bytes(eth / IP(src="192.0.2.31", dst=SERVER) /
                                                TCP(sport=31000 + i, dport=80, flags="S"))))
    syn.sort(key=lambda f: f[0])
    write_pcap(os.path.join(out, "syn.pcap"), syn)


if __name__ == "__main__":
    main()
