//! Kernels for the support vector machines (`linear`, `poly`, `rbf` with scikit-learn's `gamma`
//! rules) and the row cache the SMO solver reads them through.

use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KernelKind {
    /// `x · z`
    Linear,
    /// `(gamma x · z + coef0)^degree`
    Poly,
    /// `exp(-gamma |x - z|²)`
    #[default]
    Rbf,
}

/// `gamma`: scikit-learn's rules by name, or a number (also read from a numeric string, as the
/// CLI's and the URL's `gamma=0.5` arrive).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Gamma {
    Rule(GammaRule),
    Value(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GammaRule {
    /// `1 / (n_features · var(x))`, the variance over every entry of x.
    Scale,
    /// `1 / n_features`.
    Auto,
}

impl<'de> Deserialize<'de> for Gamma {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(f64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Number(v) => Ok(Gamma::Value(v)),
            Raw::Text(t) => match t.as_str() {
                "scale" => Ok(Gamma::Rule(GammaRule::Scale)),
                "auto" => Ok(Gamma::Rule(GammaRule::Auto)),
                other => other.parse().map(Gamma::Value).map_err(|_| {
                    serde::de::Error::custom(format!(
                        "gamma must be \"scale\", \"auto\" or a number (got {other:?})"
                    ))
                }),
            },
        }
    }
}

impl Default for Gamma {
    fn default() -> Self {
        Gamma::Rule(GammaRule::Scale)
    }
}

/// A kernel with its numbers resolved (gamma is a value here).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Kernel {
    pub kind: KernelKind,
    pub gamma: f64,
    pub degree: u32,
    pub coef0: f64,
}

/// Checks the kernel parameters shared by `SVC` and `SVR`.
pub(crate) fn validate_kernel(gamma: Gamma, degree: u32, coef0: f64) -> Result<()> {
    if let Gamma::Value(g) = gamma {
        if !(g > 0.0 && g.is_finite()) {
            return Err(Error::invalid(
                "gamma",
                g,
                "\"scale\", \"auto\" or a finite number > 0",
            ));
        }
    }
    if degree > 10 {
        return Err(Error::invalid("degree", degree, "between 0 and 10"));
    }
    if !coef0.is_finite() {
        return Err(Error::invalid("coef0", coef0, "a finite number"));
    }
    Ok(())
}

impl Kernel {
    /// Resolves `gamma` on the training features, as scikit-learn does at `fit`.
    pub fn resolve(
        kind: KernelKind,
        gamma: Gamma,
        degree: u32,
        coef0: f64,
        x: ArrayView2<f64>,
    ) -> Self {
        let p = x.ncols().max(1) as f64;
        let gamma = match gamma {
            Gamma::Value(g) => g,
            Gamma::Rule(GammaRule::Auto) => 1.0 / p,
            Gamma::Rule(GammaRule::Scale) => {
                let n = x.len().max(1) as f64;
                let mean = x.sum() / n;
                let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                // A constant x has no scale: scikit-learn falls back to 1.
                if var > 0.0 {
                    1.0 / (p * var)
                } else {
                    1.0
                }
            }
        };
        Kernel {
            kind,
            gamma,
            degree,
            coef0,
        }
    }

    pub fn eval(&self, a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
        match self.kind {
            KernelKind::Linear => a.dot(&b),
            KernelKind::Poly => (self.gamma * a.dot(&b) + self.coef0).powi(self.degree as i32),
            KernelKind::Rbf => {
                let d2: f64 = a.iter().zip(b).map(|(u, v)| (u - v) * (u - v)).sum();
                (-self.gamma * d2).exp()
            }
        }
    }

    /// The kernel between every row of `x` and every row of `sv` (rows of x by columns of sv).
    pub fn matrix(&self, x: ArrayView2<f64>, sv: ArrayView2<f64>) -> Array2<f64> {
        let mut k = Array2::zeros((x.nrows(), sv.nrows()));
        for (r, xr) in x.rows().into_iter().enumerate() {
            for (c, sr) in sv.rows().into_iter().enumerate() {
                k[[r, c]] = self.eval(xr, sr);
            }
        }
        k
    }
}

/// Kernel rows of the training points, computed on first use and kept up to a memory budget
/// (oldest rows dropped first), like libsvm's cache: SMO touches few distinct rows per pass.
#[derive(Debug, Clone)]
pub(crate) struct KernelRows {
    x: Array2<f64>,
    kernel: Kernel,
    rows: Vec<Option<Arc<[f64]>>>,
    order: VecDeque<usize>,
    max_rows: usize,
    diag: Vec<f64>,
}

/// About 32 MB of f64 kernel values: small data sets keep the whole matrix.
const CACHE_VALUES: usize = 1 << 22;

impl KernelRows {
    pub fn new(x: Array2<f64>, kernel: Kernel) -> Self {
        let n = x.nrows();
        let diag = x.rows().into_iter().map(|r| kernel.eval(r, r)).collect();
        KernelRows {
            max_rows: (CACHE_VALUES / n.max(1)).max(2),
            rows: vec![None; n],
            order: VecDeque::new(),
            x,
            kernel,
            diag,
        }
    }

    pub fn diag(&self, i: usize) -> f64 {
        self.diag[i]
    }

    /// `K(x_i, x_j)` for every training point j.
    pub fn row(&mut self, i: usize) -> Arc<[f64]> {
        if let Some(r) = &self.rows[i] {
            return r.clone();
        }
        let xi = self.x.row(i);
        let r: Arc<[f64]> = self
            .x
            .rows()
            .into_iter()
            .map(|xj| self.kernel.eval(xi, xj))
            .collect();
        if self.order.len() >= self.max_rows {
            if let Some(old) = self.order.pop_front() {
                self.rows[old] = None;
            }
        }
        self.order.push_back(i);
        self.rows[i] = Some(r.clone());
        r
    }
}
