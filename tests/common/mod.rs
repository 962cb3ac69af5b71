//! Helpers the CLI tests share (a folder, so cargo does not build it as a test of its own).
#![allow(dead_code)] // each test file uses its own subset

use std::process::Command;

/// Runs the `mlplay` binary in the repository root: (success, stdout, stderr).
pub fn mlplay(args: &[&str]) -> (bool, String, String) {
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

/// Every number in a JSON value (nested arrays flattened, in order).
pub fn numbers(v: &serde_json::Value) -> Vec<f64> {
    match v {
        serde_json::Value::Array(items) => items.iter().flat_map(numbers).collect(),
        other => vec![other.as_f64().expect("a number")],
    }
}

/// The case called `name` in the array `list` of a fixture file's JSON text.
pub fn fixture_case(json: &str, list: &str, name: &str) -> serde_json::Value {
    let all: serde_json::Value = serde_json::from_str(json).expect("fixture JSON parses");
    all[list]
        .as_array()
        .unwrap_or_else(|| panic!("fixture array {list}"))
        .iter()
        .find(|c| c["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("fixture case {name}"))
}

/// Asserts every number of `ours` is within `rel` of scikit-learn's, relative to max(|theirs|, 1).
pub fn assert_close(what: &str, ours: &serde_json::Value, theirs: &serde_json::Value, rel: f64) {
    let (a, b) = (numbers(ours), numbers(theirs));
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert!(
            (x - y).abs() <= rel * y.abs().max(1.0),
            "{what}[{i}]: ours {x}, scikit-learn {y}"
        );
    }
}

/// Runs `mlplay ARGS`, which must succeed, and parses the one JSON object it prints.
pub fn fit_json(args: &[&str]) -> serde_json::Value {
    let (ok, stdout, stderr) = mlplay(args);
    assert!(ok, "mlplay {args:?} failed: {stderr}");
    serde_json::from_str(&stdout).expect("one JSON object")
}

/// A demo's metrics without the speed meter and the device (a text, whose NaN value never equals
/// itself): what a replayed run must repeat.
pub fn replayable(mut metrics: Vec<mlplay::demos::Metric>) -> Vec<mlplay::demos::Metric> {
    metrics.retain(|m| !["samples_per_s", "device"].contains(&m.key));
    metrics
}

/// Demo `id` with `key = value` settings over its defaults, from `seed`.
pub fn demo(id: &str, pairs: &[(&str, &str)], seed: u64) -> mlplay::demos::AnyDemo {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = mlplay::demos::params_with(id, &pairs).unwrap();
    mlplay::demos::create(id, &params, seed).unwrap()
}
