//! `mlplay fit` for the unsupervised estimators: no `--target`, one JSON object with the fitted
//! attributes, and readable errors.
#![cfg(not(target_arch = "wasm32"))] // spawns the CLI

use serde_json::Value;
use std::process::Command;

const DATA: &str = "tests/fixtures/data/blobs_small.csv";

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

fn fit(args: &[&str]) -> Value {
    let (ok, stdout, stderr) = mlplay(args);
    assert!(ok, "{args:?} failed: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn kmeans_prints_labels_centres_and_inertia() {
    let out = fit(&["fit", "kmeans", "--data", DATA, "--set", "n_clusters=3"]);
    assert_eq!(out["estimator"], "kmeans");
    assert_eq!(out["params"]["n_clusters"], 3);
    assert_eq!(out["params"]["init"], "k-means++");
    assert!(out["fit_ms"].as_f64().unwrap() >= 0.0);
    let labels = out["labels"].as_array().unwrap();
    assert_eq!(labels.len(), 45);
    assert_eq!(out["cluster_centers"].as_array().unwrap().len(), 3);
    assert_eq!(out["cluster_centers"][0].as_array().unwrap().len(), 2);
    // Three separated blobs of 15 points each: three clusters of 15.
    for c in 0..3 {
        assert_eq!(labels.iter().filter(|l| **l == c).count(), 15, "{out}");
    }
    assert!(out["inertia"].as_f64().unwrap() > 0.0);
    // Same data and seed, same answer; `--set` reaches every parameter.
    let again = fit(&["fit", "kmeans", "--data", DATA, "--set", "n_clusters=3"]);
    assert_eq!(again["labels"], out["labels"]);
    let random = fit(&[
        "fit",
        "kmeans",
        "--data",
        DATA,
        "--set",
        "n_clusters=3",
        "--set",
        "init=random",
        "--set",
        "n_init=4",
        "--set",
        "random_state=2",
    ]);
    assert_eq!(random["params"]["init"], "random");
    assert_eq!(random["params"]["n_init"], 4);
}

#[test]
fn dbscan_and_pca_print_their_attributes() {
    let out = fit(&["fit", "dbscan", "--data", DATA, "--set", "eps=1.5"]);
    assert_eq!(out["estimator"], "dbscan");
    assert_eq!(out["labels"].as_array().unwrap().len(), 45);
    assert!(out["n_clusters"].as_u64().unwrap() >= 1);
    assert!(!out["core_sample_indices"].as_array().unwrap().is_empty());

    let out = fit(&["fit", "pca", "--data", DATA, "--set", "n_components=1"]);
    assert_eq!(out["params"]["n_components"], 1);
    assert_eq!(out["components"].as_array().unwrap().len(), 1);
    let ratio = out["explained_variance_ratio"][0].as_f64().unwrap();
    assert!(ratio > 0.5 && ratio < 1.0, "{ratio}");
}

#[test]
fn unsupervised_errors_are_readable() {
    let (ok, _, err) = mlplay(&["fit", "kmeans", "--data", DATA, "--set", "n_clusters=99"]);
    assert!(
        !ok && err.contains("n_clusters") && err.contains("45"),
        "{err}"
    );
    let (ok, _, err) = mlplay(&["fit", "kmeans", "--data", DATA, "--target", "x1"]);
    assert!(!ok && err.contains("no --target"), "{err}");
    let (ok, _, err) = mlplay(&["fit", "pca", "--data", DATA, "--set", "copy=false"]);
    assert!(
        !ok && err.contains("copy") && err.contains("whiten"),
        "{err}"
    );
    let (ok, _, err) = mlplay(&["fit", "ridge", "--data", DATA]);
    assert!(!ok && err.contains("--target"), "{err}");
}

#[test]
fn gaussian_mixture_prints_weights_means_covariances_and_criteria() {
    let out = fit(&[
        "fit",
        "gaussian-mixture",
        "--data",
        DATA,
        "--set",
        "n_components=3",
        "--set",
        "covariance_type=diag",
    ]);
    assert_eq!(out["estimator"], "gaussian-mixture");
    assert_eq!(out["params"]["covariance_type"], "diag");
    assert_eq!(out["params"]["init_params"], "kmeans");
    let weights: Vec<f64> = serde_json::from_value(out["weights"].clone()).unwrap();
    assert_eq!(weights.len(), 3);
    assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{out}");
    assert_eq!(out["means"].as_array().unwrap().len(), 3);
    // Diagonal covariances: one variance per component and feature.
    assert_eq!(out["covariances"].as_array().unwrap().len(), 3);
    assert_eq!(out["covariances"][0].as_array().unwrap().len(), 2);
    assert_eq!(out["converged"], true);
    assert!(out["n_iter"].as_u64().unwrap() >= 1);
    let (bic, aic) = (out["bic"].as_f64().unwrap(), out["aic"].as_f64().unwrap());
    // 3 x 2 means + 3 x 2 variances + 2 free weights = 14 parameters; n = 45.
    assert!(
        (bic - aic - 14.0 * ((45.0_f64).ln() - 2.0)).abs() < 1e-6,
        "{bic} {aic}"
    );
    // Three separated blobs of 15 points each.
    let labels = out["labels"].as_array().unwrap();
    for c in 0..3 {
        assert_eq!(labels.iter().filter(|l| **l == c).count(), 15, "{out}");
    }
    // Full covariances are d x d matrices; starting means can be given as JSON.
    let out = fit(&[
        "fit",
        "gaussian-mixture",
        "--data",
        DATA,
        "--set",
        "n_components=2",
        "--set",
        "means_init=[[-4, 0], [3, 0]]",
    ]);
    assert_eq!(out["covariances"][1][1].as_array().unwrap().len(), 2);
    let (ok, _, err) = mlplay(&[
        "fit",
        "gaussian-mixture",
        "--data",
        DATA,
        "--set",
        "covariance_type=banded",
    ]);
    assert!(!ok && err.contains("covariance_type"), "{err}");
    let (ok, _, err) = mlplay(&[
        "fit",
        "gaussian-mixture",
        "--data",
        DATA,
        "--set",
        "n_components=46",
    ]);
    assert!(
        !ok && err.contains("n_components") && err.contains("45"),
        "{err}"
    );
}

#[test]
fn mini_batch_kmeans_finds_the_same_three_blobs() {
    let out = fit(&[
        "fit",
        "mini-batch-kmeans",
        "--data",
        DATA,
        "--set",
        "n_clusters=3",
        "--set",
        "batch_size=10",
    ]);
    assert_eq!(out["estimator"], "mini-batch-kmeans");
    assert_eq!(out["params"]["batch_size"], 10);
    let labels = out["labels"].as_array().unwrap();
    assert_eq!(labels.len(), 45);
    for c in 0..3 {
        assert_eq!(labels.iter().filter(|l| **l == c).count(), 15, "{out}");
    }
    let (ok, _, err) = mlplay(&[
        "fit",
        "mini-batch-kmeans",
        "--data",
        DATA,
        "--set",
        "batch_size=0",
    ]);
    assert!(!ok);
    assert!(err.contains("batch_size must be at least 1"), "{err}");
}
