//! Linear models: closed-form least squares, ridge, stochastic gradient descent, the plain
//! gradient-descent solver that chapter 4 animates, logistic regression (with its L-BFGS solver), and
//! lasso / elastic net by coordinate descent, and the SGD classifier.

pub mod coordinate_descent;
pub mod gradient_descent;
pub mod lbfgs;
pub mod linear_regression;
pub mod logistic_regression;
pub mod ridge;
pub mod sgd_classifier;
pub mod sgd_regressor;

pub use coordinate_descent::{
    enet_path, lasso_path, ElasticNet, ElasticNetParams, EnetRun, Lasso, LassoParams, Path,
    PathParams, Selection,
};
pub use gradient_descent::{GdMethod, GradientDescent, GradientDescentParams};
pub use linear_regression::{LinearRegression, LinearRegressionParams};
pub use logistic_regression::{
    LogisticPenalty, LogisticRegression, LogisticRegressionParams, LogisticRun,
};
pub use ridge::{Ridge, RidgeParams};
pub use sgd_classifier::{SgdClassifier, SgdClassifierLoss, SgdClassifierParams, SgdClassifierRun};
pub use sgd_regressor::{LearningRate, Patience, SgdRegressor, SgdRegressorParams, SgdRun};

use crate::data::check_x;
use crate::error::Result;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// `y = x . coef + intercept`: the fitted part every linear regressor shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    #[serde(with = "as_vec")]
    pub coef: Array1<f64>,
    pub intercept: f64,
}

impl LinearModel {
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_x(x, self.coef.len())?;
        Ok(x.dot(&self.coef) + self.intercept)
    }
}

/// Serialises a coefficient vector as a plain JSON array (not ndarray's internal layout).
mod as_vec {
    use ndarray::Array1;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(a: &Array1<f64>, s: S) -> Result<S::Ok, S::Error> {
        a.as_slice()
            .map_or_else(|| a.to_vec(), <[f64]>::to_vec)
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Array1<f64>, D::Error> {
        Vec::<f64>::deserialize(d).map(Array1::from)
    }
}

/// Centres `x` and `y` when an intercept is fitted, as scikit-learn does before solving, and returns
/// the column means and the target mean (zeros without an intercept).
pub(crate) fn center(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    fit_intercept: bool,
) -> (Array2<f64>, Array1<f64>, Array1<f64>, f64) {
    if !fit_intercept {
        return (x.to_owned(), y.to_owned(), Array1::zeros(x.ncols()), 0.0);
    }
    let x_mean = x
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(x.ncols()));
    let y_mean = y.mean().unwrap_or(0.0);
    (&x - &x_mean, &y - y_mean, x_mean, y_mean)
}
