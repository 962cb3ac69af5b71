//! Ridge regression: least squares plus `alpha * ||w||²`, solved in closed form by Cholesky (the
//! primal system when samples outnumber features, the dual one otherwise), as scikit-learn's
//! `solver="auto"` does on dense data. The intercept is never penalised.

use super::{center, LinearModel};
use crate::data::{check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Fit, Regressor};
use crate::linalg;
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RidgeParams {
    pub alpha: f64,
    pub fit_intercept: bool,
}

impl Default for RidgeParams {
    fn default() -> Self {
        RidgeParams {
            alpha: 1.0,
            fit_intercept: true,
        }
    }
}

impl RidgeParams {
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }
    pub fn fit_intercept(mut self, yes: bool) -> Self {
        self.fit_intercept = yes;
        self
    }
}

/// A fitted ridge model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ridge {
    pub model: LinearModel,
    pub params: RidgeParams,
}

impl Ridge {
    pub fn params() -> RidgeParams {
        RidgeParams::default()
    }
    pub fn coef(&self) -> &Array1<f64> {
        &self.model.coef
    }
    pub fn intercept(&self) -> f64 {
        self.model.intercept
    }
}

impl Fit for RidgeParams {
    type Model = Ridge;

    fn validate(&self) -> Result<()> {
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return Err(Error::invalid("alpha", self.alpha, "a finite number >= 0"));
        }
        Ok(())
    }

    fn fit(&self, data: &Dataset) -> Result<Ridge> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let (xc, yc, x_mean, y_mean) = center(data.x.view(), data.y.view(), self.fit_intercept);
        let (n, p) = xc.dim();
        let solved = if p <= n {
            let gram = xc.t().dot(&xc) + Array2::<f64>::eye(p) * self.alpha;
            linalg::solve_spd(gram.view(), xc.t().dot(&yc).view())
        } else {
            let kernel = xc.dot(&xc.t()) + Array2::<f64>::eye(n) * self.alpha;
            linalg::solve_spd(kernel.view(), yc.view()).map(|dual| xc.t().dot(&dual))
        };
        // alpha = 0 with collinear columns is singular: fall back to the minimum-norm solution.
        let coef = match solved {
            Ok(c) => c,
            Err(_) => linalg::lstsq(xc.view(), yc.view())?,
        };
        let intercept = if self.fit_intercept {
            y_mean - x_mean.dot(&coef)
        } else {
            0.0
        };
        Ok(Ridge {
            model: LinearModel { coef, intercept },
            params: self.clone(),
        })
    }
}

impl Regressor for Ridge {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        self.model.predict(x)
    }
}
