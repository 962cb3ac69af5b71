//! GradientBoostingRegressor and GradientBoostingClassifier against scikit-learn 1.9.1
//! (`tests/fixtures/ensemble.json`, written by `scripts/fixtures.d/ensemble.py`), plus early
//! stopping, subsampling, stage-by-stage runs and the typed errors.
//!
//! Compared to 1e-9 (relative): the initial prediction, the training loss after every stage, the
//! training predictions and decision values; exactly: the stage count, leaves per tree and the
//! predicted labels. On held-out rows whose outputs do not depend on scikit-learn's seed (exact
//! split ties, see the script), predictions, staged predictions, probabilities and decision values
//! to 1e-9. Feature importances to 1e-9 where scikit-learn's do not move with its seed.
#![cfg(not(target_arch = "wasm32"))]

use mlplay::data::Dataset;
use mlplay::ensemble::{
    GradientBoostingClassifier, GradientBoostingClassifierParams, GradientBoostingRegressor,
    GradientBoostingRegressorParams,
};
use mlplay::error::Error;
use mlplay::estimator::{Classifier, Fit, Iterative, Progress, Regressor};
use ndarray::{Array1, Array2};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Fixtures {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    kind: String,
    params: serde_json::Value,
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    x_test: Vec<Vec<f64>>,
    test_stable: Vec<bool>,
    importance_spread: f64,
    init: Vec<f64>,
    n_estimators: usize,
    train_score: Vec<f64>,
    leaves: Vec<Vec<usize>>,
    train_predictions: Vec<f64>,
    feature_importances: Vec<f64>,
    predictions: Vec<f64>,
    staged_predictions: BTreeMap<String, Vec<f64>>,
    #[serde(default)]
    classes: Vec<f64>,
    #[serde(default)]
    train_decision: Vec<Vec<f64>>,
    #[serde(default)]
    predict_proba: Vec<Vec<f64>>,
    #[serde(default)]
    decision_function: Vec<Vec<f64>>,
}

fn fixtures() -> Vec<Case> {
    serde_json::from_str::<Fixtures>(include_str!("fixtures/ensemble.json"))
        .expect("ensemble.json parses")
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
            (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            "{what}[{i}]: ours {a}, scikit-learn {b}"
        );
    }
}

/// Keeps the entries of the rows every scikit-learn seed agrees on.
fn stable<T: Clone>(case: &Case, values: &[T]) -> Vec<T> {
    values
        .iter()
        .zip(&case.test_stable)
        .filter(|(_, s)| **s)
        .map(|(v, _)| v.clone())
        .collect()
}

fn flat(rows: impl IntoIterator<Item = Vec<f64>>) -> Vec<f64> {
    rows.into_iter().flatten().collect()
}

fn rows_of(a: &Array2<f64>) -> Vec<Vec<f64>> {
    a.rows().into_iter().map(|r| r.to_vec()).collect()
}

/// What both kinds share: start, stage losses, tree sizes, importances.
fn check_common(case: &Case, trees: &mlplay::ensemble::BoostedTrees) {
    let name = &case.name;
    assert_close(&format!("{name}: init"), &trees.init, &case.init);
    assert_eq!(trees.n_stages(), case.n_estimators, "{name}: stages");
    assert_close(
        &format!("{name}: train_score"),
        &trees.train_score,
        &case.train_score,
    );
    let leaves: Vec<Vec<usize>> = trees
        .stages
        .iter()
        .map(|s| s.iter().map(|t| t.n_leaves()).collect())
        .collect();
    assert_eq!(leaves, case.leaves, "{name}: leaves per tree");
    let total: f64 = trees.feature_importances.iter().sum();
    assert!(
        (total - 1.0).abs() < 1e-12,
        "{name}: importances sum to {total}"
    );
    // With tied splits the credit goes to whichever feature won the tie, in their trees and ours.
    if case.importance_spread <= 1e-9 {
        assert_close(
            &format!("{name}: importances"),
            &trees.feature_importances,
            &case.feature_importances,
        );
    }
}

#[test]
fn regressors_match_scikit_learn() {
    let cases: Vec<Case> = fixtures()
        .into_iter()
        .filter(|c| c.kind == "regressor")
        .collect();
    assert!(cases.len() >= 3);
    for case in &cases {
        let name = &case.name;
        let params: GradientBoostingRegressorParams =
            serde_json::from_value(case.params.clone()).unwrap();
        let data = Dataset::new(matrix(&case.x), Array1::from(case.y.clone())).unwrap();
        let model = params.fit(&data).unwrap();
        check_common(case, &model.trees);
        let train = model.predict(data.x.view()).unwrap();
        assert_close(
            &format!("{name}: train predictions"),
            train.as_slice().unwrap(),
            &case.train_predictions,
        );
        let x_test = matrix(&case.x_test);
        let test = model.predict(x_test.view()).unwrap().to_vec();
        assert_close(
            &format!("{name}: held-out predictions"),
            &stable(case, &test),
            &stable(case, &case.predictions),
        );
        let staged = model.staged_predict(x_test.view()).unwrap();
        for (stage, theirs) in &case.staged_predictions {
            let s: usize = stage.parse().unwrap();
            assert_close(
                &format!("{name}: stage {s}"),
                &stable(case, &staged[s - 1].to_vec()),
                &stable(case, theirs),
            );
        }
    }
}

#[test]
fn classifiers_match_scikit_learn() {
    let cases: Vec<Case> = fixtures()
        .into_iter()
        .filter(|c| c.kind == "classifier")
        .collect();
    assert!(cases.len() >= 5);
    for case in &cases {
        let name = &case.name;
        let params: GradientBoostingClassifierParams =
            serde_json::from_value(case.params.clone()).unwrap();
        let data = Dataset::new(matrix(&case.x), Array1::from(case.y.clone())).unwrap();
        let model = params.fit(&data).unwrap();
        assert_eq!(model.classes, case.classes, "{name}: classes");
        check_common(case, &model.trees);
        assert_eq!(
            model.predict(data.x.view()).unwrap().to_vec(),
            case.train_predictions,
            "{name}: train labels"
        );
        assert_close(
            &format!("{name}: train decision"),
            &flat(rows_of(&model.decision_function(data.x.view()).unwrap())),
            &flat(case.train_decision.clone()),
        );
        let x_test = matrix(&case.x_test);
        assert_eq!(
            stable(case, &model.predict(x_test.view()).unwrap().to_vec()),
            stable(case, &case.predictions),
            "{name}: held-out labels"
        );
        assert_close(
            &format!("{name}: probabilities"),
            &flat(stable(
                case,
                &rows_of(&model.predict_proba(x_test.view()).unwrap()),
            )),
            &flat(stable(case, &case.predict_proba)),
        );
        assert_close(
            &format!("{name}: decision"),
            &flat(stable(
                case,
                &rows_of(&model.decision_function(x_test.view()).unwrap()),
            )),
            &flat(stable(case, &case.decision_function)),
        );
        let staged = model.staged_predict(x_test.view()).unwrap();
        for (stage, theirs) in &case.staged_predictions {
            let s: usize = stage.parse().unwrap();
            assert_eq!(
                stable(case, &staged[s - 1].to_vec()),
                stable(case, theirs),
                "{name}: stage {s} labels"
            );
        }
    }
}

fn noisy_sine(n: usize, seed: u64) -> Dataset {
    let mut rng = mlplay::rng::Rng::new(seed);
    let x = Array2::from_shape_fn((n, 1), |_| rng.uniform_range(0.0, 6.0));
    let y = x.column(0).mapv(|v| v.sin()) + Array1::from_shape_fn(n, |_| 0.3 * rng.normal());
    Dataset::new(x, y).unwrap()
}

#[test]
fn early_stopping_ends_when_the_validation_loss_stalls() {
    let data = noisy_sine(300, 3);
    let params = GradientBoostingRegressor::params()
        .n_estimators(2000)
        .learning_rate(0.3)
        .n_iter_no_change(Some(5))
        .random_state(1);
    let model = params.fit(&data).unwrap();
    let n = model.trees.n_stages();
    assert!(n < 2000, "stopped early ({n} stages)");
    let val = &model.trees.validation_score;
    assert_eq!(val.len(), n);
    // The last 5 losses did not beat the best one before them by tol.
    let best_before = val[..n - 5].iter().copied().fold(f64::INFINITY, f64::min);
    assert!(val[n - 5..].iter().all(|&v| v + 1e-4 >= best_before));
    // Same seed, same stop; without early stopping every stage is fitted.
    assert_eq!(params.fit(&data).unwrap().trees.n_stages(), n);
    let full = GradientBoostingRegressor::params()
        .n_estimators(50)
        .fit(&data)
        .unwrap();
    assert_eq!(full.trees.n_stages(), 50);
    assert!(full.trees.validation_score.is_empty());
}

#[test]
fn subsampling_is_seeded_and_each_run_step_is_one_stage() {
    let data = noisy_sine(200, 5);
    let params = GradientBoostingRegressor::params()
        .n_estimators(30)
        .subsample(0.5);
    let a = params.clone().random_state(7).fit(&data).unwrap();
    let b = params.clone().random_state(7).fit(&data).unwrap();
    let c = params.random_state(8).fit(&data).unwrap();
    assert_eq!(a, b, "same seed, same model");
    assert_ne!(
        a.trees.train_score, c.trees.train_score,
        "the seed draws the subsamples"
    );

    let mut run = GradientBoostingClassifier::params()
        .n_estimators(4)
        .start(&Dataset {
            y: data.y.mapv(|v| f64::from(u8::from(v > 0.0))),
            ..data.clone()
        })
        .unwrap();
    let mut stages = 0;
    while run.step().unwrap() == Progress::Running {
        stages += 1;
        assert_eq!(run.model().trees.n_stages(), stages);
    }
    assert_eq!(run.model().trees.n_stages(), 4);
}

#[test]
fn bad_parameters_and_data_are_typed_errors() {
    let data = noisy_sine(40, 1);
    for (params, key) in [
        (
            GradientBoostingRegressor::params().learning_rate(0.0),
            "learning_rate",
        ),
        (
            GradientBoostingRegressor::params().n_estimators(0),
            "n_estimators",
        ),
        (
            GradientBoostingRegressor::params().subsample(1.5),
            "subsample",
        ),
        (
            GradientBoostingRegressor::params().n_iter_no_change(Some(0)),
            "n_iter_no_change",
        ),
        (
            GradientBoostingRegressor::params().max_depth(Some(0)),
            "max_depth",
        ),
    ] {
        match params.fit(&data) {
            Err(Error::InvalidParam { param, .. }) => assert_eq!(param, key),
            other => panic!("{key}: {other:?}"),
        }
    }
    let one_class = Dataset {
        y: Array1::zeros(40),
        ..data.clone()
    };
    assert!(matches!(
        GradientBoostingClassifier::params().fit(&one_class),
        Err(Error::InvalidParam { .. })
    ));
    let model = GradientBoostingRegressor::params()
        .n_estimators(3)
        .fit(&data)
        .unwrap();
    assert!(matches!(
        model.predict(Array2::zeros((2, 3)).view()),
        Err(Error::Shape(_))
    ));
    let json = serde_json::to_string(&model.params).unwrap();
    let back: GradientBoostingRegressorParams = serde_json::from_str(&json).unwrap();
    assert_eq!(back, model.params);
    let _: GradientBoostingClassifier = GradientBoostingClassifier::params()
        .n_estimators(2)
        .fit(&Dataset {
            y: data.y.mapv(|v| f64::from(u8::from(v > 0.0))),
            ..data
        })
        .unwrap();
}
