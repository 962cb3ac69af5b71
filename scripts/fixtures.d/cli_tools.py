#!/usr/bin/env python3
"""Generate scikit-learn reference outputs for `mlplay fit` / `mlplay transform` on the
preprocessing, pipeline, search, splitter and curve names (the CLI reads these CSVs and must
agree).

Writes, relative to the repository root:
  tests/fixtures/cli_tools.json         per case: the CLI arguments and scikit-learn's answer
  tests/fixtures/data/mixed_text.csv    the text columns (town, garden) and price of mixed_small.csv
  tests/fixtures/data/mixed_numeric.csv the numeric columns (area, rooms) and price of mixed_small.csv

Reads tests/fixtures/data/{ridge_small,logistic_small,mixed_small,svm_small,boosting_three}.csv
(made by the other scripts).
Usage: python3 scripts/fixtures.d/cli_tools.py (or scripts/fixtures for every family)
"""
import csv
import os
import sys

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (GridSearchCV, KFold, StratifiedKFold, learning_curve,
                                     validation_curve)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (FunctionTransformer, MinMaxScaler, OneHotEncoder,
                                   OrdinalEncoder, PolynomialFeatures, StandardScaler)
from sklearn.tree import DecisionTreeClassifier

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear import DATA_DIR, OUT_DIR, dump  # noqa: E402  (shared output helpers)


def cell(c):
    if c in ("", "NA"):
        return np.nan
    try:
        return float(c)
    except ValueError:
        return c


def read(name):
    """Header and an object table: numbers as float, missing as NaN, text as str."""
    with open(os.path.join(DATA_DIR, name)) as f:
        rows = list(csv.reader(f))
    return rows[0], np.array([[cell(c) for c in r] for r in rows[1:]], dtype=object)


def write_columns(src, dst, keep):
    with open(os.path.join(DATA_DIR, src)) as f:
        rows = list(csv.reader(f))
    idx = [rows[0].index(k) for k in keep]
    with open(os.path.join(DATA_DIR, dst), "w", newline="\n") as f:
        for r in rows:
            f.write(",".join(r[i] for i in idx) + "\n")


def nulls(a):
    return [[None if isinstance(v, float) and np.isnan(v) else float(v) for v in row]
            for row in np.atleast_2d(np.asarray(a, dtype=float))]


def features(name, target):
    header, t = read(name)
    j = header.index(target)
    cols = [i for i in range(len(header)) if i != j]
    return [header[i] for i in cols], t[:, cols], t[:, j].astype(float)


def main():
    write_columns("mixed_small.csv", "mixed_text.csv", ["town", "garden", "price"])
    write_columns("mixed_small.csv", "mixed_numeric.csv", ["area", "rooms", "price"])
    out = {"sklearn_version": sklearn.__version__, "transform": [], "search": [], "split": [],
           "curve": []}

    def transform_case(est, data, target, sets, model, attrs=None, numeric=True):
        names, x, _ = features(data, target)
        xx = x.astype(float) if numeric else x
        m = model.fit(xx)
        case = {"estimator": est, "data": data, "target": target, "sets": sets,
                "names": [str(n) for n in m.get_feature_names_out(names)],
                "rows": nulls(m.transform(xx))}
        for k, v in (attrs or {}).items():
            case[k] = nulls(getattr(m, v))[0]
        out["transform"].append(case)

    transform_case("standard-scaler", "ridge_small.csv", "y", [], StandardScaler(),
                   {"mean": "mean_", "scale": "scale_"})
    transform_case("min-max-scaler", "ridge_small.csv", "y", ["feature_range=[-1,2]"],
                   MinMaxScaler(feature_range=(-1, 2)), {"data_min": "data_min_"})
    transform_case("polynomial-features", "ridge_small.csv", "y", ["degree=2"],
                   PolynomialFeatures(degree=2))
    transform_case("simple-imputer", "mixed_numeric.csv", "price", ["strategy=median"],
                   SimpleImputer(strategy="median"), {"statistics": "statistics_"})
    transform_case("one-hot-encoder", "mixed_text.csv", "price", ["handle_unknown=ignore"],
                   OneHotEncoder(handle_unknown="ignore", sparse_output=False), numeric=False)
    transform_case("ordinal-encoder", "mixed_text.csv", "price", [], OrdinalEncoder(),
                   numeric=False)

    names, x, y = features("mixed_small.csv", "price")
    to_float = FunctionTransformer(lambda a: np.asarray(a, dtype=float),
                                   feature_names_out="one-to-one")
    num, cat = [0, 1], [2, 3]

    def recipe(scaler):
        return ColumnTransformer(
            [("num", make_pipeline(to_float, SimpleImputer(strategy="median"), scaler), num),
             ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), cat)],
            verbose_feature_names_out=False)

    for sets, scaler in [([], StandardScaler()), (["scaler=min_max"], MinMaxScaler())]:
        ct = recipe(scaler).fit(x)
        out_names = [names[int(str(n)[1])] + str(n)[2:] for n in ct.get_feature_names_out()]
        out["transform"].append({"estimator": "column-transformer", "data": "mixed_small.csv",
                                 "target": "price", "sets": sets, "names": out_names,
                                 "rows": nulls(ct.transform(x))})

    def search_case(data, target, sets, gs, xx, yy, keys):
        gs.fit(xx, yy)
        res = gs.cv_results_
        out["search"].append({
            "data": data, "target": target, "sets": sets,
            "params": [{k: float(p[keys[k]]) for k in keys} for p in res["params"]],
            "mean_test_score": [float(v) for v in res["mean_test_score"]],
            "std_test_score": [float(v) for v in res["std_test_score"]],
            "rank_test_score": [int(v) for v in res["rank_test_score"]],
            "best_index": int(gs.best_index_),
        })

    _, xr, yr = features("ridge_small.csv", "y")
    xr = xr.astype(float)
    search_case("ridge_small.csv", "y",
                ["estimator=ridge", "grid.alpha=0.01,0.3,3,100"],
                GridSearchCV(Ridge(), {"alpha": [0.01, 0.3, 3, 100]}, cv=5), xr, yr,
                {"alpha": "alpha"})
    search_case("ridge_small.csv", "y",
                ["estimator=ridge", "grid.alpha=0.01,3,100", "cv=4",
                 "scoring=neg_mean_squared_error"],
                GridSearchCV(Ridge(), {"alpha": [0.01, 3, 100]}, cv=4,
                             scoring="neg_mean_squared_error"), xr, yr, {"alpha": "alpha"})
    _, xl, yl = features("logistic_small.csv", "species")
    xl = xl.astype(float)
    search_case("logistic_small.csv", "species",
                ["estimator=logistic-regression", "estimator.max_iter=1000",
                 "grid.C=0.001,0.01,0.1,1", "cv=3"],
                GridSearchCV(LogisticRegression(max_iter=1000), {"C": [0.001, 0.01, 0.1, 1]},
                             cv=3), xl, yl, {"C": "C"})
    pipe = Pipeline([("preprocess", recipe(StandardScaler())), ("estimator", Ridge())])
    search_case("mixed_small.csv", "price",
                ["estimator=pipeline", "estimator.estimator=ridge",
                 "grid.estimator.alpha=0.1,1,10,100"],
                GridSearchCV(pipe, {"estimator__alpha": [0.1, 1, 10, 100]}, cv=5), x, y,
                {"estimator.alpha": "estimator__alpha"})

    out["split"].append({"estimator": "k-fold", "data": "ridge_small.csv", "target": None,
                         "sets": ["n_splits=3"],
                         "test": [[int(i) for i in te] for _, te in KFold(3).split(xr)]})
    out["split"].append({"estimator": "stratified-k-fold", "data": "logistic_small.csv",
                         "target": "species", "sets": ["n_splits=4"],
                         "test": [[int(i) for i in te]
                                  for _, te in StratifiedKFold(4).split(xl, yl)]})
    def rows(a):
        return [[float(v) for v in r] for r in a]

    def curve_case(est, data, target, sets, run, xx, yy):
        """`run(x, y)` gives (x axis, train scores, test scores) as scikit-learn returns them."""
        axis, train, test = run(xx, yy)
        out["curve"].append({"estimator": est, "data": data, "target": target, "sets": sets,
                             "axis": [a.item() if hasattr(a, "item") else a for a in axis],
                             "train_scores": rows(train), "test_scores": rows(test)})

    curve_case("learning-curve", "ridge_small.csv", "y",
               ["estimator=ridge", "estimator.alpha=2", "train_sizes=0.1,0.325,0.55,0.775,1.0",
                "cv=5", "scoring=r2"],
               lambda a, b: learning_curve(Ridge(alpha=2), a, b,
                                           train_sizes=[0.1, 0.325, 0.55, 0.775, 1.0], cv=5,
                                           scoring="r2"), xr, yr)
    curve_case("learning-curve", "ridge_small.csv", "y",
               ["estimator=ridge", "train_sizes=5,12,30", "cv=4",
                "scoring=neg_mean_squared_error"],
               lambda a, b: learning_curve(Ridge(), a, b, train_sizes=[5, 12, 30], cv=4,
                                           scoring="neg_mean_squared_error"), xr, yr)
    _, xs, ys = features("svm_small.csv", "label")
    # Defaults: train_sizes linspace(0.1, 1, 5), stratified 5 folds, accuracy.
    curve_case("learning-curve", "svm_small.csv", "label", ["estimator=logistic-regression"],
               lambda a, b: learning_curve(LogisticRegression(), a, b), xs.astype(float), ys)
    curve_case("learning-curve", "mixed_small.csv", "price",
               ["estimator=pipeline", "estimator.estimator=ridge", "train_sizes=0.25,0.5,1.0"],
               lambda a, b: learning_curve(
                   Pipeline([("preprocess", recipe(StandardScaler())), ("estimator", Ridge())]),
                   a, b, train_sizes=[0.25, 0.5, 1.0]), x, y)

    def with_axis(values, run):
        return lambda a, b: (values, *run(a, b))

    alphas = [0.01, 0.1, 1, 10]
    curve_case("validation-curve", "ridge_small.csv", "y",
               ["estimator=ridge", "param=alpha", "values=0.01,0.1,1,10", "cv=5"],
               with_axis(alphas, lambda a, b: validation_curve(
                   Ridge(), a, b, param_name="alpha", param_range=alphas, cv=5)), xr, yr)
    # Ties between equally good splits do not arise here: any random_state gives these scores.
    _, xb, yb = features("boosting_three.csv", "label")
    depths = [1, 2, 3, 5]
    curve_case("validation-curve", "boosting_three.csv", "label",
               ["estimator=decision-tree-classifier", "estimator.random_state=0",
                "param=max_depth", "values=1,2,3,5"],
               with_axis(depths, lambda a, b: validation_curve(
                   DecisionTreeClassifier(random_state=0), a, b, param_name="max_depth",
                   param_range=depths, cv=5)), xb.astype(float), yb)

    with open(os.path.join(OUT_DIR, "cli_tools.json"), "w") as f:
        f.write(dump(out) + "\n")


if __name__ == "__main__":
    main()
