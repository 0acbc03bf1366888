#!/usr/bin/python3
"""The payload corpus: attack payloads from the wordlists that Debian's
wfuzz, sqlmap, wapiti and dirb packages install (read here, at test time,
from the installed packages; never copied into the repository) and benign
requests of the kinds a shop and its API see, each request in a TCP
connection of its own, to 10.77.0.2:80.

    gen_corpus.py OUTDIR [ATTACKS] [BENIGN] [SEED]

Writes OUTDIR/corpus.pcap (offline mode's input), OUTDIR/requests.bin
(the same requests as length-prefixed raw bytes, for libmodsecurity3) and
OUTDIR/corpus.json (per request: its client port, kind, where the payload
came from, and the request line). Exits 77 when a package is missing.
"""
import json
import os
import random
import re
import struct
import sys
import urllib.parse

from pcapfile import tcp4, write_pcap

SOURCES = {
    "wfuzz": "/usr/share/wfuzz/wordlist/Injections",
    "sqlmap": "/usr/share/sqlmap/data/xml/payloads",
    "wapiti": "/usr/lib/python3/dist-packages/wapitiCore/data/attacks",
    "dirb": "/usr/share/dirb/wordlists/common.txt",
}

# sqlmap's placeholders, given plain values as sqlmap would at run time.
SQLMAP_FILL = {
    "RANDNUM": "4821", "RANDNUM1": "7713", "RANDNUM2": "1902",
    "RANDNUM3": "5521", "RANDNUM4": "6650", "RANDNUM5": "3302",
    "RANDSTR": "qzXb", "RANDSTR1": "kVpa", "RANDSTR2": "Lmno",
    "INFERENCE": "1=1", "SLEEPTIME": "5", "DELIMITER_START": "qkvvq",
    "DELIMITER_STOP": "qzxbq", "ORIGVALUE": "1", "ORIGINAL": "1",
    "GENERIC_SQL_COMMENT": "-- -", "QUERY": "SELECT 1", "CHAR": "NULL",
    "UNION": "", "COLSTART": "1", "COLSTOP": "3", "SPACE": " ",
}


def lines(path):
    with open(path, encoding="latin-1") as fh:
        return [l.rstrip("\r\n") for l in fh if l.strip() and not l.startswith("#")]


def attack_payloads():
    out = []
    for name in sorted(os.listdir(SOURCES["wfuzz"])):
        if name.endswith(".txt") and name != "bad_chars.txt":
            out += [("wfuzz/" + name, p) for p in lines(os.path.join(SOURCES["wfuzz"], name))]
    for name in sorted(os.listdir(SOURCES["sqlmap"])):
        with open(os.path.join(SOURCES["sqlmap"], name), encoding="latin-1") as fh:
            for p in re.findall(r"<payload>(.+?)</payload>", fh.read()):
                p = re.sub(r"\[([A-Z_0-9]+)\]", lambda m: SQLMAP_FILL.get(m[1], "1"), p)
                p = p.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                # As sqlmap sends them: after a value, with and without
                # closing a quoted one.
                out.append(("sqlmap/" + name, "1 " + p))
                out.append(("sqlmap/" + name, "1' " + p + " -- -"))
    for name in ("blindSQLPayloads.txt", "execPayloads.txt"):
        out += [("wapiti/" + name, p.replace("[TIME]", "5").replace("[VALUE]", "1")
                 .replace("[TAB]", "\t"))
                for p in lines(os.path.join(SOURCES["wapiti"], name))]
    with open(os.path.join(SOURCES["wapiti"], "xssPayloads.ini"), encoding="latin-1") as fh:
        for l in fh:
            if l.startswith("payload"):
                out.append(("wapiti/xssPayloads.ini",
                            l.split("=", 1)[1].strip().replace("__XSS__", "w4p1t1")))
    return out


def dirb_paths():
    return [("dirb/common.txt", w) for w in lines(SOURCES["dirb"])]


HEAD = ("Host: shop.example\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) "
        "Gecko/20100101 Firefox/115.0\r\nAccept: text/html,application/json;q=0.9,*/*;q=0.8\r\n"
        "Accept-Language: en-GB,en;q=0.7\r\n")


def get(path):
    return ("GET %s HTTP/1.1\r\n%s\r\n" % (path, HEAD)).encode("latin-1")


def post(path, body, ctype="application/x-www-form-urlencoded"):
    body = body.encode("latin-1") if isinstance(body, str) else body
    return (("POST %s HTTP/1.1\r\n%sContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
             % (path, HEAD, ctype, len(body))).encode("latin-1") + body)


def q(s):
    return urllib.parse.quote(s, safe="")


def benign(rnd, n):
    words = ["red", "shoes", "samsung", "55\" tv", "coffee maker", "O'Brien",
             "rock'n'roll", "5 o'clock", "select the best option", "union station",
             "drop by tomorrow", "1 or 2 people", "and/or", "it's a test",
             "Müller", "naïve café", "C++ book", "50% off", "size 10-12", "#1 seller",
             "<3 gifts", "a < b", "email me", "Jean-Luc", "Dr. Who", "AT&T",
             "script writer", "javascript tutorial", "online onion", "price > 20"]
    names = ["Ann", "Bob", "D'Arcy", "Zoë", "Li Wei", "Ana María", "O'Neil"]
    out = []
    for i in range(n):
        k = i % 8
        w = rnd.choice(words)
        if k == 0:
            r = get("/search?q=%s&page=%d" % (q(w), rnd.randrange(1, 9)))
        elif k == 1:
            r = get("/product/%d?ref=home&utm_source=news&utm_medium=email" % rnd.randrange(99999))
        elif k == 2:
            r = post("/cart/add", "sku=%d&qty=%d&note=%s" % (rnd.randrange(9999), rnd.randrange(1, 5), q(w)))
        elif k == 3:
            r = post("/api/orders", json.dumps({"sku": rnd.randrange(9999), "qty": 2,
                                                "name": rnd.choice(names), "note": w}),
                     "application/json")
        elif k == 4:
            r = post("/account/register", "name=%s&email=%s&password=%s" % (
                q(rnd.choice(names)), q("user%d@example.com" % i),
                q("Pa55-%d!xQ" % rnd.randrange(99999))))
        elif k == 5:
            r = get("/static/img/p%d.jpg" % rnd.randrange(999))
        elif k == 6:
            r = get("/api/items?sort=price&order=asc&limit=20&offset=%d" % (20 * rnd.randrange(9)))
        else:
            r = post("/reviews", "rating=%d&text=%s" % (rnd.randrange(1, 6), q(
                "Great %s, would buy again. Arrived in 2-3 days; %s" % (w, rnd.choice(words)))))
        out.append(("generated", r))
    return out


def frames_for(port, req, t):
    """A connection: handshake, the request in segments, the server's
    ACK, no answer (the verdict is the appliance's, not the server's),
    then the close, as a client ends it."""
    def seg(src, dst, sp, dp, seq, ack, flags, data=b""):
        eth = bytes.fromhex("020000000002020000000001" if src == CLI else
                            "020000000001020000000002") + b"\x08\x00"
        return eth + tcp4(src, dst, sp, dp, seq, ack, flags, data)
    out = [(t, seg(CLI, SRV, port, 80, 1000, 0, 0x02)),
           (t + 0.0001, seg(SRV, CLI, 80, port, 9000, 1001, 0x12)),
           (t + 0.0002, seg(CLI, SRV, port, 80, 1001, 9001, 0x10))]
    for off in range(0, len(req), 1400):
        out.append((t + 0.0003 + off * 1e-8, seg(CLI, SRV, port, 80, 1001 + off, 9001, 0x18,
                                                 req[off:off + 1400])))
    end = 1001 + len(req)
    out.append((t + 0.0005, seg(SRV, CLI, 80, port, 9001, end, 0x10)))
    out.append((t + 0.0006, seg(CLI, SRV, port, 80, end, 9001, 0x11)))
    out.append((t + 0.0007, seg(SRV, CLI, 80, port, 9001, end + 1, 0x11)))
    out.append((t + 0.0008, seg(CLI, SRV, port, 80, end + 1, 9002, 0x10)))
    return out


CLI, SRV = bytes([10, 77, 0, 1]), bytes([10, 77, 0, 2])


def main():
    outdir = sys.argv[1]
    n_attack = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    n_benign = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
    if not all(os.path.exists(p) for p in SOURCES.values()):
        print("SKIP: wfuzz, sqlmap, wapiti and dirb must be installed")
        sys.exit(77)
    attacks = attack_payloads()
    reqs = []
    for src, p in attacks:
        reqs.append(("attack", src, get("/search?q=" + q(p))))
        reqs.append(("attack", src, post("/login", "user=admin&password=" + q(p))))
    paths = dirb_paths()
    rnd.shuffle(paths)
    for src, w in paths[: max(0, n_attack // 6)]:
        reqs.append(("attack", src, get("/" + q(w).replace("%2F", "/"))))
    attack_reqs = [r for r in reqs if r[0] == "attack"]
    rnd.shuffle(attack_reqs)
    attack_reqs = attack_reqs[:n_attack]
    ben = [("benign", s, r) for s, r in benign(rnd, n_benign)]
    allr = attack_reqs + ben
    rnd.shuffle(allr)
    os.makedirs(outdir, exist_ok=True)
    frames, meta = [], []
    t = 1767225600.0
    with open(os.path.join(outdir, "requests.bin"), "wb") as fh:
        for i, (kind, src, r) in enumerate(allr):
            port = 10000 + i
            frames += frames_for(port, r, t + i * 0.001)
            fh.write(struct.pack("!I", len(r)) + r)
            line = r.split(b"\r\n", 1)[0].decode("latin-1")
            body = r.split(b"\r\n\r\n", 1)[1].decode("latin-1")
            meta.append({"port": port, "kind": kind, "source": src,
                         "line": line + (" [body] " + body if body else "")})
    write_pcap(os.path.join(outdir, "corpus.pcap"), frames)
    with open(os.path.join(outdir, "corpus.json"), "w") as fh:
        json.dump(meta, fh)
    print("corpus: %d attack and %d benign requests" % (len(attack_reqs), len(ben)))


if __name__ == "__main__":
    main()
