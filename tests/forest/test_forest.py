#!/usr/bin/python3
"""Forest inference: parity with scikit-learn and XGBoost, and the loader.

    test_forest.py WIREWALL_MODEL_BINARY

Trains small models on generated data, exports them with models/export.py
and checks `wirewall-model predict` on 10,000 rows against the trainer,
for every kernel this CPU runs: same class, probabilities within 1e-6,
isolation-forest scores within 1e-9. Then feeds the loader truncated,
bit-flipped and structurally broken files and checks each is refused with
a message that names the problem.
"""
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "models"))
from export import export_sklearn, export_xgboost  # noqa: E402

TOOL = None
ROWS = 10000


def kernels():
    """Kernels this CPU runs, as `wirewall-model info` lists them."""
    return KERNELS


KERNELS = []


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ww_forest_")
        rng = np.random.default_rng(20261128)
        cls.X = rng.normal(size=(4000, 8)).astype(np.float32)
        cls.y = ((cls.X[:, 0] + cls.X[:, 1] * cls.X[:, 2] > 0).astype(int)
                 + (cls.X[:, 3] > 0.8).astype(int))
        # Test rows: fresh points, plus values sitting exactly on the
        # training data's values (where thresholds live), where a wrong
        # float32 rounding of a threshold would show.
        t = rng.normal(size=(ROWS, 8)).astype(np.float32)
        t[: ROWS // 4] = cls.X[rng.integers(0, len(cls.X), ROWS // 4)]
        cls.T = t
        cls.csv = os.path.join(cls.dir, "rows.csv")
        np.savetxt(cls.csv, t, delimiter=",", fmt="%.9g")
        back = np.loadtxt(cls.csv, delimiter=",", dtype=np.float32)
        assert (back == t).all(), "CSV does not round-trip float32"

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def predict(self, path, kernel):
        p = subprocess.run([TOOL, "predict", path, "--kernel", kernel,
                            self.csv], capture_output=True, text=True,
                           timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), ROWS)
        return [l.split(",") for l in lines]


class Parity(Base):
    def check_classifier(self, name, model, proba, labels):
        path = os.path.join(self.dir, name + ".wwf")
        export_sklearn(model, path, 42) if not hasattr(model, "save_raw") \
            else export_xgboost(model, path, 42)
        for k in kernels():
            out = self.predict(path, k)
            got_labels = np.array([int(o[0]) for o in out])
            got = np.array([[float(v) for v in o[1:]] for o in out])
            self.assertEqual(got.shape, proba.shape, k)
            diff = np.abs(got - proba).max()
            self.assertLessEqual(diff, 1e-6, "%s/%s: probability off by %g"
                                 % (name, k, diff))
            bad = int((got_labels != labels).sum())
            self.assertEqual(bad, 0, "%s/%s: %d rows classified differently"
                             % (name, k, bad))

    def test_random_forest_classifier(self):
        from sklearn.ensemble import RandomForestClassifier
        rf = RandomForestClassifier(n_estimators=60, max_depth=10,
                                    random_state=1).fit(self.X, self.y)
        self.check_classifier("rf", rf, rf.predict_proba(self.T),
                              rf.predict(self.T))

    def test_random_forest_unbounded_depth(self):
        # scikit-learn's default: trees grow until pure (deep, uneven).
        from sklearn.ensemble import RandomForestClassifier
        rf = RandomForestClassifier(n_estimators=8, random_state=2).fit(
            self.X, self.y * 2 + 10)  # labels 10, 12, 14
        self.check_classifier("rf_deep", rf, rf.predict_proba(self.T),
                              rf.predict(self.T))

    def test_random_forest_regressor(self):
        from sklearn.ensemble import RandomForestRegressor
        rf = RandomForestRegressor(n_estimators=20, max_depth=9,
                                   random_state=3).fit(self.X, self.X[:, 0] * 3 + self.y)
        path = os.path.join(self.dir, "rfr.wwf")
        export_sklearn(rf, path, 42)
        want = rf.predict(self.T)
        for k in kernels():
            got = np.array([float(o[0]) for o in self.predict(path, k)])
            self.assertLessEqual(np.abs(got - want).max(), 1e-9, k)

    def check_isolation(self, name, iso):
        path = os.path.join(self.dir, name + ".wwf")
        export_sklearn(iso, path, 42)
        ss, df = iso.score_samples(self.T), iso.decision_function(self.T)
        for k in kernels():
            out = self.predict(path, k)
            got = np.array([[float(v) for v in o] for o in out])
            d1 = np.abs(got[:, 0] - ss).max()
            d2 = np.abs(got[:, 1] - df).max()
            self.assertLessEqual(d1, 1e-9, "%s/%s score_samples %g" % (name, k, d1))
            self.assertLessEqual(d2, 1e-9, "%s/%s decision_function %g" % (name, k, d2))

    def test_isolation_forest(self):
        from sklearn.ensemble import IsolationForest
        self.check_isolation("iforest", IsolationForest(
            n_estimators=100, random_state=4).fit(self.X))

    def test_batch_tails(self):
        # The pipeline scores a few rows at a time: every count from 1 to
        # 17 rows (vector blocks, their leftovers, padded blocks), for
        # complete trees and uneven ones, gives the scalar kernel's
        # numbers exactly on every kernel.
        from sklearn.ensemble import IsolationForest, RandomForestClassifier
        models = {
            "tail_rf": RandomForestClassifier(n_estimators=40, max_depth=8,
                                              random_state=6).fit(self.X, self.y),
            "tail_deep": RandomForestClassifier(n_estimators=8, random_state=7
                                                ).fit(self.X, self.y),
            "tail_iso": IsolationForest(n_estimators=40, random_state=8).fit(self.X),
        }
        for name, model in models.items():
            path = os.path.join(self.dir, name + ".wwf")
            export_sklearn(model, path, 42)
            for n in range(1, 18):
                csv = os.path.join(self.dir, "tail%d.csv" % n)
                np.savetxt(csv, self.T[:n], delimiter=",", fmt="%.9g")
                outs = {}
                for k in kernels():
                    p = subprocess.run([TOOL, "predict", path, "--kernel", k, csv],
                                       capture_output=True, text=True, timeout=60)
                    self.assertEqual(p.returncode, 0, "%s/%s, %d rows: %s"
                                     % (name, k, n, p.stderr))
                    outs[k] = p.stdout
                    self.assertEqual(len(p.stdout.splitlines()), n)
                for k, o in outs.items():
                    self.assertEqual(o, outs["scalar"], "%s/%s, %d rows" % (name, k, n))

    def bounded(self, path, k, batch, bar_args):
        p = subprocess.run([TOOL, "predict", path, "--kernel", k, "--batch",
                            str(batch)] + bar_args + [self.csv],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        m = re.search(r"settled (\d+)", p.stderr)
        self.assertIsNotNone(m, p.stderr)
        return p.stdout.splitlines(), int(m.group(1))

    def test_early_exit_classifier(self):
        # Early exit (the pipeline's scoring): a row past a class's bar
        # gets the model's exact numbers; any other row, numbers below
        # every bar; and with a confident model most rows stop early.
        from sklearn.ensemble import RandomForestClassifier
        rf = RandomForestClassifier(n_estimators=60, max_depth=8,
                                    random_state=9).fit(self.X, self.y)
        path = os.path.join(self.dir, "early_rf.wwf")
        export_sklearn(rf, path, 42)
        bars = [2.0, 0.8, 0.6]  # class 0 never matters
        full = subprocess.run([TOOL, "predict", path, "--kernel", "scalar",
                               self.csv], capture_output=True, text=True,
                              timeout=120).stdout.splitlines()
        probs = np.array([[float(v) for v in l.split(",")[1:]] for l in full])
        past = (probs >= np.array(bars)).any(axis=1)
        self.assertGreater(past.sum(), 100)
        for k in kernels():
            for batch in (1, 3, 8, 11, 64):
                out, settled = self.bounded(path, k, batch,
                                            ["--bars", ",".join(map(str, bars))])
                self.assertEqual(len(out), ROWS)
                for i in range(ROWS):
                    if past[i]:
                        self.assertEqual(out[i], full[i], "%s/%d row %d" % (k, batch, i))
                    else:
                        got = [float(v) for v in out[i].split(",")[1:]]
                        self.assertTrue(all(g < b for g, b in zip(got, bars)),
                                        "%s/%d row %d: %s" % (k, batch, i, out[i]))
                self.assertLessEqual(settled, ROWS - past.sum())
                if k != "avx512":  # its 16-row blocks walk every tree
                    self.assertGreater(settled, ROWS // 4, "%s/%d" % (k, batch))

    def test_early_exit_isolation(self):
        from sklearn.ensemble import IsolationForest
        iso = IsolationForest(n_estimators=100, random_state=10).fit(self.X)
        path = os.path.join(self.dir, "early_iso.wwf")
        export_sklearn(iso, path, 42)
        bar = -0.05
        full = subprocess.run([TOOL, "predict", path, "--kernel", "scalar",
                               self.csv], capture_output=True, text=True,
                              timeout=120).stdout.splitlines()
        dec = np.array([float(l.split(",")[1]) for l in full])
        past = dec < bar
        self.assertGreater(past.sum(), 10)
        for k in kernels():
            for batch in (1, 8, 11, 64):
                out, settled = self.bounded(path, k, batch,
                                            ["--decision-below", str(bar)])
                for i in range(ROWS):
                    if past[i]:
                        self.assertEqual(out[i], full[i], "%s/%d row %d" % (k, batch, i))
                    else:
                        self.assertGreaterEqual(float(out[i].split(",")[1]), bar - 1e-12,
                                                "%s/%d row %d: %s" % (k, batch, i, out[i]))
                self.assertLessEqual(settled, ROWS - past.sum())
                if k != "avx512":
                    self.assertGreater(settled, 0, "%s/%d" % (k, batch))

    def test_isolation_forest_feature_subsets(self):
        from sklearn.ensemble import IsolationForest
        self.check_isolation("iforest_sub", IsolationForest(
            n_estimators=50, max_features=0.5, max_samples=300,
            random_state=5).fit(self.X))

    def test_xgboost_softmax(self):
        import xgboost as xgb
        bst = xgb.train({"objective": "multi:softprob", "num_class": 3,
                         "max_depth": 6, "eta": 0.3, "nthread": 1},
                        xgb.DMatrix(self.X, label=self.y), 40)
        p = bst.predict(xgb.DMatrix(self.T))
        self.check_classifier("xgb_softmax", bst, p, p.argmax(axis=1))

    def test_xgboost_logistic(self):
        import xgboost as xgb
        yb = (self.y > 0).astype(int)
        bst = xgb.train({"objective": "binary:logistic", "max_depth": 5,
                         "nthread": 1, "base_score": 0.3},
                        xgb.DMatrix(self.X, label=yb), 30)
        path = os.path.join(self.dir, "xgb_log.wwf")
        export_xgboost(bst, path, 42)
        p = bst.predict(xgb.DMatrix(self.T))
        for k in kernels():
            out = self.predict(path, k)
            got = np.array([float(o[1]) for o in out])
            self.assertLessEqual(np.abs(got - p).max(), 1e-6, k)
            self.assertEqual([int(o[0]) for o in out], list((p > 0.5).astype(int)))

    def test_xgboost_random_forest_mode(self):
        import xgboost as xgb
        yb = (self.y > 0).astype(int)
        bst = xgb.train({"objective": "binary:logistic", "max_depth": 8,
                         "num_parallel_tree": 30, "subsample": 0.8,
                         "colsample_bynode": 0.8, "eta": 1.0, "nthread": 1},
                        xgb.DMatrix(self.X, label=yb), 1)
        path = os.path.join(self.dir, "xgb_rf.wwf")
        export_xgboost(bst, path, 42)
        p = bst.predict(xgb.DMatrix(self.T))
        for k in kernels():
            got = np.array([float(o[1]) for o in self.predict(path, k)])
            self.assertLessEqual(np.abs(got - p).max(), 1e-6, k)


def restamp(data):
    """Recompute the checksum after editing a model on purpose."""
    body = bytes(data[:-4])
    return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)


class Loader(Base):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from sklearn.ensemble import RandomForestClassifier
        rf = RandomForestClassifier(n_estimators=3, max_depth=4,
                                    random_state=6).fit(cls.X, cls.y)
        cls.good = os.path.join(cls.dir, "good.wwf")
        export_sklearn(rf, cls.good, 42)
        with open(cls.good, "rb") as fh:
            cls.data = fh.read()
        n_classes = struct.unpack_from("<I", cls.data, 16)[0]
        n_trees = struct.unpack_from("<I", cls.data, 20)[0]
        cls.nodes_at = 64 + 8 * n_classes + 8 * n_trees

    def check(self, data, why, extra=()):
        path = os.path.join(self.dir, "bad.wwf")
        with open(path, "wb") as fh:
            fh.write(data)
        p = subprocess.run([TOOL, "check", path, *extra], capture_output=True,
                           text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0, "accepted: expected '%s'" % why)
        self.assertIn("refused", p.stderr)
        if why:
            self.assertRegex(p.stderr, why)
        return p.stderr

    def node(self, i):
        return self.nodes_at + 24 * i

    def test_good_file_passes(self):
        p = subprocess.run([TOOL, "check", self.good, "--features", "8",
                            "--spec-id", "42"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        info = subprocess.run([TOOL, "info", self.good], capture_output=True,
                              text=True).stdout
        self.assertIn("kind: random-forest-classifier", info)
        self.assertIn("trees: 3", info)
        self.assertIn("features: 8", info)

    def test_truncated(self):
        for n in (0, 7, 63, 67, 68, 100, len(self.data) // 2,
                  len(self.data) - 1):
            self.check(self.data[:n], "truncated|bad magic")

    def test_trailing_bytes(self):
        self.check(self.data + b"\0", "after the end")

    def test_flipped_bits(self):
        rnd = random.Random(7)
        for _ in range(300):
            pos = rnd.randrange(len(self.data))
            bad = bytearray(self.data)
            bad[pos] ^= 1 << rnd.randrange(8)
            self.check(bytes(bad), "")

    def test_bad_magic_and_version(self):
        self.check(b"WWFORESX" + self.data[8:], "magic")
        bad = bytearray(self.data)
        bad[8] = 2
        self.check(restamp(bad), "version 2 not supported")
        bad = bytearray(self.data)
        bad[10] = 9
        self.check(restamp(bad), "unknown model kind 9")

    def test_child_out_of_range(self):
        bad = bytearray(self.data)
        struct.pack_into("<i", bad, self.node(0) + 4, 100000)
        self.check(restamp(bad), "child index out of range")

    def test_cycle(self):
        bad = bytearray(self.data)
        # The root's right child points back at the root.
        struct.pack_into("<i", bad, self.node(0) + 8, 0)
        self.check(restamp(bad), "cycle|reached twice")
        bad = bytearray(self.data)
        left = struct.unpack_from("<i", bad, self.node(0) + 4)[0]
        # A deeper node points at an ancestor.
        struct.pack_into("<i", bad, self.node(left) + 4, 0)
        self.check(restamp(bad), "cycle|reached twice|leaf")

    def test_shared_child(self):
        bad = bytearray(self.data)
        left = struct.unpack_from("<i", bad, self.node(0) + 4)[0]
        struct.pack_into("<i", bad, self.node(0) + 8, left)
        self.check(restamp(bad), "reached twice")

    def test_feature_out_of_range(self):
        bad = bytearray(self.data)
        struct.pack_into("<i", bad, self.node(0), 8)
        self.check(restamp(bad), "feature 8 out of range")

    def test_leaf_value_out_of_range(self):
        bad = bytearray(self.data)
        for i in range(1000):
            if struct.unpack_from("<i", bad, self.node(i))[0] == -1:
                struct.pack_into("<I", bad, self.node(i) + 12, 10 ** 6)
                break
        self.check(restamp(bad), "leaf value index")

    def test_non_finite_threshold(self):
        bad = bytearray(self.data)
        struct.pack_into("<d", bad, self.node(0) + 16, float("nan"))
        self.check(restamp(bad), "not a finite number")

    def test_huge_counts(self):
        bad = bytearray(self.data)
        struct.pack_into("<I", bad, 24, 0xFFFFFFFF)
        self.check(restamp(bad), "out of range")

    def test_mismatches(self):
        self.check(self.data, "takes 8 features, the caller supplies 5",
                   ["--features", "5"])
        self.check(self.data, "feature specification 42",
                   ["--spec-id", "43"])

    def test_predict_refuses_bad_rows(self):
        rows = os.path.join(self.dir, "bad.csv")
        for text, why in (("1,2,3\n", "values, the model takes 8"),
                          ("1,2,3,4,5,6,7,nan\n", "not a finite number"),
                          ("1,2,3,4,5,6,7,8,9\n", "more than 8")):
            with open(rows, "w") as fh:
                fh.write(text)
            p = subprocess.run([TOOL, "predict", self.good, rows],
                               capture_output=True, text=True)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(why, p.stderr)


if __name__ == "__main__":
    TOOL = os.path.abspath(sys.argv.pop(1))
    # Ask the tool which kernels this CPU runs (the same run-time check
    # the appliance makes), using any valid model.
    from sklearn.ensemble import IsolationForest
    probe_dir = tempfile.mkdtemp(prefix="ww_probe_")
    probe = os.path.join(probe_dir, "probe.wwf")
    export_sklearn(IsolationForest(n_estimators=1, random_state=0).fit(
        np.zeros((4, 1), dtype=np.float32)), probe, 1)
    info = subprocess.run([TOOL, "info", probe], capture_output=True,
                          text=True, check=True).stdout
    shutil.rmtree(probe_dir)
    KERNELS[:] = re.search(r"kernels: ([a-z0-9 ]+) \(", info).group(1).split()
    assert "scalar" in KERNELS
    print("kernels under test:", " ".join(KERNELS))
    unittest.main(verbosity=2)
