//! DecisionTreeClassifier and DecisionTreeRegressor against scikit-learn on the same data
//! (`tests/fixtures/tree_decision_tree.json`, written by `scripts/fixtures.d/tree.py`), plus growth
//! step by step, `max_features`, and the bad-input checks.
//!
//! What is compared: in every case, which training rows reach each node (so the same partitions),
//! with each node's impurity and value, the node count, depth and leaf count, the training
//! predictions and score. In `tie_free` cases (every scikit-learn seed gives the same tree) also the
//! tree arrays node by node (feature, threshold, children), the feature importances and the leaf of
//! each test row; where the test predictions do not depend on scikit-learn's seed, those too.

// The same tests run natively and, under `wasm-pack test`, compiled to wasm in the browser.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mlplay::data::{generators, Dataset};
use mlplay::error::Error;
use mlplay::estimator::{Classifier, Fit, Iterative, Progress, Regressor};
use mlplay::rng::Rng;
use mlplay::tree::{
    ClassificationCriterion, DecisionTreeClassifierParams, DecisionTreeRegressorParams,
    GrowthOrder, MaxFeatures, MaxFeaturesRule, Tree,
};
use ndarray::{array, Array1, Array2};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixtures {
    decision_tree: Vec<Case>,
}

#[derive(Deserialize)]
struct SkTree {
    children_left: Vec<i64>,
    children_right: Vec<i64>,
    feature: Vec<i64>,
    threshold: Vec<f64>,
    impurity: Vec<f64>,
    n_node_samples: Vec<usize>,
    value: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    kind: String,
    params: serde_json::Value,
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    x_test: Vec<Vec<f64>>,
    tie_free: bool,
    test_stable: bool,
    node_count: usize,
    max_depth: usize,
    n_leaves: usize,
    tree: SkTree,
    node_rows: Vec<Vec<usize>>,
    feature_importances: Vec<f64>,
    apply: Vec<usize>,
    predictions: Vec<f64>,
    train_predictions: Vec<f64>,
    score: f64,
    #[serde(default)]
    classes: Vec<f64>,
    #[serde(default)]
    predict_proba: Vec<Vec<f64>>,
}

fn matrix(rows: &[Vec<f64>]) -> Array2<f64> {
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).expect("rectangular fixture")
}

fn cases() -> Vec<Case> {
    serde_json::from_str::<Fixtures>(include_str!("fixtures/tree_decision_tree.json"))
        .expect("fixture JSON")
        .decision_tree
}

/// The fitted tree, its training-set predictions and score, and (test predictions, probabilities).
struct Fitted {
    tree: Tree,
    importances: Vec<f64>,
    train_predictions: Array1<f64>,
    score: f64,
    predictions: Array1<f64>,
    proba: Option<Array2<f64>>,
}

fn fit(case: &Case) -> Fitted {
    let data = Dataset::new(matrix(&case.x), Array1::from(case.y.clone())).unwrap();
    let test = matrix(&case.x_test);
    let name = &case.name;
    if case.kind == "classifier" {
        let params: DecisionTreeClassifierParams = serde_json::from_value(case.params.clone())
            .unwrap_or_else(|e| panic!("{name}: params: {e}"));
        let m = params.fit(&data).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(m.classes, case.classes, "{name}: classes");
        Fitted {
            train_predictions: m.predict(data.x.view()).unwrap(),
            score: m.score(data.x.view(), data.y.view()).unwrap(),
            predictions: m.predict(test.view()).unwrap(),
            proba: Some(m.predict_proba(test.view()).unwrap()),
            importances: m.feature_importances,
            tree: m.tree,
        }
    } else {
        let params: DecisionTreeRegressorParams = serde_json::from_value(case.params.clone())
            .unwrap_or_else(|e| panic!("{name}: params: {e}"));
        let m = params.fit(&data).unwrap_or_else(|e| panic!("{name}: {e}"));
        Fitted {
            train_predictions: m.predict(data.x.view()).unwrap(),
            score: m.score(data.x.view(), data.y.view()).unwrap(),
            predictions: m.predict(test.view()).unwrap(),
            proba: None,
            importances: m.feature_importances,
            tree: m.tree,
        }
    }
}

/// For each node, the training rows that pass through it.
fn node_rows(tree: &Tree, x: &Array2<f64>) -> Vec<Vec<usize>> {
    let mut rows = vec![Vec::new(); tree.node_count()];
    for (r, row) in x.rows().into_iter().enumerate() {
        for id in tree.path_of(row) {
            rows[id].push(r);
        }
    }
    rows
}

#[test]
fn decision_trees_match_scikit_learn() {
    let all = cases();
    assert!(all.len() >= 20, "fixtures: {}", all.len());
    let (mut worst_threshold, mut worst_impurity, mut worst_value) = (0.0_f64, 0.0_f64, 0.0_f64);
    let mut full = 0;
    for case in &all {
        let name = &case.name;
        let f = fit(case);
        let t = &f.tree;
        assert_eq!(t.node_count(), case.node_count, "{name}: node count");
        assert_eq!(t.depth(), case.max_depth, "{name}: depth");
        assert_eq!(t.n_leaves(), case.n_leaves, "{name}: leaves");

        // The same partitions: match every scikit-learn node to ours by the rows it holds.
        let x = matrix(&case.x);
        let ours = node_rows(t, &x);
        let by_rows: std::collections::HashMap<&Vec<usize>, usize> =
            ours.iter().enumerate().map(|(i, r)| (r, i)).collect();
        let y_scale = case.y.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
        for (sk, rows) in case.node_rows.iter().enumerate() {
            let Some(&id) = by_rows.get(rows) else {
                panic!(
                    "{name}: scikit-learn node {sk} ({} rows) has no twin",
                    rows.len()
                );
            };
            let node = &t.nodes[id];
            assert_eq!(
                node.samples, case.tree.n_node_samples[sk],
                "{name}: node {sk}"
            );
            let di = (node.impurity - case.tree.impurity[sk]).abs() / (y_scale * y_scale);
            worst_impurity = worst_impurity.max(di);
            assert!(
                di < 1e-9,
                "{name}: node {sk} impurity {} vs {}",
                node.impurity,
                case.tree.impurity[sk]
            );
            for (a, b) in node.value.iter().zip(&case.tree.value[sk]) {
                let dv = (a - b).abs() / y_scale;
                worst_value = worst_value.max(dv);
                assert!(
                    dv < 1e-12,
                    "{name}: node {sk} value {:?} vs {:?}",
                    node.value,
                    case.tree.value[sk]
                );
            }
        }
        for (a, b) in f.train_predictions.iter().zip(&case.train_predictions) {
            assert!(
                (a - b).abs() <= 1e-12 * y_scale,
                "{name}: training prediction {a} vs {b}"
            );
        }
        assert!(
            (f.score - case.score).abs() < 1e-9,
            "{name}: score {} vs {}",
            f.score,
            case.score
        );

        if case.tie_free {
            full += 1;
            // Node by node in scikit-learn's numbering (depth-first, left before right).
            for (i, node) in t.nodes.iter().enumerate() {
                match node.split {
                    Some(s) => {
                        assert_eq!(
                            s.feature as i64, case.tree.feature[i],
                            "{name}: node {i} feature"
                        );
                        assert_eq!(
                            s.left as i64, case.tree.children_left[i],
                            "{name}: node {i} left"
                        );
                        assert_eq!(
                            s.right as i64, case.tree.children_right[i],
                            "{name}: node {i} right"
                        );
                        // scikit-learn cuts halfway between float32 copies of the values.
                        let th = case.tree.threshold[i];
                        let d = (s.threshold - th).abs() / th.abs().max(1.0);
                        worst_threshold = worst_threshold.max(d);
                        assert!(
                            d < 1e-6,
                            "{name}: node {i} threshold {} vs {th}",
                            s.threshold
                        );
                    }
                    None => {
                        assert_eq!(case.tree.children_left[i], -1, "{name}: node {i} is a leaf")
                    }
                }
            }
            for (a, b) in f.importances.iter().zip(&case.feature_importances) {
                assert!(
                    (a - b).abs() < 1e-9,
                    "{name}: importances {:?} vs {:?}",
                    f.importances,
                    case.feature_importances
                );
            }
            let test = matrix(&case.x_test);
            assert_eq!(t.apply(test.view()).unwrap(), case.apply, "{name}: apply");
        } else {
            // Importances still sum to 1 and cover the same total.
            let sum: f64 = f.importances.iter().sum();
            assert!(
                (sum - 1.0).abs() < 1e-12 || t.n_leaves() == 1,
                "{name}: importances sum {sum}"
            );
        }
        if case.tie_free || case.test_stable {
            for (a, b) in f.predictions.iter().zip(&case.predictions) {
                assert!(
                    (a - b).abs() <= 1e-12 * y_scale,
                    "{name}: prediction {a} vs {b}"
                );
            }
            if let Some(p) = &f.proba {
                assert_eq!(
                    p.dim(),
                    matrix(&case.predict_proba).dim(),
                    "{name}: proba shape"
                );
                for (a, b) in p.iter().zip(matrix(&case.predict_proba).iter()) {
                    assert!((a - b).abs() < 1e-12, "{name}: proba {a} vs {b}");
                }
            }
        }
    }
    assert!(full >= 8, "tie-free cases: {full}");
    println!(
        "decision trees vs scikit-learn: {} cases ({full} tie-free, compared node by node); \
         worst threshold {worst_threshold:.1e} (relative), impurity {worst_impurity:.1e}, value {worst_value:.1e}",
        all.len()
    );
}

fn moons(n: usize, seed: u64) -> Dataset {
    generators::moons(n, 0.3, &mut Rng::new(seed))
}

#[test]
fn growth_one_split_per_step_ends_at_the_fitted_tree() {
    let data = moons(200, 3);
    for order in [GrowthOrder::DepthFirst, GrowthOrder::BestFirst] {
        for params in [
            DecisionTreeClassifierParams::default(),
            DecisionTreeClassifierParams::default()
                .criterion(ClassificationCriterion::Entropy)
                .max_depth(Some(4)),
            DecisionTreeClassifierParams::default()
                .max_features(Some(MaxFeatures::Count(1)))
                .random_state(5),
        ] {
            let mut run = params.start(&data).unwrap();
            run.set_order(order);
            assert_eq!(run.model().node_count(), 1, "starts as one leaf");
            let mut steps = 0;
            loop {
                let before = run.model().n_leaves();
                let progress = run.step().unwrap();
                steps += 1;
                let snap = run.snapshot();
                assert_eq!(snap.tree.n_leaves(), before + 1, "one split per step");
                assert!(snap
                    .last_split
                    .is_some_and(|id| snap.tree.nodes[id].split.is_some()));
                if progress == Progress::Done {
                    assert!(snap.pending.iter().all(Option::is_none));
                    break;
                }
                assert!(snap.pending.iter().any(Option::is_some));
            }
            assert_eq!(
                run.step().unwrap(),
                Progress::Done,
                "a finished growth stays done"
            );
            assert_eq!(run.splits(), steps);
            assert_eq!(
                run.model(),
                params.fit(&data).unwrap(),
                "{order:?} {params:?}"
            );
        }
    }
}

#[test]
fn best_first_growth_takes_the_largest_decrease_first() {
    let data = moons(300, 8);
    let mut run = DecisionTreeClassifierParams::default()
        .start(&data)
        .unwrap();
    run.set_order(GrowthOrder::BestFirst);
    let n = data.n_samples() as f64;
    for _ in 0..8 {
        let before = run.snapshot();
        let best = before
            .pending
            .iter()
            .flatten()
            .fold(f64::NEG_INFINITY, |m, g| m.max(*g));
        run.step().unwrap();
        let snap = run.snapshot();
        let node = &snap.tree.nodes[snap.last_split.unwrap()];
        let s = node.split.unwrap();
        let (l, r) = (&snap.tree.nodes[s.left], &snap.tree.nodes[s.right]);
        let gain = (node.samples as f64 * node.impurity
            - l.samples as f64 * l.impurity
            - r.samples as f64 * r.impurity)
            / n;
        assert!(
            (gain - best).abs() < 1e-12,
            "split {gain} but {best} was pending"
        );
        assert_eq!(snap.tree.node_count(), before.tree.node_count() + 2);
    }
}

#[test]
fn probabilities_predictions_and_importances_agree() {
    let data = moons(150, 2);
    let m = DecisionTreeClassifierParams::default()
        .max_depth(Some(3))
        .fit(&data)
        .unwrap();
    let proba = m.predict_proba(data.x.view()).unwrap();
    for row in proba.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-12);
    }
    let predicted = m.predict(data.x.view()).unwrap();
    assert_eq!(
        predicted,
        mlplay::metrics::argmax_labels(proba.view(), &m.classes)
    );
    assert!(m.depth() <= 3 && m.n_leaves() <= 8);
    assert!((m.feature_importances.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // A full tree fits distinct training points exactly.
    let full = DecisionTreeClassifierParams::default().fit(&data).unwrap();
    assert_eq!(full.score(data.x.view(), data.y.view()).unwrap(), 1.0);
    // Thresholds sit halfway between training values, so no training value equals one.
    for node in &full.tree.nodes {
        if let Some(s) = node.split {
            assert!(data.x.column(s.feature).iter().all(|v| *v != s.threshold));
        }
    }
}

#[test]
fn max_features_draws_with_the_seed() {
    let mut rng = Rng::new(4);
    let data =
        generators::linear_regression(120, &[1.0, -2.0, 0.5, 3.0, 0.0, 1.5], 0.0, 0.5, &mut rng);
    let p = DecisionTreeRegressorParams::default()
        .max_depth(Some(5))
        .max_features(Some(MaxFeatures::Rule(MaxFeaturesRule::Sqrt)));
    let a = p.clone().random_state(1).fit(&data).unwrap();
    let b = p.clone().random_state(1).fit(&data).unwrap();
    assert_eq!(a, b, "same seed, same tree");
    let c = p.clone().random_state(2).fit(&data).unwrap();
    assert_ne!(a.tree, c.tree, "another seed draws other features");
    let all = DecisionTreeRegressorParams::default()
        .max_depth(Some(5))
        .fit(&data)
        .unwrap();
    let sq =
        |m: &mlplay::tree::DecisionTreeRegressor| m.score(data.x.view(), data.y.view()).unwrap();
    assert!(
        sq(&all) >= sq(&a),
        "looking at every feature fits the training set best"
    );
    // Fractions and counts resolve like scikit-learn's; too many features is an error.
    for m in [
        MaxFeatures::Fraction(0.5),
        MaxFeatures::Count(3),
        MaxFeatures::Rule(MaxFeaturesRule::Log2),
    ] {
        DecisionTreeRegressorParams::default()
            .max_features(Some(m))
            .fit(&data)
            .unwrap();
    }
    let e = DecisionTreeRegressorParams::default()
        .max_features(Some(MaxFeatures::Count(7)))
        .fit(&data)
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidParam { param, .. } if param == "max_features"),
        "{e:?}"
    );
}

#[test]
fn one_class_gives_a_single_leaf_and_constant_features_never_split() {
    let one = Dataset::new(
        array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
        array![4.0, 4.0, 4.0],
    )
    .unwrap();
    let m = DecisionTreeClassifierParams::default().fit(&one).unwrap();
    assert_eq!((m.node_count(), m.classes.clone()), (1, vec![4.0]));
    assert_eq!(m.predict(array![[0.0, 0.0]].view()).unwrap(), array![4.0]);
    assert_eq!(m.feature_importances, vec![0.0, 0.0]);
    let flat = Dataset::new(
        array![[1.0], [1.0], [1.0], [1.0]],
        array![0.0, 1.0, 0.0, 1.0],
    )
    .unwrap();
    let m = DecisionTreeClassifierParams::default().fit(&flat).unwrap();
    assert_eq!(m.node_count(), 1, "nothing to split on");
    assert_eq!(
        m.predict_proba(array![[1.0]].view()).unwrap(),
        array![[0.5, 0.5]]
    );
}

#[test]
fn params_validate_and_round_trip() {
    let bad = |p: DecisionTreeClassifierParams, name: &str| match p.validate() {
        Err(Error::InvalidParam { param, allowed, .. }) => {
            assert_eq!(param, name);
            assert!(!allowed.is_empty());
        }
        other => panic!("{name}: {other:?}"),
    };
    let d = DecisionTreeClassifierParams::default;
    bad(d().max_depth(Some(0)), "max_depth");
    bad(d().min_samples_split(1), "min_samples_split");
    bad(d().min_samples_leaf(0), "min_samples_leaf");
    bad(
        d().max_features(Some(MaxFeatures::Count(0))),
        "max_features",
    );
    bad(
        d().max_features(Some(MaxFeatures::Fraction(1.5))),
        "max_features",
    );
    bad(d().min_impurity_decrease(-1.0), "min_impurity_decrease");

    let p: DecisionTreeClassifierParams = serde_json::from_str(
        r#"{"criterion": "log_loss", "max_depth": 3, "max_features": "sqrt", "random_state": 4}"#,
    )
    .unwrap();
    assert_eq!(p.criterion, ClassificationCriterion::Entropy);
    assert_eq!(
        p.max_features,
        Some(MaxFeatures::Rule(MaxFeaturesRule::Sqrt))
    );
    assert_eq!(
        p.min_samples_leaf, 1,
        "missing keys take scikit-learn's defaults"
    );
    let frac: DecisionTreeClassifierParams =
        serde_json::from_str(r#"{"max_features": 0.5}"#).unwrap();
    assert_eq!(frac.max_features, Some(MaxFeatures::Fraction(0.5)));
    let back: DecisionTreeClassifierParams =
        serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
    assert!(
        serde_json::from_str::<DecisionTreeClassifierParams>(r#"{"criterion": "mse"}"#).is_err()
    );
    assert!(
        serde_json::from_str::<DecisionTreeRegressorParams>(r#"{"criterion": "gini"}"#).is_err()
    );

    // The fitted model survives JSON.
    let m = d().max_depth(Some(3)).fit(&moons(60, 1)).unwrap();
    let text = serde_json::to_string(&m).unwrap();
    let back: mlplay::tree::DecisionTreeClassifier = serde_json::from_str(&text).unwrap();
    assert_eq!(back.tree.node_count(), m.tree.node_count());
    assert_eq!(
        back.predict(m_x().view()).unwrap(),
        m.predict(m_x().view()).unwrap()
    );
}

fn m_x() -> Array2<f64> {
    moons(60, 1).x
}
