//! The `mlplay` command line: `render` draws a demo, `fit` prints one JSON object.
#![cfg(not(target_arch = "wasm32"))] // spawns the CLI / draws with the native bitmap backend

use std::path::PathBuf;
use std::process::Command;

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

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn png_pixels(path: &PathBuf) -> (u32, u32, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is a PNG",
        path.display()
    );
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    (img.width(), img.height(), img.into_raw())
}

#[test]
fn render_writes_a_png_that_changes_with_a_parameter() {
    let a = scratch("gd-a.png");
    let b = scratch("gd-b.png");
    let c = scratch("gd-c.png");
    for (path, lr) in [(&a, "0.05"), (&b, "0.5"), (&c, "0.05")] {
        let (ok, stdout, stderr) = mlplay(&[
            "render",
            "gradient-descent",
            "--set",
            &format!("learning_rate={lr}"),
            "--steps",
            "100",
            "-o",
            path.to_str().unwrap(),
        ]);
        assert!(ok, "render failed: {stderr}");
        assert!(stdout.contains("theta0="), "{stdout}");
    }
    let (wa, ha, pa) = png_pixels(&a);
    let (_, _, pb) = png_pixels(&b);
    let (_, _, pc) = png_pixels(&c);
    assert!(wa >= 600 && ha >= 200, "{wa}x{ha}");
    // Drawn, not blank: many distinct colours.
    let colours: std::collections::HashSet<&[u8]> = pa.chunks(3).collect();
    assert!(colours.len() > 50, "only {} colours", colours.len());
    assert_ne!(pa, pb, "another learning rate draws another picture");
    assert_eq!(pa, pc, "same settings and seed draw the same picture");
}

#[test]
fn render_svg_and_seed() {
    let a = scratch("poly-7.svg");
    let b = scratch("poly-8.svg");
    for (path, seed) in [(&a, "7"), (&b, "8")] {
        let (ok, _, stderr) = mlplay(&[
            "render",
            "polynomial-regression",
            "--set",
            "degree=4",
            "--seed",
            seed,
            "-o",
            path.to_str().unwrap(),
        ]);
        assert!(ok, "{stderr}");
    }
    let sa = std::fs::read_to_string(&a).unwrap();
    assert!(sa.starts_with("<svg"), "{}", &sa[..40.min(sa.len())]);
    assert_ne!(
        sa,
        std::fs::read_to_string(&b).unwrap(),
        "the seed changes the data"
    );
}

#[test]
fn render_refuses_bad_settings() {
    let out = scratch("bad.png");
    let out = out.to_str().unwrap();
    let (ok, _, stderr) = mlplay(&[
        "render",
        "gradient-descent",
        "--set",
        "learning_rate=7",
        "-o",
        out,
    ]);
    assert!(!ok);
    assert!(stderr.contains("learning_rate"), "{stderr}");
    let (ok, _, stderr) = mlplay(&["render", "no-such-demo", "-o", out]);
    assert!(!ok);
    assert!(stderr.contains("no-such-demo"), "{stderr}");
}

#[test]
fn fit_ridge_prints_json_with_predictions() {
    let (ok, stdout, stderr) = mlplay(&[
        "fit",
        "ridge",
        "--data",
        "tests/fixtures/data/ridge_small.csv",
        "--target",
        "y",
        "--set",
        "alpha=1",
        "--predict",
        "tests/fixtures/data/ridge_small_predict.csv",
    ]);
    assert!(ok, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
    assert_eq!(json["estimator"], "ridge");
    assert_eq!(json["params"]["alpha"], 1.0);
    assert!(json["fit_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    // Same data as the scikit-learn fixture `ridge-small-csv`.
    let fixtures: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/linear.json")).unwrap();
    let case = fixtures["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "ridge-small-csv")
        .unwrap();
    let close = |a: &serde_json::Value, b: &serde_json::Value| {
        (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-6
    };
    assert!(
        close(&json["train_score"], &case["score"]),
        "{}",
        json["train_score"]
    );
    let ours = json["predictions"].as_array().unwrap();
    let theirs = case["predictions"].as_array().unwrap();
    assert_eq!(ours.len(), 5);
    assert!(
        ours.iter().zip(theirs).all(|(a, b)| close(a, b)),
        "{ours:?} vs {theirs:?}"
    );
}

#[test]
fn fit_reports_bad_input() {
    let csv = scratch("ragged.csv");
    std::fs::write(&csv, "a,b,y\n1,2,3\n4,5\n").unwrap();
    let (ok, _, stderr) = mlplay(&[
        "fit",
        "linear-regression",
        "--data",
        csv.to_str().unwrap(),
        "--target",
        "y",
    ]);
    assert!(!ok);
    assert!(stderr.contains("CSV line 3"), "{stderr}");

    let data = "tests/fixtures/data/ridge_small.csv";
    let (ok, _, stderr) = mlplay(&[
        "fit", "ridge", "--data", data, "--target", "y", "--set", "alpha=-2",
    ]);
    assert!(!ok);
    assert!(stderr.contains("alpha must be"), "{stderr}");
    let (ok, _, stderr) = mlplay(&[
        "fit", "ridge", "--data", data, "--target", "y", "--set", "alpah=2",
    ]);
    assert!(!ok);
    assert!(stderr.contains("alpah"), "{stderr}");
    let (ok, _, stderr) = mlplay(&["fit", "lassso", "--data", data, "--target", "y"]);
    assert!(!ok);
    assert!(stderr.contains("linear-regression"), "{stderr}");
}

#[test]
fn fit_sgd_regressor_reports_epochs() {
    let (ok, stdout, stderr) = mlplay(&[
        "fit",
        "sgd-regressor",
        "--data",
        "tests/fixtures/data/ridge_small.csv",
        "--target",
        "y",
        "--set",
        "shuffle=false",
        "--set",
        "penalty=null",
    ]);
    assert!(ok, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["params"]["shuffle"], false);
    assert!(json["params"]["penalty"].is_null());
    assert!(json["n_iter"].as_u64().is_some_and(|n| n >= 1));
}
