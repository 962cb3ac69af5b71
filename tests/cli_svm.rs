//! `mlplay fit svc|svr`: one JSON object whose numbers match scikit-learn's fit of the same CSV
//! (the `cli` entries of tests/fixtures/svm.json, fitted at tol 1e-10), and readable errors.
#![cfg(not(target_arch = "wasm32"))] // spawns the CLI

use crate::common;

use common::{fit_json as fit, mlplay, numbers};

fn fixture(which: &str) -> serde_json::Value {
    let all: serde_json::Value = serde_json::from_str(include_str!("fixtures/svm.json")).unwrap();
    all["cli"][which].clone()
}

fn close(what: &str, ours: &serde_json::Value, theirs: &serde_json::Value, tol: f64) {
    let (a, b) = (numbers(ours), numbers(theirs));
    assert_eq!(a.len(), b.len(), "{what}");
    for (x, y) in a.iter().zip(&b) {
        assert!(
            (x - y).abs() / y.abs().max(1.0) < tol,
            "{what}: {x} vs scikit-learn {y}"
        );
    }
}

#[test]
fn fit_svc_matches_scikit_learn() {
    let json = fit(&[
        "fit",
        "svc",
        "--data",
        "tests/fixtures/data/svm_small.csv",
        "--target",
        "label",
        "--set",
        "C=2",
        "--set",
        "gamma=0.8",
        "--set",
        "tol=1e-10",
        "--predict",
        "tests/fixtures/data/svm_small_predict.csv",
    ]);
    let case = fixture("svc");
    assert_eq!(json["estimator"], "svc");
    assert_eq!(json["params"]["C"], 2.0);
    assert_eq!(json["params"]["gamma"], 0.8);
    assert_eq!(json["params"]["kernel"], "rbf");
    assert_eq!(json["converged"], true);
    assert_eq!(json["support"], case["support"]);
    assert_eq!(json["predictions"], case["predict"]);
    assert_eq!(json["train_score"], case["score"]);
    close("dual_coef", &json["dual_coef"], &case["dual_coef"], 1e-5);
    close("intercept", &json["intercept"], &case["intercept"], 1e-5);
    close(
        "decision_function",
        &json["decision_function"],
        &case["decision"],
        1e-5,
    );
}

#[test]
fn fit_svr_matches_scikit_learn() {
    let json = fit(&[
        "fit",
        "svr",
        "--data",
        "tests/fixtures/data/tree_sine_small.csv",
        "--target",
        "y",
        "--set",
        "C=3",
        "--set",
        "epsilon=0.2",
        "--set",
        "tol=1e-10",
        "--predict",
        "tests/fixtures/data/tree_sine_small_predict.csv",
    ]);
    let case = fixture("svr");
    assert_eq!(json["estimator"], "svr");
    assert_eq!(json["params"]["gamma"], "scale");
    assert_eq!(json["support"], case["support"]);
    close("gamma", &json["gamma"], &case["gamma"], 1e-12);
    close("dual_coef", &json["dual_coef"], &case["dual_coef"], 1e-5);
    close("intercept", &json["intercept"], &case["intercept"], 1e-5);
    close("predictions", &json["predictions"], &case["predict"], 1e-5);
}

#[test]
fn bad_svm_parameters_are_named() {
    let data = [
        "--data",
        "tests/fixtures/data/svm_small.csv",
        "--target",
        "label",
    ];
    for (set, expected) in [
        ("C=0", "C must be a finite number > 0 (got 0)"),
        ("kernel=sigmoid", "kernel"),
        (
            "gamma=-1",
            "gamma must be \"scale\", \"auto\" or a finite number > 0 (got -1)",
        ),
        (
            "gamma=wide",
            "gamma must be \"scale\", \"auto\" or a number",
        ),
        ("epsilon=1", "unknown parameter `epsilon`"),
    ] {
        let mut args = vec!["fit", "svc"];
        args.extend(data);
        args.extend(["--set", set]);
        let (ok, _, stderr) = mlplay(&args);
        assert!(!ok, "{set} was accepted");
        assert!(stderr.contains(expected), "{set}: {stderr}");
    }
}
