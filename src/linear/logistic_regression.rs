//! Logistic regression for two classes (sigmoid) and several (softmax, the multinomial loss), with
//! scikit-learn's names, defaults and objective, minimised by L-BFGS like its default `lbfgs`
//! solver. Each [`Iterative::step`] is one L-BFGS iteration, so demos can watch the boundary move.
//!
//! The objective is scikit-learn's `C * sum_i loss_i + ||W||² / 2` divided by `C * n`, i.e. the
//! mean log-loss plus `||W||² / (2 C n)`; the intercepts are not penalised. Dividing by `C n` keeps
//! `tol` meaning what it means there (the largest gradient component of this scaled objective).

use super::lbfgs::{Lbfgs, LbfgsStatus};
use crate::data::{check_x, check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit, Iterative, Progress};
use crate::metrics::unique_labels;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogisticPenalty {
    L2,
}

/// Parameters with scikit-learn's names and defaults (`penalty: None` is scikit-learn's `None`,
/// the same as `C = inf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogisticRegressionParams {
    pub penalty: Option<LogisticPenalty>,
    /// Inverse regularisation strength: smaller means a stronger pull of the weights towards 0.
    #[serde(rename = "C")]
    pub c: f64,
    pub fit_intercept: bool,
    pub max_iter: usize,
    pub tol: f64,
}

impl Default for LogisticRegressionParams {
    fn default() -> Self {
        LogisticRegressionParams {
            penalty: Some(LogisticPenalty::L2),
            c: 1.0,
            fit_intercept: true,
            max_iter: 100,
            tol: 1e-4,
        }
    }
}

/// scipy's `ftol` as scikit-learn sets it: stop when the objective falls by less than this, relatively.
const FTOL: f64 = 64.0 * f64::EPSILON;

impl LogisticRegressionParams {
    pub fn c(mut self, c: f64) -> Self {
        self.c = c;
        self
    }
    pub fn penalty(mut self, penalty: Option<LogisticPenalty>) -> Self {
        self.penalty = penalty;
        self
    }
    pub fn fit_intercept(mut self, yes: bool) -> Self {
        self.fit_intercept = yes;
        self
    }
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Starts a fit from all-zero weights that advances one L-BFGS iteration per step.
    pub fn start(&self, data: &Dataset) -> Result<LogisticRun> {
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
        let target: Vec<usize> = data
            .y
            .iter()
            .map(|v| classes.partition_point(|c| c < v))
            .collect();
        let n = data.n_samples() as f64;
        let l2 = match self.penalty {
            Some(LogisticPenalty::L2) => 1.0 / (self.c * n),
            None => 0.0,
        };
        let rows = if classes.len() == 2 { 1 } else { classes.len() };
        let problem = Problem {
            x: data.x.clone(),
            target,
            rows,
            fit_intercept: self.fit_intercept,
            l2,
        };
        let theta0 = Array1::zeros(rows * problem.width());
        let (f0, g0) = problem.objective(&theta0);
        let penalty0 = problem.penalty(&theta0);
        let solver = Lbfgs::new(theta0, f0, g0, self.tol, FTOL);
        let done = solver.gradient_small();
        Ok(LogisticRun {
            params: self.clone(),
            classes,
            problem,
            objectives: vec![f0],
            log_losses: vec![f0 - penalty0],
            solver,
            done,
            status: if done {
                LbfgsStatus::Converged
            } else {
                LbfgsStatus::Running
            },
        })
    }
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticRegression {
    /// The class labels, sorted; `predict` returns these values.
    pub classes: Vec<f64>,
    /// One row of weights per class (a single row, for `classes[1]`, with two classes).
    #[serde(with = "rows")]
    pub coef: Array2<f64>,
    /// One intercept per row of `coef`.
    #[serde(with = "super::as_vec")]
    pub intercept: Array1<f64>,
    /// L-BFGS iterations run (scikit-learn's `n_iter_`).
    pub n_iter: usize,
    pub params: LogisticRegressionParams,
}

impl LogisticRegression {
    pub fn params() -> LogisticRegressionParams {
        LogisticRegressionParams::default()
    }
    pub fn classes(&self) -> &[f64] {
        &self.classes
    }
    pub fn coef(&self) -> &Array2<f64> {
        &self.coef
    }
    pub fn intercept(&self) -> &Array1<f64> {
        &self.intercept
    }

    /// `x . coef^T + intercept`: one column (the positive class's log-odds) with two classes,
    /// one column per class otherwise.
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(x, self.coef.ncols())?;
        Ok(x.dot(&self.coef.t()) + &self.intercept)
    }

    /// Class probabilities, one column per entry of `classes`; rows sum to 1.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let scores = self.decision_function(x)?;
        if self.classes.len() == 2 {
            let p1 = scores.column(0).mapv(sigmoid);
            let mut out = Array2::zeros((scores.nrows(), 2));
            out.column_mut(0).assign(&p1.mapv(|p| 1.0 - p));
            out.column_mut(1).assign(&p1);
            Ok(out)
        } else {
            let mut out = scores;
            for mut row in out.rows_mut() {
                let lse = log_sum_exp(row.iter().copied());
                row.mapv_inplace(|z| (z - lse).exp());
            }
            Ok(out)
        }
    }
}

impl Classifier for LogisticRegression {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let scores = self.decision_function(x)?;
        if self.classes.len() == 2 {
            // Positive log-odds means class 1; a tie (exactly 0) goes to class 0, as in scikit-learn.
            Ok(scores
                .column(0)
                .mapv(|z| self.classes[usize::from(z > 0.0)]))
        } else {
            Ok(crate::metrics::argmax_labels(scores.view(), &self.classes))
        }
    }
}

impl Fit for LogisticRegressionParams {
    type Model = LogisticRegression;

    fn validate(&self) -> Result<()> {
        if self.c.is_nan() || self.c <= 0.0 {
            return Err(Error::invalid("C", self.c, "a number > 0"));
        }
        if self.max_iter == 0 {
            return Err(Error::invalid("max_iter", 0, "at least 1"));
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(Error::invalid("tol", self.tol, "a finite number >= 0"));
        }
        Ok(())
    }

    fn fit(&self, data: &Dataset) -> Result<LogisticRegression> {
        let mut run = self.start(data)?;
        loop {
            match run.step()? {
                Progress::Running => {}
                Progress::Done => return Ok(run.model()),
                Progress::Diverged => {
                    return Err(Error::Numerical(format!(
                    "the log-loss became NaN or infinite after {} iterations; scale the features",
                    run.iterations()
                )))
                }
            }
        }
    }
}

/// The training data and the shape of the weights: `rows` rows of `p` weights (+ 1 intercept),
/// flattened row by row into the vector L-BFGS works on.
#[derive(Debug, Clone)]
struct Problem {
    x: Array2<f64>,
    /// Index of each sample's class in the sorted classes.
    target: Vec<usize>,
    rows: usize,
    fit_intercept: bool,
    l2: f64,
}

/// The logistic function, without overflow for large |z| (also used by gradient boosting).
pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^z)` without overflow.
pub(crate) fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// `ln(sum(e^v))` computed around the largest value.
pub(crate) fn log_sum_exp(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = values.clone().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    m + values.map(|v| (v - m).exp()).sum::<f64>().ln()
}

impl Problem {
    fn width(&self) -> usize {
        self.x.ncols() + usize::from(self.fit_intercept)
    }

    /// Weights (rows x p) and intercepts (rows) from the flat vector.
    fn split(&self, theta: &Array1<f64>) -> (Array2<f64>, Array1<f64>) {
        let p = self.x.ncols();
        let w = self.width();
        let weights = Array2::from_shape_fn((self.rows, p), |(k, j)| theta[k * w + j]);
        let intercepts = Array1::from_shape_fn(self.rows, |k| {
            if self.fit_intercept {
                theta[k * w + p]
            } else {
                0.0
            }
        });
        (weights, intercepts)
    }

    fn penalty(&self, theta: &Array1<f64>) -> f64 {
        let (weights, _) = self.split(theta);
        0.5 * self.l2 * weights.iter().map(|v| v * v).sum::<f64>()
    }

    /// The mean log-loss plus the L2 penalty, and its gradient.
    fn objective(&self, theta: &Array1<f64>) -> (f64, Array1<f64>) {
        let (weights, intercepts) = self.split(theta);
        let n = self.x.nrows() as f64;
        let mut scores = self.x.dot(&weights.t()) + &intercepts;
        let mut loss = 0.0;
        // Turn scores into residuals (predicted probability minus the 0/1 target) in place.
        if self.rows == 1 {
            for (z, &t) in scores.column_mut(0).iter_mut().zip(&self.target) {
                let y = t as f64;
                loss += softplus(*z) - y * *z;
                *z = sigmoid(*z) - y;
            }
        } else {
            for (mut row, &t) in scores.rows_mut().into_iter().zip(&self.target) {
                let lse = log_sum_exp(row.iter().copied());
                loss += lse - row[t];
                row.mapv_inplace(|z| (z - lse).exp());
                row[t] -= 1.0;
            }
        }
        let grad_w = scores.t().dot(&self.x) / n + &weights * self.l2;
        let grad_b = scores.sum_axis(Axis(0)) / n;
        let w = self.width();
        let p = self.x.ncols();
        let mut grad = Array1::zeros(self.rows * w);
        for k in 0..self.rows {
            for j in 0..p {
                grad[k * w + j] = grad_w[[k, j]];
            }
            if self.fit_intercept {
                grad[k * w + p] = grad_b[k];
            }
        }
        let f = loss / n + 0.5 * self.l2 * weights.iter().map(|v| v * v).sum::<f64>();
        (f, grad)
    }
}

/// A logistic-regression fit in progress.
#[derive(Debug, Clone)]
pub struct LogisticRun {
    params: LogisticRegressionParams,
    classes: Vec<f64>,
    problem: Problem,
    solver: Lbfgs,
    /// The objective (mean log-loss + penalty) before the first iteration and after each.
    objectives: Vec<f64>,
    /// The mean training log-loss alone, at the same points.
    log_losses: Vec<f64>,
    done: bool,
    status: LbfgsStatus,
}

impl LogisticRun {
    pub fn iterations(&self) -> usize {
        self.solver.iterations()
    }
    pub fn objectives(&self) -> &[f64] {
        &self.objectives
    }
    pub fn log_losses(&self) -> &[f64] {
        &self.log_losses
    }
    pub fn classes(&self) -> &[f64] {
        &self.classes
    }
    /// Whether the tolerance was met (false while running, or when `max_iter` ran out first).
    pub fn converged(&self) -> bool {
        self.status == LbfgsStatus::Converged
    }
}

impl Iterative for LogisticRun {
    type Model = LogisticRegression;

    fn step(&mut self) -> Result<Progress> {
        if self.status == LbfgsStatus::NonFinite {
            return Ok(Progress::Diverged);
        }
        if self.done {
            return Ok(Progress::Done);
        }
        let problem = &self.problem;
        self.status = self.solver.step(&mut |theta| problem.objective(theta));
        if self.status == LbfgsStatus::NonFinite {
            self.done = true;
            return Ok(Progress::Diverged);
        }
        let f = self.solver.f;
        self.objectives.push(f);
        self.log_losses
            .push(f - self.problem.penalty(&self.solver.x));
        if self.status != LbfgsStatus::Running || self.iterations() >= self.params.max_iter {
            self.done = true;
        }
        Ok(if self.done {
            Progress::Done
        } else {
            Progress::Running
        })
    }

    fn model(&self) -> LogisticRegression {
        let (coef, intercept) = self.problem.split(&self.solver.x);
        LogisticRegression {
            classes: self.classes.clone(),
            coef,
            intercept,
            n_iter: self.iterations(),
            params: self.params.clone(),
        }
    }
}

/// Serialises a matrix as a JSON array of rows.
mod rows {
    use ndarray::Array2;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(a: &Array2<f64>, s: S) -> Result<S::Ok, S::Error> {
        let rows: Vec<Vec<f64>> = a.rows().into_iter().map(|r| r.to_vec()).collect();
        rows.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Array2<f64>, D::Error> {
        let rows = Vec::<Vec<f64>>::deserialize(d)?;
        let cols = rows.first().map_or(0, Vec::len);
        Array2::from_shape_vec((rows.len(), cols), rows.concat()).map_err(D::Error::custom)
    }
}
