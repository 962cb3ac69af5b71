#!/usr/bin/env python3
"""Generate scikit-learn reference outputs for mlplay's support vector machines.

Writes, relative to the repository root:
  tests/fixtures/svm.json                  SVC (binary and 3 classes) and SVR fits
  tests/fixtures/data/svm_small.csv        two interleaved moons (x1, x2, label) for the CLI test
  tests/fixtures/data/svm_small_predict.csv rows to predict (x1, x2)
The `cli` entries are fits of those CSVs (and of tree.py's tree_sine_small.csv for SVR) at
tol 1e-10, which `tests/cli_svm.rs` compares with `mlplay fit svc|svr`.

Each case records the resolved gamma, support_ (training rows), n_support_, dual_coef_,
intercept_, n_iter_, and on held-out rows the decision function (decision_function_shape="ovo",
so one column per pair of classes, as mlplay returns) and predictions. libsvm stops when the
maximal KKT violation is below tol (1e-3) and shrinks its active set on the way, so a solver
without shrinking stops at a slightly different point: at tol 1e-3 scikit-learn's own decision
values are up to ~1.1e-3 of their spread away from the optimum here. Each case is therefore also
fitted at tol 1e-10 (the `tight` entry: the optimum to ~1e-9), which mlplay must match closely.

Deterministic: fixed numpy seeds; inputs rounded to 6 significant digits before fitting.
Usage: python3 scripts/fixtures.d/svm.py (or scripts/fixtures for every family)
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import make_blobs, make_moons
from sklearn.svm import SVC, SVR

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear import DATA_DIR, OUT_DIR, dump, r6, write_csv  # noqa: E402  (shared output helpers)


TIGHT = 1e-10


def floats(a):
    return [float(v) for v in np.ravel(a)]


def rows(a):
    return [floats(r) for r in np.atleast_2d(a)]


def moons(seed, n, n_test, noise=0.2):
    x, y = make_moons(n + n_test, noise=noise, random_state=seed)
    x = r6(x)
    return x[:n], y[:n].astype(float), x[n:], y[n:].astype(float)


def blobs3(seed, n, n_test):
    x, y = make_blobs(n + n_test, centers=3, n_features=2, cluster_std=1.8, random_state=seed)
    x = r6(x)
    return x[:n], y[:n].astype(float), x[n:], y[n:].astype(float)


def sine(seed, n, n_test):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, size=(n + n_test, 1))
    y = np.sin(x[:, 0]) + 0.2 * rng.normal(size=n + n_test)
    x, y = r6(x), r6(y)
    return x[:n], y[:n], x[n:]


def svc_case(name, params, x, y, x_test):
    m = SVC(**params, decision_function_shape="ovo").fit(x, y)
    dec = m.decision_function(x_test)
    t = SVC(**params, tol=TIGHT, decision_function_shape="ovo").fit(x, y)
    return {
        "name": name,
        "params": params,
        "x": rows(x),
        "y": floats(y),
        "x_test": rows(x_test),
        "gamma": float(m._gamma),
        "classes": floats(m.classes_),
        "support": [int(v) for v in m.support_],
        "n_support": [int(v) for v in m.n_support_],
        "dual_coef": rows(m.dual_coef_),
        "intercept": floats(m.intercept_),
        "n_iter": [int(v) for v in np.ravel(m.n_iter_)],
        "decision": rows(dec.reshape(len(x_test), -1)),
        "predict": floats(m.predict(x_test)),
        "train_predict": floats(m.predict(x)),
        "tight": {
            "support": [int(v) for v in t.support_],
            "dual_coef": rows(t.dual_coef_),
            "intercept": floats(t.intercept_),
            "decision": rows(t.decision_function(x_test).reshape(len(x_test), -1)),
        },
    }


def svr_case(name, params, x, y, x_test):
    m = SVR(**params).fit(x, y)
    t = SVR(**params, tol=TIGHT).fit(x, y)
    return {
        "name": name,
        "params": params,
        "x": rows(x),
        "y": floats(y),
        "x_test": rows(x_test),
        "gamma": float(m._gamma),
        "support": [int(v) for v in m.support_],
        "dual_coef": floats(m.dual_coef_),
        "intercept": float(m.intercept_[0]),
        "n_iter": int(np.ravel(m.n_iter_)[0]),
        "predict": floats(m.predict(x_test)),
        "tight": {
            "support": [int(v) for v in t.support_],
            "dual_coef": floats(t.dual_coef_),
            "intercept": float(t.intercept_[0]),
            "predict": floats(t.predict(x_test)),
        },
    }


def build():
    svc = []
    x, y, xt, _ = moons(0, 80, 40)
    for c in [0.1, 1.0, 10.0]:
        svc.append(svc_case(f"moons rbf C={c}", {"C": c}, x, y, xt))
    svc.append(svc_case("moons rbf gamma=5", {"C": 1.0, "gamma": 5.0}, x, y, xt))
    svc.append(svc_case("moons rbf gamma=auto", {"C": 3.0, "gamma": "auto"}, x, y, xt))
    svc.append(svc_case("moons linear C=1", {"kernel": "linear", "C": 1.0}, x, y, xt))
    svc.append(svc_case("moons linear C=0.05", {"kernel": "linear", "C": 0.05}, x, y, xt))
    svc.append(svc_case("moons poly 3", {"kernel": "poly", "C": 1.0, "coef0": 1.0}, x, y, xt))
    svc.append(svc_case("moons poly 2 gamma=0.5", {"kernel": "poly", "degree": 2, "gamma": 0.5, "C": 5.0}, x, y, xt))
    x3, y3, xt3, _ = blobs3(1, 90, 30)
    svc.append(svc_case("blobs3 rbf", {"C": 1.0}, x3, y3, xt3))
    svc.append(svc_case("blobs3 linear C=0.1", {"kernel": "linear", "C": 0.1}, x3, y3, xt3))
    svc.append(svc_case("blobs3 poly C=10", {"kernel": "poly", "C": 10.0, "degree": 2, "coef0": 1.0}, x3, y3, xt3))
    # Labels that are not 0..k-1, and a class order different from the row order.
    svc.append(svc_case("blobs3 relabelled rbf gamma=0.3", {"C": 2.0, "gamma": 0.3}, x3, 7.0 - 2.0 * y3, xt3))

    svr = []
    xs, ys, xst = sine(2, 60, 30)
    svr.append(svr_case("sine rbf", {}, xs, ys, xst))
    svr.append(svr_case("sine rbf C=10 eps=0.05", {"C": 10.0, "epsilon": 0.05}, xs, ys, xst))
    svr.append(svr_case("sine rbf gamma=3 eps=0.3", {"gamma": 3.0, "epsilon": 0.3}, xs, ys, xst))
    svr.append(svr_case("sine linear", {"kernel": "linear", "C": 0.5}, xs, ys, xst))
    svr.append(svr_case("sine poly", {"kernel": "poly", "degree": 3, "coef0": 1.0, "C": 2.0}, xs, ys, xst))
    return svc, svr


def read_csv(name):
    return np.loadtxt(os.path.join(DATA_DIR, name), delimiter=",", skiprows=1, ndmin=2)


def cli_cases():
    """Fits of the CSV files the CLI test reads, as the CLI reads them."""
    train, test = read_csv("svm_small.csv"), read_csv("svm_small_predict.csv")
    params = {"C": 2.0, "gamma": 0.8, "tol": TIGHT}
    c = SVC(**params).fit(train[:, :2], train[:, 2])
    sine, sine_test = read_csv("tree_sine_small.csv"), read_csv("tree_sine_small_predict.csv")
    r = SVR(C=3.0, epsilon=0.2, tol=TIGHT).fit(sine[:, :1], sine[:, 1])
    return {
        "svc": {
            "params": params,
            "support": [int(v) for v in c.support_],
            "dual_coef": rows(c.dual_coef_),
            "intercept": floats(c.intercept_),
            "decision": floats(c.decision_function(test)),
            "predict": floats(c.predict(test)),
            "score": float(c.score(train[:, :2], train[:, 2])),
        },
        "svr": {
            "params": {"C": 3.0, "epsilon": 0.2, "tol": TIGHT},
            "gamma": float(r._gamma),
            "support": [int(v) for v in r.support_],
            "dual_coef": floats(r.dual_coef_),
            "intercept": float(r.intercept_[0]),
            "predict": floats(r.predict(sine_test)),
        },
    }


def main():
    os.makedirs(DATA_DIR, exist_ok=True)
    svc, svr = build()
    x, y, xt, _ = moons(5, 60, 10)
    write_csv(os.path.join(DATA_DIR, "svm_small.csv"), ["x1", "x2", "label"], np.column_stack([x, y]))
    write_csv(os.path.join(DATA_DIR, "svm_small_predict.csv"), ["x1", "x2"], xt)
    doc = {
        "generator": "scripts/fixtures.d/svm.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "svc": svc,
        "svr": svr,
        "cli": cli_cases(),
    }
    text = dump(doc) + "\n"
    json.loads(text)
    with open(os.path.join(OUT_DIR, "svm.json"), "w", newline="\n") as f:
        f.write(text)
    print(f"wrote {len(svc)} SVC and {len(svr)} SVR cases to tests/fixtures/svm.json ({len(text)} bytes), "
          f"tests/fixtures/data/svm_small.csv, svm_small_predict.csv (sklearn {sklearn.__version__})")


if __name__ == "__main__":
    main()
