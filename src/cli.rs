//! The native command line's pieces that touch files: `render` draws a demo to PNG/SVG after N
//! steps and `python` gives a demo's scikit-learn script; fitting from CSV text lives in
//! `crate::fit` (shared with the wasm build).

use crate::demos::{self, Demo};
use crate::error::{Error, Result};
use std::path::Path;

pub use crate::fit::{
    check_fit_args, fit_csv, transform, CURVES, ESTIMATORS, PREPROCESSORS, SPLITTERS, TRANSFORMERS,
    UNSUPERVISED,
};
pub use crate::fit_cv::{check_cv_arg, cross_validate_csv};

/// Splits `key=value` (from `--set`).
pub fn split_assignment(s: &str) -> Result<(String, String)> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .ok_or_else(|| Error::Io(format!("expected key=value, got `{s}`")))
}

/// Creates demo `id` with `--set` overrides, advances it `steps` ticks and writes the picture.
pub fn render(
    id: &str,
    sets: &[(String, String)],
    seed: u64,
    steps: usize,
    width: u32,
    out: &Path,
) -> Result<Vec<demos::Metric>> {
    let params = demos::params_with(id, sets)?;
    let mut demo = demos::create(id, &params, seed)?;
    for _ in 0..steps {
        if demo.tick() != crate::estimator::Progress::Running {
            break;
        }
    }
    crate::viz::render_file(&demo, out, width)?;
    Ok(demo.metrics())
}

/// The scikit-learn script equivalent to demo `id` with `--set` overrides and a seed.
pub fn python(id: &str, sets: &[(String, String)], seed: u64) -> Result<String> {
    let params = demos::params_with(id, sets)?;
    demos::create(id, &params, seed)?
        .python()
        .ok_or_else(|| Error::Io(format!("demo {id} has no Python equivalent yet")))
}
