#!/usr/bin/python3
"""The feature rows (wirewall --features) against values computed by hand.

    test_features.py WIREWALL_BINARY

gen_features.py builds captures byte by byte and keeps, for every flow,
the packets as built (time, direction, IP size, payload, TCP flags and
window) and what its HTTP parser will see (request heads, requests,
responses). This test computes every expected column from those, with
the conventions below, independently of how lib/feat computes them, and
compares them with the rows the appliance writes.

Conventions (models/FEATURES.md, ww_feat.h):
- sizes are the IP total length (IPv6: 40 + payload length); bytes_* the
  sum of sizes one way, payload_* the L4 payload; size_var is the sample
  variance (n - 1) over all the flow's packets both ways;
- iat_*: the intervals between successive packets one way, in seconds;
  the mean needs one interval, the variance is the sample variance
  (n - 1) over the intervals and needs two (else 0);
- durations in seconds: up to the row's packet, or at the end row up to
  the flow's last packet;
- syn/fin/rst/psh/urg count the flow's packets with that flag; handshake
  is 1 once the client acknowledged the server's SYN-ACK to its SYN;
  init_win_* is the window of the first packet each way (raw, unscaled);
  first_size_k is the k-th packet's size, + to the server, - to the
  client, 0 past the flow's packets;
- a decision point at packet n (pkt2/4/8/16) and a trigger are taken when
  packet n is counted, before its payload is parsed: the HTTP counters
  hold the requests and responses completed by packets 1..n-1; the
  request row is taken when the flow's first request is complete (the
  segment that completes it) and holds that request;
- http_latency_mean: milliseconds from the segment that completes a
  request to the first segment of its response, averaged over the
  answered ones; http_2xx..5xx count responses by class;
- request columns (request row only, else 0): req_method 1 GET, 2 HEAD,
  3 POST, 4 PUT, 5 DELETE, 6 OPTIONS, 7 PATCH, 8 CONNECT, 9 TRACE,
  10 other; req_path_len the path's length (the paths here are already
  normal); req_query_len the query after '?'; req_args the '&'-separated
  arguments; req_nonalnum the share of the request target's bytes as sent
  (path, '?', query) that are not [A-Za-z0-9]; req_headers the header
  lines; req_ua_class enum ww_feat_ua; req_body_len the body's bytes;
- client columns: a client is its address (IPv6: its /64). Its flows are
  every flow in which it is the client (the end outside the protected
  networks); new_flows counts those it opened (first packet from it), with
  their server ports (dst_ports) and addresses (dst_addrs); syns those
  opened by a SYN without ACK; half_open_ended those of them that ended
  (left the flow table) without a completed handshake, counted when they
  end; rst_recv TCP RSTs to it; icmp_err_recv ICMP errors to it;
  pkts/bytes both ways; requests, and the responses' 4xx/401/403/404
  shares of them; url_paths distinct request paths;
- windows: 1 s and 10 s tumbling windows on whole seconds (UNIX time); a
  column at time t is the current window's count (up to t) plus the
  previous window's, weighted by the part of the current window still to
  come (1 - (t mod W) / W); a tick row is taken at the end of a second
  (t = the next whole second: the second that ended counts in full as the
  previous window);
- distinct counts are a linear-counting estimate (-64 ln(zeros / 64) over a
  64-bit bitmap): for k distinct values far below 64 expect k within 10%
  (20% above 12 values: about two standard errors), or, for a few values,
  exactly what one hash collision reads (class Approx);
- gauges at time t: cl_open_flows the client's flows open (not ended),
  cl_half_open_now those opened by a SYN whose handshake is not complete,
  cl_incomplete_heads request heads begun (first byte) and not complete,
  cl_incomplete_age t minus the mean of their start times, in seconds;
  cl_req_interval_mean/cv the mean and the coefficient of variation
  (sample standard deviation / mean) of the intervals between the
  client's requests within the current 10 s window (mean: 2 requests,
  cv: 3);
- a flow's end row and the client's state in it are taken when the flow
  leaves the table (several flows ending at once: in the order of their
  end rows); at the capture's end, open flows end at its last timestamp.
Floats are compared with a relative tolerance of 1e-5 (float32), counts
exactly.
"""
import csv
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_features as G  # noqa: E402
from gen_features import ACK, FIN, PSH, RST, SYN, TOCLIENT, TOSERVER, URG  # noqa: E402

WIREWALL = None
CONFIG = """[general]
protected_networks = 198.51.100.0/24, 2001:db8:ffff::/48
[waf]
enabled = no
[control]
socket =
"""
REL = 1e-5
W1, W10 = 1000000, 10000000  # the windows, in us

META = ["time", "flow_id", "dp_name", "client", "client_port", "server", "server_port"]
WIN = ["new_flows", "syns", "dst_ports", "dst_addrs", "half_open_ended", "rst_recv",
       "icmp_err_recv", "pkts_fwd", "pkts_bwd", "bytes_fwd", "bytes_bwd", "requests",
       "ratio_4xx", "ratio_401", "ratio_403", "ratio_404", "url_paths"]
FLOW_COLS = (["row_kind", "decision_point", "proto", "server_port", "duration",
              "pkts_fwd", "pkts_bwd", "bytes_fwd", "bytes_bwd", "payload_fwd",
              "payload_bwd", "size_min", "size_max", "size_mean", "size_var",
              "iat_fwd_mean", "iat_fwd_var", "iat_bwd_mean", "iat_bwd_var",
              "syn", "fin", "rst", "psh", "urg", "handshake", "init_win_fwd",
              "init_win_bwd"] + ["first_size_%d" % k for k in range(1, 9)]
             + ["http_requests", "http_2xx", "http_3xx", "http_4xx", "http_5xx",
                "http_latency_mean"])
REQ_COLS = ["req_method", "req_path_len", "req_query_len", "req_args", "req_nonalnum",
            "req_headers", "req_ua_class", "req_body_len"]
CL1 = ["cl1_" + n for n in WIN]
CL10 = ["cl10_" + n for n in WIN]
GAUGES = ["cl_open_flows", "cl_half_open_now", "cl_incomplete_heads",
          "cl_incomplete_age", "cl_req_interval_mean", "cl_req_interval_cv"]
CLIENT_COLS = CL1 + CL10 + GAUGES
# The client's windows in the end rows of the flows the capture's end
# ends: test_capture_end_rows_and_last_tick.
FLUSHED = tuple(CL1 + CL10 + ["cl_req_interval_mean", "cl_req_interval_cv"])
FEATURES = FLOW_COLS + REQ_COLS + CLIENT_COLS
DP = {"pkt2": 1, "pkt4": 2, "pkt8": 3, "pkt16": 4, "request": 5, "end": 6,
      "tick": 7, "trigger": 8}
METHODS = {b"GET": 1, b"HEAD": 2, b"POST": 3, b"PUT": 4, b"DELETE": 5,
           b"OPTIONS": 6, b"PATCH": 7, b"CONNECT": 8, b"TRACE": 9}
# enum ww_feat_ua, by hand for the user agents the captures send.
UA_CLASS = {None: 0,
            b"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0": 1,
            b"curl/8.5.0": 2, b"python-requests/2.31.0": 3,
            b"sqlmap/1.7.2#stable (https://sqlmap.org)": 4, b"hydra": 4,
            b"kube-probe/1.28": 6}

CHECKED = set()  # the feature columns some test compared
STARTED = set()  # the tests that ran


def lc(bits):
    """The linear-counting estimate of a 64-bit map with @bits set."""
    return -64 * math.log((64 - bits) / 64) if bits else 0.0


class Approx:
    """A distinct-count estimate of @k (this window) + @keep * @kp (the
    previous one): within 10% of it (20% when a window holds more than 12
    values, about two standard errors of linear counting there); for a
    few values, also exactly what one hash collision in a window reads
    (which a good hash gives k values with a probability of about
    k * (k - 1) / 128)."""

    def __init__(self, k, kp=0, keep=0.0):
        self.k, self.kp, self.keep = k, kp, keep
        self.v = k + keep * kp

    def ok(self, got):
        if self.v == 0:
            return got == 0
        tol = 0.2 if max(self.k, self.kp) > 12 else 0.1
        if abs(got - self.v) <= tol * self.v:
            return True
        one = []
        if 2 <= self.k <= 12:
            one.append(lc(self.k - 1) + self.keep * lc(self.kp))
        if 2 <= self.kp <= 12 and self.keep:
            one.append(lc(self.k) + self.keep * lc(self.kp - 1))
        return any(math.isclose(got, x, rel_tol=REL) for x in one)

    def __repr__(self):
        return "~%g" % self.v


def coalesced(f, n):
    """Does the flow's nth packet complete its first request? Then the
    request row is the one row taken at that packet (models/FEATURES.md)."""
    reqs = getattr(f, "requests", None)
    return bool(reqs) and len(f.pkts) >= n and f.pkts[n - 1].t == reqs[0][0]


def norm_addr(text):
    fam = socket.AF_INET6 if ":" in text else socket.AF_INET
    return socket.inet_ntop(fam, socket.inet_pton(fam, text))


def client_key(text):
    """A client as a client row names it: IPv6 addresses by their /64."""
    if ":" not in text:
        return text
    raw = socket.inet_pton(socket.AF_INET6, text)
    return socket.inet_ntop(socket.AF_INET6, raw[:8] + bytes(8))


class Row:
    def __init__(self, fields, names, order):
        sec, frac = fields[0].split(".")
        ns = (int(sec) - G.T0) * 10 ** 9 + int(frac)
        assert ns % 1000 == 0, fields[0]
        self.t = ns // 1000  # us after T0
        self.flow_id = int(fields[1])
        self.dp = fields[2]
        self.client, self.cport = fields[3], int(fields[4])
        self.server, self.sport = fields[5], int(fields[6])
        self.f = {n: float(v) for n, v in zip(names, fields[7:])}
        self.raw = fields
        self.order = order

    def __repr__(self):
        return "<%s %s:%d %s:%d at %.6f>" % (self.dp, self.client, self.cport,
                                              self.server, self.sport, self.t / 1e6)


def run(tmp, cap, name, sets=(), workers=None):
    pcap = os.path.join(tmp, name + ".pcap")
    out = os.path.join(tmp, name + ".csv")
    cap.write(pcap)
    cmd = [WIREWALL, "-c", os.path.join(tmp, "ww.ini"), "-r", pcap, "--features", out]
    if workers:
        cmd += ["--workers", str(workers)]
    for kv in sets:
        cmd += ["--set", kv]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr))
    with open(out, newline="") as fh:
        lines = list(csv.reader(fh))
    return lines[0], lines[1:]


# ---- expectations ----

def is_syn(p):
    return p.proto == 6 and p.flags & (SYN | ACK) == SYN


def handshake_at(f):
    """When the client acknowledged the server's SYN-ACK to its SYN."""
    syn = synack = False
    for p in f.pkts:
        if p.dir == TOSERVER and is_syn(p):
            syn = True
        elif p.dir == TOCLIENT and p.flags & (SYN | ACK) == SYN | ACK and syn:
            synack = True
        elif (p.dir == TOSERVER and synack and p.flags & ACK
              and not p.flags & (SYN | RST)):
            return p.t
    return None


def first_request(f):
    """The flow's first request as sent: (head lines, target, body)."""
    s = f.stream[TOSERVER]
    end = s.index(b"\r\n\r\n")
    lines = s[:end].split(b"\r\n")
    length = 0
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    return lines, s[end + 4:end + 4 + length]


def req_expect(f):
    lines, body = first_request(f)
    method, target, _ = lines[0].split(b" ")
    path, _, query = target.partition(b"?")
    ua = None
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        if k.lower() == b"user-agent":
            ua = v.strip()
    return {"req_method": METHODS.get(method, 10),
            "req_path_len": len(path),
            "req_query_len": len(query),
            "req_args": len([a for a in query.split(b"&") if a]),
            "req_nonalnum": sum(1 for c in target if not bytes([c]).isalnum()) / len(target),
            "req_headers": len(lines) - 1,
            "req_ua_class": UA_CLASS[ua],
            "req_body_len": len(body)}


def sample_var(xs):
    m = sum(xs) / len(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def flow_expect(f, n, now, l7_now, end=False, dp=None):
    """The flow columns after its first @n packets, at @now (us); the
    HTTP events at @now count when @l7_now."""
    p = f.pkts[:n]
    sizes = [x.size for x in p]
    e = {"row_kind": 0, "decision_point": DP[dp], "proto": f.proto,
         "server_port": f.sport,
         "duration": ((p[-1].t if end else now) - p[0].t) / 1e6,
         "size_min": min(sizes), "size_max": max(sizes),
         "size_mean": sum(sizes) / n,
         "size_var": sample_var(sizes) if n >= 2 else 0.0}
    for d, name in ((TOSERVER, "fwd"), (TOCLIENT, "bwd")):
        q = [x for x in p if x.dir == d]
        e["pkts_" + name] = len(q)
        e["bytes_" + name] = sum(x.size for x in q)
        e["payload_" + name] = sum(x.payload for x in q)
        iat = [(b.t - a.t) / 1e6 for a, b in zip(q, q[1:])]
        e["iat_%s_mean" % name] = sum(iat) / len(iat) if iat else 0.0
        e["iat_%s_var" % name] = sample_var(iat) if len(iat) >= 2 else 0.0
        e["init_win_" + name] = q[0].win if q and f.proto == 6 else 0
    for flag, name in ((SYN, "syn"), (FIN, "fin"), (RST, "rst"), (PSH, "psh"), (URG, "urg")):
        e[name] = sum(1 for x in p if x.proto == 6 and x.flags & flag)
    hs = handshake_at(f) if f.proto == 6 else None
    e["handshake"] = int(hs is not None and hs <= p[-1].t)
    for k in range(8):
        e["first_size_%d" % (k + 1)] = ((p[k].size if p[k].dir == TOSERVER else -p[k].size)
                                        if k < n else 0)
    seen = (lambda t: t < now or (t == now and l7_now))
    reqs = [r for r in getattr(f, "requests", []) if seen(r[0])]
    resps = [r for r in getattr(f, "responses", []) if seen(r[0])]
    e["http_requests"] = len(reqs)
    for k, cls in enumerate(("http_2xx", "http_3xx", "http_4xx", "http_5xx")):
        e[cls] = sum(1 for r in resps if r[1] // 100 == k + 2)
    e["http_latency_mean"] = (sum(r[2] for r in resps) / 1000 / len(resps)) if resps else 0.0
    if f.proto == 1:
        del e["server_port"]  # ICMP: test_icmp_flow_server_port
    for c in REQ_COLS:
        e[c] = 0
    if dp == "request":
        e.update(req_expect(f))
    return e


class Client:
    """One client's flows as built, and when each ended: (time, order of
    its end row in the file)."""

    def __init__(self, flows, ends):
        self.flows, self.ends = flows, ends

    def ended(self, f, now, order, by_time):
        e = self.ends.get(f)
        if e is None:
            return False
        if by_time:
            return e[0] < now or (e[0] == now and e[1] <= order)
        return e[0] <= now and e[1] <= order

    def expect(self, now, l7_now, order, by_time=False):
        """The client columns at @now (us) in the row at @order in the
        file: packets up to @now count, HTTP events at @now when @l7_now;
        a flow's end counts in the rows after its end row (its own
        included): several flows may end at once, and their end rows say
        in which order. With @by_time, every end before @now counts,
        whatever the order of the rows."""
        seen = (lambda t: t < now or (t == now and l7_now))
        ev = []  # (time, column, value)
        open_flows = half_open = 0
        heads = []
        for f in self.flows:
            first = f.pkts[0]
            if first.t > now:
                continue
            ended = self.ended(f, now, order, by_time)
            hs = handshake_at(f) if f.proto == 6 else None
            if first.dir == TOSERVER:
                ev += [(first.t, "new_flows", 1), (first.t, "dst_ports", f.sport),
                       (first.t, "dst_addrs", f.server)]
                if is_syn(first):
                    ev.append((first.t, "syns", 1))
                    if hs is None or hs > now:
                        if ended:
                            ev.append((self.ends[f][0], "half_open_ended", 1))
                        else:
                            half_open += 1
            if not ended:
                open_flows += 1
            for p in f.pkts:
                if p.t > now:
                    break
                d = "fwd" if p.dir == TOSERVER else "bwd"
                ev += [(p.t, "pkts_" + d, 1), (p.t, "bytes_" + d, p.size)]
                if p.dir == TOCLIENT and p.proto == 6 and p.flags & RST:
                    ev.append((p.t, "rst_recv", 1))
                if p.dir == TOCLIENT and p.proto == 1:
                    ev.append((p.t, "icmp_err_recv", 1))
            for t, path in getattr(f, "requests", []):
                if seen(t):
                    ev += [(t, "requests", 1), (t, "url_paths", path), (t, "req", 1)]
            for t, status, _ in getattr(f, "responses", []):
                if seen(t):
                    for name, hit in (("s4xx", 400 <= status < 500), ("s401", status == 401),
                                      ("s403", status == 403), ("s404", status == 404)):
                        if hit:
                            ev.append((t, name, 1))
            for start, end in getattr(f, "heads", []):
                if seen(start) and not ended and (end is None or not seen(end)):
                    heads.append(start)
        e = {}
        for prefix, width in (("cl1_", W1), ("cl10_", W10)):
            start = now // width * width
            keep = 1 - (now - start) / width
            cur = [(k, v) for t, k, v in ev if start <= t <= now]
            prev = [(k, v) for t, k, v in ev if start - width <= t < start]

            def est(col):
                a = sum(v for k, v in cur if k == col)
                b = sum(v for k, v in prev if k == col)
                return a if b == 0 else a + b if keep == 1 else a + keep * b

            for col in WIN:
                if col in ("dst_ports", "dst_addrs", "url_paths"):
                    e[prefix + col] = Approx(len({v for c, v in cur if c == col}),
                                             len({v for c, v in prev if c == col}), keep)
                elif col.startswith("ratio_"):
                    req = est("requests")
                    n = est("s" + col[6:])
                    e[prefix + col] = min(1.0, n / req) if req else 0.0
                else:
                    e[prefix + col] = est(col)
        e["cl_open_flows"] = open_flows
        e["cl_half_open_now"] = half_open
        e["cl_incomplete_heads"] = len(heads)
        e["cl_incomplete_age"] = (now - sum(heads) / len(heads)) / 1e6 if heads else 0.0
        dec = now // W10 * W10
        times = sorted(t for t, k, _ in ev if k == "req" and t >= dec)
        iv = [(b - a) / 1e6 for a, b in zip(times, times[1:])]
        mean = sum(iv) / len(iv) if iv else 0.0
        e["cl_req_interval_mean"] = mean
        e["cl_req_interval_cv"] = (math.sqrt(sample_var(iv)) / mean
                                   if len(iv) >= 2 and mean > 0 else 0.0)
        return e


class Result:
    """One run's rows, and the scenario's flows and clients."""

    def __init__(self, header, lines, flows):
        self.header = header
        self.names = header[7:]
        self.rows = [Row(x, self.names, i) for i, x in enumerate(lines)]
        self.flows = flows
        self.by_key = {}
        for f in flows:
            key = (norm_addr(f.client), f.cport, norm_addr(f.server), f.sport, f.proto)
            self.by_key[key] = f

    def flow_of(self, r):
        return self.by_key[(r.client, r.cport, r.server, r.sport, int(r.f["proto"]))]

    def rows_of(self, f, dp=None):
        out = []
        for r in self.rows:
            if r.dp in ("tick", "trigger") or (dp is not None and r.dp != dp):
                continue
            if self.flow_of(r) is f:
                out.append(r)
        return out

    def one(self, f, dp):
        rows = self.rows_of(f, dp)
        assert len(rows) == 1, (dp, rows)
        return rows[0]

    def client(self, addr):
        flows = [f for f in self.flows if client_key(f.client) == client_key(addr)]
        ends = {}
        for r in self.rows:
            if r.dp == "end":
                f = self.flow_of(r)
                if f in flows:
                    ends[f] = (r.t, r.order)
        return Client(flows, ends)

    def client_rows(self, addr, dp):
        return [r for r in self.rows if r.dp == dp and r.client == client_key(addr)]


class Features(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ww_features_")
        with open(os.path.join(cls.tmp, "ww.ini"), "w") as fh:
            fh.write(CONFIG)
        cls.res = {}
        cls.scn = {}
        for name, sets in (("http", ()), ("udpscan", ()), ("status", ()),
                           ("slow", ()), ("agents", ()),
                           # A trigger row when the client's new flows in a
                           # second reach 5 (and not for its ports).
                           ("many", ("detect.trigger_new_flows=5",
                                     "detect.trigger_dst_ports=0"))):
            built = getattr(G, name)()
            cls.scn[name] = built
            header, lines = run(cls.tmp, built[0], name, sets)
            cls.res[name] = Result(header, lines, built[0].flows)
        mixed = G.mixed()
        cls.mixed_flows = mixed.flows
        cls.mixed = {}
        for workers in (1, 2):
            cls.mixed[workers] = run(cls.tmp, mixed, "mixed%d" % workers, (), workers)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        STARTED.add(self._testMethodName)

    # ---- helpers ----

    def compare(self, row, want, what, ignore=()):
        """Every column of @want against @row; all mismatches at once."""
        bad = self.mismatches(row, want, ignore)
        if bad:
            self.fail("%s %r:\n  %s" % (what, row, "\n  ".join(bad)))

    @staticmethod
    def mismatches(row, want, ignore=()):
        bad = []
        for name, w in want.items():
            if name in ignore:
                continue
            CHECKED.add(name)
            got = row.f[name]
            if isinstance(w, Approx):
                ok = w.ok(got)
            elif isinstance(w, int):
                ok = got == w
            else:
                ok = math.isclose(got, w, rel_tol=REL, abs_tol=1e-9)
            if not ok:
                bad.append("%s: expected %r, got %r" % (name, w, got))
        return bad

    def flow_row(self, res, f, dp, n=None, ignore=()):
        """Row @dp of flow @f: its time, meta columns and every column.
        A packet decision point whose packet completes the flow's first
        request has no row of its own: the request row stands for it
        (None)."""
        if n is None and dp.startswith("pkt"):
            n = int(dp[3:])
        if dp.startswith("pkt") and coalesced(f, n):
            self.assertEqual(res.rows_of(f, dp), [], "%s: the request row stands for it" % dp)
            return None
        r = res.one(f, dp)
        end = dp == "end"
        if n is None:
            n = len(f.pkts) if end else max(i + 1 for i, p in enumerate(f.pkts) if p.t <= r.t)
        if not end:
            self.assertEqual(r.t, f.pkts[n - 1].t, "%s row at packet %d" % (dp, n))
        self.assertEqual((r.client, r.cport, r.server, r.sport),
                         (norm_addr(f.client), f.cport, norm_addr(f.server), f.sport))
        self.assertNotEqual(r.flow_id, 0)
        l7_now = dp in ("request", "end")
        want = flow_expect(f, n, r.t, l7_now, end, dp)
        cl = res.client(f.client)
        want.update(cl.expect(r.t, l7_now, r.order))
        self.compare(r, want, "%s row" % dp, ignore)
        return r

    def client_row(self, res, addr, dp, t, ignore=()):
        rows = [r for r in res.client_rows(addr, dp) if r.t == t]
        self.assertEqual(len(rows), 1, "%s row of %s at %.6f: %r" % (dp, addr, t / 1e6,
                                                                     res.client_rows(addr, dp)))
        r = rows[0]
        self.assertEqual((r.cport, r.server, r.sport), (0, "", 0))
        want = {c: 0 for c in FLOW_COLS + REQ_COLS}
        want.update(row_kind=1, decision_point=DP[dp])
        want.update(res.client(addr).expect(t, dp == "tick", r.order))
        self.compare(r, want, "%s row" % dp, ignore)
        return r

    def ticks(self, res, addr):
        return sorted(r.t for r in res.client_rows(addr, "tick"))

    # ---- the columns ----

    def test_header(self):
        header = self.res["http"].header
        self.assertEqual(header[:7], META)
        self.assertEqual(header[7:], FEATURES)
        self.assertEqual(len(FEATURES), 89)

    def test_decision_points_taken(self):
        """Every flow of every capture: a pktN row for each N in 2, 4, 8,
        16 it reached, a request row when it carried a complete request,
        one end row; nothing else (client rows aside)."""
        for name, res in self.res.items():
            for f in res.flows:
                want = ["pkt%d" % n for n in (2, 4, 8, 16)
                        if len(f.pkts) >= n and not coalesced(f, n)]
                if getattr(f, "requests", None):
                    want.append("request")
                want.append("end")
                got = [r.dp for r in res.rows_of(f)]
                self.assertEqual(sorted(got), sorted(want), (name, f.cport, f.sport))
        # Client rows: ticks, and the one trigger (test_trigger_row).
        kinds = {r.dp for res in self.res.values() for r in res.rows
                 if r.f["row_kind"] == 1}
        self.assertEqual(kinds, {"tick", "trigger"})

    # ---- one HTTP connection ----

    def test_http_flow_rows(self):
        """pkt2/4/8/16: counts, bytes, payload, sizes, iats, flags,
        handshake, windows, first sizes, the HTTP counters so far, and
        the client's columns at that packet."""
        res, f = self.res["http"], self.scn["http"][1]
        for dp, n in (("pkt2", 2), ("pkt4", 4), ("pkt8", 8), ("pkt16", 16)):
            with self.subTest(dp=dp):
                self.flow_row(res, f, dp, n)
        # By hand, for the reader: at pkt16 (the client's FIN), 11
        # packets went to the server and 5 came back; 4 requests were
        # answered 200/302/404/503 after 50/20/30/40 ms.
        r = res.one(f, "pkt16")
        self.assertEqual((r.f["pkts_fwd"], r.f["pkts_bwd"], r.f["fin"], r.f["urg"]),
                         (11, 5, 1, 1))
        self.assertAlmostEqual(r.f["http_latency_mean"], 35.0, places=4)
        self.assertEqual(r.f["init_win_fwd"], 64240)
        self.assertEqual(r.f["init_win_bwd"], 65160)

    def test_http_request_row(self):
        """The first request: GET /search?q=abc&page=2 with curl's UA and
        3 header lines, its row at the segment that carries it."""
        res, f = self.res["http"], self.scn["http"][1]
        r = self.flow_row(res, f, "request", 4)
        self.assertEqual([r.f[c] for c in REQ_COLS], [1, 7, 12, 2, 0.25, 3, 2, 0])

    def test_http_end_row_and_tick(self):
        """The end row (at the capture's end, its last timestamp) and the
        client's tick at the end of its second. The 1 s window of the end
        row: test_capture_end_rows_and_last_tick."""
        res, f = self.res["http"], self.scn["http"][1]
        r = self.flow_row(res, f, "end", ignore=FLUSHED)
        self.assertEqual(r.t, f.pkts[-1].t)
        self.assertEqual([r.f[c] for c in ("http_requests", "http_2xx", "http_3xx",
                                           "http_4xx", "http_5xx", "fin", "psh")],
                         [4, 1, 1, 1, 1, 2, 8])
        self.assertEqual(self.ticks(res, G.HTTP_CLIENT), [G.us(1)])
        self.client_row(res, G.HTTP_CLIENT, "tick", G.us(1))
        # (The request completes on the 4th packet: its row stands for
        # pkt4.)
        self.assertEqual(sorted(x.dp for x in res.rows),
                         sorted(["pkt2", "request", "pkt8", "pkt16", "tick", "end"]))

    def test_capture_end_rows_and_last_tick(self):
        """Flows still open when the capture ends end at
        its last timestamp, inside the last second of their client. So
        (1) their end rows must show the client's windows at that time
        (the second still running), and (2) the tick that closes that
        second ("the client as of the end of that second") must count them
        as ended (cl_open_flows, heads, half-open ended): the flows end
        first, then the last ticks (ww_worker_flush_flows)."""
        cases = [("http", G.HTTP_CLIENT, self.scn["http"][1].pkts[-1].t, 1),
                 ("status", G.STATUS_CLIENT, self.scn["status"][1].pkts[-1].t, 5),
                 ("slow", G.SLOW_CLIENT, G.us(9.505), 10),
                 ("agents", G.AGENTS_CLIENT, G.us(5.660), 6),
                 ("udpscan", G.SCAN_CLIENT, G.us(1.460), 2),
                 ("many", G.MANY_CLIENT, G.us(13.510), 14)]
        bad = []
        for name, addr, last, tick in cases:
            res = self.res[name]
            cl = res.client(addr)
            flushed = [r for r in res.rows if r.dp == "end" and r.t == last
                       and r.client == addr and (name != "many" or r.f["proto"] == 17)]
            self.assertTrue(flushed)
            icmp = (("cl1_new_flows", "cl1_dst_ports", "cl10_new_flows", "cl10_dst_ports")
                    if name == "udpscan" else ())
            for r in flushed:
                want = cl.expect(r.t, True, r.order)
                miss = self.mismatches(r, {c: want[c] for c in FLUSHED}, icmp)
                if miss:
                    bad.append("%s end row %r: %s" % (name, r, "; ".join(miss)))
            r = [x for x in res.client_rows(addr, "tick") if x.t == G.us(tick)][0]
            want = cl.expect(r.t, True, r.order, by_time=True)
            miss = self.mismatches(r, {c: want[c] for c in GAUGES + [
                "cl1_half_open_ended", "cl10_half_open_ended"]})
            if miss:
                bad.append("%s last tick %r: %s" % (name, r, "; ".join(miss)))
        if bad:
            self.fail("%d rows, e.g.:\n%s" % (len(bad), "\n".join(bad[:8])))

    # ---- a client with many flows ----

    def test_many_flows_tick(self):
        """30 SYNs to 30 ports in second 2, each refused: the tick at 3 s
        (the port count: test_distinct_ports_of_a_port_scan)."""
        res = self.res["many"]
        self.assertEqual(self.ticks(res, G.MANY_CLIENT), [G.us(3), G.us(4), G.us(14)])
        r = self.client_row(res, G.MANY_CLIENT, "tick", G.us(3), ignore=("cl1_dst_ports",
                                                                       "cl10_dst_ports"))
        self.assertEqual([r.f[c] for c in ("cl1_new_flows", "cl1_syns", "cl1_rst_recv",
                                           "cl1_pkts_fwd", "cl1_pkts_bwd", "cl1_bytes_fwd",
                                           "cl1_bytes_bwd", "cl_half_open_now",
                                           "cl_open_flows", "cl1_half_open_ended")],
                         [30, 30, 30, 30, 30, 1200, 1200, 30, 30, 0])
        # Each refused flow: a SYN and a RST-ACK (window 0), 1 ms apart.
        for f in self.scn["many"][1][:3]:
            self.flow_row(res, f, "pkt2", ignore=("cl1_dst_ports", "cl10_dst_ports"))

    def test_many_flows_sliding_1s(self):
        """A UDP exchange at 3.25/3.26 s: at its pkt2 row the 1 s window
        is second 3 plus 0.74 of second 2 (new flows 1 + 0.74 * 30 =
        23.2), the 10 s window seconds 0..3 in full; the tick at 4 s."""
        res, u1 = self.res["many"], self.scn["many"][2]
        r = self.flow_row(res, u1, "pkt2", ignore=("cl1_dst_ports", "cl10_dst_ports"))
        self.assertAlmostEqual(r.f["cl1_new_flows"], 23.2, places=4)
        self.assertAlmostEqual(r.f["cl1_bytes_fwd"], 48 + 0.74 * 1200, places=3)
        self.assertEqual(r.f["cl10_new_flows"], 31)
        self.client_row(res, G.MANY_CLIENT, "tick", G.us(4), ignore=("cl10_dst_ports",))

    def test_many_flows_end_and_sliding_10s(self):
        """The refused flows end (closed_timeout, 10 s) at the first frames
        after it, 13.51 s: each end row counts one more half-open flow
        ended; the tick at 14 s has all 30 in its 1 s window, and a 10 s
        window of second 13 plus 0.6 of seconds 0..9 (new flows 1 + 0.6 *
        31 = 19.6)."""
        res, syns, u2 = self.res["many"], self.scn["many"][1], self.scn["many"][3]
        for f in syns:
            r = self.flow_row(res, f, "end", ignore=("cl10_dst_ports",))
            self.assertEqual(r.t, G.us(13.510))
        ended = sorted(res.one(f, "end").f["cl1_half_open_ended"] for f in syns)
        self.assertEqual(ended, list(range(1, 31)))
        self.flow_row(res, u2, "pkt2", ignore=("cl10_dst_ports",))
        r = self.client_row(res, G.MANY_CLIENT, "tick", G.us(14), ignore=("cl10_dst_ports",))
        self.assertAlmostEqual(r.f["cl10_new_flows"], 19.6, places=4)
        self.assertEqual([r.f[c] for c in ("cl1_half_open_ended", "cl10_half_open_ended",
                                           "cl_half_open_now")], [30, 30, 0])
        self.assertAlmostEqual(r.f["cl10_syns"], 18.0, places=4)

    def test_trigger_row(self):
        """detect.trigger_new_flows=5: one client row "trigger" at the 5th
        SYN (2.040 s), once a second."""
        res = self.res["many"]
        rows = [r for r in res.rows if r.dp == "trigger"]
        self.assertEqual(len(rows), 1, rows)
        fifth = self.scn["many"][1][4]
        self.assertEqual(rows[0].t, fifth.pkts[0].t)
        r = self.client_row(res, G.MANY_CLIENT, "trigger", fifth.pkts[0].t)
        self.assertEqual(r.flow_id, 0)  # a client row (struct ww_feat_record)
        self.assertEqual([r.f[c] for c in ("cl1_new_flows", "cl1_syns", "cl1_pkts_fwd",
                                           "cl1_pkts_bwd", "cl1_rst_recv",
                                           "cl_half_open_now")], [5, 5, 5, 4, 4, 5])

    def test_distinct_ports_of_a_port_scan(self):
        """30 distinct consecutive ports (1001..1030) read ~30 (within 20%:
        about two standard errors of linear counting there), and 1 + 0.74
        * 30 at 3.26 s. (A hash that spreads consecutive values evenly,
        as a multiplicative one does, leaves no collision for linear
        counting to correct, and reads them as ~40.)"""
        res = self.res["many"]
        r = [x for x in res.client_rows(G.MANY_CLIENT, "tick") if x.t == G.us(3)][0]
        self.compare(r, {"cl1_dst_ports": Approx(30), "cl10_dst_ports": Approx(30)},
                     "tick row")
        r = res.one(self.scn["many"][2], "pkt2")
        self.compare(r, {"cl1_dst_ports": Approx(1, 30, 0.74)}, "pkt2 row")

    # ---- a UDP scan answered by ICMP ----

    def test_udp_scan(self):
        """UDP to 10 ports, each answered by ICMP port unreachable (one
        ICMP flow, server to client), then UDP to 4 more servers: icmp
        errors 10, 10 ports (the ICMP flow is the server's, not one the
        client started), 5 addresses. New flows:
        test_icmp_errors_are_not_new_flows."""
        res = self.res["udpscan"]
        _, probes, icmp, others = self.scn["udpscan"]
        skip = ("cl1_new_flows", "cl10_new_flows", "cl1_dst_ports", "cl10_dst_ports")
        self.assertEqual(self.ticks(res, G.SCAN_CLIENT), [G.us(2)])
        r = self.client_row(res, G.SCAN_CLIENT, "tick", G.us(2), ignore=skip)
        self.assertEqual([r.f[c] for c in ("cl1_icmp_err_recv", "cl10_icmp_err_recv",
                                           "cl1_pkts_fwd", "cl1_pkts_bwd")], [10, 10, 14, 10])
        self.compare(r, {"cl1_dst_ports": Approx(10), "cl1_dst_addrs": Approx(5)}, "tick")
        for dp in ("pkt2", "pkt4", "pkt8"):
            self.flow_row(res, icmp, dp, ignore=skip)
        self.flow_row(res, icmp, "end", ignore=skip + FLUSHED)
        for f in probes[:2] + others[:1]:
            self.flow_row(res, f, "end", ignore=skip + FLUSHED)
            self.assertEqual(res.rows_of(f, "pkt2"), [])

    def test_icmp_errors_are_not_new_flows(self):
        """new_flows are "flows the client started" (models/FEATURES.md):
        it opened 14 (10 probes, 4 queries); the server's ICMP errors
        about them are not flows the client opened (else a UDP scan of N
        hosts that answer with ICMP would read as 2N new flows)."""
        res = self.res["udpscan"]
        r = [x for x in res.client_rows(G.SCAN_CLIENT, "tick") if x.t == G.us(2)][0]
        bad = self.mismatches(r, {"cl1_new_flows": 14, "cl10_new_flows": 14,
                                  "cl1_dst_ports": Approx(10)})
        # At the second error, the client had sent 2 probes to 2 ports.
        r = res.one(self.scn["udpscan"][2], "pkt2")
        bad += self.mismatches(r, {"cl1_new_flows": 2, "cl1_dst_ports": Approx(2)})
        self.assertEqual(bad, [])

    def test_icmp_flow_server_port(self):
        """models/FEATURES.md: server_port is, for ICMP, the flow's first
        packet's type x 256 + code: port unreachable is type 3, code 3."""
        res = self.res["udpscan"]
        icmp = self.scn["udpscan"][2]
        for dp in ("pkt2", "pkt4", "pkt8", "end"):
            self.assertEqual(res.one(icmp, dp).f["server_port"], 3 * 256 + 3, dp)

    # ---- HTTP statuses, paths and request intervals ----

    def test_http_status_ratios_paths_intervals(self):
        """Ten requests on one connection, 0.08 and 0.12 s apart in turn,
        answered 401 x2, 403 x3, 404, 200 x4, to 6 distinct paths."""
        res, f = self.res["status"], self.scn["status"][1]
        self.assertEqual(self.ticks(res, G.STATUS_CLIENT), [G.us(5)])
        r = self.client_row(res, G.STATUS_CLIENT, "tick", G.us(5))
        self.assertEqual(r.f["cl1_requests"], 10)
        for c, v in (("ratio_4xx", 0.6), ("ratio_401", 0.2), ("ratio_403", 0.3),
                     ("ratio_404", 0.1)):
            self.assertAlmostEqual(r.f["cl1_" + c], v, places=6)
            self.assertAlmostEqual(r.f["cl10_" + c], v, places=6)
        iv = [0.08, 0.12] * 4 + [0.08]
        mean = sum(iv) / 9
        self.assertAlmostEqual(r.f["cl_req_interval_mean"], mean, places=6)
        cv = math.sqrt(sum((x - mean) ** 2 for x in iv) / 8) / mean
        self.assertAlmostEqual(r.f["cl_req_interval_cv"], cv, places=5)
        for dp in ("pkt2", "pkt4", "request", "pkt8", "pkt16"):
            with self.subTest(dp=dp):
                self.flow_row(res, f, dp)
        r = self.flow_row(res, f, "end", ignore=FLUSHED)
        self.assertEqual([r.f[c] for c in ("http_requests", "http_2xx", "http_4xx")],
                         [10, 4, 6])
        self.assertAlmostEqual(r.f["http_latency_mean"], 10.0, places=4)

    # ---- slow headers ----

    def test_slow_heads(self):
        """Three heads begun at 6.25/6.45/6.65 s and left incomplete; the
        first completes at 8.3 s: ages 0.55 (tick 7 s), 1.55 (8 s), 1.75
        at the request, 2.45 with two left (9 s)."""
        res, conns = self.res["slow"], self.scn["slow"][1]
        self.assertEqual(self.ticks(res, G.SLOW_CLIENT),
                         [G.us(7), G.us(8), G.us(9), G.us(10)])
        ages = {7: 0.55, 8: 1.55, 9: 2.45}
        for s, age in ages.items():
            r = self.client_row(res, G.SLOW_CLIENT, "tick", G.us(s))
            self.assertEqual(r.f["cl_incomplete_heads"], 3 if s < 9 else 2)
            self.assertAlmostEqual(r.f["cl_incomplete_age"], age, places=5)
        r = self.flow_row(res, conns[0], "request")
        self.assertEqual(r.f["cl_incomplete_heads"], 2)
        self.assertAlmostEqual(r.f["cl_incomplete_age"], 1.75, places=5)
        for f in conns:
            for dp in ("pkt2", "pkt4"):
                self.flow_row(res, f, dp)
        self.flow_row(res, conns[0], "pkt8")
        for f in conns:
            self.flow_row(res, f, "end", ignore=FLUSHED)

    # ---- requests and user agents ----

    def test_request_features_and_ua_classes(self):
        """curl (cli), a browser, sqlmap (scanner), kube-probe (monitor), a
        POST with a 27-byte body (python-requests: library), a HEAD without
        headers: their request rows."""
        res = self.res["agents"]
        for f, n, want in self.scn["agents"][1]:
            with self.subTest(port=f.cport):
                r = self.flow_row(res, f, "request", n)
                # The scenario's own description of the request, too.
                self.assertEqual(r.f["req_method"], want["method"])
                self.assertEqual(r.f["req_path_len"], len(want["path"]))
                self.assertEqual(r.f["req_query_len"], len(want["query"]))
                self.assertEqual(r.f["req_args"], want["args"])
                self.assertEqual(r.f["req_headers"], want["headers"])
                self.assertEqual(r.f["req_ua_class"], want["ua"])
                self.assertEqual(r.f["req_body_len"], want["body"])
                t = want["target"]
                self.assertAlmostEqual(r.f["req_nonalnum"],
                                       sum(not c.isalnum() for c in t) / len(t), places=6)
                self.flow_row(res, f, "pkt2")
                self.flow_row(res, f, "end", ignore=FLUSHED)
        self.client_row(res, G.AGENTS_CLIENT, "tick", G.us(6))

    # ---- workers, IPv6 ----

    def test_workers_1_and_2_agree(self):
        """The mixed capture (every client above and an IPv6 one) gives the
        same rows with one worker and with two (flow ids aside: they
        carry the worker's number)."""
        def rows(workers):
            header, lines = self.mixed[workers]
            return sorted(tuple(x[:1] + x[2:]) for x in lines)
        one, two = rows(1), rows(2)
        self.assertGreater(len(one), 100)
        only1 = sorted(set(one) - set(two))
        only2 = sorted(set(two) - set(one))
        self.assertEqual((only1[:5], only2[:5]), ([], []))
        self.assertEqual(one, two)

    def test_ipv6_client(self):
        """The IPv6 client in the mixed capture: sizes are 40 + the IPv6
        payload, its client rows name its /64."""
        header, lines = self.mixed[1]
        res = Result(header, lines, self.mixed_flows)
        f = [x for x in self.mixed_flows if x.client == G.V6_CLIENT][0]
        for dp in ("pkt2", "pkt4", "request", "pkt8"):
            self.flow_row(res, f, dp)
        r = self.flow_row(res, f, "end")
        self.assertEqual(r.f["size_min"], 60)
        self.assertEqual(r.t, max(p.t for x in self.mixed_flows for p in x.pkts))
        # Its flow ends when the capture does (13.51 s): the second that
        # ends then gets a tick too (a flow ending changes the client).
        self.assertEqual(self.ticks(res, G.V6_CLIENT), [G.us(10), G.us(14)])
        r = self.client_row(res, G.V6_CLIENT, "tick", G.us(10))
        self.assertEqual(r.client, "2001:db8:1:2::")

    def test_zz_every_column_checked(self):
        others = {n for n in dir(self) if n.startswith("test_") and n != self._testMethodName}
        if not others <= STARTED:
            self.skipTest("only after every other test ran")
        self.assertEqual([c for c in FEATURES if c not in CHECKED], [])


if __name__ == "__main__":
    WIREWALL = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
