"""Classic pcap files, read and written byte for byte.

The test generators write frames exactly as built (scapy's wrpcap would
re-encode them) with fixed timestamps, and the tests read what the
appliance wrote, without depending on scapy's own reader.
"""
import struct

_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def write_pcap(path, frames):
    """frames: iterable of (time in seconds, bytes), written in order."""
    with open(path, "wb") as fh:
        fh.write(_HEADER)
        for t, raw in frames:
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            fh.write(struct.pack("<IIII", sec, usec, len(raw), len(raw)))
            fh.write(raw)


def read_pcap(path):
    """[((sec, frac), bytes)] of a classic pcap file, any precision."""
    with open(path, "rb") as fh:
        data = fh.read()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), hex(magic)
    off, out = 24, []
    while off < len(data):
        sec, frac, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
        out.append(((sec, frac), data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return out


def inet_csum(data):
    """The Internet checksum (RFC 1071) of @data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload):
    """An IPv4 header (checksum set) before @payload; src/dst 4 bytes."""
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64,
                    proto, 0, src, dst)
    return h[:10] + struct.pack("!H", inet_csum(h)) + h[12:] + payload


def tcp4(src, dst, sport, dport, seq, ack, flags, data=b"", window=65535):
    """An IPv4 TCP segment, checksums set, built byte by byte (fast
    enough for captures of hundreds of thousands of frames)."""
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                    ack & 0xFFFFFFFF, 5 << 4, flags, window, 0, 0)
    c = inet_csum(src + dst + struct.pack("!BBH", 0, 6, 20 + len(data)) + h + data)
    return ipv4(src, dst, 6, h[:16] + struct.pack("!H", c) + h[18:] + data)
