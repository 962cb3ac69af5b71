//! LinearRegression, Ridge and SGDRegressor against scikit-learn's outputs on the same data
//! (`tests/fixtures/linear.json`, written by `scripts/fixtures`).

// The same tests run natively and, under `wasm-pack test`, compiled to wasm in the browser.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mlplay::data::Dataset;
use mlplay::estimator::{Fit, Regressor};
use mlplay::linear::{LinearRegressionParams, RidgeParams, SgdRegressorParams};
use ndarray::{Array1, Array2};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixtures {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    estimator: String,
    params: serde_json::Value,
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    x_test: Vec<Vec<f64>>,
    coef: Vec<f64>,
    intercept: f64,
    predictions: Vec<f64>,
    score: f64,
    n_iter: Option<usize>,
}

fn matrix(rows: &[Vec<f64>]) -> Array2<f64> {
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).expect("rectangular fixture")
}

fn cases() -> Vec<Case> {
    let text = include_str!("fixtures/linear.json");
    serde_json::from_str::<Fixtures>(text)
        .expect("fixture JSON")
        .cases
}

/// Fitted coefficients, intercept, predictions, score and (SGD) epochs run.
type Fitted = (Array1<f64>, f64, Array1<f64>, f64, Option<usize>);

fn fit(case: &Case) -> Fitted {
    let data = Dataset::new(matrix(&case.x), Array1::from(case.y.clone())).unwrap();
    let test = matrix(&case.x_test);
    let x = data.x.view();
    let y = data.y.view();
    macro_rules! run {
        ($params:ty, $iters:expr) => {{
            let params: $params = serde_json::from_value(case.params.clone())
                .unwrap_or_else(|e| panic!("{}: params: {e}", case.name));
            let m = params
                .fit(&data)
                .unwrap_or_else(|e| panic!("{}: {e}", case.name));
            let iters: fn(&<$params as Fit>::Model) -> Option<usize> = $iters;
            (
                m.coef().clone(),
                m.intercept(),
                m.predict(test.view()).unwrap(),
                m.score(x, y).unwrap(),
                iters(&m),
            )
        }};
    }
    match case.estimator.as_str() {
        "linear_regression" => run!(LinearRegressionParams, |_| None),
        "ridge" => run!(RidgeParams, |_| None),
        "sgd_regressor" => run!(SgdRegressorParams, |m| Some(m.n_iter)),
        other => panic!("unknown estimator {other}"),
    }
}

fn assert_close(name: &str, what: &str, ours: &[f64], theirs: &[f64], tol: f64) {
    assert_eq!(ours.len(), theirs.len(), "{name}: {what} length");
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        let err = (a - b).abs() / b.abs().max(1.0);
        assert!(
            err <= tol,
            "{name}: {what}[{i}] = {a}, scikit-learn {b} (relative error {err:.2e} > {tol:.0e})"
        );
    }
}

fn check(prefix: &str, tol: f64) {
    let selected: Vec<Case> = cases()
        .into_iter()
        .filter(|c| c.estimator == prefix)
        .collect();
    assert!(selected.len() >= 5, "fixtures for {prefix}");
    for case in &selected {
        let (coef, intercept, predictions, score, n_iter) = fit(case);
        assert_close(
            &case.name,
            "coef",
            coef.as_slice().unwrap(),
            &case.coef,
            tol,
        );
        assert_close(
            &case.name,
            "intercept",
            &[intercept],
            &[case.intercept],
            tol,
        );
        assert_close(
            &case.name,
            "predictions",
            predictions.as_slice().unwrap(),
            &case.predictions,
            tol,
        );
        assert_close(&case.name, "score", &[score], &[case.score], tol);
        assert_eq!(n_iter, case.n_iter, "{}: epochs run (n_iter_)", case.name);
    }
}

#[test]
fn linear_regression_matches_scikit_learn() {
    // Including the rank-deficient and p > n cases (minimum-norm solution).
    check("linear_regression", 1e-8);
}

#[test]
fn ridge_matches_scikit_learn() {
    check("ridge", 1e-8);
}

#[test]
fn sgd_regressor_matches_scikit_learn() {
    // Same sample order and arithmetic as scikit-learn; only summation order can differ.
    check("sgd_regressor", 1e-7);
}
