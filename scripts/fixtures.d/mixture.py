#!/usr/bin/env python3
"""Generate scikit-learn reference outputs for mlplay's GaussianMixture.

Writes, relative to the repository root:
  tests/fixtures/mixture.json   GaussianMixture cases (data, parameters, fitted attributes)

Deterministic: data from fixed numpy seeds, rounded to 6 significant digits *before* fitting so
the JSON inputs are exactly what scikit-learn saw; outputs at full precision. The "explicit"
cases pass weights_init, means_init and precisions_init (also rounded), so no random draw is
involved and every EM iteration of mlplay must follow the same path. The "kmeans" case uses the
default k-means initialisation, whose random draws can't be replayed in Rust: it is compared up
to a permutation of the components. Requires scikit-learn and numpy.

Usage: python3 scripts/fixtures.d/mixture.py (or scripts/fixtures for every family)
"""
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear import OUT_DIR, dump, r6  # noqa: E402  (shared output helpers)


def floats(a):
    return [float(v) for v in np.ravel(a)]


def nested(a):
    a = np.asarray(a)
    if a.ndim == 1:
        return floats(a)
    return [nested(row) for row in a]


def elongated_blobs(seed, n, p=2):
    """Rotated, stretched Gaussian blobs of different sizes and weights: the covariance type matters."""
    rng = np.random.default_rng(seed)
    sizes = [int(n * 0.5), int(n * 0.3)]
    sizes.append(n - sum(sizes))
    centres = rng.uniform(-6.0, 6.0, size=(3, p))
    parts = []
    for size, centre, scale in zip(sizes, centres, [2.0, 1.0, 0.5]):
        q, _ = np.linalg.qr(rng.normal(size=(p, p)))
        stretch = scale * np.linspace(1.0, 0.25, p)
        parts.append(rng.normal(size=(size, p)) * stretch @ q.T + centre)
    x = np.vstack(parts)
    return r6(x[rng.permutation(n)])


def explicit_init(x, k, covariance_type, seed):
    """Starting values that are deliberately off: means at random rows, equal weights, unit-ish precisions."""
    rng = np.random.default_rng(seed)
    n, p = x.shape
    means = x[rng.choice(n, size=k, replace=False)]
    weights = np.full(k, 1.0 / k)
    weights[0] += 0.1
    weights[-1] -= 0.1
    scales = r6(rng.uniform(0.2, 1.5, size=k))
    if covariance_type == "full":
        precisions = []
        for s in scales:
            a = r6(rng.normal(size=(p, p)) * 0.2)
            m = s * np.eye(p) + a @ a.T
            precisions.append(r6((m + m.T) / 2.0))
        precisions = np.array(precisions)
    elif covariance_type == "tied":
        a = r6(rng.normal(size=(p, p)) * 0.2)
        m = scales[0] * np.eye(p) + a @ a.T
        precisions = r6((m + m.T) / 2.0)
    elif covariance_type == "diag":
        precisions = r6(rng.uniform(0.2, 1.5, size=(k, p)))
    else:
        precisions = scales
    # Weights rounded so they still sum to 1 exactly enough for scikit-learn's check.
    return weights, means, precisions


def describe(model, x, x_test):
    return {
        "weights": floats(model.weights_),
        "means": nested(model.means_),
        "covariances": nested(model.covariances_),
        "precisions_cholesky": nested(model.precisions_cholesky_),
        "lower_bound": float(model.lower_bound_),
        "lower_bounds": floats(model.lower_bounds_),
        "n_iter": int(model.n_iter_),
        "converged": bool(model.converged_),
        "labels": [int(v) for v in model.predict(x)],
        "score_samples": floats(model.score_samples(x_test)),
        "predict_proba": nested(model.predict_proba(x_test)),
        "predict": [int(v) for v in model.predict(x_test)],
        "score": float(model.score(x)),
        "bic": float(model.bic(x)),
        "aic": float(model.aic(x)),
    }


def explicit_case(name, x, x_test, k, covariance_type, seed, **extra):
    weights, means, precisions = explicit_init(x, k, covariance_type, seed)
    params = {"n_components": k, "covariance_type": covariance_type, **extra,
              "weights_init": floats(weights), "means_init": nested(means),
              "precisions_init": nested(precisions)}
    model = GaussianMixture(n_components=k, covariance_type=covariance_type, weights_init=weights,
                            means_init=means, precisions_init=precisions, **extra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x)
    return {"name": name, "kind": "explicit", "params": params, "x": nested(x),
            "x_test": nested(x_test), **describe(model, x, x_test)}


def kmeans_case(name, x, x_test, k, covariance_type):
    params = {"n_components": k, "covariance_type": covariance_type}
    model = GaussianMixture(n_components=k, covariance_type=covariance_type, random_state=0).fit(x)
    return {"name": name, "kind": "kmeans", "params": params, "x": nested(x),
            "x_test": nested(x_test), **describe(model, x, x_test)}


def build_cases():
    cases = []
    x = elongated_blobs(1, 240 + 8)
    x, x_test = x[:240], x[240:]
    for i, cov in enumerate(["full", "tied", "diag", "spherical"]):
        cases.append(explicit_case(f"gmm-{cov}-3-components", x, x_test, 3, cov, 10 + i))
    # More components than blobs, a tighter tolerance and a cap on the iterations.
    cases.append(explicit_case("gmm-full-5-components-tol-1e-6", x, x_test, 5, "full", 20, tol=1e-6))
    cases.append(explicit_case("gmm-diag-max-iter-3", x, x_test, 3, "diag", 21, max_iter=3))
    cases.append(explicit_case("gmm-spherical-reg-covar-0.1", x, x_test, 4, "spherical", 22,
                               reg_covar=0.1))
    x3 = elongated_blobs(2, 150 + 6, p=3)
    x3, x3_test = x3[:150], x3[150:]
    cases.append(explicit_case("gmm-full-3d", x3, x3_test, 3, "full", 23))
    cases.append(explicit_case("gmm-tied-3d", x3, x3_test, 2, "tied", 24))
    cases.append(kmeans_case("gmm-kmeans-init-full", x, x_test, 3, "full"))
    cases.append(kmeans_case("gmm-kmeans-init-diag-3d", x3, x3_test, 3, "diag"))
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names))
    return cases


def main():
    doc = {
        "generator": "scripts/fixtures.d/mixture.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "cases": build_cases(),
    }
    text = dump(doc) + "\n"
    json.loads(text)  # sanity check
    with open(os.path.join(OUT_DIR, "mixture.json"), "w", newline="\n") as f:
        f.write(text)
    print(f"wrote {len(doc['cases'])} cases to tests/fixtures/mixture.json ({len(text)} bytes) "
          f"(sklearn {sklearn.__version__}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
