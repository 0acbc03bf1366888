#!/usr/bin/python3
"""Labelled captures made by the real tools attackers and users run, in
network namespaces this script creates and removes.

    gen.py --seed N --out DIR [--role train|test] [--profile full|ci]
           [--duration SECONDS] [--max-packets N] [--logs DIR]

Writes DIR/<name>.pcap (what the server's link saw) and DIR/<name>.json
(the labels), name = <role>-<profile>-<seed>.

The rig: a bridge namespace; a server namespace (10.99.0.10) running
nginx with a small shop (static pages, images) in front of a JSON API
with a login form, JWT-protected routes and an HTTP basic-auth admin
area (server_app.py); and one namespace per client address. Clients
reach the server over the bridge; nothing is routed anywhere else (no
default route, no address outside 10.0.0.0/8 configured), and every tool
runs under `timeout` with a bounded count or rate. The capture is
tcpdump on the server's link, stopped at --max-packets or the end of
the run.

Every parameter is drawn from the seed: client addresses, which benign
and attack activities run, when they start, their rates, counts,
wordlists and options. Each run draws which tools of each attack class
run (a few runs cover them all); --role picks disjoint address ranges
and, for each tool, options from ranges of its own (rates, threads,
ports, wordlist sizes, delays, sqlmap levels and targets, slowhttptest
intervals), so that test captures show models addresses, rates and tool
options they never saw.

Labels (DIR/<name>.json): the ground truth is by source address and
time. Each activity: src (address), ns, tool, class (benign, flood,
syn_flood, scan, web_attack, content_discovery, brute_force, slow_dos),
start and end (epoch seconds, as the capture's timestamps), command.
An attacking address runs nothing but its attack.
"""
import argparse
import atexit
import json
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = "10.99.0.10"
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "models"))
from spec import CLASSES  # noqa: E402
# Client address ranges per role: 10.<second octet>.x.y.
ROLE_OCTETS = {"train": range(1, 48), "test": range(48, 96)}

PAGES = ["index.html", "about.html", "login.html", "contact.html", "faq.html"]


class Rig:
    """Namespaces, links and processes; removed on exit whatever happens."""

    def __init__(self, tag, work):
        self.tag = tag
        self.work = work
        self.nss = []
        self.procs = []
        self.br = "%s-br" % tag
        self.up = False

    def sh(self, *cmd, ns=None, check=True):
        full = (["ip", "netns", "exec", ns] if ns else []) + list(cmd)
        r = subprocess.run(full, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(full), r.stderr.strip()))
        return r.stdout

    def create(self):
        self.up = True
        self.sh("ip", "netns", "add", self.br)
        self.nss.append(self.br)
        self.sh("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", ns=self.br)
        self.sh("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1", ns=self.br)
        self.sh("ip", "link", "add", "br0", "type", "bridge", "mcast_snooping", "0", ns=self.br)
        # The bridge has no address: it says nothing (no IGMP reports from
        # 0.0.0.0 in the capture).
        self.sh("ip", "link", "set", "br0", "multicast", "off", ns=self.br)
        self.sh("ip", "link", "set", "br0", "up", ns=self.br)
        self.sh("ip", "link", "set", "lo", "up", ns=self.br)

    def add_host(self, name, addrs):
        ns = "%s-%s" % (self.tag, name)
        self.sh("ip", "netns", "add", ns)
        self.nss.append(ns)
        # IPv4 only: no router or neighbour solicitations in the capture
        # from addresses the labels do not name.
        self.sh("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", ns=ns)
        self.sh("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1", ns=ns)
        port = "v%d" % len(self.nss)
        self.sh("ip", "-n", self.br, "link", "add", port, "type", "veth", "peer", "name",
                "eth0", "netns", ns)
        self.sh("ip", "-n", self.br, "link", "set", port, "multicast", "off", "master", "br0",
                "up")
        self.sh("ip", "-n", ns, "link", "set", "lo", "up")
        # The address first: what the link says when it comes up (an
        # IGMP report) comes from a labelled address, not 0.0.0.0.
        for a in addrs:
            self.sh("ip", "-n", ns, "addr", "add", "%s/8" % a, "dev", "eth0")
        self.sh("ip", "-n", ns, "link", "set", "eth0", "up")
        # Frames on the wire as a NIC sends them: checksums filled in
        # (veth otherwise leaves them to an offload that never happens,
        # and the capture holds bad ones), no 64 KB segments.
        for dev_ns, dev in ((ns, "eth0"), (self.br, port)):
            self.sh("ethtool", "-K", dev, "tx", "off", "rx", "off", "tso", "off", "gso",
                    "off", "gro", "off", ns=dev_ns, check=False)
        return ns

    def spawn(self, ns, cmd, log, secs):
        """Run @cmd in @ns for at most @secs seconds."""
        full = ["ip", "netns", "exec", ns, "timeout", "-k", "3", "%.1f" % secs] + cmd
        fh = open(log, "ab")
        # Temporary files of the tools (cookie jars, ...) go to the work
        # directory, removed at exit even when a tool is killed.
        env = dict(os.environ, TMPDIR=self.work)
        p = subprocess.Popen(full, stdout=fh, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True, env=env)
        fh.close()
        self.procs.append(p)
        return p

    def destroy(self):
        if not self.up:
            return
        self.up = False
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
        for ns in self.nss:
            pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True,
                                  text=True).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
        time.sleep(0.2)
        for ns in reversed(self.nss):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


def write_site(root, rng):
    """The shop's static side: pages, products, images, a sitemap."""
    os.makedirs(os.path.join(root, "products"))
    os.makedirs(os.path.join(root, "img"))
    os.makedirs(os.path.join(root, "admin"))
    links = "".join('<a href="/products/%d.html">product %d</a>\n' % (i, i) for i in range(1, 13))
    head = ('<html><head><link rel="stylesheet" href="/style.css">'
            '<script src="/app.js"></script></head><body><img src="/img/logo.png">\n')
    for p in PAGES:
        body = links if p == "index.html" else '<a href="/index.html">home</a>\n'
        if p == "login.html":
            body += ('<form method="post" action="/login"><input name="user">'
                     '<input type="password" name="password"></form>\n')
        with open(os.path.join(root, p), "w") as fh:
            fh.write(head + body + "<p>" + "lorem ipsum " * rng.randint(50, 400)
                     + "</p></body></html>\n")
    for i in range(1, 13):
        with open(os.path.join(root, "products", "%d.html" % i), "w") as fh:
            fh.write(head + '<img src="/img/p%d.png"><a href="/index.html">home</a>'
                     '<a href="/products/%d.html">next</a><p>%s</p></body></html>\n'
                     % (i, i % 12 + 1, "details " * rng.randint(100, 600)))
        with open(os.path.join(root, "img", "p%d.png" % i), "wb") as fh:
            fh.write(os.urandom(rng.randint(2000, 60000)))
    with open(os.path.join(root, "img", "logo.png"), "wb") as fh:
        fh.write(os.urandom(4000))
    with open(os.path.join(root, "style.css"), "w") as fh:
        fh.write("body { font-family: sans-serif; }\n" * rng.randint(20, 200))
    with open(os.path.join(root, "app.js"), "w") as fh:
        fh.write("function f(){ return 1; }\n" * rng.randint(50, 500))
    with open(os.path.join(root, "robots.txt"), "w") as fh:
        fh.write("User-agent: *\nDisallow: /admin/\n")
    with open(os.path.join(root, "admin", "index.html"), "w") as fh:
        fh.write("<html><body>admin</body></html>\n")


def write_server(work, rng):
    """nginx and the application server's files; returns (conf, users)."""
    www = os.path.join(work, "www")
    write_site(www, rng)
    users = os.path.join(work, "users.txt")
    accounts = [("user%02d" % i, "pw-%08x" % rng.getrandbits(32)) for i in range(20)]
    with open(users, "w") as fh:
        fh.writelines("%s:%s\n" % a for a in accounts)
    admin_pw = "adm-%06x" % rng.getrandbits(24)
    hashed = subprocess.run(["openssl", "passwd", "-apr1", admin_pw], capture_output=True,
                            text=True, check=True).stdout.strip()
    with open(os.path.join(work, "htpasswd"), "w") as fh:
        fh.write("admin:%s\n" % hashed)
    conf = os.path.join(work, "nginx.conf")
    app = "http://127.0.0.1:8081"
    with open(conf, "w") as fh:
        fh.write("""
worker_processes 1;
pid {w}/nginx.pid;
error_log {w}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {w}/access.log;
    client_body_temp_path {w}/tmp-body;
    proxy_temp_path {w}/tmp-proxy;
    fastcgi_temp_path {w}/tmp-fcgi;
    uwsgi_temp_path {w}/tmp-uwsgi;
    scgi_temp_path {w}/tmp-scgi;
    types {{ text/html html; text/css css; application/javascript js; image/png png;
             text/plain txt; }}
    keepalive_timeout 15;
    server {{
        listen {srv}:80 backlog=4096;
        root {w}/www;
        location /api/ {{ proxy_pass {app}; proxy_http_version 1.1;
                         proxy_set_header Connection ""; }}
        location = /login {{ proxy_pass {app}; }}
        location = /account {{ proxy_pass {app}; }}
        location = /healthz {{ proxy_pass {app}; }}
        location /admin/ {{ auth_basic "admin"; auth_basic_user_file {w}/htpasswd; }}
    }}
}}
""".format(w=work, srv=SERVER, app=app))
    return conf, users, accounts, admin_pw


def wordlist(path, rng, n, extra=()):
    """n words of dirb's common list (seeded sample) plus @extra."""
    with open("/usr/share/dirb/wordlists/common.txt") as fh:
        words = [w.strip() for w in fh if w.strip() and not w.startswith("#")]
    pick = rng.sample(words, min(n, len(words))) + list(extra)
    rng.shuffle(pick)
    with open(path, "w") as fh:
        fh.write("\n".join(pick) + "\n")
    return path


def passwords(path, rng, n, real=None):
    pw = ["pw-%08x" % rng.getrandbits(32) for _ in range(n)]
    pw += ["123456", "password", "admin", "letmein", "qwerty", "shop2024"]
    if real and rng.random() < 0.5:
        pw.insert(rng.randrange(len(pw)), real)
    with open(path, "w") as fh:
        fh.write("\n".join(pw) + "\n")
    return path


def benign_plan(rng, profile, dur, work, users):
    """(name, class, tool, cmd, secs) of the benign clients."""
    base = "http://%s" % SERVER
    u = [os.path.join(HERE, "users.py"), SERVER]
    plan = []

    def users_cmd(kind, n):
        return ["/usr/bin/python3"] + u + ["%.0f" % (dur - 4), str(rng.getrandbits(31)),
                                          str(n), kind, users]
    plan.append(("shoppers", "curl", users_cmd("browse", rng.randint(3, 6))))
    plan.append(("nat", "curl-nat", users_cmd("nat", rng.randint(12, 25))))
    interval = rng.choice([0.5, 1, 2, 5])
    plan.append(("health", "curl-healthcheck",
                 ["sh", "-c", "while :; do curl -s -o /dev/null --max-time 2 %s/healthz; "
                  "sleep %s; done" % (base, interval)]))
    if profile == "ci":
        return plan
    plan.append(("old", "curl-http1.0", users_cmd("http10", rng.randint(2, 4))))
    plan.append(("cache", "curl-conditional", users_cmd("cond", rng.randint(2, 4))))
    urls = os.path.join(work, "siege-urls.txt")
    with open(urls, "w") as fh:
        fh.write("".join("%s/%s\n" % (base, p) for p in ["index.html", "about.html"] +
                         ["products/%d.html" % i for i in range(1, 13)]))
    rc = os.path.join(work, "siegerc")
    with open(rc, "w") as fh:
        fh.write("parser = true\nprotocol = HTTP/1.1\nconnection = keep-alive\n"
                 "show-logfile = false\nlogging = false\n")
    plan.append(("siege", "siege", ["siege", "-R", rc, "-i", "-f", urls, "-c",
                                    str(rng.randint(2, 5)), "-d", str(rng.randint(2, 6)),
                                    "-t", "%dS" % (dur - 6)]))
    lua = os.path.join(work, "wrk-delay.lua")
    with open(lua, "w") as fh:
        fh.write("function delay() return math.random(%d, %d) end\n"
                 % (rng.randint(200, 500), rng.randint(800, 2000)))
    plan.append(("wrk-low", "wrk-lowrate", ["wrk", "-t1", "-c%d" % rng.randint(1, 3),
                                            "-d%ds" % (dur - 6), "-s", lua,
                                            base + "/api/products"]))
    plan.append(("ab", "ab", ["sh", "-c", "while :; do ab -q -n %d -c 2 %s/index.html "
                              ">/dev/null; sleep %d; done" % (rng.randint(20, 60), base,
                                                              rng.randint(5, 15))]))
    plan.append(("crawler", "wget-crawler",
                 ["wget", "-q", "--recursive", "--level=3", "--no-parent", "--delete-after",
                  "--wait=%.1f" % rng.uniform(0.2, 1.0), "-P", os.path.join(work, "crawl"),
                  base + "/index.html"]))
    return plan


def ci_load_plan(rng, dur):
    """The CI pipeline's load test: a short burst from one address,
    benign, and the false-positive trap for HTTP-flood detection."""
    n = rng.randint(1500, 4000)
    return ["ab", "-q", "-k", "-n", str(n), "-c", str(rng.randint(8, 32)),
            "http://%s/api/products" % SERVER]


def attack_plan(rng, role, profile, work, accounts, admin_pw, srv_mac):
    """(name, class, tool, cmd, secs, sources) of the attacks.

    Every run draws, per class, which of the class's tools run (so a few
    runs cover them all) and their options; the two roles draw options
    from different ranges (rates, thread counts, ports, wordlist sizes,
    delays, sqlmap levels and targets, slowhttptest intervals), so a test
    run shows each tool run in a way training never saw.
    """
    base = "http://%s" % SERVER
    test = role == "test"
    plan = []

    def add(name, cls, tool, cmd, secs, sources=1):
        plan.append((name, cls, tool, cmd, secs, sources))

    def pick(options, k):
        return rng.sample(options, k)

    def rate(train_lo, train_hi, test_lo, test_hi):
        return rng.randint(test_lo, test_hi) if test else rng.randint(train_lo, train_hi)

    # syn_flood: hping3 SYNs at a drawn rate, bounded count.
    r, secs = rate(1000, 4000, 400, 8000), rng.randint(4, 8)
    # The served port or a closed one (answered by RST): the test runs'
    # closed ports are not the training runs'.
    port = rng.choice([80, 80, 22, 8443]) if not test else rng.choice([80, 443, 8080])
    add("synflood", "syn_flood", "hping3-syn",
        ["hping3", "-q", "-S", "-p", str(port), "-i", "u%d" % (1000000 // r), "-c", str(r * secs)]
        + (["-w", str(rng.choice([512, 1024, 65535]))] if test else []) + [SERVER], secs + 2)

    # scan: two of nmap SYN, nmap connect, nmap version, masscan.
    def scan(tool):
        top = rate(1000, 3000, 2000, 6000)
        if tool == "nmap-syn":
            return ["nmap", "-n", "-Pn", "-sS", "-p", "1-%d" % top, "--max-rate",
                    str(rate(300, 1500, 100, 3000)), SERVER], 20
        if tool == "nmap-connect":
            return ["nmap", "-n", "-Pn", "-sT", "-p", "1-%d" % top, "--max-rate",
                    str(rate(200, 800, 100, 1500)), SERVER], 20
        if tool == "nmap-version":
            return ["nmap", "-n", "-Pn", "-sV", "--version-light", "-p",
                    "22,80,443,8080,%d-%d" % (rng.randint(100, 200), rate(300, 600, 600, 1200)),
                    SERVER], 25
        return ["masscan", SERVER, "-p1-%d" % top, "--rate", str(rate(300, 1000, 800, 3000)),
                "--interface", "eth0", "--router-mac", srv_mac, "--wait", "1"], 20
    scans = ["nmap-syn", "nmap-connect", "nmap-version", "masscan"]
    for tool in pick(scans, 1 if profile == "ci" else 2):
        cmd, secs = scan(tool)
        add(tool, "scan", tool, cmd, secs)
    if profile == "ci":
        add("slow", "slow_dos", "slowhttptest-headers",
            ["slowhttptest", "-H", "-c", str(rng.randint(60, 150)), "-i", "5", "-r", "30",
             "-l", "15", "-u", base + "/index.html", "-p", "3"], 18)
        return plan

    # flood: hping3 UDP or ICMP, and an HTTP flood (wrk or ab) from
    # several sources.
    r = rate(1000, 4000, 500, 6000)
    if rng.random() < 0.5:
        add("udpflood", "flood", "hping3-udp",
            ["hping3", "-q", "--udp", "-p", str(rng.choice([53, 123, 161, 5060])), "-i",
             "u%d" % (1000000 // r), "-c", str(r * 5), "-d", str(rate(20, 200, 10, 1200)),
             SERVER], 7)
    else:
        add("icmpflood", "flood", "hping3-icmp",
            ["hping3", "-q", "--icmp", "-i", "u%d" % (1000000 // r), "-c", str(r * 5), "-d",
             str(rate(20, 500, 10, 1400)), SERVER], 7)
    path = rng.choice(["/api/products", "/index.html", "/api/search?q=tea", "/"])
    if rng.random() < 0.5:
        add("httpflood", "flood", "wrk-flood",
            ["wrk", "-t2", "-c%d" % rate(50, 150, 20, 300), "-d%ds" % rng.randint(6, 10),
             base + path], 12, rng.randint(3, 5))
    else:
        add("httpflood", "flood", "ab-flood",
            ["ab", "-q", "-n", str(rate(5000, 15000, 3000, 25000)), "-c",
             str(rate(30, 100, 10, 200))] + (["-k"] if rng.random() < 0.5 else [])
            + [base + path], 12, rng.randint(3, 6))

    # web_attack: sqlmap; level, risk, threads and target drawn.
    target = rng.choice(["products", "search", "forms"])
    if target == "products":
        tgt = ["-u", base + "/api/products?id=%d" % rng.randint(1, 12)]
    elif target == "search":
        tgt = ["-u", base + "/api/search?q=%s" % rng.choice(["tea", "cup", "pot"])]
    else:
        tgt = ["-u", base + "/index.html", "--crawl", "2", "--forms"]
    if test and rng.random() < 0.5:
        tgt.append("--random-agent")
    add("sqlmap", "web_attack", "sqlmap",
        ["sqlmap"] + tgt + ["--batch", "--level", str(rate(1, 3, 3, 5)), "--risk",
                            str(rate(1, 2, 2, 3)), "--threads", str(rate(1, 2, 2, 4)),
                            "--timeout", "5", "--retries", "0", "--disable-coloring",
                            "--output-dir", os.path.join(work, "sqlmap")], 30)

    # content_discovery: two of dirb, gobuster, ffuf, wfuzz.
    wl = wordlist(os.path.join(work, "words-%s.txt" % role), rng, rate(600, 1500, 1000, 3000),
                  ["admin", "api", "login.html", "robots.txt"])
    threads = str(rate(2, 6, 4, 12))
    discovery = {
        "dirb": ["dirb", base + "/", wl, "-S", "-r", "-z", str(rate(0, 5, 0, 20))],
        "gobuster": ["gobuster", "dir", "-q", "-u", base, "-w", wl, "-t", threads],
        "ffuf": ["ffuf", "-s", "-u", base + "/FUZZ", "-w", wl, "-t", threads, "-p",
                 "%.3f-%.3f" % (rng.uniform(0.0, 0.01), rng.uniform(0.02, 0.05))],
        "wfuzz": ["wfuzz", "-c", "--hc", "404", "-t", threads, "-w", wl, base + "/FUZZ"],
    }
    for tool in pick(sorted(discovery), 2):
        add(tool, "content_discovery", tool, discovery[tool], 25)

    # brute_force: two of hydra on the form, hydra on basic auth,
    # credential stuffing on the JSON login.
    pw = passwords(os.path.join(work, "pw-%s.txt" % role), rng, rate(150, 300, 200, 500),
                   admin_pw)
    stuffing = os.path.join(work, "stuffing.txt")
    with open(stuffing, "w") as fh:
        for _ in range(rate(150, 300, 200, 500)):
            fh.write('{"user": "user%02d", "password": "pw-%08x"}\n'
                     % (rng.randint(0, 40), rng.getrandbits(32)))
    brute = {
        "hydra-http-post-form": ["hydra", "-l", rng.choice([a[0] for a in accounts]), "-P", pw,
                                 "-t", str(rate(2, 6, 4, 16)), "-s", "80", SERVER,
                                 "http-post-form",
                                 "/login:user=^USER^&password=^PASS^:F=invalid"],
        "hydra-http-get": ["hydra", "-l", "admin", "-P", pw, "-t", str(rate(2, 6, 4, 16)), "-s",
                           "80", SERVER, "http-get", "/admin/"],
        "curl-credential-stuffing": [
            "sh", "-c", "while read -r l; do curl -s -o /dev/null --max-time 3 "
            "-H 'Content-Type: application/json' -d \"$l\" %s/api/login; sleep %.2f; done < %s"
            % (base, rng.uniform(0.05, 0.2) if not test else rng.uniform(0.01, 0.3), stuffing)],
    }
    for tool in pick(sorted(brute), 2):
        add(tool, "brute_force", tool, brute[tool], 25)

    # slow_dos: two of slow headers, slow body, slow read.
    conns = str(rate(100, 250, 50, 400))
    slow = {
        "slowhttptest-headers": ["slowhttptest", "-H", "-c", conns, "-i", str(rate(5, 10, 2, 20)),
                                 "-r", str(rate(20, 60, 10, 100)), "-l", "20", "-u",
                                 base + rng.choice(["/", "/index.html"]), "-p", "3"],
        "slowhttptest-body": ["slowhttptest", "-B", "-c", conns, "-i", str(rate(5, 10, 2, 20)),
                              "-r", str(rate(20, 60, 10, 100)), "-s", str(rate(4096, 8192, 2048, 65536)),
                              "-l", "20", "-u", base + "/login", "-t", "POST", "-p", "3"],
        "slowhttptest-read": ["slowhttptest", "-X", "-c", conns, "-r", str(rate(20, 60, 10, 100)),
                              "-w", "10", "-y", "20", "-n", str(rate(3, 5, 2, 10)), "-z", "32",
                              "-l", "20", "-u", base + "/img/p%d.png" % rng.randint(1, 12),
                              "-p", "3"],
    }
    for tool in pick(sorted(slow), 2):
        add(tool, "slow_dos", tool, slow[tool], 23)
    return plan


def draw_addresses(rng, role, n):
    octets = list(ROLE_OCTETS[role])
    seen = set()
    out = []
    while len(out) < n:
        a = "10.%d.%d.%d" % (rng.choice(octets), rng.randint(0, 255), rng.randint(2, 254))
        if a not in seen:
            seen.add(a)
            out.append(a)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--role", choices=["train", "test"], default="train")
    ap.add_argument("--profile", choices=["full", "ci"], default="full")
    ap.add_argument("--duration", type=float)
    ap.add_argument("--max-packets", type=int)
    ap.add_argument("--logs", help="keep the tools' output in this directory")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("gen.py: run as root (network namespaces)")
    for tool in ("nginx", "tcpdump", "curl", "hping3", "nmap", "slowhttptest", "ethtool"):
        if shutil.which(tool) is None:
            sys.exit("gen.py: %s is missing: run scripts/setup.sh" % tool)
    dur = a.duration or (90.0 if a.profile == "full" else 30.0)
    max_pkts = a.max_packets or (3000000 if a.profile == "full" else 400000)
    rng = random.Random(a.seed * 7919 + (1 if a.role == "test" else 0))
    name = "%s-%s-%d" % (a.role, a.profile, a.seed)
    os.makedirs(a.out, exist_ok=True)
    pcap = os.path.abspath(os.path.join(a.out, name + ".pcap"))
    work = tempfile.mkdtemp(prefix="ww_traffic_")
    os.chmod(work, 0o755)
    rig = Rig("wwt%d" % (os.getpid() % 100000), work)
    atexit.register(shutil.rmtree, work, True)
    atexit.register(rig.destroy)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(130))
    logs = os.path.join(work, "logs")
    os.makedirs(logs)

    conf, users, accounts, admin_pw = write_server(work, rng)
    rig.create()
    srv = rig.add_host("srv", [SERVER])
    srv_mac = rig.sh("cat", "/sys/class/net/eth0/address", ns=srv).strip()
    rig.spawn(srv, ["/usr/bin/python3", os.path.join(HERE, "server_app.py"), "8081", users],
              os.path.join(logs, "app.log"), dur + 60)
    rig.spawn(srv, ["nginx", "-p", work, "-c", conf, "-g", "daemon off;"],
              os.path.join(logs, "nginx.log"), dur + 60)
    cap = rig.spawn(srv, ["tcpdump", "-i", "eth0", "-n", "-s", "65535", "-B", "65536", "-U", "-c",
                          str(max_pkts), "-w", pcap], os.path.join(logs, "tcpdump.log"),
                    dur + 30)

    benign = benign_plan(rng, a.profile, dur, work, users)
    attacks = attack_plan(rng, a.role, a.profile, work, accounts, admin_pw, srv_mac)
    n_addr = len(benign) + 1 + sum(x[5] for x in attacks)
    addrs = draw_addresses(rng, a.role, n_addr)
    hosts = []  # (ns, addr)
    for i, addr in enumerate(addrs):
        hosts.append((rig.add_host("c%d" % i, [addr]), addr))
    # The server answers once nginx is up.
    deadline = time.time() + 15
    while time.time() < deadline:
        r = subprocess.run(["ip", "netns", "exec", hosts[0][0], "curl", "-s", "-o", "/dev/null",
                            "--max-time", "1", "http://%s/healthz" % SERVER],
                           capture_output=True)
        if r.returncode == 0:
            break
        time.sleep(0.3)
    else:
        sys.exit("gen.py: the server did not come up (logs in %s)" % logs)

    t0 = time.time()
    acts = []  # label entries, filled in as activities start and end
    events = []  # (at, kind, payload)
    hi = 0
    for nm, tool, cmd in benign:
        events.append((rng.uniform(0, 2), "benign", (nm, tool, cmd, dur - 3, hosts[hi])))
        hi += 1
    if a.profile == "full":
        at = rng.uniform(dur * 0.2, dur * 0.8)
        events.append((at, "benign", ("ci-load", "ab-ci-loadtest", ci_load_plan(rng, dur), 15,
                                      hosts[hi])))
    hi += 1
    # Attacks spread over the run, each from its own addresses.
    for nm, cls, tool, cmd, secs, sources in attacks:
        start = rng.uniform(2, max(2.5, dur - secs - 2))
        srcs = hosts[hi:hi + sources]
        hi += sources
        events.append((start, "attack", (nm, cls, tool, cmd, secs, srcs)))
    events.sort(key=lambda e: e[0])
    running = []  # (proc, label entry)

    def reap():
        for proc, entry in running:
            if entry["end"] is None and proc.poll() is not None:
                entry["end"] = time.time()

    for at, kind, p in events:
        while time.time() < t0 + at:
            reap()
            time.sleep(min(0.1, max(0.0, t0 + at - time.time())))
        if kind == "benign":
            nm, tool, cmd, secs, (ns, addr) = p
            group = [(ns, addr)]
            cls = "benign"
        else:
            nm, cls, tool, cmd, secs, group = p
        for ns, addr in group:
            proc = rig.spawn(ns, cmd, os.path.join(logs, "%s-%s.log" % (nm, addr)), secs)
            entry = {"src": addr, "ns": ns, "name": nm, "tool": tool, "class": cls,
                     "start": time.time(), "end": None, "limit_s": secs,
                     "command": " ".join(shlex.quote(c) for c in cmd)}
            acts.append(entry)
            running.append((proc, entry))
    end_at = t0 + dur
    while time.time() < end_at and cap.poll() is None:
        reap()
        time.sleep(0.1)
    stop = time.time()
    for proc, entry in running:
        if entry["end"] is None:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            entry["end"] = stop
    time.sleep(1.0)  # the last answers reach the capture
    if cap.poll() is None:
        os.killpg(cap.pid, signal.SIGINT)
        try:
            cap.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(cap.pid, signal.SIGKILL)
    with open(os.path.join(logs, "tcpdump.log")) as fh:
        tcpdump_log = fh.read()
    rig.destroy()
    if a.logs:
        shutil.copytree(logs, a.logs, dirs_exist_ok=True)
    labels = {
        "capture": os.path.basename(pcap), "seed": a.seed, "role": a.role,
        "profile": a.profile, "server": SERVER, "classes": CLASSES,
        "start": t0, "end": stop, "max_packets": max_pkts,
        "tcpdump": tcpdump_log.strip().splitlines()[-3:],
        "activities": acts,
    }
    with open(os.path.join(a.out, name + ".json"), "w") as fh:
        json.dump(labels, fh, indent=1)
    print("gen.py: %s (rig %s): %d activities (%d attacks) from %d addresses over %.0f s; %s"
          % (name, rig.tag, len(acts), sum(e["class"] != "benign" for e in acts),
             len({e["src"] for e in acts}), stop - t0, "; ".join(labels["tcpdump"])))


if __name__ == "__main__":
    main()
