//! `mlplay fit k-neighbors-classifier` and `k-neighbors-regressor`: one JSON object whose numbers
//! match scikit-learn's fit of the same CSV (fixture cases `cli-tree-small`, `cli-tree-sine-small`
//! in `tests/fixtures/neighbors.json`), and readable errors for bad parameters.
#![cfg(not(target_arch = "wasm32"))] // spawns the CLI

use crate::common;

use common::{assert_close, fixture_case, mlplay, numbers};

fn case(name: &str) -> serde_json::Value {
    fixture_case(include_str!("fixtures/neighbors.json"), "k_neighbors", name)
}

/// Neighbour output agrees with scikit-learn's to 1e-12 relative.
fn close(what: &str, ours: &serde_json::Value, theirs: &serde_json::Value) {
    assert_close(what, ours, theirs, 1e-12);
}

#[test]
fn fit_k_neighbors_classifier_matches_scikit_learn() {
    let (ok, stdout, stderr) = mlplay(&[
        "fit",
        "k-neighbors-classifier",
        "--data",
        "tests/fixtures/data/tree_small.csv",
        "--target",
        "species",
        "--set",
        "weights=distance",
        "--predict",
        "tests/fixtures/data/tree_small_predict.csv",
    ]);
    assert!(ok, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
    let case = case("cli-tree-small");
    assert_eq!(json["estimator"], "k-neighbors-classifier");
    assert_eq!(json["params"]["n_neighbors"], 5);
    assert_eq!(json["params"]["weights"], "distance");
    assert_eq!(json["params"]["p"], 2);
    assert_eq!(json["n_samples"], 150);
    assert_eq!(json["classes"], case["classes"]);
    assert_eq!(json["predictions"], case["predictions"]);
    assert_eq!(json["neighbors"], case["indices"]);
    close("probabilities", &json["probabilities"], &case["proba"]);
    close("distances", &json["distances"], &case["distances"]);
    close("train_score", &json["train_score"], &case["score"]);
    // The rows to predict are training rows: distance 0 first, and they keep their own class.
    assert!(numbers(&json["distances"])
        .chunks(5)
        .all(|row| row[0] == 0.0));
}

#[test]
fn fit_k_neighbors_regressor_matches_scikit_learn() {
    let (ok, stdout, stderr) = mlplay(&[
        "fit",
        "k-neighbors-regressor",
        "--data",
        "tests/fixtures/data/tree_sine_small.csv",
        "--target",
        "y",
        "--set",
        "n_neighbors=3",
        "--predict",
        "tests/fixtures/data/tree_sine_small_predict.csv",
    ]);
    assert!(ok, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let case = case("cli-tree-sine-small");
    assert_eq!(json["params"]["weights"], "uniform");
    assert_eq!(json["neighbors"], case["indices"]);
    close("predictions", &json["predictions"], &case["predictions"]);
    close("distances", &json["distances"], &case["distances"]);
    close("train_score", &json["train_score"], &case["score"]);
}

#[test]
fn fit_k_neighbors_reports_bad_parameters() {
    for (set, expect) in [
        ("n_neighbors=0", "n_neighbors must be a whole number >= 1"),
        (
            "n_neighbors=500",
            "n_neighbors must be at most the number of training samples (150)",
        ),
        ("p=3", "p must be 1 (Manhattan distance) or 2"),
        ("weights=gaussian", "weights"),
        ("leaf_size=30", "unknown parameter `leaf_size`"),
    ] {
        let (ok, _, stderr) = mlplay(&[
            "fit",
            "k-neighbors-classifier",
            "--data",
            "tests/fixtures/data/tree_small.csv",
            "--target",
            "species",
            "--set",
            set,
        ]);
        assert!(!ok, "{set}");
        assert!(stderr.contains(expect), "{set}: {stderr}");
    }
}
