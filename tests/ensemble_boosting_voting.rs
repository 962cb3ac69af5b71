//! AdaBoostClassifier (SAMME) against scikit-learn 1.9.1 (`tests/fixtures/adaboost.json`, written
//! by `scripts/fixtures.d/adaboost.py`), the weighted tree fit it relies on, and the typed errors.
//!
//! Compared to 1e-9 (relative, 1e-12 absolute floor): each round's say and weighted error, the
//! decision values and probabilities on the training rows (final and after rounds 1, 2, 3, 5, 10,
//! 20); exactly: the number of trees kept and the predicted labels. On held-out rows whose outputs
//! do not depend on scikit-learn's seed (exact split ties, see the script) the same quantities;
//! feature importances to 1e-9 where scikit-learn's do not move with its seed.
//!
//! VotingClassifier (hard, soft, weighted) and StackingClassifier (cv=5, with and without
//! passthrough) against scikit-learn (`tests/fixtures/voting.json`, from
//! `scripts/fixtures.d/voting.py`), with deterministic members: a logistic regression fitted to
//! its optimum (tol 1e-10), 5-nearest neighbours and a depth-3 tree without split ties.
//! Probabilities and stacking's meta-features to 1e-6 absolute: the logistic regression optimum is
//! only known to that accuracy (two solvers, theirs and ours, stop at slightly different points);
//! predicted labels exactly.
#![cfg(not(target_arch = "wasm32"))]

use mlplay::data::Dataset;
use mlplay::ensemble::{
    AdaBoostClassifier, AdaBoostClassifierParams, Member, StackingClassifierParams, Voting,
    VotingClassifierParams,
};
use mlplay::error::Error;
use mlplay::estimator::{Classifier, Fit, Iterative, Progress};
use mlplay::linear::LogisticRegressionParams;
use mlplay::neighbors::KNeighborsClassifierParams;
use mlplay::tree::DecisionTreeClassifier;
use mlplay::tree::DecisionTreeClassifierParams;
use ndarray::{Array1, Array2};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Fixtures {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Params {
    max_depth: usize,
    learning_rate: f64,
    n_estimators: usize,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    params: Params,
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    x_test: Vec<Vec<f64>>,
    test_stable: Vec<bool>,
    importance_spread: f64,
    classes: Vec<f64>,
    n_trees: usize,
    estimator_weights: Vec<f64>,
    estimator_errors: Vec<f64>,
    feature_importances: Vec<f64>,
    train_decision: Vec<Vec<f64>>,
    train_proba: Vec<Vec<f64>>,
    train_predictions: Vec<f64>,
    train_staged_decision: BTreeMap<String, Vec<Vec<f64>>>,
    decision_function: Vec<Vec<f64>>,
    predict_proba: Vec<Vec<f64>>,
    predictions: Vec<f64>,
    staged_decision: BTreeMap<String, Vec<Vec<f64>>>,
}

fn fixtures() -> Vec<Case> {
    serde_json::from_str::<Fixtures>(include_str!("fixtures/adaboost.json"))
        .expect("adaboost.json parses")
        .cases
}

fn matrix(rows: &[Vec<f64>]) -> Array2<f64> {
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_fn((rows.len(), cols), |(i, j)| rows[i][j])
}

fn assert_close(what: &str, ours: &[f64], theirs: &[f64]) {
    assert_eq!(ours.len(), theirs.len(), "{what}: lengths");
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1e-3),
            "{what}[{i}]: ours {a}, scikit-learn {b}"
        );
    }
}

fn rows_of(a: &Array2<f64>) -> Vec<Vec<f64>> {
    a.rows().into_iter().map(|r| r.to_vec()).collect()
}

/// The rows every scikit-learn seed agrees on, flattened.
fn stable(mask: &[bool], rows: &[Vec<f64>]) -> Vec<f64> {
    rows.iter()
        .zip(mask)
        .filter(|(_, s)| **s)
        .flat_map(|(r, _)| r.clone())
        .collect()
}

fn fit_case(case: &Case) -> AdaBoostClassifier {
    let data = Dataset::new(matrix(&case.x), Array1::from(case.y.clone())).unwrap();
    AdaBoostClassifierParams::default()
        .max_depth(case.params.max_depth)
        .learning_rate(case.params.learning_rate)
        .n_estimators(case.params.n_estimators)
        .fit(&data)
        .unwrap_or_else(|e| panic!("{}: {e}", case.name))
}

#[test]
fn adaboost_matches_scikit_learn() {
    let cases = fixtures();
    assert!(cases.len() >= 8, "fixture cases: {}", cases.len());
    let mut compared_test_rows = 0;
    for case in &cases {
        let name = &case.name;
        let model = fit_case(case);
        let x = matrix(&case.x);
        let xt = matrix(&case.x_test);
        assert_eq!(model.classes, case.classes, "{name}: classes");
        assert_eq!(model.estimators.len(), case.n_trees, "{name}: trees kept");
        assert_close(
            &format!("{name}: estimator_weights"),
            &model.estimator_weights,
            &case.estimator_weights,
        );
        assert_close(
            &format!("{name}: estimator_errors"),
            &model.estimator_errors,
            &case.estimator_errors,
        );
        if case.importance_spread <= 1e-12 {
            assert_close(
                &format!("{name}: importances"),
                &model.feature_importances(),
                &case.feature_importances,
            );
        }
        let flat = |r: &[Vec<f64>]| r.iter().flatten().copied().collect::<Vec<f64>>();
        let dec = model.decision_function(x.view()).unwrap();
        assert_close(
            &format!("{name}: train decision"),
            &flat(&rows_of(&dec)),
            &flat(&case.train_decision),
        );
        let proba = model.predict_proba(x.view()).unwrap();
        assert_close(
            &format!("{name}: train proba"),
            &flat(&rows_of(&proba)),
            &flat(&case.train_proba),
        );
        assert_eq!(
            model.predict(x.view()).unwrap().to_vec(),
            case.train_predictions,
            "{name}: train predictions"
        );
        let staged = model.staged_decision_function(x.view()).unwrap();
        let staged_t = model.staged_decision_function(xt.view()).unwrap();
        assert_eq!(staged.len(), case.n_trees, "{name}: stages");
        for (s, theirs) in &case.train_staged_decision {
            let s: usize = s.parse().unwrap();
            assert_close(
                &format!("{name}: train staged decision after {s}"),
                &flat(&rows_of(&staged[s - 1])),
                &flat(theirs),
            );
            assert_close(
                &format!("{name}: held-out staged decision after {s}"),
                &stable(&case.test_stable, &rows_of(&staged_t[s - 1])),
                &stable(&case.test_stable, &case.staged_decision[&s.to_string()]),
            );
        }
        let mask = &case.test_stable;
        compared_test_rows += mask.iter().filter(|s| **s).count();
        let dec_t = model.decision_function(xt.view()).unwrap();
        assert_close(
            &format!("{name}: held-out decision"),
            &stable(mask, &rows_of(&dec_t)),
            &stable(mask, &case.decision_function),
        );
        let proba_t = model.predict_proba(xt.view()).unwrap();
        assert_close(
            &format!("{name}: held-out proba"),
            &stable(mask, &rows_of(&proba_t)),
            &stable(mask, &case.predict_proba),
        );
        let pred_t: Vec<Vec<f64>> = model
            .predict(xt.view())
            .unwrap()
            .iter()
            .map(|v| vec![*v])
            .collect();
        let theirs: Vec<Vec<f64>> = case.predictions.iter().map(|v| vec![*v]).collect();
        assert_eq!(
            stable(mask, &pred_t),
            stable(mask, &theirs),
            "{name}: held-out labels"
        );
        // staged_predict's last stage is predict.
        let last = model.staged_predict(xt.view()).unwrap();
        assert_eq!(last.last().unwrap(), &model.predict(xt.view()).unwrap());
    }
    assert!(
        compared_test_rows >= 200,
        "held-out rows compared: {compared_test_rows}"
    );
}

#[test]
fn one_round_per_step_and_weights_sum_to_one() {
    let case = fixtures().into_iter().next().unwrap();
    let data = Dataset::new(matrix(&case.x), Array1::from(case.y.clone())).unwrap();
    let params = AdaBoostClassifierParams::default().n_estimators(7);
    let mut run = params.start(&data).unwrap();
    let mut steps = 0;
    loop {
        let p = run.step().unwrap();
        steps += 1;
        assert_eq!(run.model().estimators.len(), steps);
        assert!(run.newest().is_some());
        if p == Progress::Done {
            break;
        }
        let total: f64 = run.sample_weights().iter().sum();
        assert!((total - 1.0).abs() < 1e-12, "weights sum to {total}");
    }
    assert_eq!(steps, 7);
    assert_eq!(run.model(), params.fit(&data).unwrap());
}

#[test]
fn weighted_tree_equals_a_tree_on_repeated_rows() {
    // Integer weights act as copies of the rows: same splits, same leaf fractions.
    let x = ndarray::array![
        [0.1, 3.0],
        [0.4, 1.0],
        [0.35, 2.0],
        [0.8, 0.5],
        [0.9, 2.5],
        [0.2, 0.1]
    ];
    let y = ndarray::array![0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
    let w = [1.0, 3.0, 2.0, 1.0, 2.0, 1.0];
    let weighted = DecisionTreeClassifier::params()
        .fit_weighted(&Dataset::new(x.clone(), y.clone()).unwrap(), Some(&w))
        .unwrap();
    let idx: Vec<usize> = (0..6)
        .flat_map(|i| std::iter::repeat_n(i, w[i] as usize))
        .collect();
    let xr = x.select(ndarray::Axis(0), &idx);
    let yr = y.select(ndarray::Axis(0), &idx);
    let repeated = DecisionTreeClassifier::params()
        .fit(&Dataset::new(xr, yr).unwrap())
        .unwrap();
    assert_eq!(weighted.tree.n_leaves(), repeated.tree.n_leaves());
    for (a, b) in weighted.tree.nodes.iter().zip(&repeated.tree.nodes) {
        assert_eq!(a.split.map(|s| s.feature), b.split.map(|s| s.feature));
        assert_eq!(a.value, b.value);
        assert_eq!(a.weighted_samples, b.samples as f64);
    }
    assert_eq!(weighted.feature_importances, repeated.feature_importances);
}

#[test]
fn typed_errors() {
    let data = Dataset::new(
        ndarray::array![[0.0], [1.0], [2.0], [3.0]],
        ndarray::array![0.0, 0.0, 1.0, 1.0],
    )
    .unwrap();
    for (params, what) in [
        (
            AdaBoostClassifierParams::default().n_estimators(0),
            "n_estimators",
        ),
        (
            AdaBoostClassifierParams::default().learning_rate(0.0),
            "learning_rate",
        ),
        (
            AdaBoostClassifierParams::default().learning_rate(f64::NAN),
            "learning_rate",
        ),
    ] {
        match params.fit(&data) {
            Err(Error::InvalidParam { param, .. }) => assert_eq!(param, what),
            other => panic!("{what}: {other:?}"),
        }
    }
    let tree = DecisionTreeClassifier::params();
    for w in [
        vec![1.0; 3],
        vec![1.0, -1.0, 1.0, 1.0],
        vec![0.0; 4],
        vec![1.0, f64::NAN, 1.0, 1.0],
    ] {
        match tree.fit_weighted(&data, Some(&w)) {
            Err(Error::InvalidParam { param, .. }) => assert_eq!(param, "sample_weight"),
            other => panic!("{w:?}: {other:?}"),
        }
    }
    // A stump that cannot beat chance (XOR) is refused on the first round.
    let xor = Dataset::new(
        ndarray::array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
        ndarray::array![0.0, 1.0, 1.0, 0.0],
    )
    .unwrap();
    assert!(matches!(
        AdaBoostClassifierParams::default().fit(&xor),
        Err(Error::InvalidParam { .. })
    ));
    let model = AdaBoostClassifierParams::default().fit(&data).unwrap();
    assert!(matches!(
        model.predict(ndarray::Array2::zeros((2, 3)).view()),
        Err(Error::Shape(_))
    ));
}

#[derive(Deserialize)]
struct VotingFixtures {
    cases: Vec<VotingCase>,
}

#[derive(Deserialize)]
struct VotingCase {
    name: String,
    kind: String,
    params: serde_json::Value,
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    x_test: Vec<Vec<f64>>,
    predictions: Vec<f64>,
    train_predictions: Vec<f64>,
    #[serde(default)]
    predict_proba: Vec<Vec<f64>>,
    #[serde(default)]
    transform: Vec<Vec<f64>>,
}

fn tight_logistic() -> LogisticRegressionParams {
    LogisticRegressionParams {
        tol: 1e-10,
        max_iter: 10000,
        ..LogisticRegressionParams::default()
    }
}

fn fixture_members() -> Vec<Member> {
    vec![
        Member::LogisticRegression(tight_logistic()),
        Member::KNeighbors(KNeighborsClassifierParams::default()),
        Member::DecisionTree(DecisionTreeClassifierParams::default().max_depth(Some(3))),
    ]
}

fn assert_abs(what: &str, ours: &Array2<f64>, theirs: &[Vec<f64>], tol: f64) {
    let theirs = matrix(theirs);
    assert_eq!(ours.dim(), theirs.dim(), "{what}: shape");
    let worst = (ours - &theirs).iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(worst <= tol, "{what}: worst difference {worst:.2e}");
}

#[test]
fn voting_and_stacking_match_scikit_learn() {
    let cases = serde_json::from_str::<VotingFixtures>(include_str!("fixtures/voting.json"))
        .expect("voting.json parses")
        .cases;
    assert!(cases.len() >= 10, "voting cases: {}", cases.len());
    for case in &cases {
        let name = &case.name;
        let data = Dataset::new(matrix(&case.x), Array1::from(case.y.clone())).unwrap();
        let x = matrix(&case.x);
        let xt = matrix(&case.x_test);
        let (pred, train_pred) = if case.kind == "voting" {
            let voting = match case.params["voting"].as_str() {
                Some("soft") => Voting::Soft,
                _ => Voting::Hard,
            };
            let weights = case.params.get("weights").map(|w| {
                w.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap())
                    .collect()
            });
            let model = VotingClassifierParams::default()
                .estimators(fixture_members())
                .voting(voting)
                .weights(weights)
                .fit(&data)
                .unwrap();
            if voting == Voting::Soft {
                assert_abs(
                    &format!("{name}: proba"),
                    &model.predict_proba(xt.view()).unwrap(),
                    &case.predict_proba,
                    1e-6,
                );
            }
            (
                model.predict(xt.view()).unwrap(),
                model.predict(x.view()).unwrap(),
            )
        } else {
            let mut params = StackingClassifierParams::default()
                .estimators(fixture_members())
                .passthrough(case.params["passthrough"].as_bool().unwrap());
            params.final_estimator = tight_logistic();
            let model = params.fit(&data).unwrap();
            assert_abs(
                &format!("{name}: transform"),
                &model.transform(xt.view()).unwrap(),
                &case.transform,
                1e-6,
            );
            assert_abs(
                &format!("{name}: proba"),
                &model.predict_proba(xt.view()).unwrap(),
                &case.predict_proba,
                1e-6,
            );
            (
                model.predict(xt.view()).unwrap(),
                model.predict(x.view()).unwrap(),
            )
        };
        assert_eq!(pred.to_vec(), case.predictions, "{name}: labels");
        assert_eq!(
            train_pred.to_vec(),
            case.train_predictions,
            "{name}: train labels"
        );
    }
}

#[test]
fn voting_and_stacking_errors() {
    let data = Dataset::new(
        ndarray::array![[0.0], [1.0], [2.0], [3.0]],
        ndarray::array![0.0, 0.0, 1.0, 1.0],
    )
    .unwrap();
    let cases: Vec<(Result<(), Error>, &str)> = vec![
        (
            VotingClassifierParams::default()
                .estimators(vec![])
                .fit(&data)
                .map(|_| ()),
            "estimators",
        ),
        (
            VotingClassifierParams::default()
                .weights(Some(vec![1.0]))
                .fit(&data)
                .map(|_| ()),
            "weights",
        ),
        (
            StackingClassifierParams::default()
                .cv(1)
                .fit(&data)
                .map(|_| ()),
            "cv",
        ),
    ];
    for (got, what) in cases {
        match got {
            Err(Error::InvalidParam { param, .. }) => assert_eq!(param, what),
            other => panic!("{what}: {other:?}"),
        }
    }
}
