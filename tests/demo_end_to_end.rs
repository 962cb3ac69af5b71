//! Chapter 2's demos on the bundled Auto MPG table (`explore-data`, `end-to-end`, `grid-search`):
//! their numbers are recomputed here through the public API (frame reading, split, pipeline,
//! cross-validation) by separate code, and the lessons the chapter draws from them must hold.

use mlplay::data::frame::read_frame;
use mlplay::data::{bundled, Dataset};
use mlplay::demos::{self, Demo};
use mlplay::estimator::{Progress, Regressor};
use mlplay::linear::LinearRegressionParams;
use mlplay::metrics::root_mean_squared_error;
use mlplay::model_selection::{cross_val_score, train_test_split, KFold};
use mlplay::neighbors::{KNeighborsRegressorParams, Weights};
use mlplay::preprocessing::*;
use mlplay::rng::Rng;
use ndarray::Axis;
use std::collections::HashMap;

const SEED: u64 = 42;

fn run(id: &str, sets: &[(&str, &str)]) -> demos::AnyDemo {
    let pairs: Vec<(String, String)> = sets
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = demos::params_with(id, &pairs).unwrap();
    let mut d = demos::create(id, &params, SEED).unwrap();
    while d.tick() == Progress::Running {}
    d
}

fn metrics(d: &demos::AnyDemo) -> HashMap<&'static str, f64> {
    d.metrics().into_iter().map(|m| (m.key, m.value)).collect()
}

/// The training cars as chapter 2 describes them: rows with an mpg, 80/20 split by the seed.
fn training_set() -> (Dataset, ColumnTransformerParams) {
    let frame = read_frame(&bundled::auto_mpg_csv().unwrap()).unwrap();
    let mpg = frame.column_index("mpg").unwrap();
    let keep: Vec<usize> = (0..frame.values.nrows())
        .filter(|&r| !frame.values[[r, mpg]].is_nan())
        .collect();
    assert_eq!(keep.len(), 398);
    let cols = [
        "cylinders",
        "displacement",
        "horsepower",
        "weight",
        "acceleration",
        "model_year",
        "origin",
    ];
    let idx: Vec<usize> = cols
        .iter()
        .map(|c| frame.column_index(c).unwrap())
        .collect();
    let rows = frame.values.select(Axis(0), &keep);
    let all = Dataset::with_names(
        rows.select(Axis(1), &idx),
        rows.column(mpg).to_owned(),
        cols.iter().map(|c| c.to_string()).collect(),
        "mpg".into(),
    )
    .unwrap();
    let (train, _) = train_test_split(398, 0.2, &mut Rng::new(SEED)).unwrap();
    let preprocess = ColumnTransformerParams {
        groups: vec![
            ColumnGroup {
                name: "num".into(),
                columns: cols[..6].iter().map(|c| c.to_string()).collect(),
                chain: TransformerChain::new(vec![
                    Step::SimpleImputer(SimpleImputerParams {
                        strategy: ImputeStrategy::Median,
                        ..Default::default()
                    }),
                    Step::StandardScaler(StandardScalerParams::default()),
                ]),
            },
            ColumnGroup {
                name: "cat".into(),
                columns: vec!["origin".into()],
                chain: TransformerChain::new(vec![Step::OneHotEncoder(OneHotEncoderParams {
                    handle_unknown: HandleUnknown::Ignore,
                    drop: None,
                })]),
            },
        ],
        remainder: Remainder::Drop,
        category_names: frame.category_names(),
    };
    (all.select(&train), preprocess)
}

fn cv_rmse<P: mlplay::estimator::Fit>(p: &P, data: &Dataset) -> f64
where
    P::Model: Regressor,
{
    let folds = KFold::new(5).split(data.n_samples()).unwrap();
    let scores = cross_val_score(p, data, &folds, |m, d| {
        Ok(root_mean_squared_error(
            d.y.view(),
            m.predict(d.x.view())?.view(),
        ))
    })
    .unwrap();
    scores.iter().sum::<f64>() / 5.0
}

#[test]
fn end_to_end_cross_validation_equals_a_direct_pipeline_run() {
    let (train, preprocess) = training_set();
    assert_eq!(train.n_samples(), 318);
    let expected = cv_rmse(
        &PipelineParams {
            preprocess,
            estimator: LinearRegressionParams::default(),
        },
        &train,
    );
    let m = metrics(&run("end-to-end", &[]));
    assert!(
        (m["cv_rmse"] - expected).abs() < 1e-9,
        "{} vs {expected}",
        m["cv_rmse"]
    );
    assert_eq!(m["dropped"], 8.0);
    assert!(m["test_rmse"].is_finite());
}

#[test]
fn end_to_end_shows_overfitting_and_the_cost_of_skipping_scaling() {
    let linear = metrics(&run("end-to-end", &[]));
    let tree = metrics(&run("end-to-end", &[("model", "decision-tree")]));
    let forest = metrics(&run("end-to-end", &[("model", "random-forest")]));
    // A fully grown tree memorises its training rows but validates no better than the line.
    assert_eq!(tree["train_rmse"], 0.0);
    assert!(tree["cv_rmse"] > linear["cv_rmse"] - 0.2);
    // Averaging trees beats both.
    assert!(forest["cv_rmse"] < linear["cv_rmse"] - 0.3, "{forest:?}");
    let knn = metrics(&run("end-to-end", &[("model", "k-neighbors")]));
    let raw = metrics(&run(
        "end-to-end",
        &[("model", "k-neighbors"), ("scaler", "none")],
    ));
    assert!(raw["cv_rmse"] > knn["cv_rmse"] + 0.8, "{raw:?} vs {knn:?}");
}

#[test]
fn grid_search_finds_the_best_k_a_direct_search_finds() {
    let (train, preprocess) = training_set();
    let d = run("grid-search", &[("max_k", "6")]);
    let m = metrics(&d);
    assert_eq!(m["tried"], 12.0);
    // Recompute every setting's CV RMSE and take the minimum.
    let mut best = (f64::INFINITY, 0usize);
    for k in 1..=6 {
        for weights in [Weights::Uniform, Weights::Distance] {
            let rmse = cv_rmse(
                &PipelineParams {
                    preprocess: preprocess.clone(),
                    estimator: KNeighborsRegressorParams {
                        n_neighbors: k,
                        weights,
                        ..Default::default()
                    },
                },
                &train,
            );
            if rmse < best.0 {
                best = (rmse, k);
            }
        }
    }
    assert!(
        (m["best_cv_rmse"] - best.0).abs() < 1e-9,
        "{m:?} vs {best:?}"
    );
    assert_eq!(m["best_k"], best.1 as f64);
    assert!(m["test_rmse"].is_finite());
}

#[test]
fn explore_data_correlation_matches_a_direct_computation() {
    let (train, _) = training_set();
    let (w, y) = (train.x.column(3), train.y.view());
    let (mw, my) = (w.mean().unwrap(), y.mean().unwrap());
    let cov: f64 = w.iter().zip(y).map(|(a, b)| (a - mw) * (b - my)).sum();
    let r = cov
        / (w.iter().map(|a| (a - mw).powi(2)).sum::<f64>()
            * y.iter().map(|b| (b - my).powi(2)).sum::<f64>())
        .sqrt();
    let m = metrics(&run("explore-data", &[]));
    assert!((m["r"] - r).abs() < 1e-12, "{} vs {r}", m["r"]);
    assert!(r < -0.8, "heavier cars go fewer miles per gallon");
    let hp = metrics(&run("explore-data", &[("x", "horsepower")]));
    let missing = train.x.column(2).iter().filter(|v| v.is_nan()).count();
    assert_eq!(hp["missing_x"], missing as f64);
    assert!(missing > 0);
}

/// In the page the ensembles' folds grow over several frames (a few trees per frame's budget)
/// and end where whole-fold ticks end.
#[test]
fn ensembles_spread_a_fold_over_frames_and_end_the_same() {
    for model in ["gradient-boosting", "random-forest"] {
        let whole = run("end-to-end", &[("model", model)]);
        let params = demos::params_with("end-to-end", &[("model".into(), model.into())]).unwrap();
        let mut d = demos::create("end-to-end", &params, SEED).unwrap();
        let budget = web_time::Duration::from_micros(200);
        let mut frames = 0;
        while d.step(budget) == Progress::Running {
            frames += 1;
            assert!(frames < 100_000, "{model} did not finish");
        }
        // Five folds and the final fit, each of 20 or 100 trees, at a few trees per frame.
        assert!(frames > 12, "{model}: {frames} frames");
        let shown = |d: &demos::AnyDemo| -> Vec<String> {
            d.metrics()
                .into_iter()
                .map(|m| format!("{}={}", m.key, m.text))
                .collect()
        };
        assert_eq!(shown(&d), shown(&whole), "{model}");
    }
}
