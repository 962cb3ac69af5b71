#!/usr/bin/env python3
"""Generate scikit-learn reference outputs for mlplay's VotingClassifier and StackingClassifier.

Writes tests/fixtures/voting.json. Members are deterministic: logistic regression fitted to its
optimum (tol 1e-10, max_iter 10000, so two solvers agree and mlplay's lbfgs can match it to about
1e-6, the accuracy of the optimum itself), 5-nearest neighbours and a depth-3 decision tree whose
fits do not depend on random_state (checked over seeds 0..4; a case where they do is refused).
Stacking uses cv=5 (StratifiedKFold without shuffling), stack_method="predict_proba" and the same
tight logistic regression as final estimator, with and without passthrough.

Usage: python3 scripts/fixtures.d/voting.py
"""
import os
import sys

import numpy as np
import sklearn
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ensemble import floats, jittered_iris, moons, rows  # noqa: E402
from linear import OUT_DIR, dump  # noqa: E402

TIGHT = {"tol": 1e-10, "max_iter": 10000}


def members(seed):
    return [("lr", LogisticRegression(**TIGHT)), ("knn", KNeighborsClassifier(5)),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=seed))]


def fit_case(name, kind, params, x, y, x_test):
    outs = []
    for seed in range(5):
        if kind == "voting":
            m = VotingClassifier(members(seed), **params).fit(x, y)
        else:
            m = StackingClassifier(members(seed), final_estimator=LogisticRegression(**TIGHT), cv=5,
                                   stack_method="predict_proba", **params).fit(x, y)
        out = {"predictions": floats(m.predict(x_test)), "train_predictions": floats(m.predict(x))}
        if kind == "stacking" or params.get("voting") == "soft":
            out["predict_proba"] = rows(m.predict_proba(x_test))
        if kind == "stacking":
            out["transform"] = rows(m.transform(x_test))
        outs.append(out)
    if any(o != outs[0] for o in outs[1:]):
        print(f"[voting] {name}: depends on the tree's random_state; left out", file=sys.stderr)
        return None
    print(f"[voting] {name}: ok", file=sys.stderr)
    return {"name": name, "kind": kind, "params": params, "x": rows(x), "y": floats(y), "x_test": rows(x_test),
            **outs[0]}


def build_cases():
    cases = []
    xm, ym = moons(200, 23)
    xi, yi = jittered_iris()
    test = np.arange(len(yi)) % 5 == 0
    for tag, (x, y, xt) in {"moons": (xm[:170], ym[:170], xm[170:]),
                            "iris": (xi[~test], yi[~test], xi[test])}.items():
        for vname, p in [("hard", {"voting": "hard"}), ("soft", {"voting": "soft"}),
                         ("soft-weighted", {"voting": "soft", "weights": [2.0, 1.0, 1.0]}),
                         ("hard-weighted", {"voting": "hard", "weights": [1.0, 2.0, 0.5]})]:
            cases.append(fit_case(f"{tag}-voting-{vname}", "voting", p, x, y, xt))
        for sname, p in [("stacking", {"passthrough": False}), ("stacking-passthrough", {"passthrough": True})]:
            cases.append(fit_case(f"{tag}-{sname}", "stacking", p, x, y, xt))
    return [c for c in cases if c is not None]


def main():
    doc = {"generator": "scripts/fixtures.d/voting.py", "sklearn_version": sklearn.__version__,
           "numpy_version": np.__version__, "cases": build_cases()}
    with open(os.path.join(OUT_DIR, "voting.json"), "w", newline="\n") as f:
        f.write(dump(doc) + "\n")
    print(f"[voting] {len(doc['cases'])} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
