//! Stochastic gradient descent for linear regression, following scikit-learn's `SGDRegressor`
//! sample by sample: the same losses, penalties, learning-rate schedules and stopping rule, so with
//! `shuffle = false` it lands on the same coefficients. Each [`Iterative::step`] is one epoch.
//!
//! With `early_stopping` a `validation_fraction` of the rows is held out and the stopping rule reads
//! their R² after each epoch instead of the training loss ([`Patience`] holds the rule for both).

use super::LinearModel;
use crate::data::{check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Fit, Iterative, Progress, Regressor};
use crate::metrics::r2_score;
use crate::model_selection::train_test_split;
use crate::rng::Rng;
use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SgdLoss {
    SquaredError,
    Huber,
    EpsilonInsensitive,
    SquaredEpsilonInsensitive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Penalty {
    L2,
    L1,
    Elasticnet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LearningRate {
    Constant,
    Optimal,
    Invscaling,
    Adaptive,
}

/// Parameters with scikit-learn's names and defaults (`penalty: None` is scikit-learn's `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SgdRegressorParams {
    pub loss: SgdLoss,
    pub penalty: Option<Penalty>,
    pub alpha: f64,
    pub l1_ratio: f64,
    pub fit_intercept: bool,
    pub max_iter: usize,
    pub tol: Option<f64>,
    pub shuffle: bool,
    pub epsilon: f64,
    pub random_state: u64,
    pub learning_rate: LearningRate,
    pub eta0: f64,
    pub power_t: f64,
    pub n_iter_no_change: usize,
    pub early_stopping: bool,
    pub validation_fraction: f64,
}

impl Default for SgdRegressorParams {
    fn default() -> Self {
        SgdRegressorParams {
            loss: SgdLoss::SquaredError,
            penalty: Some(Penalty::L2),
            alpha: 1e-4,
            l1_ratio: 0.15,
            fit_intercept: true,
            max_iter: 1000,
            tol: Some(1e-3),
            shuffle: true,
            epsilon: 0.1,
            random_state: 0,
            learning_rate: LearningRate::Invscaling,
            eta0: 0.01,
            power_t: 0.25,
            n_iter_no_change: 5,
            early_stopping: false,
            validation_fraction: 0.1,
        }
    }
}

impl SgdRegressorParams {
    pub fn learning_rate(mut self, schedule: LearningRate) -> Self {
        self.learning_rate = schedule;
        self
    }
    pub fn eta0(mut self, eta0: f64) -> Self {
        self.eta0 = eta0;
        self
    }
    pub fn penalty(mut self, penalty: Option<Penalty>) -> Self {
        self.penalty = penalty;
        self
    }
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    pub fn tol(mut self, tol: Option<f64>) -> Self {
        self.tol = tol;
        self
    }
    pub fn shuffle(mut self, yes: bool) -> Self {
        self.shuffle = yes;
        self
    }
    pub fn random_state(mut self, seed: u64) -> Self {
        self.random_state = seed;
        self
    }
    pub fn n_iter_no_change(mut self, n: usize) -> Self {
        self.n_iter_no_change = n;
        self
    }
    pub fn early_stopping(mut self, yes: bool) -> Self {
        self.early_stopping = yes;
        self
    }
    pub fn validation_fraction(mut self, fraction: f64) -> Self {
        self.validation_fraction = fraction;
        self
    }

    /// Starts a fit that advances one epoch per [`Iterative::step`]. With `early_stopping` it
    /// draws the held-out rows (a shuffled `validation_fraction`, from `random_state`) first.
    pub fn start(&self, data: &Dataset) -> Result<SgdRun> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let validation = if self.early_stopping {
            let mut rng = Rng::new(self.random_state ^ VALIDATION_SEED);
            train_test_split(data.n_samples(), self.validation_fraction, &mut rng)
                .map_err(validation_error)?
                .1
        } else {
            Vec::new()
        };
        self.start_with_validation(data, &validation)
    }

    /// Like [`Fit::fit`] with early stopping on the given held-out rows (whatever
    /// `early_stopping` says): it trains on the other rows, in their order, and stops on the
    /// validation R². An empty list trains on every row with the training-loss rule.
    pub fn fit_with_validation(
        &self,
        data: &Dataset,
        validation_rows: &[usize],
    ) -> Result<SgdRegressor> {
        let mut run = self.start_with_validation(data, validation_rows)?;
        run.finish()
    }

    /// [`SgdRegressorParams::start`] with the held-out rows given.
    pub fn start_with_validation(
        &self,
        data: &Dataset,
        validation_rows: &[usize],
    ) -> Result<SgdRun> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let train = training_rows(data.n_samples(), validation_rows)?;
        let p = data.n_features();
        let (eta, optimal_init) = match self.learning_rate {
            LearningRate::Optimal => {
                // scikit-learn starts `t` so that the first step uses eta = typw / max(1, dloss(1, -typw)),
                // which is `typw` for every regression loss.
                let typw = (1.0 / self.alpha.sqrt()).sqrt();
                (0.0, 1.0 / (typw * self.alpha))
            }
            _ => (self.eta0, 0.0),
        };
        Ok(SgdRun {
            params: self.clone(),
            x: data.x.clone(),
            y: data.y.clone(),
            w: Array1::zeros(p),
            wscale: 1.0,
            intercept: 0.0,
            q: Array1::zeros(p),
            u: 0.0,
            t: 1.0,
            eta,
            optimal_init,
            patience: Patience::default(),
            epoch: 0,
            order: train,
            validation: validation_rows.to_vec(),
            validation_scores: Vec::new(),
            rng: Rng::new(self.random_state),
            done: false,
        })
    }
}

/// Mixed into `random_state` for the validation split, so it is not the first epoch's shuffle.
const VALIDATION_SEED: u64 = 0x5eed_da7a_0000_0001;

fn validation_error(e: Error) -> Error {
    match e {
        Error::InvalidParam { value, .. } => Error::invalid(
            "validation_fraction",
            value,
            "between 0 and 1 (exclusive)",
        ),
        Error::EmptyData(msg) => Error::EmptyData(format!(
            "validation_fraction: {msg}; change validation_fraction, add rows or set early_stopping=false"
        )),
        other => other,
    }
}

/// The rows left for training when `validation` is held out, checking that both parts are
/// non-empty and the held-out rows exist.
pub(crate) fn training_rows(n: usize, validation: &[usize]) -> Result<Vec<usize>> {
    let mut held = vec![false; n];
    for &i in validation {
        if i >= n {
            return Err(Error::invalid(
                "validation_rows",
                i,
                format!("row numbers below {n}"),
            ));
        }
        held[i] = true;
    }
    let train: Vec<usize> = (0..n).filter(|&i| !held[i]).collect();
    if train.is_empty() {
        return Err(Error::EmptyData(
            "validation_rows: every row is held out; none is left to train on".into(),
        ));
    }
    Ok(train)
}

/// scikit-learn's stopping rule: an epoch counts as "no improvement" when its score (higher is
/// better: a validation score, or minus the training loss) is below the best so far plus
/// `margin`; `n_iter_no_change` such epochs in a row stop the fit. `margin` is None for `tol: None`,
/// when no epoch counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Patience {
    pub best: f64,
    pub no_improvement: usize,
}

impl Default for Patience {
    fn default() -> Self {
        Patience {
            best: f64::NEG_INFINITY,
            no_improvement: 0,
        }
    }
}

impl Patience {
    /// Records one epoch's score; returns how many epochs in a row have not improved.
    pub fn update(&mut self, score: f64, margin: Option<f64>) -> usize {
        if let Some(m) = margin {
            if score < self.best + m {
                self.no_improvement += 1;
            } else {
                self.no_improvement = 0;
            }
        }
        if score > self.best {
            self.best = score;
        }
        self.no_improvement
    }
}

/// A fitted SGD model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SgdRegressor {
    pub model: LinearModel,
    pub n_iter: usize,
    /// R² on the held-out rows after each epoch (empty without early stopping).
    #[serde(default)]
    pub validation_scores: Vec<f64>,
    pub params: SgdRegressorParams,
}

impl SgdRegressor {
    pub fn params() -> SgdRegressorParams {
        SgdRegressorParams::default()
    }
    pub fn coef(&self) -> &Array1<f64> {
        &self.model.coef
    }
    pub fn intercept(&self) -> f64 {
        self.model.intercept
    }
}

impl Fit for SgdRegressorParams {
    type Model = SgdRegressor;

    fn validate(&self) -> Result<()> {
        let positive = |name: &str, v: f64| {
            if v > 0.0 && v.is_finite() {
                Ok(())
            } else {
                Err(Error::invalid(name, v, "a finite number > 0"))
            }
        };
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return Err(Error::invalid("alpha", self.alpha, "a finite number >= 0"));
        }
        if self.learning_rate == LearningRate::Optimal {
            positive("alpha", self.alpha)?;
        } else {
            positive("eta0", self.eta0)?;
        }
        if !(0.0..=1.0).contains(&self.l1_ratio) {
            return Err(Error::invalid("l1_ratio", self.l1_ratio, "between 0 and 1"));
        }
        if self.max_iter == 0 {
            return Err(Error::invalid("max_iter", 0, "at least 1"));
        }
        if self.n_iter_no_change == 0 {
            return Err(Error::invalid("n_iter_no_change", 0, "at least 1"));
        }
        if !(self.epsilon >= 0.0 && self.epsilon.is_finite()) {
            return Err(Error::invalid(
                "epsilon",
                self.epsilon,
                "a finite number >= 0",
            ));
        }
        if !self.power_t.is_finite() {
            return Err(Error::invalid("power_t", self.power_t, "a finite number"));
        }
        if let Some(tol) = self.tol {
            if tol.is_nan() {
                return Err(Error::invalid("tol", tol, "a number or null"));
            }
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return Err(Error::invalid(
                "validation_fraction",
                self.validation_fraction,
                "between 0 and 1 (exclusive)",
            ));
        }
        Ok(())
    }

    fn fit(&self, data: &Dataset) -> Result<SgdRegressor> {
        self.start(data)?.finish()
    }
}

impl Regressor for SgdRegressor {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        self.model.predict(x)
    }
}

/// An SGD fit in progress. Weights are stored as `wscale * w`, scikit-learn's trick that makes the
/// L2 shrink O(1) per sample; it also keeps our rounding close to theirs.
#[derive(Debug, Clone)]
pub struct SgdRun {
    params: SgdRegressorParams,
    x: ndarray::Array2<f64>,
    y: Array1<f64>,
    w: Array1<f64>,
    wscale: f64,
    intercept: f64,
    /// Per-weight L1 penalty already applied, and the total that could have been (truncated gradient).
    q: Array1<f64>,
    u: f64,
    t: f64,
    eta: f64,
    optimal_init: f64,
    patience: Patience,
    epoch: usize,
    /// The training rows, in this epoch's order.
    order: Vec<usize>,
    /// Held-out rows scored after each epoch (empty: the training loss decides).
    validation: Vec<usize>,
    validation_scores: Vec<f64>,
    rng: Rng,
    done: bool,
}

const MAX_DLOSS: f64 = 1e12;

impl SgdRun {
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// R² on the held-out rows after each epoch so far.
    pub fn validation_scores(&self) -> &[f64] {
        &self.validation_scores
    }

    /// Steps to the end and returns the model, or an error if the weights diverged.
    fn finish(&mut self) -> Result<SgdRegressor> {
        loop {
            match self.step()? {
                Progress::Running => {}
                Progress::Done => return Ok(self.model()),
                Progress::Diverged => {
                    return Err(Error::Numerical(format!(
                    "weights became NaN or infinite in epoch {}; lower eta0 or scale the features",
                    self.epoch
                )))
                }
            }
        }
    }

    /// R² of the current weights on the held-out rows.
    fn validation_score(&self) -> f64 {
        let y: Array1<f64> = self.validation.iter().map(|&i| self.y[i]).collect();
        let pred: Array1<f64> = self
            .validation
            .iter()
            .map(|&i| self.dot(self.x.row(i)) + self.intercept)
            .collect();
        r2_score(y.view(), pred.view())
    }

    fn loss_and_dloss(&self, y: f64, p: f64) -> (f64, f64) {
        let eps = self.params.epsilon;
        match self.params.loss {
            SgdLoss::SquaredError => (0.5 * (p - y) * (p - y), p - y),
            SgdLoss::Huber => {
                let r = p - y;
                if r.abs() <= eps {
                    (0.5 * r * r, r)
                } else {
                    (eps * r.abs() - 0.5 * eps * eps, eps * r.signum())
                }
            }
            SgdLoss::EpsilonInsensitive => {
                let loss = ((y - p).abs() - eps).max(0.0);
                let d = if y - p > eps {
                    -1.0
                } else if p - y > eps {
                    1.0
                } else {
                    0.0
                };
                (loss, d)
            }
            SgdLoss::SquaredEpsilonInsensitive => {
                let z = y - p;
                let excess = (z.abs() - eps).max(0.0);
                let d = if z > eps {
                    -2.0 * (z - eps)
                } else if z < -eps {
                    2.0 * (-z - eps)
                } else {
                    0.0
                };
                (excess * excess, d)
            }
        }
    }

    fn dot(&self, x: ArrayView1<f64>) -> f64 {
        x.dot(&self.w) * self.wscale
    }

    fn scale(&mut self, c: f64) {
        self.wscale *= c;
        if self.wscale < 1e-9 {
            self.w *= self.wscale;
            self.wscale = 1.0;
        }
    }

    fn l1_penalty(&mut self) {
        let ws = self.wscale;
        for j in 0..self.w.len() {
            let z = self.w[j];
            if ws * z > 0.0 {
                self.w[j] = (self.w[j] - (self.u + self.q[j]) / ws).max(0.0);
            } else if ws * z < 0.0 {
                self.w[j] = (self.w[j] + (self.u - self.q[j]) / ws).min(0.0);
            }
            self.q[j] += ws * (self.w[j] - z);
        }
    }
}

impl Iterative for SgdRun {
    type Model = SgdRegressor;

    fn step(&mut self) -> Result<Progress> {
        if self.done {
            return Ok(Progress::Done);
        }
        let p = &self.params;
        let (penalty, alpha, l1_ratio) = (p.penalty, p.alpha, p.l1_ratio);
        let l1_share = match penalty {
            Some(Penalty::L1) => 1.0,
            Some(Penalty::Elasticnet) => l1_ratio,
            _ => 0.0,
        };
        if p.shuffle {
            self.rng.shuffle(&mut self.order);
        }
        let mut sumloss = 0.0;
        for k in 0..self.order.len() {
            let i = self.order[k];
            let xi = self.x.row(i).to_owned();
            let yi = self.y[i];
            let pred = self.dot(xi.view()) + self.intercept;
            let eta = match self.params.learning_rate {
                LearningRate::Optimal => 1.0 / (alpha * (self.optimal_init + self.t - 1.0)),
                LearningRate::Invscaling => self.params.eta0 / self.t.powf(self.params.power_t),
                LearningRate::Constant | LearningRate::Adaptive => self.eta,
            };
            let (loss, dloss) = self.loss_and_dloss(yi, pred);
            sumloss += loss;
            let update = -eta * dloss.clamp(-MAX_DLOSS, MAX_DLOSS);
            if matches!(penalty, Some(Penalty::L2) | Some(Penalty::Elasticnet)) {
                self.scale((1.0 - (1.0 - l1_share) * eta * alpha).max(0.0));
            }
            if update != 0.0 {
                self.w.scaled_add(update / self.wscale, &xi);
                if self.params.fit_intercept {
                    self.intercept += update;
                }
            }
            if l1_share > 0.0 {
                self.u += l1_share * eta * alpha;
                self.l1_penalty();
            }
            self.t += 1.0;
        }
        self.epoch += 1;
        if !self.intercept.is_finite() || self.w.iter().any(|v| !v.is_finite()) {
            self.done = true;
            return Ok(Progress::Diverged);
        }
        // The score for the stopping rule: validation R², or minus the epoch's summed loss.
        let tol = self.params.tol;
        let (score, margin) = if self.validation.is_empty() {
            (-sumloss, tol.map(|t| t * self.order.len() as f64))
        } else {
            let r2 = self.validation_score();
            self.validation_scores.push(r2);
            (r2, tol)
        };
        if self.patience.update(score, margin) >= self.params.n_iter_no_change {
            if self.params.learning_rate == LearningRate::Adaptive && self.eta > 1e-6 {
                self.eta /= 5.0;
                self.patience.no_improvement = 0;
            } else {
                self.done = true;
            }
        }
        if self.epoch >= self.params.max_iter {
            self.done = true;
        }
        Ok(if self.done {
            Progress::Done
        } else {
            Progress::Running
        })
    }

    fn model(&self) -> SgdRegressor {
        SgdRegressor {
            model: LinearModel {
                coef: &self.w * self.wscale,
                intercept: self.intercept,
            },
            n_iter: self.epoch,
            validation_scores: self.validation_scores.clone(),
            params: self.params.clone(),
        }
    }
}
