#!/usr/bin/python3
"""Generate the block-list pcap case.

    gen_block.py OUTDIR

Writes block.list (prefixes with an exception), block.pcap (frames from,
to and around them, IPv4 and IPv6, a fragment, a SYN, and a blocked
source seen again after the alert interval) and block.json: the frames
that must be dropped, the alerts (at most one per source per 60 s) and
how many flows may be created (blocked frames never take one).
"""
import json
import os
import sys

from scapy.all import ICMP, IP, TCP, UDP, Ether, IPv6, Raw

from pcapfile import write_pcap

T0 = 1767225600.0

LIST = """# block list for the offline test
198.51.100.0/24          # a blocked network
!198.51.100.128/25       # ... except its upper half
203.0.113.7              # one host, blocked as a destination below
2001:db8:bad::/48
"""


def main():
    out = sys.argv[1]
    frames, dropped, alerts = [], [], []

    def add(t, pkt, drop=False, alert=None):
        if drop:
            dropped.append(len(frames))
        if alert:
            alerts.append(alert)
        eth = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
        frames.append((T0 + t, bytes(eth / pkt)))

    udp = UDP(sport=5000, dport=53) / Raw(b"q" * 20)
    add(0.0, IP(src="192.0.2.1", dst="10.0.0.1") / udp)
    add(0.1, IP(src="198.51.100.5", dst="10.0.0.1") / udp, True,
        {"src_ip": "198.51.100.5", "signature": "Blocked source on the block list"})
    add(0.2, IP(src="198.51.100.5", dst="10.0.0.1") / ICMP(), True)  # same source: no alert
    add(0.3, IP(src="198.51.100.200", dst="10.0.0.1") / udp)        # the exception
    add(0.4, IP(src="10.0.0.1", dst="203.0.113.7") / udp, True,
        {"src_ip": "10.0.0.1", "dest_ip": "203.0.113.7",
         "signature": "Blocked destination on the block list"})
    add(0.5, IPv6(src="2001:db8:bad::1", dst="2001:db8::2") / udp, True,
        {"src_ip": "2001:db8:bad::1", "signature": "Blocked source on the block list"})
    add(0.6, IPv6(src="2001:db8:bad1::1", dst="2001:db8::2") / udp)  # outside the /48
    # A non-first fragment: no ports, still blocked by its source.
    add(0.7, IP(src="198.51.100.9", dst="10.0.0.1", frag=100, proto=17) / Raw(b"f" * 40),
        True, {"src_ip": "198.51.100.9", "signature": "Blocked source on the block list"})
    # 61 s later the first source alerts again, once.
    add(61.0, IP(src="198.51.100.5", dst="10.0.0.1") / udp, True,
        {"src_ip": "198.51.100.5", "signature": "Blocked source on the block list"})
    add(61.1, IP(src="198.51.100.5", dst="10.0.0.1") / TCP(sport=4000, dport=80, flags="S"),
        True)

    write_pcap(os.path.join(out, "block.pcap"), frames)
    with open(os.path.join(out, "block.list"), "w") as fh:
        fh.write(LIST)
    with open(os.path.join(out, "block.json"), "w") as fh:
        json.dump({"dropped": dropped, "alerts": alerts, "flows": 3}, fh, indent=1)


if __name__ == "__main__":
    main()
