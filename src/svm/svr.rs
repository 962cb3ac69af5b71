//! `SVR`: epsilon-insensitive support vector regression as libsvm / scikit-learn solve it: the SMO
//! solver on the 2n-variable dual (`a_i` pushes the curve up toward `y_i`, `a*_i` down), where
//! points strictly inside the ε-tube get `a_i = a*_i = 0`. One SMO pair update per [`Iterative::step`].

use super::kernel::{validate_kernel, Gamma, Kernel, KernelKind, KernelRows};
use super::smo::Smo;
use super::svc::svm_setters;
use super::{max_iter_or_default, validate_c_tol};
use crate::data::{check_x, check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Fit, Iterative, Progress, Regressor};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// Parameters with scikit-learn's names and defaults (`max_iter: None` is scikit-learn's `-1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SvrParams {
    pub epsilon: f64,
    #[serde(rename = "C")]
    pub c: f64,
    pub kernel: KernelKind,
    pub gamma: Gamma,
    pub degree: u32,
    pub coef0: f64,
    pub tol: f64,
    pub max_iter: Option<usize>,
}

impl Default for SvrParams {
    fn default() -> Self {
        SvrParams {
            epsilon: 0.1,
            c: 1.0,
            kernel: KernelKind::Rbf,
            gamma: Gamma::default(),
            degree: 3,
            coef0: 0.0,
            tol: 1e-3,
            max_iter: None,
        }
    }
}

impl SvrParams {
    svm_setters!();
    pub fn epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// Checks the data and sets up the dual problem, nothing solved yet.
    pub fn start(&self, data: &Dataset) -> Result<SvrRun> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let n = data.n_samples();
        let kernel = Kernel::resolve(
            self.kernel,
            self.gamma,
            self.degree,
            self.coef0,
            data.x.view(),
        );
        let y = (0..2 * n).map(|t| if t < n { 1.0 } else { -1.0 }).collect();
        let p = (0..2 * n)
            .map(|t| {
                if t < n {
                    self.epsilon - data.y[t]
                } else {
                    self.epsilon + data.y[t - n]
                }
            })
            .collect();
        let smo = Smo::new(
            KernelRows::new(data.x.clone(), kernel),
            (0..2 * n).map(|t| t % n).collect(),
            y,
            p,
            self.c,
            self.tol,
            max_iter_or_default(self.max_iter, n),
        );
        Ok(SvrRun {
            x: data.x.clone(),
            kernel,
            smo,
            params: self.clone(),
        })
    }
}

impl Fit for SvrParams {
    type Model = Svr;

    fn validate(&self) -> Result<()> {
        if !(self.epsilon >= 0.0 && self.epsilon.is_finite()) {
            return Err(Error::invalid(
                "epsilon",
                self.epsilon,
                "a finite number >= 0",
            ));
        }
        validate_c_tol(self.c, self.tol, self.max_iter)?;
        validate_kernel(self.gamma, self.degree, self.coef0)
    }

    fn fit(&self, data: &Dataset) -> Result<Svr> {
        let mut run = self.start(data)?;
        while run.step()? == Progress::Running {}
        Ok(run.model())
    }
}

/// A fitted support vector regressor: `f(x) = Σ dual_coef_s K(sv_s, x) + intercept`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Svr {
    pub kernel: Kernel,
    /// Training rows with a non-zero coefficient `a_i - a*_i`, in row order.
    pub support: Vec<usize>,
    pub support_vectors: Array2<f64>,
    /// `a_i - a*_i` of each support vector.
    pub dual_coef: Array1<f64>,
    pub intercept: f64,
    pub n_iter: usize,
    pub converged: bool,
    /// Training rows whose coefficient sits at `±C` (outside the tube or on its edge).
    pub at_bound: Vec<usize>,
    pub params: SvrParams,
}

impl Svr {
    pub fn params() -> SvrParams {
        SvrParams::default()
    }
}

impl Regressor for Svr {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_x(x, self.support_vectors.ncols())?;
        let kx = self.kernel.matrix(x, self.support_vectors.view());
        Ok(kx.dot(&self.dual_coef) + self.intercept)
    }
}

/// An SVR being solved, one SMO pair update per step.
#[derive(Debug, Clone)]
pub struct SvrRun {
    x: Array2<f64>,
    kernel: Kernel,
    smo: Smo,
    params: SvrParams,
}

impl SvrRun {
    pub fn iterations(&self) -> usize {
        self.smo.iterations()
    }
    pub fn is_done(&self) -> bool {
        self.smo.finished().is_some()
    }
    pub fn violation(&self) -> f64 {
        self.smo.violation()
    }
}

impl Iterative for SvrRun {
    type Model = Svr;

    fn step(&mut self) -> Result<Progress> {
        Ok(self.smo.step())
    }

    fn model(&self) -> Svr {
        let n = self.x.nrows();
        let a = self.smo.alpha();
        let c = self.smo.c();
        let coef: Vec<f64> = (0..n).map(|i| a[i] - a[i + n]).collect();
        let support: Vec<usize> = (0..n).filter(|&i| coef[i] != 0.0).collect();
        Svr {
            kernel: self.kernel,
            support_vectors: self.x.select(Axis(0), &support),
            dual_coef: support.iter().map(|&i| coef[i]).collect(),
            at_bound: (0..n).filter(|&i| a[i] >= c || a[i + n] >= c).collect(),
            support,
            intercept: -self.smo.rho(),
            n_iter: self.smo.iterations(),
            converged: self.smo.finished() == Some(true),
            params: self.params.clone(),
        }
    }
}
