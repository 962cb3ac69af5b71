#!/usr/bin/env python3
"""Generate scikit-learn reference outputs for mlplay's model selection.

Writes, relative to the repository root:
  tests/fixtures/model_selection.json
    kfold / stratified_kfold   the test rows of every fold (shuffle=False: no randomness)
    cross_val                  cross_val_score and cross_val_predict of Ridge and LogisticRegression
    grid_search                GridSearchCV over Ridge: mean/std/rank per candidate, best params
    learning_curve             train sizes and per-fold train/test scores (Ridge)
    validation_curve           per-alpha train/test scores (Ridge)
    cli                        `mlplay fit ... --cv K` on the committed CSVs ridge_small.csv and
                               logistic_small.csv (written by linear.py)

Only deterministic splitters and estimators are used, so every number is reproducible exactly.
Usage: python3 scripts/fixtures.d/model_selection.py (or scripts/fixtures for every family)
"""
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (GridSearchCV, KFold, StratifiedKFold, cross_val_predict,
                                     cross_val_score, learning_curve, validation_curve)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear import DATA_DIR, OUT_DIR, dump, r6  # noqa: E402  (shared output helpers)


def floats(a):
    return [float(v) for v in np.ravel(a)]


def ints(a):
    return [int(v) for v in np.ravel(a)]


def rows(a):
    return [floats(r) for r in np.atleast_2d(a)]


def regression_data():
    rng = np.random.RandomState(7)
    x = r6(rng.normal(size=(53, 4)))
    y = r6(x @ np.array([1.5, -2.0, 0.0, 0.7]) + 0.8 * rng.normal(size=53) + 3.0)
    return x, y


def main():
    out = {"sklearn_version": sklearn.__version__, "kfold": [], "stratified_kfold": []}
    for n, k in [(10, 3), (11, 5), (23, 4), (5, 5)]:
        out["kfold"].append({"n": n, "n_splits": k,
                             "test": [ints(te) for _, te in KFold(k).split(np.zeros(n))]})
    label_sets = {
        "imbalanced": [0] * 17 + [1] * 6,
        "three-interleaved": [2, 0, 1, 1, 2, 0, 0, 2, 1, 1, 1, 0, 2, 2, 0, 1, 0, 2, 1, 1],
        "small-class": [5, 5, 5, 5, 5, 5, 5, 3, 3, 5, 5, 5, 9, 9, 9, 9, 5, 5],
        "iris-sorted": [0] * 50 + [1] * 50 + [2] * 50,
    }
    for name, y in label_sets.items():
        for k in (3, 5):
            skf = StratifiedKFold(k)
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "the least populated class has only 2 members"
                folds = [ints(te) for _, te in skf.split(np.zeros(len(y)), y)]
            out["stratified_kfold"].append({"name": name, "y": [float(v) for v in y],
                                            "n_splits": k, "test": folds})

    x, y = regression_data()
    iris = load_iris()
    xi, yi = iris.data, iris.target.astype(float)
    out["regression"] = {"x": rows(x), "y": floats(y)}
    kf = KFold(5)
    out["cross_val"] = {
        "ridge_r2": floats(cross_val_score(Ridge(alpha=1.0), x, y, cv=kf)),
        "ridge_neg_mse": floats(cross_val_score(Ridge(alpha=1.0), x, y, cv=kf,
                                                scoring="neg_mean_squared_error")),
        "ridge_neg_mae": floats(cross_val_score(Ridge(alpha=1.0), x, y, cv=kf,
                                                scoring="neg_mean_absolute_error")),
        "ridge_predict": floats(cross_val_predict(Ridge(alpha=1.0), x, y, cv=kf)),
        "iris_logistic_accuracy": floats(cross_val_score(
            LogisticRegression(C=1.0, max_iter=1000, tol=1e-10), xi, yi, cv=StratifiedKFold(5))),
    }
    grid = {"alpha": [0.01, 1.0, 30.0, 1000.0], "fit_intercept": [True, False]}
    gs = GridSearchCV(Ridge(), grid, cv=kf, scoring="r2").fit(x, y)
    res = gs.cv_results_
    out["grid_search"] = {
        "grid": grid,
        "params": [{k: (bool(v) if isinstance(v, (bool, np.bool_)) else float(v))
                    for k, v in p.items()} for p in res["params"]],
        "mean_test_score": floats(res["mean_test_score"]),
        "std_test_score": floats(res["std_test_score"]),
        "rank_test_score": ints(res["rank_test_score"]),
        "best_index": int(gs.best_index_),
        "best_coef": floats(gs.best_estimator_.coef_),
    }
    sizes, tr, te = learning_curve(Ridge(alpha=1.0), x, y, cv=kf,
                                   train_sizes=[0.1, 0.33, 0.55, 0.78, 1.0], scoring="r2")
    out["learning_curve"] = {"train_sizes": [0.1, 0.33, 0.55, 0.78, 1.0],
                             "train_sizes_abs": ints(sizes),
                             "train_scores": rows(tr), "test_scores": rows(te)}
    alphas = [0.1, 10.0, 100.0, 1000.0]
    tr, te = validation_curve(Ridge(), x, y, param_name="alpha", param_range=alphas, cv=kf,
                              scoring="r2")
    out["validation_curve"] = {"alphas": alphas, "train_scores": rows(tr), "test_scores": rows(te)}

    def csv_xy(name, target):
        data = np.genfromtxt(os.path.join(DATA_DIR, name), delimiter=",", names=True)
        cols = [c for c in data.dtype.names if c != target]
        return np.column_stack([data[c] for c in cols]), data[target]

    xr, yr = csv_xy("ridge_small.csv", "y")
    xl, yl = csv_xy("logistic_small.csv", "species")
    out["cli"] = [
        {"estimator": "ridge", "data": "ridge_small.csv", "target": "y", "cv": 5,
         "splitter": "KFold", "scoring": "r2", "sets": [],
         "scores": floats(cross_val_score(Ridge(), xr, yr, cv=5))},
        {"estimator": "logistic-regression", "data": "logistic_small.csv", "target": "species",
         "cv": 3, "splitter": "StratifiedKFold", "scoring": "accuracy", "sets": ["max_iter=1000"],
         "scores": floats(cross_val_score(LogisticRegression(max_iter=1000), xl, yl, cv=3))},
    ]
    with open(os.path.join(OUT_DIR, "model_selection.json"), "w") as f:
        f.write(dump(out) + "\n")


if __name__ == "__main__":
    main()
