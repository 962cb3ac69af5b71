#!/usr/bin/env python3
"""Generate scikit-learn reference outputs (fixtures) for mlplay's Rust estimator tests.

Writes, relative to the repository root:
  tests/fixtures/linear.json                   LinearRegression / Ridge / SGDRegressor cases
  tests/fixtures/data/ridge_small.csv          small training CSV (x1,x2,x3,y) for the CLI example
  tests/fixtures/data/ridge_small_predict.csv  rows to predict (x1,x2,x3)

Deterministic: every data set comes from a fixed numpy seed, and SGD always runs with
shuffle=False. Inputs are rounded to 6 significant digits *before* fitting, so the numbers in
the JSON are exactly the numbers scikit-learn saw; fitted outputs are written at full precision
(Python float repr). Requires scikit-learn and numpy (pip install scikit-learn numpy).

Usage: python3 scripts/fixtures.d/linear.py (or scripts/fixtures for every family)
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, Ridge, SGDRegressor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures")
DATA_DIR = os.path.join(OUT_DIR, "data")

ESTIMATORS = {
    "linear_regression": LinearRegression,
    "ridge": Ridge,
    "sgd_regressor": SGDRegressor,
}


def r6(a):
    """Round every element to 6 significant digits (via the %.6g decimal string)."""
    a = np.asarray(a, dtype=np.float64)
    return np.vectorize(lambda v: float(f"{v:.6g}"), otypes=[np.float64])(a)


def standardise(x):
    return (x - x.mean(axis=0)) / x.std(axis=0)


def make_problem(seed, n, p, n_test, scales=None, coef=None, intercept=0.0, noise=0.5, standard=False):
    """Random-normal features (optionally scaled per column), linear target plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    x_all = rng.normal(size=(n + n_test, p))
    if scales is not None:
        x_all = x_all * np.asarray(scales)
    if standard:
        x_all = standardise(x_all)
    if coef is None:
        coef = rng.uniform(-3.0, 3.0, size=p)
    y_all = x_all @ np.asarray(coef) + intercept + noise * rng.normal(size=n + n_test)
    x_all, y_all = r6(x_all), r6(y_all)
    return x_all[:n], y_all[:n], x_all[n:]


def fit_case(name, estimator, params, x, y, x_test):
    x, y, x_test = (np.asarray(a, dtype=np.float64) for a in (x, y, x_test))
    assert x.ndim == 2 and x.shape[0] <= 80 and x.shape[1] <= 12, name  # brief: p <= 8, except ridge p > n (12)
    assert 5 <= x_test.shape[0] <= 10, name
    model = ESTIMATORS[estimator](**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    coef = np.ravel(model.coef_)
    intercept = float(np.ravel(np.asarray(model.intercept_, dtype=np.float64))[0]) if np.ndim(
        model.intercept_) else float(model.intercept_)
    case = {
        "name": name,
        "estimator": estimator,
        "params": params,
        "x": x.tolist(),
        "y": y.tolist(),
        "x_test": x_test.tolist(),
        "coef": [float(c) for c in coef],
        "intercept": intercept,
        "predictions": [float(v) for v in model.predict(x_test)],
        "score": float(model.score(x, y)),
    }
    if estimator == "sgd_regressor":
        case["n_iter"] = int(model.n_iter_)
    for key in ("coef", "predictions"):
        assert all(np.isfinite(case[key])), (name, key)
    assert np.isfinite(case["intercept"]) and np.isfinite(case["score"]), name
    return case


def ridge_small_data():
    """The CSV example: 40 training rows, 3 features, plus 5 rows to predict."""
    x, y, x_test = make_problem(seed=2024, n=40, p=3, n_test=5, scales=[1.0, 2.0, 0.5],
                                coef=[1.5, -2.0, 0.75], intercept=3.0, noise=0.3)
    return x, y, x_test


def build_cases():
    cases = []

    # ---- linear_regression -------------------------------------------------------------------
    rng = np.random.default_rng(42)
    x = r6(2.0 * rng.uniform(size=(60 + 6, 1)))
    y = r6(4.0 + 3.0 * x[:, 0] + rng.normal(size=66))
    cases.append(fit_case("linreg-one-feature", "linear_regression", {}, x[:60], y[:60], x[60:]))

    scales = [1.0, 10.0, 0.1, 100.0, 3.0]
    x, y, xt = make_problem(seed=7, n=50, p=5, n_test=8, scales=scales,
                            coef=[2.0, -0.3, 15.0, 0.02, -1.5], intercept=-5.0, noise=0.8)
    cases.append(fit_case("linreg-five-features-scaled", "linear_regression", {}, x, y, xt))
    x, y, xt = make_problem(seed=8, n=50, p=5, n_test=8, scales=scales,
                            coef=[-1.0, 0.5, 8.0, -0.05, 2.5], intercept=2.0, noise=0.8)
    cases.append(fit_case("linreg-five-features-no-intercept", "linear_regression",
                          {"fit_intercept": False}, x, y, xt))

    # Rank-deficient: the 3rd column is exactly twice the 1st (x[:, 2] == 2 * x[:, 0]).
    # scikit-learn returns the minimum-norm least-squares solution (scipy lstsq) on centred data.
    rng = np.random.default_rng(11)
    xa = r6(rng.normal(size=(40 + 6, 4)))
    xa[:, 2] = 2.0 * xa[:, 0]
    ya = r6(xa @ np.array([1.0, -2.0, 0.5, 3.0]) + 1.0 + 0.3 * rng.normal(size=46))
    cases.append(fit_case("linreg-rank-deficient", "linear_regression", {}, xa[:40], ya[:40], xa[40:]))

    # p > n: 6 rows, 8 features -> interpolating minimum-norm solution (on centred data).
    x, y, xt = make_problem(seed=13, n=6, p=8, n_test=5, intercept=0.5, noise=0.1)
    cases.append(fit_case("linreg-p-greater-than-n", "linear_regression", {}, x, y, xt))

    # ---- ridge ---------------------------------------------------------------------------------
    x, y, xt = make_problem(seed=21, n=60, p=5, n_test=8, scales=[1.0, 5.0, 0.5, 2.0, 1.0],
                            coef=[1.0, -0.4, 3.0, 0.8, -2.0], intercept=4.0, noise=1.0)
    for alpha, tag in ((0.1, "0-1"), (1.0, "1"), (10.0, "10")):
        cases.append(fit_case(f"ridge-alpha-{tag}", "ridge", {"alpha": alpha}, x, y, xt))
    x, y, xt = make_problem(seed=22, n=60, p=5, n_test=8, scales=[2.0, 1.0, 0.5, 3.0, 1.0],
                            coef=[0.7, 2.2, -3.0, 0.4, 1.1], intercept=1.5, noise=1.0)
    cases.append(fit_case("ridge-alpha-1-no-intercept", "ridge",
                          {"alpha": 1.0, "fit_intercept": False}, x, y, xt))
    x, y, xt = make_problem(seed=23, n=10, p=12, n_test=6, intercept=-1.0, noise=0.2)
    cases.append(fit_case("ridge-alpha-0-5-p-greater-than-n", "ridge", {"alpha": 0.5}, x, y, xt))
    x, y, xt = ridge_small_data()
    cases.append(fit_case("ridge-small-csv", "ridge", {"alpha": 1.0}, x, y, xt))

    # ---- sgd_regressor (always shuffle=False; standardised features) ---------------------------
    def sgd_data(seed, n, p):
        return make_problem(seed=seed, n=n, p=p, n_test=6, intercept=2.0, noise=0.5, standard=True,
                            coef=np.random.default_rng(seed + 1000).uniform(-2.0, 2.0, size=p))

    base = {"shuffle": False, "random_state": 0}
    sgd_specs = [
        ("sgd-defaults", 31, 60, 3, {}),
        ("sgd-constant-eta0-0-005-20-iter", 32, 50, 4,
         {"learning_rate": "constant", "eta0": 0.005, "tol": None, "max_iter": 20}),
        ("sgd-no-penalty-constant-50-iter", 33, 70, 3,
         {"penalty": None, "learning_rate": "constant", "eta0": 0.01, "max_iter": 50, "tol": None}),
        ("sgd-l1-alpha-0-01", 34, 80, 4, {"penalty": "l1", "alpha": 0.01}),
        ("sgd-elasticnet-alpha-0-01", 35, 60, 4,
         {"penalty": "elasticnet", "alpha": 0.01, "l1_ratio": 0.5}),
        ("sgd-optimal-alpha-0-01-30-iter", 36, 50, 3,
         {"learning_rate": "optimal", "alpha": 0.01, "max_iter": 30, "tol": None}),
        ("sgd-adaptive-eta0-0-05", 37, 60, 3, {"learning_rate": "adaptive", "eta0": 0.05}),
    ]
    for name, seed, n, p, extra in sgd_specs:
        x, y, xt = sgd_data(seed, n, p)
        params = dict(base)
        params.update(extra)
        cases.append(fit_case(name, "sgd_regressor", params, x, y, xt))

    names = [c["name"] for c in cases]
    assert len(names) == len(set(names))
    return cases


# ---- output ----------------------------------------------------------------------------------
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


def write_csv(path, header, rows):
    with open(path, "w", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(f"{float(v):.6g}" for v in row) + "\n")


def main():
    os.makedirs(DATA_DIR, exist_ok=True)
    doc = {
        "generator": "scripts/fixtures",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "cases": build_cases(),
    }
    text = dump(doc) + "\n"
    json.loads(text)  # sanity check
    with open(os.path.join(OUT_DIR, "linear.json"), "w", newline="\n") as f:
        f.write(text)

    x, y, xt = ridge_small_data()
    write_csv(os.path.join(DATA_DIR, "ridge_small.csv"), ["x1", "x2", "x3", "y"],
              np.column_stack([x, y]))
    write_csv(os.path.join(DATA_DIR, "ridge_small_predict.csv"), ["x1", "x2", "x3"], xt)
    print(f"wrote {len(doc['cases'])} cases to tests/fixtures/linear.json ({len(text)} bytes), "
          f"tests/fixtures/data/ridge_small.csv, tests/fixtures/data/ridge_small_predict.csv "
          f"(sklearn {sklearn.__version__}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
