#!/usr/bin/env python3
"""Generate scikit-learn reference outputs for mlplay's bagging, random forests and extra trees.

Writes tests/fixtures/forest.json with two kinds of cases.

"exact": bootstrap=False and every feature at every split (max_features=None for the forests,
max_samples=max_features=1.0 for bagging). Every tree is then a plain decision tree on all rows,
so the ensemble's outputs equal one tree's and do not depend on random numbers, except through
scikit-learn's tie-breaking: its splitter visits features in an order drawn from random_state and
keeps the first strictly best split (bagging also permutes each tree's columns), while mlplay
takes the first column. As in ensemble.py each case is fitted with random_state 0..4; what the
training rows see must not depend on the seed (else the case is refused), and `test_stable` marks
the held-out rows all five seeds agree on. `importance_spread` is how far the forest's feature
importances move between seeds. Inputs are rounded to 6 significant digits (scikit-learn grows
its trees on float32 copies of x).

"statistical": bootstrap and feature sampling on. mlplay's random numbers differ from numpy's,
so only distributions can be compared: for seeds 0..SEEDS-1 the held-out score (accuracy or R²)
and the out-of-bag score, whose mean and standard deviation over seeds are stored.

Usage: python3 scripts/fixtures.d/forest.py (or scripts/fixtures for every family)
"""
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.ensemble import (BaggingClassifier, BaggingRegressor, ExtraTreesClassifier, ExtraTreesRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear import DATA_DIR, OUT_DIR, dump, r6  # noqa: E402  (shared output helpers)
from ensemble import friedman, moons  # noqa: E402

TIE_SEEDS = range(5)
SEEDS = 10

ESTIMATORS = {
    "bagging-classifier": BaggingClassifier,
    "bagging-regressor": BaggingRegressor,
    "random-forest-classifier": RandomForestClassifier,
    "random-forest-regressor": RandomForestRegressor,
    "extra-trees-classifier": ExtraTreesClassifier,
    "extra-trees-regressor": ExtraTreesRegressor,
    "decision-tree-classifier": DecisionTreeClassifier,
    "decision-tree-regressor": DecisionTreeRegressor,
}


def floats(a):
    return [float(v) for v in np.ravel(a)]


def rows(a):
    return [floats(r) for r in np.atleast_2d(a)]


def close(a, b):
    return np.allclose(np.array(a, dtype=float), np.array(b, dtype=float), rtol=1e-9, atol=1e-12)


def is_classifier(name):
    return name.endswith("classifier")


def outputs(model, name, x, x_test):
    out = {
        "train_predictions": floats(model.predict(x)),
        "predictions": floats(model.predict(x_test)),
    }
    if hasattr(model, "feature_importances_"):
        out["feature_importances"] = floats(model.feature_importances_)
    if is_classifier(name):
        out["classes"] = floats(model.classes_)
        out["train_proba"] = rows(model.predict_proba(x))
        out["predict_proba"] = rows(model.predict_proba(x_test))
    return out


def exact_case(case, name, params, x, y, x_test):
    cls = ESTIMATORS[name]
    runs = [outputs(cls(**params, random_state=s).fit(x, y), name, x, x_test) for s in TIE_SEEDS]
    first = runs[0]
    for key in ("train_predictions", "train_proba", "classes"):
        if key in first and any(not close(r[key], first[key]) for r in runs[1:]):
            print(f"[forest] {case}: {key} depends on random_state; left out", file=sys.stderr)
            return None
    stable = [all(close(r["predictions"][i], first["predictions"][i])
                  and (not is_classifier(name) or close(r["predict_proba"][i], first["predict_proba"][i]))
                  for r in runs[1:])
              for i in range(len(x_test))]
    spread = 0.0
    if "feature_importances" in first:
        spread = float(np.max([np.abs(np.array(r["feature_importances"]) - first["feature_importances"])
                               for r in runs]))
    print(f"[forest] exact {case}: {sum(stable)} of {len(stable)} held-out rows seed-free; "
          f"importances vary by {spread:.2g}", file=sys.stderr)
    return {"name": case, "estimator": name, "params": params, "x": rows(x), "y": floats(y),
            "x_test": rows(x_test), "test_stable": stable, "importance_spread": spread, **first}


def statistical_case(case, name, params, x, y, x_test, y_test):
    cls = ESTIMATORS[name]
    test, oob = [], []
    for s in range(SEEDS):
        m = cls(**params, random_state=s).fit(x, y)
        test.append(float(m.score(x_test, y_test)))
        if params.get("oob_score"):
            oob.append(float(m.oob_score_))
    print(f"[forest] statistical {case}: held-out {np.mean(test):.4f} ± {np.std(test, ddof=1):.4f}"
          + (f", oob {np.mean(oob):.4f} ± {np.std(oob, ddof=1):.4f}" if oob else ""), file=sys.stderr)
    out = {"name": case, "estimator": name, "params": params, "x": rows(x), "y": floats(y),
           "x_test": rows(x_test), "y_test": floats(y_test), "seeds": SEEDS,
           "test_mean": float(np.mean(test)), "test_sd": float(np.std(test, ddof=1))}
    if oob:
        out["oob_mean"] = float(np.mean(oob))
        out["oob_sd"] = float(np.std(oob, ddof=1))
    return out


def shuffled(x, y, seed):
    # moons() lists one moon, then the other: shuffle before splitting off held-out rows.
    order = np.random.default_rng(seed).permutation(len(y))
    return x[order], y[order]


def build():
    xm, ym = shuffled(*moons(260, 23), 1)
    xf, yf = friedman(230, 41)
    xc, yc = make_classification(n_samples=500, n_features=8, n_informative=4, n_redundant=2, n_classes=3,
                                 n_clusters_per_class=1, class_sep=0.8, random_state=3)
    xc = r6(xc)
    yc = yc.astype(np.float64)

    exact = [
        exact_case("rf-moons-no-bootstrap", "random-forest-classifier",
                   {"n_estimators": 5, "bootstrap": False, "max_features": None}, xm[:200], ym[:200], xm[200:]),
        exact_case("rf-moons-depth-4", "random-forest-classifier",
                   {"n_estimators": 3, "bootstrap": False, "max_features": None, "max_depth": 4,
                    "criterion": "entropy"}, xm[:200], ym[:200], xm[200:]),
        exact_case("rf-three-classes-leaf-3", "random-forest-classifier",
                   {"n_estimators": 4, "bootstrap": False, "max_features": None, "min_samples_leaf": 3},
                   xc[:400], yc[:400], xc[400:460]),
        exact_case("rf-friedman-no-bootstrap", "random-forest-regressor",
                   {"n_estimators": 4, "bootstrap": False, "max_features": None}, xf[:180], yf[:180], xf[180:]),
        exact_case("rf-friedman-depth-5", "random-forest-regressor",
                   {"n_estimators": 3, "bootstrap": False, "max_features": 1.0, "max_depth": 5},
                   xf[:180], yf[:180], xf[180:]),
        exact_case("bagging-moons-no-bootstrap", "bagging-classifier",
                   {"n_estimators": 4, "bootstrap": False}, xm[:200], ym[:200], xm[200:]),
        exact_case("bagging-three-classes-no-bootstrap", "bagging-classifier",
                   {"n_estimators": 3, "bootstrap": False}, xc[:400], yc[:400], xc[400:460]),
        exact_case("bagging-friedman-no-bootstrap", "bagging-regressor",
                   {"n_estimators": 3, "bootstrap": False}, xf[:180], yf[:180], xf[180:]),
    ]
    # The committed CSVs (ensemble.py and tree.py write them), for the CLI test: mlplay fit.
    def csv(name):
        return np.genfromtxt(os.path.join(DATA_DIR, name), delimiter=",", skip_header=1, ndmin=2)

    three, three_predict = csv("boosting_three.csv"), csv("boosting_three_predict.csv")
    exact.append(exact_case("rf-three-csv", "random-forest-classifier",
                            {"n_estimators": 3, "bootstrap": False, "max_features": None, "max_depth": 3},
                            three[:, :2], three[:, 2], three_predict))
    sine, sine_predict = csv("tree_sine_small.csv"), csv("tree_sine_small_predict.csv")
    exact.append(exact_case("rf-sine-csv", "random-forest-regressor",
                            {"n_estimators": 3, "bootstrap": False, "max_features": None, "max_depth": 3},
                            sine[:, :1], sine[:, 1], sine_predict))

    xs, ys = shuffled(*moons(700, 8, noise=0.35), 2)
    stat = [
        statistical_case("rf-moons", "random-forest-classifier", {"oob_score": True},
                         xs[:400], ys[:400], xs[400:], ys[400:]),
        statistical_case("rf-three-classes", "random-forest-classifier", {"oob_score": True, "n_estimators": 60},
                         xc[:300], yc[:300], xc[300:], yc[300:]),
        statistical_case("rf-three-classes-half-samples", "random-forest-classifier",
                         {"oob_score": True, "n_estimators": 60, "max_samples": 0.5, "max_depth": 6},
                         xc[:300], yc[:300], xc[300:], yc[300:]),
        statistical_case("extra-trees-moons", "extra-trees-classifier",
                         {"bootstrap": True, "oob_score": True}, xs[:400], ys[:400], xs[400:], ys[400:]),
        statistical_case("extra-trees-three-classes", "extra-trees-classifier", {"n_estimators": 60},
                         xc[:300], yc[:300], xc[300:], yc[300:]),
        statistical_case("bagging-moons", "bagging-classifier", {"oob_score": True, "n_estimators": 30},
                         xs[:400], ys[:400], xs[400:], ys[400:]),
        statistical_case("bagging-three-classes-features", "bagging-classifier",
                         {"n_estimators": 30, "max_samples": 0.6, "max_features": 0.5, "bootstrap_features": True,
                          "oob_score": True},
                         xc[:300], yc[:300], xc[300:], yc[300:]),
        statistical_case("rf-friedman", "random-forest-regressor", {"oob_score": True, "n_estimators": 60},
                         xf[:150], yf[:150], xf[150:], yf[150:]),
        statistical_case("rf-friedman-sqrt", "random-forest-regressor",
                         {"oob_score": True, "n_estimators": 60, "max_features": "sqrt"},
                         xf[:150], yf[:150], xf[150:], yf[150:]),
        statistical_case("extra-trees-friedman", "extra-trees-regressor", {"n_estimators": 60},
                         xf[:150], yf[:150], xf[150:], yf[150:]),
        statistical_case("bagging-friedman", "bagging-regressor", {"oob_score": True, "n_estimators": 30},
                         xf[:150], yf[:150], xf[150:], yf[150:]),
        statistical_case("random-splitter-tree-moons", "decision-tree-classifier",
                         {"splitter": "random", "max_depth": 6}, xs[:400], ys[:400], xs[400:], ys[400:]),
        statistical_case("random-splitter-tree-friedman", "decision-tree-regressor",
                         {"splitter": "random", "min_samples_leaf": 3}, xf[:150], yf[:150], xf[150:], yf[150:]),
    ]
    return [c for c in exact if c is not None], stat


def main():
    exact, stat = build()
    doc = {
        "generator": "scripts/fixtures",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "exact": exact,
        "statistical": stat,
    }
    with open(os.path.join(OUT_DIR, "forest.json"), "w", newline="\n") as f:
        f.write(dump(doc) + "\n")
    print(f"[forest] {len(exact)} exact and {len(stat)} statistical cases", file=sys.stderr)


if __name__ == "__main__":
    main()
