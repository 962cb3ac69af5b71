#!/usr/bin/env python3
"""Generate scikit-learn reference outputs for mlplay's preprocessing.

Writes, relative to the repository root:
  tests/fixtures/preprocessing.json   MinMaxScaler, SimpleImputer, OneHotEncoder, OrdinalEncoder on
                                      a numeric matrix with missing values (NaN is written as null);
                                      two ColumnTransformer + Ridge pipelines on mixed_small.csv:
                                      output column names, transformed rows, coefficients,
                                      predictions and 5-fold cross-validated R²
  tests/fixtures/data/mixed_small.csv a small made-up housing table with a text column, a yes/no
                                      column and missing cells (`NA` and empty)
  tests/fixtures/data/mixed_small_predict.csv  rows to predict, one with an unseen town

Without pandas: the table is an object array and the numeric group converts its columns to
float first, which is what a DataFrame's numeric dtype would give.
Usage: python3 scripts/fixtures.d/preprocessing.py (or scripts/fixtures for every family)
"""
import os
import sys

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (FunctionTransformer, MinMaxScaler, OneHotEncoder,
                                   OrdinalEncoder, StandardScaler)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear import DATA_DIR, OUT_DIR, dump, r6  # noqa: E402  (shared output helpers)


def nulls(a):
    """Rows of floats with NaN as None (JSON null)."""
    return [[None if np.isnan(v) else float(v) for v in row] for row in np.atleast_2d(a)]


def matrix():
    rng = np.random.RandomState(11)
    x = r6(rng.normal(size=(12, 3)) * [1.0, 10.0, 0.1] + [0.0, 50.0, 1.0])
    x[:, 2] = np.round(x[:, 2], 1)  # repeated values, so most_frequent has ties to break
    x[[1, 4, 9], 0] = np.nan
    x[[0, 5], 2] = np.nan
    x_all_missing = np.column_stack([x, np.full(12, np.nan)])
    cats = np.array([[3, 1], [1, 2], [3, np.nan], [2, 1], [1, 1], [3, 2],
                     [2, 2], [1, np.nan], [3, 1], [2, 2], [1, 1], [3, 1]], dtype=float)
    cats_test = np.array([[1, 2], [4, 1], [2, np.nan], [3, 5]], dtype=float)
    return x, x_all_missing, cats, cats_test


def mixed_table():
    rng = np.random.RandomState(5)
    n = 60
    towns = np.array(["north", "riverside", "old town", "east"])
    town = towns[rng.randint(0, 4, size=n)]
    area = r6(rng.uniform(40, 160, size=n))
    rooms = rng.randint(1, 6, size=n).astype(float)
    garden = np.where(rng.uniform(size=n) < 0.4, "yes", "no")
    bonus = {"north": 30.0, "riverside": 60.0, "old town": 45.0, "east": 0.0}
    price = r6(2.1 * area + 9.0 * rooms + np.array([bonus[t] for t in town])
               + np.where(garden == "yes", 20.0, 0.0) + rng.normal(scale=15.0, size=n))
    area_cells = [f"{v:.6g}" for v in area]
    town_cells = list(town)
    for r in (3, 17, 41):
        area_cells[r] = ""
    for r in (8, 30):
        town_cells[r] = "NA"
    header = ["area", "rooms", "town", "garden", "price"]
    rows = [[area_cells[i], f"{rooms[i]:.0f}", town_cells[i], garden[i], f"{price[i]:.6g}"]
            for i in range(n)]
    predict = [["75", "2", "riverside", "yes"], ["", "4", "east", "no"],
               ["120", "3", "harbour", "no"], ["55.5", "1", "NA", "yes"]]
    return header, rows, predict


def as_objects(rows):
    """The table as scikit-learn would get it: numbers as float (NaN missing), text as str."""
    out = []
    for row in rows:
        cells = []
        for c in row:
            if c in ("", "NA"):
                cells.append(np.nan)
            else:
                try:
                    cells.append(float(c))
                except ValueError:
                    cells.append(c)
        out.append(cells)
    return np.array(out, dtype=object)


def main():
    out = {"sklearn_version": sklearn.__version__}
    x, x_all_missing, cats, cats_test = matrix()
    out["x"] = nulls(x)
    out["x_all_missing"] = nulls(x_all_missing)
    scalers = []
    for name, params in [("default", {}), ("range-clip", {"feature_range": (-1.0, 2.0), "clip": True})]:
        m = MinMaxScaler(**params).fit(x)
        test = x * 1.5 - 0.2
        scalers.append({"name": name, "params": {k: list(v) if isinstance(v, tuple) else v
                                                  for k, v in params.items()},
                        "scale": nulls(m.scale_)[0], "min": nulls(m.min_)[0],
                        "transform": nulls(m.transform(x)), "x_test": nulls(test),
                        "transform_test": nulls(m.transform(test))})
    out["min_max_scaler"] = scalers
    imputers = []
    for name, params in [("mean", {}), ("median", {"strategy": "median"}),
                         ("most_frequent", {"strategy": "most_frequent"}),
                         ("constant", {"strategy": "constant", "fill_value": 7.0}),
                         ("mean-indicator", {"add_indicator": True})]:
        m = SimpleImputer(**params).fit(x_all_missing)
        imputers.append({"name": name, "params": params, "statistics": nulls(m.statistics_)[0],
                         "transform": nulls(m.transform(x_all_missing))})
    out["simple_imputer"] = imputers
    out["cats"] = nulls(cats)
    out["cats_test"] = nulls(cats_test)
    encoders = []
    for name, params, test in [("default", {}, cats), ("ignore", {"handle_unknown": "ignore"}, cats_test),
                               ("drop-first", {"drop": "first"}, cats),
                               ("if-binary", {"drop": "if_binary"}, cats[:, [1]])]:
        fit_on = cats[:, [1]] if name == "if-binary" else cats
        m = OneHotEncoder(sparse_output=False, **params).fit(fit_on)
        encoders.append({"name": name, "params": params, "fit_columns": fit_on.shape[1],
                         "categories": [nulls(c)[0] for c in m.categories_],
                         "transform": nulls(m.transform(test))})
    out["one_hot_encoder"] = encoders
    m = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1).fit(cats)
    out["ordinal_encoder"] = {"categories": [nulls(c)[0] for c in m.categories_],
                              "transform": nulls(m.transform(cats_test))}

    header, rows, predict = mixed_table()
    with open(os.path.join(DATA_DIR, "mixed_small.csv"), "w", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")
    with open(os.path.join(DATA_DIR, "mixed_small_predict.csv"), "w", newline="\n") as f:
        f.write(",".join(header[:-1]) + "\n")
        for row in predict:
            f.write(",".join(row) + "\n")
    table = as_objects(rows)
    xm, ym = table[:, :4], table[:, 4].astype(float)
    xp = as_objects(predict)
    to_float = FunctionTransformer(lambda a: np.asarray(a, dtype=float), feature_names_out="one-to-one")
    pipelines = {
        # Median-impute and standardise the numbers; one-hot the text with missing as a category.
        "median-standard-onehot": ColumnTransformer(
            [("num", make_pipeline(to_float, SimpleImputer(strategy="median"), StandardScaler()),
              [0, 1]),
             ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), [2, 3])],
            verbose_feature_names_out=False),
        # Mean-impute and min-max scale the area, fill text with the most frequent and drop the
        # first category, pass the rooms through untouched.
        "mean-minmax-mostfrequent": ColumnTransformer(
            [("area", make_pipeline(to_float, SimpleImputer(), MinMaxScaler()), [0]),
             ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                   OneHotEncoder(drop="first", sparse_output=False)), [2, 3])],
            remainder="passthrough", verbose_feature_names_out=False),
    }
    cases = []
    for name, ct in pipelines.items():
        pipe = Pipeline([("preprocess", ct), ("estimator", Ridge(alpha=1.0))]).fit(xm, ym)
        # numpy input has no column names: scikit-learn calls them x0..x3; use the CSV's.
        names = []
        for n in pipe[:-1].get_feature_names_out():
            i = int(str(n)[1])
            names.append(header[i] + str(n)[2:])
        case = {"name": name, "feature_names_out": names,
                "transformed_head": nulls(np.asarray(pipe[:-1].transform(xm[:5]), dtype=float)),
                "coef": [float(v) for v in pipe[-1].coef_],
                "intercept": float(pipe[-1].intercept_),
                "predictions": [float(v) for v in pipe.predict(xm)],
                "cv_r2": [float(v) for v in cross_val_score(pipe, xm, ym, cv=KFold(5))]}
        if name == "median-standard-onehot":
            case["predict_rows"] = [float(v) for v in pipe.predict(xp)]
        cases.append(case)
    out["pipelines"] = cases
    with open(os.path.join(OUT_DIR, "preprocessing.json"), "w") as f:
        f.write(dump(out) + "\n")


if __name__ == "__main__":
    main()
