#!/usr/bin/python3
"""Sequential HTTP connections for the context-release test.

    gen_seq.py OUT.pcap [CONNECTIONS] [PER_SECOND]

CONNECTIONS complete connections (handshake, one GET, a 200, FIN both
ways) from distinct client ports, one starting every 1/PER_SECOND s, each
closed 2 ms after it opened: about two open at once, many more than any
inspection-context pool over the run. Built byte by byte (no scapy).
"""
import sys

from pcapfile import tcp4, write_pcap


CLIENT, SERVER = bytes([10, 77, 0, 1]), bytes([10, 77, 0, 2])
ETH_C = bytes.fromhex("020000000002" "020000000001" "0800")
ETH_S = bytes.fromhex("020000000001" "020000000002" "0800")


def seg(src, dst, sport, dport, seq, ack, flags, data=b""):
    return (ETH_C if src == CLIENT else ETH_S) + tcp4(src, dst, sport, dport,
                                                      seq, ack, flags, data)


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 1000.0
    t0 = 1767225600.0
    S, A, P, F = 0x02, 0x10, 0x08, 0x01
    frames = []
    for i in range(n):
        sp = 20000 + i
        t = t0 + i / rate
        cs, ss = 1000 * i, 7000 * i
        req = b"GET /conn/%d HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: seq\r\n\r\n" % i
        resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        for k, (src, dst, a, b, sq, ak, fl, d) in enumerate([
                (CLIENT, SERVER, sp, 80, cs, 0, S, b""),
                (SERVER, CLIENT, 80, sp, ss, cs + 1, S | A, b""),
                (CLIENT, SERVER, sp, 80, cs + 1, ss + 1, A, b""),
                (CLIENT, SERVER, sp, 80, cs + 1, ss + 1, P | A, req),
                (SERVER, CLIENT, 80, sp, ss + 1, cs + 1 + len(req), P | A, resp),
                (CLIENT, SERVER, sp, 80, cs + 1 + len(req), ss + 1 + len(resp), F | A, b""),
                (SERVER, CLIENT, 80, sp, ss + 1 + len(resp), cs + 2 + len(req), F | A, b""),
                (CLIENT, SERVER, sp, 80, cs + 2 + len(req), ss + 2 + len(resp), A, b"")]):
            frames.append((t + k * 0.00025, seg(src, dst, a, b, sq & 0xFFFFFFFF,
                                                  ak & 0xFFFFFFFF, fl, d)))
    frames.sort(key=lambda f: f[0])
    write_pcap(out, frames)


if __name__ == "__main__":
    main()
