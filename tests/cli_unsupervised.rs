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
    let (ok, _, err) = mlplay(&["fit", "pca", "--data", DATA, "--set", "whiten=true"]);
    assert!(!ok && err.contains("whiten"), "{err}");
    let (ok, _, err) = mlplay(&["fit", "ridge", "--data", DATA]);
    assert!(!ok && err.contains("--target"), "{err}");
}
