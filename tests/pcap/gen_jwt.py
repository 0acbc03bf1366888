#!/usr/bin/python3
"""Generate the JWT pcap case: keys, tokens and requests.

    gen_jwt.py OUTDIR

Tokens are made by independent implementations: python3-jwt (PyJWT with
python3-cryptography) for every algorithm, and the openssl command line
for an HS256 and an RS256 token built by hand. Writes:
  jwks.json, rsa2.pub.pem, hs384.key    the keys wirewall is given
  jwt.ini                               its [auth] section
  jwt.pcap                              one connection per case, a GET
                                        with the case's Authorization
  jwt.json                              per case: client port and the
                                        status the appliance must answer
                                        (200: it lets the request through)
"""
import base64
import json
import os
import subprocess
import sys

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
from scapy.all import IP, TCP, Ether, Raw

from pcapfile import write_pcap

T0 = 1767225600  # the capture's clock: tokens are valid around it
ISS, AUD = "https://id.example.com", "shop"


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwk_of(pub, kid, alg=None):
    if isinstance(pub, rsa.RSAPublicKey):
        d = json.loads(RSAAlgorithm.to_jwk(pub))
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        d = json.loads(ECAlgorithm.to_jwk(pub))
    else:
        d = json.loads(OKPAlgorithm.to_jwk(pub))
    d["kid"] = kid
    if alg:
        d["alg"] = alg
    return d


def openssl_token(out, header, claims, args):
    """Sign with the openssl command line (an implementation independent
    of PyJWT)."""
    signing_input = (b64(json.dumps(header).encode()) + "." +
                     b64(json.dumps(claims).encode())).encode()
    sig = subprocess.run(["openssl", "dgst", "-binary"] + args,
                         input=signing_input, capture_output=True, check=True).stdout
    return signing_input.decode() + "." + b64(sig)


def main():
    out = sys.argv[1]
    rsa1 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa2 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec256 = ec.generate_private_key(ec.SECP256R1())
    ec384 = ec.generate_private_key(ec.SECP384R1())
    ed = ed25519.Ed25519PrivateKey.generate()
    hs256, hs512, hs384 = os.urandom(32), os.urandom(64), os.urandom(48)

    jwks = {"keys": [
        jwk_of(rsa1.public_key(), "rsa1"),
        jwk_of(ec256.public_key(), "ec256", "ES256"),
        jwk_of(ec384.public_key(), "ec384"),
        jwk_of(ed.public_key(), "ed1"),
        {"kty": "oct", "kid": "hs1", "alg": "HS256", "k": b64(hs256)},
        {"kty": "oct", "kid": "hs5", "alg": "HS512", "k": b64(hs512)},
    ]}
    with open(os.path.join(out, "jwks.json"), "w") as fh:
        json.dump(jwks, fh)
    rsa2_pem = rsa2.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with open(os.path.join(out, "rsa2.pub.pem"), "wb") as fh:
        fh.write(rsa2_pem)
    with open(os.path.join(out, "hs384.key"), "wb") as fh:
        fh.write(hs384)
    rsa1_priv = os.path.join(out, "rsa1.key.pem")
    with open(rsa1_priv, "wb") as fh:
        fh.write(rsa1.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    with open(os.path.join(out, "jwt.ini"), "w") as fh:
        # [waf] off: the JWT cases are not the rule engine's.
        fh.write("[waf]\nenabled = no\n"
                 "[flow]\nmax_flows = 65536\n[http]\ncontexts = 256\n[auth]\n"
                 "routes = /api/ %s %s,web | /admin/ %s admin\n" % (ISS, AUD, ISS) +
                 "keys = jwks %s | pem %s kid=rsa2 alg=RS384 | secret %s kid=hs3 alg=HS384\n"
                 % (os.path.join(out, "jwks.json"), os.path.join(out, "rsa2.pub.pem"),
                    os.path.join(out, "hs384.key")))

    good = {"iss": ISS, "aud": AUD, "sub": "alice", "exp": T0 + 3600,
            "nbf": T0 - 60, "jti": "t-1"}

    def tok(key, alg, kid, claims=None, headers=None):
        h = {"kid": kid}
        h.update(headers or {})
        return jwt.encode(claims or good, key, algorithm=alg, headers=h)

    cases = [  # (name, Authorization value or None, path, status)
        ("HS256", "Bearer " + tok(hs256, "HS256", "hs1"), "/api/cart", 200),
        ("HS384 secret file", "Bearer " + tok(hs384, "HS384", "hs3"), "/api/cart", 200),
        ("HS512", "Bearer " + tok(hs512, "HS512", "hs5"), "/api/cart", 200),
        ("RS256", "Bearer " + tok(rsa1, "RS256", "rsa1"), "/api/cart", 200),
        ("RS384 pem", "Bearer " + tok(rsa2, "RS384", "rsa2"), "/api/cart", 200),
        ("RS512", "Bearer " + tok(rsa1, "RS512", "rsa1"), "/api/cart", 200),
        ("PS256", "Bearer " + tok(rsa1, "PS256", "rsa1"), "/api/cart", 200),
        ("ES256", "Bearer " + tok(ec256, "ES256", "ec256"), "/api/cart", 200),
        ("ES384", "Bearer " + tok(ec384, "ES384", "ec384"), "/api/cart", 200),
        ("EdDSA", "Bearer " + tok(ed, "EdDSA", "ed1"), "/api/cart", 200),
        ("aud array", "Bearer " + tok(hs256, "HS256", "hs1", dict(good, aud=["x", "web"])),
         "/api/cart", 200),
        ("openssl HS256", "Bearer " + openssl_token(
            out, {"alg": "HS256", "typ": "JWT", "kid": "hs1"}, good,
            ["-sha256", "-mac", "HMAC", "-macopt", "hexkey:" + hs256.hex()]), "/api/cart", 200),
        ("openssl RS256", "Bearer " + openssl_token(
            out, {"alg": "RS256", "kid": "rsa1"}, good, ["-sha256", "-sign", rsa1_priv]),
         "/api/cart", 200),
        ("no token needed", None, "/public/index.html", 200),
        ("missing", None, "/api/cart", 401),
        ("not bearer", "Basic YWxpY2U6c2VjcmV0", "/api/cart", 401),
        ("alg none", "Bearer " + b64(b'{"alg":"none","kid":"hs1"}') + "." +
         b64(json.dumps(good).encode()) + ".", "/api/cart", 401),
        ("HS/RS confusion", "Bearer " + openssl_token(
            out, {"alg": "HS256", "kid": "rsa1"}, good,
            ["-sha256", "-mac", "HMAC", "-macopt",
             "hexkey:" + serialization.load_pem_public_key(
                 rsa2_pem).public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).hex()]),
         "/api/cart", 401),
        ("HS/RS confusion, pem key", "Bearer " + openssl_token(
            out, {"alg": "HS256", "kid": "rsa2"}, good,
            ["-sha256", "-mac", "HMAC", "-macopt", "hexkey:" + rsa2_pem.hex()]),
         "/api/cart", 401),
        ("expired", "Bearer " + tok(hs256, "HS256", "hs1", dict(good, exp=T0 - 3600)),
         "/api/cart", 401),
        ("not yet valid", "Bearer " + tok(hs256, "HS256", "hs1", dict(good, nbf=T0 + 3600)),
         "/api/cart", 401),
        ("wrong issuer", "Bearer " + tok(hs256, "HS256", "hs1", dict(good, iss="https://evil")),
         "/api/cart", 401),
        ("wrong audience", "Bearer " + tok(hs256, "HS256", "hs1", dict(good, aud="billing")),
         "/api/cart", 403),
        ("audience of another route", "Bearer " + tok(hs256, "HS256", "hs1"),
         "/admin/users", 403),
        ("unknown kid", "Bearer " + tok(hs256, "HS256", "nope"), "/api/cart", 401),
        ("other key, right kid", "Bearer " + tok(other, "RS256", "rsa1"), "/api/cart", 401),
        ("malformed base64", "Bearer " + tok(hs256, "HS256", "hs1").replace(".", ".*", 1),
         "/api/cart", 401),
        ("malformed JSON", "Bearer " + b64(b'{"alg":"HS256","kid":"hs1"') + "." +
         b64(b'{}') + "." + b64(b"x" * 32), "/api/cart", 401),
        ("two parts", "Bearer " + ".".join(tok(hs256, "HS256", "hs1").split(".")[:2]),
         "/api/cart", 401),
    ]
    cases.append(("HS256 again (cached)", cases[0][1], "/api/other", 200))
    t = tok(hs256, "HS256", "hs1")
    parts = t.split(".")
    sig = bytearray(base64.urlsafe_b64decode(parts[2] + "=="))
    sig[5] ^= 0x01
    cases.append(("flipped signature byte", "Bearer " + ".".join(parts[:2] + [b64(sig)]),
                  "/api/cart", 401))

    frames, expect = [], []
    t = float(T0)
    for i, (name, authz, path, status) in enumerate(cases):
        port = 42000 + i
        eth_c = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
        eth_s = Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")
        C = lambda **kw: eth_c / IP(src="192.0.2.50", dst="198.51.100.80") / TCP(sport=port, dport=80, **kw)
        S = lambda **kw: eth_s / IP(src="198.51.100.80", dst="192.0.2.50") / TCP(sport=80, dport=port, **kw)
        req = "GET %s HTTP/1.1\r\nHost: shop.example\r\n" % path
        if authz:
            req += "Authorization: %s\r\n" % authz
        req = (req + "\r\n").encode()
        for f in (C(flags="S", seq=100), S(flags="SA", seq=900, ack=101),
                  C(flags="A", seq=101, ack=901), C(flags="PA", seq=101, ack=901) / Raw(req)):
            frames.append((t, bytes(f)))
            t += 0.001
        expect.append({"name": name, "src_port": port, "status": status})
    write_pcap(os.path.join(out, "jwt.pcap"), frames)
    with open(os.path.join(out, "jwt.json"), "w") as fh:
        json.dump(expect, fh, indent=1)


if __name__ == "__main__":
    main()
