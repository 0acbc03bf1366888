#!/usr/bin/python3
"""Generate the HTTP inspection pcap cases.

    gen_http.py OUTDIR

Each case (http_<case>.pcap) is a capture of whole TCP connections (handshake, request
segments, server ACKs) to port 80, with fixed timestamps, plus a JSON file
of what the appliance must report:
  clean      one request in one segment
  onebyte    one request in one-byte segments, shuffled, with duplicates
  pipelined  three pipelined requests cut across two segments
  smuggle    one connection per framing violation, each next to a clean one
  overlap    a retransmission whose bytes differ from the first copy
  responses  answered requests: status, latency and response length for
             pipelined requests, HEAD, chunked, 100-continue, a body that
             ends with the connection, an upgrade, an unanswered request
"""
import json
import os
import random
import sys

from scapy.all import IP, TCP, Ether, Raw

from pcapfile import write_pcap

CMAC, SMAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
SERVER = "198.51.100.80"
T0 = 1767225600.0


class Capture:
    def __init__(self):
        self.frames = []
        self.t = T0

    def add(self, pkt, src_client):
        eth = Ether(src=CMAC, dst=SMAC) if src_client else Ether(src=SMAC, dst=CMAC)
        self.frames.append((self.t, bytes(eth / pkt)))
        self.t += 0.0001
        return len(self.frames) - 1


class Conn:
    """A client connection; returns frame indexes of what it sends."""

    def __init__(self, cap, client, cport):
        self.cap, self.c, self.cp = cap, client, cport
        self.cseq, self.sseq = 1000, 5000
        C = lambda **kw: IP(src=client, dst=SERVER) / TCP(sport=cport, dport=80, **kw)
        # The server offers a 64 KiB window (no scaling): the largest
        # requests here fit in it, as a real client keeps to it.
        S = lambda **kw: IP(src=SERVER, dst=client) / TCP(sport=80, dport=cport,
                                                          window=65535, **kw)
        self.C, self.S = C, S
        cap.add(C(flags="S", seq=self.cseq), True)
        cap.add(S(flags="SA", seq=self.sseq, ack=self.cseq + 1), False)
        cap.add(C(flags="A", seq=self.cseq + 1, ack=self.sseq + 1), True)
        self.base = self.cseq + 1

    def data(self, offset, payload):
        return self.cap.add(self.C(flags="PA", seq=self.base + offset,
                                   ack=self.sseq + 1) / Raw(payload), True)

    def ack(self, upto):
        self.cap.add(self.S(flags="A", seq=self.sseq + 1, ack=self.base + upto), False)

    def reply(self, offset, payload, acked, flags="PA"):
        """Server bytes at @offset of its stream, acknowledging @acked
        client bytes."""
        return self.cap.add(self.S(flags=flags, seq=self.sseq + 1 + offset,
                                   ack=self.base + acked) / Raw(payload), False)

    def wait(self, seconds):
        self.cap.t += seconds


REQ = (b"GET /shop/cart?item=42&qty=1 HTTP/1.1\r\nHost: shop.example\r\n"
       b"User-Agent: wirewall-test/1.0\r\nAccept: */*\r\n\r\n")


def write(out, name, cap, expect):
    # http_<case>: the cases share a directory with the other generators.
    write_pcap(os.path.join(out, "http_" + name + ".pcap"), cap.frames)
    with open(os.path.join(out, "http_" + name + ".json"), "w") as fh:
        json.dump(expect, fh, indent=1)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rnd = random.Random(11)

    cap = Capture()
    c = Conn(cap, "192.0.2.1", 40001)
    c.data(0, REQ)
    c.ack(len(REQ))
    write(out, "clean", cap, {"http": [{"url": "/shop/cart?item=42&qty=1",
                                         "hostname": "shop.example",
                                         "http_user_agent": "wirewall-test/1.0"}],
                              "alerts": [], "dropped": []})

    cap = Capture()
    c = Conn(cap, "192.0.2.2", 40002)
    order = list(range(len(REQ)))
    rnd.shuffle(order)
    order += rnd.sample(range(len(REQ)), 20)  # duplicates, same bytes
    for i in order:
        c.data(i, REQ[i:i + 1])
    c.ack(len(REQ))
    write(out, "onebyte", cap, {"http": [{"url": "/shop/cart?item=42&qty=1"}],
                                "alerts": [], "dropped": []})

    cap = Capture()
    c = Conn(cap, "192.0.2.3", 40003)
    p = (b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
         b"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
         b"GET /c HTTP/1.1\r\nHost: x\r\n\r\n")
    cut = 40
    c.data(0, p[:cut])
    c.data(cut, p[cut:])
    c.ack(len(p))
    write(out, "pipelined", cap, {"http": [{"url": "/a"}, {"url": "/b"}, {"url": "/c"}],
                                  "alerts": [], "dropped": []})

    bad = {
        "cl_and_te": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
        "cl_conflict": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n",
        "te_unknown": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n",
        "obs_fold": b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  more\r\n\r\n",
        "space_before_colon": b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length : 0\r\n\r\n",
        "bare_cr": b"GET / HTTP/1.1\r\nHost: x\rX-B: 2\r\n\r\n",
        "host_duplicate": b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
        "host_missing": b"GET /nohost HTTP/1.1\r\nX-A: 1\r\n\r\n",
        "cl_invalid": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4x\r\n\r\n",
        "te_not_chunked_last": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        "bad_header_value": b"GET / HTTP/1.1\r\nHost: x\r\nX-C: a\x00b\r\n\r\n",
        "bad_header_name": b"GET / HTTP/1.1\r\nHost: x\r\nBad[N]: 1\r\n\r\n",
        "bad_method": b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
        "bad_request_line": b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
        "bad_version": b"GET / HTTP/7.1\r\nHost: x\r\n\r\n",
        "chunk_size_invalid": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "chunk_size_overflow": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n",
        "chunk_ext_too_long": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;" + b"e" * 300 + b"\r\n",
        "chunk_data_bad_end": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n",
        "request_line_too_long": b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        "headers_too_large": b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 17000 + b"\r\n\r\n",
        "too_many_headers": b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n",
    }
    cap = Capture()
    expect = {"http": [], "alerts": [], "dropped": []}
    port = 41000
    for name, text in bad.items():
        port += 1
        c = Conn(cap, "192.0.2.10", port)
        # The head arrives in two segments; the second completes it.
        c.data(0, text[:10])
        expect["dropped"].append(c.data(10, text[10:]))
        # Anything the client sends afterwards is not forwarded either.
        expect["dropped"].append(c.data(len(text), b"GET /next HTTP/1.1\r\n"))
        expect["alerts"].append({"signature": "HTTP protocol violation: " + name,
                                 "src_port": port})
        ok = Conn(cap, "192.0.2.11", port)
        ok.data(0, REQ)
        expect["http"].append({"url": "/shop/cart?item=42&qty=1", "src_port": port})
    write(out, "smuggle", cap, expect)

    # Over the stream cap (run with tcp.stream_max_kb=4, 16 blocks of
    # 256 bytes): 2 KB of body the server does not acknowledge (9
    # blocks), then 3 KB more, which cannot fit.
    cap = Capture()
    c = Conn(cap, "192.0.2.30", 40030)
    body = b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"
    c.data(0, body)
    c.data(len(body), b"u" * 1000)
    c.data(len(body) + 1000, b"u" * 1000)
    over = c.data(len(body) + 2000, b"u" * 3000)
    write(out, "cap", cap, {"over": over})

    cap = Capture()
    c = Conn(cap, "192.0.2.20", 40020)
    c.data(0, REQ[:30])
    # A "retransmission" of bytes 10..39 that rewrites the path.
    evil = bytearray(REQ[10:40])
    evil[0:10] = b"/admin/del"
    rewritten = c.data(10, bytes(evil))
    c.data(40, REQ[40:])
    c.ack(len(REQ))
    write(out, "overlap", cap, {"http": [{"url": "/shop/cart?item=42&qty=1"}],
                                "alerts": [{"signature": "TCP overlap with different data (rewritten)"}],
                                "dropped": [], "rewritten": rewritten,
                                "rewritten_payload": REQ[10:40].decode()})

    responses(out, rnd)


def responses(out, rnd):
    cap = Capture()
    http = []

    def latency(req_frame, resp_frame):
        """Microseconds between two frames, as the capture says."""
        return round((cap.frames[resp_frame][0] - cap.frames[req_frame][0]) * 1e6)

    # Three pipelined requests in one segment; 5 ms later the answers:
    # a body of 5, a HEAD answer whose Content-Length announces a body
    # that never comes, and a chunked 404 in one-byte segments, shuffled,
    # with duplicates.
    c = Conn(cap, "192.0.2.40", 40040)
    req = (b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
           b"HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"
           b"GET /c HTTP/1.1\r\nHost: x\r\n\r\n")
    sent = c.data(0, req)
    c.wait(0.005)
    r1 = (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
          b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    r3 = (b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
          b"4\r\nnope\r\n0\r\n\r\n")
    first = c.reply(0, r1, len(req))
    order = list(range(len(r3)))
    rnd.shuffle(order)
    order += rnd.sample(range(len(r3)), 10)
    for i in order:
        c.reply(len(r1) + i, r3[i:i + 1], len(req))
    http += [{"src_port": 40040, "url": "/a", "status": 200, "length": 5,
              "latency_us": latency(sent, first)},
             {"src_port": 40040, "url": "/b", "http_method": "HEAD",
              "status": 200, "length": 0},
             {"src_port": 40040, "url": "/c", "status": 404, "length": 4}]

    # Expect: 100-continue. The latency runs to the final answer, sent
    # 3 ms after the body; the interim 100 does not count.
    c = Conn(cap, "192.0.2.41", 40041)
    head = (b"POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            b"Content-Length: 4\r\n\r\n")
    c.data(0, head)
    c.wait(0.001)
    cont = b"HTTP/1.1 100 Continue\r\n\r\n"
    c.reply(0, cont, len(head))
    sent = c.data(len(head), b"data")
    c.wait(0.003)
    first = c.reply(len(cont), b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
                    len(head) + 4)
    http.append({"src_port": 40041, "url": "/up", "status": 201, "length": 0,
                 "request_length": 4, "latency_us": latency(sent, first)})

    # No answer at all: logged when the flow ends, without a status.
    c = Conn(cap, "192.0.2.42", 40042)
    c.data(0, b"GET /none HTTP/1.1\r\nHost: x\r\n\r\n")
    http.append({"src_port": 40042, "url": "/none"})

    # An HTTP/1.0 answer without a length: the body ends with the
    # connection, and the event carries what was seen.
    c = Conn(cap, "192.0.2.43", 40043)
    req = b"GET /old HTTP/1.0\r\n\r\n"
    sent = c.data(0, req)
    c.wait(0.002)
    resp = b"HTTP/1.0 200 OK\r\nServer: old\r\n\r\n" + b"z" * 300
    first = c.reply(0, resp, len(req))
    c.reply(len(resp), b"", len(req), flags="FA")
    http.append({"src_port": 40043, "url": "/old", "status": 200,
                 "length": 300, "latency_us": latency(sent, first)})

    # An upgrade: after the 101 the bytes are not HTTP any more, in
    # either direction, and are forwarded without a violation.
    c = Conn(cap, "192.0.2.44", 40044)
    req = (b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\n\r\n")
    c.data(0, req)
    up = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
    c.reply(0, up, len(req))
    c.data(len(req), b"\x81\x85\x00\x00\x00\x00hello \r\n\r\n bad")
    c.reply(len(up), b"\x81\x05hello GET / HTTP/9\r\n\r\n", len(req))
    http.append({"src_port": 40044, "url": "/ws", "status": 101})
    write(out, "responses", cap, {"http": http, "alerts": [], "dropped": []})


if __name__ == "__main__":
    main()
