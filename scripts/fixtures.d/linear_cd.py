#!/usr/bin/env python3
"""Reference fits for mlplay's coordinate-descent linear models (Lasso, ElasticNet, their paths)
and LinearSVC, written to tests/fixtures/linear_cd.json.

Same conventions as linear.py: fixed numpy seeds, inputs rounded to 6 significant digits before
fitting (the JSON inputs are exactly what scikit-learn saw), outputs at full precision.

- "fit" cases: Lasso / ElasticNet with the constructor `params` given; coef_, intercept_, n_iter_,
  dual_gap_ and predictions on x_test. Features are correlated (corr 0.5^|i-j|), so the L1 penalty
  has to choose between them.
- "linear_svc" cases: LinearSVC at tol 1e-10 (its optimum is unique, so any solver that converges
  lands on it): classes_, coef_ (one row, or one per class for one-vs-rest), intercept_,
  decision_function and predictions on x_test. The "csv" case reads tests/fixtures/data/svm_small*.csv.
- "sgd_classifier" cases: SGDClassifier with shuffle=False (so the sample order is fixed and the
  run is deterministic): classes_, coef_, intercept_, n_iter_, decision_function, predictions.
  Features are standardised.
- "sgd_early_stopping" cases: SGDRegressor / SGDClassifier with early_stopping=True and
  shuffle=False, no penalty (scikit-learn scores the validation rows with the weight vector before
  its L2 scale factor is applied, so only unpenalised runs give the model's own score). `validation`
  is the held-out mask scikit-learn draws for this data and seed (`_make_validation_split`);
  `validation_scores` are the scores its stopping rule read after each epoch (R² for the
  regressor; for the classifier one list per binary problem, accuracy on that problem's ±1
  targets), recorded by wrapping its validation callback. Also coef_, intercept_, n_iter_.
- "path" cases: sklearn.linear_model.enet_path on the data as given (no intercept, as
  scikit-learn's path functions do), with the alphas, coefs (one row per alpha), dual gaps and
  n_iters.

Usage: python3 scripts/fixtures.d/linear_cd.py
"""
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso, SGDClassifier, SGDRegressor, enet_path
from sklearn.linear_model import _stochastic_gradient
from sklearn.svm import LinearSVC

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear import OUT_DIR, dump, r6, ridge_small_data  # noqa: E402  (shared output helpers)


def floats(a):
    return [float(v) for v in np.ravel(a)]


def correlated(seed, n, p, n_test, coef, intercept=0.0, noise=1.0, scales=None):
    """Features with corr(x_i, x_j) = 0.5^|i-j| (Tibshirani's lasso example), linear target."""
    rng = np.random.default_rng(seed)
    cov = 0.5 ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    x = rng.normal(size=(n + n_test, p)) @ np.linalg.cholesky(cov).T
    if scales is not None:
        x = x * np.asarray(scales)
    y = x @ np.asarray(coef, dtype=float) + intercept + noise * rng.normal(size=n + n_test)
    x, y = r6(x), r6(y)
    return x[:n], y[:n], x[n:]


ESTIMATORS = {"lasso": Lasso, "elastic_net": ElasticNet}


DATASETS = {}


def dataset(name, x, y, x_test=None):
    """Each data set is written once, under `datasets`; cases name it in `data`."""
    DATASETS[name] = {"x": x.tolist(), "y": y.tolist()}
    if x_test is not None:
        DATASETS[name]["x_test"] = x_test.tolist()
    return name, x, y, x_test


def fit_case(name, estimator, params, data):
    data_name, x, y, x_test = data
    model = ESTIMATORS[estimator](**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    return {
        "name": name,
        "kind": "fit",
        "estimator": estimator,
        "params": params,
        "data": data_name,
        "coef": floats(model.coef_),
        "intercept": float(model.intercept_),
        "n_iter": int(model.n_iter_),
        "dual_gap": float(model.dual_gap_),
        "predictions": floats(model.predict(x_test)),
    }


def path_case(name, params, data):
    data_name, x, y, _ = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        kw = dict(params)
        kw["alphas"] = kw.pop("n_alphas")  # scikit-learn 1.9 takes the grid size as `alphas`
        alphas, coefs, gaps, iters = enet_path(x, y, return_n_iter=True, **kw)
    return {
        "name": name,
        "kind": "path",
        "estimator": "enet_path",
        "params": params,
        "data": data_name,
        "alphas": floats(alphas),
        "coefs": [floats(c) for c in coefs.T],
        "dual_gaps": floats(gaps),
        "n_iters": [int(i) for i in iters],
    }


def svc_case(name, params, data):
    data_name, x, y, x_test = data
    model = LinearSVC(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # every reference fit must converge
        model.fit(x, y)
    return {
        "name": name,
        "kind": "linear_svc",
        "estimator": "linear_svc",
        "params": params,
        "data": data_name,
        "classes": floats(model.classes_),
        "coef": [floats(r) for r in np.atleast_2d(model.coef_)],
        "intercept": floats(model.intercept_),
        "decision_function": [floats(r) for r in np.atleast_2d(
            model.decision_function(x_test).reshape(len(x_test), -1))],
        "predictions": floats(model.predict(x_test)),
    }


def read_csv(name):
    a = np.loadtxt(os.path.join(OUT_DIR, "data", name), delimiter=",", skiprows=1)
    return a


def linear_svc_cases():
    rng = np.random.default_rng(5)
    centres = np.array([[0.0, 0.0, 0.0, 0.0], [1.5, 1.0, -0.5, 0.0], [-1.0, 1.5, 0.5, 1.0]])
    labels = rng.integers(0, 3, size=90 + 8)
    x = r6(centres[labels] + rng.normal(size=(98, 4)) * np.array([1.0, 2.0, 0.5, 1.0]))
    y = labels.astype(float)
    d3 = dataset("blobs-3-classes", x[:90], y[:90], x[90:])
    two = labels < 2
    xb, yb = x[two], y[two]
    d2 = dataset("blobs-2-classes", xb[:-6], yb[:-6], xb[-6:])
    tight = {"tol": 1e-10, "max_iter": 100000}
    cases = [
        svc_case("linear-svc-binary-defaults-tight", dict(tight), d2),
        svc_case("linear-svc-binary-c-0-1-tight", dict(tight, C=0.1), d2),
        svc_case("linear-svc-binary-hinge-tight", dict(tight, loss="hinge", dual=True,
                                                         max_iter=1000000), d2),
        svc_case("linear-svc-binary-no-intercept-tight", dict(tight, fit_intercept=False), d2),
        svc_case("linear-svc-binary-intercept-scaling-5-tight", dict(tight, intercept_scaling=5.0),
                 d2),
        svc_case("linear-svc-3-classes-tight", dict(tight), d3),
        svc_case("linear-svc-3-classes-c-10-tight", dict(tight, C=10.0), d3),
    ]
    train, test = read_csv("svm_small.csv"), read_csv("svm_small_predict.csv")
    dcsv = dataset("svm-small-csv", train[:, :2], train[:, 2], test)
    cases.append(svc_case("linear-svc-svm-small-csv", dict(tight), dcsv))
    return cases


def sgd_case(name, params, data):
    data_name, x, y, x_test = data
    model = SGDClassifier(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    return {
        "name": name,
        "kind": "sgd_classifier",
        "estimator": "sgd_classifier",
        "params": params,
        "data": data_name,
        "classes": floats(model.classes_),
        "coef": [floats(r) for r in np.atleast_2d(model.coef_)],
        "intercept": floats(model.intercept_),
        "n_iter": int(model.n_iter_),
        "decision_function": [floats(r) for r in np.atleast_2d(
            model.decision_function(x_test).reshape(len(x_test), -1))],
        "predictions": floats(model.predict(x_test)),
    }


def sgd_classifier_cases():
    rng = np.random.default_rng(9)
    centres = np.array([[0.0, 0.0, 0.0], [1.5, 1.0, -0.5], [-1.0, 1.5, 0.5]])
    labels = rng.integers(0, 3, size=80 + 6)
    x = centres[labels] + rng.normal(size=(86, 3))
    x = r6((x - x.mean(axis=0)) / x.std(axis=0))
    y = labels.astype(float)
    d3 = dataset("sgd-3-classes", x[:80], y[:80], x[80:])
    two = labels < 2
    d2 = dataset("sgd-2-classes", x[two][:-6], y[two][:-6], x[two][-6:])
    base = {"shuffle": False, "random_state": 0}
    specs = [
        ("sgd-clf-hinge-defaults", {}, d2),
        ("sgd-clf-log-loss", {"loss": "log_loss"}, d2),
        ("sgd-clf-hinge-alpha-0-01", {"alpha": 0.01}, d2),
        ("sgd-clf-log-loss-constant-eta0-0-05-15-iter",
         {"loss": "log_loss", "learning_rate": "constant", "eta0": 0.05, "max_iter": 15,
          "tol": None}, d2),
        ("sgd-clf-hinge-no-penalty-invscaling",
         {"penalty": None, "learning_rate": "invscaling", "eta0": 0.1}, d2),
        ("sgd-clf-hinge-3-classes", {}, d3),
        ("sgd-clf-log-loss-3-classes-alpha-0-001", {"loss": "log_loss", "alpha": 0.001}, d3),
        ("sgd-clf-hinge-adaptive", {"learning_rate": "adaptive", "eta0": 0.1}, d2),
    ]
    train, test = read_csv("svm_small.csv"), read_csv("svm_small_predict.csv")
    specs.append(("sgd-clf-svm-small-csv", {}, ("svm-small-csv", train[:, :2], train[:, 2], test)))
    return [sgd_case(name, dict(base, **extra), d) for name, extra, d in specs]


def sgd_early_stopping_case(name, estimator, params, data_name):
    d = DATASETS[data_name]
    x, y = np.asarray(d["x"]), np.asarray(d["y"])
    model = {"sgd_regressor": SGDRegressor, "sgd_classifier": SGDClassifier}[estimator](**params)
    mask = model._make_validation_split(y, sample_mask=np.ones(len(y), dtype=bool))
    scores = {}
    callback = _stochastic_gradient._ValidationScoreCallback
    original = callback.__call__

    def recording(self, coef, intercept):
        score = original(self, coef, intercept)
        scores.setdefault(id(self), []).append(float(score))
        return score

    callback.__call__ = recording
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, y)
    finally:
        callback.__call__ = original
    runs = list(scores.values())  # one callback per binary problem, in fitting order
    assert max(len(r) for r in runs) == model.n_iter_, name
    return {
        "name": name,
        "kind": "sgd_early_stopping",
        "estimator": estimator,
        "params": params,
        "data": data_name,
        "validation": [int(i) for i in np.flatnonzero(mask)],
        "coef": floats(model.coef_),
        "intercept": floats(model.intercept_),
        "n_iter": int(model.n_iter_),
        "validation_scores": runs[0] if estimator == "sgd_regressor" else runs,
    }


def sgd_early_stopping_cases():
    base = {"early_stopping": True, "shuffle": False, "random_state": 0, "penalty": None}
    specs = [
        ("sgd-reg-early-stopping-constant", "sgd_regressor",
         {"learning_rate": "constant", "eta0": 0.01, "validation_fraction": 0.2}, "sparse-6"),
        ("sgd-reg-early-stopping-invscaling-patience-3", "sgd_regressor",
         {"eta0": 0.02, "validation_fraction": 0.25, "n_iter_no_change": 3, "tol": 1e-4},
         "sparse-6"),
        ("sgd-clf-early-stopping-hinge", "sgd_classifier",
         {"validation_fraction": 0.2}, "sgd-2-classes"),
        ("sgd-clf-early-stopping-hinge-3-classes-constant", "sgd_classifier",
         {"learning_rate": "constant", "eta0": 0.01, "validation_fraction": 0.25,
          "n_iter_no_change": 3}, "sgd-3-classes"),
    ]
    return [sgd_early_stopping_case(name, est, dict(base, **extra), d)
            for name, est, extra, d in specs]


def build_cases():
    cases = []
    sparse = [3.0, 1.5, 0.0, 0.0, 2.0, 0.0]
    d1 = dataset("sparse-6", *correlated(1, 40, 6, 6, sparse, intercept=2.0, noise=1.5))
    for alpha, tag in ((0.01, "0-01"), (0.1, "0-1"), (0.5, "0-5"), (2.0, "2")):
        cases.append(fit_case(f"lasso-alpha-{tag}-tight", "lasso", {"alpha": alpha, "tol": 1e-10},
                              d1))
    # Default tol: the stopping rule decides n_iter, so the gap check must be the same.
    cases.append(fit_case("lasso-alpha-0-1-default-tol", "lasso", {"alpha": 0.1}, d1))
    cases.append(fit_case("enet-default-params", "elastic_net", {}, d1))
    for ratio, tag in ((0.2, "0-2"), (0.5, "0-5"), (0.8, "0-8")):
        cases.append(fit_case(f"enet-alpha-0-2-l1-ratio-{tag}-tight", "elastic_net",
                              {"alpha": 0.2, "l1_ratio": ratio, "tol": 1e-10}, d1))
    cases.append(fit_case("enet-l1-ratio-0-ridge-tight", "elastic_net",
                          {"alpha": 0.3, "l1_ratio": 0.0, "tol": 1e-10}, d1))

    mixed = [2.0, -1.5, 0.0, 1.0, 0.0, -0.5, 0.0, 0.0]
    d2 = dataset("scaled-8", *correlated(2, 50, 8, 6, mixed, intercept=-1.0, noise=1.0,
                                         scales=[1.0, 3.0, 0.5, 2.0, 1.0, 0.3, 1.0, 5.0]))
    cases.append(fit_case("lasso-positive-tight", "lasso",
                          {"alpha": 0.05, "positive": True, "tol": 1e-10}, d2))
    cases.append(fit_case("enet-positive-default-tol", "elastic_net",
                          {"alpha": 0.1, "l1_ratio": 0.7, "positive": True}, d2))
    cases.append(fit_case("lasso-no-intercept-tight", "lasso",
                          {"alpha": 0.05, "fit_intercept": False, "tol": 1e-10}, d2))
    cases.append(fit_case("enet-no-intercept-default-tol", "elastic_net",
                          {"alpha": 0.05, "l1_ratio": 0.3, "fit_intercept": False}, d2))
    # Hits max_iter: a tiny alpha on correlated, badly scaled columns converges slowly.
    cases.append(fit_case("lasso-max-iter-5", "lasso",
                          {"alpha": 1e-4, "max_iter": 5, "tol": 1e-12}, d2))
    cases.append(fit_case("enet-max-iter-3", "elastic_net",
                          {"alpha": 1e-3, "l1_ratio": 0.9, "max_iter": 3, "tol": 1e-12}, d2))

    # The CLI example: tests/fixtures/data/ridge_small.csv (linear.py writes it), x1..x3 and y.
    d4 = dataset("ridge-small-csv", *ridge_small_data())
    cases.append(fit_case("lasso-ridge-small-csv", "lasso", {"alpha": 0.1, "tol": 1e-10}, d4))
    cases.append(fit_case("enet-ridge-small-csv", "elastic_net",
                          {"alpha": 0.1, "l1_ratio": 0.5, "tol": 1e-10}, d4))

    # Paths, on the data as given (scikit-learn's path functions fit no intercept).
    x3, y3, _ = correlated(3, 30, 5, 0, [2.0, 0.0, -1.0, 0.0, 0.5], noise=0.5)
    d3 = dataset("path-5", x3, y3)
    cases.append(path_case("lasso-path-10", {"l1_ratio": 1.0, "n_alphas": 10, "tol": 1e-10},
                           d3))
    cases.append(path_case("enet-path-l1-ratio-0-5-default-tol",
                           {"l1_ratio": 0.5, "n_alphas": 8, "eps": 1e-2}, d3))
    cases.append(path_case("lasso-path-positive", {"l1_ratio": 1.0, "n_alphas": 6,
                                                   "positive": True, "tol": 1e-10}, d3))
    cases.extend(linear_svc_cases())
    cases.extend(sgd_classifier_cases())
    cases.extend(sgd_early_stopping_cases())
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names))
    return cases


def main():
    doc = {
        "generator": "scripts/fixtures.d/linear_cd.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "cases": build_cases(),
        "datasets": DATASETS,
    }
    text = dump(doc) + "\n"
    json.loads(text)
    with open(os.path.join(OUT_DIR, "linear_cd.json"), "w", newline="\n") as f:
        f.write(text)
    print(f"wrote {len(doc['cases'])} cases to tests/fixtures/linear_cd.json ({len(text)} bytes)")


if __name__ == "__main__":
    main()
