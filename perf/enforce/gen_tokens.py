#!/usr/bin/python3
"""Keys and one token per algorithm for perf/enforce.

    gen_tokens.py OUTDIR     -> keys.spec (the [auth] keys value),
                                tokens.txt ("ALG TOKEN" per line)
Tokens are made by python3-jwt; realistic claims (~250 bytes).
"""
import os
import sys

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

out = sys.argv[1]
T0 = 1767225600
claims = {"iss": "https://id.bench", "aud": "bench", "sub": "user-123456",
          "scope": "read:cart write:cart", "iat": T0 - 10, "nbf": T0 - 10,
          "exp": T0 + 3600, "jti": "0f8c1a2e-5b7d-4f4e-9a51-3c2d1e0b9a87"}
keys = {
    "rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ec256": ec.generate_private_key(ec.SECP256R1()),
    "ec384": ec.generate_private_key(ec.SECP384R1()),
    "ed": ed25519.Ed25519PrivateKey.generate(),
}
spec = []
for name, k in keys.items():
    path = os.path.join(out, name + ".pem")
    with open(path, "wb") as fh:
        fh.write(k.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    spec.append("pem %s kid=%s" % (path, name))
secret = os.urandom(32)
with open(os.path.join(out, "hs.key"), "wb") as fh:
    fh.write(secret)
spec.append("secret %s kid=hs" % os.path.join(out, "hs.key"))
with open(os.path.join(out, "keys.spec"), "w") as fh:
    fh.write(" | ".join(spec))
with open(os.path.join(out, "tokens.txt"), "w") as fh:
    for alg, key, kid in (("HS256", secret, "hs"), ("RS256", keys["rsa"], "rsa"),
                          ("PS256", keys["rsa"], "rsa"), ("ES256", keys["ec256"], "ec256"),
                          ("ES384", keys["ec384"], "ec384"), ("EdDSA", keys["ed"], "ed")):
        fh.write("%s %s\n" % (alg, jwt.encode(claims, key, algorithm=alg,
                                              headers={"kid": kid})))
