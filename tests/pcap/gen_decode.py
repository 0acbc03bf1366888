#!/usr/bin/python3
"""Generate the decoder pcap cases.

    gen_decode.py OUTDIR

writes OUTDIR/clean.pcap (mixed, valid traffic of every kind the decoder
knows) and OUTDIR/malformed.pcap (the clean frames with a malformed frame
of every drop reason between them) plus OUTDIR/malformed.json: for each
frame of malformed.pcap, the reason the appliance must give, or null when
the frame must be forwarded unchanged.

Frames are built with scapy (an independent encoder: its checksums and
lengths are not ours) and then damaged by hand where a case needs it.
"""
import json
import os
import struct
import sys

from pcapfile import write_pcap

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether,
                       ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NS,
                       IPOption_RR, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, Raw, fragment)

CMAC, SMAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
C4, S4 = "10.77.0.1", "10.77.0.2"
C6, S6 = "fd00:77::1", "fd00:77::2"


def eth(src=CMAC, dst=SMAC):
    return Ether(src=src, dst=dst)


def clean_frames():
    f = []
    # IPv4 TCP: handshake, request, response, close.
    f.append(eth() / IP(src=C4, dst=S4) /
             TCP(sport=40000, dport=80, flags="S", seq=1000,
                 options=[("MSS", 1460), ("SAckOK", b""),
                          ("Timestamp", (1, 0)), ("NOP", None),
                          ("WScale", 7)]))
    f.append(eth(SMAC, CMAC) / IP(src=S4, dst=C4) /
             TCP(sport=80, dport=40000, flags="SA", seq=5000, ack=1001,
                 options=[("MSS", 1460)]))
    f.append(eth() / IP(src=C4, dst=S4) /
             TCP(sport=40000, dport=80, flags="A", seq=1001, ack=5001))
    f.append(eth() / IP(src=C4, dst=S4) /
             TCP(sport=40000, dport=80, flags="PA", seq=1001, ack=5001) /
             Raw(b"GET / HTTP/1.1\r\nHost: s\r\n\r\n"))
    f.append(eth(SMAC, CMAC) / IP(src=S4, dst=C4) /
             TCP(sport=80, dport=40000, flags="PA", seq=5001, ack=1028) /
             Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"))
    f.append(eth() / IP(src=C4, dst=S4) /
             TCP(sport=40000, dport=80, flags="FA", seq=1028, ack=5041))
    # IPv4 UDP, UDP without checksum, ICMP echo both ways.
    f.append(eth() / IP(src=C4, dst=S4) / UDP(sport=5353, dport=53) /
             Raw(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"))
    nock = eth() / IP(src=C4, dst=S4) / UDP(sport=5000, dport=6000, chksum=0) / Raw(b"x" * 20)
    f.append(nock)
    f.append(eth() / IP(src=C4, dst=S4) / ICMP(type=8, id=7, seq=1) /
             Raw(b"ping" * 8))
    f.append(eth(SMAC, CMAC) / IP(src=S4, dst=C4) / ICMP(type=0, id=7, seq=1) /
             Raw(b"ping" * 8))
    # IPv4 with options (record route).
    f.append(eth() / IP(src=C4, dst=S4, options=[IPOption_RR()]) /
             UDP(sport=1, dport=2) / Raw(b"opt"))
    # IPv4 fragments of a large UDP datagram.
    for frag in fragment(IP(src=C4, dst=S4) / UDP(sport=7, dport=9) /
                         Raw(b"F" * 3000), fragsize=1200):
        f.append(eth() / frag)
    # 802.1Q and QinQ.
    f.append(eth() / Dot1Q(vlan=100) / IP(src=C4, dst=S4) /
             TCP(sport=40001, dport=443, flags="S"))
    f.append(eth() / Dot1AD(vlan=200) / Dot1Q(vlan=300) /
             IP(src=C4, dst=S4) / UDP(sport=1234, dport=4321) / Raw(b"qinq"))
    f.append(eth() / Dot1Q(vlan=100) / IPv6(src=C6, dst=S6) /
             UDP(sport=1, dport=2) / Raw(b"v6 in vlan"))
    # ARP request and reply (padded to the Ethernet minimum by scapy).
    f.append(Ether(src=CMAC, dst="ff:ff:ff:ff:ff:ff") /
             ARP(op=1, hwsrc=CMAC, psrc=C4, pdst=S4))
    f.append(eth(SMAC, CMAC) / ARP(op=2, hwsrc=SMAC, psrc=S4, hwdst=CMAC,
                                   pdst=C4))
    # IPv6: TCP, UDP, ICMPv6 echo and neighbour solicitation.
    f.append(eth() / IPv6(src=C6, dst=S6) /
             TCP(sport=40002, dport=80, flags="S",
                 options=[("MSS", 1440)]))
    f.append(eth(SMAC, CMAC) / IPv6(src=S6, dst=C6) /
             TCP(sport=80, dport=40002, flags="SA", ack=1))
    f.append(eth() / IPv6(src=C6, dst=S6) / UDP(sport=5353, dport=53) /
             Raw(b"v6 udp"))
    f.append(eth() / IPv6(src=C6, dst=S6) / ICMPv6EchoRequest(id=1, seq=1,
                                                              data=b"ping6"))
    f.append(eth(SMAC, CMAC) / IPv6(src=S6, dst=C6) /
             ICMPv6EchoReply(id=1, seq=1, data=b"ping6"))
    f.append(Ether(src=CMAC, dst="33:33:ff:00:00:02") /
             IPv6(src=C6, dst="ff02::1:ff00:2", hlim=255) /
             ICMPv6ND_NS(tgt=S6))
    # IPv6 extension-header chains.
    f.append(eth() / IPv6(src=C6, dst=S6) / IPv6ExtHdrHopByHop() /
             IPv6ExtHdrDestOpt() / UDP(sport=1, dport=2) / Raw(b"ext"))
    f.append(eth() / IPv6(src=C6, dst=S6) /
             IPv6ExtHdrRouting(addresses=[]) / TCP(sport=3, dport=4,
                                                   flags="S"))
    for frag in fragment6_frames():
        f.append(frag)
    # An EtherType the decoder does not know (LLDP) passes as is.
    f.append(Ether(src=CMAC, dst="01:80:c2:00:00:0e", type=0x88cc) /
             Raw(b"\x02\x07\x04" + b"\x00" * 40))
    return [bytes(x) for x in f]


def fragment6_frames():
    from scapy.all import fragment6
    pkt = (IPv6(src=C6, dst=S6) / IPv6ExtHdrFragment(id=99) /
           UDP(sport=11, dport=12) / Raw(b"G" * 2500))
    return [eth() / p for p in fragment6(pkt, 1280)]


def with_fixed_ipv4_sum(raw, l3=14):
    """Recompute the IPv4 header checksum of a hand-edited frame."""
    b = bytearray(raw)
    ihl = (b[l3] & 0xF) * 4
    b[l3 + 10:l3 + 12] = b"\0\0"
    s = 0
    for i in range(0, ihl, 2):
        s += (b[l3 + i] << 8) | b[l3 + i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    b[l3 + 10:l3 + 12] = struct.pack("!H", ~s & 0xFFFF)
    return bytes(b)


def malformed_frames():
    """(reason, frame) for every drop reason the decoder has."""
    m = []
    tcp4 = bytes(eth() / IP(src=C4, dst=S4) /
                 TCP(sport=40000, dport=80, flags="PA") / Raw(b"data"))
    udp4 = bytes(eth() / IP(src=C4, dst=S4) / UDP(sport=1, dport=2) /
                 Raw(b"data"))
    m.append(("eth_truncated", tcp4[:13]))
    m.append(("vlan_truncated", bytes(eth(SMAC, CMAC))[:12] + b"\x81\x00\x00"))
    m.append(("vlan_too_deep", bytes(eth() / Dot1AD(vlan=1) / Dot1Q(vlan=2) /
                                     Dot1Q(vlan=3) / IP(src=C4, dst=S4) /
                                     UDP())))
    m.append(("arp_truncated", bytes(Ether(src=CMAC, dst="ff:ff:ff:ff:ff:ff",
                                           type=0x0806) / Raw(b"\x00\x01\x08\x00"))))
    m.append(("ipv4_truncated", tcp4[:14 + 19]))
    b = bytearray(tcp4)
    b[14] = 0x55  # version 5
    m.append(("ipv4_bad_version", bytes(b)))
    b = bytearray(tcp4)
    b[14] = 0x44  # IHL 4 words
    m.append(("ipv4_bad_ihl", bytes(b)))
    b = bytearray(tcp4)
    b[16:18] = struct.pack("!H", len(tcp4))  # longer than the frame
    m.append(("ipv4_bad_total_len", with_fixed_ipv4_sum(bytes(b))))
    opt = bytearray(bytes(eth() / IP(src=C4, dst=S4, options=[IPOption_RR()]) /
                          UDP(sport=1, dport=2)))
    opt[14 + 21] = 60  # option length past the header
    m.append(("ipv4_bad_options", with_fixed_ipv4_sum(bytes(opt))))
    b = bytearray(tcp4)
    b[24] ^= 0xFF
    m.append(("ipv4_bad_checksum", bytes(b)))
    v6 = bytes(eth() / IPv6(src=C6, dst=S6) / UDP(sport=1, dport=2) /
               Raw(b"v6data"))
    m.append(("ipv6_truncated", v6[:14 + 39]))
    b = bytearray(v6)
    b[14] = 0x40
    m.append(("ipv6_bad_version", bytes(b)))
    b = bytearray(v6)
    b[18:20] = struct.pack("!H", 500)
    m.append(("ipv6_bad_payload_len", bytes(b)))
    ext = bytearray(bytes(eth() / IPv6(src=C6, dst=S6) /
                          IPv6ExtHdrDestOpt() / UDP(sport=1, dport=2)))
    ext[14 + 41] = 5  # hdr ext len: 48 bytes that are not there
    m.append(("ipv6_exthdr_truncated", bytes(ext)))
    chain = IPv6(src=C6, dst=S6)
    for _ in range(10):
        chain = chain / IPv6ExtHdrDestOpt()
    m.append(("ipv6_exthdr_too_many", bytes(eth() / chain / UDP())))
    m.append(("ipv6_bad_hopbyhop", bytes(eth() / IPv6(src=C6, dst=S6) /
                                         IPv6ExtHdrDestOpt() /
                                         IPv6ExtHdrHopByHop() / UDP())))
    short_tcp = bytes(eth() / IP(src=C4, dst=S4, proto=6) / Raw(b"\x00" * 10))
    m.append(("tcp_truncated", short_tcp))
    b = bytearray(tcp4)
    b[14 + 20 + 12] = 0x40  # data offset 4 words
    m.append(("tcp_bad_offset", bytes(b)))
    bo = bytes(eth() / IP(src=C4, dst=S4) /
               TCP(sport=1, dport=2, flags="S", options=[("MSS", 1460)]))
    b = bytearray(bo)
    b[14 + 20 + 21] = 9  # MSS option claims 9 bytes
    m.append(("tcp_bad_options", bytes(b)))
    m.append(("tcp_bad_flags", bytes(eth() / IP(src=C4, dst=S4) /
                                     TCP(sport=1, dport=2, flags="SF"))))
    b = bytearray(tcp4)
    b[-1] ^= 0x01
    m.append(("tcp_bad_checksum", bytes(b)))
    m.append(("udp_truncated", bytes(eth() / IP(src=C4, dst=S4, proto=17) /
                                     Raw(b"\x00" * 6))))
    b = bytearray(udp4)
    b[14 + 20 + 4:14 + 20 + 6] = struct.pack("!H", 4)
    m.append(("udp_bad_length", bytes(b)))
    b = bytearray(udp4)
    b[-1] ^= 0x01
    m.append(("udp_bad_checksum", bytes(b)))
    m.append(("icmp_truncated", bytes(eth() / IP(src=C4, dst=S4, proto=1) /
                                      Raw(b"\x08\x00\x00"))))
    b = bytearray(bytes(eth() / IP(src=C4, dst=S4) / ICMP() / Raw(b"abc")))
    b[-1] ^= 0x01
    m.append(("icmp_bad_checksum", bytes(b)))
    m.append(("icmpv6_truncated", bytes(eth() / IPv6(src=C6, dst=S6, nh=58) /
                                        Raw(b"\x80\x00"))))
    b = bytearray(bytes(eth() / IPv6(src=C6, dst=S6) /
                        ICMPv6EchoRequest(data=b"abc")))
    b[-1] ^= 0x01
    m.append(("icmpv6_bad_checksum", bytes(b)))
    return m


def write(path, frames, t0=1767225600.0):
    # Fixed, increasing timestamps: the output must not depend on the
    # time the generator ran.
    write_pcap(path, ((t0 + i * 0.001, raw) for i, raw in enumerate(frames)))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    clean = clean_frames()
    write(os.path.join(out, "clean.pcap"), clean)
    bad = malformed_frames()
    mixed, expect = [], []
    # Between the malformed frames, whole clean frames: a fragment alone
    # would be held for the rest of its datagram, and never forwarded.
    whole = [c for c in clean
             if not (IP in Ether(c) and (Ether(c)[IP].flags.MF or Ether(c)[IP].frag))
             and IPv6ExtHdrFragment not in Ether(c)]
    for i, (reason, frame) in enumerate(bad):
        mixed.append(whole[i % len(whole)])
        expect.append(None)
        mixed.append(frame)
        expect.append(reason)
    mixed.append(whole[0])
    expect.append(None)
    write(os.path.join(out, "malformed.pcap"), mixed)
    with open(os.path.join(out, "malformed.json"), "w") as fh:
        json.dump(expect, fh, indent=0)


if __name__ == "__main__":
    main()
