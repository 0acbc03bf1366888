#!/usr/bin/python3
"""Checks of wirewall's metrics for tests/netns/test_metrics.sh.

  metrics_check.py exposition FILE
      every sample belongs to a family with # HELP and # TYPE lines, the
      families the dashboard and the issue name are there, and the values
      the test's traffic must have moved did move.
  metrics_check.py dashboard DASHBOARD.json FILE
      every metric name the dashboard's PromQL uses is in the exposition.
  metrics_check.py telemetry FILE_PREFIX
      /wirewall/stats, /wirewall/flows and /wirewall/offenders through the
      DPDK telemetry socket.
  metrics_check.py prometheus URL SERVICE SECONDS
      a real Prometheus that scrapes wirewall answers a rate() of a
      counter and a histogram_quantile() of the latency histogram with
      sensible numbers, within SECONDS.

Each prints what it found and exits non-zero on the first failure.
"""
import json
import math
import re
import socket
import sys
import time
import urllib.parse
import urllib.request

# Metric names the dashboard may use before wirewall exports them (none
# now: the escalation ladder exports wirewall_response_steps_total).
NOT_YET_EXPORTED = set()

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def parse(path):
    """-> (families {name: type}, helps {name}, samples [(name, labels, value)])"""
    types, helps, samples = {}, set(), []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# TYPE "):
                _, _, name, typ = line.split(" ", 3)
                types[name] = typ
            elif line.startswith("# HELP "):
                helps.add(line.split(" ", 3)[2])
            elif line and not line.startswith("#"):
                m = SAMPLE.match(line)
                if not m:
                    sys.exit(f"not a sample line: {line!r}")
                labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"',
                                         m.group(2) or ""))
                samples.append((m.group(1), labels, float(m.group(3))))
    return types, helps, samples


def family_of(name, types):
    if name in types:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) == "histogram":
            return base
    return None


def value(samples, name, **labels):
    return sum(v for n, l, v in samples
               if n == name and all(l.get(k) == x for k, x in labels.items()))


def check_exposition(path):
    types, helps, samples = parse(path)
    for name, _, _ in samples:
        fam = family_of(name, types)
        if fam is None or fam not in helps:
            sys.exit(f"{name}: no family with # HELP and # TYPE")
    want = [
        "wirewall_build_info", "wirewall_port_packets_total",
        "wirewall_port_bytes_total", "wirewall_drops_total",
        "wirewall_alerts_total", "wirewall_alert_signatures_total",
        "wirewall_flows_active", "wirewall_flows_created_total",
        "wirewall_flows_evicted_total", "wirewall_flows_ended_total",
        "wirewall_http_requests_total",
        "wirewall_http_request_duration_seconds",
        "wirewall_model_verdicts_total",
        "wirewall_model_inference_seconds_total", "wirewall_dynamic_blocks",
        "wirewall_events_dropped_total",
        "wirewall_http_service_overflow_total",
        "wirewall_alert_signature_overflow_total",
    ]
    for fam in want:
        if fam not in types:
            sys.exit(f"family {fam} missing")
    for fam, typ in types.items():
        if typ == "counter" and not fam.endswith("_total"):
            sys.exit(f"counter {fam} does not end in _total")
    checks = {
        "rx packets": value(samples, "wirewall_port_packets_total",
                            direction="rx"),
        "shop 2xx": value(samples, "wirewall_http_requests_total",
                          service="shop", status_class="2xx"),
        "shop 4xx (404s, and 429s from wirewall)":
            value(samples, "wirewall_http_requests_total", service="shop",
                  status_class="4xx"),
        "unnamed service 10.77.0.2:80 2xx":
            value(samples, "wirewall_http_requests_total",
                  service="10.77.0.2:80", status_class="2xx"),
        "shop latency count":
            value(samples, "wirewall_http_request_duration_seconds_count",
                  service="shop"),
        "rate-limit alerts": value(samples, "wirewall_alerts_total",
                                   category="rate-limit"),
        "rate-limit signature (9100010 + route)":
            sum(v for n, l, v in samples
                if n == "wirewall_alert_signatures_total"
                and l.get("category") == "rate-limit"),
        "flows created": value(samples, "wirewall_flows_created_total"),
    }
    for what, v in checks.items():
        print(f"{what}: {v:g}")
        if not v > 0:
            sys.exit(f"{what}: expected > 0")
    # The histogram is cumulative and its +Inf bucket is its count.
    buckets = [(l["le"], v) for n, l, v in samples
               if n == "wirewall_http_request_duration_seconds_bucket"
               and l.get("service") == "shop"]
    counts = [v for _, v in buckets]
    if counts != sorted(counts) or buckets[-1][0] != "+Inf" or \
            counts[-1] != checks["shop latency count"]:
        sys.exit(f"shop's buckets are not a cumulative histogram: {buckets}")
    # Answers from wirewall (429) are requests, not latency samples.
    requests = sum(v for n, l, v in samples
                   if n == "wirewall_http_requests_total"
                   and l.get("service") == "shop"
                   and l.get("status_class") != "none")
    if not counts[-1] < requests:
        sys.exit(f"latency count {counts[-1]} should be under the answered "
                 f"requests {requests} (wirewall's 429s have no latency)")
    print(f"exposition: {len(types)} families, {len(samples)} samples")


def check_dashboard(dash_path, expo_path):
    with open(dash_path) as f:
        dash = json.load(f)
    exprs = []

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k in ("expr", "query", "definition") and isinstance(v, str):
                    exprs.append(v)
                else:
                    walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(dash)
    names = set()
    for e in exprs:
        names |= set(re.findall(r"\bwirewall_[a-z0-9_]+", e))
    if not names:
        sys.exit("the dashboard uses no wirewall metric")
    types, _, samples = parse(expo_path)
    have = set(types) | {n for n, _, _ in samples}
    missing = sorted(names - have - NOT_YET_EXPORTED)
    print(f"dashboard: {len(exprs)} expressions, {len(names)} metric names")
    if missing:
        sys.exit(f"the dashboard uses names the endpoint lacks: {missing}")
    for n in sorted(NOT_YET_EXPORTED & names - have):
        print(f"  {n}: allowed until the escalation ladder exports it")


def telemetry(prefix):
    path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    info = json.loads(s.recv(1024))
    out = {}
    for cmd in ("/wirewall/stats", "/wirewall/flows", "/wirewall/offenders"):
        s.send(cmd.encode())
        out[cmd] = json.loads(s.recv(info["max_output_len"]))[cmd]
    s.close()
    st, fl = out["/wirewall/stats"], out["/wirewall/flows"]
    print(json.dumps(st)[:300])
    if not (st["rx_packets"] > 0 and st["http_requests"] > 0 and
            st["workers"] == 1 and st["alerts"]["rate_limit"] > 0 and
            sum(p["rx_packets"] for p in st["ports"].values())
            == st["rx_packets"]):
        sys.exit("/wirewall/stats: counters that must have moved did not")
    if not (fl["created"] > 0 and "fin" in fl["ended"]):
        sys.exit(f"/wirewall/flows: {fl}")
    if out["/wirewall/offenders"] != []:
        sys.exit(f"/wirewall/offenders: {out['/wirewall/offenders']}")


def query(url, expr):
    q = urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(f"{url}/api/v1/query?{q}", timeout=5) as r:
        body = json.load(r)
    if body.get("status") != "success":
        raise RuntimeError(body)
    return [float(x["value"][1]) for x in body["data"]["result"]]


def prometheus(url, service, seconds):
    rate = 'sum(rate(wirewall_port_packets_total{direction="rx"}[10s]))'
    reqs = ('sum(rate(wirewall_http_requests_total{service="%s"}[10s]))'
            % service)
    p90 = ('histogram_quantile(0.9, sum by (le) (rate('
           'wirewall_http_request_duration_seconds_bucket{service="%s"}'
           '[10s])))' % service)
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        try:
            last = (query(url, rate), query(url, reqs), query(url, p90))
        except (OSError, RuntimeError) as e:
            last = e
            time.sleep(1)
            continue
        r, q, h = last
        if (len(r) == 1 and r[0] > 0 and len(q) == 1 and q[0] > 0 and
                len(h) == 1 and math.isfinite(h[0]) and 0 < h[0] <= 2.5):
            print(f"rx packets/s {r[0]:.1f}, {service} requests/s {q[0]:.1f}, "
                  f"p90 latency {h[0] * 1000:.2f} ms")
            return
        time.sleep(1)
    sys.exit(f"Prometheus never gave sensible answers; last: {last}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "exposition":
        check_exposition(sys.argv[2])
    elif cmd == "dashboard":
        check_dashboard(sys.argv[2], sys.argv[3])
    elif cmd == "telemetry":
        telemetry(sys.argv[2])
    elif cmd == "prometheus":
        prometheus(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        sys.exit(__doc__)
