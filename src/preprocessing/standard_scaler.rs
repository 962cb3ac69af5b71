//! Standardisation to zero mean and unit variance per column (population variance, as
//! scikit-learn); constant columns keep a scale of 1 so they map to 0 instead of NaN.

use crate::data::check_x;
use crate::error::{Error, Result};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StandardScalerParams {
    pub with_mean: bool,
    pub with_std: bool,
}

impl Default for StandardScalerParams {
    fn default() -> Self {
        StandardScalerParams {
            with_mean: true,
            with_std: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardScaler {
    pub mean: Array1<f64>,
    pub scale: Array1<f64>,
}

impl StandardScalerParams {
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<StandardScaler> {
        if x.nrows() == 0 {
            return Err(Error::EmptyData("no samples to fit the scaler".into()));
        }
        check_x(x, x.ncols())?;
        let p = x.ncols();
        let mean = if self.with_mean {
            x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(p))
        } else {
            Array1::zeros(p)
        };
        let scale = if self.with_std {
            x.var_axis(Axis(0), 0.0).mapv(|v| {
                if v > f64::EPSILON * 10.0 {
                    v.sqrt()
                } else {
                    1.0
                }
            })
        } else {
            Array1::ones(p)
        };
        Ok(StandardScaler { mean, scale })
    }
}

impl StandardScaler {
    pub fn params() -> StandardScalerParams {
        StandardScalerParams::default()
    }

    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(x, self.mean.len())?;
        Ok((&x - &self.mean) / &self.scale)
    }
}
