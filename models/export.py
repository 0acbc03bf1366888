#!/usr/bin/python3
"""Export fitted tree ensembles to wirewall's model format (FORMAT.md).

    export.py MODEL OUT.wwf --feature-spec-id N

MODEL is either a pickle of a fitted scikit-learn RandomForestClassifier,
RandomForestRegressor or IsolationForest, or an XGBoost model file (.json
or .ubj, as Booster.save_model writes it). As a library:

    from export import export_sklearn, export_xgboost
    export_sklearn(fitted_model, "rf.wwf", spec_id=1)
    export_xgboost(booster, "gbt.wwf", spec_id=1)

Leaf values are computed here with the same numpy operations scikit-learn
uses at prediction time (normalised class counts, depth plus average path
length), so wirewall adds up exactly the numbers scikit-learn adds up.
Thresholds are stored as the trainer holds them (float64 for
scikit-learn, float32 for XGBoost) with the trainer's comparison rule;
the loader turns them into the exact float32 thresholds its kernels use.
Uses only Debian's python3-numpy, python3-sklearn and python3-xgboost.
"""
import argparse
import json
import pickle
import struct
import sys
import zlib

import numpy as np

MAGIC = b"WWFOREST"
VERSION = 1
KIND_RF_CLASSIFIER, KIND_RF_REGRESSOR, KIND_ISOLATION, KIND_GBT = 1, 2, 3, 4
RULE_LE, RULE_LT = 0, 1  # scikit-learn: x <= t goes left; XGBoost: x < t
OBJ_IDENTITY, OBJ_LOGISTIC, OBJ_SOFTMAX = 0, 1, 2
LEAF = -1


class ExportError(Exception):
    pass


def _preorder(left, right, root=0):
    """Reachable nodes in depth-first preorder: children after parents."""
    order, stack = [], [root]
    while stack:
        i = stack.pop()
        order.append(i)
        if left[i] != LEAF:
            stack.append(right[i])
            stack.append(left[i])
    return order


class _Builder:
    def __init__(self):
        self.trees = []   # (n_nodes, group)
        self.nodes = []   # (feature, left, right, value_index, threshold)
        self.values = []

    def add_tree(self, left, right, feature, threshold, leaf_values, group=0):
        """leaf_values(i) -> list of float64 for leaf i."""
        order = _preorder(left, right)
        pos = {old: new for new, old in enumerate(order)}
        for old in order:
            if left[old] == LEAF:
                vi = len(self.values)
                self.values.extend(float(v) for v in leaf_values(old))
                self.nodes.append((-1, 0, 0, vi, 0.0))
            else:
                self.nodes.append((int(feature[old]), pos[left[old]],
                                   pos[right[old]], 0, float(threshold[old])))
        self.trees.append((len(order), group))

    def write(self, path, kind, n_features, n_outputs, spec_id, rule,
              objective=OBJ_IDENTITY, base_score=0.0, if_denominator=0.0,
              if_offset=0.0, classes=None):
        flags = rule | (objective << 8)
        out = bytearray()
        out += MAGIC
        out += struct.pack("<HHIIIIIII", VERSION, kind, n_features,
                           n_outputs, len(self.trees), len(self.nodes),
                           len(self.values), spec_id, flags)
        out += struct.pack("<ddd", base_score, if_denominator, if_offset)
        assert len(out) == 64
        if kind == KIND_RF_CLASSIFIER:
            out += struct.pack("<%dq" % len(classes), *classes)
        for n, g in self.trees:
            out += struct.pack("<II", n, g)
        for f, l, r, vi, t in self.nodes:
            out += struct.pack("<iiiId", f, l, r, vi, t)
        out += struct.pack("<%dd" % len(self.values), *self.values)
        out += struct.pack("<I", zlib.crc32(bytes(out)) & 0xFFFFFFFF)
        with open(path, "wb") as fh:
            fh.write(out)
        return len(out)


def _sk_tree(tree):
    t = tree.tree_
    return t.children_left, t.children_right, t.feature, t.threshold


def export_sklearn(model, path, spec_id):
    """Export a fitted RandomForestClassifier/Regressor or IsolationForest."""
    from sklearn.ensemble import (IsolationForest, RandomForestClassifier,
                                  RandomForestRegressor)
    b = _Builder()
    nf = int(model.n_features_in_)
    if isinstance(model, RandomForestClassifier):
        if getattr(model, "n_outputs_", 1) != 1:
            raise ExportError("multi-output forests are not supported")
        classes = list(model.classes_)
        try:
            labels = [int(c) for c in classes]
        except (TypeError, ValueError):
            raise ExportError("class labels must be integers, got %r" % classes[:3])
        if any(float(c) != l for c, l in zip(classes, labels)):
            raise ExportError("class labels must be integers")
        for est in model.estimators_:
            left, right, feat, thr = _sk_tree(est)
            value = est.tree_.value[:, 0, :model.n_classes_]

            def probs(i, value=value):
                # DecisionTreeClassifier.predict_proba, one leaf at a time.
                p = value[i:i + 1].copy()
                norm = p.sum(axis=1)[:, np.newaxis]
                norm[norm == 0.0] = 1.0
                p /= norm
                return p[0]
            b.add_tree(left, right, feat, thr, probs)
        return b.write(path, KIND_RF_CLASSIFIER, nf, len(labels), spec_id,
                       RULE_LE, classes=labels)
    if isinstance(model, RandomForestRegressor):
        if getattr(model, "n_outputs_", 1) != 1:
            raise ExportError("multi-output forests are not supported")
        for est in model.estimators_:
            left, right, feat, thr = _sk_tree(est)
            value = est.tree_.value[:, 0, 0]
            b.add_tree(left, right, feat, thr, lambda i, v=value: [v[i]])
        return b.write(path, KIND_RF_REGRESSOR, nf, 1, spec_id, RULE_LE)
    if isinstance(model, IsolationForest):
        from sklearn.ensemble._iforest import _average_path_length
        for est, feats in zip(model.estimators_, model.estimators_features_):
            left, right, feat, thr = _sk_tree(est)
            # Trees trained on a feature subset index into the subset.
            feat = np.where(feat >= 0, np.asarray(feats)[np.maximum(feat, 0)], feat)
            n_samples = est.tree_.n_node_samples
            depth = np.zeros(len(left), dtype=np.int64)
            for i in _preorder(left, right):
                if left[i] != LEAF:
                    depth[left[i]] = depth[right[i]] = depth[i] + 1

            def path_value(i, depth=depth, n_samples=n_samples):
                # IsolationForest._compute_score_samples, per tree:
                # nodes on the path + c(samples in the leaf) - 1.
                nodes = np.array([depth[i] + 1])
                return (nodes + _average_path_length(np.array([n_samples[i]]))
                        - 1.0)
            b.add_tree(left, right, feat, thr, path_value)
        den = len(model.estimators_) * _average_path_length([model.max_samples_])
        return b.write(path, KIND_ISOLATION, nf, 1, spec_id, RULE_LE,
                       if_denominator=float(np.asarray(den).ravel()[0]),
                       if_offset=float(model.offset_))
    raise ExportError("unsupported model type %s" % type(model).__name__)


def export_xgboost(booster, path, spec_id):
    """Export an xgboost.Booster (gbtree) to the format."""
    raw = booster.save_raw(raw_format="json")
    model = json.loads(bytes(raw).decode())
    learner = model["learner"]
    gb = learner["gradient_booster"]
    if gb.get("name") != "gbtree":
        raise ExportError("only gbtree boosters are supported, not %s" % gb.get("name"))
    trees = gb["model"]["trees"]
    info = gb["model"]["tree_info"]
    params = learner["learner_model_param"]
    nf = int(params["num_feature"])
    n_class = int(params.get("num_class", "0"))
    obj = learner["objective"]["name"]
    base = np.float32(float(params["base_score"]))
    if obj == "binary:logistic":
        objective, groups = OBJ_LOGISTIC, 1
        # ProbToMargin of the logistic objective, in float as XGBoost.
        margin = -np.log(np.float32(1.0) / base - np.float32(1.0))
    elif obj in ("multi:softprob", "multi:softmax"):
        objective, groups, margin = OBJ_SOFTMAX, n_class, base
    elif obj.startswith("reg:squarederror") or obj == "reg:linear":
        objective, groups, margin = OBJ_IDENTITY, 1, base
    else:
        raise ExportError("objective %s is not supported" % obj)
    b = _Builder()
    for tree, group in zip(trees, info):
        left = tree["left_children"]
        right = tree["right_children"]
        cond = tree["split_conditions"]
        b.add_tree(left, right, tree["split_indices"],
                   [float(np.float32(c)) for c in cond],
                   lambda i, c=cond: [float(np.float32(c[i]))], group=group)
    return b.write(path, KIND_GBT, nf, groups, spec_id, RULE_LT,
                   objective=objective, base_score=float(np.float32(margin)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("out")
    ap.add_argument("--feature-spec-id", type=int, required=True,
                    help="id of the feature specification the model was trained on")
    a = ap.parse_args()
    try:
        if a.model.endswith((".json", ".ubj")):
            import xgboost
            booster = xgboost.Booster()
            booster.load_model(a.model)
            size = export_xgboost(booster, a.out, a.feature_spec_id)
        else:
            with open(a.model, "rb") as fh:
                model = pickle.load(fh)
            if hasattr(model, "get_booster"):
                size = export_xgboost(model.get_booster(), a.out, a.feature_spec_id)
            else:
                size = export_sklearn(model, a.out, a.feature_spec_id)
    except ExportError as e:
        sys.exit("export.py: %s" % e)
    print("%s: %d bytes" % (a.out, size))


if __name__ == "__main__":
    main()
