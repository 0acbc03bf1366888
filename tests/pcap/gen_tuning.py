#!/usr/bin/python3
"""Requests stock CRS PL1 refuses on ordinary sites, for the [waf] tuning
keys: one connection each, from 10.77.0.1 to 10.77.0.2:80.

    gen_tuning.py OUT.pcap

  41101  PATCH /api/items/7 with a JSON body      (911100: method)
  41102  POST /beacon, Content-Type: text/plain   (920420: content type)
  41103  GET /site.bak                            (920440: extension)
  41104  POST /login, password=1' UNION SELECT 1-- (a SQL rule on ARGS)
  41105  GET /plain                               (benign control)
"""
import sys

from scapy.all import IP, TCP, Ether, Raw

from pcapfile import write_pcap

C, S = "10.77.0.1", "10.77.0.2"
T0 = 1767225600.0
frames = []


def add(t, client, pkt):
    eth = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") if client
           else Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01"))
    frames.append((T0 + t, bytes(eth / pkt)))


def conn(port, t, request):
    c, s = 1000, 5000
    cp = lambda **kw: IP(src=C, dst=S) / TCP(sport=port, dport=80, window=65535, **kw)
    sp = lambda **kw: IP(src=S, dst=C) / TCP(sport=80, dport=port, window=65535, **kw)
    add(t, True, cp(flags="S", seq=c))
    add(t + 0.001, False, sp(flags="SA", seq=s, ack=c + 1))
    add(t + 0.002, True, cp(flags="A", seq=c + 1, ack=s + 1))
    add(t + 0.003, True, cp(flags="PA", seq=c + 1, ack=s + 1) / Raw(request))
    add(t + 0.004, False, sp(flags="A", seq=s + 1, ack=c + 1 + len(request)))


def req(head, body=b""):
    if body:
        head += b"Content-Length: %d\r\n" % len(body)
    return head + b"Host: shop.example\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n" + body


conn(41101, 0.0, req(b"PATCH /api/items/7 HTTP/1.1\r\nContent-Type: application/json\r\n",
                     b'{"qty": 2}'))
conn(41102, 0.1, req(b"POST /beacon HTTP/1.1\r\nContent-Type: text/plain\r\n", b"visible=1"))
conn(41103, 0.2, req(b"GET /site.bak HTTP/1.1\r\n"))
conn(41104, 0.3, req(b"POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n",
                     b"user=ann&password=1%27%20UNION%20SELECT%201--"))
conn(41105, 0.4, req(b"GET /plain HTTP/1.1\r\n"))
frames.sort(key=lambda f: f[0])
write_pcap(sys.argv[1], frames)
