//! `mlplay fit logistic-regression`: one JSON object whose numbers match scikit-learn's fit of
//! the same CSV (fixture case `logistic-small-csv`), and readable errors for bad input.
#![cfg(not(target_arch = "wasm32"))] // spawns the CLI

use crate::common;

use common::{fixture_case, mlplay, numbers};
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_classification");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn fixture() -> serde_json::Value {
    fixture_case(
        include_str!("fixtures/classification.json"),
        "logistic_regression",
        "logistic-small-csv",
    )
}

const DATA: &str = "tests/fixtures/data/logistic_small.csv";
const PREDICT: &str = "tests/fixtures/data/logistic_small_predict.csv";

#[test]
fn fit_logistic_regression_matches_scikit_learn() {
    let (ok, stdout, stderr) = mlplay(&[
        "fit",
        "logistic-regression",
        "--data",
        DATA,
        "--target",
        "species",
        "--set",
        "C=1",
        "--set",
        "tol=1e-10",
        "--set",
        "max_iter=10000",
        "--predict",
        PREDICT,
    ]);
    assert!(ok, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
    let case = fixture();
    assert_eq!(json["estimator"], "logistic-regression");
    assert_eq!(json["params"]["C"], 1.0);
    assert_eq!(json["params"]["penalty"], "l2");
    assert!(json["fit_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    assert!(json["n_iter"].as_u64().is_some_and(|n| n >= 1));
    assert_eq!(json["classes"], case["classes"]);
    assert_eq!(json["predictions"], case["predictions"]);
    assert!(
        (json["train_score"].as_f64().unwrap() - case["score"].as_f64().unwrap()).abs() < 1e-12
    );
    for (ours, theirs) in [
        ("coef", "coef"),
        ("intercept", "intercept"),
        ("probabilities", "predict_proba"),
    ] {
        let (a, b) = (numbers(&json[ours]), numbers(&case[theirs]));
        assert_eq!(a.len(), b.len(), "{ours}");
        for (x, y) in a.iter().zip(&b) {
            assert!(
                (x - y).abs() / y.abs().max(1.0) < 1e-4,
                "{ours}: {x} vs scikit-learn {y}"
            );
        }
    }
    // Three classes: one row of weights per class over the four features.
    assert_eq!(json["coef"].as_array().unwrap().len(), 3);
    assert_eq!(json["coef"][0].as_array().unwrap().len(), 4);
}

#[test]
fn fit_logistic_regression_without_penalty_and_binary() {
    // The first 100 iris rows are setosa and versicolor: two classes, one row of coefficients.
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DATA)).unwrap();
    let binary: String = text.lines().take(101).map(|l| format!("{l}\n")).collect();
    let csv = scratch("binary.csv");
    std::fs::write(&csv, binary).unwrap();
    let (ok, stdout, stderr) = mlplay(&[
        "fit",
        "logistic-regression",
        "--data",
        csv.to_str().unwrap(),
        "--target",
        "species",
        "--set",
        "C=0.5",
    ]);
    assert!(ok, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["classes"], serde_json::json!([0.0, 1.0]));
    assert_eq!(json["coef"].as_array().unwrap().len(), 1);
    assert_eq!(json["train_score"], 1.0, "setosa is linearly separable");

    let (ok, stdout, stderr) = mlplay(&[
        "fit",
        "logistic-regression",
        "--data",
        DATA,
        "--target",
        "species",
        "--set",
        "penalty=none",
        "--set",
        "max_iter=50",
    ]);
    assert!(ok, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(json["params"]["penalty"].is_null());
    assert!(json["n_iter"].as_u64().is_some_and(|n| n <= 50));
}

#[test]
fn fit_logistic_regression_reports_bad_input() {
    let (ok, _, stderr) = mlplay(&[
        "fit",
        "logistic-regression",
        "--data",
        DATA,
        "--target",
        "species",
        "--set",
        "C=0",
    ]);
    assert!(!ok);
    assert!(stderr.contains("C must be"), "{stderr}");
    let (ok, _, stderr) = mlplay(&[
        "fit",
        "logistic-regression",
        "--data",
        DATA,
        "--target",
        "species",
        "--set",
        "alpha=1",
    ]);
    assert!(!ok);
    assert!(stderr.contains("alpha") && stderr.contains("C"), "{stderr}");

    // One class only.
    let csv = scratch("one_class.csv");
    std::fs::write(&csv, "a,b,y\n1,2,1\n3,4,1\n5,6,1\n").unwrap();
    let (ok, _, stderr) = mlplay(&[
        "fit",
        "logistic-regression",
        "--data",
        csv.to_str().unwrap(),
        "--target",
        "y",
    ]);
    assert!(!ok);
    assert!(stderr.contains("at least 2 classes"), "{stderr}");

    // Rows to predict with a missing column.
    let bad = scratch("bad_predict.csv");
    std::fs::write(&bad, "x1,x2,x3\n1,2,3\n").unwrap();
    let (ok, _, stderr) = mlplay(&[
        "fit",
        "logistic-regression",
        "--data",
        DATA,
        "--target",
        "species",
        "--predict",
        bad.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(stderr.contains("x4"), "{stderr}");
}

fn tree_case(name: &str) -> serde_json::Value {
    fixture_case(
        include_str!("fixtures/tree_decision_tree.json"),
        "decision_tree",
        name,
    )
}

#[test]
fn fit_decision_tree_classifier_matches_scikit_learn() {
    let (ok, stdout, stderr) = mlplay(&[
        "fit",
        "decision-tree-classifier",
        "--data",
        "tests/fixtures/data/tree_small.csv",
        "--target",
        "species",
        "--predict",
        "tests/fixtures/data/tree_small_predict.csv",
    ]);
    assert!(ok, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
    let case = tree_case("tree-small-csv");
    assert_eq!(json["estimator"], "decision-tree-classifier");
    assert_eq!(json["params"]["criterion"], "gini");
    assert!(json["params"]["max_depth"].is_null());
    assert_eq!(json["classes"], case["classes"]);
    assert_eq!(json["node_count"], case["node_count"]);
    assert_eq!(json["depth"], case["max_depth"]);
    assert_eq!(json["n_leaves"], case["n_leaves"]);
    assert_eq!(json["train_score"], case["score"]);
    assert!(case["test_stable"].as_bool().unwrap());
    assert_eq!(json["predictions"], case["predictions"]);
    assert_eq!(json["probabilities"], case["predict_proba"]);
    let nodes = json["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), json["node_count"].as_u64().unwrap() as usize);
    assert_eq!(nodes[0]["samples"], 150);
    assert!(nodes[0]["split"]["threshold"].is_number());
    let importances = numbers(&json["feature_importances"]);
    assert_eq!(importances.len(), 4);
    assert!((importances.iter().sum::<f64>() - 1.0).abs() < 1e-12);

    // Parameters by name; a shallower entropy tree.
    let (ok, stdout, stderr) = mlplay(&[
        "fit",
        "decision-tree-classifier",
        "--data",
        "tests/fixtures/data/tree_small.csv",
        "--target",
        "species",
        "--set",
        "criterion=entropy",
        "--set",
        "max_depth=2",
        "--set",
        "max_features=sqrt",
        "--set",
        "random_state=3",
    ]);
    assert!(ok, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["params"]["max_features"], "sqrt");
    assert!(json["depth"].as_u64().unwrap() <= 2);
}

#[test]
fn fit_decision_tree_regressor_matches_scikit_learn() {
    let (ok, stdout, stderr) = mlplay(&[
        "fit",
        "decision-tree-regressor",
        "--data",
        "tests/fixtures/data/tree_sine_small.csv",
        "--target",
        "y",
        "--set",
        "max_depth=3",
        "--predict",
        "tests/fixtures/data/tree_sine_small_predict.csv",
    ]);
    assert!(ok, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let case = tree_case("tree-sine-small-csv");
    assert!(case["tie_free"].as_bool().unwrap());
    assert_eq!(json["params"]["criterion"], "squared_error");
    assert_eq!(json["node_count"], case["node_count"]);
    assert_eq!(json["depth"], 3);
    for (ours, theirs) in [("predictions", "predictions"), ("train_score", "score")] {
        let (a, b) = (numbers(&json[ours]), numbers(&case[theirs]));
        assert_eq!(a.len(), b.len(), "{ours}");
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-9, "{ours}: {x} vs scikit-learn {y}");
        }
    }
    // Thresholds node by node (scikit-learn cuts between float32 copies of x).
    let thresholds = numbers(&case["tree"]["threshold"]);
    for (i, node) in json["nodes"].as_array().unwrap().iter().enumerate() {
        if let Some(t) = node["split"]["threshold"].as_f64() {
            assert!(
                (t - thresholds[i]).abs() < 1e-6,
                "node {i}: {t} vs {}",
                thresholds[i]
            );
        }
    }
}

#[test]
fn fit_decision_tree_reports_bad_parameters() {
    for (set, expect) in [
        ("min_samples_leaf=0", "min_samples_leaf must be"),
        ("max_depth=0", "max_depth must be"),
        (
            "max_features=9",
            "max_features must be at most the number of features (4)",
        ),
        ("criterion=mse", "criterion"),
    ] {
        let (ok, _, stderr) = mlplay(&[
            "fit",
            "decision-tree-classifier",
            "--data",
            DATA,
            "--target",
            "species",
            "--set",
            set,
        ]);
        assert!(!ok, "{set}");
        assert!(stderr.contains(expect), "{set}: {stderr}");
    }
}
