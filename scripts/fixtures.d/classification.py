#!/usr/bin/env python3
"""Generate scikit-learn reference outputs (fixtures) for mlplay's classification tests.

Writes, relative to the repository root:
  tests/fixtures/classification.json              LogisticRegression fits and classification metrics
  tests/fixtures/data/logistic_small.csv          iris (x1..x4, species 0/1/2) for the CLI example
  tests/fixtures/data/logistic_small_predict.csv  rows to predict (x1..x4)

Deterministic: iris ships with scikit-learn and every other data set comes from a fixed numpy seed.
Inputs are rounded to 6 significant digits *before* fitting or scoring, so the numbers in the JSON
are exactly the numbers scikit-learn saw; outputs are written at full precision (Python float repr).

LogisticRegression runs scikit-learn's default lbfgs solver with a tight tolerance (tol=1e-10,
max_iter=10000), so the reference sits at the optimum rather than wherever tol=1e-4 stops; each fit
is cross-checked against the newton-cholesky solver. `penalty: null` in a case's params is fitted
as C=inf (scikit-learn 1.8 deprecated `penalty`; C=inf is its replacement for penalty=None).
ROC thresholds start with +inf, written as null.

Usage: python3 scripts/fixtures.d/classification.py (or scripts/fixtures for every family)
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn import metrics
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures")
DATA_DIR = os.path.join(OUT_DIR, "data")

TIGHT = {"tol": 1e-10, "max_iter": 10000}


def r6(a):
    """Round every element to 6 significant digits (via the %.6g decimal string)."""
    a = np.asarray(a, dtype=np.float64)
    return np.vectorize(lambda v: float(f"{v:.6g}"), otypes=[np.float64])(a)


def floats(a):
    return [float(v) for v in np.ravel(a)]


def rows(a):
    return [floats(r) for r in np.atleast_2d(a)]


def sklearn_params(params):
    """Our params (scikit-learn names, penalty null = no penalty) to scikit-learn's constructor."""
    kw = {k: v for k, v in params.items() if k != "penalty"}
    if "penalty" in params and params["penalty"] is None:
        kw["C"] = np.inf
    return kw


def fit_logistic(name, params, x, y, x_test):
    x, y, x_test = (np.asarray(a, dtype=np.float64) for a in (x, y, x_test))
    model = LogisticRegression(**sklearn_params(params))
    check = LogisticRegression(solver="newton-cholesky", **{**sklearn_params(params), "tol": 1e-12})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
        check.fit(x, y)
    # The reference must be the optimum: two different solvers agree on the probabilities.
    gap = np.abs(model.predict_proba(x) - check.predict_proba(x)).max()
    assert gap < 1e-5, (name, gap)
    decision = model.decision_function(x_test)
    case = {
        "name": name,
        "params": params,
        "x": rows(x),
        "y": floats(y),
        "x_test": rows(x_test),
        "classes": floats(model.classes_),
        "coef": rows(model.coef_),
        "intercept": floats(model.intercept_),
        "n_iter": int(model.n_iter_[0]),
        "decision_function": rows(decision.reshape(len(x_test), -1)),
        "predict_proba": rows(model.predict_proba(x_test)),
        "predictions": floats(model.predict(x_test)),
        "score": float(model.score(x, y)),
        "log_loss": float(metrics.log_loss(y, model.predict_proba(x))),
    }
    for key in ("coef", "decision_function", "predict_proba"):
        assert np.all(np.isfinite(case[key])), (name, key)
    return case


def iris():
    x, y = load_iris(return_X_y=True)
    return r6(x), y.astype(np.float64)


def split_every(x, y, k):
    """Every k-th row to the test set (deterministic, keeps all classes in both parts)."""
    test = np.arange(len(y)) % k == 0
    return x[~test], y[~test], x[test][:8]


def logistic_cases():
    cases = []
    x, y = iris()

    # Binary: versicolor (1) vs virginica (2) overlap, so the optimum is finite even without penalty.
    m = y > 0
    xb, yb, xbt = split_every(x[m], y[m], 7)
    for c, tag in ((0.01, "0-01"), (1.0, "1"), (100.0, "100")):
        cases.append(fit_logistic(f"binary-iris-C-{tag}", {"C": c, **TIGHT}, xb, yb, xbt))
    cases.append(fit_logistic("binary-iris-C-1-no-intercept", {"C": 1.0, "fit_intercept": False, **TIGHT},
                              xb, yb, xbt))
    cases.append(fit_logistic("binary-iris-no-penalty", {"penalty": None, **TIGHT}, xb, yb, xbt))

    # Multinomial (softmax) on all three iris classes.
    xm, ym, xmt = split_every(x, y, 5)
    for c, tag in ((0.1, "0-1"), (1.0, "1"), (10.0, "10")):
        cases.append(fit_logistic(f"multinomial-iris-C-{tag}", {"C": c, **TIGHT}, xm, ym, xmt))
    cases.append(fit_logistic("multinomial-iris-C-1-no-intercept",
                              {"C": 1.0, "fit_intercept": False, **TIGHT}, xm, ym, xmt))

    # Labels that are not 0..k-1, and four overlapping classes in 3 features.
    rng = np.random.default_rng(5)
    xs = r6(rng.normal(size=(70, 2)) * [1.0, 3.0] + [2.0, -1.0])
    ys = np.where(xs[:, 0] + 0.3 * xs[:, 1] + rng.normal(size=70) > 1.8, 3.0, -1.0)
    cases.append(fit_logistic("binary-labels-minus-1-and-3", {"C": 0.5, **TIGHT}, xs[:60], ys[:60], xs[60:]))
    rng = np.random.default_rng(6)
    centres = np.array([[0.0, 0.0, 0.0], [2.0, 0.0, 1.0], [0.0, 2.0, -1.0], [2.0, 2.0, 0.0]])
    labels = np.arange(88) % 4
    xq = r6(centres[labels] + rng.normal(size=(88, 3)))
    cases.append(fit_logistic("multinomial-four-blobs-C-0-5", {"C": 0.5, **TIGHT},
                              xq[:80], labels[:80].astype(np.float64), xq[80:]))

    # The CLI example: the whole of iris, default C.
    xc, yc, xct = logistic_small_data()
    cases.append(fit_logistic("logistic-small-csv", {"C": 1.0, **TIGHT}, xc, yc, xct))
    return cases


def logistic_small_data():
    x, y = iris()
    return x, y, x[[3, 48, 60, 99, 110, 149]]


# ---- metrics -------------------------------------------------------------------------------------
def roc(y_true, y_score, pos_label):
    fpr, tpr, thr = metrics.roc_curve(y_true, y_score, pos_label=pos_label)
    assert np.isinf(thr[0])
    return {"fpr": floats(fpr), "tpr": floats(tpr), "thresholds": [None] + floats(thr[1:])}


def pr(y_true, y_score, pos_label):
    p, r, t = metrics.precision_recall_curve(y_true, y_score, pos_label=pos_label)
    return {"precision": floats(p), "recall": floats(r), "thresholds": floats(t)}


def prf(y_true, y_pred, average, pos_label=1):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-division warnings: the value is 0, as in mlplay
        p, r, f, _ = metrics.precision_recall_fscore_support(y_true, y_pred, average=average,
                                                             pos_label=pos_label)
    return [float(p), float(r), float(f)]


def binary_metric_case(name, y_true, y_score, threshold, pos_label):
    y_true, y_score = r6(y_true), r6(y_score)
    labels = np.unique(y_true)
    neg = labels[labels != pos_label][0]
    y_pred = np.where(y_score >= threshold, pos_label, neg)
    cm = metrics.confusion_matrix(y_true, y_pred)
    case = {
        "name": name,
        "y_true": floats(y_true),
        "y_pred": floats(y_pred),
        "y_score": floats(y_score),
        "pos_label": float(pos_label),
        "accuracy": float(metrics.accuracy_score(y_true, y_pred)),
        "confusion_labels": floats(np.unique(np.concatenate([y_true, y_pred]))),
        "confusion_matrix": [[int(v) for v in row] for row in cm],
        "prf": {a: prf(y_true, y_pred, a, pos_label) for a in ("binary", "micro", "macro", "weighted")},
        "roc": roc(y_true, y_score, pos_label),
        "pr": pr(y_true, y_score, pos_label),
    }
    if pos_label == labels.max():
        case["roc_auc"] = float(metrics.roc_auc_score(y_true, y_score))
    return case


def multiclass_metric_case(name, y_true, y_pred, proba=None):
    y_true, y_pred = r6(y_true), r6(y_pred)
    cm = metrics.confusion_matrix(y_true, y_pred)
    case = {
        "name": name,
        "y_true": floats(y_true),
        "y_pred": floats(y_pred),
        "accuracy": float(metrics.accuracy_score(y_true, y_pred)),
        "confusion_labels": floats(np.unique(np.concatenate([y_true, y_pred]))),
        "confusion_matrix": [[int(v) for v in row] for row in cm],
        "prf": {a: prf(y_true, y_pred, a) for a in ("micro", "macro", "weighted")},
    }
    if proba is not None:
        proba = r6(proba)
        case["proba"] = rows(proba)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # rounded rows sum to 1 only within 1e-6
            case["log_loss"] = float(metrics.log_loss(y_true, proba, labels=np.unique(y_true)))
    return case


def metric_cases():
    cases = []
    rng = np.random.default_rng(101)
    y = (rng.uniform(size=60) < 0.4).astype(np.float64)
    score = np.clip(0.35 * y + rng.normal(0.4, 0.25, size=60), 0, 1)
    cases.append(binary_metric_case("binary-continuous-scores", y, score, 0.5, 1.0))
    # Scores rounded to one decimal: many ties, so many samples share a threshold.
    score = np.round(np.clip(0.3 * y + rng.uniform(size=60) * 0.7, 0, 1), 1)
    cases.append(binary_metric_case("binary-tied-scores", y, score, 0.5, 1.0))
    # Integer scores 0..4 (five thresholds only), labels -1 / 1.
    y = np.where(rng.uniform(size=50) < 0.5, 1.0, -1.0)
    score = np.clip(np.round(2 + y + rng.normal(size=50)), 0, 4)
    cases.append(binary_metric_case("binary-integer-scores-labels-minus-1-1", y, score, 2.5, 1.0))
    # Labels 2 / 5 with the smaller one as the positive class; decision scores may be negative.
    y = np.where(rng.uniform(size=45) < 0.3, 2.0, 5.0)
    score = rng.normal(size=45) + np.where(y == 2.0, 0.8, 0.0)
    cases.append(binary_metric_case("binary-pos-label-2-of-2-and-5", y, score, 0.0, 2.0))
    cases.append(binary_metric_case("binary-pos-label-5-of-2-and-5", y, score, 0.0, 5.0))

    # Multiclass, predictions right about 60% of the time.
    y = rng.integers(0, 4, size=80).astype(np.float64)
    pred = np.where(rng.uniform(size=80) < 0.6, y, rng.integers(0, 4, size=80)).astype(np.float64)
    logits = rng.normal(size=(80, 4)) + 2.0 * np.eye(4)[y.astype(int)]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    cases.append(multiclass_metric_case("multiclass-four-classes", y, pred, proba))
    # A predicted class that never occurs in y_true (its recall is 0/0 -> 0) and one never predicted.
    y = rng.integers(0, 3, size=40).astype(np.float64)
    pred = np.where(rng.uniform(size=40) < 0.5, y, 7.0)
    pred[pred == 2.0] = 1.0
    cases.append(multiclass_metric_case("multiclass-unseen-and-unpredicted-labels", y, pred))
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names))
    return cases


# ---- output --------------------------------------------------------------------------------------
def scalar(v):
    return json.dumps(v, allow_nan=False)


def dump(v, indent=0):
    """JSON with dicts indented, lists of numbers on one line, matrices one row per line."""
    pad, pad1 = "  " * indent, "  " * (indent + 1)
    if isinstance(v, dict):
        if not v:
            return "{}"
        if all(not isinstance(x, (dict, list)) for x in v.values()):
            return "{" + ", ".join(f"{scalar(k)}: {scalar(x)}" for k, x in v.items()) + "}"
        items = [f"{pad1}{scalar(k)}: {dump(x, indent + 1)}" for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(v, list):
        if all(not isinstance(x, (dict, list)) for x in v):
            return "[" + ", ".join(scalar(x) for x in v) + "]"
        return "[\n" + ",\n".join(pad1 + dump(x, indent + 1) for x in v) + "\n" + pad + "]"
    return scalar(v)


def write_csv(path, header, rows_):
    with open(path, "w", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for row in rows_:
            f.write(",".join(f"{float(v):.6g}" for v in row) + "\n")


def main():
    os.makedirs(DATA_DIR, exist_ok=True)
    doc = {
        "generator": "scripts/fixtures",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "logistic_regression": logistic_cases(),
        "metrics": metric_cases(),
    }
    text = dump(doc) + "\n"
    json.loads(text)  # sanity check
    with open(os.path.join(OUT_DIR, "classification.json"), "w", newline="\n") as f:
        f.write(text)

    x, y, xt = logistic_small_data()
    write_csv(os.path.join(DATA_DIR, "logistic_small.csv"), ["x1", "x2", "x3", "x4", "species"],
              np.column_stack([x, y]))
    write_csv(os.path.join(DATA_DIR, "logistic_small_predict.csv"), ["x1", "x2", "x3", "x4"], xt)
    print(f"wrote {len(doc['logistic_regression'])} LogisticRegression and {len(doc['metrics'])} metric "
          f"cases to tests/fixtures/classification.json ({len(text)} bytes), "
          f"tests/fixtures/data/logistic_small.csv, tests/fixtures/data/logistic_small_predict.csv "
          f"(sklearn {sklearn.__version__}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
