#!/usr/bin/python3
"""Train and export the perf/forest models, time scikit-learn on them.

    train.py OUTDIR

Writes OUTDIR/rows.f32 (20,000 rows x 20 float32 features) and:
  xgbrf.json / xgbrf.wwf   XGBoost random-forest mode: a binary classifier
                           of 100 parallel trees, depth 8, one round; the
                           same trees in both files, so both engines
                           evaluate exactly the same model
  xgbrf12.json / .wwf      the same at depth 12
  rf8.wwf, rf12.wwf        scikit-learn RandomForestClassifier, 100 trees,
                           depth 8 and 12
  iforest.wwf              scikit-learn IsolationForest, 100 trees
and prints "sk <model> <batch> <ns/row>" for scikit-learn's own
predict_proba / score_samples at batch sizes 1, 8 and 64 (one thread).
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "models"))
from export import export_sklearn, export_xgboost  # noqa: E402

NF = 20


def sk_time(fn, rows, batch, budget_s=1.5):
    """Median ns/row over 3 passes of up to budget_s each."""
    res = []
    for _ in range(3):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < budget_s / 3 and n + batch <= len(rows):
            fn(rows[n:n + batch])
            n += batch
        res.append((time.perf_counter() - t0) / max(n, 1) * 1e9)
    return sorted(res)[1]


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(8)
    X = rng.normal(size=(20000, NF)).astype(np.float32)
    y = ((X[:, 0] * X[:, 1] + X[:, 2] - X[:, 3] ** 2 + 0.3 * rng.normal(size=len(X))) > 0).astype(int)
    rows = rng.normal(size=(20000, NF)).astype(np.float32)
    rows.tofile(os.path.join(out, "rows.f32"))

    import xgboost as xgb
    for name, depth in (("xgbrf", 8), ("xgbrf12", 12)):
        bst = xgb.train({"objective": "binary:logistic", "max_depth": depth,
                         "num_parallel_tree": 100, "subsample": 0.8,
                         "colsample_bynode": 0.8, "eta": 1.0, "nthread": 1,
                         "tree_method": "exact"},
                        xgb.DMatrix(X, label=y), 1)
        bst.save_model(os.path.join(out, name + ".json"))
        export_xgboost(bst, os.path.join(out, name + ".wwf"), 1)

    from sklearn.ensemble import IsolationForest, RandomForestClassifier
    models = {
        "rf8": RandomForestClassifier(n_estimators=100, max_depth=8,
                                      random_state=1, n_jobs=1).fit(X, y),
        "rf12": RandomForestClassifier(n_estimators=100, max_depth=12,
                                       random_state=2, n_jobs=1).fit(X, y),
        "iforest": IsolationForest(n_estimators=100, random_state=3,
                                   n_jobs=1).fit(X),
    }
    for name, m in models.items():
        export_sklearn(m, os.path.join(out, name + ".wwf"), 1)
        fn = m.score_samples if name == "iforest" else m.predict_proba
        for b in (1, 8, 64):
            print("sk %s %d %.1f" % (name, b, sk_time(fn, rows, b)), flush=True)


if __name__ == "__main__":
    main()
