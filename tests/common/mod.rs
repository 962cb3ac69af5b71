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
