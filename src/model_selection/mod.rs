//! Model selection: honest evaluation and hyper-parameter search, with scikit-learn's semantics.
//! - `split`: shuffled and stratified train/test splits;
//! - `kfold`: `KFold` and `StratifiedKFold`, which produce the [`Fold`]s everything else takes;
//! - `cross_validation`: cross-validated scores and predictions, learning and validation curves;
//! - `search`: `GridSearchCv` and `RandomizedSearchCv` over serde-able estimator params.
//!
//! Scoring is a closure `Fn(&Model, &Dataset) -> Result<f64>` (higher is better), so any fitted
//! model type works; [`Scoring`] builds the usual ones from predictions.

mod cross_validation;
mod kfold;
mod search;
mod split;

pub use cross_validation::{
    cross_val_predict, cross_val_score, learning_curve, validation_curve, CurveScores,
    LearningCurve, TrainSizes,
};
pub use kfold::{Fold, KFold, StratifiedKFold};
pub use search::{
    rank, with_params, Candidate, Distribution, GridSearchCv, RandomizedSearchCv, SearchResult,
};
pub use split::{stratified_train_test_split, train_test_split};

use crate::error::{Error, Result};
use crate::metrics;
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

/// A score computed from true and predicted targets, named as scikit-learn's `scoring` strings.
/// Errors are negated (`neg_mean_squared_error`) so that higher is always better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    Accuracy,
    R2,
    NegMeanSquaredError,
    NegRootMeanSquaredError,
    NegMeanAbsoluteError,
}

impl Scoring {
    pub const NAMES: &'static [&'static str] = &[
        "accuracy",
        "r2",
        "neg_mean_squared_error",
        "neg_root_mean_squared_error",
        "neg_mean_absolute_error",
    ];

    pub fn from_name(name: &str) -> Result<Scoring> {
        serde_json::from_value(serde_json::Value::String(name.to_string()))
            .map_err(|_| Error::invalid("scoring", name, Self::NAMES.join(", ")))
    }

    pub fn of_predictions(self, y_true: ArrayView1<f64>, y_pred: ArrayView1<f64>) -> Result<f64> {
        if y_true.len() != y_pred.len() {
            return Err(Error::Shape(format!(
                "{} targets but {} predictions",
                y_true.len(),
                y_pred.len()
            )));
        }
        Ok(match self {
            Scoring::Accuracy => metrics::accuracy_score(y_true, y_pred)?,
            Scoring::R2 => metrics::r2_score(y_true, y_pred),
            Scoring::NegMeanSquaredError => -metrics::mean_squared_error(y_true, y_pred),
            Scoring::NegRootMeanSquaredError => -metrics::root_mean_squared_error(y_true, y_pred),
            Scoring::NegMeanAbsoluteError => -metrics::mean_absolute_error(y_true, y_pred),
        })
    }
}
