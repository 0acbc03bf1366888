#!/usr/bin/python3
"""The shop's application server, behind nginx in the capture rig's
server namespace (scripts/traffic/gen.py).

    server_app.py PORT USERS_FILE

A JSON API and a login form, enough for the tools of the captures to do
what they do against a real shop:
  POST /login            form user=&password=; 302 + session cookie, or
                         200 "invalid credentials" (what hydra looks for)
  GET  /account          the session's page, else 302 to /login.html
  POST /api/login        JSON {"user","password"} -> {"token": JWT (HS256)}
                         or 401
  GET  /api/products     the catalogue; ?id=N one product (sqlmap's target:
                         id is parsed as an integer, never interpolated)
  GET  /api/search?q=    products whose name contains q
  GET  /api/orders       needs "Authorization: Bearer <JWT>", else 401
  POST /api/cart         needs the token; JSON body echoed back
  GET  /healthz          "ok"
Anything else is 404. Passwords are in USERS_FILE (user:password lines).
"""
import base64
import hashlib
import hmac
import json
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The HS256 secret, issuer and audience wirewall's [auth] is given when
# it checks these tokens (scripts/eval.sh).
SECRET = b"wirewall-traffic-rig-hs256-secret-key"
ISSUER = "https://shop.rig"
AUDIENCE = "shop"
PRODUCTS = [{"id": i, "name": n, "price": p} for i, (n, p) in enumerate([
    ("espresso cup", 7.5), ("teapot", 24.0), ("coffee grinder", 89.0),
    ("milk jug", 12.0), ("pour-over kettle", 49.0), ("tea strainer", 5.5),
    ("bean scale", 31.0), ("travel mug", 18.0), ("french press", 29.0),
    ("moka pot", 35.0), ("filter papers", 4.0), ("tamper", 22.0)], 1)]
USERS = {}
SESSIONS = {}


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def make_jwt(user):
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    now = int(time.time())
    body = b64(json.dumps({"iss": ISSUER, "aud": AUDIENCE, "sub": user, "iat": now,
                           "exp": now + 3600}).encode())
    sig = hmac.new(SECRET, (head + "." + body).encode(), hashlib.sha256).digest()
    return head + "." + body + "." + b64(sig)


def check_jwt(token):
    try:
        head, body, sig = token.split(".")
        want = hmac.new(SECRET, (head + "." + body).encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(b64(want), sig):
            return None
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return claims["sub"] if claims.get("exp", 0) > time.time() else None
    except (ValueError, KeyError):
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "shop/1.0"

    def log_message(self, *args):
        pass

    def send(self, code, body, ctype="application/json", headers=()):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(n, 65536)) if n > 0 else b""

    def user(self):
        auth = self.headers.get("Authorization", "")
        return check_jwt(auth[7:]) if auth.startswith("Bearer ") else None

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path == "/healthz":
            return self.send(200, "ok\n", "text/plain")
        if url.path == "/api/products":
            if "id" in q:
                try:
                    pid = int(q["id"][0])
                except ValueError:
                    return self.send(400, '{"error": "bad id"}')
                match = [p for p in PRODUCTS if p["id"] == pid]
                if not match:
                    return self.send(404, '{"error": "no such product"}')
                return self.send(200, json.dumps(match[0]))
            return self.send(200, json.dumps(PRODUCTS))
        if url.path == "/api/search":
            term = (q.get("q") or [""])[0].lower()
            return self.send(200, json.dumps([p for p in PRODUCTS if term in p["name"]]))
        if url.path == "/api/orders":
            user = self.user()
            if user is None:
                return self.send(401, '{"error": "token required"}',
                                 headers=[("WWW-Authenticate", "Bearer")])
            return self.send(200, json.dumps({"user": user, "orders": []}))
        if url.path == "/account":
            cookie = self.headers.get("Cookie", "")
            sid = cookie.split("sid=")[-1].split(";")[0] if "sid=" in cookie else ""
            if sid in SESSIONS:
                return self.send(200, "<html><body>Hello %s</body></html>" % SESSIONS[sid],
                                 "text/html")
            return self.send(302, "", "text/html", [("Location", "/login.html")])
        return self.send(404, '{"error": "not found"}')

    do_HEAD = do_GET

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        data = self.body()
        if url.path == "/login":
            form = urllib.parse.parse_qs(data.decode("latin-1"))
            user = (form.get("user") or [""])[0]
            if user in USERS and USERS[user] == (form.get("password") or [""])[0]:
                sid = b64(hashlib.sha256(("%s%f" % (user, time.time())).encode()).digest()[:12])
                SESSIONS[sid] = user
                return self.send(302, "", "text/html", [("Location", "/account"),
                                                        ("Set-Cookie", "sid=%s; HttpOnly" % sid)])
            return self.send(200, "<html><body>invalid credentials</body></html>", "text/html")
        if url.path == "/api/login":
            try:
                cred = json.loads(data or b"{}")
                user, pw = str(cred.get("user", "")), str(cred.get("password", ""))
            except (ValueError, AttributeError):
                return self.send(400, '{"error": "bad json"}')
            if user in USERS and USERS[user] == pw:
                return self.send(200, json.dumps({"token": make_jwt(user)}))
            return self.send(401, '{"error": "invalid credentials"}')
        if url.path == "/api/cart":
            if self.user() is None:
                return self.send(401, '{"error": "token required"}',
                                 headers=[("WWW-Authenticate", "Bearer")])
            return self.send(200, data or b"{}")
        return self.send(404, '{"error": "not found"}')


def main():
    port, users = int(sys.argv[1]), sys.argv[2]
    with open(users) as fh:
        for line in fh:
            if ":" in line:
                u, p = line.rstrip("\n").split(":", 1)
                USERS[u] = p
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
