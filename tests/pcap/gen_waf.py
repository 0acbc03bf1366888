#!/usr/bin/python3
"""Generate the request-validation pcap case.

    gen_waf.py OUTDIR     -> waf.pcap, waf.json

One connection per request (handshake, then the request in one segment),
attacks beside benign requests of the same shapes: GETs with arguments
and the headers a browser sends, form POSTs, JSON POSTs. waf.json lists
per client port whether the CRS must stop the request.
"""
import json
import os
import sys

from gen_limit import connection
from pcapfile import write_pcap

T0 = 1767225600
BROWSER = ("Host: shop.example\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) "
           "Gecko/20100101 Firefox/128.0\r\nAccept: text/html,application/xhtml+xml\r\n"
           "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\n"
           "Connection: keep-alive\r\n")


def get(path):
    return ("GET %s HTTP/1.1\r\n%s\r\n" % (path, BROWSER)).encode()


def post(path, ctype, body):
    return ("POST %s HTTP/1.1\r\n%sContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s"
            % (path, BROWSER, ctype, len(body), body)).encode()


CASES = [  # (name, request, stopped)
    ("benign GET", get("/catalog/item?id=42&ref=home&sort=price"), False),
    ("benign form", post("/account/login", "application/x-www-form-urlencoded",
                         "user=alice&password=correct+horse&remember=1"), False),
    ("benign JSON", post("/api/cart", "application/json",
                         '{"item": 42, "qty": 2, "note": "gift wrap please"}'), False),
    ("SQL injection in the query", get("/catalog/item?id=1%27%20UNION%20SELECT%20password%20FROM%20users--"), True),
    ("XSS in a form", post("/comment", "application/x-www-form-urlencoded",
                           "text=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E"), True),
    ("command injection in JSON", post("/api/ping", "application/json",
                                       '{"host": "127.0.0.1; cat /etc/passwd"}'), True),
    ("path traversal", get("/download?file=../../../../etc/passwd"), True),
]


def main():
    out = sys.argv[1]
    frames, expect = [], []
    for i, (name, req, stopped) in enumerate(CASES):
        port = 43000 + i
        connection(frames, T0 + i * 0.01, "192.0.2.60", port, "", raw=req)
        expect.append({"name": name, "src_port": port, "stopped": stopped})
    write_pcap(os.path.join(out, "waf.pcap"), frames)
    with open(os.path.join(out, "waf.json"), "w") as fh:
        json.dump(expect, fh, indent=1)


if __name__ == "__main__":
    main()
