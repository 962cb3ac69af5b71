//! `mlplay fit NAME --cv K`: the cross-validated score of any supervised estimator the CLI can
//! fit, as scikit-learn's `cross_val_score(estimator, X, y, cv=K)`: stratified folds and accuracy
//! for classifiers, plain consecutive folds and R² for regressors. Each fold goes through the
//! same `fit` path as a normal run (training rows as the data, test rows as `--predict`), so every
//! estimator (pipelines and searches included) gets it without code of its own. The searches in
//! `fit_search` score their candidates the same way.

use crate::data::{csv, frame};
use crate::error::{Error, Result};
use crate::fit::fit;
use crate::model_selection::{Fold, KFold, Scoring, StratifiedKFold};
use ndarray::Array1;
use serde_json::{json, Value as Json};

/// Estimators that wrap another, named by `--set estimator=NAME`.
pub const WRAPPERS: &[&str] = &["pipeline", "grid-search-cv", "randomized-search-cv"];

/// The estimator a wrapper holds (`estimator=NAME`) and the settings meant for it
/// (`estimator.KEY=V`, passed on as `KEY=V`).
pub fn inner_estimator(sets: &[(String, String)]) -> Result<(String, Vec<(String, String)>)> {
    let name = sets
        .iter()
        .rev()
        .find(|(k, _)| k == "estimator")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| {
            Error::Io("this wraps another estimator: add --set estimator=NAME (e.g. ridge)".into())
        })?;
    let inner = sets
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("estimator.")
                .map(|k| (k.to_string(), v.clone()))
        })
        .collect();
    Ok((name, inner))
}

/// The settings of a wrapper itself: everything but `estimator` and `estimator.*`.
pub fn own_sets(sets: &[(String, String)]) -> Vec<(String, String)> {
    sets.iter()
        .filter(|(k, _)| k != "estimator" && !k.starts_with("estimator."))
        .cloned()
        .collect()
}

/// Whether `name` predicts classes (accuracy, stratified folds) rather than numbers; a wrapper
/// is whatever it wraps.
pub fn is_classifier(name: &str, sets: &[(String, String)]) -> bool {
    if WRAPPERS.contains(&name) {
        return inner_estimator(sets).is_ok_and(|(inner, s)| is_classifier(&inner, &s));
    }
    name.ends_with("-classifier") || matches!(name, "logistic-regression" | "svc" | "linear-svc")
}

/// Column `target` of CSV text as numbers (text labels as their sorted codes).
pub fn target_column(data: &str, target: &str) -> Result<Array1<f64>> {
    let f = frame::read_frame(data)?;
    Ok(f.values.column(f.column_index(target)?).to_owned())
}

/// scikit-learn's default `cv=K` for this estimator: stratified folds for classifiers.
pub fn default_folds(
    classifier: bool,
    y: &Array1<f64>,
    k: usize,
) -> Result<(Vec<Fold>, &'static str)> {
    if classifier {
        Ok((StratifiedKFold::new(k).split(y.view())?, "StratifiedKFold"))
    } else {
        Ok((KFold::new(k).split(y.len())?, "KFold"))
    }
}

/// scikit-learn's default scoring: accuracy for classifiers, R² for regressors.
pub fn default_scoring(classifier: bool) -> Scoring {
    if classifier {
        Scoring::Accuracy
    } else {
        Scoring::R2
    }
}

/// Predictions of `name` fitted on rows `train` of `data` (CSV text, column `target`) for rows
/// `predict`: the raw CSV rows go through the normal `fit` path, so pipelines refit their
/// preprocessing on `train` alone.
pub fn fit_predict_rows(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    train: &[usize],
    predict: &[usize],
) -> Result<Array1<f64>> {
    let out = fit(
        name,
        &csv::subset(data, train)?,
        target,
        sets,
        Some(&csv::subset(data, predict)?),
    )?;
    let pred: Vec<f64> = serde_json::from_value(out["predictions"].clone())
        .map_err(|_| Error::Io(format!("{name} printed no predictions to score")))?;
    Ok(Array1::from(pred))
}

/// The score of `name` on each fold's test rows, fitted on its training rows; `y` is the
/// target column of `data` (read once by the caller, who also cut the folds from it).
pub fn fold_scores(
    name: &str,
    data: &str,
    (target, y): (&str, &Array1<f64>),
    sets: &[(String, String)],
    folds: &[Fold],
    scoring: Scoring,
) -> Result<Vec<f64>> {
    let mut scores = Vec::with_capacity(folds.len());
    for f in folds {
        let pred = fit_predict_rows(name, data, target, sets, &f.train, &f.test)?;
        let truth = y.select(ndarray::Axis(0), &f.test);
        scores.push(scoring.of_predictions(truth.view(), pred.view())?);
    }
    Ok(scores)
}

/// Mean and population standard deviation (scikit-learn's `std_test_score`).
pub fn mean_std(scores: &[f64]) -> (f64, f64) {
    let n = scores.len() as f64;
    let mean = scores.iter().sum::<f64>() / n;
    let std = (scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / n).sqrt();
    (mean, std)
}

/// Whether `name` takes `--cv K`: the curves cross-validate already, with `--set cv=K`.
pub fn check_cv_arg(name: &str) -> Result<()> {
    if crate::fit_curves::CURVES.contains(&name) {
        return Err(Error::Io(format!(
            "{name} cross-validates already: set its folds with --set cv=K, not --cv"
        )));
    }
    Ok(())
}

/// Scores of estimator `name` over `k` folds of `data` (CSV text with column `target`).
pub fn cross_validate_csv(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    k: usize,
) -> Result<Json> {
    check_cv_arg(name)?;
    let classifier = is_classifier(name, sets);
    let y = target_column(data, target)?;
    let (folds, splitter) = default_folds(classifier, &y, k)?;
    let scoring = default_scoring(classifier);
    let scores = fold_scores(name, data, (target, &y), sets, &folds, scoring)?;
    let (mean, std) = mean_std(&scores);
    Ok(json!({
        "k": k,
        "splitter": splitter,
        "scoring": scoring,
        "scores": scores,
        "mean": mean,
        "std": std,
    }))
}
