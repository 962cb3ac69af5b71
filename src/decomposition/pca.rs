//! Principal component analysis, as scikit-learn's `PCA`: a full SVD of the centred data or a
//! randomized truncated one (`svd_solver`), a component count or a fraction of the variance to
//! keep (`n_components`), and optional whitening. The same components (with its sign convention,
//! `svd_flip`: the largest entry of each component is positive), explained variances and ratios.

use super::randomized_svd::{
    randomized_svd, svd_flip_rows, PowerIterationNormalizer, RandomizedSvd,
};
use crate::data::{check_x, check_x_fit, Dataset};
use crate::error::{Error, Result};
use crate::estimator::Fit;
use crate::linalg;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// `n_components` as a number of components or, strictly between 0 and 1, the fraction of the
/// variance to keep (the fewest leading components whose ratios add up to more than it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NComponents {
    Count(usize),
    Fraction(f64),
}

/// Which SVD computes the components. `auto` follows scikit-learn's rule: `full` for data at most
/// 500 wide and tall or for fractions, `randomized` when fewer than 80% of `min(n_samples,
/// n_features)` components are asked of larger data. (Where scikit-learn picks its
/// `covariance_eigh` for tall, narrow data, `full` is used: the same result.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SvdSolver {
    #[default]
    Auto,
    Full,
    Randomized,
}

/// scikit-learn's `PCA` parameters and defaults; `n_components: None` keeps
/// `min(n_samples, n_features)`, `iterated_power: None` is its `"auto"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PcaParams {
    pub n_components: Option<NComponents>,
    pub whiten: bool,
    pub svd_solver: SvdSolver,
    pub n_oversamples: usize,
    pub iterated_power: Option<usize>,
    pub power_iteration_normalizer: PowerIterationNormalizer,
    pub random_state: u64,
}

impl Default for PcaParams {
    fn default() -> Self {
        PcaParams {
            n_components: None,
            whiten: false,
            svd_solver: SvdSolver::Auto,
            n_oversamples: 10,
            iterated_power: None,
            power_iteration_normalizer: PowerIterationNormalizer::Auto,
            random_state: 0,
        }
    }
}

impl PcaParams {
    pub fn n_components(mut self, n: usize) -> Self {
        self.n_components = Some(NComponents::Count(n));
        self
    }
    /// Keep the fewest components that explain more than `fraction` of the variance.
    pub fn variance_to_keep(mut self, fraction: f64) -> Self {
        self.n_components = Some(NComponents::Fraction(fraction));
        self
    }
    pub fn whiten(mut self, whiten: bool) -> Self {
        self.whiten = whiten;
        self
    }
    pub fn svd_solver(mut self, solver: SvdSolver) -> Self {
        self.svd_solver = solver;
        self
    }
    pub fn random_state(mut self, seed: u64) -> Self {
        self.random_state = seed;
        self
    }

    /// The solver `auto` resolves to for data of this shape.
    pub fn resolved_solver(&self, n_samples: usize, n_features: usize) -> SvdSolver {
        match (self.svd_solver, self.n_components) {
            (SvdSolver::Auto, _) if n_samples.max(n_features) <= 500 => SvdSolver::Full,
            (SvdSolver::Auto, _) if n_features <= 1000 && n_samples >= 10 * n_features => {
                SvdSolver::Full
            }
            (SvdSolver::Auto, Some(NComponents::Count(k)))
                if k >= 1 && (k as f64) < 0.8 * n_samples.min(n_features) as f64 =>
            {
                SvdSolver::Randomized
            }
            (SvdSolver::Auto, _) => SvdSolver::Full,
            (solver, _) => solver,
        }
    }

    /// Fits on a feature matrix (PCA needs no target).
    pub fn fit_x(&self, x: ArrayView2<f64>) -> Result<Pca> {
        self.validate()?;
        check_x_fit(x)?;
        let (n, p) = x.dim();
        let most = n.min(p);
        if let Some(NComponents::Count(k)) = self.n_components {
            if k > most {
                return Err(Error::invalid(
                    "n_components",
                    k,
                    format!("at most min(n_samples, n_features) = {most}"),
                ));
            }
        }
        let mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(p));
        let centred = &x - &mean;
        // With one sample there is no spread; scikit-learn divides by n - 1 all the same.
        let dof = (n as f64 - 1.0).max(1.0);
        let solver = self.resolved_solver(n, p);
        let (s_all, vt, keep, variance_all, total) = match solver {
            SvdSolver::Randomized => {
                let k = match self.n_components {
                    Some(NComponents::Count(k)) => k,
                    _ => most,
                };
                let opts = RandomizedSvd {
                    n_oversamples: self.n_oversamples,
                    n_iter: self.iterated_power,
                    normalizer: self.power_iteration_normalizer,
                    seed: self.random_state,
                };
                let (_, sv, mut vt) = randomized_svd(centred.view(), k, &opts)?;
                svd_flip_rows(&mut vt, None);
                let total = centred.mapv(|v| v * v).sum() / dof;
                let variance = sv.mapv(|v| v * v / dof);
                (sv, vt, k, variance, total)
            }
            _ => {
                let (sv, mut vt) = linalg::svd_vt(centred.view())?;
                svd_flip_rows(&mut vt, None);
                let variance = sv.mapv(|v| v * v / dof);
                let total: f64 = variance.sum();
                let keep = match self.n_components {
                    None => most,
                    Some(NComponents::Count(k)) => k,
                    Some(NComponents::Fraction(f)) => {
                        // searchsorted(cumsum(ratios), f, side="right") + 1, as scikit-learn.
                        let mut sum = 0.0;
                        let below = variance
                            .iter()
                            .take_while(|&&v| {
                                sum += if total > 0.0 { v / total } else { 0.0 };
                                sum <= f
                            })
                            .count();
                        (below + 1).min(most)
                    }
                };
                (sv, vt, keep, variance, total)
            }
        };
        let ratio = variance_all.mapv(|v| if total > 0.0 { v / total } else { 0.0 });
        let noise_variance = if keep >= most {
            0.0
        } else if solver == SvdSolver::Randomized {
            (total - variance_all.sum()) / (most - keep) as f64
        } else {
            variance_all.slice(s![keep..]).mean().unwrap_or(0.0)
        };
        Ok(Pca {
            components: vt.slice(s![..keep, ..]).to_owned(),
            explained_variance: variance_all.slice(s![..keep]).to_owned(),
            explained_variance_ratio: ratio.slice(s![..keep]).to_owned(),
            singular_values: s_all.slice(s![..keep]).to_owned(),
            mean,
            noise_variance,
            n_components: keep,
            svd_solver: solver,
            params: self.clone(),
        })
    }
}

impl Fit for PcaParams {
    type Model = Pca;

    fn validate(&self) -> Result<()> {
        match self.n_components {
            Some(NComponents::Count(0)) => {
                return Err(Error::invalid(
                    "n_components",
                    0,
                    "at least 1, a fraction strictly between 0 and 1, or null for all",
                ))
            }
            Some(NComponents::Fraction(f)) if !(f > 0.0 && f < 1.0) => {
                return Err(Error::invalid(
                    "n_components",
                    f,
                    "a whole number >= 1 or a fraction strictly between 0 and 1",
                ))
            }
            _ => {}
        }
        if let (SvdSolver::Randomized, Some(NComponents::Fraction(f))) =
            (self.svd_solver, self.n_components)
        {
            return Err(Error::invalid(
                "n_components",
                f,
                "a whole number of components with svd_solver = randomized",
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
    /// How many components were kept (resolves a fraction).
    pub n_components: usize,
    /// The solver that ran (resolves `auto`).
    pub svd_solver: SvdSolver,
    pub params: PcaParams,
}

impl Pca {
    pub fn params() -> PcaParams {
        PcaParams::default()
    }

    /// Coordinates of the rows of `x` along the components (divided by each component's standard
    /// deviation when whitening).
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let whiten = self.params.whiten.then_some(&self.explained_variance);
        project(x, &self.mean, &self.components, whiten)
    }

    /// Back from component coordinates to the original space (exact when all are kept).
    pub fn inverse_transform(&self, z: ArrayView2<f64>) -> Result<Array2<f64>> {
        let whiten = self.params.whiten.then_some(&self.explained_variance);
        reconstruct(z, &self.mean, &self.components, whiten)
    }
}

/// `(x - mean) componentsᵀ`, divided per component by the root of `whiten_by` (the explained
/// variances) when whitening; shared by [`Pca`] and [`super::IncrementalPca`].
pub(crate) fn project(
    x: ArrayView2<f64>,
    mean: &Array1<f64>,
    components: &Array2<f64>,
    whiten_by: Option<&Array1<f64>>,
) -> Result<Array2<f64>> {
    check_x(x, mean.len())?;
    let mut z = (&x - mean).dot(&components.t());
    if let Some(variance) = whiten_by {
        z /= &variance.mapv(|v| v.sqrt().max(f64::EPSILON));
    }
    Ok(z)
}

/// The inverse of [`project`]: `z components + mean`, components scaled back when whitened.
pub(crate) fn reconstruct(
    z: ArrayView2<f64>,
    mean: &Array1<f64>,
    components: &Array2<f64>,
    whiten_by: Option<&Array1<f64>>,
) -> Result<Array2<f64>> {
    check_x(z, components.nrows())?;
    Ok(match whiten_by {
        Some(variance) => {
            let scaled = components * &variance.mapv(f64::sqrt).insert_axis(Axis(1));
            z.dot(&scaled) + mean
        }
        None => z.dot(components) + mean,
    })
}
