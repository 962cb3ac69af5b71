//! Datasets: a feature matrix with a target, CSV reading with line/column errors, synthetic
//! generators, and the shape/finiteness checks every estimator runs on its input.

pub mod bundled;
pub mod csv;
pub mod frame;
pub mod generators;
pub mod upload;

use crate::error::{Error, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

/// Features `x` (rows = samples) and a numeric target `y`, with column names for messages and plots.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub x: Array2<f64>,
    pub y: Array1<f64>,
    pub feature_names: Vec<String>,
    pub target_name: String,
}

impl Dataset {
    /// Builds a dataset with default names `x1..xp` and `y`, checking that shapes agree.
    pub fn new(x: Array2<f64>, y: Array1<f64>) -> Result<Self> {
        let names = (1..=x.ncols()).map(|i| format!("x{i}")).collect();
        Self::with_names(x, y, names, "y".into())
    }

    pub fn with_names(
        x: Array2<f64>,
        y: Array1<f64>,
        feature_names: Vec<String>,
        target_name: String,
    ) -> Result<Self> {
        if x.nrows() != y.len() {
            return Err(Error::Shape(format!(
                "x has {} rows but y has {} values",
                x.nrows(),
                y.len()
            )));
        }
        if feature_names.len() != x.ncols() {
            return Err(Error::Shape(format!(
                "{} feature names for {} columns",
                feature_names.len(),
                x.ncols()
            )));
        }
        Ok(Dataset {
            x,
            y,
            feature_names,
            target_name,
        })
    }

    pub fn n_samples(&self) -> usize {
        self.x.nrows()
    }

    pub fn n_features(&self) -> usize {
        self.x.ncols()
    }

    /// The rows at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        Dataset {
            x: self.x.select(Axis(0), indices),
            y: self.y.select(Axis(0), indices),
            feature_names: self.feature_names.clone(),
            target_name: self.target_name.clone(),
        }
    }
}

/// Checks a training set: at least one sample and feature, matching lengths, finite values.
pub fn check_xy(x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<()> {
    if x.nrows() == 0 {
        return Err(Error::EmptyData("no samples to fit".into()));
    }
    if x.ncols() == 0 {
        return Err(Error::EmptyData("no feature columns".into()));
    }
    if x.nrows() != y.len() {
        return Err(Error::Shape(format!(
            "x has {} rows but y has {} values",
            x.nrows(),
            y.len()
        )));
    }
    check_finite(x, "x")?;
    if y.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite("y".into()));
    }
    Ok(())
}

/// Checks the input of an unsupervised `fit` (no target): at least one sample and feature, finite.
pub fn check_x_fit(x: ArrayView2<f64>) -> Result<()> {
    if x.nrows() == 0 {
        return Err(Error::EmptyData("no samples to fit".into()));
    }
    if x.ncols() == 0 {
        return Err(Error::EmptyData("no feature columns".into()));
    }
    check_finite(x, "x")
}

/// Checks the input of `predict`/`transform` against the number of features seen in `fit`.
pub fn check_x(x: ArrayView2<f64>, n_features: usize) -> Result<()> {
    if x.ncols() != n_features {
        return Err(Error::Shape(format!(
            "x has {} features, but the model was fitted with {n_features}",
            x.ncols()
        )));
    }
    check_finite(x, "x")
}

fn check_finite(x: ArrayView2<f64>, what: &str) -> Result<()> {
    if let Some(((r, c), _)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite(format!("{what} row {r}, column {c}")));
    }
    Ok(())
}
