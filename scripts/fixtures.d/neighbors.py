#!/usr/bin/env python3
"""Generate scikit-learn reference outputs for mlplay's k-nearest-neighbour estimators.

Writes, relative to the repository root:
  tests/fixtures/neighbors.json    KNeighborsClassifier / KNeighborsRegressor: predictions,
                                   predict_proba, kneighbors distances and indices

Deterministic: iris ships with scikit-learn, every other data set comes from a fixed numpy seed.
Inputs are rounded to 6 significant digits before fitting; outputs are at full precision.
The CLI cases read the committed CSVs tests/fixtures/data/tree_small*.csv and tree_sine_small*.csv
(written by tree.py), so the CLI test can fit the same files.

The data are continuous, so no two training rows lie at the same distance from a query: the script
refuses a case where the k-th and (k+1)-th neighbour distances are within 1e-9 (relative), because
scikit-learn's order among tied neighbours is not specified. Queries may equal training rows (the
CLI cases, the `train-queries` cases): with weights="distance" those take the matching row's target.

Usage: python3 scripts/fixtures.d/neighbors.py (or scripts/fixtures for every family)
"""
import csv
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import load_iris
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear import DATA_DIR, OUT_DIR, dump, r6  # noqa: E402  (shared output helpers)


def floats(a):
    return [float(v) for v in np.ravel(a)]


def rows(a):
    return [floats(r) for r in np.atleast_2d(a)]


def check_no_ties(name, model, x_test, k):
    """The k-th neighbour must be strictly closer than the (k+1)-th, else the order is arbitrary."""
    n = model.n_samples_fit_
    dist, _ = model.kneighbors(x_test, min(k + 1, n))
    for row in dist:
        for a, b in zip(row[:-1], row[1:]):
            if b - a <= 1e-9 * max(b, 1e-300):
                raise SystemExit(f"[neighbors] {name}: tied neighbour distances {a} and {b}")


DATASETS = {}
# kneighbors does not depend on the weights: each (data, k, p) is written once.
SEARCHES = set()


def fit_case(name, kind, params, data, x, y, x_test):
    """Fits one case; the data set is stored once under `data`, however many cases use it."""
    if data in DATASETS:
        assert DATASETS[data] == {"x": rows(x), "y": floats(y), "x_test": rows(x_test)}, data
    DATASETS[data] = {"x": rows(x), "y": floats(y), "x_test": rows(x_test)}
    cls = KNeighborsClassifier if kind == "classifier" else KNeighborsRegressor
    model = cls(**params).fit(x, y)
    k = model.n_neighbors
    check_no_ties(name, model, x_test, k)
    dist, ind = model.kneighbors(x_test, k)
    case = {
        "name": name,
        "kind": kind,
        "params": params,
        "data": data,
        "predictions": floats(model.predict(x_test)),
    }
    if (data, k, model.p) not in SEARCHES:
        SEARCHES.add((data, k, model.p))
        case["distances"] = rows(dist)
        case["indices"] = [[int(v) for v in r] for r in ind]
    if kind == "classifier":
        case["classes"] = floats(model.classes_)
        case["proba"] = rows(model.predict_proba(x_test))
    case["score"] = float(model.score(x, y))
    return case


def jittered_iris():
    iris = load_iris()
    rng = np.random.default_rng(5)
    x = r6(iris.data + rng.normal(scale=0.05, size=iris.data.shape))
    return x, iris.target.astype(float)


def read_csv(path):
    with open(os.path.join(DATA_DIR, path)) as f:
        table = list(csv.reader(f))
    return np.array([[float(v) for v in r] for r in table[1:]])


def classifier_cases():
    cases = []
    # Continuous 3-D data, two and three classes from a noisy rule.
    rng = np.random.default_rng(61)
    x = r6(rng.normal(size=(150, 3)))
    score = x[:, 0] + 0.5 * x[:, 1] ** 2 - x[:, 2] + rng.normal(scale=0.4, size=150)
    binary = (score > 0.3).astype(float)
    three = np.digitize(score, [-0.5, 0.8]).astype(float)
    xtr, xte = x[:120], x[120:]
    for k in (1, 5, 15):
        for weights in ("uniform", "distance"):
            for p in (1, 2):
                params = {"n_neighbors": k, "weights": weights, "p": p}
                cases.append(fit_case(f"gauss-binary-k{k}-{weights}-p{p}", "classifier", params, "gauss-binary",
                                      xtr, binary[:120], xte))
                cases.append(fit_case(f"gauss-three-k{k}-{weights}-p{p}", "classifier", params, "gauss-three",
                                      xtr, three[:120], xte))
    # Labels -1, 4, 9 instead of 0, 1, 2.
    cases.append(fit_case("gauss-three-labels-minus-1-4-9", "classifier", {"n_neighbors": 7}, "gauss-three-relabelled",
                          xtr, three[:120] * 5 - 1, xte))

    # Jittered iris (4-D, three classes); queries include training rows.
    xi, yi = jittered_iris()
    order = np.random.default_rng(7).permutation(150)
    tr, te = order[:120], order[120:]
    for weights in ("uniform", "distance"):
        for p in (1, 2):
            params = {"n_neighbors": 5, "weights": weights, "p": p}
            cases.append(fit_case(f"iris-k5-{weights}-p{p}", "classifier", params, "iris", xi[tr], yi[tr], xi[te]))
            cases.append(fit_case(f"iris-k5-{weights}-p{p}-train-queries", "classifier", params, "iris-train-queries",
                                  xi[tr], yi[tr], xi[tr[:15]]))

    # 12-D data: mlplay takes its matrix-product path from 8 features on.
    rng = np.random.default_rng(67)
    xw = r6(rng.normal(size=(400, 12)))
    yw = (xw[:, :4].sum(axis=1) + rng.normal(scale=0.5, size=400) > 0).astype(float)
    for weights in ("uniform", "distance"):
        cases.append(fit_case(f"wide-k9-{weights}", "classifier", {"n_neighbors": 9, "weights": weights}, "wide-binary",
                              xw[:300], yw[:300], np.vstack([xw[300:], xw[:10]])))

    # The CLI test's files.
    train = read_csv("tree_small.csv")
    cases.append(fit_case("cli-tree-small", "classifier", {"n_neighbors": 5, "weights": "distance"}, "tree-small-csv",
                          train[:, :4], train[:, 4], read_csv("tree_small_predict.csv")))
    return cases


def regressor_cases():
    cases = []
    rng = np.random.default_rng(71)
    x = r6(rng.uniform(-2, 2, size=(140, 2)))
    y = r6(np.sin(2 * x[:, 0]) + 0.5 * x[:, 1] ** 2 + rng.normal(scale=0.2, size=140))
    xtr, ytr, xte = x[:110], y[:110], x[110:]
    for k in (1, 5, 15):
        for weights in ("uniform", "distance"):
            for p in (1, 2):
                params = {"n_neighbors": k, "weights": weights, "p": p}
                cases.append(fit_case(f"wave-k{k}-{weights}-p{p}", "regressor", params, "wave", xtr, ytr, xte))
    cases.append(fit_case("wave-k5-distance-train-queries", "regressor", {"n_neighbors": 5, "weights": "distance"}, "wave-train-queries",
                          xtr, ytr, xtr[:12]))

    rng = np.random.default_rng(73)
    xw = r6(rng.normal(size=(300, 10)))
    yw = r6(xw @ np.linspace(-1, 1, 10) + rng.normal(scale=0.3, size=300))
    for weights in ("uniform", "distance"):
        cases.append(fit_case(f"wide-k6-{weights}", "regressor", {"n_neighbors": 6, "weights": weights}, "wide-linear",
                              xw[:250], yw[:250], np.vstack([xw[250:], xw[:5]])))

    train = read_csv("tree_sine_small.csv")
    cases.append(fit_case("cli-tree-sine-small", "regressor", {"n_neighbors": 3}, "tree-sine-small-csv",
                          train[:, :1], train[:, 1], read_csv("tree_sine_small_predict.csv")))
    return cases


def main():
    cases = classifier_cases() + regressor_cases()
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names))
    doc = {
        "generator": "scripts/fixtures.d/neighbors.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "datasets": DATASETS,
        "k_neighbors": cases,
    }
    text = dump(doc) + "\n"
    json.loads(text)  # sanity check
    with open(os.path.join(OUT_DIR, "neighbors.json"), "w", newline="\n") as f:
        f.write(text)
    print(f"wrote {len(cases)} cases to tests/fixtures/neighbors.json ({len(text)} bytes) "
          f"(sklearn {sklearn.__version__}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
