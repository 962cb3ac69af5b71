#![cfg(not(target_arch = "wasm32"))] // spawns the CLI
//! `mlplay transform NAME`: the reduced rows as CSV with a `c1..ck` header, for every reducer;
//! the same names under `mlplay fit` print a JSON summary; errors are readable.

use serde_json::Value;
use std::process::Command;

const BLOBS: &str = "tests/fixtures/data/blobs_small.csv";

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

/// A swiss-roll-ish CSV written once per test run: 120 points in 6 columns (3 of them noise-free
/// copies scaled), enough for every reducer's defaults.
fn wide_csv() -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("mlplay-transform-{}.csv", std::process::id()));
    let mut text = String::from("a,b,c,d,e,f\n");
    for i in 0..120 {
        let t = 1.5 * std::f64::consts::PI * (1.0 + 2.0 * ((i * 37 % 120) as f64 / 120.0));
        let h = (i * 53 % 120) as f64 / 6.0;
        let (x, z) = (t * t.cos(), t * t.sin());
        text.push_str(&format!(
            "{x},{h},{z},{},{},{}\n",
            0.5 * x + 0.1 * h,
            z - h,
            0.01 * i as f64
        ));
    }
    std::fs::write(&path, text).expect("write csv");
    path
}

fn parse(csv: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut lines = csv.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    (header, rows)
}

#[test]
fn every_reducer_prints_its_rows_as_csv() {
    let data = wide_csv();
    let data = data.to_str().unwrap();
    for (name, sets, k) in [
        ("pca", vec!["n_components=2"], 2),
        ("pca", vec!["n_components=0.999", "whiten=true"], 0),
        (
            "incremental-pca",
            vec!["n_components=3", "batch_size=40"],
            3,
        ),
        ("gaussian-random-projection", vec!["n_components=4"], 4),
        (
            "sparse-random-projection",
            vec!["n_components=5", "density=0.5"],
            5,
        ),
        ("locally-linear-embedding", vec!["n_neighbors=10"], 2),
        ("isomap", vec!["n_neighbors=8", "n_components=3"], 3),
    ] {
        let mut args = vec!["transform", name, "--data", data];
        for s in &sets {
            args.extend(["--set", s]);
        }
        let (ok, stdout, stderr) = mlplay(&args);
        assert!(ok, "{name}: {stderr}");
        let (header, rows) = parse(&stdout);
        assert_eq!(rows.len(), 120, "{name}");
        if k > 0 {
            assert_eq!(header.len(), k, "{name}: {header:?}");
        }
        assert_eq!(header[0], "c1");
        assert!(rows
            .iter()
            .all(|r| r.len() == header.len() && r.iter().all(|v| v.is_finite())));
        // `fit` with the same name and settings summarises the same fit as JSON.
        args[0] = "fit";
        let (ok, stdout, stderr) = mlplay(&args);
        assert!(ok, "{name}: {stderr}");
        let out: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(out["estimator"], name);
        assert_eq!(out["n_samples"], 120);
    }
}

#[test]
fn pca_transform_matches_its_fit_and_errors_are_readable() {
    let (ok, stdout, _) = mlplay(&[
        "transform",
        "pca",
        "--data",
        BLOBS,
        "--set",
        "n_components=1",
    ]);
    assert!(ok);
    let (header, rows) = parse(&stdout);
    assert_eq!(header, ["c1"]);
    assert_eq!(rows.len(), 45);
    // Centred coordinates sum to zero.
    assert!(rows.iter().map(|r| r[0]).sum::<f64>().abs() < 1e-9);

    let (ok, _, stderr) = mlplay(&["transform", "kmeans", "--data", BLOBS]);
    assert!(
        !ok && stderr.contains("unknown estimator") && stderr.contains("isomap"),
        "{stderr}"
    );
    let (ok, _, stderr) = mlplay(&[
        "transform",
        "pca",
        "--data",
        BLOBS,
        "--set",
        "n_components=3",
    ]);
    assert!(!ok && stderr.contains("n_components"), "{stderr}");
    let (ok, _, stderr) = mlplay(&[
        "transform",
        "isomap",
        "--data",
        BLOBS,
        "--set",
        "n_neighbors=3",
    ]);
    assert!(!ok && stderr.contains("more neighbours"), "{stderr}");
    let (ok, _, stderr) = mlplay(&[
        "transform",
        "locally-linear-embedding",
        "--data",
        BLOBS,
        "--set",
        "n_neighbors=45",
    ]);
    assert!(!ok && stderr.contains("n_neighbors"), "{stderr}");
    let (ok, _, stderr) = mlplay(&["transform", "gaussian-random-projection", "--data", BLOBS]);
    assert!(!ok && stderr.contains("n_features = 2"), "{stderr}");
    let (ok, stdout, _) = mlplay(&["list"]);
    assert!(ok && stdout.contains("transformers") && stdout.contains("sparse-random-projection"));
}
