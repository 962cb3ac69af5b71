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

/// A CSV file to run a demo on instead of its own data (`--data`), with the columns to use where
/// the defaults are not wanted (`--features a,b`, `--target c`).
#[derive(Debug, Clone, Default)]
pub struct DataChoice {
    pub path: std::path::PathBuf,
    pub features: Option<Vec<String>>,
    pub target: Option<String>,
}

/// Demo `id`'s parameters with `--set` overrides and, if given, the uploaded file, read and
/// checked as the page does.
pub fn demo_params(
    id: &str,
    sets: &[(String, String)],
    data: Option<&DataChoice>,
) -> Result<demos::Params> {
    let Some(choice) = data else {
        return demos::params_with(id, sets);
    };
    demos::upload_kind(id)?;
    let text = std::fs::read_to_string(&choice.path)
        .map_err(|e| Error::Io(format!("{}: {e}", choice.path.display())))?;
    let file = choice
        .path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut params = demos::params_on_file(id, sets, &file, &text)?;
    let chosen = match params.upload() {
        Some(upload) if choice.features.is_some() || choice.target.is_some() => {
            // A whole table's features follow from its target; the reader names none.
            let features = choice.features.clone().unwrap_or_else(|| {
                let picked = upload.kind.n_features().min(upload.features.len());
                upload.feature_names()[..picked].to_vec()
            });
            let target = choice
                .target
                .clone()
                .unwrap_or_else(|| upload.target_name().to_string());
            Some(upload.with_columns(&features, &target)?)
        }
        _ => None,
    };
    if let Some(upload) = chosen {
        params.set_upload(Some(std::sync::Arc::new(upload)));
    }
    Ok(params)
}

/// Saved networks for `render`: one to start from, and where to write the network at the end.
#[derive(Debug, Default)]
pub struct ModelFiles {
    /// The text of a model saved earlier (`--load-model`).
    pub load: Option<String>,
    /// `--save-model`.
    pub save: Option<std::path::PathBuf>,
}

/// Creates demo `id` with `--set` overrides, advances it `steps` ticks and writes the picture;
/// demos that train a network can start from a saved one and save theirs.
pub fn render(
    id: &str,
    params: &demos::Params,
    seed: u64,
    steps: usize,
    (width, out): (u32, &Path),
    models: &ModelFiles,
) -> Result<Vec<demos::Metric>> {
    let mut demo = demos::create(id, params, seed)?;
    if let Some(text) = &models.load {
        demo.load_model_json(text)?;
    }
    for _ in 0..steps {
        if demo.tick() != crate::estimator::Progress::Running {
            break;
        }
    }
    crate::viz::render_file(&demo, out, width)?;
    if let Some(path) = &models.save {
        std::fs::write(path, demo.model_json()?)
            .map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    }
    Ok(demo.metrics())
}

/// The scikit-learn script equivalent to demo `id` with these parameters and a seed.
pub fn python(id: &str, params: &demos::Params, seed: u64) -> Result<String> {
    demos::create(id, params, seed)?
        .python()
        .ok_or_else(|| Error::Io(format!("demo {id} has no Python equivalent yet")))
}
