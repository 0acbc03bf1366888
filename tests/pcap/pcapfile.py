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
