//! `SVC`: the soft-margin support vector classifier of libsvm / scikit-learn. Two classes solve one
//! dual problem; k classes solve one per pair (one-vs-one) and predict by voting. Each
//! [`Iterative::step`] of an [`SvcRun`] is one SMO pair update, so a demo can watch the solver.

use super::kernel::{validate_kernel, Gamma, Kernel, KernelKind, KernelRows};
use super::smo::Smo;
use super::{max_iter_or_default, validate_c_tol};
use crate::data::{check_x, check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit, Iterative, Progress};
use crate::metrics::unique_labels;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// Parameters with scikit-learn's names and defaults; `max_iter: None` is scikit-learn's `-1`
/// (libsvm still stops after `max(10⁷, 100·n)` pair updates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SvcParams {
    #[serde(rename = "C")]
    pub c: f64,
    pub kernel: KernelKind,
    pub gamma: Gamma,
    pub degree: u32,
    pub coef0: f64,
    pub tol: f64,
    pub max_iter: Option<usize>,
}

impl Default for SvcParams {
    fn default() -> Self {
        SvcParams {
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

/// Builder setters shared by `SvcParams` and `SvrParams`.
macro_rules! svm_setters {
    () => {
        pub fn c(mut self, c: f64) -> Self {
            self.c = c;
            self
        }
        pub fn kernel(mut self, kind: $crate::svm::KernelKind) -> Self {
            self.kernel = kind;
            self
        }
        pub fn gamma(mut self, gamma: $crate::svm::Gamma) -> Self {
            self.gamma = gamma;
            self
        }
        pub fn gamma_value(mut self, gamma: f64) -> Self {
            self.gamma = $crate::svm::Gamma::Value(gamma);
            self
        }
        pub fn degree(mut self, degree: u32) -> Self {
            self.degree = degree;
            self
        }
        pub fn coef0(mut self, coef0: f64) -> Self {
            self.coef0 = coef0;
            self
        }
        pub fn tol(mut self, tol: f64) -> Self {
            self.tol = tol;
            self
        }
        pub fn max_iter(mut self, max_iter: Option<usize>) -> Self {
            self.max_iter = max_iter;
            self
        }
    };
}
pub(crate) use svm_setters;

impl SvcParams {
    svm_setters!();

    /// Checks the data and sets up one dual problem per pair of classes, nothing solved yet.
    pub fn start(&self, data: &Dataset) -> Result<SvcRun> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let classes = unique_labels([data.y.view()]);
        if classes.len() < 2 {
            return Err(Error::invalid(
                "y",
                format!(
                    "only class {}",
                    classes.first().copied().unwrap_or(f64::NAN)
                ),
                "labels of at least 2 classes",
            ));
        }
        let label: Vec<usize> = data
            .y
            .iter()
            .map(|v| classes.partition_point(|c| c < v))
            .collect();
        let kernel = Kernel::resolve(
            self.kernel,
            self.gamma,
            self.degree,
            self.coef0,
            data.x.view(),
        );
        let max_iter = max_iter_or_default(self.max_iter, data.n_samples());
        let k = classes.len();
        let mut pairs = Vec::new();
        for a in 0..k {
            for b in a + 1..k {
                // Class a's rows then class b's, each in row order, as libsvm groups them.
                let rows: Vec<usize> = (0..label.len())
                    .filter(|&r| label[r] == a)
                    .chain((0..label.len()).filter(|&r| label[r] == b))
                    .collect();
                let y: Vec<f64> = rows
                    .iter()
                    .map(|&r| if label[r] == a { 1.0 } else { -1.0 })
                    .collect();
                let x = data.x.select(Axis(0), &rows);
                let l = rows.len();
                let smo = Smo::new(
                    KernelRows::new(x, kernel),
                    (0..l).collect(),
                    y,
                    vec![-1.0; l],
                    self.c,
                    self.tol,
                    max_iter,
                );
                pairs.push(Pair { a, b, rows, smo });
            }
        }
        Ok(SvcRun {
            x: data.x.clone(),
            label,
            classes,
            kernel,
            pairs,
            current: 0,
            params: self.clone(),
        })
    }
}

impl Fit for SvcParams {
    type Model = Svc;

    fn validate(&self) -> Result<()> {
        validate_c_tol(self.c, self.tol, self.max_iter)?;
        validate_kernel(self.gamma, self.degree, self.coef0)
    }

    fn fit(&self, data: &Dataset) -> Result<Svc> {
        let mut run = self.start(data)?;
        while run.step()? == Progress::Running {}
        Ok(run.model())
    }
}

/// A fitted support vector classifier, with scikit-learn's attributes. With two classes
/// `dual_coef` and `intercept` have scikit-learn's sign (positive decision means `classes[1]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Svc {
    pub classes: Vec<f64>,
    pub kernel: Kernel,
    /// Training rows that are support vectors, grouped by class, in row order within a class.
    pub support: Vec<usize>,
    pub support_vectors: Array2<f64>,
    /// Support vectors per class.
    pub n_support: Vec<usize>,
    /// `(k - 1) × n_SV`: libsvm's layout of the one-vs-one coefficients `y_i a_i`.
    pub dual_coef: Array2<f64>,
    /// One per pair of classes (0,1), (0,2), ..., (1,2), ...
    pub intercept: Vec<f64>,
    /// SMO pair updates per pair of classes.
    pub n_iter: Vec<usize>,
    /// Whether every pair's violation fell below `tol` (not stopped by `max_iter`).
    pub converged: bool,
    /// Training rows whose multiplier sits at the bound `C` (margin errors and points inside it).
    pub at_bound: Vec<usize>,
    pub params: SvcParams,
}

impl Svc {
    pub fn params() -> SvcParams {
        SvcParams::default()
    }

    /// One column per pair of classes (one-vs-one, scikit-learn's `decision_function_shape="ovo"`);
    /// a single column with two classes: the signed distance, positive for `classes[1]`.
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(x, self.support_vectors.ncols())?;
        let kx = self.kernel.matrix(x, self.support_vectors.view());
        let k = self.classes.len();
        let start: Vec<usize> = std::iter::once(0)
            .chain(self.n_support.iter().scan(0, |s, &n| {
                *s += n;
                Some(*s)
            }))
            .collect();
        let mut out = Array2::zeros((x.nrows(), self.intercept.len()));
        let mut p = 0;
        for a in 0..k {
            for b in a + 1..k {
                for r in 0..x.nrows() {
                    let krow = kx.row(r);
                    let sum_a: f64 = (start[a]..start[a + 1])
                        .map(|s| self.dual_coef[[b - 1, s]] * krow[s])
                        .sum();
                    let sum_b: f64 = (start[b]..start[b + 1])
                        .map(|s| self.dual_coef[[a, s]] * krow[s])
                        .sum();
                    out[[r, p]] = sum_a + sum_b + self.intercept[p];
                }
                p += 1;
            }
        }
        Ok(out)
    }
}

impl Classifier for Svc {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let dec = self.decision_function(x)?;
        let k = self.classes.len();
        if k == 2 {
            // libsvm picks classes[0] only for a strictly positive raw value, i.e. a negative one here.
            return Ok(dec.column(0).mapv(|d| self.classes[usize::from(d >= 0.0)]));
        }
        Ok(dec
            .rows()
            .into_iter()
            .map(|row| {
                let mut votes = vec![0usize; k];
                let mut p = 0;
                for a in 0..k {
                    for b in a + 1..k {
                        votes[if row[p] > 0.0 { a } else { b }] += 1;
                        p += 1;
                    }
                }
                // The first class with the most votes, as libsvm.
                let best = (0..k).fold(0, |best, c| if votes[c] > votes[best] { c } else { best });
                self.classes[best]
            })
            .collect())
    }
}

#[derive(Debug, Clone)]
struct Pair {
    a: usize,
    b: usize,
    rows: Vec<usize>,
    smo: Smo,
}

/// An SVC being solved, one SMO pair update per step, the pairs of classes one after another.
#[derive(Debug, Clone)]
pub struct SvcRun {
    x: Array2<f64>,
    label: Vec<usize>,
    classes: Vec<f64>,
    kernel: Kernel,
    pairs: Vec<Pair>,
    current: usize,
    params: SvcParams,
}

impl SvcRun {
    pub fn classes(&self) -> &[f64] {
        &self.classes
    }
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }
    /// Pair updates so far, over every pair of classes.
    pub fn iterations(&self) -> usize {
        self.pairs.iter().map(|p| p.smo.iterations()).sum()
    }
    pub fn is_done(&self) -> bool {
        self.current >= self.pairs.len()
    }
    /// The largest KKT violation of the problem being solved (the stopping test compares it to `tol`).
    pub fn violation(&self) -> f64 {
        self.pairs
            .get(self.current.min(self.pairs.len() - 1))
            .map_or(0.0, |p| p.smo.violation())
    }
    /// The training rows whose multipliers the latest step changed.
    pub fn last_pair(&self) -> Option<(usize, usize)> {
        let p = &self.pairs[self.current.min(self.pairs.len() - 1)];
        p.smo.last_pair().map(|(i, j)| (p.rows[i], p.rows[j]))
    }
}

impl Iterative for SvcRun {
    type Model = Svc;

    fn step(&mut self) -> Result<Progress> {
        while let Some(pair) = self.pairs.get_mut(self.current) {
            if pair.smo.step() == Progress::Running {
                return Ok(Progress::Running);
            }
            self.current += 1;
        }
        Ok(Progress::Done)
    }

    /// The classifier the multipliers found so far define (the final one once done).
    fn model(&self) -> Svc {
        let k = self.classes.len();
        let n = self.label.len();
        let mut nonzero = vec![false; n];
        let mut at_bound = vec![false; n];
        for pair in &self.pairs {
            for (t, &a) in pair.smo.alpha().iter().enumerate() {
                nonzero[pair.rows[t]] |= a > 0.0;
                at_bound[pair.rows[t]] |= a >= pair.smo.c();
            }
        }
        let mut support = Vec::new();
        let mut n_support = vec![0; k];
        for (c, count) in n_support.iter_mut().enumerate() {
            for r in (0..n).filter(|&r| self.label[r] == c && nonzero[r]) {
                support.push(r);
                *count += 1;
            }
        }
        let mut column = vec![usize::MAX; n];
        for (s, &r) in support.iter().enumerate() {
            column[r] = s;
        }
        let mut dual_coef = Array2::zeros((k - 1, support.len()));
        let mut intercept = Vec::with_capacity(self.pairs.len());
        let sign = if k == 2 { -1.0 } else { 1.0 };
        for pair in &self.pairs {
            for (t, (&a, &y)) in pair.smo.alpha().iter().zip(pair.smo.y()).enumerate() {
                if a > 0.0 {
                    let r = pair.rows[t];
                    let row = if self.label[r] == pair.a {
                        pair.b - 1
                    } else {
                        pair.a
                    };
                    dual_coef[[row, column[r]]] = sign * y * a;
                }
            }
            intercept.push(-sign * pair.smo.rho());
        }
        Svc {
            classes: self.classes.clone(),
            kernel: self.kernel,
            support_vectors: self.x.select(Axis(0), &support),
            at_bound: (0..n).filter(|&r| at_bound[r]).collect(),
            support,
            n_support,
            dual_coef,
            intercept,
            n_iter: self.pairs.iter().map(|p| p.smo.iterations()).collect(),
            converged: self.pairs.iter().all(|p| p.smo.finished() == Some(true)),
            params: self.params.clone(),
        }
    }
}
