//! Scaling each column to a range (default [0, 1]) from its training minimum and maximum, as
//! scikit-learn's `MinMaxScaler`. Missing values (NaN) are ignored when fitting and stay NaN;
//! a constant column gets a scale of 1, so it maps to the range's lower end.

use crate::error::{Error, Result};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MinMaxScalerParams {
    pub feature_range: (f64, f64),
    /// Clip transformed values to the range (values outside the training range otherwise go beyond it).
    pub clip: bool,
}

impl Default for MinMaxScalerParams {
    fn default() -> Self {
        MinMaxScalerParams {
            feature_range: (0.0, 1.0),
            clip: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinMaxScaler {
    pub data_min: Array1<f64>,
    pub data_max: Array1<f64>,
    pub scale: Array1<f64>,
    pub min: Array1<f64>,
    pub params: MinMaxScalerParams,
}

/// Refuses empty input and infinities (NaN is a missing value, allowed).
pub(crate) fn check_missing_ok(x: ArrayView2<f64>, expected_cols: Option<usize>) -> Result<()> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(Error::EmptyData(
            "no samples or no columns to transform".into(),
        ));
    }
    if let Some(p) = expected_cols.filter(|&p| p != x.ncols()) {
        return Err(Error::Shape(format!(
            "expected {p} columns, got {}",
            x.ncols()
        )));
    }
    if let Some(((r, c), _)) = x.indexed_iter().find(|(_, v)| v.is_infinite()) {
        return Err(Error::NonFinite(format!(
            "x row {r}, column {c} is infinite"
        )));
    }
    Ok(())
}

impl MinMaxScalerParams {
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<MinMaxScaler> {
        let (lo, hi) = self.feature_range;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(Error::invalid(
                "feature_range",
                format!("({lo}, {hi})"),
                "two finite numbers, the first smaller",
            ));
        }
        check_missing_ok(x, None)?;
        let p = x.ncols();
        let mut data_min = Array1::from_elem(p, f64::NAN);
        let mut data_max = Array1::from_elem(p, f64::NAN);
        for (j, col) in x.columns().into_iter().enumerate() {
            for &v in col.iter().filter(|v| !v.is_nan()) {
                data_min[j] = if data_min[j].is_nan() {
                    v
                } else {
                    data_min[j].min(v)
                };
                data_max[j] = if data_max[j].is_nan() {
                    v
                } else {
                    data_max[j].max(v)
                };
            }
        }
        let range = &data_max - &data_min;
        let scale = range.mapv(|r| (hi - lo) / if r == 0.0 { 1.0 } else { r });
        let min = lo - &data_min * &scale;
        Ok(MinMaxScaler {
            data_min,
            data_max,
            scale,
            min,
            params: self.clone(),
        })
    }
}

impl MinMaxScaler {
    pub fn params() -> MinMaxScalerParams {
        MinMaxScalerParams::default()
    }

    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_missing_ok(x, Some(self.scale.len()))?;
        let mut out = &x * &self.scale + &self.min;
        if self.params.clip {
            let (lo, hi) = self.params.feature_range;
            out.mapv_inplace(|v| if v.is_nan() { v } else { v.clamp(lo, hi) });
        }
        Ok(out)
    }

    pub fn inverse_transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_missing_ok(x, Some(self.scale.len()))?;
        Ok((&x - &self.min) / &self.scale)
    }
}
