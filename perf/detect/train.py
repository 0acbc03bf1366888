#!/usr/bin/python3
"""The models perf/detect runs, trained on wirewall's own feature rows,
and scikit-learn timed on the same rows.

    train.py fit ROWS.csv OUTDIR
    train.py time OUTDIR BATCH [SECONDS]

fit: reads the rows `wirewall --features` wrote (7 columns saying who
and where, then the 89 features), and writes to OUTDIR:
  rf.wwf        a RandomForestClassifier, 100 trees, max_depth 8, 8
                classes (0 benign, 1-7 the attack classes of
                models/FEATURES.md)
  iforest.wwf   an IsolationForest, 100 trees, max_samples 256, on the
                benign rows, contamination 0.001 (as models/train.py)
  models.pkl    both, pickled, for `time`
  rows.f32      up to 20,000 of the rows (float32, 89 columns), shuffled
both exported by models/export.py for feature specification 0x57460001.
The labels are made up, in the shape of a trained detector's world:
most rows benign, a few attacks, some noise. The rows with the top
ATTACK_SHARE of a random projection of the (standardised) features are
attacks, their class (1-7) the septile of a second projection; then
NOISE of all rows are relabelled at random. The noise keeps every level
of every tree splitting (trees grow to depth 8 with most of their 256
leaves, the cost of a real model), and the model is confident on the
bulk of the rows and not near the boundaries, as a real one is. So both
sides of the early exit are measured: benign rows that a fraction of
the trees settles, and rows past a class's 0.8 (verdicts, alerts) or
near it, that walk every tree. It prints "trees <model> <depth> <nodes
per tree> <leaves per tree>" per model.

time: scikit-learn's own cost for the same work as the pipeline's:
predict_proba of the classifier plus score_samples of the isolation
forest, on the rows of rows.f32 in batches of BATCH rows, one thread.
Prints the median of three passes of SECONDS / 3 each (default 1.5 s)
as "sk_ns_per_row <ns>".
"""
import os
import pickle
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "models"))
from export import export_sklearn  # noqa: E402
from spec import META, SPEC_ID  # noqa: E402
from spec import N_FEATURES as NF  # noqa: E402

ATTACK_SHARE = 0.1
NOISE = 0.03


def read_rows(path):
    with open(path) as fh:
        header = fh.readline().rstrip("\n").split(",")
        if len(header) != META + NF:
            sys.exit("train.py: %s has %d columns, not %d" % (path, len(header), META + NF))
        rows = np.loadtxt(fh, delimiter=",", usecols=range(META, META + NF),
                          dtype=np.float32, ndmin=2)
    return rows


def shape(model):
    depth = max(e.tree_.max_depth for e in model.estimators_)
    nodes = np.mean([e.tree_.node_count for e in model.estimators_])
    leaves = np.mean([e.tree_.n_leaves for e in model.estimators_])
    return "%d %.0f %.0f" % (depth, nodes, leaves)


def fit(csv, out):
    from sklearn.ensemble import IsolationForest, RandomForestClassifier

    X = read_rows(csv)
    if len(X) < 1000:
        sys.exit("train.py: only %d rows in %s" % (len(X), csv))
    rng = np.random.default_rng(7)
    X = X[rng.permutation(len(X))]
    train = X[:50000]
    std = (train - train.mean(0)) / (train.std(0) + 1e-9)
    rank = np.argsort(np.argsort(std @ rng.normal(size=NF))) / len(train)
    second = np.argsort(np.argsort(std @ rng.normal(size=NF))) / len(train)
    y = np.where(rank >= 1 - ATTACK_SHARE, 1 + (second * 7).astype(int), 0)
    noise = rng.random(len(y)) < NOISE
    y[noise] = rng.integers(0, 8, noise.sum())
    rf = RandomForestClassifier(n_estimators=100, max_depth=8, random_state=1,
                                n_jobs=2).fit(train, y)
    # As models/train.py trains the shipped one: decision 0 at the 0.1 %
    # most isolated training rows (contamination), so the [detect]
    # anomaly band (below -0.1) is beyond them.
    iso = IsolationForest(n_estimators=100, max_samples=256, contamination=0.001,
                          random_state=2, n_jobs=1).fit(train[y == 0])
    rf.n_jobs = 1
    export_sklearn(rf, os.path.join(out, "rf.wwf"), SPEC_ID)
    export_sklearn(iso, os.path.join(out, "iforest.wwf"), SPEC_ID)
    with open(os.path.join(out, "models.pkl"), "wb") as fh:
        pickle.dump((rf, iso), fh)
    X[:20000].tofile(os.path.join(out, "rows.f32"))
    print("trees classifier %s" % shape(rf))
    print("trees anomaly %s" % shape(iso))


def sk_time(out, batch, budget):
    with open(os.path.join(out, "models.pkl"), "rb") as fh:
        rf, iso = pickle.load(fh)
    rows = np.fromfile(os.path.join(out, "rows.f32"), dtype=np.float32).reshape(-1, NF)
    res = []
    for _ in range(3):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < budget / 3:
            start = n % (len(rows) - batch + 1)
            chunk = rows[start:start + batch]
            rf.predict_proba(chunk)
            iso.score_samples(chunk)
            n += batch
        res.append((time.perf_counter() - t0) / n * 1e9)
    print("sk_ns_per_row %.0f" % sorted(res)[1])


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "fit":
        fit(a[1], a[2])
    elif len(a) in (3, 4) and a[0] == "time":
        sk_time(a[1], max(1, int(a[2])), float(a[3]) if len(a) > 3 else 1.5)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
