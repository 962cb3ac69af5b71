//! `LinearSVC`: a linear support vector classifier as scikit-learn fits it with liblinear,
//! minimising `½||w||² + C Σ loss(y_i (w·x_i + b))` with the squared hinge (default) or the hinge
//! loss. The intercept is liblinear's: an extra feature of constant value `intercept_scaling` whose
//! weight is regularised like the others. Several classes are one-vs-rest.
//!
//! We always solve the dual by coordinate descent with shrinking (liblinear's `-s 1` / `-s 3`,
//! Hsieh et al. 2008), one pass over the samples per [`Iterative::step`]. scikit-learn's
//! `dual="auto"` solves the primal by Newton's method when samples outnumber features; the optimum
//! is unique, so both land on the same `coef_` and `intercept_` once converged, but with a loose
//! `tol` the two stopping points differ.

use crate::data::{check_x, check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit, Iterative, Progress};
use crate::metrics::unique_labels;
use crate::rng::Rng;
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SvcLoss {
    Hinge,
    SquaredHinge,
}

/// Parameters with scikit-learn's names and defaults (penalty "l2", multi_class "ovr").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinearSvcParams {
    pub loss: SvcLoss,
    #[serde(rename = "C")]
    pub c: f64,
    pub tol: f64,
    pub max_iter: usize,
    pub fit_intercept: bool,
    pub intercept_scaling: f64,
    /// Seeds the order in which each pass visits the samples (liblinear shuffles too).
    pub random_state: u64,
}

impl Default for LinearSvcParams {
    fn default() -> Self {
        LinearSvcParams {
            loss: SvcLoss::SquaredHinge,
            c: 1.0,
            tol: 1e-4,
            max_iter: 1000,
            fit_intercept: true,
            intercept_scaling: 1.0,
            random_state: 0,
        }
    }
}

impl LinearSvcParams {
    pub fn c(mut self, c: f64) -> Self {
        self.c = c;
        self
    }
    pub fn loss(mut self, loss: SvcLoss) -> Self {
        self.loss = loss;
        self
    }
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    pub fn fit_intercept(mut self, yes: bool) -> Self {
        self.fit_intercept = yes;
        self
    }
    pub fn random_state(mut self, seed: u64) -> Self {
        self.random_state = seed;
        self
    }

    /// Checks the data and sets up one dual problem per class (one for two classes).
    pub fn start(&self, data: &Dataset) -> Result<LinearSvcRun> {
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
        let (n, p) = data.x.dim();
        let bias = if self.fit_intercept {
            self.intercept_scaling
        } else {
            0.0
        };
        let width = p + usize::from(self.fit_intercept);
        let mut x = Array2::zeros((n, width));
        x.slice_mut(ndarray::s![.., ..p]).assign(&data.x);
        if self.fit_intercept {
            x.column_mut(p).fill(bias);
        }
        let qd_base: Vec<f64> = x.rows().into_iter().map(|r| r.dot(&r)).collect();
        // Two classes: one problem, positive = classes[1]; more: one per class against the rest.
        let targets: Vec<f64> = if classes.len() == 2 {
            vec![classes[1]]
        } else {
            classes.clone()
        };
        let problems = targets
            .iter()
            .map(|&t| {
                let y: Vec<f64> = data
                    .y
                    .iter()
                    .map(|&v| if v == t { 1.0 } else { -1.0 })
                    .collect();
                DualCd::new(y, width)
            })
            .collect();
        Ok(LinearSvcRun {
            params: self.clone(),
            classes,
            x,
            qd_base,
            problems,
            current: 0,
            rng: Rng::new(self.random_state),
        })
    }
}

impl Fit for LinearSvcParams {
    type Model = LinearSvc;

    fn validate(&self) -> Result<()> {
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(Error::invalid("C", self.c, "a finite number > 0"));
        }
        if !(self.tol > 0.0 && self.tol.is_finite()) {
            return Err(Error::invalid("tol", self.tol, "a finite number > 0"));
        }
        if self.max_iter == 0 {
            return Err(Error::invalid("max_iter", 0, "at least 1"));
        }
        if !(self.intercept_scaling > 0.0 && self.intercept_scaling.is_finite()) {
            return Err(Error::invalid(
                "intercept_scaling",
                self.intercept_scaling,
                "a finite number > 0",
            ));
        }
        Ok(())
    }

    fn fit(&self, data: &Dataset) -> Result<LinearSvc> {
        let mut run = self.start(data)?;
        while run.step()? == Progress::Running {}
        Ok(run.model())
    }
}

/// A fitted linear SVC: one row of `coef` and one `intercept` per class (one in all for two).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearSvc {
    pub classes: Vec<f64>,
    pub coef: Vec<Vec<f64>>,
    pub intercept: Vec<f64>,
    /// The largest number of passes any one-vs-rest problem took (scikit-learn's `n_iter_`).
    pub n_iter: usize,
    pub converged: bool,
    pub params: LinearSvcParams,
}

impl LinearSvc {
    pub fn params() -> LinearSvcParams {
        LinearSvcParams::default()
    }

    /// `x · coef_k + intercept_k` per class; a single column (positive for `classes[1]`) with two.
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let p = self.coef.first().map_or(0, Vec::len);
        check_x(x, p)?;
        let mut out = Array2::zeros((x.nrows(), self.coef.len()));
        for (k, (w, b)) in self.coef.iter().zip(&self.intercept).enumerate() {
            let w = Array1::from(w.clone());
            out.column_mut(k).assign(&(x.dot(&w) + *b));
        }
        Ok(out)
    }
}

impl Classifier for LinearSvc {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let dec = self.decision_function(x)?;
        if self.classes.len() == 2 {
            return Ok(dec.column(0).mapv(|d| self.classes[usize::from(d > 0.0)]));
        }
        Ok(dec
            .rows()
            .into_iter()
            .map(|r| {
                // The first of equal scores wins, as numpy's argmax.
                let best = r
                    .iter()
                    .enumerate()
                    .fold(0, |b, (k, &v)| if v > r[b] { k } else { b });
                self.classes[best]
            })
            .collect())
    }
}

/// One binary dual problem: `min ½ αᵀQ̄α - Σα` over `0 <= α_i <= U`, with `w = Σ y_i α_i x_i`.
#[derive(Debug, Clone)]
struct DualCd {
    y: Vec<f64>,
    alpha: Vec<f64>,
    w: Array1<f64>,
    /// Samples still visited (shrinking drops those stuck at a bound).
    active: Vec<usize>,
    pg_max_old: f64,
    pg_min_old: f64,
    iter: usize,
    converged: bool,
    done: bool,
}

impl DualCd {
    fn new(y: Vec<f64>, width: usize) -> DualCd {
        let n = y.len();
        DualCd {
            alpha: vec![0.0; n],
            y,
            w: Array1::zeros(width),
            active: (0..n).collect(),
            pg_max_old: f64::INFINITY,
            pg_min_old: f64::NEG_INFINITY,
            iter: 0,
            converged: false,
            done: false,
        }
    }
}

/// A linear SVC being solved: one pass of dual coordinate descent per step, the one-vs-rest
/// problems one after another.
#[derive(Debug, Clone)]
pub struct LinearSvcRun {
    params: LinearSvcParams,
    classes: Vec<f64>,
    /// The training rows with the intercept column appended.
    x: Array2<f64>,
    qd_base: Vec<f64>,
    problems: Vec<DualCd>,
    current: usize,
    rng: Rng,
}

impl LinearSvcRun {
    /// One pass of liblinear's dual coordinate descent over the active samples of problem `k`.
    fn pass(&mut self, k: usize) {
        let (diag, upper) = match self.params.loss {
            SvcLoss::SquaredHinge => (0.5 / self.params.c, f64::INFINITY),
            SvcLoss::Hinge => (0.0, self.params.c),
        };
        let tol = self.params.tol;
        let prob = &mut self.problems[k];
        self.rng.shuffle(&mut prob.active);
        let (mut pg_max, mut pg_min) = (f64::NEG_INFINITY, f64::INFINITY);
        let mut s = 0;
        while s < prob.active.len() {
            let i = prob.active[s];
            let xi = self.x.row(i);
            let yi = prob.y[i];
            let g = yi * prob.w.dot(&xi) - 1.0 + prob.alpha[i] * diag;
            let mut pg = 0.0;
            if prob.alpha[i] == 0.0 {
                if g > prob.pg_max_old {
                    prob.active.swap_remove(s);
                    continue;
                } else if g < 0.0 {
                    pg = g;
                }
            } else if prob.alpha[i] == upper {
                if g < prob.pg_min_old {
                    prob.active.swap_remove(s);
                    continue;
                } else if g > 0.0 {
                    pg = g;
                }
            } else {
                pg = g;
            }
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = prob.alpha[i];
                let qd = self.qd_base[i] + diag;
                prob.alpha[i] = (old - g / qd).max(0.0).min(upper);
                prob.w.scaled_add((prob.alpha[i] - old) * yi, &xi);
            }
            s += 1;
        }
        prob.iter += 1;
        if pg_max - pg_min <= tol {
            if prob.active.len() == prob.y.len() {
                prob.converged = true;
                prob.done = true;
                return;
            }
            // Converged on the shrunk set: check once more on every sample.
            prob.active = (0..prob.y.len()).collect();
            prob.pg_max_old = f64::INFINITY;
            prob.pg_min_old = f64::NEG_INFINITY;
        } else {
            prob.pg_max_old = if pg_max <= 0.0 { f64::INFINITY } else { pg_max };
            prob.pg_min_old = if pg_min >= 0.0 {
                f64::NEG_INFINITY
            } else {
                pg_min
            };
        }
        if prob.iter >= self.params.max_iter {
            prob.done = true;
        }
    }

    pub fn classes(&self) -> &[f64] {
        &self.classes
    }
}

impl Iterative for LinearSvcRun {
    type Model = LinearSvc;

    fn step(&mut self) -> Result<Progress> {
        while self.current < self.problems.len() && self.problems[self.current].done {
            self.current += 1;
        }
        if self.current >= self.problems.len() {
            return Ok(Progress::Done);
        }
        self.pass(self.current);
        if self.problems[self.current].w.iter().any(|v| !v.is_finite()) {
            return Ok(Progress::Diverged);
        }
        let all_done = self.problems.iter().all(|p| p.done);
        Ok(if all_done {
            Progress::Done
        } else {
            Progress::Running
        })
    }

    fn model(&self) -> LinearSvc {
        let p = self.x.ncols() - usize::from(self.params.fit_intercept);
        let coef = self
            .problems
            .iter()
            .map(|prob| prob.w.slice(ndarray::s![..p]).to_vec())
            .collect();
        let intercept = self
            .problems
            .iter()
            .map(|prob| {
                if self.params.fit_intercept {
                    self.params.intercept_scaling * prob.w[p]
                } else {
                    0.0
                }
            })
            .collect();
        LinearSvc {
            classes: self.classes.clone(),
            coef,
            intercept,
            n_iter: self.problems.iter().map(|p| p.iter).max().unwrap_or(0),
            converged: self.problems.iter().all(|p| p.converged),
            params: self.params.clone(),
        }
    }
}
