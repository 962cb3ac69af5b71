//! `mlplay fit gradient-boosting-classifier|regressor`: the printed stage losses, predictions and
//! probabilities match scikit-learn's fits of the same CSVs (fixture cases `boosting-three-csv`
//! and `tree-sine-small-csv` in `ensemble.json`), and a bad parameter is a readable error.
#![cfg(not(target_arch = "wasm32"))] // spawns the CLI

use crate::common;

use common::{assert_close, fit_json, fixture_case, mlplay};

fn case(name: &str) -> serde_json::Value {
    fixture_case(include_str!("fixtures/ensemble.json"), "cases", name)
}

/// Boosting output agrees with scikit-learn's to 1e-9 relative.
fn close(what: &str, ours: &serde_json::Value, theirs: &serde_json::Value) {
    assert_close(what, ours, theirs, 1e-9);
}

#[test]
fn classifier_matches_scikit_learn() {
    let expected = case("boosting-three-csv");
    let out = fit_json(&[
        "fit",
        "gradient-boosting-classifier",
        "--data",
        "tests/fixtures/data/boosting_three.csv",
        "--target",
        "label",
        "--set",
        "n_estimators=20",
        "--set",
        "max_depth=2",
        "--predict",
        "tests/fixtures/data/boosting_three_predict.csv",
    ]);
    assert_eq!(out["estimator"], "gradient-boosting-classifier");
    assert_eq!(out["n_stages"], 20);
    assert_eq!(out["classes"], expected["classes"]);
    assert_eq!(out["leaves"], expected["leaves"]);
    close(
        "stage losses",
        &out["stage_losses"],
        &expected["train_score"],
    );
    close("init", &out["init"], &expected["init"]);
    assert_eq!(out["predictions"], expected["predictions"]);
    close(
        "probabilities",
        &out["probabilities"],
        &expected["predict_proba"],
    );
}

#[test]
fn regressor_matches_scikit_learn_and_stops_early_on_request() {
    let expected = case("tree-sine-small-csv");
    let args = [
        "fit",
        "gradient-boosting-regressor",
        "--data",
        "tests/fixtures/data/tree_sine_small.csv",
        "--target",
        "y",
        "--set",
        "n_estimators=30",
        "--set",
        "max_depth=2",
        "--predict",
        "tests/fixtures/data/tree_sine_small_predict.csv",
    ];
    let out = fit_json(&args);
    close(
        "stage losses",
        &out["stage_losses"],
        &expected["train_score"],
    );
    close("predictions", &out["predictions"], &expected["predictions"]);
    close(
        "importances",
        &out["feature_importances"],
        &expected["feature_importances"],
    );

    let mut early = args.to_vec();
    early.extend(["--set", "n_iter_no_change=3", "--set", "n_estimators=500"]);
    let out = fit_json(&early);
    let stages = out["n_stages"].as_u64().unwrap();
    assert!(stages < 500, "early stopping ran {stages} stages");
    assert_eq!(
        out["validation_losses"].as_array().unwrap().len() as u64,
        stages
    );
}

#[test]
fn a_bad_parameter_names_itself_and_its_range() {
    let (ok, _, stderr) = mlplay(&[
        "fit",
        "gradient-boosting-regressor",
        "--data",
        "tests/fixtures/data/tree_sine_small.csv",
        "--target",
        "y",
        "--set",
        "subsample=0",
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("subsample") && stderr.contains("(0, 1]"),
        "{stderr}"
    );
}
