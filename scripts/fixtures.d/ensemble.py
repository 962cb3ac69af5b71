#!/usr/bin/env python3
"""Generate scikit-learn reference outputs for mlplay's gradient boosting.

Reads tests/fixtures/data/tree_sine_small*.csv (written by tree.py) and writes
tests/fixtures/data/boosting_three*.csv, for the CLI cases. Writes tests/fixtures/ensemble.json: GradientBoostingRegressor and GradientBoostingClassifier
(binary and three classes) fits with subsample=1 and no early stopping, where no randomness is
involved: the initial prediction, train_score_ per stage, feature importances, the number of
leaves per tree, predictions, probabilities and decision values on training and held-out rows,
and staged predictions after a few stages.

scikit-learn's tree splitter visits features in an order drawn from random_state and keeps the
first strictly best split, so on an exact tie between two features the tree depends on the seed
(mlplay takes the first column). Each case is fitted with random_state 0..4. Inputs are rounded to 6 significant digits; scikit-learn fits the trees
on float32 copies of x, so thresholds are midpoints of float32 values (not compared).

Tied splits partition the training rows alike, so what the training rows see (train_score_,
train predictions and decision values, leaves per tree) must not depend on the seed: a case where
it does is refused. Held-out rows can land on either side of a tied split: `test_stable` marks the
rows all five seeds agree on, and only those are compared; `importance_spread` is how far the
feature importances move between seeds.

Usage: python3 scripts/fixtures.d/ensemble.py (or scripts/fixtures for every family)
"""
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import load_iris
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear import DATA_DIR, OUT_DIR, dump, r6, write_csv  # noqa: E402  (shared output helpers)

SEEDS = range(5)
STAGES_SHOWN = (1, 2, 5, 10)


def floats(a):
    return [float(v) for v in np.ravel(a)]


def rows(a):
    return [floats(r) for r in np.atleast_2d(a)]


def outputs(model, kind, x, x_test):
    out = {
        "init": floats(model._raw_predict_init(x[:1])),
        "n_estimators": int(model.n_estimators_),
        "train_score": floats(model.train_score_),
        "leaves": [[int(t.tree_.n_leaves) for t in stage] for stage in model.estimators_],
        "train_predictions": floats(model.predict(x)),
        "feature_importances": floats(model.feature_importances_),
        "predictions": floats(model.predict(x_test)),
        "staged_predictions": {
            str(s): floats(p) for s, p in enumerate(model.staged_predict(x_test), start=1) if s in STAGES_SHOWN
        },
    }
    if kind == "classifier":
        out["classes"] = floats(model.classes_)
        out["train_decision"] = rows(np.atleast_2d(model.decision_function(x).T).T)
        out["predict_proba"] = rows(model.predict_proba(x_test))
        out["decision_function"] = rows(np.atleast_2d(model.decision_function(x_test).T).T)
    return out


# What the training rows see cannot depend on tie-breaks (tied splits partition them alike).
SEED_FREE = ("init", "n_estimators", "train_score", "leaves", "train_predictions", "classes", "train_decision")


def close(a, b):
    return np.allclose(np.array(a, dtype=float), np.array(b, dtype=float), rtol=1e-9, atol=1e-12)


def fit_case(name, kind, params, x, y, x_test):
    cls = GradientBoostingClassifier if kind == "classifier" else GradientBoostingRegressor
    runs = [outputs(cls(**params, random_state=s).fit(x, y), kind, x, x_test) for s in SEEDS]
    first = runs[0]
    for key in SEED_FREE:
        if key in first and any(not close(r[key], first[key]) for r in runs[1:]):
            print(f"[ensemble] {name}: {key} depends on random_state; left out", file=sys.stderr)
            return None
    # A held-out row can fall on either side of a tied split: keep the rows every seed agrees on.
    stable = [all(close(r["predictions"][i], first["predictions"][i])
                  and all(close(r["staged_predictions"][s][i], first["staged_predictions"][s][i])
                          for s in first["staged_predictions"])
                  and (kind == "regressor" or close(r["decision_function"][i], first["decision_function"][i]))
                  for r in runs[1:])
              for i in range(len(x_test))]
    spread = np.max([np.abs(np.array(r["feature_importances"]) - first["feature_importances"]) for r in runs])
    print(f"[ensemble] {name}: {sum(stable)} of {len(stable)} held-out rows seed-free; "
          f"importances vary by {spread:.2g} over seeds", file=sys.stderr)
    return {"name": name, "kind": kind, "params": params, "x": rows(x), "y": floats(y), "x_test": rows(x_test),
            "test_stable": stable, "importance_spread": float(spread), **first}


def friedman(n, seed):
    rng = np.random.default_rng(seed)
    x = r6(rng.uniform(size=(n, 5)))
    y = r6(10 * np.sin(np.pi * x[:, 0] * x[:, 1]) + 20 * (x[:, 2] - 0.5) ** 2 + 5 * x[:, 3] + rng.normal(size=n))
    return x, y


def moons(n, seed, noise=0.3):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, size=n)
    upper = np.arange(n) < n // 2
    x = np.where(upper[:, None], np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    return r6(x + rng.normal(scale=noise, size=x.shape)), np.where(upper, 0.0, 1.0)


def jittered_iris():
    x, y = load_iris(return_X_y=True)
    rng = np.random.default_rng(11)
    return r6(x + rng.normal(scale=0.02, size=x.shape)), y.astype(np.float64)


def build_cases():
    cases = []
    xf, yf = friedman(180, 41)
    cases.append(fit_case("friedman-default", "regressor", {}, xf[:150], yf[:150], xf[150:]))
    cases.append(fit_case("friedman-shallow-slow", "regressor",
                          {"n_estimators": 60, "learning_rate": 0.05, "max_depth": 2, "min_samples_leaf": 5},
                          xf[:150], yf[:150], xf[150:]))
    cases.append(fit_case("friedman-deep-fast", "regressor",
                          {"n_estimators": 20, "learning_rate": 0.5, "max_depth": 5},
                          xf[:150], yf[:150], xf[150:]))

    # At depth 3 the first stages' two-valued gradients tie across the two features often enough
    # that scikit-learn's own trees depend on the seed; depth 2 (or larger leaves) avoids it.
    xm, ym = moons(200, 23)
    cases.append(fit_case("moons-depth-2", "classifier", {"max_depth": 2}, xm[:170], ym[:170], xm[170:]))
    cases.append(fit_case("moons-depth-2-rate-0.2", "classifier",
                          {"n_estimators": 50, "learning_rate": 0.2, "max_depth": 2}, xm[:170], ym[:170], xm[170:]))
    cases.append(fit_case("moons-stumps", "classifier", {"n_estimators": 40, "max_depth": 1, "learning_rate": 0.5},
                          xm[:170], ym[:170], xm[170:]))
    # Labels 3 and 7 instead of 0 and 1.
    cases.append(fit_case("moons-labels-3-7", "classifier", {"n_estimators": 30, "max_depth": 2},
                          xm[:170], ym[:170] * 4 + 3, xm[170:]))
    xl, yl = moons(300, 5, noise=0.2)
    cases.append(fit_case("moons-300-leaf-5", "classifier", {"min_samples_leaf": 5}, xl[:270], yl[:270], xl[270:]))

    xi, yi = jittered_iris()
    test = np.arange(len(yi)) % 5 == 0
    cases.append(fit_case("iris-three-classes", "classifier", {"n_estimators": 30, "max_depth": 2},
                          xi[~test], yi[~test], xi[test]))
    cases.append(fit_case("iris-three-classes-leaf-5", "classifier",
                          {"n_estimators": 25, "learning_rate": 0.3, "min_samples_leaf": 5},
                          xi[~test], yi[~test], xi[test]))

    # The CSVs the tree script writes, for the CLI test: mlplay fit gradient-boosting-*.
    def csv(name):
        return np.genfromtxt(os.path.join(DATA_DIR, name), delimiter=",", skip_header=1, ndmin=2)

    # Three classes: moons plus a blob, written as CSV (x1, x2, label) for the classifier.
    xb, yb = moons(150, 29, noise=0.25)
    blob = r6(np.random.default_rng(29).normal(loc=(2.5, 1.5), scale=0.3, size=(50, 2)))
    x3, y3 = np.vstack([xb, blob]), np.r_[yb, np.full(50, 2.0)]
    order = np.random.default_rng(30).permutation(200)
    x3, y3 = x3[order], y3[order]
    write_csv(os.path.join(DATA_DIR, "boosting_three.csv"), ["x1", "x2", "label"], np.c_[x3[:180], y3[:180]])
    write_csv(os.path.join(DATA_DIR, "boosting_three_predict.csv"), ["x1", "x2"], x3[180:])
    cases.append(fit_case("boosting-three-csv", "classifier", {"n_estimators": 20, "max_depth": 2},
                          x3[:180], y3[:180], x3[180:]))
    sine_small, sine_small_predict = csv("tree_sine_small.csv"), csv("tree_sine_small_predict.csv")
    cases.append(fit_case("tree-sine-small-csv", "regressor", {"n_estimators": 30, "max_depth": 2},
                          sine_small[:, :1], sine_small[:, 1], sine_small_predict))
    return [c for c in cases if c is not None]


def main():
    doc = {
        "generator": "scripts/fixtures",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "cases": build_cases(),
    }
    with open(os.path.join(OUT_DIR, "ensemble.json"), "w", newline="\n") as f:
        f.write(dump(doc) + "\n")
    print(f"[ensemble] {len(doc['cases'])} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
