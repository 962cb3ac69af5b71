//! One run of EM for [`GaussianMixture`]: each [`Iterative::step`] is an E step (log
//! responsibilities and the mean log-likelihood of the current parameters) and an M step, with
//! scikit-learn's stopping rule. Started by [`GaussianMixtureParams::start`].

use super::gaussian_mixture::{GaussianMixture, GaussianMixtureParams};
use super::mixture_math::{
    estimate_parameters, log_resp, precision_cholesky, weighted_log_prob, Covariances,
};
use crate::error::Result;
use crate::estimator::{Iterative, Progress};
use ndarray::{Array1, Array2};

/// An EM fit in progress; the model can be read after any step.
#[derive(Debug, Clone)]
pub struct GaussianMixtureRun {
    pub(super) params: GaussianMixtureParams,
    pub(super) x: Array2<f64>,
    pub(super) weights: Array1<f64>,
    pub(super) means: Array2<f64>,
    pub(super) covariances: Covariances,
    pub(super) precisions_cholesky: Covariances,
    pub(super) lower_bounds: Vec<f64>,
    pub(super) n_iter: usize,
    pub(super) converged: bool,
    pub(super) done: bool,
}

impl GaussianMixtureRun {
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }
    pub fn weights(&self) -> &Array1<f64> {
        &self.weights
    }
    pub fn means(&self) -> &Array2<f64> {
        &self.means
    }
    pub fn covariances(&self) -> &Covariances {
        &self.covariances
    }
    /// The lower bound (mean log-likelihood) computed in each step so far.
    pub fn lower_bounds(&self) -> &[f64] {
        &self.lower_bounds
    }
    pub fn converged(&self) -> bool {
        self.converged
    }
    pub fn is_done(&self) -> bool {
        self.done
    }
    /// The responsibilities of the current parameters for every training row.
    pub fn responsibilities(&self) -> Array2<f64> {
        let w = weighted_log_prob(
            self.x.view(),
            &self.weights,
            &self.means,
            &self.precisions_cholesky,
        );
        log_resp(w).1.mapv(f64::exp)
    }
}

impl Iterative for GaussianMixtureRun {
    type Model = GaussianMixture;

    fn step(&mut self) -> Result<Progress> {
        if self.done {
            return Ok(Progress::Done);
        }
        // E step: log responsibilities and the mean log-likelihood of the current parameters.
        let w = weighted_log_prob(
            self.x.view(),
            &self.weights,
            &self.means,
            &self.precisions_cholesky,
        );
        let (norm, log_r) = log_resp(w);
        let lower_bound = norm.mean().unwrap_or(f64::NAN);
        // M step: weighted means and covariances, weights renormalised.
        let resp = log_r.mapv(f64::exp);
        let p = &self.params;
        let (nk, means, cov) =
            estimate_parameters(self.x.view(), resp.view(), p.reg_covar, p.covariance_type);
        let chol = match precision_cholesky(&cov, p.reg_covar) {
            Ok(c) => c,
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        };
        self.weights = &nk / nk.sum();
        self.means = means;
        self.covariances = cov;
        self.precisions_cholesky = chol;
        let previous = self
            .lower_bounds
            .last()
            .copied()
            .unwrap_or(f64::NEG_INFINITY);
        self.lower_bounds.push(lower_bound);
        self.n_iter += 1;
        if !lower_bound.is_finite() || self.means.iter().any(|v| !v.is_finite()) {
            self.done = true;
            return Ok(Progress::Diverged);
        }
        if (lower_bound - previous).abs() < p.tol {
            self.converged = true;
            self.done = true;
        } else if self.n_iter >= p.max_iter {
            self.done = true;
        }
        Ok(if self.done {
            Progress::Done
        } else {
            Progress::Running
        })
    }

    fn model(&self) -> GaussianMixture {
        GaussianMixture {
            weights: self.weights.clone(),
            means: self.means.clone(),
            covariances: self.covariances.clone(),
            precisions_cholesky: self.precisions_cholesky.clone(),
            converged: self.converged,
            n_iter: self.n_iter,
            lower_bound: self
                .lower_bounds
                .last()
                .copied()
                .unwrap_or(f64::NEG_INFINITY),
            lower_bounds: self.lower_bounds.clone(),
            params: self.params.clone(),
        }
    }
}
