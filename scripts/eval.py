#!/usr/bin/python3
"""wirewall's evaluation on labelled test captures (scripts/eval.sh).

    eval.py --models DIR --out DIR [--build build] CAPTURE.pcap ...

Each capture needs its labels beside it (CAPTURE.json, from
scripts/traffic/gen.py). For each capture, wirewall runs in offline mode:

  passive   no rules, no models: the flows (EVE flow events) and the
            feature rows, the ground truth's unit of count;
  rules     the careful rule configuration (RULES below: CRS, per-client
            and per-route rate limits, a SYN guard, JWT on the API);
  models    no rules; the classifier and the anomaly model, may act;
  both      rules and models;
  request_rules  models with the rules that judge requests by their
            content (CRS, JWT) but no rate limits and no SYN guard.

and the EVE logs are scored against the labels:

- a client (source address) gets a verdict when an alert names it as
  source while its activity runs (from its start to LINGER s after);
- a flow is judged when the mode's flow record says so (Suricata's
  flow.alerted, or flow.action "drop": a frame of it was stopped), when
  the mode never tracked it (every frame stopped before the flow stage:
  block list, SYN guard), when an alert names its 5-tuple during its
  life, or when it starts while its source is under a mitigation in
  force (a model's block or throttle and its ttl; a block-list alert);
- per class: recall per client and per flow; precision of the model's
  class (per client: the class most of its model alerts give);
- benign false positives: benign flows judged / benign flows, benign
  clients with a verdict;
- time from an attacking address's first packet to its first verdict and
  to its first mitigation in force (median, 95th percentile);
- the anomaly model's ROC and precision-recall curves over the feature
  rows (wirewall-model predict scores them with wirewall's own code).

Writes DIR/report.md, DIR/metrics.json and DIR/*.png (matplotlib).
"""
import argparse
import bisect
import collections
import datetime
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "models"))
from spec import CLASSES, META, META_COLUMNS  # noqa: E402
LINGER = 150.0
MODES = ["rules", "models", "both", "request_rules"]
MODE_TITLES = {"rules": "rules only", "models": "models only", "both": "rules + models",
               "request_rules": "models + request rules"}
SERVER = "10.99.0.10"
# JWT on the shop's token routes (the rig's issuer and audience).
AUTH_ROUTES = "auth.routes=/api/orders https://shop.rig shop | /api/cart https://shop.rig shop"
# The careful operator's rule set: what a hand-tuned deployment of the
# gateway layer runs in front of this shop.
RULES = [
    "waf.enabled=yes",
    "limit.rate=20", "limit.burst=40",
    "limit.routes=POST /login 2 5 | POST /api/login 2 5 | * /api/ 20 40",
    "limit.syn_rate=50", "limit.syn_burst=100",
    "limit.action=429",
    AUTH_ROUTES,
]
NO_RULES = ["waf.enabled=no", "limit.rate=0", "limit.syn_rate=0", "limit.routes=",
            "auth.routes="]
NO_MODELS = ["detect.classifier=", "detect.anomaly="]
# The rules that judge a request by its content (CRS, JWT), without the
# per-client and per-route rate limits and the SYN guard: what an
# operator keeps beside the models, which take the volume.
REQUEST_RULES = ["waf.enabled=yes", "limit.rate=0", "limit.syn_rate=0", "limit.routes=",
                 AUTH_ROUTES]


def ts(s):
    """EVE timestamp -> epoch seconds."""
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def run_ww(build, conf, pcap, sets, eve, features=None):
    cmd = [os.path.join(build, "app/wirewall/wirewall"), "-c", conf, "-r", pcap, "--eve", eve]
    for s in sets:
        cmd += ["--set", s]
    if features:
        cmd += ["--features", features]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("eval.py: %s failed:\n%s" % (" ".join(cmd), r.stderr[-3000:]))
    return r.stderr


def read_eve(path):
    flows, alerts = [], []
    with open(path) as fh:
        for line in fh:
            e = json.loads(line)
            t = e.get("event_type")
            if t == "flow":
                f = e["flow"]
                flows.append((e["src_ip"], e.get("src_port", 0), e["dest_ip"],
                              e.get("dest_port", 0), e["proto"], ts(f["start"]), ts(f["end"]),
                              f["pkts_toserver"] + f["pkts_toclient"],
                              bool(f.get("alerted")) or f.get("action") == "drop"))
            elif t == "alert":
                alerts.append(e)
    return flows, alerts


class Truth:
    """Labels of one capture: the activity of an address at a time."""

    def __init__(self, labels):
        self.by_src = collections.defaultdict(list)
        self.end = labels["end"]
        for a in labels["activities"]:
            self.by_src[a["src"]].append(a)

    def activity(self, src, t):
        for a in self.by_src.get(src, ()):
            if a["start"] - 1.0 <= t <= (a["end"] or self.end) + LINGER:
                return a
        return None


def mitigations(alerts, block_ttl=300):
    """Per source: sorted intervals (start, end) of a mitigation in force."""
    iv = collections.defaultdict(list)
    for e in alerts:
        w = e.get("wirewall") or {}
        t = ts(e["timestamp"])
        act = w.get("action")
        if "model" in w and act in ("block", "throttle"):
            iv[e["src_ip"]].append((t, t + float(w.get("ttl") or block_ttl)))
        elif "block list" in e["alert"].get("signature", ""):
            # Said once per source per [block] alert_interval (60 s)
            # while the source stays blocked.
            iv[e["src_ip"]].append((t, t + 60.0))
        elif e["alert"].get("action") == "blocked":
            iv[e["src_ip"]].append((t, t + 1.0))  # a limit dropping
    for k in iv:
        iv[k].sort()
    return iv


def under(iv, src, t):
    for a, b in iv.get(src, ()):
        if a <= t <= b:
            return True
        if a > t:
            break
    return False


def score_mode(flows, truth, alerts, first_pkt, mode_flows):
    """The metrics of one mode on one capture."""
    # The mode's own record of each flow: alerted, or a frame stopped
    # (Suricata's flow.alerted and flow.action); a flow the passive run
    # saw and this run never tracked had every frame stopped before the
    # flow stage (block list, SYN guard).
    seen = collections.defaultdict(list)
    for (src, sp, dst, dp, proto, start, end, pkts, judged) in mode_flows:
        seen[(src, sp, dst, dp, proto)].append((start, judged))
    by_tuple = collections.defaultdict(list)
    verdict_src = collections.defaultdict(list)  # src -> alert times
    mit_src = collections.defaultdict(list)      # src -> times a mitigation acted
    model_cls = collections.defaultdict(collections.Counter)
    for e in alerts:
        t = ts(e["timestamp"])
        src = e.get("src_ip")
        key = (src, e.get("src_port", 0), e.get("dest_ip"), e.get("dest_port", 0), e.get("proto"))
        by_tuple[key].append(t)
        verdict_src[src].append(t)
        w = e.get("wirewall") or {}
        if e["alert"].get("action") == "blocked" or w.get("action") in (
                "block", "throttle", "drop", "reset"):
            mit_src[src].append(t)
        if "model" in w and w["model"].get("fired_by") == "class":
            model_cls[src][w["model"].get("class")] += 1
    for k in by_tuple:
        by_tuple[k].sort()
    iv = mitigations(alerts)
    res = {"flows": collections.Counter(), "flows_judged": collections.Counter(),
           "clients": collections.Counter(), "clients_verdict": collections.Counter(),
           "ttv": collections.defaultdict(list), "ttm": collections.defaultdict(list),
           "confusion": collections.defaultdict(collections.Counter),
           "benign_fp_clients": []}
    for (src, sp, dst, dp, proto, start, end, pkts, _) in flows:
        a = truth.activity(src, start)
        if a is None:
            continue
        cls = a["class"]
        res["flows"][cls] += 1
        ts_ = by_tuple.get((src, sp, dst, dp, proto), [])
        i = bisect.bisect_left(ts_, start - 0.001)
        same = [j for st, j in seen.get((src, sp, dst, dp, proto), ()) if st <= end + 1.0
                and st >= start - 1.0]
        judged = (not same or any(same) or (i < len(ts_) and ts_[i] <= end + 1.0)
                  or under(iv, src, start))
        res["flows_judged"][cls] += judged
    for src, acts in truth.by_src.items():
        a = acts[0]
        cls = a["class"]
        if src not in first_pkt:
            continue  # sent nothing the capture holds
        res["clients"][cls] += 1
        lo, hi = a["start"] - 1.0, (a["end"] or truth.end) + LINGER
        vt = [t for t in verdict_src.get(src, ()) if lo <= t <= hi]
        mt = [t for t in mit_src.get(src, ()) if lo <= t <= hi]
        if vt:
            res["clients_verdict"][cls] += 1
            if cls == "benign":
                res["benign_fp_clients"].append("%s (%s)" % (src, a["tool"]))
        if cls != "benign":
            if vt:
                res["ttv"][cls].append(max(0.0, min(vt) - first_pkt[src]))
            if mt:
                res["ttm"][cls].append(max(0.0, min(mt) - first_pkt[src]))
        guess = model_cls[src].most_common(1)
        res["confusion"][cls][guess[0][0] if guess else "none"] += 1
    return res


def merge(total, res):
    for k in ("flows", "flows_judged", "clients", "clients_verdict"):
        total[k].update(res[k])
    for k in ("ttv", "ttm"):
        for c, v in res[k].items():
            total[k][c].extend(v)
    for c, cnt in res["confusion"].items():
        total["confusion"][c].update(cnt)
    total["benign_fp_clients"].extend(res["benign_fp_clients"])


def empty():
    return {"flows": collections.Counter(), "flows_judged": collections.Counter(),
            "clients": collections.Counter(), "clients_verdict": collections.Counter(),
            "ttv": collections.defaultdict(list), "ttm": collections.defaultdict(list),
            "confusion": collections.defaultdict(collections.Counter), "benign_fp_clients": []}


def pct(v, q):
    return float(np.percentile(v, q)) if v else float("nan")


def anomaly_curves(model_tool, anomaly, rows_labels):
    """ROC and PR points of the anomaly score (attack = positive)."""
    scores, ys = [], []
    for rows_csv, truth in rows_labels:
        feats = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False)
        labels = []
        with open(rows_csv) as fh:
            next(fh)
            for line in fh:
                parts = line.rstrip("\n").split(",")
                a = truth.activity(parts[META_COLUMNS.index("client")], float(parts[0]))
                if a is None:
                    continue
                labels.append(0 if a["class"] == "benign" else 1)
                feats.write(",".join(parts[META:]) + "\n")
        feats.close()
        out = subprocess.run([model_tool, "predict", anomaly, feats.name], capture_output=True,
                             text=True, check=True).stdout.split()
        os.unlink(feats.name)
        scores += [float(l.split(",")[1]) for l in out]
        ys += labels
    s, y = -np.array(scores), np.array(ys)  # lower decision = more anomalous
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    tp = np.cumsum(y)
    fp = np.cumsum(1 - y)
    pos, neg = max(1, y.sum()), max(1, (1 - y).sum())
    tpr, fpr = tp / pos, fp / neg
    prec = tp / np.maximum(1, tp + fp)
    auc = float(np.trapz(np.concatenate([[0], tpr]), np.concatenate([[0], fpr])))
    return fpr, tpr, prec, auc, int(y.sum()), int((1 - y).sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--conf", default=os.path.join(ROOT, "conf/wirewall.ini"))
    ap.add_argument("--waf-cache", default=os.environ.get("WW_WAF_CACHE", ""))
    ap.add_argument("captures", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="ww_eval_")
    secret = os.path.join(work, "rig.secret")
    with open(secret, "w") as fh:
        fh.write("wirewall-traffic-rig-hs256-secret-key")
    base = ["general.protected_networks=10.99.0.0/16", "detect.may_act=yes",
            "auth.keys=secret %s alg=HS256" % secret]
    if a.waf_cache:
        base.append("waf.cache_dir=%s" % a.waf_cache)
    models = ["detect.classifier=%s" % os.path.join(a.models, "classifier.wwf"),
              "detect.anomaly=%s" % os.path.join(a.models, "anomaly.wwf")]
    sets = {"passive": base + NO_RULES + NO_MODELS, "rules": base + RULES + NO_MODELS,
            "models": base + NO_RULES + models, "both": base + RULES + models,
            "request_rules": base + REQUEST_RULES + models}
    totals = {m: empty() for m in MODES}
    rows_labels = []
    caps = []
    for pcap in sorted(a.captures):
        with open(pcap[:-5] + ".json") as fh:
            labels = json.load(fh)
        truth = Truth(labels)
        name = os.path.basename(pcap)[:-5]
        rows = os.path.join(work, name + ".rows.csv")
        eve = os.path.join(work, name + ".passive.json")
        run_ww(a.build, a.conf, pcap, sets["passive"], eve, rows)
        flows, _ = read_eve(eve)
        first_pkt = {}
        for f in flows:
            if f[0] not in first_pkt or f[5] < first_pkt[f[0]]:
                first_pkt[f[0]] = f[5]
        rows_labels.append((rows, truth))
        caps.append({"name": name, "seed": labels["seed"], "flows": len(flows),
                     "activities": len(labels["activities"]),
                     "attackers": len({x["src"] for x in labels["activities"]
                                       if x["class"] != "benign"})})
        for m in MODES:
            eve_m = os.path.join(work, "%s.%s.json" % (name, m))
            run_ww(a.build, a.conf, pcap, sets[m], eve_m)
            mode_flows, alerts = read_eve(eve_m)
            merge(totals[m], score_mode(flows, truth, alerts, first_pkt, mode_flows))
            os.unlink(eve_m)
        os.unlink(eve)

    metrics = {"captures": caps, "modes": {}}
    for m in MODES:
        t = totals[m]
        per = {}
        for c in CLASSES:
            fl, fj = t["flows"][c], t["flows_judged"][c]
            cl, cv = t["clients"][c], t["clients_verdict"][c]
            conf_row = t["confusion"].get(c, collections.Counter())
            per[c] = {"flows": fl, "flow_recall": fj / fl if fl else None,
                      "clients": cl, "client_recall": cv / cl if cl else None,
                      "ttv_median": pct(t["ttv"].get(c, []), 50),
                      "ttv_p95": pct(t["ttv"].get(c, []), 95),
                      "ttm_median": pct(t["ttm"].get(c, []), 50),
                      "ttm_p95": pct(t["ttm"].get(c, []), 95),
                      "model_class": dict(conf_row)}
        # Precision of the model's class per client: of the clients
        # whose model alerts mostly say c, how many are c.
        for c in CLASSES[1:]:
            said = sum(t["confusion"][k][c] for k in t["confusion"])
            per[c]["client_precision"] = t["confusion"][c][c] / said if said else None
        bf = t["flows"]["benign"]
        metrics["modes"][m] = {
            "per_class": per,
            "benign_flow_fp_rate": t["flows_judged"]["benign"] / bf if bf else None,
            "benign_flows": bf, "benign_flows_judged": t["flows_judged"]["benign"],
            "benign_clients_with_verdict": t["benign_fp_clients"],
            "attackers": sum(t["clients"][c] for c in CLASSES[1:]),
            "attackers_with_verdict": sum(t["clients_verdict"][c] for c in CLASSES[1:]),
        }
    model_tool = os.path.join(a.build, "app/wirewall-model/wirewall-model")
    fpr, tpr, prec, auc, n_pos, n_neg = anomaly_curves(
        model_tool, os.path.join(a.models, "anomaly.wwf"), rows_labels)
    metrics["anomaly"] = {"roc_auc": auc, "attack_rows": n_pos, "benign_rows": n_neg}
    with open(os.path.join(a.out, "metrics.json"), "w") as fh:
        json.dump(metrics, fh, indent=1, sort_keys=True, default=float)
    plots(a.out, metrics, fpr, tpr, prec, auc)
    report(a.out, metrics, a)
    print("eval.py: %s" % os.path.join(a.out, "report.md"))


def plots(out, metrics, fpr, tpr, prec, auc):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 4))
    x = np.arange(len(CLASSES) - 1)
    for i, m in enumerate(MODES):
        v = [metrics["modes"][m]["per_class"][c]["client_recall"] or 0 for c in CLASSES[1:]]
        ax.bar(x + (i - 1.5) * 0.2, v, 0.2, label=MODE_TITLES[m])
    ax.set_xticks(x)
    ax.set_xticklabels(CLASSES[1:], rotation=30, ha="right")
    ax.set_ylabel("recall per client")
    ax.set_ylim(0, 1.05)
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "recall.png"), dpi=100)
    plt.close(fig)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 4))
    a1.plot(fpr, tpr)
    a1.set_xlabel("false-positive rate (benign rows)")
    a1.set_ylabel("true-positive rate (attack rows)")
    a1.set_title("anomaly score ROC, AUC %.3f" % auc)
    a2.plot(tpr, prec)
    a2.set_xlabel("recall")
    a2.set_ylabel("precision")
    a2.set_title("anomaly score precision-recall")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "anomaly.png"), dpi=100)
    plt.close(fig)
    m = metrics["modes"]["models"]["per_class"]
    cols = CLASSES + ["none"]
    mat = np.array([[m[c]["model_class"].get(k, 0) for k in cols] for c in CLASSES])
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.imshow(mat, cmap="Blues")
    for i in range(len(CLASSES)):
        for j in range(len(cols)):
            ax.text(j, i, str(mat[i, j]), ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(cols, rotation=40, ha="right")
    ax.set_yticks(range(len(CLASSES)))
    ax.set_yticklabels(CLASSES)
    ax.set_xlabel("class most of the client's model alerts give")
    ax.set_ylabel("true class")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "confusion.png"), dpi=100)
    plt.close(fig)


def fmt(v, f="%.3f"):
    return "-" if v is None or (isinstance(v, float) and np.isnan(v)) else f % v


def report(out, metrics, a):
    L = []
    L.append("# wirewall: evaluation on test captures")
    L.append("")
    L.append("Written by `scripts/eval.py` (run by `scripts/eval.sh`); do not edit by hand. "
             "Models: `%s`." % a.models)
    L.append("")
    L.append("Test captures (scripts/traffic/gen.py --role test: seeds, addresses, rates and "
             "tool options (threads, ports, wordlist sizes, delays, sqlmap levels and targets, "
             "slowhttptest intervals) the training runs never used):")
    L.append("")
    for c in metrics["captures"]:
        L.append("- %s: %d flows, %d activities, %d attacking addresses"
                 % (c["name"], c["flows"], c["activities"], c["attackers"]))
    L.append("")
    L.append("## Headline")
    L.append("")
    L.append("| | %s |" % " | ".join(MODE_TITLES[m] for m in MODES))
    L.append("|---|" + "---:|" * len(MODES))
    row = lambda name, f: L.append("| %s | %s |" % (name, " | ".join(f(metrics["modes"][m])
                                                                    for m in MODES)))
    row("attacking addresses with a verdict",
        lambda d: "%d / %d" % (d["attackers_with_verdict"], d["attackers"]))
    row("benign-flow false-positive rate",
        lambda d: "%s (%d of %d)" % (fmt(d["benign_flow_fp_rate"], "%.2e"),
                                     d["benign_flows_judged"], d["benign_flows"]))
    row("benign clients with a verdict", lambda d: str(len(d["benign_clients_with_verdict"])))
    L.append("")
    L.append("## Beside the paper's Table 1")
    L.append("")
    L.append("| the paper's row | the paper | here | how it was measured here |")
    L.append("|---|---:|---:|---|")

    def share(m):
        d = metrics["modes"][m]
        return "%.0f %% (%d / %d)" % (100.0 * d["attackers_with_verdict"] / max(1, d["attackers"]),
                                      d["attackers_with_verdict"], d["attackers"])

    def ttm(m):
        v = [d["ttm_median"] for c, d in metrics["modes"][m]["per_class"].items()
             if c != "benign" and d["ttm_median"] == d["ttm_median"]]
        return "%.2f s" % float(np.median(v)) if v else "-"
    L.append("| detection accuracy, AI | 95 %% | %s (models), %s (models + rules) | attacking "
             "addresses with a verdict while they attack; false positives beside it, above |"
             % (share("models"), share("both")))
    L.append("| detection accuracy, rules | 72 %% | %s | the same, rules only |" % share("rules"))
    L.append("| incident recovery time, AI | 10 s | %s | median over classes of the median time "
             "from an address's first packet to the first mitigation in force (block, throttle, "
             "drop, reset) |" % ttm("both"))
    L.append("| incident recovery time, rules | 45 s | %s | the same, rules only |" % ttm("rules"))
    L.append("| API response time, concurrent users under attack | (paper's figures) | not "
             "measured yet | needs wirewall inline in the rig (live mode between the "
             "namespaces), where a block changes what the server sees; offline replay of a "
             "capture cannot |")
    L.append("")
    L.append("The paper's accuracy is not defined in it; here a detection is an attacking "
             "address that got a verdict, and every benign flow or client that got one is "
             "counted against it. The paper's traffic is simulated and unpublished; this is "
             "real tools in namespaces, on captures the models never saw.")
    L.append("")
    for m in MODES:
        L.append("## %s" % MODE_TITLES[m])
        L.append("")
        L.append("| class | clients | recall/client | flows | recall/flow | model precision/client "
                 "| verdict after (median / p95 s) | mitigated after (median / p95 s) |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for c in CLASSES:
            d = metrics["modes"][m]["per_class"][c]
            L.append("| %s | %d | %s | %d | %s | %s | %s / %s | %s / %s |"
                     % (c, d["clients"], fmt(d["client_recall"]), d["flows"],
                        fmt(d["flow_recall"]), fmt(d.get("client_precision")),
                        fmt(d["ttv_median"], "%.2f"), fmt(d["ttv_p95"], "%.2f"),
                        fmt(d["ttm_median"], "%.2f"), fmt(d["ttm_p95"], "%.2f")))
        fp = metrics["modes"][m]["benign_clients_with_verdict"]
        L.append("")
        L.append("Benign clients with a verdict: %s." % (", ".join(fp) if fp else "none"))
        L.append("")
    L.append("For the benign class the recall columns are the false-positive rates.")
    L.append("")
    L.append("![recall per client](recall.png)")
    L.append("")
    L.append("![model classes per client](confusion.png)")
    L.append("")
    an = metrics["anomaly"]
    L.append("## Anomaly model")
    L.append("")
    L.append("ROC AUC %.3f over %d attack rows and %d benign rows (every decision point)."
             % (an["roc_auc"], an["attack_rows"], an["benign_rows"]))
    L.append("")
    L.append("![anomaly ROC and PR](anomaly.png)")
    L.append("")
    L.append("## How it was measured")
    L.append("")
    L.append(__doc__.split("\n\n", 2)[2].strip())
    L.append("")
    L.append("Rules: `%s`." % "`, `".join(RULES))
    with open(os.path.join(out, "report.md"), "w") as fh:
        fh.write("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
