//! Chapter 1's demos: `knn-boundary` fits its training points exactly at k = 1 and less so at
//! large k, and its metrics and picture follow k and the weights; `instance-vs-model` predicts at
//! the query with both models, and its numbers and picture follow k, the query and the weights.
#![cfg(not(target_arch = "wasm32"))] // renders PNG pixels natively

use mlplay::demos::{self, Demo};
use mlplay::estimator::Progress;
use mlplay::viz::render_rgb;
use std::collections::HashMap;

fn run(id: &str, sets: &[(&str, &str)]) -> demos::AnyDemo {
    let pairs: Vec<(String, String)> = sets
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = demos::params_with(id, &pairs).unwrap();
    let mut d = demos::create(id, &params, 42).unwrap();
    while d.tick() == Progress::Running {}
    d
}

fn metrics(d: &demos::AnyDemo) -> HashMap<&'static str, f64> {
    d.metrics().into_iter().map(|m| (m.key, m.value)).collect()
}

#[test]
fn knn_boundary_overfits_at_k_1_and_underfits_at_large_k() {
    let base = [("dataset", "moons"), ("samples", "100"), ("noise", "0.3")];
    let at = |k: &str, weights: &str| {
        let mut sets = base.to_vec();
        sets.extend([("k", k), ("weights", weights)]);
        run("knn-boundary", &sets)
    };
    let (one, fifteen, fifty) = (at("1", "uniform"), at("15", "uniform"), at("50", "uniform"));
    let (m1, m15, m50) = (metrics(&one), metrics(&fifteen), metrics(&fifty));
    assert_eq!(
        m1["train_accuracy"], 1.0,
        "k = 1 memorises the training set"
    );
    assert!(m15["train_accuracy"] < 1.0);
    // The chapter's story: k = 15 beats both extremes on the test points.
    assert!(m15["test_accuracy"] > m1["test_accuracy"], "{m1:?} {m15:?}");
    assert!(
        m15["test_accuracy"] > m50["test_accuracy"],
        "{m15:?} {m50:?}"
    );
    assert!(
        m50["train_accuracy"] < m15["train_accuracy"],
        "{m15:?} {m50:?}"
    );
    // Distance weights give each training point its own label back, whatever k.
    assert_eq!(metrics(&at("50", "distance"))["train_accuracy"], 1.0);

    let pictures: Vec<Vec<u8>> = [&one, &fifteen, &fifty]
        .iter()
        .map(|d| render_rgb(*d, 900).unwrap().0)
        .collect();
    assert_ne!(pictures[0], pictures[1]);
    assert_ne!(pictures[1], pictures[2]);
}

#[test]
fn instance_vs_model_follows_k_query_and_weights() {
    let base = run("instance-vs-model", &[]);
    let m = metrics(&base);
    for key in [
        "linear_prediction",
        "knn_prediction",
        "linear_train_rmse",
        "linear_test_rmse",
        "knn_train_rmse",
        "knn_test_rmse",
    ] {
        assert!(m[key].is_finite() && m[key] >= 0.0, "{key}: {m:?}");
    }
    // k = 1 reproduces every training row; the straight line cannot.
    let one = metrics(&run("instance-vs-model", &[("k", "1")]));
    assert_eq!(one["knn_train_rmse"], 0.0);
    assert!(one["linear_train_rmse"] > 0.1);
    assert_eq!(
        one["linear_test_rmse"], m["linear_test_rmse"],
        "k moves only k-NN"
    );
    assert_ne!(one["knn_test_rmse"], m["knn_test_rmse"]);

    // Far to the right the line keeps rising while the neighbours stay with the richest rows.
    let far = metrics(&run("instance-vs-model", &[("query", "110")]));
    assert!(far["linear_prediction"] > m["linear_prediction"]);
    assert!(far["linear_prediction"] > far["knn_prediction"], "{far:?}");

    let distance = run("instance-vs-model", &[("weights", "distance")]);
    assert_eq!(metrics(&distance)["knn_train_rmse"], 0.0);
    let moved = run("instance-vs-model", &[("query", "90")]);
    let picture = |d: &demos::AnyDemo| render_rgb(d, 900).unwrap().0;
    assert_ne!(picture(&base), picture(&moved), "the query line moves");
    assert_ne!(picture(&base), picture(&distance));
}

/// Runs `id` on an uploaded CSV (as the page's upload box and `mlplay render --data` do).
fn run_on_file(id: &str, text: &str, k: &str) -> demos::AnyDemo {
    let sets = [("k".to_string(), k.to_string())];
    let params = demos::params_on_file(id, &sets, "mine.csv", text).unwrap();
    let mut d = demos::create(id, &params, 42).unwrap();
    while d.tick() == Progress::Running {}
    d
}

#[test]
fn knn_boundary_on_an_uploaded_file_scores_as_a_direct_fit() {
    use mlplay::data::{frame::read_frame, Dataset};
    use mlplay::estimator::{Classifier, Fit};
    use mlplay::neighbors::KNeighborsClassifierParams;
    // Two text classes on two numeric columns, with a third (text) column the demo ignores.
    let mut text = String::from("size,colour,weight,kind\n");
    for i in 0..80 {
        let (kind, shift) = if i % 2 == 0 {
            ("ant", 0.0)
        } else {
            ("bee", 1.2)
        };
        let a = (i as f64 * 0.37).sin() + shift;
        let b = (i as f64 * 0.91).cos() + shift;
        text.push_str(&format!("{a},c{},{b},{kind}\n", i % 3));
    }
    let d = run_on_file("knn-boundary", &text, "5");
    let m = metrics(&d);
    // The same split of the same rows, fitted directly.
    let frame = read_frame(&text).unwrap();
    let x = frame.values.select(ndarray::Axis(1), &[0, 2]);
    let y = frame.values.column(3).to_owned();
    let all = Dataset::new(x, y).unwrap();
    let mut rng = mlplay::rng::Rng::new(42);
    let (train, test) = mlplay::model_selection::train_test_split(80, 0.25, &mut rng).unwrap();
    let (train, test) = (all.select(&train), all.select(&test));
    let model = KNeighborsClassifierParams::default()
        .n_neighbors(5)
        .fit(&train)
        .unwrap();
    assert_eq!(m["k"], 5.0);
    assert_eq!(
        m["train_accuracy"],
        model.score(train.x.view(), train.y.view()).unwrap()
    );
    assert_eq!(
        m["test_accuracy"],
        model.score(test.x.view(), test.y.view()).unwrap()
    );
    assert!(m["test_accuracy"] > 0.7, "{m:?}");
    let script = d.python().unwrap();
    assert!(script.contains("data[[\"size\", \"weight\"]]"), "{script}");
    assert!(script.contains("y = data[\"kind\"]"), "{script}");
    // The picture names the file's columns on its axes: it differs from one with the default
    // names only in text, so compare against a run on the same data renamed.
    let renamed = text.replacen("size,colour,weight,kind", "x1,colour,x2,kind", 1);
    let plain = run_on_file("knn-boundary", &renamed, "5");
    assert_ne!(
        render_rgb(&d, 900).unwrap(),
        render_rgb(&plain, 900).unwrap()
    );
}

/// The instance-against-model demo on a file whose x is in the thousands: both models are the
/// library's fits on the same split, and the query control's 0-120 is spread over the file's x
/// range (45 of 120 is 37.5% of the way), which a metric and the Python report.
#[test]
fn instance_vs_model_on_an_uploaded_file_maps_the_query_onto_its_x() {
    use mlplay::data::{frame::read_frame, Dataset};
    use mlplay::estimator::{Fit, Regressor};
    use mlplay::linear::LinearRegressionParams;
    use mlplay::neighbors::KNeighborsRegressorParams;
    let mut text = String::from("income,happiness\n");
    for i in 0..60 {
        let x = 2_000.0 + 1_000.0 * ((i * 7) % 60) as f64;
        let y = 3.0 + 4.0 * (1.0 - (-x / 20_000.0).exp()) + 0.3 * (i as f64 * 2.1).sin();
        text.push_str(&format!("{x},{y}\n"));
    }
    let sets = [("k".to_string(), "4".to_string())];
    let params = demos::params_on_file("instance-vs-model", &sets, "happy.csv", &text).unwrap();
    let mut d = demos::create("instance-vs-model", &params, 42).unwrap();
    while d.tick() == Progress::Running {}
    let m = metrics(&d);

    let frame = read_frame(&text).unwrap();
    let all = Dataset::new(
        frame.values.select(ndarray::Axis(1), &[0]),
        frame.values.column(1).to_owned(),
    )
    .unwrap();
    let mut rng = mlplay::rng::Rng::new(42);
    let (tr, te) = mlplay::model_selection::train_test_split(60, 0.25, &mut rng).unwrap();
    let (train, test) = (all.select(&tr), all.select(&te));
    // x runs from 2000 to 61000 in the file.
    let query = 2_000.0 + 0.375 * 59_000.0;
    assert!((m["query_x"] - query).abs() < 1e-9, "{m:?}");
    let at = ndarray::array![[query]];
    let linear = LinearRegressionParams::default().fit(&train).unwrap();
    let knn = KNeighborsRegressorParams::default()
        .n_neighbors(4)
        .fit(&train)
        .unwrap();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(close(
        m["linear_prediction"],
        linear.predict(at.view()).unwrap()[0]
    ));
    assert!(close(
        m["knn_prediction"],
        knn.predict(at.view()).unwrap()[0]
    ));
    let test_rmse = mlplay::metrics::root_mean_squared_error(
        test.y.view(),
        knn.predict(test.x.view()).unwrap().view(),
    );
    assert!(close(m["knn_test_rmse"], test_rmse), "{m:?}");
    let script = d.python().unwrap();
    assert!(script.contains("pd.read_csv(\"happy.csv\")"), "{script}");
    assert!(script.contains("query = [[24125"), "{script}");
    assert!(!script.contains("gdp = "), "{script}");
}
