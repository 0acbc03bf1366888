"""wirewallctl --json against a running wirewall: every command's answer
is one JSON document with the fields it documents, a refusal is
{"error": ...} with exit status 1, an appliance out of reach is
{"error": ...} with exit status 2, and the text form of a command tells
the same as its JSON. Every command the appliance knows (its own list, in
the answer to an unknown command) must have a case here.

    ctl_json.py WIREWALLCTL SOCKET BLOCK_LIST_ADDRESS

Prints TAP-style lines; exits 1 if a check failed.
"""
import json
import re
import subprocess
import sys

CTL, SOCK, LISTED = sys.argv[1], sys.argv[2], sys.argv[3]
failed = False


def ctl(*words, json_mode=True, sock=SOCK):
    args = [CTL, "-s", sock] + (["--json"] if json_mode else []) + list(words)
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout


def check(what, ok, detail=""):
    global failed
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        failed = True
        if detail:
            print("    " + detail.replace("\n", "\n    "))


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def dynamic(j, prefix):
    return [e for e in j if e["prefix"] == prefix and e["source"] == "dynamic"]


# (command, exit status, test of the document). Commands with side effects
# run once, in this order.
CASES = [
    ("status", 0, lambda j: j["ready"] is True and j["forwarding"] is True
     and j["waf"] == "in_force" and is_int(j["waf_rules"]) and j["waf_rules"] > 0
     and j["waf_not_ready"] == "pass" and is_int(j["policy"])
     and is_int(j["waf_seconds"])),
    ("stats", 0, lambda j: is_int(j["uptime"]) and "waf_not_ready" in j["exceptions"]
     and is_int(j["drop"]["total"])),
    ("block add 192.0.2.7 60", 0, lambda j: j == {"prefix": "192.0.2.7/32", "ttl_s": 60}),
    ("block add 198.51.100.0/24", 0,
     lambda j: j == {"prefix": "198.51.100.0/24", "ttl_s": 0}),
    ("block list", 0, lambda j: isinstance(j, list)
     and {"prefix": LISTED, "source": "listed", "except": False} in j
     and 0 < dynamic(j, "192.0.2.7/32")[0]["expires_in_s"] <= 60
     and "expires_in_s" not in dynamic(j, "198.51.100.0/24")[0]),
    ("block del 198.51.100.0/24", 0, lambda j: j == {"prefix": "198.51.100.0/24"}),
    ("block reload", 0, lambda j: j == {"files": 1}),
    ("auth revoke jti t-9 600", 0, lambda j: j == {"revoked": "jti", "ttl_s": 600}),
    ("waf reload", 0, lambda j: is_int(j["rules"]) and j["rules"] > 0
     and is_int(j["policy"]) and isinstance(j["compile_s"], (int, float))
     and "rules in force" in j["message"]),
    ("model reload", 0, lambda j: j["message"].startswith("classifier ")),
    ("set exceptions.midstream=pass", 0, lambda j: is_int(j["policy"])
     and j["waf_recompiled"] is False and "in force" in j["message"]),
    ("set waf.anomaly_threshold=7", 0, lambda j: j["waf_recompiled"] is True),
    ("set limit.routes=GET /api/ 5 5", 0, lambda j: j["waf_recompiled"] is False),
    # Everything re-read, each part saying what it did.
    ("reload", 0, lambda j: is_int(j["policy"]) and all(
        part + ":" in j["message"]
        for part in ("configuration", "rules", "models", "block lists"))),
    ("offenders", 0, lambda j: isinstance(j, list)),
    # Refusals: {"error": reason}, exit status 1.
    ("block add 10.0.0.1/8", 1, lambda j: "host bits" in j["error"]),
    ("block del 192.0.2.99", 1, lambda j: "not a dynamic entry" in j["error"]),
    ("block add", 1, lambda j: j["error"] == "usage: block add PREFIX [TTL_SECONDS]"),
    ("auth revoke nope x", 1, lambda j: j["error"].startswith("usage: auth revoke")),
    ("set flow.max_flows=2048", 1, lambda j: "[flow] max_flows" in j["error"]),
    ("set waf.paranoia_level=9", 1, lambda j: "[waf] paranoia_level" in j["error"]),
    ("stats now", 1, lambda j: j["error"] == "usage: stats"),
    ("bogus", 1, lambda j: j["error"].startswith("unknown command 'bogus'")),
]

covered = set()
for cmd, want_rc, test in CASES:
    rc, out = ctl(*cmd.split())
    try:
        doc = json.loads(out)
        parsed = True
    except ValueError:
        parsed = False
    check("--json %s: one JSON document" % cmd, parsed, out)
    if not parsed:
        continue
    check("--json %s: exit status %d" % (cmd, want_rc), rc == want_rc, "got %d" % rc)
    if want_rc != 0 and set(doc) != {"error"}:
        check("--json %s: only {\"error\"}" % cmd, False, out)
    try:
        good = bool(test(doc))
    except (KeyError, IndexError, TypeError) as e:
        good, out = False, "%s: %r" % (out, e)
    check("--json %s: the expected fields" % cmd, good, out)
    if want_rc == 0:
        covered.add(" ".join(cmd.split()[:2]) if cmd.split()[0] in
                    ("block", "auth", "waf", "model") else cmd.split()[0])

# The text form tells the same: the verdict line, and the same entries.
rc, text = ctl("block", "list", json_mode=False)
_, js = ctl("block", "list")
lines = text.strip().split("\n")
check("text block list: ends in ok, one line per JSON entry",
      rc == 0 and lines[-1] == "ok" and len(lines) - 1 == len(json.loads(js)), text)
rc, text = ctl("status", json_mode=False)
check("text status: key value lines as the JSON's",
      rc == 0 and "waf in_force" in text.split("\n") and "ready true" in text.split("\n"),
      text)
rc, text = ctl("block", "del", "192.0.2.99", json_mode=False)
check("text refusal: error: line, exit status 1",
      rc == 1 and text.startswith("error: ") and "not a dynamic entry" in text, text)

# Out of reach: still one document, exit status 2.
rc, out = ctl("status", sock="/nonexistent/ww.sock")
try:
    ok = rc == 2 and "cannot reach wirewall" in json.loads(out)["error"]
except (ValueError, KeyError):
    ok = False
check("--json with no appliance: {\"error\"}, exit status 2", ok, out)

# Every command the appliance lists has a case above.
_, out = ctl("bogus")
listed = re.findall(r"(?:\(commands: | \| )([a-z]+(?: [a-z]+)?)", json.loads(out)["error"])
listed = {c if c.split()[0] in ("block", "auth", "waf", "model") else c.split()[0]
          for c in listed}
check("every command has a --json case here (%s)" % ", ".join(sorted(listed)),
      listed and listed <= covered, "missing: %s" % sorted(listed - covered))
sys.exit(1 if failed else 0)
