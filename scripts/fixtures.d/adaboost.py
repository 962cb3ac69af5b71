#!/usr/bin/env python3
"""Generate scikit-learn reference outputs for mlplay's AdaBoostClassifier (SAMME).

Writes tests/fixtures/adaboost.json: AdaBoostClassifier fits with stumps and depth-2 trees on
two-class moons and a three-class set (jittered iris), at a few learning rates: the says
(estimator_weights_), weighted errors (estimator_errors_), the number of trees kept, feature
importances, and on training and held-out rows the decision values, probabilities, predictions
and staged decision values.

As in ensemble.py: scikit-learn's splitter visits features in an order drawn from random_state
and keeps the first strictly best split, so on an exact tie the tree depends on the seed (mlplay
takes the first column). Every case is fitted with random_state 0..4; a case whose says, errors
or training-row outputs differ between seeds is refused. Held-out rows can fall on either side of
a tied split: `test_stable` marks the rows all seeds agree on, and only those are compared;
`importance_spread` is how far the feature importances move between seeds.
Inputs are rounded to 6 significant digits (the trees split float32 copies of x, so thresholds
are float32 midpoints and are not compared).

Usage: python3 scripts/fixtures.d/adaboost.py
"""
import os
import sys

import numpy as np
import sklearn
from sklearn.ensemble import AdaBoostClassifier
from sklearn.tree import DecisionTreeClassifier

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ensemble import close, floats, jittered_iris, moons, rows  # noqa: E402
from linear import OUT_DIR, dump, r6  # noqa: E402

SEEDS = range(5)
STAGES_SHOWN = (1, 2, 3, 5, 10, 20)
SEED_FREE = ("estimator_weights", "estimator_errors", "n_trees", "train_decision", "train_proba",
             "train_predictions", "train_staged_decision")


def outputs(model, x, x_test):
    def dec(a):
        return rows(np.atleast_2d(model.decision_function(a).T).T)

    def staged(a):
        return {str(s): rows(np.atleast_2d(d.T).T)
                for s, d in enumerate(model.staged_decision_function(a), start=1) if s in STAGES_SHOWN}

    return {
        "classes": floats(model.classes_),
        "n_trees": len(model.estimators_),
        "estimator_weights": floats(model.estimator_weights_),
        "estimator_errors": floats(model.estimator_errors_),
        "feature_importances": floats(model.feature_importances_),
        "train_decision": dec(x),
        "train_proba": rows(model.predict_proba(x)),
        "train_predictions": floats(model.predict(x)),
        "train_staged_decision": staged(x),
        "decision_function": dec(x_test),
        "predict_proba": rows(model.predict_proba(x_test)),
        "predictions": floats(model.predict(x_test)),
        "staged_decision": staged(x_test),
    }


def fit_case(name, params, x, y, x_test):
    depth = params["max_depth"]
    rest = {k: v for k, v in params.items() if k != "max_depth"}
    runs = [outputs(AdaBoostClassifier(DecisionTreeClassifier(max_depth=depth), **rest, random_state=s)
                    .fit(x, y), x, x_test) for s in SEEDS]
    first = runs[0]
    for key in SEED_FREE:
        if any(not close(_flat(r[key]),
                         _flat(first[key])) for r in runs[1:]):
            print(f"[adaboost] {name}: {key} depends on random_state; left out", file=sys.stderr)
            return None
    stable = [all(close(r["decision_function"][i], first["decision_function"][i])
                  and all(close(r["staged_decision"][s][i], first["staged_decision"][s][i]) for s in first["staged_decision"])
                  for r in runs[1:])
              for i in range(len(x_test))]
    spread = max(float(np.max(np.abs(np.array(r["feature_importances"]) - first["feature_importances"])))
                 for r in runs)
    print(f"[adaboost] {name}: importances vary by {spread:.2g} over seeds", file=sys.stderr)
    print(f"[adaboost] {name}: {first['n_trees']} trees, {sum(stable)} of {len(stable)} held-out rows seed-free",
          file=sys.stderr)
    return {"name": name, "params": params, "x": rows(x), "y": floats(y), "x_test": rows(x_test),
            "test_stable": stable, "importance_spread": spread, **first}


def _flat(v):
    if isinstance(v, dict):
        return np.concatenate([np.ravel(np.array(v[k], dtype=float)) for k in sorted(v)])
    return np.ravel(np.array(v, dtype=float))


def build_cases():
    cases = []
    xm, ym = moons(200, 23)
    for depth, rate, n in [(1, 1.0, 50), (1, 0.5, 30), (2, 1.0, 30), (2, 0.3, 40)]:
        cases.append(fit_case(f"moons-depth-{depth}-rate-{rate}", {"max_depth": depth, "learning_rate": rate,
                                                                    "n_estimators": n},
                              xm[:170], ym[:170], xm[170:]))
    xs, ys = moons(60, 7, noise=0.05)
    cases.append(fit_case("clean-moons-depth-2-labels-3-7", {"max_depth": 2, "learning_rate": 1.0,
                                                             "n_estimators": 20},
                          xs[:50], ys[:50] * 4 + 3, xs[50:]))
    # One feature separates the classes: the first stump is perfect, gets say 1, and boosting stops.
    xp = r6(np.random.default_rng(3).uniform(size=(40, 2)))
    yp = (xp[:, 1] > 0.5).astype(float)
    cases.append(fit_case("separable-perfect-stump", {"max_depth": 1, "learning_rate": 1.0, "n_estimators": 10},
                          xp[:30], yp[:30], xp[30:]))
    xi, yi = jittered_iris()
    test = np.arange(len(yi)) % 5 == 0
    for depth, rate, n in [(1, 1.0, 40), (1, 0.4, 25), (2, 0.7, 20)]:
        cases.append(fit_case(f"iris-depth-{depth}-rate-{rate}", {"max_depth": depth, "learning_rate": rate,
                                                                   "n_estimators": n},
                              xi[~test], yi[~test], xi[test]))
    return [c for c in cases if c is not None]


def main():
    doc = {
        "generator": "scripts/fixtures.d/adaboost.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "cases": build_cases(),
    }
    with open(os.path.join(OUT_DIR, "adaboost.json"), "w", newline="\n") as f:
        f.write(dump(doc) + "\n")
    print(f"[adaboost] {len(doc['cases'])} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
