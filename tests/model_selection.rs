//! Model selection against scikit-learn 1.9.1 (tests/fixtures/model_selection.json, written by
//! scripts/fixtures.d/model_selection.py): k-fold and stratified k-fold test rows exactly;
//! cross-validated scores and predictions, grid search, learning and validation curves of Ridge
//! to 1e-9 relative (Ridge is solved in closed form on both sides); logistic-regression
//! accuracies exactly; and `mlplay fit --cv K`.

use crate::common;

use common::{assert_close, fit_json, mlplay};
use mlplay::data::Dataset;
use mlplay::estimator::{Classifier, Fit, Regressor};
use mlplay::linear::{LogisticRegressionParams, RidgeParams};
use mlplay::model_selection::{
    cross_val_predict, cross_val_score, learning_curve, validation_curve, with_params,
    Distribution, Fold, GridSearchCv, KFold, RandomizedSearchCv, Scoring, StratifiedKFold,
};
use ndarray::{Array1, Array2};
use serde_json::{json, Value as Json};

const TOL: f64 = 1e-9;

fn fixture() -> Json {
    serde_json::from_str(include_str!("fixtures/model_selection.json")).expect("fixture parses")
}

fn test_rows(folds: &[Fold]) -> Json {
    json!(folds.iter().map(|f| f.test.clone()).collect::<Vec<_>>())
}

fn regression(fx: &Json) -> Dataset {
    let rows: Vec<Vec<f64>> = serde_json::from_value(fx["regression"]["x"].clone()).unwrap();
    let y: Vec<f64> = serde_json::from_value(fx["regression"]["y"].clone()).unwrap();
    let x = Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j]);
    Dataset::new(x, Array1::from(y)).unwrap()
}

fn iris() -> Dataset {
    mlplay::data::csv::read_dataset(include_str!("fixtures/data/logistic_small.csv"), "species")
        .unwrap()
}

fn r2(m: &mlplay::linear::Ridge, d: &Dataset) -> mlplay::error::Result<f64> {
    m.score(d.x.view(), d.y.view())
}

fn scored(s: Scoring) -> impl Fn(&mlplay::linear::Ridge, &Dataset) -> mlplay::error::Result<f64> {
    move |m, d| s.of_predictions(d.y.view(), m.predict(d.x.view())?.view())
}

#[test]
fn kfold_matches_scikit_learn() {
    let fx = fixture();
    for case in fx["kfold"].as_array().unwrap() {
        let n = case["n"].as_u64().unwrap() as usize;
        let k = case["n_splits"].as_u64().unwrap() as usize;
        let folds = KFold::new(k).split(n).unwrap();
        assert_eq!(test_rows(&folds), case["test"], "KFold({k}) on {n} rows");
        for f in &folds {
            assert_eq!(f.train.len() + f.test.len(), n);
        }
    }
}

#[test]
fn stratified_kfold_matches_scikit_learn() {
    let fx = fixture();
    let cases = fx["stratified_kfold"].as_array().unwrap();
    assert_eq!(cases.len(), 8);
    for case in cases {
        let y: Vec<f64> = serde_json::from_value(case["y"].clone()).unwrap();
        let k = case["n_splits"].as_u64().unwrap() as usize;
        let folds = StratifiedKFold::new(k)
            .split(Array1::from(y).view())
            .unwrap();
        assert_eq!(test_rows(&folds), case["test"], "{} k={k}", case["name"]);
    }
}

#[test]
fn cross_validation_matches_scikit_learn() {
    let fx = fixture();
    let cv = &fx["cross_val"];
    let data = regression(&fx);
    let folds = KFold::new(5).split(data.n_samples()).unwrap();
    let ridge = RidgeParams::default();
    let ours = cross_val_score(&ridge, &data, &folds, r2).unwrap();
    assert_close("ridge r2", &json!(ours), &cv["ridge_r2"], TOL);
    for (key, s) in [
        ("ridge_neg_mse", Scoring::NegMeanSquaredError),
        ("ridge_neg_mae", Scoring::NegMeanAbsoluteError),
    ] {
        let ours = cross_val_score(&ridge, &data, &folds, scored(s)).unwrap();
        assert_close(key, &json!(ours), &cv[key], TOL);
    }
    let pred = cross_val_predict(&ridge, &data, &folds, |m, x| m.predict(x)).unwrap();
    assert_close(
        "ridge cross_val_predict",
        &json!(pred.to_vec()),
        &cv["ridge_predict"],
        TOL,
    );

    let iris = iris();
    let folds = StratifiedKFold::new(5).split(iris.y.view()).unwrap();
    let logistic = LogisticRegressionParams {
        max_iter: 1000,
        tol: 1e-10,
        ..Default::default()
    };
    let acc = cross_val_score(&logistic, &iris, &folds, |m, d| {
        m.score(d.x.view(), d.y.view())
    })
    .unwrap();
    assert_close(
        "iris accuracy",
        &json!(acc),
        &cv["iris_logistic_accuracy"],
        1e-12,
    );
}

#[test]
fn grid_search_matches_scikit_learn() {
    let fx = fixture();
    let gs = &fx["grid_search"];
    let data = regression(&fx);
    let folds = KFold::new(5).split(data.n_samples()).unwrap();
    // Listed out of alphabetical order on purpose: the settings are still tried alpha-major.
    let search = GridSearchCv::new(vec![
        ("fit_intercept".into(), vec![json!(true), json!(false)]),
        (
            "alpha".into(),
            serde_json::from_value(gs["grid"]["alpha"].clone()).unwrap(),
        ),
    ]);
    let result = search
        .fit(&RidgeParams::default(), &data, &folds, r2)
        .unwrap();
    let params: Vec<Json> = result
        .candidates
        .iter()
        .map(|c| {
            let m: serde_json::Map<String, Json> = c.params.iter().cloned().collect();
            Json::Object(m)
        })
        .collect();
    assert_eq!(json!(params), gs["params"]);
    let means: Vec<f64> = result.candidates.iter().map(|c| c.mean_score).collect();
    let stds: Vec<f64> = result.candidates.iter().map(|c| c.std_score).collect();
    let ranks: Vec<usize> = result.candidates.iter().map(|c| c.rank).collect();
    assert_close(
        "mean_test_score",
        &json!(means),
        &gs["mean_test_score"],
        TOL,
    );
    assert_close("std_test_score", &json!(stds), &gs["std_test_score"], TOL);
    assert_eq!(json!(ranks), gs["rank_test_score"]);
    assert_eq!(json!(result.best_index), gs["best_index"]);
    assert_close(
        "best coef",
        &json!(result.best_model.coef().to_vec()),
        &gs["best_coef"],
        TOL,
    );
}

#[test]
fn learning_and_validation_curves_match_scikit_learn() {
    let fx = fixture();
    let data = regression(&fx);
    let folds = KFold::new(5).split(data.n_samples()).unwrap();
    let lc = &fx["learning_curve"];
    let fractions: Vec<f64> = serde_json::from_value(lc["train_sizes"].clone()).unwrap();
    let ours = learning_curve(&RidgeParams::default(), &data, &folds, &fractions, r2).unwrap();
    assert_eq!(json!(ours.train_sizes), lc["train_sizes_abs"]);
    assert_close(
        "learning train",
        &json!(ours.scores.train),
        &lc["train_scores"],
        TOL,
    );
    assert_close(
        "learning test",
        &json!(ours.scores.test),
        &lc["test_scores"],
        TOL,
    );

    let vc = &fx["validation_curve"];
    let alphas: Vec<Json> = serde_json::from_value(vc["alphas"].clone()).unwrap();
    let ours =
        validation_curve(&RidgeParams::default(), &data, &folds, "alpha", &alphas, r2).unwrap();
    assert_close(
        "validation train",
        &json!(ours.train),
        &vc["train_scores"],
        TOL,
    );
    assert_close(
        "validation test",
        &json!(ours.test),
        &vc["test_scores"],
        TOL,
    );
    // Stronger regularisation fits the training rows worse.
    let (train_means, _) = ours.means();
    assert!(
        train_means.windows(2).all(|w| w[0] >= w[1]),
        "{train_means:?}"
    );
}

#[test]
fn randomized_search_draws_from_its_distributions() {
    let fx = fixture();
    let data = regression(&fx);
    let folds = KFold::new(4).split(data.n_samples()).unwrap();
    // All lists: settings come from the grid without repeats, the whole grid when n_iter is larger.
    let lists = RandomizedSearchCv::new(
        vec![
            (
                "alpha".into(),
                Distribution::Choice(vec![json!(0.1), json!(1.0), json!(10.0)]),
            ),
            (
                "fit_intercept".into(),
                Distribution::Choice(vec![json!(true), json!(false)]),
            ),
        ],
        20,
        3,
    );
    let mut drawn: Vec<String> = lists
        .settings()
        .unwrap()
        .iter()
        .map(|s| format!("{s:?}"))
        .collect();
    drawn.sort();
    drawn.dedup();
    assert_eq!(drawn.len(), 6);

    let search = RandomizedSearchCv::new(
        vec![(
            "alpha".into(),
            Distribution::LogUniform {
                low: 1e-3,
                high: 1e3,
            },
        )],
        12,
        5,
    );
    let settings = search.settings().unwrap();
    assert_eq!(
        settings,
        search.settings().unwrap(),
        "same seed, same draws"
    );
    let alphas: Vec<f64> = settings.iter().map(|s| s[0].1.as_f64().unwrap()).collect();
    assert!(alphas.iter().all(|a| (1e-3..1e3).contains(a)), "{alphas:?}");
    // Log-uniform: draws land on both sides of the geometric middle (1).
    assert!(alphas.iter().any(|&a| a < 1.0) && alphas.iter().any(|&a| a > 1.0));
    let result = search
        .fit(&RidgeParams::default(), &data, &folds, r2)
        .unwrap();
    let best = result.best().mean_score;
    assert!(result.candidates.iter().all(|c| c.mean_score <= best));
    // The refitted model is the best setting fitted on all rows.
    let direct = with_params(&RidgeParams::default(), &result.best().params)
        .unwrap()
        .fit(&data)
        .unwrap();
    assert_eq!(direct.coef(), result.best_model.coef());

    let bad = RandomizedSearchCv::new(
        vec![(
            "alpha".into(),
            Distribution::LogUniform {
                low: 0.0,
                high: 1.0,
            },
        )],
        3,
        0,
    );
    assert!(bad.settings().unwrap_err().to_string().contains("alpha"));
}

#[test]
fn bad_search_requests_are_named() {
    let err = with_params(&RidgeParams::default(), &[("alhpa".into(), json!(1.0))]).unwrap_err();
    assert!(err.to_string().contains("alhpa"), "{err}");
    let err = with_params(&RidgeParams::default(), &[("alpha".into(), json!("big"))]).unwrap_err();
    assert!(err.to_string().contains("alpha"), "{err}");
    let empty = GridSearchCv::new(vec![("alpha".into(), vec![])]);
    assert!(empty.settings().unwrap_err().to_string().contains("alpha"));
    assert!(Scoring::from_name("auc")
        .unwrap_err()
        .to_string()
        .contains("accuracy, r2"));
}

#[test]
fn cli_cv_prints_scikit_learns_cross_validated_scores() {
    let fx = fixture();
    for case in fx["cli"].as_array().unwrap() {
        let data = format!("tests/fixtures/data/{}", case["data"].as_str().unwrap());
        let k = case["cv"].to_string();
        let mut args = vec![
            "fit",
            case["estimator"].as_str().unwrap(),
            "--data",
            &data,
            "--target",
            case["target"].as_str().unwrap(),
            "--cv",
            &k,
        ];
        for s in case["sets"].as_array().unwrap() {
            args.extend(["--set", s.as_str().unwrap()]);
        }
        let out = fit_json(&args);
        let cv = &out["cv"];
        assert_eq!(cv["splitter"], case["splitter"]);
        assert_eq!(cv["scoring"], case["scoring"]);
        assert_close("cv scores", &cv["scores"], &case["scores"], TOL);
        let scores: Vec<f64> = serde_json::from_value(case["scores"].clone()).unwrap();
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        assert!((cv["mean"].as_f64().unwrap() - mean).abs() < 1e-9);
    }
    let (ok, _, err) = mlplay(&[
        "fit",
        "ridge",
        "--data",
        "tests/fixtures/data/ridge_small.csv",
        "--target",
        "y",
        "--cv",
        "1",
    ]);
    assert!(!ok && err.contains("n_splits"), "{err}");
    let (ok, _, err) = mlplay(&[
        "fit",
        "ridge",
        "--data",
        "tests/fixtures/data/ridge_small.csv",
        "--target",
        "y",
        "--cv",
        "500",
    ]);
    assert!(!ok && err.contains("at most 40 folds"), "{err}");
}

#[test]
fn classifier_cv_works_through_the_shared_contract() {
    // Any Fit + Classifier pair works with the generic helpers: a decision tree on iris.
    let iris = iris();
    let folds = StratifiedKFold::new(5).split(iris.y.view()).unwrap();
    let tree = mlplay::tree::DecisionTreeClassifier::params().max_depth(Some(3));
    let scores =
        cross_val_score(&tree, &iris, &folds, |m, d| m.score(d.x.view(), d.y.view())).unwrap();
    assert_eq!(scores.len(), 5);
    assert!(scores.iter().all(|s| (0.8..=1.0).contains(s)), "{scores:?}");
}
