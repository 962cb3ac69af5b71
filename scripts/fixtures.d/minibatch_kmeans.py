"""Reference outputs of scikit-learn's MiniBatchKMeans for tests/cluster_minibatch_kmeans.rs.

Mini-batches are drawn at random, and our RNG is not NumPy's, so the test compares what a fit
converges to: on well-separated blobs both should find the same centres (up to order) with nearly
the same inertia, close to full k-means's. Writes tests/fixtures/minibatch_kmeans.json.
"""
import json
import os

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.datasets import make_blobs

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "minibatch_kmeans.json")

x, _ = make_blobs(n_samples=3000, centers=5, cluster_std=0.8, random_state=3)
cases = []
for batch_size in (64, 256, 1024):
    mbk = MiniBatchKMeans(n_clusters=5, batch_size=batch_size, random_state=0, n_init=1).fit(x)
    cases.append({
        "batch_size": batch_size,
        "centers": mbk.cluster_centers_.tolist(),
        "inertia": float(mbk.inertia_),
    })
full = KMeans(n_clusters=5, random_state=0, n_init=3).fit(x)
with open(OUT, "w") as f:
    json.dump({
        "x": np.round(x, 10).tolist(),
        "kmeans_inertia": float(full.inertia_),
        "cases": cases,
    }, f)
print("minibatch_kmeans:", [round(c["inertia"], 2) for c in cases], "full", round(full.inertia_, 2))
