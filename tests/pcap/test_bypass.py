#!/usr/bin/python3
"""Exception paths end to end: attacks that hide where inspection gives up.

    test_bypass.py WIREWALL_BINARY

Generates the captures (gen_bypass.py), runs the appliance over them in
offline mode and checks what a user relies on for each way an attacker
could slip a request past inspection (IP fragments, a SYN flood that eats
the HTTP contexts, segments outside the TCP window, a body longer than
the inspected depth, a flow evicted under a segment in flight, a value
that makes a rule's regex give up):

- the server never receives the attack: what the appliance forwards
  towards the server is put back together as the server's stacks would
  (IP fragments reassembled, then each connection's client bytes in
  sequence order, first copy of a byte wins, up to the first hole) and
  the attack's marker bytes are not in it;
- the request was judged or refused: an alert, an anomaly event, or a
  reset or answer injected towards the client;
- a benign connection of the same shape comes through intact, so no case
  can pass by stopping everything.

Each test also checks that its capture really carries the attack (the
same reassembly over the input finds the marker), so none passes for
want of an attack.
"""
import datetime
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

from pcapfile import read_pcap

HERE = os.path.dirname(os.path.abspath(__file__))
WIREWALL = None
CONFIG = """[general]
protected_networks = 10.77.0.2/32, fd00:77::2/128
[waf]
enabled = no
[flow]
max_flows = 65536
[http]
contexts = 64
"""
# The rule engine's shared cache of compiled databases (scripts/test.sh).
WAF_ON_SETS = ("waf.enabled=yes",
               "waf.cache_dir=" + os.environ.get("WW_WAF_CACHE", ""))
WAF_ON = [a for kv in WAF_ON_SETS for a in ("--set", kv)]
ACTIONS = ("pass", "drop", "reset")
EXCEPTIONS = ("no_context", "reassembly_cap", "body_over_depth", "fragment_failure",
              "waf_arena", "regex_limit", "midstream", "flow_lost")


def eve_lines(path):
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def eve_time(e):
    """An event's timestamp in seconds since the epoch."""
    return datetime.datetime.strptime(e["timestamp"],
                                      "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def datagrams(frames):
    """The complete IP datagrams in @frames, in order, as (family, src,
    dst, protocol, L4 bytes): IPv4 fragments put together by scapy's
    defragment(), IPv6 ones here (first copy of a byte wins). Fragments
    of datagrams that never complete are left out."""
    from scapy.all import IP, Ether, IPv6, IPv6ExtHdrFragment, conf, defragment
    conf.logLevel = 40  # scapy warns about overlapping fragments
    pkts = [Ether(raw) for raw in frames]
    out, v6 = [], {}
    for p in defragment(pkts):
        if IP in p:
            ip = p[IP]
            if ip.flags.MF or ip.frag:
                continue  # a datagram that never completed
            raw = bytes(ip)
            ihl = (raw[0] & 15) * 4
            total = struct.unpack("!H", raw[2:4])[0]
            out.append((4, ip.src, ip.dst, ip.proto, raw[ihl:total]))
        elif IPv6 in p:
            ip = p[IPv6]
            if IPv6ExtHdrFragment not in p:
                out.append((6, ip.src, ip.dst, ip.nh,
                            bytes(ip.payload)[:ip.plen]))
                continue
            fh = p[IPv6ExtHdrFragment]
            key = (ip.src, ip.dst, fh.id)
            d = v6.setdefault(key, {"bytes": {}, "total": None, "nh": None,
                                    "done": False})
            if d["done"]:
                continue
            # The fragment's data: what follows its header, as plen says.
            raw = bytes(ip)
            data = raw[len(raw) - len(bytes(fh.payload)):40 + ip.plen]
            off = fh.offset * 8
            for i, b in enumerate(data):
                d["bytes"].setdefault(off + i, b)
            if off == 0:
                d["nh"] = fh.nh
            if not fh.m and d["total"] is None:
                d["total"] = off + len(data)
            if d["total"] is not None and d["nh"] is not None and \
                    all(i in d["bytes"] for i in range(d["total"])):
                d["done"] = True
                out.append((6, ip.src, ip.dst, d["nh"],
                            bytes(d["bytes"][i] for i in range(d["total"]))))
    return out


def tcp_segments(frames):
    """[(src, sport, dst, dport, seq, flags, payload)] of the TCP
    segments in @frames, after IP reassembly."""
    segs = []
    for _, src, dst, proto, l4 in datagrams(frames):
        if proto != 6 or len(l4) < 20:
            continue
        sport, dport, seq, _, off_flags = struct.unpack("!HHIIH", l4[:14])
        hl = (off_flags >> 12) * 4
        segs.append((src, sport, dst, dport, seq, off_flags & 0x3f, l4[hl:]))
    return segs


def client_stream(segs, c):
    """The bytes connection @c's server can read: client payload in
    sequence order from the ISN, first copy of each byte wins, up to the
    first hole."""
    got = {}
    for src, sport, dst, dport, seq, _, payload in segs:
        if (src, sport, dst, dport) != (c["client"], c["port"], c["server"], 80):
            continue
        off = (seq - c["isn"] - 1) % (1 << 32)
        if off >= 1 << 31:
            continue  # before the ISN
        for i, b in enumerate(payload):
            got.setdefault(off + i, b)
    out = bytearray()
    while len(out) in got:
        out.append(got[len(out)])
    return bytes(out)


class Run:
    """One run of the appliance over a capture."""

    def __init__(self, inp, out, events):
        self.input = [f[1] for f in inp]
        self.out = [f[1] for f in out]
        self.events = events
        stats = [e for e in events if e["event_type"] == "stats"]
        self.stats = stats[-1]["stats"] if stats else {}
        given = set(self.input)
        self.injected = [f for f in self.out if f not in given]
        self._segs = {}

    def segs(self, which):
        if which not in self._segs:
            self._segs[which] = tcp_segments(getattr(self, which))
        return self._segs[which]

    def received(self, c):
        """What @c's server got."""
        return client_stream(self.segs("out"), c)

    def sent(self, c):
        """What @c's client sent."""
        return client_stream(self.segs("input"), c)

    def alerts(self, port=None, category=None):
        return [e for e in self.events if e["event_type"] == "alert"
                and (port is None or e.get("src_port") == port)
                and (category is None or e["alert"]["category"] == category)]

    def anomalies(self, exception):
        return [e for e in self.events if e["event_type"] == "anomaly"
                and e.get("wirewall", {}).get("exception") == exception]

    def exceptions(self, name):
        """{action: count} of stats.exceptions.<name> (0 when absent)."""
        got = self.stats.get("exceptions", {}).get(name, {})
        return {a: got.get(a, 0) for a in ACTIONS}

    def injected_to_client(self, c):
        """Frames the appliance made towards @c's client."""
        from scapy.all import TCP, Ether
        out = []
        for f in self.injected:
            p = Ether(f)
            if TCP in p and p[TCP].sport == 80 and p[TCP].dport == c["port"]:
                out.append(p)
        return out


class Bypass(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ww_bypass_")
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gen_bypass.py"),
                        cls.dir], check=True)
        with open(os.path.join(cls.dir, "bypass.json")) as fh:
            cls.meta = json.load(fh)
        cls.conf = os.path.join(cls.dir, "bypass.ini")
        with open(cls.conf, "w") as fh:
            fh.write(CONFIG)
        # A JWT route as in gen_jwt.py: /api/ needs a token of the issuer
        # for audience "shop", HS256 with a secret file.
        cls.auth_conf = os.path.join(cls.dir, "bypass_auth.ini")
        with open(cls.auth_conf, "w") as fh:
            fh.write(CONFIG + "[auth]\nroutes = /api/ https://id.example.com shop\n"
                     "keys = secret %s kid=hs1 alg=HS256\n"
                     % os.path.join(cls.dir, "bypass_hs256.key"))
        cls.runs = {}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def run_ww(self, name, extra=(), conf=None):
        """Run over NAME.pcap (once per set of arguments)."""
        key = (name, tuple(extra), conf)
        if key in self.runs:
            return self.runs[key]
        tag = "%s_%d" % (name, len(self.runs))
        out = os.path.join(self.dir, tag + ".out.pcap")
        eve = os.path.join(self.dir, tag + ".eve.json")
        pcap = os.path.join(self.dir, name + ".pcap")
        p = subprocess.run([WIREWALL, "-c", conf or self.conf, "-r", pcap, "-w", out,
                            "--eve", eve, *extra],
                           capture_output=True, text=True, timeout=240)
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
        r = Run(read_pcap(pcap), read_pcap(out), eve_lines(eve))
        self.runs[key] = r
        return r

    # What every case checks.

    def assert_never_received(self, r, c, what):
        marker = c["marker"].encode("latin-1")
        self.assertTrue(marker in r.sent(c), "%s: the capture carries no attack" % what)
        got = r.received(c)
        self.assertFalse(marker in got, "%s: the server received the attack (%d of the "
                         "%d bytes of its request reached it)" % (what, len(got),
                                                                  len(c["request"])))

    def assert_judged(self, r, c, what):
        """The CRS judged the request: a web-application-attack alert."""
        self.assertTrue(r.alerts(c["port"], "web-application-attack"),
                        "%s: no web-application-attack alert; alerts: %s" % (
                            what, [a["alert"]["signature"] for a in r.alerts()]))

    def assert_intact(self, r, c, what):
        req = c["request"].encode("latin-1")
        self.assertTrue(r.sent(c) == req, "%s: the capture does not carry the request"
                        % what)
        got = r.received(c)
        self.assertTrue(got == req, "%s: the benign request did not reach the server "
                        "intact (%d of its %d bytes did)" % (what, len(got), len(req)))
        self.assertFalse(r.alerts(c["port"]), "%s: alert on a benign request" % what)

    def assert_exception(self, r, name, action):
        """stats.exceptions.NAME.ACTION counted, and an anomaly event for it."""
        counts = r.exceptions(name)
        self.assertGreaterEqual(counts[action], 1, "stats.exceptions.%s: %s (stats "
                                "exceptions: %s)" % (name, counts, r.stats.get("exceptions")))
        ev = r.anomalies(name)
        self.assertTrue(ev, "no anomaly event for the %s exception (anomaly events: %s)" % (
            name, [(e.get("src_ip"), e.get("src_port"), e.get("wirewall"))
                   for e in r.events if e["event_type"] == "anomaly"]))
        for e in ev:
            self.assertEqual(e["anomaly"]["event"], name)
            self.assertIn(e["anomaly"]["type"], ("stream", "applayer", "decode"))
            self.assertIn(e["wirewall"]["action"], ACTIONS)
        self.assertIn(action, [e["wirewall"]["action"] for e in ev])

    # 1. IP fragments.

    def check_frag_sqli(self, family):
        m = self.meta["frag_v%d" % family]
        r = self.run_ww("frag_v%d" % family, WAF_ON)
        a, b = m["attack"], m["benign"]
        self.assert_never_received(r, a, "fragmented SQL injection")
        self.assert_judged(r, a, "fragmented SQL injection")
        forwarded = set(r.out)
        self.assertFalse([i for i in a["frames"] if r.input[i] in forwarded],
                         "fragments of the refused datagram were forwarded")
        # The benign datagram is inspected whole and its fragments go on
        # as they came.
        self.assert_intact(r, b, "fragmented benign GET")
        self.assertEqual([i for i in b["frames"] if r.input[i] not in forwarded], [],
                         "benign fragments not forwarded unchanged")
        self.assert_intact(r, m["later"], "plain GET after the fragments")

    def test_frag_sqli_v4(self):
        self.check_frag_sqli(4)

    def test_frag_sqli_v6(self):
        self.check_frag_sqli(6)

    def fragments_forwarded(self, r, c):
        """Forwarded IP fragments of datagram c["frag_id"] from c's client."""
        from scapy.all import IP, Ether, IPv6ExtHdrFragment
        got = []
        for f in r.out:
            p = Ether(f)
            if IP in p and p[IP].src == c["client"] and p[IP].id == c["frag_id"] and \
                    (p[IP].flags.MF or p[IP].frag):
                got.append(f)
            elif IPv6ExtHdrFragment in p and p[IPv6ExtHdrFragment].id == c["frag_id"]:
                got.append(f)
        return got

    def check_frag_overlap(self, family):
        m = self.meta["frag_v%d" % family]
        r = self.run_ww("frag_v%d" % family, WAF_ON)
        c = m["overlap"]
        alerts = [e for e in r.alerts(category="protocol-violation")
                  if e["alert"]["signature"].startswith("IP fragment overlap")]
        self.assertTrue(alerts, "no 'IP fragment overlap' protocol-violation alert; "
                        "alerts: %s" % [a["alert"]["signature"] for a in r.alerts()])
        self.assertEqual(alerts[0]["src_ip"], c["client"])
        self.assertEqual(self.fragments_forwarded(r, c), [],
                         "fragments of the overlapping datagram were forwarded")
        self.assertEqual(r.received(c), b"")
        # Its neighbours pass.
        self.assert_intact(r, m["benign"], "fragmented benign GET")

    def test_frag_overlap_v4(self):
        self.check_frag_overlap(4)

    def test_frag_overlap_v6(self):
        self.check_frag_overlap(6)

    def check_frag_timeout(self, family):
        # fragment_failure (auto: drop) when the datagram's time is up,
        # which the plain GET 3 s later brings about.
        m = self.meta["frag_v%d" % family]
        r = self.run_ww("frag_v%d" % family, ["--set", "defrag.timeout=1"])
        c = m["missing"]
        self.assertEqual(self.fragments_forwarded(r, c), [],
                         "fragments of the incomplete datagram were forwarded")
        self.assertEqual(r.received(c), b"")
        self.assert_exception(r, "fragment_failure", "drop")
        first = read_pcap(os.path.join(self.dir, "frag_v%d.pcap" % family))[c["frames"][0]][0]
        first = first[0] + first[1] / 1e6
        for e in r.anomalies("fragment_failure"):
            self.assertGreaterEqual(eve_time(e), first + 1 - 1e-3,
                                    "fragment_failure before the timeout")
        self.assert_intact(r, m["benign"], "fragmented benign GET")
        self.assert_intact(r, m["later"], "plain GET after the fragments")

    def test_frag_timeout_v4(self):
        self.check_frag_timeout(4)

    def test_frag_timeout_v6(self):
        self.check_frag_timeout(6)

    # 2. A SYN flood does not leave requests uninspected.

    def test_syn_flood_auth(self):
        from scapy.all import TCP
        m = self.meta["syn_flood_auth"]
        r = self.run_ww("syn_flood_auth", ["--set", "http.contexts=16"], conf=self.auth_conf)
        a, b = m["attack"], m["benign"]
        self.assert_never_received(r, a, "GET /api/orders without a token")
        answers = [p for p in r.injected_to_client(a)
                   if bytes(p[TCP].payload).startswith(b"HTTP/1.1 401 ")]
        self.assertTrue(answers, "no 401 answer to the client without a token "
                        "(stats.http: %s)" % r.stats.get("http"))
        self.assertTrue(r.alerts(a["port"], "authentication"))
        self.assert_intact(r, b, "GET /api/orders with a valid token")
        self.assertFalse(r.injected_to_client(b))

    # 3. Segments outside the window.

    def test_window_far_ahead(self):
        m = self.meta["window"]
        r = self.run_ww("window", WAF_ON)
        for name in ("far", "far_ok"):
            c = m[name]
            far = [s for s in r.segs("out")
                   if (s[0], s[1]) == (c["client"], c["port"]) and
                   20000 <= (s[4] - c["isn"] - 1) % (1 << 32) < 1 << 31]
            self.assertEqual(len(far), 0, "%s: %d of the 3000 segments outside the "
                             "window were forwarded" % (name, len(far)))
        tcp = r.stats.get("tcp", {})
        self.assertGreater(tcp.get("out_of_window", 0) + tcp.get("beyond_span", 0), 0,
                           "stats.tcp: %s" % tcp)
        self.assert_never_received(r, m["far"], "SQL injection after far-ahead segments")
        self.assert_judged(r, m["far"], "SQL injection after far-ahead segments")
        self.assert_intact(r, m["far_ok"], "benign GET after far-ahead segments")

    def test_window_out_of_order_filled(self):
        # Bytes within the window, out of order, are kept and judged once
        # the gap before them is filled.
        m = self.meta["window"]
        r = self.run_ww("window", WAF_ON)
        self.assert_never_received(r, m["ooo"], "SQL injection completed by a gap fill")
        self.assert_judged(r, m["ooo"], "SQL injection completed by a gap fill")
        self.assertFalse(r.input[m["ooo"]["fill_frame"]] in set(r.out),
                         "the segment that completed the attack was forwarded")
        self.assert_intact(r, m["ooo_ok"], "benign form completed by a gap fill")

    # 4. A body longer than [http] body_depth.

    def test_body_over_depth_reset(self):
        from scapy.all import TCP
        m = self.meta["body"]
        r = self.run_ww("body", WAF_ON)
        big = m["big"]
        self.assert_never_received(r, big, "SQL injection after 70000 bytes of body")
        self.assert_exception(r, "body_over_depth", "reset")
        self.assertTrue([p for p in r.injected_to_client(big) if "R" in p[TCP].flags],
                        "no reset to the client of the over-depth request")
        self.assert_never_received(r, m["short"], "SQL injection in a short body")
        self.assert_judged(r, m["short"], "SQL injection in a short body")
        self.assert_intact(r, m["short_ok"], "benign short form")

    def test_body_over_depth_pass(self):
        m = self.meta["body"]
        r = self.run_ww("body", WAF_ON + ["--set", "exceptions.body_over_depth=pass"])
        self.assert_exception(r, "body_over_depth", "pass")
        counts = r.exceptions("body_over_depth")
        self.assertEqual(counts["reset"] + counts["drop"], 0, counts)
        # Judged on the first body_depth bytes, then passed whole.
        for name in ("big", "big_ok"):
            c = m[name]
            req = c["request"].encode("latin-1")
            got = r.received(c)
            self.assertTrue(got == req, "%s: not forwarded whole (%d of its %d bytes "
                            "reached the server)" % (name, len(got), len(req)))
            self.assertFalse(r.injected_to_client(c), name)
        self.assert_never_received(r, m["short"], "SQL injection in a short body")
        self.assert_judged(r, m["short"], "SQL injection in a short body")
        self.assert_intact(r, m["short_ok"], "benign short form")

    # 5. A segment whose flow is evicted within its burst.

    def check_burst_layout(self, name):
        """The capture does what the case needs: A starts a burst (over
        1 s after the frame before it) that also holds Y's SYN, handshake
        and request (within 1 s of A, fewer than 32 frames)."""
        frames = read_pcap(os.path.join(self.dir, name + ".pcap"))
        t = [s + us / 1e6 for (s, us), _ in frames]
        burst = self.meta[name]["a"]["burst"]
        self.assertGreaterEqual(t[burst[0]] - t[burst[0] - 1], 1.0)
        self.assertLess(len(burst), 32)
        self.assertLess(t[burst[-1]] - t[burst[0]], 1.0)
        self.assertIn(self.meta[name]["y"]["syn_frame"], burst)

    def run_burst_evict(self, name):
        self.check_burst_layout(name)
        r = self.run_ww(name, WAF_ON + ["--set", "flow.max_flows=1024"])
        evicted = r.stats.get("flow", {}).get("evicted_by_state", {})
        self.assertGreaterEqual(sum(evicted.values()), 1,
                                "the flow table never filled: the case did not happen")
        return r, self.meta[name]

    def check_segment_a(self, r, m):
        """A, whose flow was evicted within its burst, is the flow_lost
        exception: under auto with the WAF on, not forwarded."""
        a = m["a"]
        self.assertFalse(r.input[a["frame"]] in set(r.out),
                         "segment A (its flow evicted in its burst) was forwarded")
        self.assertFalse([s for s in r.segs("out") if s[1] == a["port"]
                          and s[6] == a["payload"].encode()],
                         "segment A's bytes were forwarded")
        lost = r.exceptions("flow_lost")
        self.assertGreaterEqual(sum(lost.values()), 1,
                                "stats.exceptions.flow_lost: %s" % lost)
        self.assertTrue(r.anomalies("flow_lost"), "no flow_lost anomaly event")

    def test_burst_evict(self):
        r, m = self.run_burst_evict("evict_attack")
        self.assert_never_received(r, m["y"], "SQL injection behind an evicted flow's segment")
        self.assert_judged(r, m["y"], "SQL injection behind an evicted flow's segment")
        self.check_segment_a(r, m)

    def test_burst_evict_benign(self):
        r, m = self.run_burst_evict("evict_benign")
        self.assert_intact(r, m["y"], "benign GET on the evicting connection")
        self.assert_intact(r, m["x"], "the evicted connection's own request")
        self.check_segment_a(r, m)

    # 6. A value crafted to make a site rule's regex backtrack: PCRE2
    # stops at [waf] regex_match_limit, and [exceptions] regex_limit
    # decides (auto: reset, with the WAF on and port 80 protected).

    def run_regex_limit(self, *extra):
        rules = os.path.join(self.dir, "regex_limit.rules")
        return self.run_ww("regex_limit", WAF_ON + ["--set", "waf.site_rules=" + rules,
                                                    "--set", "waf.regex_match_limit=1000",
                                                    *extra])

    def check_regex_neighbours(self, r, m):
        """The rule stops a value it can judge at once; a benign value
        (through the CRS as well, at the same low limit) passes."""
        c = m["match"]
        self.assert_never_received(r, c, "value the site rule matches")
        sigs = [a["alert"]["signature"] for a in r.alerts(c["port"], "web-application-attack")]
        self.assertTrue([t for t in sigs if "[100101" in t], "no alert of rule 100101 on "
                        "q=xaab: %s" % sigs)
        self.assert_intact(r, m["benign"], "benign GET")

    def test_regex_limit_reset(self):
        from scapy.all import TCP
        m = self.meta["regex_limit"]
        r = self.run_regex_limit()
        a = m["attack"]
        self.assert_never_received(r, a, "value crafted to backtrack")
        self.assert_exception(r, "regex_limit", "reset")
        counts = r.exceptions("regex_limit")
        self.assertEqual(counts["pass"] + counts["drop"], 0, counts)
        self.assertTrue([p for p in r.injected_to_client(a) if "R" in p[TCP].flags],
                        "no reset to the client whose value hit the match limit")
        self.assertIn(a["port"], [e["src_port"] for e in r.anomalies("regex_limit")])
        # Refused by the exception policy, not by a rule: no rule matched.
        self.assertFalse(r.alerts(a["port"]), "alert on the backtracking value")
        self.assertGreaterEqual(r.stats.get("waf", {}).get("incomplete", 0), 1,
                                "stats.waf: %s" % r.stats.get("waf"))
        self.check_regex_neighbours(r, m)

    def test_regex_limit_pass(self):
        m = self.meta["regex_limit"]
        r = self.run_regex_limit("--set", "exceptions.regex_limit=pass")
        a = m["attack"]
        self.assert_exception(r, "regex_limit", "pass")
        counts = r.exceptions("regex_limit")
        self.assertEqual(counts["reset"] + counts["drop"], 0, counts)
        req = a["request"].encode("latin-1")
        got = r.received(a)
        self.assertTrue(got == req, "the request was not forwarded whole (%d of its %d "
                        "bytes reached the server)" % (len(got), len(req)))
        self.assertFalse(r.injected_to_client(a), "reset or answer under pass")
        self.check_regex_neighbours(r, m)

    def test_regex_long_repetition(self):
        # ^(?:a|b)+c matches 2500 "ab" then "c" in linear time, but the
        # JIT code keeps a frame per iteration: when PCRE2 gives up for
        # want of stack, the request is judged all the same (the rule
        # matches) or refused as regex_limit, never forwarded unjudged.
        m = self.meta["regex_limit"]
        r = self.run_regex_limit()
        c = m["jit"]
        self.assert_never_received(r, c, "long value the site rule matches")
        self.assertTrue(r.alerts(c["port"]) or r.injected_to_client(c),
                        "neither an alert nor a reset or answer for the long value")
        self.check_regex_neighbours(r, m)

    # 7. Values that fill the rule engine's scratch arena: [exceptions]
    # waf_arena decides (auto: reset). Ordinary bodies of the same size
    # fit.

    def test_waf_arena_reset(self):
        from scapy.all import TCP
        m = self.meta["arena"]
        r = self.run_ww("arena", WAF_ON)
        c = m["crafted"]
        self.assert_never_received(r, c, "body that fills the arena")
        self.assert_exception(r, "waf_arena", "reset")
        counts = r.exceptions("waf_arena")
        self.assertEqual(counts["pass"] + counts["drop"], 0, counts)
        self.assertTrue([p for p in r.injected_to_client(c) if "R" in p[TCP].flags],
                        "no reset to the client whose body filled the arena")
        self.assertIn(c["port"], [e["src_port"] for e in r.anomalies("waf_arena")])
        self.assert_intact(r, m["form_ok"], "64 KiB of plain sentences")

    def test_waf_arena_pass(self):
        m = self.meta["arena"]
        r = self.run_ww("arena", WAF_ON + ["--set", "exceptions.waf_arena=pass"])
        c = m["crafted"]
        self.assert_exception(r, "waf_arena", "pass")
        counts = r.exceptions("waf_arena")
        self.assertEqual(counts["reset"] + counts["drop"], 0, counts)
        req = c["request"].encode("latin-1")
        got = r.received(c)
        self.assertTrue(got == req, "the request was not forwarded whole (%d of its %d "
                        "bytes reached the server)" % (len(got), len(req)))
        self.assertFalse(r.injected_to_client(c), "reset or answer under pass")
        self.assert_intact(r, m["form_ok"], "64 KiB of plain sentences")

    def test_json_body_intact(self):
        # An API client's JSON body of some 16 KiB, through the CRS.
        c = self.meta["json_body"]["json_ok"]
        r = self.run_ww("json_body", WAF_ON)
        self.assert_intact(r, c, "16 KiB JSON body")
        self.assertEqual(sum(r.exceptions("waf_arena").values()), 0,
                         "stats.exceptions.waf_arena: %s" % r.exceptions("waf_arena"))

    # The configuration.

    def test_client_sent_synack_swaps_no_roles(self):
        # A client opens with a SYN-ACK of its own, then the real SYN on
        # the same ports (the server answers the first with a RST, or a
        # firewall drops it): the roles must not swap (they would hide
        # the connection to port 80 from inspection). With and without
        # protected networks, with and without the server's RST.
        from scapy.all import IP, TCP, Ether, Raw
        from pcapfile import write_pcap
        req = (b"GET /catalog/item?id=1%27%20UNION%20SELECT%20password%20FROM%20users-- "
               b"HTTP/1.1\r\nHost: shop\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n")
        C = lambda **kw: IP(src="10.77.0.1", dst="10.77.0.2") / TCP(
            sport=40001, dport=80, window=65535, **kw)
        S = lambda **kw: IP(src="10.77.0.2", dst="10.77.0.1") / TCP(
            sport=80, dport=40001, window=65535, **kw)
        for with_rst in (True, False):
            seq = [C(flags="SA", seq=77777, ack=123456), C(flags="S", seq=1000)]
            if with_rst:
                seq.append(S(flags="R", seq=123456))
            seq += [S(flags="SA", seq=5000, ack=1001), C(flags="A", seq=1001, ack=5001),
                    C(flags="PA", seq=1001, ack=5001) / Raw(req)]
            name = "swap_%d" % with_rst
            write_pcap(os.path.join(self.dir, name + ".pcap"),
                       [(1767225600.0 + i * 0.001, bytes(Ether() / p))
                        for i, p in enumerate(seq)])
            for conf in (self.conf, None):
                extra = WAF_ON if conf else WAF_ON + [
                    "--set", "general.protected_networks="]
                r = self.run_ww(name, extra)
                got = b"".join(bytes(Ether(f)[TCP].payload) for f in r.out
                               if TCP in Ether(f) and Ether(f)[TCP].dport == 80)
                self.assertNotIn(b"UNION%20SELECT", got,
                                 "%s (protected networks %s): the server received it"
                                 % (name, "on" if conf else "off"))
                self.assertTrue(r.alerts() or r.anomalies("midstream"),
                                "%s: neither judged nor refused as an exception" % name)

    def test_fragment_flood_does_not_shut_out(self):
        # 2,500 incomplete datagrams (a first fragment each, spoofed
        # sources) fill the held-fragment cap ([defrag] max_held 2048);
        # a datagram that completes in a millisecond still gets through
        # whole: the oldest incomplete ones give way (counted, dropped).
        from scapy.all import IP, UDP, Ether, Raw, fragment
        from pcapfile import write_pcap
        frames, t = [], 1767225600.0
        for i in range(2500):
            f = IP(src="198.18.%d.%d" % (i // 250, i % 250 + 1), dst="10.77.0.2",
                   id=i, flags="MF", frag=0) / Raw(b"x" * 64)
            frames.append((t + i * 0.0001, bytes(Ether() / f)))
        legit = IP(src="10.77.0.1", dst="10.77.0.2", id=777) / UDP(
            sport=5000, dport=53) / Raw(b"y" * 3000)
        parts = fragment(legit, fragsize=1200)
        for k, f in enumerate(parts):
            frames.append((t + 1 + k * 0.0005, bytes(Ether() / f)))
        write_pcap(os.path.join(self.dir, "fragflood.pcap"), frames)
        r = self.run_ww("fragflood")
        sent = {bytes(Ether() / f) for f in parts}
        self.assertEqual(sent & set(r.out), sent,
                         "the datagram that completed was not forwarded whole")
        self.assertGreaterEqual(r.stats["defrag"]["held_full"], 1)
        self.assertGreaterEqual(r.exceptions("fragment_failure")["drop"], 1)

    def test_exception_keys(self):
        for name in EXCEPTIONS:
            for action in ("auto",) + ACTIONS:
                p = subprocess.run([WIREWALL, "-c", self.conf, "--set",
                                    "exceptions.%s=%s" % (name, action), "--check-config"],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(p.returncode, 0, "exceptions.%s=%s: %s" % (
                    name, action, p.stderr))
        p = subprocess.run([WIREWALL, "-c", self.conf, "--set", "exceptions.midstream=maybe",
                            "--check-config"], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("[exceptions] midstream", p.stderr)
        for kv in ("defrag.timeout=1", "defrag.max_datagrams=4096",
                   "defrag.max_fragments=64", "defrag.max_held=2048",
                   "http.body_depth=65536"):
            p = subprocess.run([WIREWALL, "-c", self.conf, "--set", kv, "--check-config"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, "%s: %s" % (kv, p.stderr))


if __name__ == "__main__":
    WIREWALL = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
