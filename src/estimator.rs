//! The estimator contract shared by every algorithm family:
//! `Params` (plain, serde-able, scikit-learn defaults) -> `fit` validates -> a fitted model type.
//! Algorithms a learner should watch also expose their iterations through [`Iterative`].

use crate::data::Dataset;
use crate::error::Result;
use crate::metrics;
use ndarray::{Array1, ArrayView1, ArrayView2};

/// Hyper-parameters that can be checked and fitted.
pub trait Fit {
    type Model;
    /// Checks every parameter, naming the first bad one and its allowed range.
    fn validate(&self) -> Result<()>;
    /// Validates, then fits; never panics on bad data (shape, NaN, empty).
    fn fit(&self, data: &Dataset) -> Result<Self::Model>;
}

/// A fitted model that predicts a number per row.
pub trait Regressor {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>>;

    /// The coefficient of determination R², as scikit-learn's `score`.
    fn score(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<f64> {
        Ok(metrics::r2_score(y, self.predict(x)?.view()))
    }
}

/// A boxed regressor (a model chosen at run time) predicts as the model inside.
impl<R: Regressor + ?Sized> Regressor for Box<R> {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        (**self).predict(x)
    }
}

/// A fitted model that predicts a class label per row. Labels are the class values of the
/// training target (`Dataset::y`), kept as `f64`.
pub trait Classifier {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>>;

    /// The fraction of rows predicted correctly (accuracy), as scikit-learn's classifier `score`.
    fn score(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<f64> {
        metrics::accuracy_score(y, self.predict(x)?.view())
    }
}

/// What one step of an iterative algorithm left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// More steps would change the result.
    Running,
    /// Converged or ran its full budget of iterations.
    Done,
    /// A value became NaN or infinite: lower the learning rate.
    Diverged,
}

/// An algorithm that can be advanced one small step at a time, so demos animate the real computation.
pub trait Iterative {
    type Model;
    fn step(&mut self) -> Result<Progress>;
    /// The model as it stands after the steps taken so far.
    fn model(&self) -> Self::Model;
}
