"""Fit time of every estimator `mlplay fit` knows, ours (native release CLI) against scikit-learn,
side by side in one run on the same generated data with the same parameters.

Usage: python3 scripts/bench.d/estimators.py MLPLAY_BINARY [REPEAT [NAME,NAME...]]
       python3 scripts/bench.d/estimators.py --cases   (only writes the CSVs and
       target/bench/cases.json, the case list scripts/bench.d/wasm.mjs times)
Prints a Markdown table (only the named estimators when a list is given). Each time is the median of REPEAT fits (default 5): scikit-learn's after
one warm-up fit in this process; ours is the `fit_ms` the CLI reports, which times the fit alone
(not process start or CSV parsing), one fresh process per fit. Ours runs on one thread, so
scikit-learn's BLAS/OpenMP pools are limited to one thread too (threadpoolctl): on this 2-core
machine their idle-spinning worker threads otherwise make timings swing by 10-100x whenever
anything else runs.
"""

import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import sklearn
from sklearn import (cluster, datasets, decomposition, ensemble, linear_model, manifold, mixture, neighbors,
                     random_projection,
                     svm, tree)
from threadpoolctl import threadpool_limits

OUT = os.path.join("target", "bench")


def write_csv(name, x, y=None):
    """Writes features (and target column `y`) to target/bench/NAME.csv; returns the path."""
    path = os.path.join(OUT, name + ".csv")
    if os.path.exists(path):
        return path
    cols = [f"x{i}" for i in range(x.shape[1])]
    table = x
    if y is not None:
        cols.append("y")
        table = np.column_stack([x, y])
    np.savetxt(path, table, delimiter=",", header=",".join(cols), comments="", fmt="%.17g")
    return path


def data_sets():
    regression = datasets.make_regression(
        n_samples=20000, n_features=20, n_informative=10, noise=10.0, random_state=0
    )
    binary = datasets.make_classification(
        n_samples=10000, n_features=20, n_informative=8, random_state=0
    )
    multiclass = datasets.make_classification(
        n_samples=10000, n_features=20, n_informative=8, n_classes=4, random_state=1
    )
    blobs, _ = datasets.make_blobs(n_samples=20000, centers=8, n_features=10, random_state=0)
    moons, _ = datasets.make_moons(n_samples=3000, noise=0.05, random_state=0)
    rng = np.random.default_rng(0)
    wide = rng.standard_normal((5000, 50)) @ rng.standard_normal((50, 50))
    very_wide = rng.standard_normal((2000, 1000))
    roll, _ = datasets.make_swiss_roll(n_samples=1000, noise=0.05, random_state=0)
    # Kernel SVMs scale with n^2 or worse: a smaller set keeps them to seconds.
    small_binary = datasets.make_classification(n_samples=2000, n_features=20, n_informative=8, random_state=2)
    friedman = datasets.make_friedman1(n_samples=2000, n_features=10, noise=1.0, random_state=0)
    return {
        "regression 20000x20": (regression[0], regression[1]),
        "binary 10000x20": binary,
        "4 classes 10000x20": multiclass,
        "blobs 20000x10": (blobs, None),
        "moons 3000x2": (moons, None),
        "correlated 5000x50": (wide, None),
        "gaussian 2000x1000": (very_wide, None),
        "swiss roll 1000x3": (roll, None),
        "binary 2000x20": small_binary,
        "friedman 2000x10": friedman,
    }


# (our CLI name, --set overrides, scikit-learn estimator, data set)
CASES = [
    ("linear-regression", {}, lambda: linear_model.LinearRegression(), "regression 20000x20"),
    ("ridge", {"alpha": 1.0}, lambda: linear_model.Ridge(alpha=1.0), "regression 20000x20"),
    (
        "sgd-regressor",
        {"random_state": 0},
        lambda: linear_model.SGDRegressor(random_state=0),
        "regression 20000x20",
    ),
    ("logistic-regression", {}, lambda: linear_model.LogisticRegression(), "binary 10000x20"),
    ("logistic-regression", {}, lambda: linear_model.LogisticRegression(), "4 classes 10000x20"),
    (
        "decision-tree-classifier",
        {"random_state": 0},
        lambda: tree.DecisionTreeClassifier(random_state=0),
        "binary 10000x20",
    ),
    (
        "decision-tree-regressor",
        {"random_state": 0},
        lambda: tree.DecisionTreeRegressor(random_state=0),
        "regression 20000x20",
    ),
    (
        "kmeans",
        {"n_clusters": 8, "n_init": 1, "random_state": 0},
        lambda: cluster.KMeans(n_clusters=8, n_init=1, random_state=0),
        "blobs 20000x10",
    ),
    (
        "dbscan",
        {"eps": 0.1, "min_samples": 5},
        lambda: cluster.DBSCAN(eps=0.1, min_samples=5),
        "moons 3000x2",
    ),
    (
        "pca",
        {"n_components": 10},
        lambda: decomposition.PCA(n_components=10, svd_solver="full"),
        "correlated 5000x50",
    ),
    (
        "mini-batch-kmeans",
        {"n_clusters": 8, "batch_size": 1024, "random_state": 0},
        lambda: cluster.MiniBatchKMeans(n_clusters=8, batch_size=1024, n_init=1, random_state=0),
        "blobs 20000x10",
    ),
    (
        "gaussian-mixture",
        {"n_components": 8, "covariance_type": "full", "random_state": 0},
        lambda: mixture.GaussianMixture(n_components=8, covariance_type="full", random_state=0),
        "blobs 20000x10",
    ),
    (
        "gaussian-mixture",
        {"n_components": 8, "covariance_type": "diag", "random_state": 0},
        lambda: mixture.GaussianMixture(n_components=8, covariance_type="diag", random_state=0),
        "blobs 20000x10",
    ),
    (
        "pca",
        {"n_components": 10, "svd_solver": "randomized", "random_state": 0},
        lambda: decomposition.PCA(n_components=10, svd_solver="randomized", random_state=0),
        "correlated 5000x50",
    ),
    (
        "incremental-pca",
        {"n_components": 10},
        lambda: decomposition.IncrementalPCA(n_components=10),
        "correlated 5000x50",
    ),
    (
        "gaussian-random-projection",
        {"n_components": 100, "random_state": 0},
        lambda: random_projection.GaussianRandomProjection(n_components=100, random_state=0),
        "gaussian 2000x1000",
    ),
    (
        "sparse-random-projection",
        {"n_components": 100, "random_state": 0},
        lambda: random_projection.SparseRandomProjection(n_components=100, random_state=0),
        "gaussian 2000x1000",
    ),
    # Both sides' default eigen_solver ("auto": ARPACK / our Lanczos for more than 200 points),
    # then the dense eigendecomposition on both sides.
    (
        "locally-linear-embedding",
        {"n_neighbors": 10, "n_components": 2},
        lambda: manifold.LocallyLinearEmbedding(n_neighbors=10, n_components=2),
        "swiss roll 1000x3",
    ),
    (
        "locally-linear-embedding",
        {"n_neighbors": 10, "n_components": 2, "eigen_solver": "dense"},
        lambda: manifold.LocallyLinearEmbedding(n_neighbors=10, n_components=2, eigen_solver="dense"),
        "swiss roll 1000x3",
    ),
    (
        "isomap",
        {"n_neighbors": 10, "n_components": 2},
        lambda: manifold.Isomap(n_neighbors=10, n_components=2),
        "swiss roll 1000x3",
    ),
    ("svc", {}, lambda: svm.SVC(), "binary 2000x20"),
    ("svr", {}, lambda: svm.SVR(), "friedman 2000x10"),
    (
        "gradient-boosting-classifier",
        {"random_state": 0},
        lambda: ensemble.GradientBoostingClassifier(random_state=0),
        "binary 10000x20",
    ),
    (
        "gradient-boosting-regressor",
        {"random_state": 0},
        lambda: ensemble.GradientBoostingRegressor(random_state=0),
        "regression 20000x20",
    ),
    ("lasso", {"alpha": 0.1}, lambda: linear_model.Lasso(alpha=0.1), "regression 20000x20"),
    (
        "elastic-net",
        {"alpha": 0.1, "l1_ratio": 0.5},
        lambda: linear_model.ElasticNet(alpha=0.1, l1_ratio=0.5),
        "regression 20000x20",
    ),
    # Ours always solves liblinear's dual; scikit-learn's dual="auto" would pick the primal here.
    ("linear-svc", {}, lambda: svm.LinearSVC(dual=True), "binary 10000x20"),
    (
        "sgd-classifier",
        {"random_state": 0},
        lambda: linear_model.SGDClassifier(random_state=0),
        "binary 10000x20",
    ),
    # k-NN's fit only stores the rows: these time predicting the training rows (see PREDICT_TIMED).
    # Brute force on both sides, then the default "auto" (a k-d tree on both sides for 10 features).
    (
        "k-neighbors-classifier",
        {"algorithm": "brute"},
        lambda: neighbors.KNeighborsClassifier(algorithm="brute"),
        "binary 2000x20",
    ),
    (
        "k-neighbors-regressor",
        {"algorithm": "brute"},
        lambda: neighbors.KNeighborsRegressor(algorithm="brute"),
        "friedman 2000x10",
    ),
    ("k-neighbors-regressor", {}, lambda: neighbors.KNeighborsRegressor(), "friedman 2000x10"),
    (
        "bagging-classifier",
        {"random_state": 0},
        lambda: ensemble.BaggingClassifier(random_state=0),
        "binary 2000x20",
    ),
    (
        "bagging-regressor",
        {"random_state": 0},
        lambda: ensemble.BaggingRegressor(random_state=0),
        "friedman 2000x10",
    ),
    (
        "random-forest-classifier",
        {"random_state": 0},
        lambda: ensemble.RandomForestClassifier(random_state=0),
        "binary 2000x20",
    ),
    (
        "random-forest-regressor",
        {"random_state": 0},
        lambda: ensemble.RandomForestRegressor(random_state=0),
        "friedman 2000x10",
    ),
    (
        "extra-trees-classifier",
        {"random_state": 0},
        lambda: ensemble.ExtraTreesClassifier(random_state=0),
        "binary 2000x20",
    ),
    (
        "extra-trees-regressor",
        {"random_state": 0},
        lambda: ensemble.ExtraTreesRegressor(random_state=0),
        "friedman 2000x10",
    ),
    (
        "ada-boost-classifier",
        {"random_state": 0},
        lambda: ensemble.AdaBoostClassifier(random_state=0),
        "binary 10000x20",
    ),
    # Our default members: logistic regression, a depth-5 tree and 5-NN (scikit-learn has none).
    ("voting-classifier", {}, lambda: ensemble.VotingClassifier(default_members()), "binary 2000x20"),
    ("stacking-classifier", {}, lambda: ensemble.StackingClassifier(default_members()), "binary 2000x20"),
]

# Rows timed on predicting the training rows after the fit (`predict_ms`), not on the fit.
PREDICT_TIMED = ("k-neighbors-classifier", "k-neighbors-regressor")


def default_members():
    return [
        ("logistic_regression", linear_model.LogisticRegression()),
        ("decision_tree", tree.DecisionTreeClassifier(max_depth=5, random_state=0)),
        ("k_neighbors", neighbors.KNeighborsClassifier()),
    ]


# Parameters named in the table's first column, to tell apart rows of the same estimator.
LABEL_PARAMS = ("covariance_type", "svd_solver", "algorithm", "eigen_solver")


def label(name, sets):
    shown = ", ".join(f"{k}={v}" for k, v in sets.items() if k in LABEL_PARAMS)
    if name in PREDICT_TIMED:
        shown = ", ".join(s for s in (shown, "predict") if s)
    return f"{name} ({shown})" if shown else name


def case_files():
    """Writes every case's CSV; yields (case, features, target or None, CSV path)."""
    os.makedirs(OUT, exist_ok=True)
    sets_by_name = data_sets()
    for case in CASES:
        x, y = sets_by_name[case[3]]
        yield case, x, y, write_csv(case[3].split()[0] + "_" + case[3].split()[-1], x, y)


def write_cases():
    """target/bench/cases.json: CASES without scikit-learn, for the wasm benchmark."""
    cases = [
        {"name": name, "label": label(name, sets), "data": data, "path": path,
         "target": "y" if y is not None else None, "sets": sets}
        for (name, sets, _, data), _, y, path in case_files()
        if name not in PREDICT_TIMED
    ]
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


def ours(binary, name, path, supervised, sets, repeat):
    cmd = [binary, "fit", name, "--data", path]
    if supervised:
        cmd += ["--target", "y"]
    timed = "fit_ms"
    if name in PREDICT_TIMED:
        cmd += ["--predict", path]
        timed = "predict_ms"
    for k, v in sets.items():
        cmd += ["--set", f"{k}={v}"]
    times, out = [], None
    for _ in range(repeat):
        run = subprocess.run(cmd, capture_output=True, text=True, check=True)
        out = json.loads(run.stdout)
        times.append(out[timed])
    return statistics.median(times), out


def theirs(name, make, x, y, repeat):
    make().fit(x, y)  # warm-up: imports, first-call dispatch
    times, model = [], None
    for _ in range(repeat):
        model = make()
        if name in PREDICT_TIMED:
            model.fit(x, y)
        start = time.perf_counter()
        if name in PREDICT_TIMED:
            model.predict(x)
        else:
            model.fit(x, y)
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times), model


def main():
    if sys.argv[1] == "--cases":
        return write_cases()
    binary = sys.argv[1]
    threadpool_limits(1)
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    only = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
    known = subprocess.run([binary, "list"], capture_output=True, text=True, check=True).stdout
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; median of {repeat} fits; one thread each.")
    print()
    print("| estimator | data | ours ms | scikit-learn ms | ours / scikit-learn | same answer |")
    print("|---|---|---:|---:|---:|---|")
    for (name, sets, make, data), x, y, path in case_files():
        if only is not None and name not in only:
            continue
        if name not in known.split():
            print(f"| {name} | {data} | not in `mlplay list` | | | |")
            continue
        ours_ms, out = ours(binary, name, path, y is not None, sets, repeat)
        their_ms, model = theirs(name, make, x, y, repeat)
        print(
            f"| {label(name, sets)} | {data} | {ours_ms:.1f} | {their_ms:.1f} | "
            f"**{ours_ms / their_ms:.2f}x** | {agreement(name, out, model, x, y)} |"
        )


def agreement(name, out, model, x, y):
    """One number showing both sides did the same work (a score or a fitted attribute)."""
    if "train_score" in out:
        return f"train score {out['train_score']:.4f} vs {model.score(x, y):.4f}"
    if name == "kmeans":
        return f"inertia {out['inertia']:.6g} vs {model.inertia_:.6g}"
    if name == "dbscan":
        ours_clusters = len(set(out["labels"]) - {-1})
        theirs_clusters = len(set(model.labels_.tolist()) - {-1})
        return f"clusters {ours_clusters} vs {theirs_clusters}"
    if name in ("pca", "incremental-pca"):
        ratio = sum(out["explained_variance_ratio"])
        return f"variance kept {ratio:.6f} vs {model.explained_variance_ratio_.sum():.6f}"
    if name == "mini-batch-kmeans":
        return f"inertia {out['inertia']:.6g} vs {model.inertia_:.6g}"
    if name == "gaussian-mixture":
        return f"BIC {out['bic']:.6g} vs {model.bic(x):.6g}"
    if name.endswith("random-projection"):
        return f"{out['n_components']} vs {model.n_components_} components"
    if name == "locally-linear-embedding":
        return f"reconstruction error {out['reconstruction_error']:.3g} vs {model.reconstruction_error_:.3g}"
    if name == "isomap":
        return f"reconstruction error {out['reconstruction_error']:.4g} vs {model.reconstruction_error():.4g}"
    return ""


if __name__ == "__main__":
    main()
