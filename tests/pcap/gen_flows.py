#!/usr/bin/python3
"""Generate the flow pcap case.

    gen_flows.py OUT.pcap OUT.json

Several flows with known endings, interleaved, with fixed timestamps:
  - a TCP connection closed with FIN both ways (reason fin),
  - a TCP connection reset by the server (reason rst),
  - a TCP connection that goes silent and times out (reason timeout),
  - a UDP exchange and an ICMP echo pair (still open at the end: shutdown),
  - an IPv6 TCP connection closed with FIN,
  - a TCP connection first seen at its SYN-ACK (client still the SYN side).
Writes the flows the appliance must report as JSON: client and server
(address, port), packets and bytes each way, and the end reason.
No protected_networks are configured for this case: direction must come
from the SYN.
"""
import json
import sys

from pcapfile import write_pcap

from scapy.all import ICMP, IP, TCP, UDP, Ether, IPv6, Raw

T0 = 1767225600.0
frames = []  # (time, bytes)
flows = {}


def add(t, pkt, flow, to_server):
    raw = bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / pkt)
    frames.append((t, raw))
    f = flows[flow]
    k = "toserver" if to_server else "toclient"
    f["pkts_" + k] += 1
    f["bytes_" + k] += len(raw)


def flow(name, client, cport, server, sport, proto, reason):
    flows[name] = {"src_ip": client, "src_port": cport, "dest_ip": server,
                   "dest_port": sport, "proto": proto, "reason": reason,
                   "pkts_toserver": 0, "pkts_toclient": 0,
                   "bytes_toserver": 0, "bytes_toclient": 0}


def tcp_conn(name, ipc, c, ips, s, cport, sport, t, ending):
    flow(name, c, cport, s, sport, "TCP", ending)
    C = lambda **kw: ipc(src=c, dst=s) / TCP(sport=cport, dport=sport, **kw)
    S = lambda **kw: ips(src=s, dst=c) / TCP(sport=sport, dport=cport, **kw)
    add(t + 0.000, C(flags="S", seq=100), name, True)
    add(t + 0.001, S(flags="SA", seq=900, ack=101), name, False)
    add(t + 0.002, C(flags="A", seq=101, ack=901), name, True)
    add(t + 0.003, C(flags="PA", seq=101, ack=901) / Raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"), name, True)
    add(t + 0.004, S(flags="PA", seq=901, ack=128) / Raw(b"HTTP/1.1 204 No Content\r\n\r\n"), name, False)
    if ending == "fin":
        add(t + 0.005, C(flags="FA", seq=128, ack=928), name, True)
        add(t + 0.006, S(flags="FA", seq=928, ack=129), name, False)
        add(t + 0.007, C(flags="A", seq=129, ack=929), name, True)
    elif ending == "rst":
        add(t + 0.005, S(flags="R", seq=928), name, False)


def main():
    out_pcap, out_json = sys.argv[1], sys.argv[2]
    tcp_conn("fin4", IP, "192.0.2.10", IP, "198.51.100.20", 40001, 80, T0, "fin")
    tcp_conn("rst4", IP, "192.0.2.11", IP, "198.51.100.20", 40002, 443, T0 + 0.0005, "rst")
    tcp_conn("idle4", IP, "198.51.100.30", IP, "192.0.2.12", 40003, 8080, T0 + 0.0007, "timeout")
    tcp_conn("fin6", IPv6, "2001:db8::10", IPv6, "2001:db8:1::20", 40004, 80, T0 + 0.0009, "fin")
    flow("udp", "192.0.2.13", 5353, "198.51.100.53", 53, "UDP", "shutdown")
    add(T0 + 0.010, IP(src="192.0.2.13", dst="198.51.100.53") / UDP(sport=5353, dport=53) / Raw(b"q" * 20), "udp", True)
    add(T0 + 0.011, IP(src="198.51.100.53", dst="192.0.2.13") / UDP(sport=53, dport=5353) / Raw(b"a" * 40), "udp", False)
    flow("icmp", "192.0.2.14", None, "198.51.100.1", None, "ICMP", "shutdown")
    add(T0 + 0.012, IP(src="192.0.2.14", dst="198.51.100.1") / ICMP(type=8, id=1) / Raw(b"p" * 8), "icmp", True)
    add(T0 + 0.013, IP(src="198.51.100.1", dst="192.0.2.14") / ICMP(type=0, id=1) / Raw(b"p" * 8), "icmp", False)
    # Seen first at the SYN-ACK (the SYN was lost before the tap).
    flow("late", "192.0.2.15", 40005, "198.51.100.20", 80, "TCP", "fin")
    C = lambda **kw: IP(src="192.0.2.15", dst="198.51.100.20") / TCP(sport=40005, dport=80, **kw)
    S = lambda **kw: IP(src="198.51.100.20", dst="192.0.2.15") / TCP(sport=80, dport=40005, **kw)
    add(T0 + 0.020, S(flags="SA", seq=5, ack=11), "late", False)
    add(T0 + 0.021, C(flags="A", seq=11, ack=6), "late", True)
    add(T0 + 0.022, C(flags="FA", seq=11, ack=6), "late", True)
    add(T0 + 0.023, S(flags="FA", seq=6, ack=12), "late", False)
    add(T0 + 0.024, C(flags="A", seq=12, ack=7), "late", True)
    # Much later traffic on an unrelated flow moves the capture clock past
    # the idle connection's timeout (established_timeout in the test
    # config is 5 s) so that it times out while the capture runs.
    flow("later", "192.0.2.16", 1000, "198.51.100.53", 53, "UDP", "shutdown")
    add(T0 + 20.0, IP(src="192.0.2.16", dst="198.51.100.53") / UDP(sport=1000, dport=53) / Raw(b"x"), "later", True)
    add(T0 + 21.5, IP(src="192.0.2.16", dst="198.51.100.53") / UDP(sport=1000, dport=53) / Raw(b"y"), "later", True)

    frames.sort(key=lambda f: f[0])
    write_pcap(out_pcap, frames)
    with open(out_json, "w") as fh:
        json.dump(flows, fh, indent=1)


if __name__ == "__main__":
    main()
