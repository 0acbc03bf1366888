#!/usr/bin/python3
"""Benign users of the shop, each a sequence of curl commands with think
time, run from one client namespace (scripts/traffic/gen.py).

    users.py SERVER SECONDS SEED USERS KIND [PASSWORDS]

KIND:
  browse   shoppers: home page and its resources, product pages, search,
           the form login, the account page, API login and token calls
           (orders, cart); think time 0.5-4 s
  nat      the same shoppers, many at once from one address (the NAT
           gateway trap: one source, many concurrent users)
  http10   old clients: HTTP/1.0, no keep-alive, a page at a time
  cond     caches and download managers: conditional requests
           (If-Modified-Since, If-None-Match) and byte ranges
PASSWORDS: user:password lines of real accounts (logins succeed).
Every request is one curl process: the tool real users' scripts use.
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

CURL = ["curl", "-s", "-o", "/dev/null", "--max-time", "10", "-w", "%{http_code}"]


def curl(args, out=None):
    cmd = list(CURL) + args
    if out is not None:
        cmd[cmd.index("-o") + 1] = out
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=15).stdout
    except subprocess.TimeoutExpired:
        return ""


def page_and_resources(base, path, extra, rng):
    curl(extra + [base + path])
    for res in ("/style.css", "/app.js", "/img/logo.png"):
        if rng.random() < 0.8:  # some are cached
            curl(extra + [base + res])


def shopper(base, deadline, rng, accounts, extra, jar):
    token = None
    while time.time() < deadline:
        r = rng.random()
        if r < 0.35:
            page_and_resources(base, rng.choice(["/", "/index.html", "/about.html"]), extra, rng)
        elif r < 0.6:
            page_and_resources(base, "/products/%d.html" % rng.randint(1, 12), extra, rng)
            curl(extra + ["%s/img/p%d.png" % (base, rng.randint(1, 12))])
        elif r < 0.7:
            curl(extra + ["%s/api/search?q=%s" % (base, rng.choice(
                ["tea", "cup", "mug", "press", "kettle", "pot", "grinder"]))])
        elif r < 0.78 and accounts:
            user, pw = rng.choice(accounts)
            curl(extra + ["-c", jar, "-b", jar, "-d", "user=%s&password=%s" % (user, pw),
                          base + "/login"])
            curl(extra + ["-b", jar, base + "/account"])
        elif r < 0.88 and accounts:
            if token is None:
                user, pw = rng.choice(accounts)
                out = subprocess.run(
                    ["curl", "-s", "--max-time", "10", "-H", "Content-Type: application/json",
                     "-d", json.dumps({"user": user, "password": pw}), base + "/api/login"],
                    capture_output=True, text=True, timeout=15).stdout
                try:
                    token = json.loads(out)["token"]
                except (ValueError, KeyError, TypeError):
                    token = None
            if token:
                auth = ["-H", "Authorization: Bearer " + token]
                curl(extra + auth + [base + "/api/orders"])
                if rng.random() < 0.5:
                    curl(extra + auth + ["-H", "Content-Type: application/json", "-d",
                                         json.dumps({"product": rng.randint(1, 12),
                                                     "qty": rng.randint(1, 3)}),
                                         base + "/api/cart"])
        else:
            curl(extra + [base + "/api/products"])
        time.sleep(rng.uniform(0.5, 4.0))


def http10(base, deadline, rng):
    while time.time() < deadline:
        curl(["--http1.0", base + rng.choice(["/", "/about.html", "/products/%d.html"
                                              % rng.randint(1, 12)])])
        time.sleep(rng.uniform(1.0, 5.0))


def conditional(base, deadline, rng):
    while time.time() < deadline:
        path = rng.choice(["/", "/style.css", "/app.js", "/img/p%d.png" % rng.randint(1, 12)])
        r = rng.random()
        if r < 0.4:
            curl(["-z", "Sat, 01 Jan 2022 00:00:00 GMT", base + path])
        elif r < 0.7:
            curl(["-H", 'If-None-Match: "%08x"' % rng.getrandbits(32), base + path])
        else:
            a = rng.randint(0, 512)
            curl(["-r", "%d-%d" % (a, a + rng.randint(1, 1024)), base + path])
        time.sleep(rng.uniform(0.5, 3.0))


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    server, secs, seed, n, kind = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5]
    accounts = []
    if len(sys.argv) > 6:
        with open(sys.argv[6]) as fh:
            accounts = [tuple(l.rstrip("\n").split(":", 1)) for l in fh if ":" in l]
    base = "http://%s" % server
    deadline = time.time() + secs
    threads = []
    jars = tempfile.mkdtemp(prefix="ww_users_")  # cookie jars, removed at the end
    for i in range(n):
        rng = random.Random(seed * 1000 + i)
        if kind in ("browse", "nat"):
            extra = ["-A", rng.choice([
                "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/120.0 Safari/537.36",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"])]
            jar = os.path.join(jars, "%d.jar" % i)
            t = threading.Thread(target=shopper, args=(base, deadline, rng, accounts, extra, jar))
        elif kind == "http10":
            t = threading.Thread(target=http10, args=(base, deadline, rng))
        elif kind == "cond":
            t = threading.Thread(target=conditional, args=(base, deadline, rng))
        else:
            sys.exit("users.py: unknown kind %s" % kind)
        t.daemon = True
        # Users arrive over the first seconds, not all at once.
        time.sleep(rng.uniform(0, min(3.0, secs / 10)))
        t.start()
        threads.append(t)
    for t in threads:
        t.join(max(0.0, deadline - time.time()) + 12)
    shutil.rmtree(jars, ignore_errors=True)


if __name__ == "__main__":
    main()
