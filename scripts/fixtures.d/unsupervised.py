#!/usr/bin/env python3
"""Generate scikit-learn reference outputs for mlplay's unsupervised estimators.

Writes, relative to the repository root:
  tests/fixtures/unsupervised.json    KMeans / DBSCAN / silhouette / PCA cases
  tests/fixtures/data/blobs_small.csv 45 rows, columns x1,x2 (three blobs), for the CLI tests

Deterministic: fixed numpy seeds. Inputs are rounded to 6 significant digits *before* fitting, so
the JSON inputs are exactly what scikit-learn saw; outputs are written at full precision.
KMeans cases that must match iteration for iteration pass explicit starting centres
(init=array, n_init=1), since scikit-learn's random draws can't be replayed in Rust; the
k-means++ cases record scikit-learn's inertias for a property test instead. PCA uses
svd_solver="full" (what mlplay implements). Requires scikit-learn and numpy.

Usage: python3 scripts/fixtures.d/unsupervised.py (or scripts/fixtures for every family)
"""
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN, KMeans
from sklearn.datasets import make_blobs, make_moons
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_samples, silhouette_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear import DATA_DIR, OUT_DIR, dump, r6, write_csv  # noqa: E402  (shared output helpers)


def floats(a):
    return [float(v) for v in np.ravel(a)]


def matrix(a):
    return [floats(row) for row in np.asarray(a)]


def blobs(seed, n, centers, std, p=2):
    x, y = make_blobs(n_samples=n, centers=centers, n_features=p, cluster_std=std, random_state=seed)
    return r6(x), y


def kmeans_case(name, x, x_test, init, max_iter=300, tol=1e-4):
    x, x_test, init = (np.asarray(a, dtype=np.float64) for a in (x, x_test, r6(init)))
    params = {"n_clusters": int(init.shape[0]), "init": matrix(init), "n_init": 1,
              "max_iter": max_iter, "tol": tol}
    model = KMeans(n_clusters=init.shape[0], init=init, n_init=1, max_iter=max_iter, tol=tol,
                   algorithm="lloyd")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x)
    return {
        "name": name,
        "estimator": "kmeans",
        "params": params,
        "x": matrix(x),
        "x_test": matrix(x_test),
        "labels": [int(v) for v in model.labels_],
        "cluster_centers": matrix(model.cluster_centers_),
        "inertia": float(model.inertia_),
        "n_iter": int(model.n_iter_),
        "predict": [int(v) for v in model.predict(x_test)],
        "transform": matrix(model.transform(x_test)),
    }


def kmeans_plusplus_case(name, x, k):
    """No iteration-level match is possible: record scikit-learn's inertias over seeds."""
    x = np.asarray(x, dtype=np.float64)
    single = [float(KMeans(n_clusters=k, init="k-means++", n_init=1, random_state=s).fit(x).inertia_)
              for s in range(10)]
    best = float(KMeans(n_clusters=k, init="k-means++", n_init=10, random_state=0).fit(x).inertia_)
    return {
        "name": name,
        "estimator": "kmeans_plusplus",
        "params": {"n_clusters": k},
        "x": matrix(x),
        "single_run_inertias": single,
        "best_inertia": best,
    }


def dbscan_case(name, x, eps, min_samples):
    x = np.asarray(x, dtype=np.float64)
    model = DBSCAN(eps=eps, min_samples=min_samples).fit(x)
    return {
        "name": name,
        "estimator": "dbscan",
        "params": {"eps": eps, "min_samples": min_samples},
        "x": matrix(x),
        "labels": [int(v) for v in model.labels_],
        "core_sample_indices": [int(v) for v in model.core_sample_indices_],
    }


def silhouette_case(name, x, labels):
    x = np.asarray(x, dtype=np.float64)
    return {
        "name": name,
        "estimator": "silhouette",
        "params": {},
        "x": matrix(x),
        "labels": [int(v) for v in labels],
        "samples": floats(silhouette_samples(x, labels)),
        "score": float(silhouette_score(x, labels)),
    }


def pca_case(name, x, x_test, n_components):
    x, x_test = (np.asarray(a, dtype=np.float64) for a in (x, x_test))
    model = PCA(n_components=n_components, svd_solver="full").fit(x)
    z = model.transform(x_test)
    return {
        "name": name,
        "estimator": "pca",
        "params": {"n_components": n_components},
        "x": matrix(x),
        "x_test": matrix(x_test),
        "components": matrix(model.components_),
        "explained_variance": floats(model.explained_variance_),
        "explained_variance_ratio": floats(model.explained_variance_ratio_),
        "singular_values": floats(model.singular_values_),
        "mean": floats(model.mean_),
        "noise_variance": float(model.noise_variance_),
        "transform": matrix(z),
        "inverse_transform": matrix(model.inverse_transform(z)),
    }


def correlated(seed, n, p, scales):
    """Gaussian data with a random rotation, so components are not the axes."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, p)) * np.asarray(scales)
    q, _ = np.linalg.qr(rng.normal(size=(p, p)))
    return r6(z @ q.T + rng.uniform(-3.0, 3.0, size=p))


def blobs_small():
    x, _ = blobs(5, 45, [[-4.0, 0.0], [3.0, 3.0], [2.0, -4.0]], 1.0)
    return x


def build_cases():
    cases = []

    # ---- kmeans: explicit starting centres, so every Lloyd iteration must agree ---------------
    x, _ = blobs(1, 90 + 6, 3, 1.2)
    cases.append(kmeans_case("km-three-blobs", x[:90], x[90:], x[[0, 1, 2]]))
    # Starting far from the answer (all three in one corner) takes several iterations.
    cases.append(kmeans_case("km-three-blobs-bad-start", x[:90], x[90:],
                             x[:90][np.argsort(x[:90, 0])[:3]]))
    x, _ = blobs(2, 150 + 8, 5, 2.0, p=4)
    cases.append(kmeans_case("km-five-overlapping-blobs-4d", x[:150], x[150:], x[[3, 7, 11, 19, 23]]))
    cases.append(kmeans_case("km-max-iter-2", x[:150], x[150:], x[[3, 7, 11, 19, 23]], max_iter=2))
    cases.append(kmeans_case("km-large-tol", x[:150], x[150:], x[[3, 7, 11, 19, 23]], tol=0.05))
    x, _ = blobs(3, 60 + 5, 2, 1.0)
    # The third centre is far from every point: its cluster starts empty and is relocated.
    far = np.vstack([x[[0, 1]], [[100.0, 100.0]]])
    cases.append(kmeans_case("km-empty-cluster-relocated", x[:60], x[60:], far))
    cases.append(kmeans_case("km-one-cluster", x[:60], x[60:], x[[5]]))
    rng = np.random.default_rng(4)
    x = r6(rng.uniform(-1.0, 1.0, size=(120 + 6, 2)))  # no cluster structure: a slow crawl
    cases.append(kmeans_case("km-uniform-square-k6", x[:120], x[120:], x[:6]))

    # ---- kmeans with k-means++: properties only -----------------------------------------------
    x, _ = blobs(6, 300, 6, 0.9)
    cases.append(kmeans_plusplus_case("kmpp-six-blobs", x, 6))
    x, _ = blobs(7, 200, 4, 2.5, p=3)
    cases.append(kmeans_plusplus_case("kmpp-four-overlapping-blobs-3d", x, 4))

    # ---- dbscan --------------------------------------------------------------------------------
    xm, _ = make_moons(n_samples=150, noise=0.07, random_state=8)
    xm = r6(xm)
    cases.append(dbscan_case("dbscan-moons", xm, 0.2, 5))
    cases.append(dbscan_case("dbscan-moons-small-eps", xm, 0.08, 4))
    xb, _ = blobs(9, 100, 3, 0.6)
    rng = np.random.default_rng(9)
    xb = np.vstack([xb, r6(rng.uniform(-12.0, 12.0, size=(20, 2)))])  # scattered noise points
    cases.append(dbscan_case("dbscan-blobs-with-noise-defaults", xb, 0.5, 5))
    cases.append(dbscan_case("dbscan-blobs-eps-1-min-10", xb, 1.0, 10))
    cases.append(dbscan_case("dbscan-min-samples-1", xb[:40], 0.3, 1))

    # ---- silhouette ----------------------------------------------------------------------------
    x, y = blobs(10, 80, 4, 1.5)
    cases.append(silhouette_case("silhouette-true-labels", x, y))
    rng = np.random.default_rng(10)
    labels = rng.integers(0, 3, size=80)
    labels[17] = 3  # a cluster of one scores 0
    cases.append(silhouette_case("silhouette-random-labels-and-singleton", x, labels))

    # ---- pca -----------------------------------------------------------------------------------
    x = correlated(11, 60 + 6, 3, [3.0, 1.0, 0.2])
    cases.append(pca_case("pca-3d-keep-2", x[:60], x[60:], 2))
    x = correlated(12, 80 + 6, 5, [5.0, 2.0, 1.0, 0.5, 0.1])
    cases.append(pca_case("pca-5d-keep-all", x[:80], x[80:], None))
    cases.append(pca_case("pca-5d-keep-1", x[:80], x[80:], 1))
    x = correlated(13, 6 + 5, 8, [4.0, 3.0, 2.0, 1.0, 1.0, 0.5, 0.5, 0.2])
    cases.append(pca_case("pca-wide-6-samples-8-features-keep-5", x[:6], x[6:], 5))

    names = [c["name"] for c in cases]
    assert len(names) == len(set(names))
    return cases


def main():
    os.makedirs(DATA_DIR, exist_ok=True)
    doc = {
        "generator": "scripts/fixtures.d/unsupervised.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "cases": build_cases(),
    }
    text = dump(doc) + "\n"
    json.loads(text)  # sanity check
    with open(os.path.join(OUT_DIR, "unsupervised.json"), "w", newline="\n") as f:
        f.write(text)
    write_csv(os.path.join(DATA_DIR, "blobs_small.csv"), ["x1", "x2"], blobs_small())
    print(f"wrote {len(doc['cases'])} cases to tests/fixtures/unsupervised.json ({len(text)} bytes), "
          f"tests/fixtures/data/blobs_small.csv (sklearn {sklearn.__version__}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
