#!/usr/bin/env python3
"""Generate scikit-learn reference outputs for mlplay's decision trees.

Writes, relative to the repository root:
  tests/fixtures/tree_decision_tree.json          DecisionTreeClassifier / DecisionTreeRegressor fits
  tests/fixtures/data/tree_small.csv              jittered iris (x1..x4, species) for the CLI test
  tests/fixtures/data/tree_small_predict.csv      rows to predict (x1..x4)
  tests/fixtures/data/tree_sine_small.csv         noisy sine (x, y) for the regressor CLI test
  tests/fixtures/data/tree_sine_small_predict.csv rows to predict (x)

Deterministic: iris ships with scikit-learn, every other data set comes from a fixed numpy seed.
Inputs are rounded to 6 significant digits before fitting; outputs are at full precision.

Every case uses max_features=None (every feature tried at every node). scikit-learn still visits
the features in a random order and keeps the first strictly best split, so on an *exact* tie
between two features (iris: petal length <= 2.45 and petal width <= 0.8 both isolate setosa) its
choice depends on random_state, while mlplay tries the columns in order. The script fits each case
with random_state 0..9: `tie_free` says all ten trees are identical. Where they are not, the
partition of the samples must still agree (same node sizes, impurities and values, else the case
is refused), and `tied_nodes` lists the nodes whose feature/threshold varied: the test compares
everything else there, and skips feature importances. scikit-learn fits on float32 copies of x,
so thresholds are midpoints of float32 values: compare them to ~1e-6 relative.

Usage: python3 scripts/fixtures.d/tree.py (or scripts/fixtures for every family)
"""
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear import DATA_DIR, OUT_DIR, dump, r6, write_csv  # noqa: E402  (shared output helpers)

SEEDS = range(10)


def floats(a):
    return [float(v) for v in np.ravel(a)]


def rows(a):
    return [floats(r) for r in np.atleast_2d(a)]


def structure(t):
    """The tree_ arrays (leaves have feature -2, threshold -2 in scikit-learn)."""
    return {
        "children_left": [int(v) for v in t.children_left],
        "children_right": [int(v) for v in t.children_right],
        "feature": [int(v) for v in t.feature],
        "threshold": floats(t.threshold),
        "impurity": floats(t.impurity),
        "n_node_samples": [int(v) for v in t.n_node_samples],
        "value": rows(t.value[:, 0, :]),
    }


def hierarchy(model, x):
    """Every node as the sorted list of training rows that reach it, in node order."""
    paths = model.decision_path(x).tocsc()
    return [sorted(int(r) for r in paths[:, i].indices) for i in range(paths.shape[1])]


def canonical(nodes):
    return sorted(tuple(n) for n in nodes)


def fit_case(name, kind, params, x, y, x_test):
    cls = DecisionTreeClassifier if kind == "classifier" else DecisionTreeRegressor
    models = [cls(**params, random_state=s).fit(x, y) for s in SEEDS]
    model = models[0]
    trees = [structure(m.tree_) for m in models]
    first = trees[0]
    nodes = hierarchy(model, x)
    # Which rows each node holds must not depend on the seed, else the case is not comparable.
    if any(canonical(hierarchy(m, x)) != canonical(nodes) for m in models[1:]):
        print(f"[tree] {name}: which samples a node holds depends on random_state (exact ties); left out",
              file=sys.stderr)
        return None
    tie_free = all(t == first for t in trees[1:])
    predictions = [m.predict(x_test) for m in models]
    case = {
        "name": name,
        "kind": kind,
        "params": params,
        "x": rows(x),
        "y": floats(y),
        "x_test": rows(x_test),
        "tie_free": tie_free,
        "test_stable": all(np.array_equal(p, predictions[0]) for p in predictions[1:]),
        "node_count": int(model.tree_.node_count),
        "max_depth": int(model.get_depth()),
        "n_leaves": int(model.get_n_leaves()),
        "tree": first,
        "node_rows": nodes,
        "feature_importances": floats(model.feature_importances_),
        "apply": [int(v) for v in model.apply(x_test)],
        "predictions": floats(predictions[0]),
        "train_predictions": floats(model.predict(x)),
        "score": float(model.score(x, y)),
    }
    if kind == "classifier":
        case["classes"] = floats(model.classes_)
        case["predict_proba"] = rows(model.predict_proba(x_test))
        case["test_stable"] = case["test_stable"] and all(
            np.array_equal(m.predict_proba(x_test), model.predict_proba(x_test)) for m in models[1:])
    return case


def iris():
    x, y = load_iris(return_X_y=True)
    return r6(x), y.astype(np.float64)


def jittered_iris():
    """Iris plus a little noise: no two values of a column are equal, so there are no exact ties."""
    x, y = iris()
    rng = np.random.default_rng(11)
    return r6(x + rng.normal(scale=0.02, size=x.shape)), y


def split_every(x, y, k):
    test = np.arange(len(y)) % k == 0
    return x[~test], y[~test], x[test]


def classifier_cases():
    cases = []
    x, y = iris()
    xtr, ytr, xte = split_every(x, y, 5)
    cases.append(fit_case("iris-gini-full", "classifier", {}, xtr, ytr, xte))
    cases.append(fit_case("iris-entropy-depth-3", "classifier", {"criterion": "entropy", "max_depth": 3},
                          xtr, ytr, xte))

    xj, yj = jittered_iris()
    xtr, ytr, xte = split_every(xj, yj, 5)
    cases.append(fit_case("jittered-iris-gini-full", "classifier", {}, xtr, ytr, xte))
    # Labels -1, 4, 9 instead of 0, 1, 2.
    cases.append(fit_case("jittered-iris-entropy-full-labels-minus-1-4-9", "classifier", {"criterion": "entropy"},
                          xtr, ytr * 5 - 1, xte))
    cases.append(fit_case("jittered-iris-gini-depth-2", "classifier", {"max_depth": 2}, xtr, ytr, xte))
    cases.append(fit_case("jittered-iris-entropy-split-20", "classifier",
                          {"criterion": "entropy", "min_samples_split": 20}, xtr, ytr, xte))
    cases.append(fit_case("jittered-iris-gini-min-impurity-decrease", "classifier",
                          {"min_impurity_decrease": 0.01}, xtr, ytr, xte))

    # Two noisy moons (the demo's data set), a shallow and a deeper tree.
    rng = np.random.default_rng(23)
    t = rng.uniform(0, np.pi, size=160)
    upper = np.arange(160) < 80
    xm = np.where(upper[:, None], np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    xm = r6(xm + rng.normal(scale=0.25, size=xm.shape))
    ym = np.where(upper, 0.0, 1.0)
    for crit in ("gini", "entropy"):
        cases.append(fit_case(f"moons-{crit}-depth-2", "classifier", {"criterion": crit, "max_depth": 2},
                              xm[:150], ym[:150], xm[150:]))
        cases.append(fit_case(f"moons-{crit}-depth-4", "classifier", {"criterion": crit, "max_depth": 4},
                              xm[:150], ym[:150], xm[150:]))
        cases.append(fit_case(f"moons-{crit}-full", "classifier", {"criterion": crit}, xm[:150], ym[:150],
                              xm[150:]))

    xc, yc, xct = tree_small_data()
    cases.append(fit_case("tree-small-csv", "classifier", {}, xc, yc, xct))
    return cases


def sine(n, seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 6, size=n))
    y = np.sin(x) + rng.normal(scale=0.25, size=n)
    return r6(x[:, None]), r6(y)


def regressor_cases():
    cases = []
    x, y = sine(90, 31)
    xt = r6(np.linspace(0.05, 5.95, 12)[:, None])
    cases.append(fit_case("sine-full", "regressor", {}, x, y, xt))
    cases.append(fit_case("sine-depth-3", "regressor", {"max_depth": 3}, x, y, xt))
    cases.append(fit_case("sine-leaf-8", "regressor", {"min_samples_leaf": 8}, x, y, xt))
    cases.append(fit_case("sine-split-15-depth-5", "regressor", {"min_samples_split": 15, "max_depth": 5}, x, y, xt))

    # Friedman #1-like data in 5-D, two noise columns.
    rng = np.random.default_rng(41)
    xf = r6(rng.uniform(size=(160, 5)))
    yf = r6(10 * np.sin(np.pi * xf[:, 0] * xf[:, 1]) + 20 * (xf[:, 2] - 0.5) ** 2 + 5 * xf[:, 3]
            + rng.normal(size=160))
    cases.append(fit_case("friedman-full", "regressor", {}, xf[:150], yf[:150], xf[150:]))
    cases.append(fit_case("friedman-depth-4-leaf-4", "regressor", {"max_depth": 4, "min_samples_leaf": 4},
                          xf[:150], yf[:150], xf[150:]))
    cases.append(fit_case("friedman-min-impurity-decrease", "regressor", {"min_impurity_decrease": 0.05},
                          xf[:150], yf[:150], xf[150:]))

    xs, ys, xst = sine_small_data()
    cases.append(fit_case("tree-sine-small-csv", "regressor", {"max_depth": 3}, xs, ys, xst))
    return cases


def tree_small_data():
    x, y = jittered_iris()
    return x, y, x[[3, 48, 60, 99, 110, 149]]


def sine_small_data():
    x, y = sine(60, 51)
    return x, y, r6(np.array([[0.5], [1.5], [3.0], [4.5], [5.5]]))


def main():
    os.makedirs(DATA_DIR, exist_ok=True)
    cases = [c for c in classifier_cases() + regressor_cases() if c is not None]
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names))
    doc = {
        "generator": "scripts/fixtures.d/tree.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "decision_tree": cases,
    }
    text = dump(doc) + "\n"
    with open(os.path.join(OUT_DIR, "tree_decision_tree.json"), "w", newline="\n") as f:
        f.write(text)
    x, y, xt = tree_small_data()
    write_csv(os.path.join(DATA_DIR, "tree_small.csv"), ["x1", "x2", "x3", "x4", "species"], np.column_stack([x, y]))
    write_csv(os.path.join(DATA_DIR, "tree_small_predict.csv"), ["x1", "x2", "x3", "x4"], xt)
    x, y, xt = sine_small_data()
    write_csv(os.path.join(DATA_DIR, "tree_sine_small.csv"), ["x", "y"], np.column_stack([x, y]))
    write_csv(os.path.join(DATA_DIR, "tree_sine_small_predict.csv"), ["x"], xt)
    tied = [c["name"] for c in cases if not c["tie_free"]]
    tie_free = [c["name"] for c in cases if c["tie_free"]]
    print(f"wrote {len(cases)} decision-tree cases to tests/fixtures/tree_decision_tree.json ({len(text)} bytes; "
          f"tie-free: {', '.join(tie_free)}; with exact feature ties: {', '.join(tied) or 'none'}) and the tree_*.csv files "
          f"(sklearn {sklearn.__version__}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
