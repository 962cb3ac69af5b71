//! Gaussian mixture models fitted by expectation-maximisation, following scikit-learn's
//! `GaussianMixture` step for step: the same initialisations (k-means labels, k-means++ or random
//! rows, random responsibilities, or explicit weights/means/precisions), the same E step (log
//! densities through the Cholesky factor of each precision, normalised with log-sum-exp), the
//! same M step (with `reg_covar` added to every variance) and the same stopping rule (the change
//! of the lower bound below `tol`). Each [`Iterative::step`] is one E step plus one M step, which
//! the chapter 9 demos animate. The numerics live in [`super::mixture_math`], the stepping run
//! in [`super::mixture_run`].

use super::kmeans::kmeans_plusplus;
use super::mixture_math::{
    estimate_parameters, log_resp, precision_cholesky, precisions_from_init, weighted_log_prob,
};
use super::mixture_run::GaussianMixtureRun;
use super::KMeansParams;
use crate::data::{check_x, check_x_fit, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Fit, Iterative, Progress};
use crate::rng::Rng;
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

pub use super::mixture_math::{Covariances, PrecisionsInit};

/// The shape of each component's covariance (scikit-learn's `covariance_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CovarianceType {
    /// Each component has its own general covariance matrix (any ellipse).
    Full,
    /// All components share one general covariance matrix (same ellipse, moved).
    Tied,
    /// Each component has its own diagonal covariance (ellipses aligned with the axes).
    Diag,
    /// Each component has a single variance (circles).
    Spherical,
}

impl CovarianceType {
    pub fn name(self) -> &'static str {
        match self {
            CovarianceType::Full => "full",
            CovarianceType::Tied => "tied",
            CovarianceType::Diag => "diag",
            CovarianceType::Spherical => "spherical",
        }
    }
}

/// How the responsibilities that seed the first M step are chosen (scikit-learn's `init_params`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MixtureInit {
    /// The labels of one k-means run (k-means++ seeding).
    #[serde(rename = "kmeans")]
    KMeans,
    /// One row per component picked by k-means++ seeding, without the Lloyd iterations.
    #[serde(rename = "k-means++")]
    KMeansPlusPlus,
    /// Uniform random responsibilities, normalised per row: every component starts near the mean.
    #[serde(rename = "random")]
    Random,
    /// One random row per component.
    #[serde(rename = "random_from_data")]
    RandomFromData,
}

/// Parameters with scikit-learn's names and defaults. `random_state` is a number (scikit-learn's
/// `None` draws a fresh seed); `warm_start` and `verbose` are left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GaussianMixtureParams {
    pub n_components: usize,
    pub covariance_type: CovarianceType,
    pub tol: f64,
    pub reg_covar: f64,
    pub max_iter: usize,
    pub n_init: usize,
    pub init_params: MixtureInit,
    /// Starting weights, one per component, summing to 1.
    pub weights_init: Option<Vec<f64>>,
    /// Starting means, one row per component.
    pub means_init: Option<Vec<Vec<f64>>>,
    /// Starting precisions (inverse covariances), shaped as `covariances` for the covariance type.
    pub precisions_init: Option<PrecisionsInit>,
    pub random_state: u64,
}

impl Default for GaussianMixtureParams {
    fn default() -> Self {
        GaussianMixtureParams {
            n_components: 1,
            covariance_type: CovarianceType::Full,
            tol: 1e-3,
            reg_covar: 1e-6,
            max_iter: 100,
            n_init: 1,
            init_params: MixtureInit::KMeans,
            weights_init: None,
            means_init: None,
            precisions_init: None,
            random_state: 0,
        }
    }
}

impl GaussianMixtureParams {
    pub fn n_components(mut self, k: usize) -> Self {
        self.n_components = k;
        self
    }
    pub fn covariance_type(mut self, t: CovarianceType) -> Self {
        self.covariance_type = t;
        self
    }
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    pub fn reg_covar(mut self, reg: f64) -> Self {
        self.reg_covar = reg;
        self
    }
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    pub fn n_init(mut self, n: usize) -> Self {
        self.n_init = n;
        self
    }
    pub fn init_params(mut self, init: MixtureInit) -> Self {
        self.init_params = init;
        self
    }
    pub fn weights_init(mut self, w: Vec<f64>) -> Self {
        self.weights_init = Some(w);
        self
    }
    pub fn means_init(mut self, m: Vec<Vec<f64>>) -> Self {
        self.means_init = Some(m);
        self
    }
    pub fn precisions_init(mut self, p: PrecisionsInit) -> Self {
        self.precisions_init = Some(p);
        self
    }
    pub fn random_state(mut self, seed: u64) -> Self {
        self.random_state = seed;
        self
    }

    /// Fits on a feature matrix: `n_init` runs, keeping the one with the highest lower bound.
    pub fn fit_x(&self, x: ArrayView2<f64>) -> Result<GaussianMixture> {
        self.validate()?;
        self.check_data(x)?;
        let mut rng = Rng::new(self.random_state);
        let mut best: Option<GaussianMixture> = None;
        for _ in 0..self.n_init {
            let mut run = self.start_with(x, &mut rng)?;
            while run.step()? == Progress::Running {}
            let model = run.model();
            // The first of equally good runs wins, as in scikit-learn.
            if best
                .as_ref()
                .is_none_or(|b| model.lower_bound > b.lower_bound)
            {
                best = Some(model);
            }
        }
        best.ok_or_else(|| Error::invalid("n_init", 0, "at least 1"))
    }

    /// Starts one run (one initialisation, seeded by `random_state`) that advances one EM
    /// iteration per [`Iterative::step`].
    pub fn start(&self, x: ArrayView2<f64>) -> Result<GaussianMixtureRun> {
        self.validate()?;
        self.check_data(x)?;
        self.start_with(x, &mut Rng::new(self.random_state))
    }

    fn check_data(&self, x: ArrayView2<f64>) -> Result<()> {
        check_x_fit(x)?;
        if x.nrows() < 2 {
            return Err(Error::EmptyData(
                "a Gaussian mixture needs at least 2 samples".into(),
            ));
        }
        if self.n_components > x.nrows() {
            return Err(Error::invalid(
                "n_components",
                self.n_components,
                format!("at most the number of samples ({})", x.nrows()),
            ));
        }
        if let Some(m) = &self.means_init {
            if m.len() != self.n_components || m.iter().any(|row| row.len() != x.ncols()) {
                return Err(Error::Shape(format!(
                    "means_init has {} rows of {} values, but n_components is {} and x has {} features",
                    m.len(),
                    m.first().map_or(0, Vec::len),
                    self.n_components,
                    x.ncols()
                )));
            }
        }
        if let Some(p) = &self.precisions_init {
            p.check_shape(self.covariance_type, self.n_components, x.ncols())?;
        }
        Ok(())
    }

    /// The initial responsibilities for the chosen `init_params` (scikit-learn draws them even
    /// when some explicit initial values will replace what they give).
    fn initial_resp(&self, x: ArrayView2<f64>, rng: &mut Rng) -> Result<Array2<f64>> {
        let (n, k) = (x.nrows(), self.n_components);
        let mut resp = Array2::zeros((n, k));
        match self.init_params {
            MixtureInit::KMeans => {
                let km = KMeansParams::default()
                    .n_clusters(k)
                    .random_state(rng.next_u64())
                    .fit_x(x)?;
                for (i, &l) in km.labels.iter().enumerate() {
                    resp[[i, l]] = 1.0;
                }
            }
            MixtureInit::KMeansPlusPlus => {
                for (j, i) in kmeans_plusplus(x, k, rng).into_iter().enumerate() {
                    resp[[i, j]] = 1.0;
                }
            }
            MixtureInit::RandomFromData => {
                for (j, &i) in rng.permutation(n)[..k].iter().enumerate() {
                    resp[[i, j]] = 1.0;
                }
            }
            MixtureInit::Random => {
                resp.mapv_inplace(|_| rng.uniform());
                for mut row in resp.rows_mut() {
                    let s = row.sum();
                    row.mapv_inplace(|v| v / s);
                }
            }
        }
        Ok(resp)
    }

    /// Starts one run from given responsibilities (`n_samples x n_components`, each row summing
    /// to one) instead of `init_params`: e.g. the one-hot labels of a k-means run that a demo
    /// stepped over several frames. Explicit `*_init` values still take precedence.
    pub fn start_from_responsibilities(
        &self,
        x: ArrayView2<f64>,
        resp: ArrayView2<f64>,
    ) -> Result<GaussianMixtureRun> {
        self.validate()?;
        self.check_data(x)?;
        if resp.dim() != (x.nrows(), self.n_components) {
            return Err(Error::Shape(format!(
                "responsibilities are {:?}, expected ({}, {})",
                resp.dim(),
                x.nrows(),
                self.n_components
            )));
        }
        if resp.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(Error::NonFinite(
                "responsibilities (must be finite and >= 0)".into(),
            ));
        }
        self.start_from(x, Some(resp.to_owned()))
    }

    fn start_with(&self, x: ArrayView2<f64>, rng: &mut Rng) -> Result<GaussianMixtureRun> {
        let explicit = self.weights_init.is_some()
            && self.means_init.is_some()
            && self.precisions_init.is_some();
        // scikit-learn skips the initialisation (and its random draws) when all three are given.
        let resp = if explicit {
            None
        } else {
            Some(self.initial_resp(x, rng)?)
        };
        self.start_from(x, resp)
    }

    fn start_from(
        &self,
        x: ArrayView2<f64>,
        resp: Option<Array2<f64>>,
    ) -> Result<GaussianMixtureRun> {
        let (k, p) = (self.n_components, x.ncols());
        let (w_est, m_est, cov_est) = match resp {
            None => (None, None, None),
            Some(resp) => {
                let (nk, means, cov) =
                    estimate_parameters(x, resp.view(), self.reg_covar, self.covariance_type);
                (Some(&nk / x.nrows() as f64), Some(means), Some(cov))
            }
        };
        // Explicit starting values replace what the initial responsibilities gave.
        let missing = || Error::Numerical("no initial parameters were estimated".into());
        let weights = match (&self.weights_init, w_est) {
            (Some(w), _) => Array1::from(w.clone()),
            (None, e) => e.ok_or_else(missing)?,
        };
        let means = match (&self.means_init, m_est) {
            (Some(m), _) => Array2::from_shape_fn((k, p), |(i, j)| m[i][j]),
            (None, e) => e.ok_or_else(missing)?,
        };
        let (covariances, prec_chol) = match (&self.precisions_init, cov_est) {
            (Some(init), _) => precisions_from_init(init, self.covariance_type, p)?,
            (None, e) => {
                let cov = e.ok_or_else(missing)?;
                let chol = precision_cholesky(&cov, self.reg_covar)?;
                (cov, chol)
            }
        };
        Ok(GaussianMixtureRun {
            params: self.clone(),
            x: x.to_owned(),
            weights,
            means,
            covariances,
            precisions_cholesky: prec_chol,
            lower_bounds: Vec::new(),
            n_iter: 0,
            converged: false,
            done: self.max_iter == 0,
        })
    }
}

impl Fit for GaussianMixtureParams {
    type Model = GaussianMixture;

    fn validate(&self) -> Result<()> {
        if self.n_components == 0 {
            return Err(Error::invalid("n_components", 0, "at least 1"));
        }
        if self.n_init == 0 {
            return Err(Error::invalid("n_init", 0, "at least 1"));
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(Error::invalid("tol", self.tol, "a finite number >= 0"));
        }
        if !(self.reg_covar >= 0.0 && self.reg_covar.is_finite()) {
            return Err(Error::invalid(
                "reg_covar",
                self.reg_covar,
                "a finite number >= 0",
            ));
        }
        if let Some(w) = &self.weights_init {
            let allowed = format!(
                "{} weights between 0 and 1 that sum to 1",
                self.n_components
            );
            let sum: f64 = w.iter().sum();
            if w.len() != self.n_components
                || w.iter().any(|v| !(0.0..=1.0).contains(v))
                || (1.0 - sum).abs() > 1e-8
            {
                return Err(Error::invalid("weights_init", format!("{w:?}"), allowed));
            }
        }
        if let Some(m) = &self.means_init {
            if m.iter().flatten().any(|v| !v.is_finite()) {
                return Err(Error::NonFinite("means_init".into()));
            }
        }
        if let Some(p) = &self.precisions_init {
            if p.values().any(|v| !v.is_finite()) {
                return Err(Error::NonFinite("precisions_init".into()));
            }
        }
        Ok(())
    }

    /// Fits on `data.x`; the target is ignored.
    fn fit(&self, data: &Dataset) -> Result<GaussianMixture> {
        self.fit_x(data.x.view())
    }
}

/// A fitted Gaussian mixture (scikit-learn's trailing-underscore attributes without the
/// underscore). `covariances` and `precisions_cholesky` are shaped by the covariance type:
/// full `(k, d, d)`, tied `(d, d)`, diag `(k, d)`, spherical `(k,)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianMixture {
    pub weights: Array1<f64>,
    pub means: Array2<f64>,
    pub covariances: Covariances,
    pub precisions_cholesky: Covariances,
    pub converged: bool,
    pub n_iter: usize,
    /// The mean log-likelihood per sample at the start of the last EM iteration (scikit-learn's
    /// `lower_bound_`); minus infinity when `max_iter` is 0.
    pub lower_bound: f64,
    /// The lower bound after each iteration of the kept run.
    pub lower_bounds: Vec<f64>,
    pub params: GaussianMixtureParams,
}

impl GaussianMixture {
    pub fn params() -> GaussianMixtureParams {
        GaussianMixtureParams::default()
    }

    fn weighted_log_prob(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(x, self.means.ncols())?;
        Ok(weighted_log_prob(
            x,
            &self.weights,
            &self.means,
            &self.precisions_cholesky,
        ))
    }

    /// The most likely component of each row.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Vec<usize>> {
        let w = self.weighted_log_prob(x)?;
        Ok(w.rows().into_iter().map(crate::metrics::argmax).collect())
    }

    /// The posterior probability of each component for each row (`n_samples x n_components`).
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let (_, resp) = log_resp(self.weighted_log_prob(x)?);
        Ok(resp.mapv(f64::exp))
    }

    /// The log of the mixture density at each row.
    pub fn score_samples(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let (norm, _) = log_resp(self.weighted_log_prob(x)?);
        Ok(norm)
    }

    /// The mean log-likelihood per row.
    pub fn score(&self, x: ArrayView2<f64>) -> Result<f64> {
        Ok(self.score_samples(x)?.mean().unwrap_or(f64::NAN))
    }

    /// The number of free parameters: weights (k - 1), means (k d) and covariances.
    pub fn n_parameters(&self) -> usize {
        let (k, d) = self.means.dim();
        let cov = match self.params.covariance_type {
            CovarianceType::Full => k * d * (d + 1) / 2,
            CovarianceType::Tied => d * (d + 1) / 2,
            CovarianceType::Diag => k * d,
            CovarianceType::Spherical => k,
        };
        cov + k * d + k - 1
    }

    /// Bayesian information criterion on `x`: `-2 log L + p ln n` (lower is better).
    pub fn bic(&self, x: ArrayView2<f64>) -> Result<f64> {
        let n = x.nrows() as f64;
        Ok(-2.0 * self.score(x)? * n + self.n_parameters() as f64 * n.ln())
    }

    /// Akaike information criterion on `x`: `-2 log L + 2 p` (lower is better).
    pub fn aic(&self, x: ArrayView2<f64>) -> Result<f64> {
        let n = x.nrows() as f64;
        Ok(-2.0 * self.score(x)? * n + 2.0 * self.n_parameters() as f64)
    }
}
