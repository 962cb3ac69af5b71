//! Lasso, ElasticNet, their paths and LinearSVC against scikit-learn 1.9.1
//! (`tests/fixtures/linear_cd.json`, written by `scripts/fixtures.d/linear_cd.py`),
//! SGDClassifier, `mlplay fit lasso|elastic-net|linear-svc|sgd-classifier`, and the
//! `regularisation-paths` demo.
//!
//! Tolerances: every case runs the same sweeps as scikit-learn (same order, same stopping rule),
//! so `n_iter` must be equal and coefficients, intercepts and predictions agree to 1e-9 relative
//! (to max(1, |value|)), whether the fit converged at tol 1e-10, stopped at the default tol or ran
//! out of `max_iter`: only floating-point summation order differs. Dual gaps agree to 1e-3 of the
//! stopping threshold `tol * y·y / n` plus 1e-12 · y·y / n (the gap is a difference of two numbers
//! of size y·y / n, so that is its rounding).
//!
//! LinearSVC: scikit-learn's fits run at tol 1e-10 (Newton on the primal, or liblinear's dual
//! coordinate descent for the hinge loss); ours runs dual coordinate descent at tol 1e-10. The
//! optimum is unique, so coef, intercept and decision values must agree to 1e-6 relative to
//! max(1, |value|), and the predicted classes exactly.
//!
//! SGDClassifier (shuffle=False, so the sample order is scikit-learn's): the same updates in the
//! same order, so n_iter must be equal and coef, intercept and decision values agree to 1e-9.
//! With early_stopping, given scikit-learn's held-out rows, the validation score after every
//! epoch agrees to 1e-9 as well, and so does the epoch the rule stops at.
#![cfg(not(target_arch = "wasm32"))] // spawns the CLI

use crate::common;

use common::{assert_close, fit_json, fixture_case};
use mlplay::data::Dataset;
use mlplay::estimator::Fit;
use mlplay::linear::{enet_path, ElasticNetParams, LassoParams, PathParams};
use ndarray::{Array1, Array2};
use serde_json::Value;

const FIXTURES: &str = include_str!("fixtures/linear_cd.json");
const TOL: f64 = 1e-9;

fn all() -> Value {
    serde_json::from_str(FIXTURES).expect("fixture JSON")
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).expect("matrix");
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).expect("rectangular")
}

fn vector(v: &Value) -> Array1<f64> {
    Array1::from(serde_json::from_value::<Vec<f64>>(v.clone()).expect("vector"))
}

/// The case's data set: training data and, for fit cases, the rows to predict.
fn data(doc: &Value, case: &Value) -> (Dataset, Array2<f64>) {
    let d = &doc["datasets"][case["data"].as_str().expect("data name")];
    let train = Dataset::new(matrix(&d["x"]), vector(&d["y"])).expect("dataset");
    let test = if d["x_test"].is_null() {
        Array2::zeros((0, train.n_features()))
    } else {
        matrix(&d["x_test"])
    };
    (train, test)
}

fn close(name: &str, what: &str, ours: &[f64], theirs: &Value, tol: f64) {
    assert_close(
        &format!("{name}: {what}"),
        &serde_json::json!(ours),
        theirs,
        tol,
    );
}

#[test]
fn fits_match_scikit_learn() {
    let doc = all();
    let mut seen = 0;
    for case in doc["cases"].as_array().unwrap() {
        if case["kind"] != "fit" {
            continue;
        }
        let name = case["name"].as_str().unwrap();
        let (train, test) = data(&doc, case);
        let model = match case["estimator"].as_str().unwrap() {
            "lasso" => {
                let p: LassoParams = serde_json::from_value(case["params"].clone()).unwrap();
                let m = p.fit(&train).unwrap_or_else(|e| panic!("{name}: {e}"));
                (m.model.clone(), m.n_iter, m.dual_gap, p.tol)
            }
            "elastic_net" => {
                let p: ElasticNetParams = serde_json::from_value(case["params"].clone()).unwrap();
                let m = p.fit(&train).unwrap_or_else(|e| panic!("{name}: {e}"));
                (m.model.clone(), m.n_iter, m.dual_gap, p.tol)
            }
            other => panic!("unknown estimator {other}"),
        };
        let (linear, n_iter, gap, tol) = model;
        assert_eq!(
            n_iter as u64,
            case["n_iter"].as_u64().unwrap(),
            "{name}: n_iter"
        );
        close(
            name,
            "coef",
            linear.coef.as_slice().unwrap(),
            &case["coef"],
            TOL,
        );
        close(
            name,
            "intercept",
            &[linear.intercept],
            &case["intercept"],
            TOL,
        );
        let pred = linear.predict(test.view()).unwrap();
        close(
            name,
            "predictions",
            pred.as_slice().unwrap(),
            &case["predictions"],
            TOL,
        );
        let yy = train.y.dot(&train.y) / train.n_samples() as f64;
        let their_gap = case["dual_gap"].as_f64().unwrap();
        assert!(
            (gap - their_gap).abs() <= 1e-3 * tol * yy + 1e-12 * yy,
            "{name}: dual gap {gap} vs {their_gap}"
        );
        seen += 1;
    }
    assert!(seen >= 16, "{seen} fit cases");
}

#[test]
fn paths_match_scikit_learn() {
    let doc = all();
    let mut seen = 0;
    for case in doc["cases"].as_array().unwrap() {
        if case["kind"] != "path" {
            continue;
        }
        let name = case["name"].as_str().unwrap();
        let (train, _) = data(&doc, case);
        let params: PathParams = serde_json::from_value(case["params"].clone()).unwrap();
        let path = enet_path(&train, &params).unwrap_or_else(|e| panic!("{name}: {e}"));
        close(name, "alphas", &path.alphas, &case["alphas"], 1e-12);
        let theirs = case["coefs"].as_array().unwrap();
        assert_eq!(path.coefs.nrows(), theirs.len(), "{name}: path length");
        for (i, row) in path.coefs.rows().into_iter().enumerate() {
            close(
                name,
                &format!("coefs at alpha {i}"),
                &row.to_vec(),
                &theirs[i],
                TOL,
            );
        }
        let iters: Vec<u64> = path.n_iters.iter().map(|&v| v as u64).collect();
        let their_iters: Vec<u64> = serde_json::from_value(case["n_iters"].clone()).unwrap();
        assert_eq!(iters, their_iters, "{name}: n_iters");
        seen += 1;
    }
    assert_eq!(seen, 3);
}

#[test]
fn warm_start_lands_on_the_same_optimum() {
    let doc = all();
    let case = fixture_case(FIXTURES, "cases", "lasso-alpha-0-1-tight");
    let (train, _) = data(&doc, &case);
    let params = LassoParams::default()
        .alpha(0.1)
        .tol(1e-10)
        .as_elastic_net();
    let from_far = params
        .fit_from(&train, Array1::from_elem(train.n_features(), 5.0).view())
        .unwrap();
    close(
        "warm start",
        "coef",
        from_far.coef().as_slice().unwrap(),
        &case["coef"],
        1e-7,
    );
    let restarted = params.fit_from(&train, from_far.coef().view()).unwrap();
    assert!(
        restarted.n_iter <= 2,
        "a warm start at the optimum stops at once"
    );
    // Random selection visits coordinates in another order but reaches the same optimum.
    let random = LassoParams::default()
        .alpha(0.1)
        .tol(1e-10)
        .selection(mlplay::linear::Selection::Random)
        .random_state(3)
        .fit(&train)
        .unwrap();
    close(
        "random",
        "coef",
        random.coef().as_slice().unwrap(),
        &case["coef"],
        1e-7,
    );
}

fn cli(estimator: &str, sets: &[&str]) -> Value {
    let mut args = vec![
        "fit",
        estimator,
        "--data",
        "tests/fixtures/data/ridge_small.csv",
        "--target",
        "y",
        "--predict",
        "tests/fixtures/data/ridge_small_predict.csv",
    ];
    for s in sets {
        args.extend(["--set", s]);
    }
    fit_json(&args)
}

#[test]
fn cli_fits_lasso_and_elastic_net_like_scikit_learn() {
    for (estimator, case, sets) in [
        (
            "lasso",
            "lasso-ridge-small-csv",
            vec!["alpha=0.1", "tol=1e-10"],
        ),
        (
            "elastic-net",
            "enet-ridge-small-csv",
            vec!["alpha=0.1", "l1_ratio=0.5", "tol=1e-10"],
        ),
    ] {
        let expected = fixture_case(FIXTURES, "cases", case);
        let out = cli(estimator, &sets);
        assert_eq!(out["estimator"], estimator);
        assert_eq!(out["n_iter"], expected["n_iter"], "{case}: n_iter");
        assert_close(
            &format!("{case} coef"),
            &out["coef"],
            &expected["coef"],
            TOL,
        );
        assert_close(
            &format!("{case} intercept"),
            &out["intercept"],
            &expected["intercept"],
            TOL,
        );
        assert_close(
            &format!("{case} predictions"),
            &out["predictions"],
            &expected["predictions"],
            TOL,
        );
    }
    let (ok, _, stderr) = common::mlplay(&[
        "fit",
        "elastic-net",
        "--data",
        "tests/fixtures/data/ridge_small.csv",
        "--target",
        "y",
        "--set",
        "l1_ratio=1.5",
    ]);
    assert!(!ok && stderr.contains("l1_ratio"), "{stderr}");
}

/// Runs the `regularisation-paths` demo to the end of its path.
fn path_demo(
    pairs: &[(&str, &str)],
) -> mlplay::demos::regularisation_paths::RegularisationPathsDemo {
    use mlplay::demos::{regularisation_paths::RegularisationPathsDemo, Demo};
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = mlplay::demos::params_with("regularisation-paths", &pairs).unwrap();
    let mut d = RegularisationPathsDemo::new(&params, 42).unwrap();
    let mut ticks = 0;
    while d.tick() == mlplay::estimator::Progress::Running {
        ticks += 1;
        assert_eq!(d.fits.len(), ticks, "one alpha per tick");
    }
    assert_eq!(d.fits.len(), d.alphas.len());
    assert!(d.alphas.windows(2).all(|w| w[0] > w[1]), "strong to weak");
    d
}

fn nonzero(m: &mlplay::linear::LinearModel) -> usize {
    m.coef.iter().filter(|&&c| c != 0.0).count()
}

#[test]
fn demo_lasso_zeroes_more_coefficients_as_alpha_rises_and_ridge_none() {
    let lasso = path_demo(&[("model", "lasso")]);
    let counts: Vec<usize> = lasso.fits.iter().map(nonzero).collect();
    // Largest alpha (10) is above alpha_max: everything is zero; the smallest keeps all 8.
    assert_eq!(counts[0], 0);
    assert_eq!(*counts.last().unwrap(), 8);
    // Walking from strong to weak regularisation, features enter; allow one to leave on the way
    // (the lasso path need not be monotone) but the trend must hold decade by decade.
    let at = |a: f64| {
        let i = lasso.alphas.iter().position(|&x| x <= a).unwrap();
        counts[i]
    };
    assert!(at(3.0) < at(0.3) && at(0.3) < at(0.01), "{counts:?}");
    let ridge = path_demo(&[("model", "ridge")]);
    assert!(
        ridge.fits.iter().all(|m| nonzero(m) == 8),
        "ridge never zeroes"
    );
    // Ridge shrinks: the coefficient norm falls as alpha rises.
    let norms: Vec<f64> = ridge.fits.iter().map(|m| m.coef.dot(&m.coef)).collect();
    assert!(norms.windows(2).all(|w| w[0] <= w[1] + 1e-12));
}

#[test]
fn demo_coefficients_at_the_chosen_alpha_equal_a_direct_fit() {
    for (model, ratio) in [("lasso", 1.0), ("elastic-net", 0.3)] {
        let d = path_demo(&[("model", model), ("alpha", "0.05"), ("l1_ratio", "0.3")]);
        let direct = ElasticNetParams::default()
            .alpha(0.05)
            .l1_ratio(ratio)
            .tol(1e-12)
            .fit(&d.train)
            .unwrap();
        let ours = d.chosen_fit().expect("chosen alpha reached");
        for (a, b) in ours.coef.iter().zip(direct.coef()) {
            assert!(
                (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                "{model}: {a} vs {b}"
            );
        }
        assert!((ours.intercept - direct.intercept()).abs() <= 1e-6);
        // Warm starts pay: the whole path costs fewer sweeps than cold fits would at its end.
        let cold: usize = d.alphas[d.alphas.len() - 5..]
            .iter()
            .map(|&a| {
                ElasticNetParams::default()
                    .alpha(a)
                    .l1_ratio(ratio)
                    .tol(1e-8)
                    .fit(&d.train)
                    .unwrap()
                    .n_iter
            })
            .sum();
        let warm: usize = d.sweeps[d.sweeps.len() - 5..].iter().sum();
        assert!(warm < cold, "{model}: warm {warm} vs cold {cold} sweeps");
    }
}

fn svc_params(case: &Value) -> mlplay::svm::LinearSvcParams {
    // scikit-learn's `dual` picks its solver; ours always solves the dual, so it is dropped.
    let mut p = case["params"].clone();
    p.as_object_mut().unwrap().remove("dual");
    let mut params: mlplay::svm::LinearSvcParams = serde_json::from_value(p).unwrap();
    params.max_iter = 1_000_000;
    params
}

#[test]
fn linear_svc_matches_scikit_learn() {
    use mlplay::estimator::Classifier;
    let doc = all();
    let mut seen = 0;
    for case in doc["cases"].as_array().unwrap() {
        if case["kind"] != "linear_svc" {
            continue;
        }
        let name = case["name"].as_str().unwrap();
        let (train, test) = data(&doc, case);
        let m = svc_params(case)
            .fit(&train)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(m.converged, "{name}: converged");
        close(name, "classes", &m.classes, &case["classes"], 0.0);
        let coef: Vec<f64> = m.coef.concat();
        close(name, "coef", &coef, &case["coef"], 1e-6);
        close(name, "intercept", &m.intercept, &case["intercept"], 1e-6);
        let dec = m.decision_function(test.view()).unwrap();
        close(
            name,
            "decision_function",
            dec.as_slice().unwrap(),
            &case["decision_function"],
            1e-6,
        );
        let pred = m.predict(test.view()).unwrap();
        close(
            name,
            "predictions",
            pred.as_slice().unwrap(),
            &case["predictions"],
            0.0,
        );
        seen += 1;
    }
    assert_eq!(seen, 8);
}

#[test]
fn cli_fits_linear_svc_like_scikit_learn() {
    let expected = fixture_case(FIXTURES, "cases", "linear-svc-svm-small-csv");
    let out = fit_json(&[
        "fit",
        "linear-svc",
        "--data",
        "tests/fixtures/data/svm_small.csv",
        "--target",
        "label",
        "--set",
        "tol=1e-10",
        "--set",
        "max_iter=100000",
        "--predict",
        "tests/fixtures/data/svm_small_predict.csv",
    ]);
    assert_eq!(out["estimator"], "linear-svc");
    assert_eq!(out["converged"], true);
    assert_close("cli coef", &out["coef"], &expected["coef"], 1e-6);
    assert_close(
        "cli intercept",
        &out["intercept"],
        &expected["intercept"],
        1e-6,
    );
    assert_close(
        "cli decision_function",
        &out["decision_function"],
        &expected["decision_function"],
        1e-6,
    );
    assert_eq!(out["predictions"], expected["predictions"]);
}

#[test]
fn sgd_classifier_matches_scikit_learn() {
    use mlplay::estimator::Classifier;
    use mlplay::linear::SgdClassifierParams;
    let doc = all();
    let mut seen = 0;
    for case in doc["cases"].as_array().unwrap() {
        if case["kind"] != "sgd_classifier" {
            continue;
        }
        let name = case["name"].as_str().unwrap();
        let (train, test) = data(&doc, case);
        let params: SgdClassifierParams = serde_json::from_value(case["params"].clone())
            .unwrap_or_else(|e| panic!("{name}: params: {e}"));
        let m = params.fit(&train).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            m.n_iter as u64,
            case["n_iter"].as_u64().unwrap(),
            "{name}: n_iter"
        );
        close(name, "classes", &m.classes, &case["classes"], 0.0);
        close(name, "coef", &m.coef.concat(), &case["coef"], TOL);
        close(name, "intercept", &m.intercept, &case["intercept"], TOL);
        let dec = m.decision_function(test.view()).unwrap();
        close(
            name,
            "decision_function",
            dec.as_slice().unwrap(),
            &case["decision_function"],
            TOL,
        );
        let pred = m.predict(test.view()).unwrap();
        close(
            name,
            "predictions",
            pred.as_slice().unwrap(),
            &case["predictions"],
            0.0,
        );
        seen += 1;
    }
    assert_eq!(seen, 9);
}

#[test]
fn cli_fits_sgd_classifier_like_scikit_learn() {
    let expected = fixture_case(FIXTURES, "cases", "sgd-clf-svm-small-csv");
    let out = fit_json(&[
        "fit",
        "sgd-classifier",
        "--data",
        "tests/fixtures/data/svm_small.csv",
        "--target",
        "label",
        "--set",
        "shuffle=false",
        "--predict",
        "tests/fixtures/data/svm_small_predict.csv",
    ]);
    assert_eq!(out["estimator"], "sgd-classifier");
    assert_eq!(out["n_iter"], expected["n_iter"]);
    assert_close("cli coef", &out["coef"], &expected["coef"], TOL);
    assert_close(
        "cli intercept",
        &out["intercept"],
        &expected["intercept"],
        TOL,
    );
    assert_close(
        "cli decision_function",
        &out["decision_function"],
        &expected["decision_function"],
        TOL,
    );
    assert_eq!(out["predictions"], expected["predictions"]);
}

/// Early stopping, given scikit-learn's held-out rows: the same epochs (n_iter), the same
/// validation score after each one, and the same final weights.
#[test]
fn sgd_early_stopping_matches_scikit_learn() {
    use mlplay::linear::{SgdClassifierParams, SgdRegressorParams};
    let doc = all();
    let mut seen = 0;
    for case in doc["cases"].as_array().unwrap() {
        if case["kind"] != "sgd_early_stopping" {
            continue;
        }
        let name = case["name"].as_str().unwrap();
        let (train, _) = data(&doc, case);
        let rows: Vec<usize> = serde_json::from_value(case["validation"].clone()).unwrap();
        let (n_iter, coef, intercept, scores) = match case["estimator"].as_str().unwrap() {
            "sgd_regressor" => {
                let params: SgdRegressorParams =
                    serde_json::from_value(case["params"].clone()).unwrap();
                assert!(params.early_stopping, "{name}");
                let m = params
                    .fit_with_validation(&train, &rows)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                (
                    m.n_iter,
                    m.coef().to_vec(),
                    vec![m.intercept()],
                    serde_json::json!(m.validation_scores),
                )
            }
            _ => {
                let params: SgdClassifierParams =
                    serde_json::from_value(case["params"].clone()).unwrap();
                let m = params
                    .fit_with_validation(&train, &rows)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                (
                    m.n_iter,
                    m.coef.concat(),
                    m.intercept.clone(),
                    serde_json::json!(m.validation_scores),
                )
            }
        };
        assert_eq!(
            n_iter as u64,
            case["n_iter"].as_u64().unwrap(),
            "{name}: n_iter"
        );
        assert_close(
            &format!("{name}: validation_scores"),
            &scores,
            &case["validation_scores"],
            TOL,
        );
        close(name, "coef", &coef, &case["coef"], TOL);
        close(name, "intercept", &intercept, &case["intercept"], TOL);
        seen += 1;
    }
    assert_eq!(seen, 4);
}

/// The fit draws its own held-out rows: stratified for the classifier, a `validation_fraction`
/// share of rows, and bad fractions or splits are named errors.
#[test]
fn sgd_early_stopping_draws_its_split_and_checks_it() {
    use mlplay::linear::{SgdClassifierParams, SgdRegressorParams};
    let doc = all();
    let case = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "sgd-clf-early-stopping-hinge-3-classes-constant")
        .unwrap();
    let (train, _) = data(&doc, case);
    let params: SgdClassifierParams = serde_json::from_value(case["params"].clone()).unwrap();
    let m = params.fit(&train).unwrap();
    assert_eq!(m.validation_scores.len(), 3);
    for scores in &m.validation_scores {
        assert!(!scores.is_empty() && scores.len() <= m.n_iter);
        // 20 held-out rows: every accuracy is a multiple of 1/20.
        assert!(scores
            .iter()
            .all(|s| (s * 20.0 - (s * 20.0).round()).abs() < 1e-9));
    }
    let off = SgdClassifierParams {
        early_stopping: false,
        ..params.clone()
    };
    assert!(off
        .fit(&train)
        .unwrap()
        .validation_scores
        .iter()
        .all(Vec::is_empty));
    for bad in [0.0, 1.0, -0.5, f64::NAN] {
        let err = params
            .clone()
            .validation_fraction(bad)
            .fit(&train)
            .unwrap_err();
        assert!(err.to_string().contains("validation_fraction"), "{err}");
    }
    let reg = SgdRegressorParams::default()
        .early_stopping(true)
        .validation_fraction(0.2);
    let tiny = Dataset::new(
        matrix(&serde_json::json!([[1.0], [2.0]])),
        vector(&serde_json::json!([1.0, 2.0])),
    )
    .unwrap();
    // ceil(2 * 0.99) = 2 held-out rows leave none to train on.
    let err = reg
        .clone()
        .validation_fraction(0.99)
        .fit(&tiny)
        .unwrap_err()
        .to_string();
    assert!(err.contains("validation_fraction"), "{err}");
    let err = reg
        .fit_with_validation(&tiny, &[0, 1])
        .unwrap_err()
        .to_string();
    assert!(err.contains("validation_rows"), "{err}");
    let err = reg
        .fit_with_validation(&tiny, &[5])
        .unwrap_err()
        .to_string();
    assert!(err.contains("validation_rows"), "{err}");
}
