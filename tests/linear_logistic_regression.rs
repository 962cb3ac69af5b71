//! LogisticRegression against scikit-learn's lbfgs fits on the same data
//! (`tests/fixtures/classification.json`, written by `scripts/fixtures`), plus the estimator
//! conformance checks (shape errors, NaN, empty data, a single class, refit, serde round trip).

// The same tests run natively and, under `wasm-pack test`, compiled to wasm in the browser.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mlplay::data::{generators, Dataset};
use mlplay::error::Error;
use mlplay::estimator::{Classifier, Fit, Iterative, Progress};
use mlplay::linear::{LogisticRegression, LogisticRegressionParams};
use mlplay::metrics;
use mlplay::rng::Rng;
use ndarray::{array, Array1, Array2};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixtures {
    logistic_regression: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    params: serde_json::Value,
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    x_test: Vec<Vec<f64>>,
    classes: Vec<f64>,
    coef: Vec<Vec<f64>>,
    intercept: Vec<f64>,
    n_iter: usize,
    decision_function: Vec<Vec<f64>>,
    predict_proba: Vec<Vec<f64>>,
    predictions: Vec<f64>,
    score: f64,
    log_loss: f64,
}

fn matrix(rows: &[Vec<f64>]) -> Array2<f64> {
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).expect("rectangular fixture")
}

fn cases() -> Vec<Case> {
    let text = include_str!("fixtures/classification.json");
    serde_json::from_str::<Fixtures>(text)
        .expect("fixture JSON")
        .logistic_regression
}

/// The largest relative error `|a - b| / max(|b|, 1)`, after checking the shapes agree.
fn max_error(name: &str, what: &str, ours: &Array2<f64>, theirs: &[Vec<f64>]) -> f64 {
    let theirs = matrix(theirs);
    assert_eq!(ours.dim(), theirs.dim(), "{name}: {what} shape");
    ours.iter()
        .zip(theirs.iter())
        .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max)
}

fn fit(case: &Case) -> LogisticRegression {
    let data = Dataset::new(matrix(&case.x), Array1::from(case.y.clone())).unwrap();
    let params: LogisticRegressionParams = serde_json::from_value(case.params.clone())
        .unwrap_or_else(|e| panic!("{}: params: {e}", case.name));
    params
        .fit(&data)
        .unwrap_or_else(|e| panic!("{}: {e}", case.name))
}

#[test]
fn logistic_regression_matches_scikit_learn() {
    let all = cases();
    assert!(all.len() >= 10, "fixtures: {}", all.len());
    let mut worst = 0.0_f64;
    for case in &all {
        let model = fit(case);
        let name = &case.name;
        assert_eq!(model.classes, case.classes, "{name}: classes");
        let test = matrix(&case.x_test);
        // scikit-learn stops at its own tolerance: 1e-4 relative is what both optima agree to.
        let tol = 1e-4;
        let intercept =
            Array2::from_shape_vec((1, model.intercept.len()), model.intercept.to_vec()).unwrap();
        let checks = [
            ("coef", model.coef.clone(), case.coef.clone()),
            ("intercept", intercept, vec![case.intercept.clone()]),
            (
                "decision_function",
                model.decision_function(test.view()).unwrap(),
                case.decision_function.clone(),
            ),
            (
                "predict_proba",
                model.predict_proba(test.view()).unwrap(),
                case.predict_proba.clone(),
            ),
        ];
        for (what, ours, theirs) in &checks {
            let err = max_error(name, what, ours, theirs);
            worst = worst.max(err);
            assert!(
                err <= tol,
                "{name}: {what} relative error {err:.2e} > {tol:.0e}\nours {ours}\nscikit-learn {theirs:?}"
            );
        }
        assert_eq!(
            model.predict(test.view()).unwrap().to_vec(),
            case.predictions,
            "{name}: predictions"
        );
        let x = matrix(&case.x);
        let y = Array1::from(case.y.clone());
        let score = model.score(x.view(), y.view()).unwrap();
        assert!((score - case.score).abs() < 1e-12, "{name}: score {score}");
        let proba = model.predict_proba(x.view()).unwrap();
        let ll = metrics::log_loss(y.view(), proba.view(), &model.classes).unwrap();
        assert!(
            (ll - case.log_loss).abs() < 1e-6,
            "{name}: log-loss {ll} vs {}",
            case.log_loss
        );
        // Both solvers are L-BFGS with the same stopping rules; the iteration counts stay comparable.
        assert!(
            model.n_iter <= 3 * case.n_iter + 10,
            "{name}: {} iterations, scikit-learn {}",
            model.n_iter,
            case.n_iter
        );
    }
    assert!(worst < 1e-4, "worst relative error {worst:.2e}");
    println!("LogisticRegression vs scikit-learn: worst relative error {worst:.2e}");
}

#[test]
fn default_tolerance_lands_near_the_optimum() {
    // scikit-learn's default tol = 1e-4 stops early; the answer is still close to the tight fit.
    for case in cases()
        .iter()
        .filter(|c| c.name.starts_with("multinomial-iris"))
    {
        let data = Dataset::new(matrix(&case.x), Array1::from(case.y.clone())).unwrap();
        let mut params: LogisticRegressionParams =
            serde_json::from_value(case.params.clone()).unwrap();
        params.tol = 1e-4;
        params.max_iter = 100;
        let model = params.fit(&data).unwrap();
        let test = matrix(&case.x_test);
        let err = max_error(
            &case.name,
            "predict_proba",
            &model.predict_proba(test.view()).unwrap(),
            &case.predict_proba,
        );
        assert!(err < 1e-2, "{}: {err:.2e}", case.name);
        assert!(model.n_iter <= 100);
    }
}

fn blobs(n: usize, k: usize, seed: u64) -> Dataset {
    let mut rng = Rng::new(seed);
    let centers = generators::random_centers(k, 3, 4.0, &mut rng);
    generators::blobs(n, &centers, 1.5, &mut rng)
}

#[test]
fn each_step_is_one_iteration_and_lowers_the_objective() {
    let data = blobs(90, 3, 4);
    let mut run = LogisticRegressionParams::default()
        .tol(1e-8)
        .start(&data)
        .unwrap();
    let mut steps = 0;
    while run.step().unwrap() == Progress::Running {
        steps += 1;
        assert_eq!(run.iterations(), steps);
    }
    let objectives = run.objectives();
    assert_eq!(objectives.len(), run.iterations() + 1);
    assert!(
        objectives.windows(2).all(|w| w[1] <= w[0]),
        "{objectives:?}"
    );
    // Starting from zero weights, every class is equally likely: the loss is ln(3).
    assert!((run.log_losses()[0] - 3f64.ln()).abs() < 1e-12);
    assert!(run.converged());
    // Stepping a finished run changes nothing.
    assert_eq!(run.step().unwrap(), Progress::Done);
    let model = run.model();
    let direct = LogisticRegressionParams::default()
        .tol(1e-8)
        .fit(&data)
        .unwrap();
    assert_eq!(model, direct);
}

#[test]
fn probabilities_and_predictions_agree() {
    let data = blobs(60, 3, 9);
    let model = LogisticRegressionParams::default().fit(&data).unwrap();
    let proba = model.predict_proba(data.x.view()).unwrap();
    assert_eq!(proba.dim(), (60, 3));
    for row in proba.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-12);
        assert!(row.iter().all(|p| (0.0..=1.0).contains(p)));
    }
    let predicted = model.predict(data.x.view()).unwrap();
    assert_eq!(
        predicted,
        metrics::argmax_labels(proba.view(), &model.classes)
    );
    // Binary: one row of coefficients for the larger label, and proba[:, 1] = sigmoid(decision).
    let two = blobs(50, 2, 2);
    let binary = LogisticRegressionParams::default().fit(&two).unwrap();
    assert_eq!(binary.coef.nrows(), 1);
    let d = binary.decision_function(two.x.view()).unwrap();
    let p = binary.predict_proba(two.x.view()).unwrap();
    for (z, row) in d.column(0).iter().zip(p.rows()) {
        assert!((row[1] - 1.0 / (1.0 + (-z).exp())).abs() < 1e-12);
    }
}

#[test]
fn stronger_regularisation_shrinks_the_weights() {
    let data = blobs(80, 2, 5);
    let norm = |c: f64| {
        let m = LogisticRegressionParams::default().c(c).fit(&data).unwrap();
        m.coef.iter().map(|v| v * v).sum::<f64>().sqrt()
    };
    let (strong, medium, weak) = (norm(0.001), norm(0.1), norm(10.0));
    assert!(strong < medium && medium < weak, "{strong} {medium} {weak}");
}

#[test]
fn conformance_bad_data_is_a_typed_error() {
    let good = blobs(40, 3, 1);
    let params = LogisticRegressionParams::default();
    let model = params.fit(&good).unwrap();

    let bad = Dataset {
        y: good.y.slice(ndarray::s![..10]).to_owned(),
        ..good.clone()
    };
    assert!(matches!(params.fit(&bad), Err(Error::Shape(_))));
    let wrong = Array2::<f64>::zeros((4, good.n_features() + 1));
    for result in [
        model.predict(wrong.view()).map(|_| ()),
        model.predict_proba(wrong.view()).map(|_| ()),
        model.decision_function(wrong.view()).map(|_| ()),
    ] {
        assert!(matches!(result, Err(Error::Shape(_))), "{result:?}");
    }
    assert!(matches!(
        model.score(good.x.view(), array![1.0, 2.0].view()),
        Err(Error::Shape(_))
    ));

    let mut nan_x = good.clone();
    nan_x.x[[5, 1]] = f64::NAN;
    match params.fit(&nan_x) {
        Err(Error::NonFinite(at)) => assert!(at.contains("row 5"), "{at}"),
        other => panic!("NaN in x gave {other:?}"),
    }
    let mut nan_y = good.clone();
    nan_y.y[3] = f64::NAN;
    assert!(matches!(params.fit(&nan_y), Err(Error::NonFinite(_))));
    let mut inf_rows = good.x.clone();
    inf_rows[[0, 0]] = f64::INFINITY;
    assert!(matches!(
        model.predict(inf_rows.view()),
        Err(Error::NonFinite(_))
    ));

    let empty = Dataset::new(Array2::zeros((0, 3)), Array1::zeros(0)).unwrap();
    assert!(matches!(params.fit(&empty), Err(Error::EmptyData(_))));
    let no_features = Dataset::new(Array2::zeros((5, 0)), Array1::zeros(5)).unwrap();
    assert!(matches!(params.fit(&no_features), Err(Error::EmptyData(_))));

    // One class only: nothing to separate, and the message says so.
    let mut one = good.clone();
    one.y.fill(2.0);
    let e = params.fit(&one).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidParam { param, .. } if param == "y"),
        "{e:?}"
    );
    assert!(e.to_string().contains("at least 2 classes"), "{e}");
}

#[test]
fn conformance_refit_and_determinism() {
    let good = blobs(45, 3, 7);
    let params = LogisticRegressionParams::default().c(0.5);
    let a = params.fit(&good).unwrap();
    let b = params.fit(&good).unwrap();
    assert_eq!(a, b, "same data, same model");
    // A refit on relabelled data forgets the first fit.
    let mut other = good.clone();
    other.y.mapv_inplace(|v| (v + 1.0) % 3.0);
    let c = params.fit(&other).unwrap();
    assert_ne!(a.coef, c.coef);
    assert!(a.score(good.x.view(), good.y.view()).unwrap() > 0.8);
}

#[test]
fn conformance_params_serde_and_validation() {
    let params = LogisticRegressionParams::default()
        .c(0.25)
        .fit_intercept(false);
    let json = serde_json::to_string(&params).unwrap();
    assert!(json.contains("\"C\":0.25"), "{json}");
    let back: LogisticRegressionParams = serde_json::from_str(&json).unwrap();
    assert_eq!(back, params);
    let none: LogisticRegressionParams = serde_json::from_str(r#"{"penalty": null}"#).unwrap();
    assert_eq!(none.penalty, None);
    assert_eq!(none.c, 1.0, "missing keys take scikit-learn's defaults");
    assert!(serde_json::from_str::<LogisticRegressionParams>(r#"{"alpha": 1}"#).is_err());
    assert!(serde_json::from_str::<LogisticRegressionParams>(r#"{"penalty": "l1"}"#).is_err());

    let invalid = |p: LogisticRegressionParams, name: &str| match p.validate() {
        Err(Error::InvalidParam { param, .. }) => assert_eq!(param, name),
        other => panic!("{name}: {other:?}"),
    };
    invalid(LogisticRegressionParams::default().c(0.0), "C");
    invalid(LogisticRegressionParams::default().c(f64::NAN), "C");
    invalid(LogisticRegressionParams::default().max_iter(0), "max_iter");
    invalid(LogisticRegressionParams::default().tol(-1.0), "tol");

    // The fitted model survives JSON too (coef as rows). serde_json's default float parser may be
    // off by one unit in the last place, so numbers are compared to 1e-15 relative.
    let model = LogisticRegressionParams::default()
        .fit(&blobs(30, 3, 3))
        .unwrap();
    let text = serde_json::to_string(&model).unwrap();
    let back: LogisticRegression = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (&back.classes, back.n_iter, &back.params),
        (&model.classes, model.n_iter, &model.params)
    );
    assert_eq!(back.coef.dim(), model.coef.dim());
    let numbers = |m: &LogisticRegression| -> Vec<f64> {
        m.coef.iter().chain(m.intercept.iter()).copied().collect()
    };
    for (a, b) in numbers(&back).iter().zip(numbers(&model)) {
        assert!((a - b).abs() <= 1e-15 * b.abs(), "{a} vs {b}");
    }
}

#[test]
fn separable_data_without_penalty_stops_at_max_iter() {
    // Perfectly separable and unpenalised: the weights grow without bound, so the budget ends it.
    let data = Dataset::new(
        array![[0.0], [1.0], [2.0], [3.0]],
        array![0.0, 0.0, 1.0, 1.0],
    )
    .unwrap();
    let model = LogisticRegressionParams::default()
        .penalty(None)
        .max_iter(30)
        .fit(&data)
        .unwrap();
    assert!(model.n_iter <= 30);
    assert!(model.coef.iter().all(|v| v.is_finite()));
    assert_eq!(
        model.predict(data.x.view()).unwrap(),
        array![0.0, 0.0, 1.0, 1.0]
    );
}
