"""Writes the datasets mlplay ships (assets/datasets/), from files scikit-learn itself ships, so no network.

- digits.bin.z: the 1797 8x8 handwritten digits (UCI, via sklearn.datasets.load_digits), one record of
  65 bytes per image: 64 grey levels 0..16 row by row, then the label 0..9; zlib-compressed.
- flower.rgb.z: scikit-learn's sample image flower.jpg (CC BY 2.0, "vultilion" on Flickr, see
  sklearn/datasets/images/README.txt) scaled to 160 pixels wide: a 4-byte header (width, height as
  little-endian u16) then RGB bytes row by row; zlib-compressed.
- iris.csv.z: Fisher's 150 irises (UCI, via sklearn.datasets.load_iris) as CSV with columns
  sepal_length, sepal_width, petal_length, petal_width (cm) and species (setosa, versicolor,
  virginica); zlib-compressed.
Deterministic for fixed library versions (scikit-learn 1.9.1, Pillow 13.0.0).
"""
import os
import struct
import zlib

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits, load_iris, load_sample_image

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "assets", "datasets")
os.makedirs(OUT, exist_ok=True)

digits = load_digits()
records = np.hstack([digits.data.astype(np.uint8), digits.target.astype(np.uint8)[:, None]])
assert records.shape == (1797, 65) and records[:, :64].max() <= 16
with open(os.path.join(OUT, "digits.bin.z"), "wb") as f:
    f.write(zlib.compress(records.tobytes(), 9))

flower = load_sample_image("flower.jpg")  # 427 x 640 x 3, uint8
width = 160
height = round(flower.shape[0] * width / flower.shape[1])
small = np.asarray(Image.fromarray(flower).resize((width, height), Image.Resampling.LANCZOS), dtype=np.uint8)
with open(os.path.join(OUT, "flower.rgb.z"), "wb") as f:
    f.write(zlib.compress(struct.pack("<HH", width, height) + small.tobytes(), 9))

iris = load_iris()
lines = ["sepal_length,sepal_width,petal_length,petal_width,species"]
for row, target in zip(iris.data, iris.target):
    lines.append(",".join(f"{v:g}" for v in row) + "," + str(iris.target_names[target]))
assert len(lines) == 151
with open(os.path.join(OUT, "iris.csv.z"), "wb") as f:
    f.write(zlib.compress(("\n".join(lines) + "\n").encode(), 9))

print("digits", records.shape, "flower", small.shape, "iris", len(lines) - 1)
