#!/usr/bin/python3
"""A mixed capture for offline throughput: many short HTTP connections
(handshake, request, answer, close) from many clients, and DNS-like UDP
exchanges, spread over SPAN seconds of capture time, so that flows start,
close and expire all through the run.

    gen_mix.py OUT.pcap [CONNECTIONS] [SPAN_SECONDS]

Built byte by byte (no scapy) so a few hundred thousand frames take
seconds; checksums are correct.
"""
import random
import struct
import sys

from pcapfile import inet_csum, ipv4, tcp4, write_pcap  # tests/pcap, on PYTHONPATH


ETH_C = bytes.fromhex("020000000002" "020000000001" "0800")
ETH_S = bytes.fromhex("020000000001" "020000000002" "0800")


def udp(src, dst, sport, dport, data):
    h = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, 8 + len(data))
    c = inet_csum(pseudo + h + data) or 0xFFFF
    return ipv4(src, dst, 17, h[:6] + struct.pack("!H", c) + data)


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 25000
    span = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0
    rnd = random.Random(12)
    server = bytes([10, 77, 0, 2])
    t0 = 1767225600.0
    frames = []
    for i in range(n):
        cli = bytes([10, 64 + (i >> 16) % 64, (i >> 8) & 255, i & 255])
        sp = 1024 + rnd.randrange(60000)
        t = t0 + rnd.random() * span
        cs, ss = rnd.randrange(1 << 32), rnd.randrange(1 << 32)
        req = (b"GET /shop/item/%d?ref=%d HTTP/1.1\r\nHost: shop.example\r\n"
               b"User-Agent: mix/1.0\r\nAccept: */*\r\n\r\n" % (i, rnd.randrange(999)))
        body = b"x" * rnd.randrange(50, 900)
        resp = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        S, A, P, F = 0x02, 0x10, 0x08, 0x01
        seq = [
            (ETH_C, tcp4(cli, server, sp, 80, cs, 0, S)),
            (ETH_S, tcp4(server, cli, 80, sp, ss, cs + 1, S | A)),
            (ETH_C, tcp4(cli, server, sp, 80, cs + 1, ss + 1, A)),
            (ETH_C, tcp4(cli, server, sp, 80, cs + 1, ss + 1, P | A, req)),
            (ETH_S, tcp4(server, cli, 80, sp, ss + 1, cs + 1 + len(req), P | A, resp)),
            (ETH_C, tcp4(cli, server, sp, 80, cs + 1 + len(req), ss + 1 + len(resp), F | A)),
            (ETH_S, tcp4(server, cli, 80, sp, ss + 1 + len(resp), cs + 2 + len(req), F | A)),
            (ETH_C, tcp4(cli, server, sp, 80, cs + 2 + len(req), ss + 2 + len(resp), A)),
        ]
        for k, (eth, pkt) in enumerate(seq):
            frames.append((t + k * 0.0002, eth + pkt))
        # A DNS-like exchange from the same client.
        q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + b"\x04shop\x07example\x00\x00\x01\x00\x01"
        frames.append((t + 0.01, ETH_C + udp(cli, server, sp + 1, 53, q)))
        frames.append((t + 0.011, ETH_S + udp(server, cli, 53, sp + 1, q + b"\x00" * 16)))
    frames.sort(key=lambda f: f[0])
    write_pcap(out, frames)
    print("gen_mix: %d frames, %d connections over %.0f s" % (len(frames), n, span))


if __name__ == "__main__":
    main()
