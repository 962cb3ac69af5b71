//! Random projections, as scikit-learn's `GaussianRandomProjection` and `SparseRandomProjection`:
//! multiply the data by a random `n_components x n_features` matrix whose entries have mean 0 and
//! variance `1 / n_components`, which keeps pairwise distances within a factor `1 ± eps` with high
//! probability once `n_components >= johnson_lindenstrauss_min_dim(n_samples, eps)`. The matrix
//! does not look at the data (only its width), so fitting is instant; the draws come from our
//! seeded [`Rng`], so the matrices differ from scikit-learn's but have the same distribution.

use crate::data::{check_x, check_x_fit, Dataset};
use crate::error::{Error, Result};
use crate::estimator::Fit;
use crate::rng::Rng;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// The smallest target dimension for which a random projection of `n_samples` points keeps every
/// pairwise squared distance within `1 ± eps` with good probability (Johnson-Lindenstrauss, as
/// Dasgupta & Gupta): `4 ln(n) / (eps²/2 - eps³/3)`, truncated to an integer as scikit-learn.
pub fn johnson_lindenstrauss_min_dim(n_samples: usize, eps: f64) -> Result<usize> {
    if !(eps > 0.0 && eps < 1.0) {
        return Err(Error::invalid("eps", eps, "strictly between 0 and 1"));
    }
    if n_samples == 0 {
        return Err(Error::invalid("n_samples", 0, "at least 1"));
    }
    let denominator = eps * eps / 2.0 - eps * eps * eps / 3.0;
    Ok((4.0 * (n_samples as f64).ln() / denominator) as usize)
}

/// The settings both projections share: `n_components: None` is scikit-learn's `"auto"` (the JL
/// bound for the number of samples fitted and `eps`).
fn target_dim(n_components: Option<usize>, eps: f64, x: ArrayView2<f64>) -> Result<usize> {
    check_x_fit(x)?;
    let (n, p) = x.dim();
    match n_components {
        Some(k) if k > p => Err(Error::invalid(
            "n_components",
            k,
            format!("at most n_features = {p} (a projection should reduce the dimension)"),
        )),
        Some(k) => Ok(k),
        None => {
            let k = johnson_lindenstrauss_min_dim(n, eps)?;
            if k == 0 || k > p {
                Err(Error::invalid(
                    "n_components",
                    format!("auto = {k} (eps = {eps}, n_samples = {n})"),
                    format!("at most n_features = {p}: raise eps or set n_components explicitly"),
                ))
            } else {
                Ok(k)
            }
        }
    }
}

fn check_common(n_components: Option<usize>, eps: f64) -> Result<()> {
    if n_components == Some(0) {
        return Err(Error::invalid(
            "n_components",
            0,
            "at least 1, or null for auto",
        ));
    }
    if !(eps > 0.0 && eps < 1.0) {
        return Err(Error::invalid("eps", eps, "strictly between 0 and 1"));
    }
    Ok(())
}

/// The builder setters both projections' params share.
macro_rules! shared_setters {
    () => {
        pub fn n_components(mut self, k: usize) -> Self {
            self.n_components = Some(k);
            self
        }
        pub fn eps(mut self, eps: f64) -> Self {
            self.eps = eps;
            self
        }
        pub fn random_state(mut self, seed: u64) -> Self {
            self.random_state = seed;
            self
        }
    };
}

/// `GaussianRandomProjection` parameters (scikit-learn defaults: auto components, eps 0.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GaussianRandomProjectionParams {
    pub n_components: Option<usize>,
    pub eps: f64,
    pub random_state: u64,
}

impl Default for GaussianRandomProjectionParams {
    fn default() -> Self {
        GaussianRandomProjectionParams {
            n_components: None,
            eps: 0.1,
            random_state: 0,
        }
    }
}

impl GaussianRandomProjectionParams {
    shared_setters!();

    /// Draws the matrix for data shaped like `x` (only its shape is used).
    pub fn fit_x(&self, x: ArrayView2<f64>) -> Result<GaussianRandomProjection> {
        self.validate()?;
        let k = target_dim(self.n_components, self.eps, x)?;
        let mut rng = Rng::new(self.random_state);
        let scale = 1.0 / (k as f64).sqrt();
        let components = Array2::from_shape_fn((k, x.ncols()), |_| scale * rng.normal());
        Ok(GaussianRandomProjection {
            components,
            params: self.clone(),
        })
    }
}

impl Fit for GaussianRandomProjectionParams {
    type Model = GaussianRandomProjection;
    fn validate(&self) -> Result<()> {
        check_common(self.n_components, self.eps)
    }
    fn fit(&self, data: &Dataset) -> Result<GaussianRandomProjection> {
        self.fit_x(data.x.view())
    }
}

/// A drawn Gaussian projection: entries are `N(0, 1 / n_components)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianRandomProjection {
    /// `n_components x n_features`.
    pub components: Array2<f64>,
    pub params: GaussianRandomProjectionParams,
}

impl GaussianRandomProjection {
    pub fn params() -> GaussianRandomProjectionParams {
        GaussianRandomProjectionParams::default()
    }
    pub fn n_components(&self) -> usize {
        self.components.nrows()
    }
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(x, self.components.ncols())?;
        Ok(x.dot(&self.components.t()))
    }
}

/// `SparseRandomProjection` parameters; `density: None` is `"auto"`, `1 / sqrt(n_features)`
/// (Li, Hastie & Church's very sparse projections).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SparseRandomProjectionParams {
    pub n_components: Option<usize>,
    pub density: Option<f64>,
    pub eps: f64,
    pub random_state: u64,
}

impl Default for SparseRandomProjectionParams {
    fn default() -> Self {
        SparseRandomProjectionParams {
            n_components: None,
            density: None,
            eps: 0.1,
            random_state: 0,
        }
    }
}

impl SparseRandomProjectionParams {
    shared_setters!();
    pub fn density(mut self, d: f64) -> Self {
        self.density = Some(d);
        self
    }

    /// Draws the matrix: each entry is 0 with probability `1 - density`, otherwise
    /// `± 1 / sqrt(density * n_components)` with equal odds.
    pub fn fit_x(&self, x: ArrayView2<f64>) -> Result<SparseRandomProjection> {
        self.validate()?;
        let k = target_dim(self.n_components, self.eps, x)?;
        let p = x.ncols();
        let density = self.density.unwrap_or(1.0 / (p as f64).sqrt());
        let mut rng = Rng::new(self.random_state);
        let value = 1.0 / (density * k as f64).sqrt();
        let components = Array2::from_shape_fn((k, p), |_| {
            if density >= 1.0 || rng.uniform() < density {
                if rng.uniform() < 0.5 {
                    -value
                } else {
                    value
                }
            } else {
                0.0
            }
        });
        Ok(SparseRandomProjection {
            components,
            density,
            params: self.clone(),
        })
    }
}

impl Fit for SparseRandomProjectionParams {
    type Model = SparseRandomProjection;
    fn validate(&self) -> Result<()> {
        check_common(self.n_components, self.eps)?;
        if let Some(d) = self.density {
            if !(d > 0.0 && d <= 1.0) {
                return Err(Error::invalid("density", d, "in (0, 1], or null for auto"));
            }
        }
        Ok(())
    }
    fn fit(&self, data: &Dataset) -> Result<SparseRandomProjection> {
        self.fit_x(data.x.view())
    }
}

/// A drawn sparse projection (stored dense: the matrices here are small).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseRandomProjection {
    /// `n_components x n_features`, mostly zeros.
    pub components: Array2<f64>,
    /// The density used (resolves `auto`).
    pub density: f64,
    pub params: SparseRandomProjectionParams,
}

impl SparseRandomProjection {
    pub fn params() -> SparseRandomProjectionParams {
        SparseRandomProjectionParams::default()
    }
    pub fn n_components(&self) -> usize {
        self.components.nrows()
    }
    /// The fraction of non-zero entries actually drawn.
    pub fn nonzero_fraction(&self) -> f64 {
        let nz = self.components.iter().filter(|&&v| v != 0.0).count();
        nz as f64 / self.components.len().max(1) as f64
    }
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(x, self.components.ncols())?;
        Ok(x.dot(&self.components.t()))
    }
}
