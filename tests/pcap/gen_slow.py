#!/usr/bin/python3
"""Slow clients for the [http] header_timeout / body_min_rate /
keepalive_timeout test.

    gen_slow.py OUT.pcap

Over 60 s of capture time, to port 80 of 10.77.0.2:
  port 41001  slow headers: a head begun, then one byte every 4 s
  port 41002  slow body: a POST of 100000 bytes sent 20 bytes every 4 s
  port 41003  idle: a handshake, then nothing for 40 s, then a request
  port 41004  keep-alive: a request answered, 30 s idle, another (within
              keepalive_timeout: both inspected)
  port 41005  a benign request at t = 50 s: it must be inspected although
              the pool ([http] contexts = 4) was held by these four
"""
import sys

from scapy.all import IP, TCP, Ether, Raw

from pcapfile import write_pcap

C, S = "10.77.0.1", "10.77.0.2"
T0 = 1767225600.0
frames = []


def add(t, src_client, pkt):
    eth = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") if src_client
           else Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01"))
    frames.append((T0 + t, bytes(eth / pkt)))


class Conn:
    def __init__(self, port, t):
        self.p, self.c, self.s = port, 1000, 5000
        add(t, True, IP(src=C, dst=S) / TCP(sport=port, dport=80, flags="S", seq=self.c))
        add(t + 0.001, False, IP(src=S, dst=C) / TCP(sport=80, dport=port, flags="SA",
                                                     seq=self.s, ack=self.c + 1, window=65535))
        self.c += 1
        self.s += 1
        add(t + 0.002, True, self.C("A"))

    def C(self, flags, data=b""):
        p = IP(src=C, dst=S) / TCP(sport=self.p, dport=80, flags=flags, seq=self.c,
                                   ack=self.s, window=65535)
        return p / Raw(data) if data else p

    def send(self, t, data):
        add(t, True, self.C("PA", data))
        self.c += len(data)
        add(t + 0.001, False, IP(src=S, dst=C) / TCP(sport=80, dport=self.p, flags="A",
                                                     seq=self.s, ack=self.c, window=65535))

    def answer(self, t, data):
        add(t, False, IP(src=S, dst=C) / TCP(sport=80, dport=self.p, flags="PA",
                                             seq=self.s, ack=self.c, window=65535) / Raw(data))
        self.s += len(data)


a = Conn(41001, 0.0)
a.send(0.01, b"GET /slow-head HTTP/1.1\r\nHost: shop\r\n")
for i in range(14):
    a.send(4.0 * (i + 1), b"X")
b = Conn(41002, 0.1)
b.send(0.11, b"POST /slow-body HTTP/1.1\r\nHost: shop\r\nContent-Type: text/plain\r\n"
       b"Content-Length: 100000\r\n\r\n")
for i in range(14):
    b.send(0.2 + 4.0 * (i + 1), b"y" * 20)
c = Conn(41003, 0.2)
c.send(40.2, b"GET /after-idle HTTP/1.1\r\nHost: shop\r\n\r\n")
d = Conn(41004, 0.3)
d.send(0.31, b"GET /ka-1 HTTP/1.1\r\nHost: shop\r\n\r\n")
d.answer(0.32, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
d.send(30.31, b"GET /ka-2 HTTP/1.1\r\nHost: shop\r\n\r\n")
d.answer(30.32, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
e = Conn(41005, 50.0)
e.send(50.01, b"GET /late HTTP/1.1\r\nHost: shop\r\n\r\n")
e.answer(50.02, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
frames.sort(key=lambda f: f[0])
write_pcap(sys.argv[1], frames)
