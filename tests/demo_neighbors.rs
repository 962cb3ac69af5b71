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
