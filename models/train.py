#!/usr/bin/python3
"""Train wirewall's models on the rows `wirewall --features` wrote for
labelled captures (scripts/traffic/gen.py), and write the model card.

    train.py --out DIR --seed N CAPTURE.rows.csv:CAPTURE.json ...
             [--trees 100] [--depth 10] [--cv]

Each argument pairs the feature rows of one capture (wirewall -r
CAPTURE.pcap --features CAPTURE.rows.csv: the same code that scores live
traffic, never a separate extractor) with the capture's labels. A row's
class is the class of the activity its client address ran (labels are by
source address and time: a row is kept when its time falls inside the
activity, from its start to LINGER seconds after its end, when the last
flows of the activity end or time out); rows of addresses the labels do
not name are left out and counted.

Writes DIR/classifier.wwf (random forest over the classes of CLASSES),
DIR/anomaly.wwf (isolation forest over benign rows only) and
DIR/MODELS.md (the model card: data, features, parameters, sizes, and
with --cv the leave-one-capture-out figures).

What the training does about the pitfalls of ML in security (Arp et al.,
"Dos and Don'ts of Machine Learning in Computer Security"; Engelen et
al. on CIC-IDS2017):
- No split by row. The captures are the unit: --cv holds out one whole
  capture at a time, and the evaluation (scripts/eval.sh) tests on
  captures of other seeds, addresses, rates and tools that training
  never sees.
- Class imbalance: a flood writes thousands of rows per second, a brute
  force a few; rows per (capture, address, decision point) are capped at
  CAP (a seeded sample), and classes are weighted by the square root
  of full balancing (class_weights).
- No identity features: the feature specification holds no addresses,
  ports other than the server's, or times of day (models/FEATURES.md).
Reproducible: same inputs and --seed give the same files, bit for bit
(sorted inputs, seeded sampling and trees; n_jobs does not change the
trees scikit-learn grows).
"""
import argparse
import csv
import hashlib
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from export import export_sklearn  # noqa: E402
from spec import CLASSES, META, SPEC_ID  # noqa: E402
from spec import N_FEATURES as NF  # noqa: E402

LINGER = 150.0  # s after an activity's end its flows may still end or expire
CAP = 4000      # rows kept per (capture, address, decision point)


def load_capture(rows_path, labels_path, rng, cap):
    """X, y, meta rows of one capture; and what was left out."""
    with open(labels_path) as fh:
        labels = json.load(fh)
    by_src = {}
    for a in labels["activities"]:
        by_src.setdefault(a["src"], []).append(a)
    groups = {}  # (src, dp) -> list of (features, class)
    unlabelled = 0
    with open(rows_path) as fh:
        rd = csv.reader(fh)
        header = next(rd)
        if len(header) != META + NF:
            sys.exit("train.py: %s: %d columns, not %d (feature spec 0x%08x)"
                     % (rows_path, len(header), META + NF, SPEC_ID))
        for r in rd:
            t, dp, src = float(r[0]), r[2], r[3]
            cls = None
            for a in by_src.get(src, ()):
                if a["start"] - 1.0 <= t <= (a["end"] or labels["end"]) + LINGER:
                    cls = CLASSES.index(a["class"])
                    break
            if cls is None:
                unlabelled += 1
                continue
            groups.setdefault((src, dp), []).append((r[META:], cls))
    X, y, src_of = [], [], []
    for key in sorted(groups):
        rows = groups[key]
        if len(rows) > cap:
            pick = rng.choice(len(rows), cap, replace=False)
            pick.sort()
            rows = [rows[i] for i in pick]
        for feats, cls in rows:
            X.append(feats)
            y.append(cls)
            src_of.append(key[0])
    X = np.array(X, dtype=np.float32).reshape(-1, NF)
    return X, np.array(y, dtype=np.int64), src_of, unlabelled, labels, header[META:]


# Class weights: the square root of full balancing. Fully balanced, a
# class of a few hundred rows (content discovery on keep-alive
# connections) outweighs benign a thousand to one, and its leaves catch
# benign rows (false positives); unweighted, floods drown it.
BALANCE = 0.75


def class_weights(y):
    n, k = len(y), len(np.unique(y))
    w = {c: (n / (k * (y == c).sum())) ** BALANCE for c in np.unique(y)}
    return np.array([w[c] for c in y])


# The anomaly model's decision 0 sits at this share of the benign
# training rows (IsolationForest's contamination): the [detect] anomaly
# bands below 0 are then beyond what benign traffic of training did.
CONTAMINATION = 0.001


def fit_models(X, y, seed, trees, depth):
    from sklearn.ensemble import IsolationForest, RandomForestClassifier
    rf = RandomForestClassifier(n_estimators=trees, max_depth=depth, min_samples_leaf=2,
                                random_state=seed, n_jobs=2).fit(
                                    X, y, sample_weight=class_weights(y))
    benign = X[y == 0]
    iso = IsolationForest(n_estimators=trees, max_samples=min(256, len(benign)),
                          contamination=CONTAMINATION, random_state=seed + 1,
                          n_jobs=1).fit(benign)
    return rf, iso


def per_class(y_true, y_pred, n):
    """Recall and precision per class (rows), as table lines."""
    out = []
    for c in range(n):
        tp = int(((y_true == c) & (y_pred == c)).sum())
        t = int((y_true == c).sum())
        p = int((y_pred == c).sum())
        out.append((CLASSES[c], t, tp / t if t else float("nan"), tp / p if p else float("nan")))
    return out


def verdicts(rf, X, bar=0.8):
    """The class the pipeline acts on: the likeliest if at least @bar."""
    p = rf.predict_proba(X)
    best = p.argmax(axis=1)
    cls = rf.classes_[best]
    return np.where(p[np.arange(len(p)), best] >= bar, cls, 0)


def sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def main():
    global BALANCE
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trees", type=int, default=100)
    ap.add_argument("--depth", type=int, default=12)
    ap.add_argument("--cap", type=int, default=CAP)
    ap.add_argument("--cv", action="store_true")
    ap.add_argument("--balance", type=float, default=BALANCE,
                    help="class weights: full balancing to this power (0: none, 1: full)")
    ap.add_argument("pairs", nargs="+", metavar="ROWS.csv:LABELS.json")
    a = ap.parse_args()
    BALANCE = a.balance
    if a.depth > 12:
        sys.exit("train.py: depth at most 12 (the SIMD kernels' complete-tree layout)")
    rng = np.random.default_rng(a.seed)
    caps = []
    for pair in sorted(a.pairs):
        rows_path, _, labels_path = pair.partition(":")
        if not labels_path:
            sys.exit("train.py: %s: expected ROWS.csv:LABELS.json" % pair)
        X, y, src, left_out, labels, names = load_capture(rows_path, labels_path, rng, a.cap)
        pcap = os.path.join(os.path.dirname(labels_path), labels["capture"])
        caps.append({"name": labels["capture"], "seed": labels["seed"], "role": labels["role"],
                     "sha256": sha256(pcap) if os.path.exists(pcap) else "-",
                     "X": X, "y": y, "src": src, "left_out": left_out,
                     "activities": labels["activities"]})
        print("train.py: %s: %d rows (%s), %d unlabelled left out"
              % (labels["capture"], len(y),
                 ", ".join("%s %d" % (CLASSES[c], (y == c).sum())
                           for c in range(len(CLASSES)) if (y == c).any()), left_out))
    X = np.concatenate([c["X"] for c in caps])
    y = np.concatenate([c["y"] for c in caps])
    missing = [CLASSES[c] for c in range(len(CLASSES)) if not (y == c).any()]
    if (y == 0).sum() < 10:
        sys.exit("train.py: fewer than 10 benign rows")

    cv_lines = []
    if a.cv and len(caps) > 1:
        # Leave one capture out: the rows of a capture never train the
        # model that scores them.
        yt_all, yp_all = [], []
        for i, held in enumerate(caps):
            tr = [c for j, c in enumerate(caps) if j != i]
            rf_cv, _ = fit_models(np.concatenate([c["X"] for c in tr]),
                                  np.concatenate([c["y"] for c in tr]), a.seed, a.trees, a.depth)
            yt_all.append(held["y"])
            yp_all.append(verdicts(rf_cv, held["X"]))
        yt, yp = np.concatenate(yt_all), np.concatenate(yp_all)
        cv_lines.append("| class | rows | recall | precision |")
        cv_lines.append("|---|---:|---:|---:|")
        for name, t, rec, prec in per_class(yt, yp, len(CLASSES)):
            cv_lines.append("| %s | %d | %.3f | %.3f |" % (name, t, rec, prec))
        fp = ((yt == 0) & (yp != 0)).sum() / max(1, (yt == 0).sum())
        cv_lines.append("")
        cv_lines.append("Benign rows given an attack class at p >= 0.8: %.4f (%d of %d)."
                        % (fp, ((yt == 0) & (yp != 0)).sum(), (yt == 0).sum()))

    rf, iso = fit_models(X, y, a.seed, a.trees, a.depth)
    os.makedirs(a.out, exist_ok=True)
    cls_path = os.path.join(a.out, "classifier.wwf")
    an_path = os.path.join(a.out, "anomaly.wwf")
    export_sklearn(rf, cls_path, SPEC_ID)
    export_sklearn(iso, an_path, SPEC_ID)

    nodes = sum(e.tree_.node_count for e in rf.estimators_)
    leaves = sum(e.tree_.n_leaves for e in rf.estimators_)
    inodes = sum(e.tree_.node_count for e in iso.estimators_)
    imp = sorted(zip(rf.feature_importances_, range(NF)), reverse=True)[:10]
    card = []
    card.append("# wirewall's models: model card")
    card.append("")
    card.append("Written by `models/train.py` (run by `scripts/train.sh`); do not edit by hand.")
    card.append("")
    card.append("## Models")
    card.append("")
    card.append("| file | kind | trees | depth | nodes | leaves | bytes | sha256 |")
    card.append("|---|---|---:|---:|---:|---:|---:|---|")
    card.append("| classifier.wwf | random forest, %d classes | %d | %d | %d | %d | %d | `%s` |"
                % (len(rf.classes_), a.trees, max(e.tree_.max_depth for e in rf.estimators_),
                   nodes, leaves, os.path.getsize(cls_path), sha256(cls_path)))
    card.append("| anomaly.wwf | isolation forest (benign rows) | %d | %d | %d | - | %d | `%s` |"
                % (a.trees, max(e.tree_.max_depth for e in iso.estimators_), inodes,
                   os.path.getsize(an_path), sha256(an_path)))
    card.append("")
    card.append("Classes (label = index): %s. Feature specification 0x%08X, %d features "
                "(models/FEATURES.md). Classifier: scikit-learn RandomForestClassifier, "
                "max_depth %d, min_samples_leaf 2, classes weighted by full balancing to the "
                "power %g, random_state %d. Anomaly: IsolationForest over benign rows, "
                "max_samples %d, contamination %g (its decision 0), random_state %d."
                % (", ".join("%d %s" % (i, c) for i, c in enumerate(CLASSES)), SPEC_ID, NF,
                   a.depth, BALANCE, a.seed, iso.max_samples_, CONTAMINATION, a.seed + 1))
    if missing:
        card.append("")
        card.append("**Classes with no training rows: %s.** The classifier cannot give them."
                    % ", ".join(missing))
    card.append("")
    card.append("## Data")
    card.append("")
    card.append("Rows written by `wirewall --features` over captures of scripts/traffic/gen.py "
                "(real tools in network namespaces), labelled by source address and time; at "
                "most %d rows per (capture, address, decision point), a seeded sample." % a.cap)
    card.append("")
    card.append("| capture | seed | rows | benign | attack rows | attacking addresses | tools "
                "| sha256 of the capture |")
    card.append("|---|---:|---:|---:|---:|---:|---|---|")
    for c in caps:
        att = [x for x in c["activities"] if x["class"] != "benign"]
        card.append("| %s | %d | %d | %d | %d | %d | %s | `%s` |"
                    % (c["name"], c["seed"], len(c["y"]), (c["y"] == 0).sum(),
                       (c["y"] != 0).sum(), len({x["src"] for x in att}),
                       ", ".join(sorted({x["tool"] for x in att})), c["sha256"][:16]))
    card.append("")
    card.append("The captures are not in the repository (hundreds of MB); scripts/train.sh "
                "makes them from the seeds with the real tools, in real time, so a new run "
                "gives other captures (and so other models). From the same captures (the "
                "sha256 prefixes above) and --seed, train.sh gives these files bit for bit.")
    card.append("")
    card.append("Rows per class: %s." % ", ".join("%s %d" % (CLASSES[i], (y == i).sum())
                                                  for i in range(len(CLASSES))))
    card.append("")
    card.append("## Most used features (impurity importance)")
    card.append("")
    card.append(", ".join("%s %.3f" % (names[i], v) for v, i in imp) + ".")
    if cv_lines:
        card.append("")
        card.append("## Leave one capture out (rows, verdict at p >= 0.8)")
        card.append("")
        card.extend(cv_lines)
    card.append("")
    card.append("The evaluation on test captures (other seeds, addresses, rates and tools) is "
                "in eval/report.md (scripts/eval.sh).")
    with open(os.path.join(a.out, "MODELS.md"), "w") as fh:
        fh.write("\n".join(card) + "\n")
    print("train.py: %s (%d rows), %s; card %s" % (cls_path, len(y), an_path,
                                                   os.path.join(a.out, "MODELS.md")))


if __name__ == "__main__":
    main()
