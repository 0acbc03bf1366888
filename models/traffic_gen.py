#!/usr/bin/python3
"""A synthetic capture of benign and attack traffic, for the placeholder
models and their test.

    traffic_gen.py SEED OUT.pcap OUT.labels.json [--scale S]

About 60 s of capture time, both directions, byte-built frames (valid
checksums, consistent TCP sequence numbers, Ethernet headers), to the
web server 198.51.100.80 (and 198.51.100.81-90 for the scans). The same
seed gives the same bytes; every rate, count, address, path and timing
is drawn from it. Clients come from 203.0.113.0/24 and 192.0.2.0/24,
attackers and benign sources alike (the address is not the label).

Benign: browsers (HTTP/1.1 keep-alive, pages and resources, forms,
200/304), a health checker (kube-probe, a connection per probe), users
behind one NAT address, a crawler (many paths, some 404s), a CI load test
(k6, 20-50 requests/s for ~10 s), HTTP/1.0 clients, a user who mistypes a
password (a few 401s, then in).

Attacks: SYN flood, TCP port scan, UDP port scan, slow headers, HTTP
request flood, password brute force, content discovery, SQL injection.

The labels file is a list of {"addr", "class", "tool", "start", "end"}:
the source's class (enum ww_feat_class: 0 benign, 1 flood (UDP/ICMP
floods, HTTP request floods), 2 syn_flood, 3 scan, 4 web_attack,
5 content_discovery, 6 brute_force, 7 slow_dos) and the
UNIX times of its first and last frame (an attack's window). --scale
multiplies the sizes of the attacks and the number of benign clients.
"""
import argparse
import json
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "pcap"))
from pcapfile import inet_csum, ipv4, tcp4, write_pcap  # noqa: E402

T0 = 1767225600.0  # 2026-01-01 00:00:00 UTC
DURATION = 60.0
SERVER = "198.51.100.80"
SCAN_SERVERS = ["198.51.100.%d" % i for i in range(81, 91)]
NETS = ("203.0.113.", "192.0.2.")
CMAC = bytes.fromhex("020000000001")
SMAC = bytes.fromhex("020000000002")
ETH_C2S = SMAC + CMAC + b"\x08\x00"
ETH_S2C = CMAC + SMAC + b"\x08\x00"

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MSS = 1448

(BENIGN, FLOOD, SYN_FLOOD, SCAN, WEB_ATTACK, CONTENT_DISCOVERY, BRUTE_FORCE,
 SLOW_DOS) = range(8)

BROWSER_UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.43 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 Edg/119.0.2151.97",
]
CRAWLER_UAS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "ExampleSearchBot/1.4 (+https://search.example/bot)",
]
HTTP10_UAS = ["Wget/1.12 (linux-gnu)", "Lynx/2.8.9rel.1 libwww-FM/2.14",
              "curl/7.29.0", "check_http/v2.3.3 (monitoring-plugins 2.3.3)"]
PAGES = ["/", "/index.html", "/products", "/products/shoes", "/products/hats",
         "/about", "/contact", "/blog", "/blog/2025/12/winter-sale",
         "/blog/2025/11/new-store", "/cart", "/account", "/search?q=boots",
         "/search?q=red+hat&page=2", "/products/item?id=1042",
         "/products/item?id=77&color=blue", "/faq", "/shipping", "/returns",
         "/careers", "/news", "/news/press-release-4", "/search?q=men%27s+shoes",
         "/search?q=50%25+off&sort=price_asc", "/search?q=c%2B%2B+book",
         "/search?q=%22red+hat%22+-wool", "/products/item?id=3301&ref=home&utm_source=news",
         "/login?next=%2Faccount%2Forders"]
RESOURCES = ["/static/css/main.css", "/static/css/theme.css", "/static/js/app.js",
             "/static/js/vendor.js", "/static/img/logo.png", "/static/img/hero.jpg",
             "/static/img/p1.jpg", "/static/img/p2.jpg", "/static/img/p3.jpg",
             "/static/fonts/inter.woff2", "/favicon.ico", "/static/js/analytics.js"]
WORDS = ["admin", "backup", "config", "wp-admin", "wp-login.php", ".git/HEAD",
         ".env", "phpmyadmin", "old", "test", "dev", "api", "v1", "v2", "private",
         "uploads", "images", "includes", "cgi-bin", "server-status", "login",
         "dashboard", "db", "sql", "dump.sql", "backup.zip", "site.tar.gz",
         "config.php", "web.config", ".htaccess", "install", "setup", "tmp",
         "logs", "error_log", "debug", "console", "manager", "jenkins", "shell",
         "cmd", "panel", "cpanel", "webmail", "portal", "secret", "hidden",
         "staging", "beta", "archive", "data", "files", "download", "export",
         "import", "user", "users", "members", "account", "accounts", "auth",
         "oauth", "token", "graphql", "swagger", "swagger.json", "openapi.json",
         "actuator", "actuator/health", "metrics", "status", "info", "readme",
         "README.md", "license", "changelog", "robots.txt", "sitemap.xml",
         "crossdomain.xml", "phpinfo.php", "info.php", "index.bak", "index.old",
         "default", "home", "main", "root", "system", "sys", "etc", "var",
         "bin", "lib", "src", "app", "assets", "static", "js", "css", "vendor"]
SQLI = ["1' OR '1'='1", "1 AND 1=1", "1' AND SLEEP(5)-- -", "1 UNION SELECT NULL,NULL--",
        "1' UNION ALL SELECT table_name,2 FROM information_schema.tables-- -",
        "1) AND (SELECT 1 FROM (SELECT(SLEEP(5)))a)-- ", "1' AND extractvalue(1,concat(0x7e,version()))-- -",
        "-1 OR 3*2*1=6 AND 000111=000111", "1';WAITFOR DELAY '0:0:5'--",
        "1 AND (SELECT 2*(IF((SELECT * FROM (SELECT CONCAT(0x71,0x78,0x76))s), 8446744073709551610, 8446744073709551610)))"]
STATUS_TEXT = {200: "OK", 204: "No Content", 301: "Moved Permanently",
               302: "Found", 303: "See Other", 304: "Not Modified",
               401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               500: "Internal Server Error"}


def quote(s):
    out = []
    for ch in s:
        if ch.isalnum() or ch in "-_.~":
            out.append(ch)
        elif ch == " ":
            out.append("+")
        else:
            out.append("%%%02X" % ord(ch))
    return "".join(out)


def aton(a):
    return bytes(int(x) for x in a.split("."))


def udp4(src, dst, sport, dport, data):
    h = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    c = inet_csum(src + dst + struct.pack("!BBH", 0, 17, 8 + len(data)) + h + data)
    return ipv4(src, dst, 17, h[:6] + struct.pack("!H", c or 0xFFFF) + data)


def icmp4_unreach(src, dst, orig_ip):
    body = struct.pack("!BBHI", 3, 3, 0, 0) + orig_ip[:28]
    c = inet_csum(body)
    return ipv4(src, dst, 1, body[:2] + struct.pack("!H", c) + body[4:])


def request(method, path, host, ua, extra=(), body=b"", version="HTTP/1.1"):
    lines = ["%s %s %s" % (method, path, version), "Host: %s" % host]
    if ua:
        lines.append("User-Agent: %s" % ua)
    lines.extend(extra)
    if body or method == "POST":
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def response(status, body_len=0, ctype="text/html; charset=utf-8", close=False,
             version="HTTP/1.1", extra=()):
    lines = ["%s %d %s" % (version, status, STATUS_TEXT[status]),
             "Server: nginx", "Date: Thu, 01 Jan 2026 00:00:00 GMT"]
    if status != 304:
        lines.append("Content-Type: %s" % ctype)
        lines.append("Content-Length: %d" % body_len)
    lines.extend(extra)
    if close:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()
    if status == 304:
        return head
    return head + (b"<!-- wirewall synthetic -->" * (body_len // 27 + 1))[:body_len]


class Gen:
    def __init__(self, seed, scale):
        self.rnd = random.Random(seed)
        self.scale = scale
        self.frames = []   # (t, seq, bytes)
        self.labels = []
        self.used = set()
        self.seen = {}  # client address (4 bytes): [first, last] frame time
        self.n = 0

    # ---- frames ----

    def add(self, t, c2s, ip):
        if t > DURATION + 5:
            return
        self.frames.append((T0 + t, self.n, (ETH_C2S if c2s else ETH_S2C) + ip))
        self.n += 1
        # The client's first and last frame, for its label.
        span = self.seen.setdefault(ip[12:16] if c2s else ip[16:20], [t, t])
        span[0] = min(span[0], t)
        span[1] = max(span[1], t)

    def addr(self):
        while True:
            a = self.rnd.choice(NETS) + str(self.rnd.randint(2, 254))
            if a not in self.used:
                self.used.add(a)
                return a

    def label(self, addr, cls, tool, start, end, **extra):
        """Source @addr: its window is from its first frame to its last
        (@start and @end, the schedule, only when it sent nothing)."""
        start, end = self.seen.get(aton(addr), (start, end))
        d = {"addr": addr, "class": cls, "tool": tool,
             "start": round(T0 + start, 6), "end": round(T0 + end, 6)}
        d.update(extra)
        self.labels.append(d)

    def write(self, pcap, labels):
        self.frames.sort(key=lambda f: (f[0], f[1]))
        write_pcap(pcap, [(t, b) for t, _, b in self.frames])
        with open(labels, "w") as fh:
            json.dump(self.labels, fh, indent=1)
            fh.write("\n")


class Conn:
    """A TCP connection seen next to the server: the server's packets
    leave a few tens of microseconds after what they answer, the client's
    arrive a round trip after what they answer."""

    def __init__(self, g, cli, srv, sport, dport, rtt, win_c=64240,
                 win_s=65160):
        self.g, self.rtt = g, rtt
        self.cli, self.srv = aton(cli), aton(srv)
        self.sp, self.dp = sport, dport
        self.c = g.rnd.getrandbits(32)
        self.s = g.rnd.getrandbits(32)
        self.win_c, self.win_s = win_c, win_s
        self.open = False

    def C(self, t, flags, data=b""):
        self.g.add(t, True, tcp4(self.cli, self.srv, self.sp, self.dp, self.c,
                                 self.s if flags & ACK else 0, flags, data,
                                 self.win_c))
        self.c += len(data)

    def S(self, t, flags, data=b""):
        self.g.add(t, False, tcp4(self.srv, self.cli, self.dp, self.sp, self.s,
                                  self.c, flags, data, self.win_s))
        self.s += len(data)

    def srv_delay(self):
        return self.g.rnd.uniform(0.00003, 0.0003)

    def connect(self, t):
        """Three-way handshake from @t; returns when the client's ACK passed."""
        self.C(t, SYN)
        self.c += 1
        t += self.srv_delay()
        self.S(t, SYN | ACK)
        self.s += 1
        t += self.rtt
        self.C(t, ACK)
        self.open = True
        return t

    def send(self, t, data, step=0.00002):
        """Client data from @t, in MSS segments; returns the last one's time."""
        for i in range(0, len(data), MSS):
            self.C(t, PSH | ACK, data[i:i + MSS])
            t += step
        return t

    def reply(self, t, data):
        """Server data from @t; the client ACKs every second segment a
        round trip later. Returns the time of the client's last ACK."""
        segs = [data[i:i + MSS] for i in range(0, len(data), MSS)]
        ts = t
        last = t
        for k, seg in enumerate(segs):
            self.S(ts, PSH | ACK if k == len(segs) - 1 else ACK, seg)
            if k % 2 == 1 or k == len(segs) - 1:
                last = ts + self.rtt
                self.C(last, ACK)
            ts += 0.00005
        return last

    def exchange(self, t, req, resp, latency):
        """A request at @t answered @latency later; returns when done."""
        t = self.send(t, req)
        if latency > 0.04:
            self.S(t + self.srv_delay(), ACK)
        return self.reply(t + latency, resp)

    def close_client(self, t):
        self.C(t, FIN | ACK)
        self.c += 1
        t += self.srv_delay()
        self.S(t, FIN | ACK)
        self.s += 1
        t += self.rtt
        self.C(t, ACK)
        self.open = False
        return t

    def close_server(self, t):
        self.S(t, FIN | ACK)
        self.s += 1
        t += self.rtt
        self.C(t, FIN | ACK)
        self.c += 1
        t += self.srv_delay()
        self.S(t, ACK)
        self.open = False
        return t

    def reset_client(self, t):
        self.g.add(t, True, tcp4(self.cli, self.srv, self.sp, self.dp, self.c,
                                 0, RST, b"", 0))
        self.open = False


class Client:
    """A client address with its ephemeral ports and round trip time."""

    def __init__(self, g, addr=None, rtt=None):
        self.g = g
        self.addr = addr or g.addr()
        self.rtt = rtt if rtt is not None else g.rnd.uniform(0.004, 0.09)
        self.port = g.rnd.randint(32768, 60000)
        self.win = g.rnd.choice([64240, 65535, 29200, 42340, 65160])

    def next_port(self):
        self.port += 1
        if self.port > 65000:
            self.port = 32768
        return self.port

    def conn(self, dport=80, server=SERVER, rtt=None):
        return Conn(self.g, self.addr, server, self.next_port(), dport,
                    rtt if rtt is not None else self.rtt * self.g.rnd.uniform(0.9, 1.2),
                    win_c=self.win)


def latency(g, lo=0.001, hi=0.06):
    return g.rnd.uniform(lo, hi)


# ---- benign ----

class BrowserSession:
    """A user with a browser: keep-alive connections (up to @maxc), pages
    each followed by resources, sometimes a form, think time between."""

    def __init__(self, g, client, ua, host, t0, t1, maxc, idle_timeout,
                 think=(0.5, 5.0)):
        self.g, self.cl, self.ua, self.host = g, client, ua, host
        self.t0, self.t1 = t0, t1
        self.maxc, self.idle = maxc, idle_timeout
        self.think = think
        self.conns = []  # [Conn, free_at]
        self.cached = set()
        self.requests = 0
        self.versioned = "%08x" % g.rnd.getrandbits(32) if g.rnd.random() < 0.3 else ""

    def get_conn(self, t, k):
        # Connections the server closed while idle.
        live = []
        for c, free in self.conns:
            if t - free > self.idle and c.open:
                c.close_server(free + self.idle)
            if c.open:
                live.append([c, free])
        self.conns = live
        if k < len(self.conns):
            return self.conns[k]
        c = self.cl.conn(dport=self.port)
        tt = c.connect(t)
        entry = [c, tt]
        self.conns.append(entry)
        return entry

    def fetch(self, t, k, method, path, status, body_len, ctype, body=b"",
              extra=()):
        entry = self.get_conn(t, k)
        c, free = entry
        t = max(t, free) + self.g.rnd.uniform(0.0005, 0.004)
        hdrs = ["Accept: text/html,application/xhtml+xml,*/*;q=0.8",
                "Accept-Language: en-US,en;q=0.9", "Accept-Encoding: gzip, deflate",
                "Connection: keep-alive"] + list(extra)
        if method == "POST":
            hdrs.append("Content-Type: application/x-www-form-urlencoded")
        if status == 304:
            hdrs.append('If-None-Match: "%x"' % self.g.rnd.getrandbits(32))
        req = request(method, path, self.host, self.ua, hdrs, body)
        resp = response(status, body_len, ctype)
        end = c.exchange(t, req, resp, latency(self.g))
        entry[1] = end
        self.requests += 1
        return end

    def page(self, t):
        g = self.g
        path = g.rnd.choice(PAGES)
        if path in self.cached and g.rnd.random() < 0.5:
            st, blen = 304, 0
        else:
            st, blen = 200, g.rnd.randint(3000, 30000)
        self.cached.add(path)
        end = self.fetch(t, 0, "GET", path, st, blen, "text/html; charset=utf-8")
        res = g.rnd.sample(RESOURCES, g.rnd.randint(1, 6))
        if self.versioned:
            res = ["%s?v=%s" % (r, self.versioned) for r in res]
        ends = [end]
        for i, r in enumerate(res):
            k = i % self.maxc
            if r in self.cached:
                st, blen = 304, 0
            else:
                st, blen = 200, g.rnd.randint(400, 12000)
            self.cached.add(r)
            ends.append(self.fetch(end, k, "GET", r, st, blen,
                                   "application/octet-stream"))
        return max(ends)

    def form(self, t):
        g = self.g
        body = "name=%s&email=%s%%40mail.example&message=%s" % (
            g.rnd.choice(["alice", "bob", "carol", "dave", "erin"]),
            g.rnd.choice(["a", "b", "c", "x"]) + str(g.rnd.randint(1, 999)),
            quote(g.rnd.choice(["Hello, is this in stock?", "Please call me back",
                                "Order 1234 arrived damaged", "Thanks!"])))
        path = g.rnd.choice(["/contact", "/cart/add", "/newsletter", "/account/update"])
        st = g.rnd.choice([200, 303, 302])
        return self.fetch(t, 0, "POST", path, st, g.rnd.randint(0, 3000) if st == 200 else 0,
                          "text/html; charset=utf-8", body.encode())

    port = 80

    def run(self):
        g = self.g
        t = self.t0
        while t < self.t1:
            if self.requests > 0 and g.rnd.random() < 0.12:
                t = self.form(t)
            else:
                t = self.page(t)
            t += g.rnd.uniform(*self.think)
        for c, free in self.conns:
            if c.open:
                if g.rnd.random() < 0.5:
                    c.close_client(max(free, self.t1) + g.rnd.uniform(0.1, 2))
        return self.requests


def gen_browsers(g, n):
    for _ in range(n):
        cl = Client(g)
        t0 = g.rnd.uniform(0, 40)
        t1 = min(DURATION, t0 + g.rnd.uniform(10, 60))
        s = BrowserSession(g, cl, g.rnd.choice(BROWSER_UAS), "shop.example", t0, t1,
                           g.rnd.randint(1, 4), g.rnd.uniform(5, 20))
        s.run()
        g.label(cl.addr, BENIGN, "browser", t0, t1)


def gen_healthcheck(g):
    cl = Client(g, rtt=g.rnd.uniform(0.0005, 0.003))
    period = g.rnd.uniform(1.0, 2.0)
    path = "/healthz"
    t = g.rnd.uniform(0, 1)
    t0 = t
    while t < DURATION:
        c = cl.conn()
        tt = c.connect(t)
        req = request("GET", path, "198.51.100.80:80", "kube-probe/1.27",
                      ["Accept: */*", "Connection: close"])
        tt = c.exchange(tt + 0.0001, req, response(200, 2, "text/plain", close=True),
                        latency(g, 0.0002, 0.003))
        c.close_server(tt + 0.0001)
        t += period + g.rnd.uniform(-0.02, 0.02)
    g.label(cl.addr, BENIGN, "healthcheck", t0, t)


def gen_nat(g, users):
    nat = Client(g)
    nat.port = g.rnd.randint(1024, 30000)
    for _ in range(users):
        # The NAT gives each connection a port of its own.
        cl = Client(g, addr=nat.addr)
        cl.next_port = nat.next_port
        t0 = g.rnd.uniform(0, 50)
        t1 = min(DURATION, t0 + g.rnd.uniform(5, 40))
        s = BrowserSession(g, cl, g.rnd.choice(BROWSER_UAS), "shop.example", t0, t1,
                           g.rnd.randint(1, 4), g.rnd.uniform(5, 20),
                           think=(0.5, 4.0))
        s.run()
    g.label(nat.addr, BENIGN, "nat", 0, DURATION, users=users)


def gen_crawler(g):
    cl = Client(g)
    ua = g.rnd.choice(CRAWLER_UAS)
    rate = g.rnd.uniform(1.0, 5.0)
    t = g.rnd.uniform(0, 10)
    t0 = t
    per_conn = g.rnd.randint(5, 40)
    c, n = None, 0
    paths = ["/robots.txt", "/sitemap.xml"]
    while t < DURATION:
        if c is None or n >= per_conn:
            if c is not None:
                c.close_client(t)
            c = cl.conn()
            t = c.connect(t)
            n = 0
        if paths:
            path = paths.pop(0)
        else:
            base = g.rnd.choice(PAGES).split("?")[0].rstrip("/")
            path = "%s/%s-%d" % (base, g.rnd.choice(["item", "page", "post", "tag"]),
                                 g.rnd.randint(1, 99999))
        st = 404 if g.rnd.random() < g.rnd.uniform(0.03, 0.15) else \
            g.rnd.choice([200] * 12 + [301])
        req = request("GET", path, "shop.example", ua,
                      ["Accept: text/html,*/*", "Accept-Encoding: gzip", "From: bot@search.example"])
        t = c.exchange(t + 0.001, req, response(st, g.rnd.randint(200, 20000) if st == 200 else 150),
                       latency(g))
        n += 1
        t += g.rnd.expovariate(rate)
    g.label(cl.addr, BENIGN, "crawler", t0, t)


def gen_ci_load(g):
    cl = Client(g, rtt=g.rnd.uniform(0.001, 0.01))
    rate = g.rnd.uniform(20, 50)
    dur = g.rnd.uniform(8, 12)
    t0 = g.rnd.uniform(2, DURATION - dur - 2)
    vus = g.rnd.randint(3, 10)
    paths = ["/api/items?page=%d" % i for i in range(1, 6)] + ["/", "/products", "/api/health"]
    conns = []
    for v in range(vus):
        c = cl.conn()
        conns.append([c, c.connect(t0 + v * 0.01)])
    t = t0
    k = 0
    while t < t0 + dur:
        entry = conns[k % vus]
        c, free = entry
        ts = max(t, free + 0.0005)
        req = request("GET", g.rnd.choice(paths), "shop.example", "k6/0.45.0 (https://k6.io/)",
                      ["Accept: application/json"])
        entry[1] = c.exchange(ts, req, response(200, g.rnd.randint(300, 4000), "application/json"),
                              latency(g, 0.002, 0.03))
        k += 1
        t += g.rnd.expovariate(rate)
    end = t
    for c, free in conns:
        end = c.close_client(max(free, t) + 0.01)
    g.label(cl.addr, BENIGN, "ci_load", t0, end, rate=rate)


def gen_http10(g, n):
    for _ in range(n):
        cl = Client(g)
        ua = g.rnd.choice(HTTP10_UAS)
        t = g.rnd.uniform(0, 20)
        t0 = t
        period = g.rnd.uniform(2, 10)
        while t < DURATION:
            c = cl.conn()
            tt = c.connect(t)
            st = g.rnd.choice([200] * 8 + [404, 301])
            req = request("GET", g.rnd.choice(PAGES + RESOURCES), "shop.example", ua,
                          ["Accept: */*"], version="HTTP/1.0")
            tt = c.exchange(tt + 0.0002, req,
                            response(st, g.rnd.randint(100, 9000), close=True, version="HTTP/1.0"),
                            latency(g))
            c.close_server(tt + 0.0001)
            t += period * g.rnd.uniform(0.7, 1.3)
        g.label(cl.addr, BENIGN, "http10", t0, t)


def gen_typo(g):
    cl = Client(g)
    ua = g.rnd.choice(BROWSER_UAS)
    t0 = g.rnd.uniform(5, 40)
    s = BrowserSession(g, cl, ua, "shop.example", t0, t0, 2, 15)
    t = s.fetch(t0, 0, "GET", "/login", 200, 4000, "text/html")
    fails = g.rnd.randint(1, 3)
    for i in range(fails + 1):
        t += g.rnd.uniform(2, 8)
        pw = "hunter%d" % g.rnd.randint(1, 99) if i < fails else "correct-horse"
        body = ("username=%s&password=%s" % (g.rnd.choice(["jane", "jdoe", "mark"]), pw)).encode()
        t = s.fetch(t, 0, "POST", "/login", 401 if i < fails else 302,
                    120 if i < fails else 0, "text/html", body)
    s.t0, s.t1 = t + 1, min(DURATION, t + g.rnd.uniform(5, 20))
    s.run()
    g.label(cl.addr, BENIGN, "typo_login", t0, s.t1, failures=fails)


# ---- attacks ----

def window(g, dur, lo=3.0, hi=None):
    hi = (hi if hi is not None else DURATION - 3.0) - dur
    return g.rnd.uniform(lo, max(lo, hi))


def gen_syn_flood(g):
    addr = g.addr()
    src = aton(addr)
    srv = aton(SERVER)
    rate = g.rnd.uniform(300, 2000) * g.scale
    dur = g.rnd.uniform(2, 5)
    n = int(min(rate * dur, 4000 * g.scale))
    dur = n / rate
    t0 = window(g, dur)
    port = g.rnd.choice([80, 80, 443, 8080])
    win = g.rnd.choice([512, 1024, 2048, 5840, 64240, 65535])
    answered = g.rnd.uniform(0.7, 1.0)
    t = t0
    for i in range(n):
        sp = g.rnd.randint(1024, 65535)
        seq = g.rnd.getrandbits(32)
        g.add(t, True, tcp4(src, srv, sp, port, seq, 0, SYN, b"",
                            win if win > 2048 else g.rnd.randint(512, 4096)))
        if g.rnd.random() < answered:
            g.add(t + g.rnd.uniform(0.00003, 0.0003), False,
                  tcp4(srv, src, port, sp, g.rnd.getrandbits(32), seq + 1, SYN | ACK,
                       b"", 65160))
        t += g.rnd.expovariate(rate)
    g.label(addr, SYN_FLOOD, "syn_flood", t0, t + 0.001, rate=rate, syns=n)


def gen_port_scan(g):
    addr = g.addr()
    src = aton(addr)
    n_srv = g.rnd.choice([1, 1, 2, 3])
    servers = [SERVER] + g.rnd.sample(SCAN_SERVERS, n_srv - 1)
    n_ports = int(g.rnd.randint(100, 1000) * g.scale)
    rate = g.rnd.uniform(100, 1500)
    targets = []
    for s in servers:
        ports = g.rnd.sample(range(1, 65536), n_ports // n_srv)
        opened = {80, 443, 22} if s == SERVER else set(g.rnd.sample([22, 25, 53, 80, 443, 3306, 8080], 2))
        ports[:0] = [p for p in opened if p not in ports]
        g.rnd.shuffle(ports)
        targets += [(s, p, p in opened) for p in ports]
    if g.rnd.random() < 0.5:
        g.rnd.shuffle(targets)
    sp = g.rnd.randint(30000, 65000)
    win = g.rnd.choice([1024, 2048, 3072, 4096])
    t0 = window(g, len(targets) / rate)
    t = t0
    for s, p, is_open in targets:
        dst = aton(s)
        seq = g.rnd.getrandbits(32)
        g.add(t, True, tcp4(src, dst, sp, p, seq, 0, SYN, b"", win))
        ta = t + g.rnd.uniform(0.00003, 0.0003)
        if is_open:
            g.add(ta, False, tcp4(dst, src, p, sp, g.rnd.getrandbits(32), seq + 1,
                                  SYN | ACK, b"", 65160))
            g.add(ta + g.rnd.uniform(0.005, 0.05), True,
                  tcp4(src, dst, sp, p, seq + 1, 0, RST, b"", 0))
        else:
            g.add(ta, False, tcp4(dst, src, p, sp, 0, seq + 1, RST | ACK, b"", 0))
        t += g.rnd.expovariate(rate)
    g.label(addr, SCAN, "port_scan", t0, t + 0.06, ports=len(targets), servers=n_srv)


def gen_udp_scan(g):
    addr = g.addr()
    src = aton(addr)
    s = g.rnd.choice([SERVER] + SCAN_SERVERS)
    dst = aton(s)
    n = int(g.rnd.randint(50, 300) * g.scale)
    rate = g.rnd.uniform(20, 200)
    ports = g.rnd.sample(range(1, 65536), n)
    sp = g.rnd.randint(30000, 65000)
    t0 = window(g, n / rate)
    t = t0
    for p in ports:
        payload = b"" if g.rnd.random() < 0.7 else bytes(g.rnd.getrandbits(8) for _ in range(8))
        ip = udp4(src, dst, sp, p, payload)
        g.add(t, True, ip)
        if p not in (53, 123, 161) and g.rnd.random() < 0.9:
            g.add(t + g.rnd.uniform(0.00005, 0.0005), False, icmp4_unreach(dst, src, ip))
        t += g.rnd.expovariate(rate)
    g.label(addr, SCAN, "udp_scan", t0, t + 0.001, ports=n)


def gen_slow_headers(g):
    cl = Client(g)
    n = int(g.rnd.randint(50, 200) * g.scale)
    t0 = g.rnd.uniform(3, 30)
    ramp = g.rnd.uniform(0.5, 3)
    ua = g.rnd.choice(BROWSER_UAS)
    conns = []
    for i in range(n):
        c = cl.conn()
        t = c.connect(t0 + ramp * i / n)
        head = ("GET /?%d HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: %s\r\n"
                "Accept-language: en-US,en,q=0.5\r\n" % (g.rnd.randint(0, 2000), ua)).encode()
        t = c.send(t + 0.0005, head)
        c.S(t + c.srv_delay(), ACK)
        conns.append((c, t))
    every = g.rnd.uniform(5, 10)
    last = t0
    for c, t in conns:
        t += every * g.rnd.uniform(0.8, 1.2)
        while t < DURATION:
            t = c.send(t, ("X-a: %d\r\n" % g.rnd.randint(1, 5000)).encode())
            c.S(t + c.srv_delay(), ACK)
            last = max(last, t)
            t += every * g.rnd.uniform(0.9, 1.1)
    # Never finishes: the attack lasts to the end of the capture.
    g.label(cl.addr, SLOW_DOS, "slowloris", t0, DURATION, connections=n)


def gen_http_flood(g):
    cl = Client(g, rtt=g.rnd.uniform(0.005, 0.05))
    rate = g.rnd.uniform(150, 600) * g.scale
    dur = g.rnd.uniform(4, 8)
    n = int(min(rate * dur, 2000 * g.scale))
    dur = n / rate
    t0 = window(g, dur)
    k = g.rnd.randint(5, 20)
    ua = g.rnd.choice(BROWSER_UAS + ["python-requests/2.31.0", "Go-http-client/1.1", ""])
    bust = g.rnd.random() < 0.5
    path0 = g.rnd.choice(["/", "/search?q=shoes", "/products", "/index.html"])
    conns = []
    for v in range(k):
        c = cl.conn()
        conns.append([c, c.connect(t0 + v * 0.002)])
    t = t0
    for i in range(n):
        entry = conns[i % k]
        c, free = entry
        ts = max(t, free + 0.0002)
        path = path0 if not bust else "%s%sr=%d" % (path0, "&" if "?" in path0 else "?",
                                                    g.rnd.getrandbits(24))
        req = request("GET", path, "shop.example", ua, ["Accept: */*", "Connection: keep-alive"])
        entry[1] = c.exchange(ts, req, response(200, g.rnd.randint(300, 3000)), latency(g, 0.001, 0.02))
        t += g.rnd.expovariate(rate)
        if t > DURATION - 1:
            break
    end = t
    for c, free in conns:
        end = max(end, c.close_client(max(free, t) + 0.01))
    g.label(cl.addr, FLOOD, "http_flood", t0, end, rate=rate, requests=i + 1)


def gen_bruteforce(g):
    cl = Client(g, rtt=g.rnd.uniform(0.005, 0.08))
    rate = g.rnd.uniform(10, 40) * g.scale
    dur = g.rnd.uniform(5, 15)
    n = int(min(rate * dur, 500 * g.scale))
    dur = n / rate
    t0 = window(g, dur)
    ua = g.rnd.choice(["Mozilla/5.0 (Hydra)", "Mozilla/4.0 (compatible; Hydra)",
                       "python-requests/2.31.0", BROWSER_UAS[0], "curl/8.5.0"])
    keep = g.rnd.random() < 0.5
    par = g.rnd.randint(1, 8)
    user = g.rnd.choice(["admin", "root", "administrator", "test", "jane"])
    path = g.rnd.choice(["/login", "/wp-login.php", "/user/login", "/api/auth"])
    conns = [[None, 0.0] for _ in range(par)]
    t = t0
    for i in range(n):
        entry = conns[i % par]
        if entry[0] is None or not keep:
            c = cl.conn()
            entry[0] = c
            entry[1] = c.connect(max(t, entry[1]))
        c, free = entry
        ts = max(t, free + 0.0002)
        body = ("username=%s&password=%s" % (user, quote(g.rnd.choice(
            ["123456", "password", "qwerty", "letmein", "admin", "welcome", "dragon",
             "monkey", "abc123", "iloveyou", "trustno1", "sunshine"]) +
            str(g.rnd.randint(0, 9999))))).encode()
        req = request("POST", path, "shop.example", ua,
                      ["Accept: */*", "Content-Type: application/x-www-form-urlencoded"], body)
        end = c.exchange(ts, req, response(401, g.rnd.randint(60, 400), close=not keep),
                         latency(g, 0.005, 0.1))
        if not keep:
            end = c.close_server(end + 0.0001)
        entry[1] = end
        t += g.rnd.expovariate(rate)
        if t > DURATION - 1:
            break
    for c, free in conns:
        if c is not None and c.open:
            c.close_client(free + 0.01)
    g.label(cl.addr, BRUTE_FORCE, "bruteforce", t0, t + 0.2, rate=rate, attempts=i + 1)


def gen_discovery(g):
    cl = Client(g, rtt=g.rnd.uniform(0.005, 0.08))
    rate = g.rnd.uniform(30, 150) * g.scale
    dur = g.rnd.uniform(4, 10)
    n = int(min(rate * dur, 1000 * g.scale))
    dur = n / rate
    t0 = window(g, dur)
    ua = g.rnd.choice(["gobuster/3.6", "Mozilla/5.0 (compatible; dirb)", "Fuzz Faster U Fool v2.1.0",
                       BROWSER_UAS[2], "Mozilla/5.0 (X11; Linux x86_64) wfuzz/3.1"])
    exts = ["", "", ".php", ".bak", ".txt", ".html", ".old", ".zip"]
    par = g.rnd.randint(2, 10)
    conns = []
    for v in range(par):
        c = cl.conn()
        conns.append([c, c.connect(t0 + v * 0.001)])
    t = t0
    prefix = g.rnd.choice(["", "", "/admin", "/api"])
    for i in range(n):
        entry = conns[i % par]
        c, free = entry
        ts = max(t, free + 0.0002)
        path = "%s/%s%s" % (prefix, g.rnd.choice(WORDS), g.rnd.choice(exts))
        if g.rnd.random() < 0.3:
            path += str(g.rnd.randint(1, 99))
        r = g.rnd.random()
        st = 404 if r < 0.92 else (403 if r < 0.96 else (301 if r < 0.98 else 200))
        req = request("GET", path, "shop.example", ua, ["Accept: */*"])
        entry[1] = c.exchange(ts, req, response(st, g.rnd.randint(150, 600)), latency(g, 0.001, 0.02))
        t += g.rnd.expovariate(rate)
        if t > DURATION - 1:
            break
    end = t
    for c, free in conns:
        end = max(end, c.close_client(max(free, t) + 0.01))
    g.label(cl.addr, CONTENT_DISCOVERY, "discovery", t0, end, rate=rate, requests=i + 1)


def gen_web_attack(g):
    cl = Client(g, rtt=g.rnd.uniform(0.005, 0.08))
    rate = g.rnd.uniform(5, 30) * g.scale
    dur = g.rnd.uniform(5, 15)
    n = int(min(rate * dur, 400 * g.scale))
    dur = n / rate
    t0 = window(g, dur)
    ua = "sqlmap/1.7.%d#stable (https://sqlmap.org)" % g.rnd.randint(2, 12)
    targets = g.rnd.sample([("/products/item", "id"), ("/search", "q"), ("/news", "page"),
                            ("/api/items", "cat"), ("/products", "sort")], g.rnd.randint(1, 3))
    # sqlmap closes its connections unless run with --keep-alive.
    keep = g.rnd.random() < 0.3
    par = g.rnd.randint(1, 3)
    conns = [[None, t0] for _ in range(par)]
    t = t0
    for i in range(n):
        entry = conns[i % par]
        if entry[0] is None or not keep:
            c = cl.conn()
            entry[0] = c
            entry[1] = c.connect(max(t, entry[1]))
        c, free = entry
        ts = max(t, free + 0.0002)
        target, param = g.rnd.choice(targets)
        payload = quote(g.rnd.choice(SQLI).replace("5", str(g.rnd.randint(1, 9))))
        hdrs = ["Accept: */*", "Accept-Encoding: gzip,deflate", "Cache-Control: no-cache"]
        if not keep:
            hdrs.append("Connection: close")
        if g.rnd.random() < 0.75:
            req = request("GET", "%s?%s=%s" % (target, param, payload), "shop.example", ua, hdrs)
        else:
            body = ("%s=%s&submit=1" % (param, payload)).encode()
            req = request("POST", target, "shop.example", ua,
                          hdrs + ["Content-Type: application/x-www-form-urlencoded"], body)
        st = g.rnd.choice([200, 200, 200, 500, 302])
        end = c.exchange(ts, req, response(st, g.rnd.randint(200, 8000), close=not keep),
                         latency(g, 0.001, 0.03))
        if not keep:
            end = c.close_server(end + 0.0001)
        entry[1] = end
        t += g.rnd.expovariate(rate)
        if t > DURATION - 1:
            break
    end = t
    for c, free in conns:
        if c is not None and c.open:
            end = max(end, c.close_client(max(free, t) + 0.01))
        else:
            end = max(end, free)
    g.label(cl.addr, WEB_ATTACK, "sqlmap", t0, end, rate=rate, requests=i + 1)


def generate(seed, scale=1.0):
    g = Gen(seed, scale)
    sc = lambda n: max(1, int(round(n * scale)))  # noqa: E731
    gen_browsers(g, sc(g.rnd.randint(6, 14)))
    gen_healthcheck(g)
    gen_nat(g, sc(g.rnd.randint(10, 30)))
    gen_crawler(g)
    gen_ci_load(g)
    gen_http10(g, sc(g.rnd.randint(2, 3)))
    gen_typo(g)
    gen_syn_flood(g)
    gen_port_scan(g)
    gen_udp_scan(g)
    gen_slow_headers(g)
    gen_http_flood(g)
    gen_bruteforce(g)
    gen_discovery(g)
    gen_web_attack(g)
    return g


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("seed", type=int)
    ap.add_argument("pcap")
    ap.add_argument("labels")
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args()
    g = generate(a.seed, a.scale)
    g.write(a.pcap, a.labels)
    print("%s: %d frames, %d sources" % (a.pcap, len(g.frames), len(g.labels)))


if __name__ == "__main__":
    main()
