#!/usr/bin/python3
"""Write a pcap of 64-byte Ethernet/IPv4/UDP frames (valid checksums),
spread over many flows, as TRex's and pktgen's default UDP streams are.

    gen_udp.py OUT.pcap [FRAMES]
"""
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(i):
    src = bytes([10, 0, (i >> 8) & 0xFF, i & 0xFF])
    dst = bytes([10, 1, 0, 1])
    payload = b"\0" * 18  # 14 + 20 + 8 + 18 = 60 bytes, 64 with the FCS
    sport, dport = 1024 + (i % 50000), 9
    ulen = 8 + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, ulen)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    ucs = csum(pseudo + udp) or 0xFFFF
    udp = struct.pack("!HHHH", sport, dport, ulen, ucs) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, i & 0xFFFF, 0,
                     64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    return eth + ip + udp


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    with open(out, "wb") as fh:
        fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            f = frame(i)
            fh.write(struct.pack("<IIII", 1767225600, i, len(f), len(f)))
            fh.write(f)


if __name__ == "__main__":
    main()
