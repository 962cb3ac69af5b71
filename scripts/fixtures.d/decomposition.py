#!/usr/bin/env python3
"""Generate scikit-learn reference outputs for mlplay's dimensionality-reduction estimators.

Writes tests/fixtures/decomposition.json (relative to the repository root) with cases for:
  pca (svd_solver randomized / auto / full with a variance fraction, whiten), incremental_pca,
  jl_min_dim (johnson_lindenstrauss_min_dim values), random_projection (scikit-learn's resolved
  n_components and density, for the shapes the tests also fit), lle and isomap (swiss roll).

Deterministic: fixed numpy seeds; inputs are rounded to 6 significant digits *before* fitting, so the
JSON inputs are exactly what scikit-learn saw; outputs are written at full precision. Random
projections can't be replayed (our RNG differs), so only scikit-learn's resolved sizes are stored;
the tests check the drawn matrices' statistics. Requires scikit-learn and numpy.

Usage: python3 scripts/fixtures.d/decomposition.py (or scripts/fixtures for every family)
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import make_swiss_roll
from sklearn.decomposition import PCA, IncrementalPCA
from sklearn.manifold import Isomap, LocallyLinearEmbedding
from sklearn.random_projection import (GaussianRandomProjection, SparseRandomProjection,
                                       johnson_lindenstrauss_min_dim)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear import OUT_DIR, dump, r6  # noqa: E402  (shared output helpers)
from unsupervised import correlated, floats, matrix  # noqa: E402


def low_rank(seed, n, p, scales, noise):
    """A few strong rotated directions plus small isotropic noise (a decaying spectrum)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, len(scales))) * np.asarray(scales)
    basis, _ = np.linalg.qr(rng.normal(size=(p, len(scales))))
    return r6(z @ basis.T + noise * rng.normal(size=(n, p)) + rng.uniform(-2, 2, size=p))


def pca_fields(model):
    return {
        "components": matrix(model.components_),
        "explained_variance": floats(model.explained_variance_),
        "explained_variance_ratio": floats(model.explained_variance_ratio_),
        "singular_values": floats(model.singular_values_),
        "mean": floats(model.mean_),
        "noise_variance": float(model.noise_variance_),
        "n_components": int(model.n_components_),
    }


def pca_case(name, x, x_test, params):
    model = PCA(**params).fit(x)
    case = {"name": name, "estimator": "pca", "params": params, "x": matrix(x), "x_test": matrix(x_test),
            "svd_solver": model._fit_svd_solver}
    case.update(pca_fields(model))
    case["transform"] = matrix(model.transform(x_test))
    return case


def ipca_case(name, x, params, batches=None):
    model = IncrementalPCA(**params)
    if batches is None:
        model.fit(x)
    else:
        for start, end in batches:
            model.partial_fit(x[start:end])
    case = {"name": name, "estimator": "incremental_pca", "params": params, "x": matrix(x),
            "batches": batches, "n_samples_seen": int(model.n_samples_seen_), "var": floats(model.var_)}
    case.update(pca_fields(model))
    case["transform"] = matrix(model.transform(x[:5]))
    return case


def swiss_roll(seed, n, noise):
    x, t = make_swiss_roll(n_samples=n, noise=noise, random_state=seed)
    return r6(x), t


def build_cases():
    cases = []

    # ---- pca: randomized, auto, variance fractions, whiten -------------------------------------
    x = low_rank(21, 200 + 5, 30, [6.0, 4.0, 3.0, 2.0, 1.5], 0.3)
    cases.append(pca_case("pca-randomized-200x30-keep-4", x[:200], x[200:],
                          {"n_components": 4, "svd_solver": "randomized", "random_state": 0}))
    cases.append(pca_case("pca-randomized-qr-2-iterations", x[:200], x[200:],
                          {"n_components": 3, "svd_solver": "randomized", "iterated_power": 2,
                           "power_iteration_normalizer": "QR", "random_state": 0}))
    wide = low_rank(22, 40 + 5, 60, [5.0, 3.0, 2.0], 0.2)
    cases.append(pca_case("pca-randomized-wide-40x60-keep-3", wide[:40], wide[40:],
                          {"n_components": 3, "svd_solver": "randomized", "random_state": 0}))
    x = correlated(23, 80 + 5, 6, [5.0, 3.0, 1.0, 0.5, 0.3, 0.1])
    for f in (0.5, 0.8, 0.95, 0.999):
        cases.append(pca_case(f"pca-fraction-{f}", x[:80], x[80:], {"n_components": f}))
    cases.append(pca_case("pca-whiten-keep-3", x[:80], x[80:], {"n_components": 3, "whiten": True}))

    # ---- which solver "auto" picks, by shape and n_components (no data stored) ---------------
    rng = np.random.default_rng(24)
    for n, p, k in [(100, 5, 2), (600, 50, 5), (600, 50, 45), (600, 50, None), (520, 60, 5),
                    (520, 60, 0.9), (300, 700, 10), (300, 700, 250), (20000, 20, 3)]:
        model = PCA(n_components=k).fit(rng.normal(size=(n, p)))
        cases.append({"name": f"pca-auto-{n}x{p}-{k}", "estimator": "pca_auto",
                      "n_samples": n, "n_features": p, "n_components": k,
                      "svd_solver": model._fit_svd_solver})

    # ---- incremental pca -------------------------------------------------------------------------
    x = correlated(25, 100, 6, [4.0, 3.0, 2.0, 1.0, 0.5, 0.2])
    cases.append(ipca_case("ipca-keep-3-batch-15", x, {"n_components": 3, "batch_size": 15}))
    cases.append(ipca_case("ipca-default-batch", x, {"n_components": 2}))
    cases.append(ipca_case("ipca-all-components-batch-40", x, {"batch_size": 40}))
    cases.append(ipca_case("ipca-whiten", x, {"n_components": 2, "batch_size": 25, "whiten": True}))
    cases.append(ipca_case("ipca-partial-fit-uneven", x, {"n_components": 3},
                           batches=[[0, 10], [10, 47], [47, 60], [60, 100]]))

    # ---- Johnson-Lindenstrauss bound -------------------------------------------------------------
    for n in (1, 2, 10, 100, 300, 1000, 1e4, 1e6):
        for eps in (0.05, 0.1, 0.3, 0.5, 0.9, 0.99):
            cases.append({"name": f"jl-{int(n)}-{eps}", "estimator": "jl_min_dim", "n_samples": int(n),
                          "eps": eps, "min_dim": int(johnson_lindenstrauss_min_dim(int(n), eps=eps))})

    # ---- random projections: scikit-learn's resolved sizes ------------------------------------------
    rng = np.random.default_rng(26)
    for n, p, eps, k in [(50, 5000, 0.5, None), (200, 3000, 0.3, None), (300, 1000, 0.5, 100)]:
        x = rng.normal(size=(n, p))
        g = GaussianRandomProjection(n_components=k if k else "auto", eps=eps, random_state=0).fit(x)
        s = SparseRandomProjection(n_components=k if k else "auto", eps=eps, random_state=0).fit(x)
        nz = s.components_.nnz / (s.components_.shape[0] * s.components_.shape[1])
        cases.append({"name": f"rp-{n}x{p}-{eps}-{k}", "estimator": "random_projection",
                      "n_samples": n, "n_features": p, "eps": eps, "n_components": k,
                      "n_components_": int(g.n_components_), "sparse_n_components_": int(s.n_components_),
                      "density_": float(s.density_), "sparse_nonzero_fraction": float(nz),
                      "gaussian_entry_var": float(np.var(g.components_))})

    # ---- manifold learners on a small swiss roll -----------------------------------------------
    x, t = swiss_roll(27, 300, 0.0)
    for k in (10, 12):
        model = LocallyLinearEmbedding(n_neighbors=k, n_components=2, eigen_solver="dense")
        emb = model.fit_transform(x)
        cases.append({"name": f"lle-swiss-300-k{k}", "estimator": "lle",
                      "params": {"n_neighbors": k, "n_components": 2, "reg": 1e-3},
                      "x": matrix(x), "t": floats(t), "embedding": matrix(emb),
                      "reconstruction_error": float(model.reconstruction_error_),
                      "x_test": matrix(x[:3] + 0.1), "transform": matrix(model.transform(x[:3] + 0.1))})
    for k in (8, 10):
        model = Isomap(n_neighbors=k, n_components=2, eigen_solver="dense")
        emb = model.fit_transform(x)
        cases.append({"name": f"isomap-swiss-300-k{k}", "estimator": "isomap",
                      "params": {"n_neighbors": k, "n_components": 2},
                      "x": matrix(x), "embedding": matrix(emb),
                      "reconstruction_error": float(model.reconstruction_error()),
                      "x_test": matrix(x[:3] + 0.1), "transform": matrix(model.transform(x[:3] + 0.1))})

    names = [c["name"] for c in cases]
    assert len(names) == len(set(names))
    return cases


def main():
    doc = {
        "generator": "scripts/fixtures.d/decomposition.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "cases": build_cases(),
    }
    text = dump(doc) + "\n"
    json.loads(text)  # sanity check
    with open(os.path.join(OUT_DIR, "decomposition.json"), "w", newline="\n") as f:
        f.write(text)
    print(f"wrote {len(doc['cases'])} cases to tests/fixtures/decomposition.json ({len(text)} bytes) "
          f"(sklearn {sklearn.__version__}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
