#!/usr/bin/python3
"""Models for the live detection test: small forests over the 89 columns
of feature specification 0x57460001, trained on random rows (the test is
about loading, reloading and refusing them, not about what they say),
plus the bad files a reload must refuse.

    detect_models.py OUTDIR

Writes OUTDIR/{classifier,anomaly,wrong_spec,truncated}.wwf.
"""
import os
import sys

import numpy as np
from sklearn.ensemble import IsolationForest, RandomForestClassifier

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "models"))
from export import export_sklearn  # noqa: E402

SPEC = 0x57460001
N_FEATURES = 89


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(7)
    x = rng.random((2000, N_FEATURES)).astype(np.float32) * 100
    y = rng.integers(0, 8, 2000)
    rf = RandomForestClassifier(n_estimators=10, max_depth=6,
                                random_state=1).fit(x, y)
    iso = IsolationForest(n_estimators=20, random_state=1).fit(x)
    export_sklearn(rf, os.path.join(out, "classifier.wwf"), SPEC)
    export_sklearn(iso, os.path.join(out, "anomaly.wwf"), SPEC)
    export_sklearn(rf, os.path.join(out, "wrong_spec.wwf"), 1)
    with open(os.path.join(out, "classifier.wwf"), "rb") as fh:
        data = fh.read()
    with open(os.path.join(out, "truncated.wwf"), "wb") as fh:
        fh.write(data[:len(data) // 2])


if __name__ == "__main__":
    main()
