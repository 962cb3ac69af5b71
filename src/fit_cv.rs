//! `mlplay fit NAME --cv K`: the cross-validated score of any supervised estimator the CLI can
//! fit, as scikit-learn's `cross_val_score(estimator, X, y, cv=K)`: stratified folds and accuracy
//! for classifiers, plain consecutive folds and R² for regressors. Each fold goes through the
//! same `fit` path as a normal run (training rows as the data, test rows as `--predict`), so every
//! estimator gets it without code of its own.

use crate::data::{csv, Dataset};
use crate::error::{Error, Result};
use crate::fit::fit;
use crate::model_selection::{Fold, KFold, Scoring, StratifiedKFold};
use ndarray::Array1;
use serde_json::{json, Value as Json};

/// Whether `name` predicts classes (accuracy, stratified folds) rather than numbers.
pub fn is_classifier(name: &str) -> bool {
    name.ends_with("-classifier") || matches!(name, "logistic-regression" | "svc" | "linear-svc")
}

/// The rows of `data` at `rows` as CSV text (features, then the target), numbers written so
/// they read back exactly.
fn rows_csv(data: &Dataset, rows: &[usize]) -> String {
    let mut out = data.feature_names.join(",");
    out.push(',');
    out.push_str(&data.target_name);
    out.push('\n');
    for &r in rows {
        let cells: Vec<String> = data.x.row(r).iter().map(|v| v.to_string()).collect();
        out.push_str(&cells.join(","));
        out.push_str(&format!(",{}\n", data.y[r]));
    }
    out
}

/// Scores of estimator `name` over `k` folds of `data` (CSV text with column `target`).
pub fn cross_validate_csv(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    k: usize,
) -> Result<Json> {
    let all = csv::read_dataset(data, target)?;
    if all
        .feature_names
        .iter()
        .any(|f| f.contains(',') || f.contains('"'))
        || target.contains(',')
        || target.contains('"')
    {
        return Err(Error::Io(
            "--cv needs column names without commas or quotes".into(),
        ));
    }
    let classifier = is_classifier(name);
    let (folds, splitter, scoring): (Vec<Fold>, _, _) = if classifier {
        (
            StratifiedKFold::new(k).split(all.y.view())?,
            "StratifiedKFold",
            Scoring::Accuracy,
        )
    } else {
        (KFold::new(k).split(all.n_samples())?, "KFold", Scoring::R2)
    };
    let mut scores = Vec::with_capacity(folds.len());
    for f in &folds {
        let out = fit(
            name,
            &rows_csv(&all, &f.train),
            target,
            sets,
            Some(&rows_csv(&all, &f.test)),
        )?;
        let pred: Vec<f64> = serde_json::from_value(out["predictions"].clone())
            .map_err(|_| Error::Io(format!("{name} printed no predictions to score")))?;
        let truth = all.y.select(ndarray::Axis(0), &f.test);
        scores.push(scoring.of_predictions(truth.view(), Array1::from(pred).view())?);
    }
    let n = scores.len() as f64;
    let mean = scores.iter().sum::<f64>() / n;
    let std = (scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / n).sqrt();
    Ok(json!({
        "k": k,
        "splitter": splitter,
        "scoring": scoring,
        "scores": scores,
        "mean": mean,
        "std": std,
    }))
}
