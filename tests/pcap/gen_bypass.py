#!/usr/bin/python3
"""Generate the exception-path (bypass) pcap cases.

    gen_bypass.py OUTDIR

Each capture holds whole connections as a real pair of stacks would
send them (handshake with options, sequence and acknowledgment numbers,
windows, the server's ACKs and answers to benign requests), client
10.77.0.1 / fd00:77::1 (and spoofed sources), server 10.77.0.2 /
fd00:77::2 port 80, at increasing capture time. Every attack sits next to
a benign connection of the same shape that must come through intact.

  frag_v4.pcap, frag_v6.pcap
      attack   a SQL injection GET in one TCP segment cut into IP
               fragments of 8..64 bytes (the first carries the whole TCP
               header), some out of order
      benign   a GET of the same shape, fragmented the same way
      overlap  a fragmented GET where one offset comes twice with
               different bytes before the datagram completes
      missing  a fragmented GET whose middle fragment never comes
      later    3 s later, a plain GET (moves capture time past a 1 s
               reassembly timeout)
  syn_flood_auth.pcap
      2000 SYNs from spoofed sources to port 80 (the server answers
      SYN-ACK, nobody completes), then GET /api/orders without a token
      (attack) and the same GET with a valid token (benign)
  window.pcap  (server window 8192, no window scaling)
      far      3000 one-byte segments outside the window (1500 within
               [tcp] stream_max_kb, 1500 beyond it), then a SQL
               injection GET in order
      far_ok   the same, then a benign GET
      ooo      a form POST whose last 200 bytes (carrying a SQL
               injection) come first as one-byte segments, shuffled,
               then the segment that fills the gap before them
      ooo_ok   the same with a benign form
  body.pcap
      big      a form POST: pad= + 70000 'a' + &q=1' UNION SELECT ...
      big_ok   the same size, benign
      short    pad=aaaa&q=1' UNION SELECT ... (within any body depth)
      short_ok the same, benign
  evict_attack.pcap, evict_benign.pcap  (run with [flow] max_flows = 1024)
      1023 UDP flows, then connection X (request, answer, FIN both ways),
      2 s later in one burst: segment A on X's ports (a POST head that
      declares a 300-byte body), the SYN of connection Y, Y's handshake
      and Y's request (SQL injection, or benign)

  regex_limit.pcap  (with regex_limit.rules, native site rules: 100101
  ARGS:q "(a+)+b" deny, 100102 ARGS:s "^(?:a|b)+c" deny)
      attack   GET /search?q= 40 'a' then "!ab": the rule's pattern
               backtracks some 2^40 ways before it gets to the "ab"
      benign   GET /search?q=blue+shirt
      match    GET /search?q=xaab: the rule matches at once (deny)
      jit      GET /search?s= 2500 "ab" then "c": the rule matches it,
               in linear time, one backtrack frame per byte pair
  arena.pcap  (server window 256 KiB once scaled)
      crafted  a form POST, 64 KiB of body ([http] body_depth's default):
               a= then "A%41%26lt;\x41 <SP><TAB>/*b" over and over, which
               every transformation of the CRS changes (each one a copy of
               up to six times the value in the rule engine's 8 MiB
               scratch arena), then &tail=ARENA-END
      form_ok  the same size of plain sentences
  json_body.pcap
      json_ok  a JSON POST of some 16 KiB: 500 {"name":"blue shirt",...}

bypass.json says, per capture and connection: family, client address and
port, the client's ISN, the request bytes (latin-1), the marker bytes an
attack carries, fragment ids and frame indexes the tests look for.
"""
import json
import os
import random
import sys

import jwt
from scapy.all import IP, TCP, UDP, Ether, IPv6, IPv6ExtHdrFragment, Raw

from pcapfile import write_pcap

T0 = 1767225600.0  # 2026-01-01T00:00:00Z: the token below is valid then
CMAC, SMAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
ADDR = {4: ("10.77.0.1", "10.77.0.2"), 6: ("fd00:77::1", "fd00:77::2")}
ISS, AUD = "https://id.example.com", "shop"

SQLI_GET_MARK = b"UNION%20SELECT"  # as it travels in a URL
SQLI_FORM_MARK = b"UNION SELECT"  # as it travels in a form body
OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"
BROWSER = (b"Host: shop.example\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) "
           b"Gecko/20100101 Firefox/128.0\r\nAccept: text/html,application/xhtml+xml\r\n"
           b"Accept-Language: en-US,en;q=0.5\r\nConnection: keep-alive\r\n")


def get(target):
    return b"GET " + target + b" HTTP/1.1\r\n" + BROWSER + b"\r\n"


def form(body, path=b"/search"):
    return (b"POST " + path + b" HTTP/1.1\r\n" + BROWSER +
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


# The CRS at paranoia level 1 stops this one (942190 942270 942360);
# a tautology such as 1' OR '1'='1 it does not, without libinjection.
SQLI_GET = get(b"/catalog/item?id=1%27%20UNION%20SELECT%20password%20FROM%20users--")
BENIGN_GET = get(b"/catalog/item?id=42&ref=home&sort=price")


class Capture:
    """Frames 0.1 ms apart unless told to wait; time kept in whole
    microseconds so that it rounds the same way in the file."""

    def __init__(self):
        self.frames = []
        self.us = 0

    def add(self, l3, from_client):
        eth = Ether(src=CMAC, dst=SMAC) if from_client else Ether(src=SMAC, dst=CMAC)
        self.frames.append((T0 + self.us / 1e6, bytes(eth / l3)))
        self.us += 100
        return len(self.frames) - 1

    def wait(self, seconds):
        self.us += int(round(seconds * 1e6))


class Conn:
    """One TCP connection to port 80, both ends, as real stacks send it.
    Offsets are in each direction's byte stream (0 = first data byte)."""

    def __init__(self, cap, family, cport, client=None, isn=None, sisn=None,
                 swin=65535, wscale=None, rnd=None):
        rnd = rnd or random.Random(cport)
        self.cap, self.family, self.cp = cap, family, cport
        self.client = client or ADDR[family][0]
        self.server = ADDR[family][1]
        self.isn = isn if isn is not None else rnd.randrange(1 << 31)
        self.sisn = sisn if sisn is not None else rnd.randrange(1 << 31)
        self.cid, self.sid = rnd.randrange(1 << 16), rnd.randrange(1 << 16)
        self.fid = rnd.randrange(1, 1 << 31)
        self.swin, self.wscale = swin, wscale
        # Window fields after the handshake (scaled when both sides
        # offered window scaling).
        self.cwin_field = 502 if wscale is not None else 64240
        self.swin_field = (swin >> wscale) if wscale is not None else swin
        self.c_acked = 0  # client bytes the server has acknowledged
        self.s_sent = 0   # server bytes sent
        self.c_fin = self.s_fin = 0

    def ip(self, from_client, fragment=False, **kw):
        src, dst = (self.client, self.server) if from_client else (self.server, self.client)
        if self.family == 6:
            return IPv6(src=src, dst=dst, **kw)
        if from_client:
            self.cid = (self.cid + 1) & 0xffff
            ident = self.cid
        else:
            self.sid = (self.sid + 1) & 0xffff
            ident = self.sid
        if not fragment:
            kw.setdefault("flags", "DF")
        return IP(src=src, dst=dst, id=ident, **kw)

    def c_tcp(self, flags, off, ack=True, **kw):
        return TCP(sport=self.cp, dport=80, flags=flags, seq=(self.isn + 1 + off) & 0xffffffff,
                   ack=(self.sisn + 1 + self.s_sent + self.s_fin) & 0xffffffff if ack else 0,
                   window=self.cwin_field, **kw)

    def s_tcp(self, flags, **kw):
        return TCP(sport=80, dport=self.cp, flags=flags,
                   seq=(self.sisn + 1 + self.s_sent) & 0xffffffff,
                   ack=(self.isn + 1 + self.c_acked + self.c_fin) & 0xffffffff,
                   window=self.swin_field, **kw)

    def handshake(self):
        opts = [("MSS", 1460), ("SAckOK", b"")]
        if self.wscale is not None:
            opts.append(("WScale", self.wscale))
        self.cap.add(self.ip(True) / TCP(sport=self.cp, dport=80, flags="S", seq=self.isn,
                                         window=64240, options=opts), True)
        self.cap.add(self.ip(False) / TCP(sport=80, dport=self.cp, flags="SA", seq=self.sisn,
                                          ack=self.isn + 1, window=min(self.swin, 65535),
                                          options=opts), False)
        self.cap.add(self.ip(True) / self.c_tcp("A", 0), True)

    def send(self, off, data, flags="PA"):
        """A client segment with @data at stream offset @off."""
        return self.cap.add(self.ip(True) / self.c_tcp(flags, off) / Raw(data), True)

    def send_stream(self, data, mss=1448, ack_every=2, ack_last=True):
        """@data from offset 0 in MSS segments, the server acknowledging
        every @ack_every of them, and the last one if @ack_last (not for
        an attack, whose last segment the server must never get).
        [frame indexes]"""
        idx = []
        n = 0
        for off in range(0, len(data), mss):
            last = off + mss >= len(data)
            idx.append(self.send(off, data[off:off + mss], "PA" if last else "A"))
            n += 1
            if (n % ack_every == 0 and not last) or (last and ack_last):
                self.ack(min(off + mss, len(data)))
        return idx

    def ack(self, upto):
        """The server acknowledges client bytes up to @upto."""
        self.c_acked = upto
        return self.cap.add(self.ip(False) / self.s_tcp("A"), False)

    def reply(self, data):
        """The server answers; the client acknowledges."""
        self.cap.add(self.ip(False) / self.s_tcp("PA") / Raw(data), False)
        self.s_sent += len(data)
        self.cap.add(self.ip(True) / self.c_tcp("A", self.c_acked), True)

    def close(self):
        """Client FIN, server FIN-ACK, client ACK."""
        self.cap.add(self.ip(True) / self.c_tcp("FA", self.c_acked), True)
        self.c_fin = 1
        self.cap.add(self.ip(False) / self.s_tcp("FA"), False)
        self.s_fin = 1
        self.cap.add(self.ip(True) / self.c_tcp("A", self.c_acked + 1), True)

    def segment_l4(self, off, data):
        """The TCP header and payload of a client segment, checksummed as
        one datagram (for fragmenting)."""
        whole = self.ip(True, fragment=True) / self.c_tcp("PA", off) / Raw(data)
        raw = bytes(whole)
        return raw[20:] if self.family == 4 else raw[40:]

    def fragments(self, l4, sizes):
        """IP fragments (l3 packets) of one datagram carrying @l4, cut at
        @sizes (multiples of 8 but the last)."""
        if self.family == 4:
            self.cid = (self.cid + 1) & 0xffff
            ident = self.cid
        else:
            ident = self.fid
            self.fid += 1
        out, off = [], 0
        for k, size in enumerate(sizes):
            chunk = l4[off:off + size]
            more = k + 1 < len(sizes)
            if self.family == 4:
                p = IP(src=self.client, dst=self.server, id=ident, proto=6,
                       flags="MF" if more else 0, frag=off // 8) / Raw(chunk)
            else:
                p = (IPv6(src=self.client, dst=self.server) /
                     IPv6ExtHdrFragment(nh=6, offset=off // 8, m=int(more), id=ident) /
                     Raw(chunk))
            out.append(p)
            off += size
        return ident, out


def frag_sizes(total, rnd):
    """Fragment sizes of 8..64 bytes for @total bytes of L4 datagram: the
    first holds the whole TCP header (RFC 7112 asks it of IPv6, RFC 1858
    of IPv4), every one but the last a multiple of 8."""
    sizes = [rnd.choice((24, 32, 40, 48))]
    while sum(sizes) < total:
        left = total - sum(sizes)
        s = rnd.choice(range(8, 65, 8))
        sizes.append(left if left <= s else s)
    return sizes


def some_out_of_order(n, rnd):
    """0..n-1 with a few neighbours swapped and the last moved early."""
    order = list(range(n))
    for _ in range(max(1, n // 4)):
        i = rnd.randrange(1, n - 1)
        order[i], order[i + 1] = order[i + 1], order[i]
    last = order.pop(order.index(n - 1))
    order.insert(n // 2, last)
    return order


def conn_info(c, request, marker=None, **extra):
    d = {"family": c.family, "client": c.client, "server": c.server,
         "port": c.cp, "isn": c.isn, "request": request.decode("latin-1"),
         "marker": marker.decode("latin-1") if marker else None}
    d.update(extra)
    return d


def gen_frag(out, family, rnd):
    cap = Capture()
    info = {}
    base = 41000 if family == 4 else 41100

    # attack and benign: the request in one segment, in IP fragments.
    for name, port, req, mark in (("attack", base + 1, SQLI_GET, SQLI_GET_MARK),
                                  ("benign", base + 2, BENIGN_GET, None)):
        c = Conn(cap, family, port, rnd=rnd)
        c.handshake()
        ident, frags = c.fragments(c.segment_l4(0, req), frag_sizes(len(req) + 20, rnd))
        idx = [None] * len(frags)
        for k in some_out_of_order(len(frags), rnd):
            idx[k] = cap.add(frags[k], True)
        if mark is None:  # the server gets it, acknowledges, answers
            c.ack(len(req))
            c.reply(OK)
            c.close()
        info[name] = conn_info(c, req, mark, frag_id=ident, frames=idx,
                               n_fragments=len(frags))

    # overlap: one offset twice, different bytes, before the datagram
    # is complete (the last fragment comes after the second copy).
    c = Conn(cap, family, base + 3, rnd=rnd)
    c.handshake()
    req = get(b"/catalog/item?id=7&ref=mail&sort=name")
    ident, frags = c.fragments(c.segment_l4(0, req), frag_sizes(len(req) + 20, rnd))
    idx = [cap.add(f, True) for f in frags[:-1]]
    k = len(frags) // 2
    evil = frags[k].copy()
    data = bytes(evil[Raw].load)
    evil[Raw].load = (b"%20UNION%20SELECT%20password%20FROM%20users--" * 2)[:len(data)]
    assert evil[Raw].load != data
    idx.append(cap.add(evil, True))
    idx.append(cap.add(frags[-1], True))
    info["overlap"] = conn_info(c, req, None, frag_id=ident, frames=idx,
                                overlap_offset=sum(len(bytes(f[Raw].load)) for f in frags[:k]))

    # missing: a middle fragment never comes.
    c = Conn(cap, family, base + 4, rnd=rnd)
    c.handshake()
    req = SQLI_GET
    ident, frags = c.fragments(c.segment_l4(0, req), frag_sizes(len(req) + 20, rnd))
    hole = len(frags) // 2
    idx = [cap.add(f, True) for k, f in enumerate(frags) if k != hole]
    info["missing"] = conn_info(c, req, SQLI_GET_MARK, frag_id=ident, frames=idx,
                                n_fragments=len(frags), hole=hole)

    # later: 3 s on, a plain request (past a 1 s reassembly timeout).
    cap.wait(3)
    c = Conn(cap, family, base + 5, rnd=rnd)
    c.handshake()
    c.send(0, BENIGN_GET)
    c.ack(len(BENIGN_GET))
    c.reply(OK)
    c.close()
    info["later"] = conn_info(c, BENIGN_GET)

    name = "frag_v%d" % family
    write_pcap(os.path.join(out, name + ".pcap"), cap.frames)
    return name, info, cap


def gen_syn_flood(out, rnd):
    secret = bytes(rnd.randrange(256) for _ in range(32))
    with open(os.path.join(out, "bypass_hs256.key"), "wb") as fh:
        fh.write(secret)
    token = jwt.encode({"iss": ISS, "aud": AUD, "sub": "alice", "exp": int(T0) + 3600,
                        "nbf": int(T0) - 60, "jti": "bypass-1"}, secret, algorithm="HS256",
                       headers={"kid": "hs1"})
    cap = Capture()
    # 2000 SYNs from spoofed sources in 1 s; the server answers each.
    for i in range(2000):
        src = "198.18.%d.%d" % (rnd.randrange(256), rnd.randrange(1, 255))
        sport = rnd.randrange(1024, 65536)
        isn = rnd.randrange(1 << 32)
        cap.add(IP(src=src, dst=ADDR[4][1], id=rnd.randrange(1 << 16)) /
                TCP(sport=sport, dport=80, flags="S", seq=isn, window=64240,
                    options=[("MSS", 1460)]), True)
        cap.add(IP(src=ADDR[4][1], dst=src, flags="DF") /
                TCP(sport=80, dport=sport, flags="SA", seq=rnd.randrange(1 << 32),
                    ack=(isn + 1) & 0xffffffff, window=65535, options=[("MSS", 1460)]), False)
        cap.wait(0.0003)
    info = {}
    req_attack = b"GET /api/orders HTTP/1.1\r\nHost: shop.example\r\nAccept: application/json\r\n\r\n"
    req_ok = (b"GET /api/orders HTTP/1.1\r\nHost: shop.example\r\nAccept: application/json\r\n"
              b"Authorization: Bearer " + token.encode() + b"\r\n\r\n")
    for name, port, req in (("attack", 42001, req_attack), ("benign", 42002, req_ok)):
        c = Conn(cap, 4, port, rnd=rnd)
        c.handshake()
        c.send(0, req)
        if name == "benign":
            c.ack(len(req))
            c.reply(OK)
            c.close()
        info[name] = conn_info(c, req, b"GET /api/orders" if name == "attack" else None)
    write_pcap(os.path.join(out, "syn_flood_auth.pcap"), cap.frames)
    return "syn_flood_auth", info, cap


def gen_window(out, rnd):
    cap = Capture()
    info = {}
    # far / far_ok: 3000 one-byte segments outside the advertised window
    # (8192, unscaled): 1500 from offset 20000 (within 256 KiB of the
    # unacknowledged edge), 1500 from offset 400000 (beyond it).
    for name, port, req, mark in (("far", 43001, SQLI_GET, SQLI_GET_MARK),
                                  ("far_ok", 43002, BENIGN_GET, None)):
        c = Conn(cap, 4, port, swin=8192, rnd=rnd)
        c.handshake()
        far = []
        for base in (20000, 400000):
            for i in range(1500):
                far.append(c.send(base + 2 * i, b"x"))
        c.send(0, req)
        if mark is None:
            c.ack(len(req))
            c.reply(OK)
            c.close()
        info[name] = conn_info(c, req, mark, far_offsets=[[20000, 2, 1500], [400000, 2, 1500]],
                               far_frames=far)
    # ooo / ooo_ok: the last 200 bytes first, one byte per segment,
    # shuffled (the receiver answers each with a duplicate ACK), then the
    # segment that fills the gap before them and completes the request.
    for name, port, tail, mark in (
            ("ooo", 43003, b"&q=1%27+UNION+SELECT+password+FROM+users--&sort=price", SQLI_FORM_MARK),
            ("ooo_ok", 43004, b"&q=blue+cotton+shirt+with+long+sleeves&sort=price", None)):
        body = b"pad=" + b"b" * (300 - len(tail)) + tail
        req = form(body)
        assert len(req) < 8192 and (mark is None or mark.replace(b" ", b"+") in req[-200:])
        c = Conn(cap, 4, port, swin=8192, rnd=rnd)
        c.handshake()
        head = len(req) - 200
        order = list(range(head, len(req)))
        rnd.shuffle(order)
        for off in order:
            c.send(off, req[off:off + 1])
            c.ack(0)  # duplicate ACK: a hole before it
        fill = c.send(0, req[:head])
        if mark is None:
            c.ack(len(req))
            c.reply(OK)
            c.close()
        info[name] = conn_info(c, req, mark.replace(b" ", b"+") if mark else None,
                               fill_frame=fill)
    write_pcap(os.path.join(out, "window.pcap"), cap.frames)
    return "window", info, cap


def gen_body(out, rnd):
    cap = Capture()
    info = {}
    attack_tail = b"&q=1' UNION SELECT password FROM users--"
    benign_tail = b"&q=blue cotton shirt&sort=price"
    cases = (("big", 44001, b"pad=" + b"a" * 70000 + attack_tail, SQLI_FORM_MARK),
             ("big_ok", 44002, b"pad=" + b"a" * 70000 + benign_tail, None),
             ("short", 44003, b"pad=aaaa" + attack_tail, SQLI_FORM_MARK),
             ("short_ok", 44004, b"pad=aaaa" + benign_tail, None))
    for name, port, body, mark in cases:
        req = form(body)
        c = Conn(cap, 4, port, swin=65535, wscale=7, rnd=rnd)
        c.handshake()
        c.swin_field = 2048  # 256 KiB once scaled
        frames = c.send_stream(req, ack_last=mark is None)
        if mark is None:
            c.reply(OK)
            c.close()
        info[name] = conn_info(c, req, mark, body_len=len(body), frames=frames)
    write_pcap(os.path.join(out, "body.pcap"), cap.frames)
    return "body", info, cap


def gen_evict(out, rnd, attack):
    cap = Capture()
    # 1023 UDP flows, one packet each.
    for i in range(1023):
        cap.add(IP(src=ADDR[4][0], dst=ADDR[4][1], id=i, flags="DF") /
                UDP(sport=20000 + i, dport=53) / Raw(b"\x12\x34\x01\x00\x00\x01" + b"\x00" * 6), True)
        cap.wait(0.0002)
    cap.wait(0.1)
    # X: a whole connection, closed both ways: the first eviction victim.
    x = Conn(cap, 4, 45001, rnd=rnd)
    x.handshake()
    req_x = get(b"/catalog/index.html")
    x.send(0, req_x)
    x.ack(len(req_x))
    x.reply(OK)
    x.close()
    # 2 s later (within closed_timeout), one burst: A on X's ports, then Y.
    cap.wait(2)
    a_payload = (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/octet-stream\r\n"
                 b"Content-Length: 300\r\n\r\n")
    a = cap.add(x.ip(True) / x.c_tcp("PA", len(req_x) + 1) / Raw(a_payload), True)
    y = Conn(cap, 4, 45002, rnd=rnd)
    y_first = len(cap.frames)
    y.handshake()
    req_y = (b"GET /?id=1%27%20UNION%20SELECT%20password%20FROM%20users-- HTTP/1.1\r\n"
             b"Host: shop.example\r\n\r\n" if attack else
             b"GET /?id=42&sort=price HTTP/1.1\r\nHost: shop.example\r\n\r\n")
    assert len(req_y) < 300
    y.send(0, req_y)
    burst = list(range(a, len(cap.frames)))
    if not attack:
        y.ack(len(req_y))
        y.reply(OK)
        y.close()
    name = "evict_attack" if attack else "evict_benign"
    write_pcap(os.path.join(out, name + ".pcap"), cap.frames)
    return name, {"x": conn_info(x, req_x),
                  "y": conn_info(y, req_y, SQLI_GET_MARK if attack else None,
                                 syn_frame=y_first),
                  "a": {"frame": a, "port": x.cp, "payload": a_payload.decode(),
                        "burst": burst}}, cap


REGEX_RULES = ("# id field pattern action message\n"
               '100101 ARGS:q "(a+)+b" deny Backtracking pattern\n'
               '100102 ARGS:s "^(?:a|b)+c" deny Long repetition\n')


def gen_regex_limit(out, rnd):
    with open(os.path.join(out, "regex_limit.rules"), "w") as fh:
        fh.write(REGEX_RULES)
    cap = Capture()
    info = {}
    redos = b"a" * 40 + b"!ab"
    jit = b"ab" * 2500 + b"c"
    cases = (("attack", 46001, get(b"/search?q=" + redos), redos),
             ("benign", 46002, get(b"/search?q=blue+shirt"), None),
             ("match", 46003, get(b"/search?q=xaab"), b"q=xaab"),
             ("jit", 46004, get(b"/search?s=" + jit), jit))
    for name, port, req, mark in cases:
        assert len(req.split(b"\r\n")[0]) < 8192  # [http] max_request_line
        c = Conn(cap, 4, port, rnd=rnd)
        c.handshake()
        c.send_stream(req, ack_last=mark is None)
        if mark is None:
            c.reply(OK)
            c.close()
        info[name] = conn_info(c, req, mark)
    write_pcap(os.path.join(out, "regex_limit.pcap"), cap.frames)
    return "regex_limit", info, cap


def gen_arena(out, rnd):
    cap = Capture()
    info = {}
    tail = b"&tail=ARENA-END"
    crafted = b"A%41%26lt;\\x41 \t/*b"
    plain = b"Hello World, this is a Normal Sentence. "
    for name, port, unit, mark in (("crafted", 47001, crafted, tail),
                                   ("form_ok", 47002, plain, None)):
        body = b"a=" + (unit * (65536 // len(unit) + 1))[:65536 - 2 - len(tail)] + tail
        assert len(body) == 65536
        req = form(body)
        c = Conn(cap, 4, port, swin=65535, wscale=7, rnd=rnd)
        c.handshake()
        c.swin_field = 2048  # 256 KiB once scaled
        c.send_stream(req, ack_last=mark is None)
        if mark is None:
            c.reply(OK)
            c.close()
        info[name] = conn_info(c, req, mark)
    write_pcap(os.path.join(out, "arena.pcap"), cap.frames)
    return "arena", info, cap


def gen_json_body(out, rnd):
    cap = Capture()
    body = b"[" + b",".join([b'{"name":"blue shirt","size":"m"}'] * 500) + b"]"
    req = (b"POST /api/items HTTP/1.1\r\n" + BROWSER +
           b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    c = Conn(cap, 4, 47101, swin=65535, wscale=7, rnd=rnd)
    c.handshake()
    c.swin_field = 2048
    c.send_stream(req)
    c.reply(OK)
    c.close()
    write_pcap(os.path.join(out, "json_body.pcap"), cap.frames)
    return "json_body", {"json_ok": conn_info(c, req)}, cap


def summary(name, info, cap):
    span = cap.frames[-1][0] - cap.frames[0][0]
    print("gen_bypass: %s.pcap: %d frames over %.3f s; %s" % (
        name, len(cap.frames), span,
        ", ".join("%s port %d%s" % (k, v["port"], " (attack)" if v.get("marker") else "")
                  for k, v in info.items() if "isn" in v)))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rnd = random.Random(20260101)
    meta = {}
    for gen in (lambda: gen_frag(out, 4, rnd), lambda: gen_frag(out, 6, rnd),
                lambda: gen_syn_flood(out, rnd), lambda: gen_window(out, rnd),
                lambda: gen_body(out, rnd), lambda: gen_evict(out, rnd, True),
                lambda: gen_evict(out, rnd, False),
                lambda: gen_regex_limit(out, rnd), lambda: gen_arena(out, rnd),
                lambda: gen_json_body(out, rnd)):
        name, info, cap = gen()
        summary(name, info, cap)
        meta[name] = info
    with open(os.path.join(out, "bypass.json"), "w") as fh:
        json.dump(meta, fh, indent=1)


if __name__ == "__main__":
    main()
