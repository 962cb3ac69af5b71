//! Plain gradient descent on the mean squared error of a linear model, in its three textbook
//! flavours (batch, mini-batch, stochastic), one parameter update per [`Iterative::step`], with the
//! whole path kept so chapter 4 can draw it on the loss surface.

use super::LinearModel;
use crate::data::{check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Fit, Iterative, Progress, Regressor};
use crate::rng::Rng;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GdMethod {
    /// Every update uses all samples.
    Batch,
    /// Every update uses `batch_size` samples; each epoch visits all samples once, shuffled.
    MiniBatch,
    /// Every update uses one sample.
    Stochastic,
}

/// Updates after which the scheduled learning rate has halved: `eta(t) = eta0 * T / (t + T)`.
pub const SCHEDULE_HALF_LIFE: f64 = 50.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GradientDescentParams {
    pub method: GdMethod,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub epochs: usize,
    /// Decay the learning rate as `eta0 * T / (t + T)` (T = 50 updates) instead of keeping it constant.
    pub schedule: bool,
    pub fit_intercept: bool,
    pub seed: u64,
}

impl Default for GradientDescentParams {
    fn default() -> Self {
        GradientDescentParams {
            method: GdMethod::Batch,
            learning_rate: 0.1,
            batch_size: 16,
            epochs: 100,
            schedule: false,
            fit_intercept: true,
            seed: 0,
        }
    }
}

impl GradientDescentParams {
    pub fn method(mut self, m: GdMethod) -> Self {
        self.method = m;
        self
    }
    pub fn learning_rate(mut self, lr: f64) -> Self {
        self.learning_rate = lr;
        self
    }
    pub fn batch_size(mut self, b: usize) -> Self {
        self.batch_size = b;
        self
    }
    pub fn epochs(mut self, n: usize) -> Self {
        self.epochs = n;
        self
    }
    pub fn schedule(mut self, yes: bool) -> Self {
        self.schedule = yes;
        self
    }
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Starts a run from `theta = 0`.
    pub fn start(&self, data: &Dataset) -> Result<GradientDescent> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let n = data.n_samples();
        // The design matrix carries a leading column of ones when an intercept is fitted.
        let ones = if self.fit_intercept { 1 } else { 0 };
        let mut xb = Array2::ones((n, data.n_features() + ones));
        xb.slice_mut(ndarray::s![.., ones..]).assign(&data.x);
        let theta = Array1::zeros(xb.ncols());
        let mut run = GradientDescent {
            params: self.clone(),
            xb,
            y: data.y.clone(),
            order: (0..n).collect(),
            cursor: 0,
            epoch: 0,
            updates: 0,
            rng: Rng::new(self.seed),
            path: vec![theta.clone()],
            losses: Vec::new(),
            theta,
            diverged: false,
        };
        run.losses.push(run.loss());
        run.begin_epoch();
        Ok(run)
    }
}

impl Fit for GradientDescentParams {
    type Model = LinearModel;

    fn validate(&self) -> Result<()> {
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return Err(Error::invalid(
                "learning_rate",
                self.learning_rate,
                "a finite number > 0",
            ));
        }
        if self.batch_size == 0 {
            return Err(Error::invalid("batch_size", 0, "at least 1"));
        }
        if self.epochs == 0 {
            return Err(Error::invalid("epochs", 0, "at least 1"));
        }
        Ok(())
    }

    fn fit(&self, data: &Dataset) -> Result<LinearModel> {
        let mut run = self.start(data)?;
        loop {
            match run.step()? {
                Progress::Running => {}
                Progress::Done => return Ok(run.model()),
                Progress::Diverged => {
                    return Err(Error::Numerical(format!(
                        "loss became infinite after {} updates: lower the learning rate",
                        run.updates()
                    )))
                }
            }
        }
    }
}

/// A gradient-descent run in progress.
#[derive(Debug, Clone)]
pub struct GradientDescent {
    params: GradientDescentParams,
    xb: Array2<f64>,
    y: Array1<f64>,
    order: Vec<usize>,
    cursor: usize,
    epoch: usize,
    updates: usize,
    rng: Rng,
    theta: Array1<f64>,
    path: Vec<Array1<f64>>,
    losses: Vec<f64>,
    diverged: bool,
}

impl GradientDescent {
    /// Parameters including the intercept first (when fitted).
    pub fn theta(&self) -> &Array1<f64> {
        &self.theta
    }
    /// Theta before the first update and after each update.
    pub fn path(&self) -> &[Array1<f64>] {
        &self.path
    }
    /// Training MSE at each point of the path.
    pub fn losses(&self) -> &[f64] {
        &self.losses
    }
    pub fn epoch(&self) -> usize {
        self.epoch
    }
    pub fn updates(&self) -> usize {
        self.updates
    }
    pub fn updates_per_epoch(&self) -> usize {
        let n = self.y.len();
        match self.params.method {
            GdMethod::Batch => 1,
            GdMethod::MiniBatch => n.div_ceil(self.params.batch_size.min(n)),
            GdMethod::Stochastic => n,
        }
    }
    pub fn total_updates(&self) -> usize {
        self.updates_per_epoch() * self.params.epochs
    }

    /// The learning rate used by the next update.
    pub fn current_learning_rate(&self) -> f64 {
        if self.params.schedule {
            self.params.learning_rate * SCHEDULE_HALF_LIFE
                / (self.updates as f64 + SCHEDULE_HALF_LIFE)
        } else {
            self.params.learning_rate
        }
    }

    /// Mean squared error of `theta` on the training data.
    pub fn loss_at(&self, theta: &Array1<f64>) -> f64 {
        let r = self.xb.dot(theta) - &self.y;
        r.dot(&r) / self.y.len() as f64
    }

    fn loss(&self) -> f64 {
        self.loss_at(&self.theta)
    }

    fn begin_epoch(&mut self) {
        self.cursor = 0;
        if self.params.method != GdMethod::Batch {
            self.rng.shuffle(&mut self.order);
        }
    }

    fn batch_len(&self) -> usize {
        match self.params.method {
            GdMethod::Batch => self.y.len(),
            GdMethod::MiniBatch => self.params.batch_size,
            GdMethod::Stochastic => 1,
        }
    }
}

impl Iterative for GradientDescent {
    type Model = LinearModel;

    fn step(&mut self) -> Result<Progress> {
        if self.diverged {
            return Ok(Progress::Diverged);
        }
        if self.epoch >= self.params.epochs {
            return Ok(Progress::Done);
        }
        let n = self.y.len();
        let end = (self.cursor + self.batch_len()).min(n);
        let rows = &self.order[self.cursor..end];
        let xb = self.xb.select(Axis(0), rows);
        let yb = self.y.select(Axis(0), rows);
        // Gradient of the batch MSE: (2/b) X_b^T (X_b theta - y_b).
        let grad = xb.t().dot(&(xb.dot(&self.theta) - &yb)) * (2.0 / rows.len() as f64);
        let eta = self.current_learning_rate();
        self.theta.scaled_add(-eta, &grad);
        self.updates += 1;
        self.cursor = end;
        let loss = self.loss();
        self.path.push(self.theta.clone());
        self.losses.push(loss);
        if !loss.is_finite() || self.theta.iter().any(|v| !v.is_finite()) {
            self.diverged = true;
            return Ok(Progress::Diverged);
        }
        if self.cursor >= n {
            self.epoch += 1;
            if self.epoch >= self.params.epochs {
                return Ok(Progress::Done);
            }
            self.begin_epoch();
        }
        Ok(Progress::Running)
    }

    fn model(&self) -> LinearModel {
        let (intercept, coef) = if self.params.fit_intercept {
            (self.theta[0], self.theta.slice(ndarray::s![1..]).to_owned())
        } else {
            (0.0, self.theta.clone())
        };
        LinearModel { coef, intercept }
    }
}

impl Regressor for LinearModel {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        LinearModel::predict(self, x)
    }
}
