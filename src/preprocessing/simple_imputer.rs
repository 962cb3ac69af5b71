//! Filling in missing values (NaN) column by column, as scikit-learn's `SimpleImputer`: with the
//! column's mean, median, most frequent value (ties to the smallest) or a constant. A column that
//! is entirely missing while fitting has nothing to learn from and is dropped from the output
//! (scikit-learn's `keep_empty_features=False`), whatever the strategy.

use super::min_max_scaler::check_missing_ok;
use crate::error::{Error, Result};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImputeStrategy {
    Mean,
    Median,
    MostFrequent,
    Constant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimpleImputerParams {
    pub strategy: ImputeStrategy,
    /// The value the constant strategy writes (scikit-learn's default for numbers: 0).
    pub fill_value: f64,
    /// Append one 0/1 column per column that had missing values while fitting.
    pub add_indicator: bool,
}

impl Default for SimpleImputerParams {
    fn default() -> Self {
        SimpleImputerParams {
            strategy: ImputeStrategy::Mean,
            fill_value: 0.0,
            add_indicator: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimpleImputer {
    /// The fill value per input column; NaN for a column that was entirely missing (dropped).
    pub statistics: Array1<f64>,
    /// Input columns that had a missing value while fitting (they get indicator columns).
    pub missing_columns: Vec<usize>,
    pub add_indicator: bool,
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn most_frequent(sorted: &[f64]) -> f64 {
    let (mut best, mut best_count) = (sorted[0], 0);
    let mut i = 0;
    while i < sorted.len() {
        let j = i + sorted[i..].iter().take_while(|&&v| v == sorted[i]).count();
        // Strictly greater: among equally frequent values the first (smallest) stays.
        if j - i > best_count {
            (best, best_count) = (sorted[i], j - i);
        }
        i = j;
    }
    best
}

impl SimpleImputerParams {
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<SimpleImputer> {
        if !self.fill_value.is_finite() {
            return Err(Error::invalid(
                "fill_value",
                self.fill_value,
                "a finite number",
            ));
        }
        check_missing_ok(x, None)?;
        let statistics = x
            .axis_iter(Axis(1))
            .map(|col| {
                let mut seen: Vec<f64> = col.iter().copied().filter(|v| !v.is_nan()).collect();
                if seen.is_empty() {
                    return f64::NAN;
                }
                seen.sort_by(f64::total_cmp);
                match self.strategy {
                    ImputeStrategy::Mean => seen.iter().sum::<f64>() / seen.len() as f64,
                    ImputeStrategy::Median => median(&seen),
                    ImputeStrategy::MostFrequent => most_frequent(&seen),
                    ImputeStrategy::Constant => self.fill_value,
                }
            })
            .collect();
        let missing_columns = x
            .axis_iter(Axis(1))
            .enumerate()
            .filter(|(_, c)| c.iter().any(|v| v.is_nan()))
            .map(|(j, _)| j)
            .collect();
        Ok(SimpleImputer {
            statistics,
            missing_columns,
            add_indicator: self.add_indicator,
        })
    }
}

impl SimpleImputer {
    pub fn params() -> SimpleImputerParams {
        SimpleImputerParams::default()
    }

    /// The input columns that appear in the output (all but the entirely missing ones).
    pub fn kept_columns(&self) -> Vec<usize> {
        (0..self.statistics.len())
            .filter(|&j| !self.statistics[j].is_nan())
            .collect()
    }

    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_missing_ok(x, Some(self.statistics.len()))?;
        let kept = self.kept_columns();
        let extra = if self.add_indicator {
            self.missing_columns.len()
        } else {
            0
        };
        let mut out = Array2::zeros((x.nrows(), kept.len() + extra));
        for (o, &j) in kept.iter().enumerate() {
            for (r, &v) in x.column(j).iter().enumerate() {
                out[[r, o]] = if v.is_nan() { self.statistics[j] } else { v };
            }
        }
        if self.add_indicator {
            for (o, &j) in self.missing_columns.iter().enumerate() {
                for (r, &v) in x.column(j).iter().enumerate() {
                    out[[r, kept.len() + o]] = if v.is_nan() { 1.0 } else { 0.0 };
                }
            }
        }
        Ok(out)
    }

    /// Output column names for input `names`: the kept columns, then `missingindicator_NAME`.
    pub fn feature_names_out(&self, names: &[String]) -> Vec<String> {
        let mut out: Vec<String> = self
            .kept_columns()
            .iter()
            .map(|&j| names[j].clone())
            .collect();
        if self.add_indicator {
            out.extend(
                self.missing_columns
                    .iter()
                    .map(|&j| format!("missingindicator_{}", names[j])),
            );
        }
        out
    }
}
