//! Ordinary least squares in closed form: the minimum-norm solution of `min ||X w - y||²` by SVD,
//! so collinear or wide data still gets the same answer as scikit-learn's `LinearRegression`.

use super::{center, LinearModel};
use crate::data::{check_xy, Dataset};
use crate::error::Result;
use crate::estimator::{Fit, Regressor};
use crate::linalg;
use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinearRegressionParams {
    pub fit_intercept: bool,
}

impl Default for LinearRegressionParams {
    fn default() -> Self {
        LinearRegressionParams {
            fit_intercept: true,
        }
    }
}

impl LinearRegressionParams {
    pub fn fit_intercept(mut self, yes: bool) -> Self {
        self.fit_intercept = yes;
        self
    }
}

/// A fitted ordinary-least-squares model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearRegression {
    pub model: LinearModel,
    pub params: LinearRegressionParams,
}

impl LinearRegression {
    pub fn params() -> LinearRegressionParams {
        LinearRegressionParams::default()
    }
    pub fn coef(&self) -> &Array1<f64> {
        &self.model.coef
    }
    pub fn intercept(&self) -> f64 {
        self.model.intercept
    }
}

impl Fit for LinearRegressionParams {
    type Model = LinearRegression;

    fn validate(&self) -> Result<()> {
        Ok(())
    }

    fn fit(&self, data: &Dataset) -> Result<LinearRegression> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let (xc, yc, x_mean, y_mean) = center(data.x.view(), data.y.view(), self.fit_intercept);
        let coef = linalg::lstsq(xc.view(), yc.view())?;
        let intercept = if self.fit_intercept {
            y_mean - x_mean.dot(&coef)
        } else {
            0.0
        };
        Ok(LinearRegression {
            model: LinearModel { coef, intercept },
            params: self.clone(),
        })
    }
}

impl Regressor for LinearRegression {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        self.model.predict(x)
    }
}
