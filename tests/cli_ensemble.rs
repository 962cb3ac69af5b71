//! `mlplay fit gradient-boosting-classifier|regressor`: the printed stage losses, predictions and
//! probabilities match scikit-learn's fits of the same CSVs (fixture cases `boosting-three-csv`
//! and `tree-sine-small-csv` in `ensemble.json`), and a bad parameter is a readable error.
#![cfg(not(target_arch = "wasm32"))] // spawns the CLI

mod common;

use common::{mlplay, numbers};

fn case(name: &str) -> serde_json::Value {
    let all: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/ensemble.json")).unwrap();
    all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("fixture case {name}"))
}

fn assert_close(what: &str, ours: &serde_json::Value, theirs: &serde_json::Value) {
    let (a, b) = (numbers(ours), numbers(theirs));
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert!(
            (x - y).abs() <= 1e-9 * y.abs().max(1.0),
            "{what}[{i}]: ours {x}, scikit-learn {y}"
        );
    }
}

fn fit(args: &[&str]) -> serde_json::Value {
    let (ok, stdout, stderr) = mlplay(args);
    assert!(ok, "mlplay {args:?} failed: {stderr}");
    serde_json::from_str(&stdout).expect("one JSON object")
}

#[test]
fn classifier_matches_scikit_learn() {
    let expected = case("boosting-three-csv");
    let out = fit(&[
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
    assert_close(
        "stage losses",
        &out["stage_losses"],
        &expected["train_score"],
    );
    assert_close("init", &out["init"], &expected["init"]);
    assert_eq!(out["predictions"], expected["predictions"]);
    assert_close(
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
    let out = fit(&args);
    assert_close(
        "stage losses",
        &out["stage_losses"],
        &expected["train_score"],
    );
    assert_close("predictions", &out["predictions"], &expected["predictions"]);
    assert_close(
        "importances",
        &out["feature_importances"],
        &expected["feature_importances"],
    );

    let mut early = args.to_vec();
    early.extend(["--set", "n_iter_no_change=3", "--set", "n_estimators=500"]);
    let out = fit(&early);
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
