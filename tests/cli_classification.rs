//! `mlplay fit logistic-regression`: one JSON object whose numbers match scikit-learn's fit of
//! the same CSV (fixture case `logistic-small-csv`), and readable errors for bad input.
#![cfg(not(target_arch = "wasm32"))] // spawns the CLI

use std::path::PathBuf;
use std::process::Command;

fn mlplay(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mlplay"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run mlplay");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_classification");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn fixture() -> serde_json::Value {
    let all: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/classification.json")).unwrap();
    all["logistic_regression"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "logistic-small-csv")
        .cloned()
        .expect("fixture case logistic-small-csv")
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    match v {
        serde_json::Value::Array(items) => items.iter().flat_map(numbers).collect(),
        other => vec![other.as_f64().expect("a number")],
    }
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
