"""Writes assets/datasets/auto_mpg.csv.z: the Auto MPG table (406 cars of model years 1970-1982,
from the StatLib archive / UCI Machine Learning Repository, CC BY 4.0), as shipped in the
`vega_datasets` Python package (pip install vega_datasets==0.9.0, file _data/cars.json), so no
network is needed beyond the package registry.

Columns: name (text), mpg (the target; 8 cars have none), cylinders, displacement (cubic inches),
horsepower (6 missing), weight (lbs), acceleration (seconds 0-60 mph), model_year (70..82),
origin (text: USA, Europe, Japan). Missing values are empty cells, kept on purpose: chapter 2
shows how to deal with them. zlib-compressed CSV; deterministic.
"""
import json
import os
import zlib

import vega_datasets

SRC = os.path.join(os.path.dirname(vega_datasets.__file__), "_data", "cars.json")
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "assets", "datasets")

with open(SRC) as f:
    cars = json.load(f)
assert len(cars) == 406, len(cars)


def cell(v):
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


lines = ["name,mpg,cylinders,displacement,horsepower,weight,acceleration,model_year,origin"]
for c in cars:
    assert "," not in c["Name"] and '"' not in c["Name"], c["Name"]
    year = int(c["Year"][:4]) - 1900
    lines.append(",".join([c["Name"], cell(c["Miles_per_Gallon"]), cell(c["Cylinders"]),
                           cell(c["Displacement"]), cell(c["Horsepower"]), cell(c["Weight_in_lbs"]),
                           cell(c["Acceleration"]), str(year), c["Origin"]]))
text = "\n".join(lines) + "\n"
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "auto_mpg.csv.z"), "wb") as f:
    f.write(zlib.compress(text.encode(), 9))
print("auto_mpg", len(cars), "rows,", len(text), "bytes of CSV")
