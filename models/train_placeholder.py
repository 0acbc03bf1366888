#!/usr/bin/python3
"""Train the placeholder models on synthetic captures (traffic_gen.py).

    train_placeholder.py OUTDIR [--seeds 1 2 3 ...] [--holdout 101]
                         [--wirewall PATH] [--keep DIR]

For each seed: traffic_gen.py makes a capture and its labels, wirewall
runs over it offline with the models off and writes its feature rows
(--features), and every row gets the class of its client at its time
(labels_for_rows below). A RandomForestClassifier is trained on every
row, an IsolationForest on the benign rows, and both are exported
(export.py, feature specification 0x57460001) to
OUTDIR/placeholder-classifier.wwf and OUTDIR/placeholder-anomaly.wwf.
A capture made with the held-out seed is then scored, and the summary
(per-class confusion, what each source would have triggered) printed.

These are placeholders to exercise the detection stage end to end, not
models for production: see PLACEHOLDER.md.
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from export import export_sklearn  # noqa: E402

from spec import CLASSES, META, N_FEATURES, SPEC_ID  # noqa: E402
DEFAULT_SEEDS = list(range(1, 13))
HOLDOUT_SEED = 101
# A client row keeps its 10 s window and the flows that expire after
# the attack (syn_timeout 30 s): the source is still what it was.
CLIENT_TAIL = 40.0
FLOW_TAIL = 61.0  # [flow] udp_timeout (the longest of the defaults) + 1 s
MAX_CLASS_ROWS = 1000  # per attack class and capture, see cap_rows
MIN_PROB = 0.8  # [detect] <class>_min_probability's default
ANOMALY_ALERT = -0.1  # [detect] anomaly_alert_below's default

CONFIG = """[general]
protected_networks = 198.51.100.0/24
[waf]
enabled = no
[control]
socket =
[detect]
enabled = yes
"""


def default_wirewall():
    return os.path.join(ROOT, "build", "app", "wirewall", "wirewall")


def run_capture(seed, wirewall, work):
    """Generate capture @seed, run wirewall --features over it: returns
    (rows as float32, meta list, labels)."""
    pcap = os.path.join(work, "cap%d.pcap" % seed)
    lab = os.path.join(work, "cap%d.labels.json" % seed)
    rows = os.path.join(work, "cap%d.rows.csv" % seed)
    conf = os.path.join(work, "features.ini")
    with open(conf, "w") as fh:
        fh.write(CONFIG)
    subprocess.run([sys.executable, os.path.join(HERE, "traffic_gen.py"), str(seed),
                    pcap, lab], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([wirewall, "-c", conf, "-r", pcap, "--features", rows],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    X, meta = read_rows(rows)
    with open(lab) as fh:
        labels = json.load(fh)
    return X, meta, labels


def read_rows(path):
    """The CSV of --features: float32 rows, and (time, flow_id, dp,
    client) per row."""
    feats, meta = [], []
    with open(path, newline="") as fh:
        r = csv.reader(fh)
        head = next(r)
        assert len(head) == META + N_FEATURES, "unexpected column count %d" % len(head)
        for x in r:
            meta.append((float(x[0]), int(x[1]), x[2], x[3]))
            feats.append(x[META:])
    X = np.array(feats, dtype=np.float32).reshape(-1, N_FEATURES)
    return X, meta


def labels_for_rows(meta, labels):
    """Each row's class: its client's, when the row falls in the client's
    attack window, else benign. A flow row is dated by its flow's first
    row (a flow begun in the attack stays the attack's, even when its end
    row comes at expiry); a client row by its own time, up to CLIENT_TAIL
    after the window (its 10 s counters, and its flows that expire)."""
    by_addr = {}
    for l in labels:
        by_addr.setdefault(l["addr"], []).append(l)
    first = {}  # flow id: (time of its first row, that row's dp)
    for t, fid, dp, _ in meta:
        if fid and dp not in ("tick", "trigger") and (fid not in first or t < first[fid][0]):
            first[fid] = (t, dp)
    y = np.zeros(len(meta), dtype=np.int64)
    for i, (t, fid, dp, client) in enumerate(meta):
        for l in by_addr.get(client, ()):
            if l["class"] == 0:
                continue
            if fid and dp not in ("tick", "trigger"):
                t1, dp1 = first[fid]
                # A flow whose only row is its end (a datagram, a lone
                # SYN) may end up to a flow timeout after its start.
                tail = FLOW_TAIL if dp1 == "end" else 1e-3
                if l["start"] - 1e-3 <= t1 <= l["end"] + tail:
                    y[i] = l["class"]
            elif l["start"] - 1e-3 <= t <= l["end"] + CLIENT_TAIL:
                y[i] = l["class"]
    return y


def cap_rows(y, seed, cap):
    """Rows kept for training: at most MAX_CLASS_ROWS of a class per
    capture (a flood's thousands of alike rows would otherwise outweigh
    everything else, and with class_weight="balanced" make the rarest
    classes weigh hundreds of times a benign row)."""
    rnd = np.random.RandomState(seed)
    keep = np.zeros(len(y), dtype=bool)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        if c != 0 and cap > 0 and len(idx) > cap:
            idx = rnd.choice(idx, cap, replace=False)
        keep[idx] = True
    return keep


def confusion(y, pred, n):
    m = np.zeros((n, n), dtype=np.int64)
    for a, b in zip(y, pred):
        m[a, b] += 1
    return m


def report(clf, iso, X, meta, y, labels):
    """The held-out summary: confusion of argmax and of what would be
    acted on (p >= MIN_PROB), per-source outcome, the anomaly model."""
    proba = clf.predict_proba(X)
    classes = list(clf.classes_)
    best = proba.argmax(axis=1)
    pred = np.array([classes[b] for b in best])
    p = proba[np.arange(len(best)), best]
    acted = np.where((p >= MIN_PROB) & (pred > 0), pred, 0)
    n = len(CLASSES)
    print("held-out rows: %d (%s)" % (len(y), ", ".join(
        "%s %d" % (CLASSES[c], int((y == c).sum())) for c in range(n) if (y == c).any())))
    for title, pr in (("argmax", pred), ("acted on (p >= %.1f)" % MIN_PROB, acted)):
        m = confusion(y, pr, n)
        print("\nconfusion, %s: rows true class, columns predicted" % title)
        print("%-11s" % "" + "".join("%8.8s" % c for c in CLASSES) + "   recall")
        for i in range(n):
            if m[i].sum() == 0:
                continue
            print("%-11s" % CLASSES[i] + "".join("%8d" % v for v in m[i]) +
                  "   %5.3f" % (m[i, i] / m[i].sum()))
        prec = ["%8s" % ("%.3f" % (m[j, j] / m[:, j].sum()) if m[:, j].sum() else "-")
                for j in range(n)]
        print("%-11s" % "precision" + "".join(prec))
    dec = iso.decision_function(X)
    ben = y == 0
    print("\nanomaly (decision < %.1f): benign rows %.4f, attack rows %.4f" % (
        ANOMALY_ALERT, float((dec[ben] < ANOMALY_ALERT).mean()),
        float((dec[~ben] < ANOMALY_ALERT).mean()) if (~ben).any() else 0.0))
    print("\nper source: rows, rows acted on by class, first acted-on row (s)")
    clients = np.array([m[3] for m in meta])
    times = np.array([m[0] for m in meta])
    for l in labels:
        sel = clients == l["addr"]
        a = acted[sel]
        hit = a > 0
        by = {}
        for c in a[hit]:
            by[CLASSES[c]] = by.get(CLASSES[c], 0) + 1
        if l["class"] == 0:
            # How close its rows came to being acted on.
            att = proba[sel][:, [k for k, c in enumerate(classes) if c > 0]]
            worst = att.max(axis=1).argmax() if len(att) else 0
            what = "max attack p %.2f (%s)" % (
                att.max() if len(att) else 0.0,
                CLASSES[[c for c in classes if c > 0][att[worst].argmax()]] if len(att) else "-")
        else:
            what = "first %s" % (("%.2f s" % (times[sel][hit].min() - l["start"]))
                                 if hit.any() else "-")
        print("  %-15s %-11s %-12s rows %5d acted %5d %s %s" % (
            l["addr"], CLASSES[l["class"]], l["tool"], int(sel.sum()), int(hit.sum()),
            by if by else "", what))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--seeds", type=int, nargs="+", default=DEFAULT_SEEDS)
    ap.add_argument("--holdout", type=int, default=HOLDOUT_SEED)
    ap.add_argument("--wirewall", default=default_wirewall())
    ap.add_argument("--max-class-rows", type=int, default=MAX_CLASS_ROWS,
                    help="rows of an attack class kept per capture (0: all)")
    ap.add_argument("--keep", help="keep the captures and rows in this directory")
    a = ap.parse_args()
    if a.holdout in a.seeds:
        sys.exit("train_placeholder.py: the held-out seed must not be a training seed")
    from sklearn.ensemble import IsolationForest, RandomForestClassifier

    t0 = time.time()
    work = a.keep or tempfile.mkdtemp(prefix="ww_train_")
    os.makedirs(work, exist_ok=True)
    try:
        Xs, ys = [], []
        for seed in a.seeds:
            X, meta, labels = run_capture(seed, a.wirewall, work)
            y = labels_for_rows(meta, labels)
            keep = cap_rows(y, seed, a.max_class_rows)
            Xs.append(X[keep])
            ys.append(y[keep])
            print("seed %d: %d rows (%s), %d kept" % (
                seed, len(y), " ".join("%s %d" % (CLASSES[c], int((y == c).sum()))
                                       for c in range(len(CLASSES)) if (y == c).any()),
                int(keep.sum())))
        X = np.concatenate(Xs)
        y = np.concatenate(ys)
        Xh, meta_h, labels_h = run_capture(a.holdout, a.wirewall, work)
        yh = labels_for_rows(meta_h, labels_h)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("features: %.1f s" % (time.time() - t0))

    clf = RandomForestClassifier(n_estimators=30, max_depth=8, class_weight="balanced",
                                 random_state=7, n_jobs=1)
    clf.fit(X, y)
    iso = IsolationForest(n_estimators=50, random_state=7, n_jobs=1)
    iso.fit(X[y == 0])
    print("training: %.1f s (%d rows, %d benign)" % (time.time() - t0, len(y),
                                                     int((y == 0).sum())))
    os.makedirs(a.outdir, exist_ok=True)
    for model, name in ((clf, "placeholder-classifier.wwf"), (iso, "placeholder-anomaly.wwf")):
        path = os.path.join(a.outdir, name)
        size = export_sklearn(model, path, SPEC_ID)
        print("%s: %d bytes" % (path, size))
    print()
    report(clf, iso, Xh, meta_h, yh, labels_h)
    print("\ntotal %.1f s; training seeds %s, held-out seed %d" % (
        time.time() - t0, " ".join(map(str, a.seeds)), a.holdout))


if __name__ == "__main__":
    main()
