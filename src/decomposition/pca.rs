//! Principal component analysis by a full SVD of the centred data, as scikit-learn's
//! `PCA(svd_solver="full")`: the same components (with its sign convention, `svd_flip`: the
//! largest entry of each component is positive), explained variances and ratios.

use crate::data::{check_x, check_x_fit, Dataset};
use crate::error::{Error, Result};
use crate::estimator::Fit;
use crate::linalg;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// `n_components`: how many components to keep; `None` keeps `min(n_samples, n_features)`, as
/// scikit-learn's default. (scikit-learn's fractional and `"mle"` choices are not offered.)
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PcaParams {
    pub n_components: Option<usize>,
}

impl PcaParams {
    pub fn n_components(mut self, n: usize) -> Self {
        self.n_components = Some(n);
        self
    }

    /// Fits on a feature matrix (PCA needs no target).
    pub fn fit_x(&self, x: ArrayView2<f64>) -> Result<Pca> {
        self.validate()?;
        check_x_fit(x)?;
        let (n, p) = x.dim();
        let most = n.min(p);
        let keep = self.n_components.unwrap_or(most);
        if keep > most {
            return Err(Error::invalid(
                "n_components",
                keep,
                format!("at most min(n_samples, n_features) = {most}"),
            ));
        }
        let mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(p));
        let centred = &x - &mean;
        let (_, s, mut vt) = linalg::svd(centred.view())?;
        // svd_flip on the right singular vectors: make each row's largest |entry| positive.
        for mut row in vt.rows_mut() {
            let biggest = row
                .iter()
                .copied()
                .fold(0.0_f64, |m, v| if v.abs() > m.abs() { v } else { m });
            if biggest < 0.0 {
                row.mapv_inplace(|v| -v);
            }
        }
        // With one sample there is no spread; scikit-learn divides by n - 1 all the same.
        let dof = (n as f64 - 1.0).max(1.0);
        let variance = s.mapv(|v| v * v / dof);
        let total: f64 = variance.sum();
        let ratio = variance.mapv(|v| if total > 0.0 { v / total } else { 0.0 });
        let noise_variance = if keep < most {
            variance.slice(ndarray::s![keep..]).mean().unwrap_or(0.0)
        } else {
            0.0
        };
        Ok(Pca {
            components: vt.slice(ndarray::s![..keep, ..]).to_owned(),
            explained_variance: variance.slice(ndarray::s![..keep]).to_owned(),
            explained_variance_ratio: ratio.slice(ndarray::s![..keep]).to_owned(),
            singular_values: s.slice(ndarray::s![..keep]).to_owned(),
            mean,
            noise_variance,
            params: self.clone(),
        })
    }
}

impl Fit for PcaParams {
    type Model = Pca;

    fn validate(&self) -> Result<()> {
        if self.n_components == Some(0) {
            return Err(Error::invalid(
                "n_components",
                0,
                "at least 1, or null for all",
            ));
        }
        Ok(())
    }

    /// Fits on `data.x`; the target is ignored.
    fn fit(&self, data: &Dataset) -> Result<Pca> {
        self.fit_x(data.x.view())
    }
}

/// A fitted PCA (scikit-learn's attributes without the trailing underscore).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pca {
    /// One principal axis per row, by decreasing explained variance.
    pub components: Array2<f64>,
    pub explained_variance: Array1<f64>,
    pub explained_variance_ratio: Array1<f64>,
    pub singular_values: Array1<f64>,
    pub mean: Array1<f64>,
    /// The mean variance of the discarded components (0 when all are kept).
    pub noise_variance: f64,
    pub params: PcaParams,
}

impl Pca {
    pub fn params() -> PcaParams {
        PcaParams::default()
    }

    /// Coordinates of the rows of `x` along the components.
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(x, self.mean.len())?;
        Ok((&x - &self.mean).dot(&self.components.t()))
    }

    /// Back from component coordinates to the original space (exact when all are kept).
    pub fn inverse_transform(&self, z: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(z, self.components.nrows())?;
        Ok(z.dot(&self.components) + &self.mean)
    }
}
