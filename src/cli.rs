//! The native command line: `render` draws a demo to PNG/SVG after N steps, `fit` trains an
//! estimator on a CSV and prints one JSON object, `list` names what exists.

use crate::data::csv;
use crate::demos::{self, Demo};
use crate::error::{Error, Result};
use crate::estimator::{Fit, Regressor};
use crate::linear::{LinearRegressionParams, RidgeParams, SgdRegressorParams};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value as Json};
use std::path::Path;
use web_time::Instant;

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

/// Estimators reachable from `mlplay fit`, by kebab-case name.
pub const ESTIMATORS: &[&str] = &["linear-regression", "ridge", "sgd-regressor"];

/// Fits estimator `name` on `data` (CSV text, `target` column) with `--set` overrides; with
/// `predict` (CSV text) also predicts those rows. Returns the JSON object the CLI prints.
pub fn fit(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    match name {
        "linear-regression" => {
            fit_regressor::<LinearRegressionParams>(name, data, target, sets, predict)
        }
        "ridge" => fit_regressor::<RidgeParams>(name, data, target, sets, predict),
        "sgd-regressor" => fit_regressor::<SgdRegressorParams>(name, data, target, sets, predict),
        _ => Err(Error::UnknownEstimator {
            name: name.to_string(),
            expected: ESTIMATORS.join(", "),
        }),
    }
}

fn fit_regressor<P>(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json>
where
    P: Fit + Default + Serialize + DeserializeOwned,
    P::Model: Regressor + Serialize,
{
    let params: P = params_from_sets(sets)?;
    let train = csv::read_dataset(data, target)?;
    let start = Instant::now();
    let model = params.fit(&train)?;
    let fit_ms = start.elapsed().as_secs_f64() * 1000.0;
    let train_score = model.score(train.x.view(), train.y.view())?;
    let mut out = json!({
        "estimator": name,
        "params": params,
        "fit_ms": fit_ms,
        "train_score": train_score,
        "n_samples": train.n_samples(),
        "features": train.feature_names,
    });
    // The fitted model's fields (coef, intercept, n_iter...) sit beside the summary.
    if let Json::Object(fields) =
        serde_json::to_value(&model).map_err(|e| Error::Io(e.to_string()))?
    {
        for (k, v) in fields.into_iter().filter(|(k, _)| k != "params") {
            match v {
                Json::Object(inner) if k == "model" => out
                    .as_object_mut()
                    .into_iter()
                    .for_each(|o| o.extend(inner.clone())),
                v => {
                    out[k] = v;
                }
            }
        }
    }
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
    }
    Ok(out)
}

/// Builds params from their defaults with `key=value` overrides, typed by the default's JSON type;
/// unknown keys and impossible values are errors naming the key.
pub fn params_from_sets<P: Default + Serialize + DeserializeOwned>(
    sets: &[(String, String)],
) -> Result<P> {
    let mut obj = serde_json::to_value(P::default()).map_err(|e| Error::Io(e.to_string()))?;
    let map = obj
        .as_object_mut()
        .ok_or_else(|| Error::Io("params are not an object".into()))?;
    for (key, text) in sets {
        let slot = map.get_mut(key).ok_or_else(|| Error::UnknownParam {
            key: key.clone(),
            expected: map_keys(&serde_json::to_value(P::default()).unwrap_or_default()),
        })?;
        *slot = typed_like(slot, key, text)?;
    }
    serde_json::from_value(obj).map_err(|e| {
        Error::invalid(
            "params",
            sets.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
            e.to_string(),
        )
    })
}

fn map_keys(v: &Json) -> String {
    v.as_object()
        .map(|m| m.keys().cloned().collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

fn typed_like(default: &Json, key: &str, text: &str) -> Result<Json> {
    let bad = |allowed: &str| Error::invalid(key, text, allowed);
    Ok(match default {
        Json::Bool(_) => Json::Bool(text.parse().map_err(|_| bad("true or false"))?),
        Json::Number(n) if n.is_u64() => json!(text
            .parse::<u64>()
            .map_err(|_| bad("a whole number >= 0"))?),
        Json::Number(_) => json!(text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad("a number"))?),
        // Optional values (`tol`, `penalty`): `none`/`null` clears them, numbers stay numbers.
        Json::Null | Json::String(_) if matches!(text, "none" | "None" | "null") => Json::Null,
        Json::Null => text
            .parse::<f64>()
            .map(|v| json!(v))
            .unwrap_or_else(|_| Json::String(text.to_string())),
        _ if default.is_string() || default.is_null() => Json::String(text.to_string()),
        Json::String(_) => Json::String(text.to_string()),
        _ => return Err(bad("a simple value")),
    })
}
