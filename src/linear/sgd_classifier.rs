//! Stochastic gradient descent for linear classification, following scikit-learn's
//! `SGDClassifier` sample by sample: hinge or log loss, an L2 penalty (or none), the same
//! learning-rate schedules (with "optimal"'s initial step from the `typw` heuristic) and the same
//! stopping rule on the per-sample mean of loss plus penalty. With `shuffle = false` it lands on
//! the same coefficients. Several classes are one-vs-all. Each [`Iterative::step`] is one epoch of
//! one binary problem.
//!
//! With `early_stopping` a stratified `validation_fraction` of the rows is held out, and each binary
//! problem stops on its accuracy there (its own ±1 or 0/1 targets) instead of the training loss.

use super::sgd_regressor::{training_rows, LearningRate, Patience, Penalty};
use crate::data::{check_x, check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit, Iterative, Progress};
use crate::metrics::unique_labels;
use crate::model_selection::stratified_train_test_split;
use crate::rng::Rng;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SgdClassifierLoss {
    Hinge,
    LogLoss,
}

/// Parameters with scikit-learn's names and defaults (`penalty: None` is scikit-learn's `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SgdClassifierParams {
    pub loss: SgdClassifierLoss,
    pub penalty: Option<Penalty>,
    pub alpha: f64,
    pub fit_intercept: bool,
    pub max_iter: usize,
    pub tol: Option<f64>,
    pub shuffle: bool,
    pub random_state: u64,
    pub learning_rate: LearningRate,
    pub eta0: f64,
    pub power_t: f64,
    pub n_iter_no_change: usize,
    pub early_stopping: bool,
    pub validation_fraction: f64,
}

impl Default for SgdClassifierParams {
    fn default() -> Self {
        SgdClassifierParams {
            loss: SgdClassifierLoss::Hinge,
            penalty: Some(Penalty::L2),
            alpha: 1e-4,
            fit_intercept: true,
            max_iter: 1000,
            tol: Some(1e-3),
            shuffle: true,
            random_state: 0,
            learning_rate: LearningRate::Optimal,
            eta0: 0.01,
            power_t: 0.5,
            n_iter_no_change: 5,
            early_stopping: false,
            validation_fraction: 0.1,
        }
    }
}

impl SgdClassifierParams {
    pub fn loss(mut self, loss: SgdClassifierLoss) -> Self {
        self.loss = loss;
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
    pub fn shuffle(mut self, yes: bool) -> Self {
        self.shuffle = yes;
        self
    }
    pub fn random_state(mut self, seed: u64) -> Self {
        self.random_state = seed;
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

    /// Checks the data and sets up one binary problem per class (one for two classes). With
    /// `early_stopping` it first draws the held-out rows, stratified by class, from `random_state`.
    pub fn start(&self, data: &Dataset) -> Result<SgdClassifierRun> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let validation = if self.early_stopping {
            let mut rng = Rng::new(self.random_state ^ VALIDATION_SEED);
            stratified_train_test_split(data.y.view(), self.validation_fraction, &mut rng)
                .map_err(|e| match e {
                    Error::EmptyData(msg) => Error::EmptyData(format!(
                        "validation_fraction: {msg}; change validation_fraction, add rows or set early_stopping=false"
                    )),
                    other => other,
                })?
                .1
        } else {
            Vec::new()
        };
        self.start_with_validation(data, &validation)
    }

    /// Like [`Fit::fit`] with early stopping on the given held-out rows (whatever
    /// `early_stopping` says): every binary problem trains on the other rows, in their order, and
    /// stops on its accuracy on these. An empty list trains on every row with the loss rule.
    pub fn fit_with_validation(
        &self,
        data: &Dataset,
        validation_rows: &[usize],
    ) -> Result<SgdClassifier> {
        self.start_with_validation(data, validation_rows)?.finish()
    }

    /// [`SgdClassifierParams::start`] with the held-out rows given.
    pub fn start_with_validation(
        &self,
        data: &Dataset,
        validation_rows: &[usize],
    ) -> Result<SgdClassifierRun> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let train = training_rows(data.n_samples(), validation_rows)?;
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
        let targets: Vec<f64> = if classes.len() == 2 {
            vec![classes[1]]
        } else {
            classes.clone()
        };
        // Log loss works with 0/1 targets, the hinge with -1/+1.
        let negative = match self.loss {
            SgdClassifierLoss::Hinge => -1.0,
            SgdClassifierLoss::LogLoss => 0.0,
        };
        let mut rng = Rng::new(self.random_state);
        let problems = targets
            .iter()
            .map(|&t| Binary {
                y: data.y.mapv(|v| if v == t { 1.0 } else { negative }),
                w: Array1::zeros(data.n_features()),
                wscale: 1.0,
                sq_norm: 0.0,
                intercept: 0.0,
                t: 1.0,
                eta: self.eta0,
                patience: Patience::default(),
                epoch: 0,
                order: train.clone(),
                validation_scores: Vec::new(),
                rng: Rng::new(rng.next_u64()),
                done: false,
            })
            .collect();
        Ok(SgdClassifierRun {
            params: self.clone(),
            classes,
            x: data.x.clone(),
            validation: validation_rows.to_vec(),
            problems,
            current: 0,
        })
    }
}

/// Mixed into `random_state` for the validation split, so it is not the first epoch's shuffle.
const VALIDATION_SEED: u64 = 0x5eed_da7a_0000_0002;

impl Fit for SgdClassifierParams {
    type Model = SgdClassifier;

    fn validate(&self) -> Result<()> {
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return Err(Error::invalid("alpha", self.alpha, "a finite number >= 0"));
        }
        if self.learning_rate == LearningRate::Optimal {
            if self.alpha <= 0.0 {
                return Err(Error::invalid(
                    "alpha",
                    self.alpha,
                    "a finite number > 0 with learning_rate optimal",
                ));
            }
        } else if !(self.eta0 > 0.0 && self.eta0.is_finite()) {
            return Err(Error::invalid("eta0", self.eta0, "a finite number > 0"));
        }
        if matches!(self.penalty, Some(Penalty::L1) | Some(Penalty::Elasticnet)) {
            return Err(Error::invalid(
                "penalty",
                format!("{:?}", self.penalty),
                "l2 or null (l1 and elasticnet are SGDRegressor-only here)",
            ));
        }
        if self.max_iter == 0 {
            return Err(Error::invalid("max_iter", 0, "at least 1"));
        }
        if self.n_iter_no_change == 0 {
            return Err(Error::invalid("n_iter_no_change", 0, "at least 1"));
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

    fn fit(&self, data: &Dataset) -> Result<SgdClassifier> {
        self.start(data)?.finish()
    }
}

/// A fitted SGD classifier: one row of `coef` and one `intercept` per class (one for two classes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SgdClassifier {
    pub classes: Vec<f64>,
    pub coef: Vec<Vec<f64>>,
    pub intercept: Vec<f64>,
    /// The most epochs any binary problem ran (scikit-learn's `n_iter_`).
    pub n_iter: usize,
    /// Per binary problem, its accuracy on the held-out rows after each epoch (empty lists
    /// without early stopping).
    #[serde(default)]
    pub validation_scores: Vec<Vec<f64>>,
    pub params: SgdClassifierParams,
}

impl SgdClassifier {
    pub fn params() -> SgdClassifierParams {
        SgdClassifierParams::default()
    }

    /// `x · coef_k + intercept_k` per class; one column (positive for `classes[1]`) with two.
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(x, self.coef.first().map_or(0, Vec::len))?;
        let mut out = Array2::zeros((x.nrows(), self.coef.len()));
        for (k, (w, b)) in self.coef.iter().zip(&self.intercept).enumerate() {
            out.column_mut(k)
                .assign(&(x.dot(&ArrayView1::from(w.as_slice())) + *b));
        }
        Ok(out)
    }
}

impl Classifier for SgdClassifier {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let dec = self.decision_function(x)?;
        if self.classes.len() == 2 {
            return Ok(dec.column(0).mapv(|d| self.classes[usize::from(d > 0.0)]));
        }
        Ok(dec
            .rows()
            .into_iter()
            .map(|r| {
                let best = r
                    .iter()
                    .enumerate()
                    .fold(0, |b, (k, &v)| if v > r[b] { k } else { b });
                self.classes[best]
            })
            .collect())
    }
}

/// One binary problem. Weights are `wscale * w` (O(1) L2 shrinking), and `sq_norm` is tracked
/// the way scikit-learn's weight vector does, since its stopping rule reads it.
#[derive(Debug, Clone)]
struct Binary {
    y: Array1<f64>,
    w: Array1<f64>,
    wscale: f64,
    sq_norm: f64,
    intercept: f64,
    t: f64,
    eta: f64,
    patience: Patience,
    epoch: usize,
    /// The training rows, in this epoch's order.
    order: Vec<usize>,
    validation_scores: Vec<f64>,
    rng: Rng,
    done: bool,
}

const MAX_DLOSS: f64 = 1e12;

fn log1pexp(x: f64) -> f64 {
    if x <= -37.0 {
        x.exp()
    } else if x <= -2.0 {
        x.exp().ln_1p()
    } else if x <= 18.0 {
        (1.0 + x.exp()).ln()
    } else if x <= 33.3 {
        x + (-x).exp()
    } else {
        x
    }
}

/// Loss and its derivative in the raw prediction `p`.
fn loss_and_dloss(loss: SgdClassifierLoss, y: f64, p: f64) -> (f64, f64) {
    match loss {
        SgdClassifierLoss::Hinge => {
            let z = p * y;
            if z <= 1.0 {
                (1.0 - z, -y)
            } else {
                (0.0, 0.0)
            }
        }
        SgdClassifierLoss::LogLoss => {
            let l = log1pexp(p) - y * p;
            let d = if p > -37.0 {
                let e = (-p).exp();
                ((1.0 - y) - y * e) / (1.0 + e)
            } else {
                p.exp() - y
            };
            (l, d)
        }
    }
}

/// An SGD classifier being fitted: one epoch of one binary problem per step.
#[derive(Debug, Clone)]
pub struct SgdClassifierRun {
    params: SgdClassifierParams,
    classes: Vec<f64>,
    x: Array2<f64>,
    /// Held-out rows scored after each epoch (empty: the training loss decides).
    validation: Vec<usize>,
    problems: Vec<Binary>,
    current: usize,
}

impl SgdClassifierRun {
    /// Steps to the end and returns the model, or an error if the weights diverged.
    fn finish(&mut self) -> Result<SgdClassifier> {
        loop {
            match self.step()? {
                Progress::Running => {}
                Progress::Done => return Ok(self.model()),
                Progress::Diverged => {
                    return Err(Error::Numerical(
                        "weights became NaN or infinite; scale the features or lower eta0".into(),
                    ))
                }
            }
        }
    }

    /// Accuracy of binary problem `k`'s current weights on the held-out rows, on its own targets.
    fn validation_score(&self, k: usize) -> f64 {
        let prob = &self.problems[k];
        let negative = match self.params.loss {
            SgdClassifierLoss::Hinge => -1.0,
            SgdClassifierLoss::LogLoss => 0.0,
        };
        let hits = self
            .validation
            .iter()
            .filter(|&&i| {
                let d = self.x.row(i).dot(&prob.w) * prob.wscale + prob.intercept;
                let label = if d > 0.0 { 1.0 } else { negative };
                label == prob.y[i]
            })
            .count();
        hits as f64 / self.validation.len() as f64
    }

    fn epoch(&mut self, k: usize) {
        let p = &self.params;
        let alpha = p.alpha;
        let l2 = p.penalty == Some(Penalty::L2);
        // "optimal": the first step is typw = alpha^(-1/4) (both losses' slope at -typw is below 1).
        let optimal_init = {
            let typw = (1.0 / alpha.sqrt()).sqrt();
            1.0 / (typw * alpha)
        };
        let prob = &mut self.problems[k];
        if p.shuffle {
            prob.rng.shuffle(&mut prob.order);
        }
        let n = prob.order.len();
        let mut objective = 0.0;
        for s in 0..n {
            let i = prob.order[s];
            let xi = self.x.row(i);
            let yi = prob.y[i];
            let pred = xi.dot(&prob.w) * prob.wscale + prob.intercept;
            let eta = match p.learning_rate {
                LearningRate::Optimal => 1.0 / (alpha * (optimal_init + prob.t - 1.0)),
                LearningRate::Invscaling => p.eta0 / prob.t.powf(p.power_t),
                LearningRate::Constant | LearningRate::Adaptive => prob.eta,
            };
            let (loss, dloss) = loss_and_dloss(p.loss, yi, pred);
            objective += loss;
            if p.penalty.is_some() {
                objective += alpha * 0.5 * prob.sq_norm;
            }
            let update = -eta * dloss.clamp(-MAX_DLOSS, MAX_DLOSS);
            if l2 {
                let c = (1.0 - eta * alpha).max(0.0);
                prob.wscale *= c;
                prob.sq_norm *= c * c;
                if prob.wscale < 1e-9 {
                    prob.w *= prob.wscale;
                    prob.wscale = 1.0;
                }
            }
            if update != 0.0 {
                let ws = prob.wscale;
                let mut acc = 0.0;
                for (w, &x) in prob.w.iter_mut().zip(xi) {
                    *w += x * (update / ws);
                    acc += *w * *w;
                }
                prob.sq_norm = acc * (ws * ws);
            }
            if p.fit_intercept && update != 0.0 {
                prob.intercept += update;
            }
            prob.t += 1.0;
        }
        prob.epoch += 1;
        if !prob.intercept.is_finite() || prob.w.iter().any(|v| !v.is_finite()) {
            prob.done = true;
            return;
        }
        // The score for the stopping rule: validation accuracy, or minus the mean objective.
        let score = if self.validation.is_empty() {
            -(objective / n as f64)
        } else {
            let accuracy = self.validation_score(k);
            self.problems[k].validation_scores.push(accuracy);
            accuracy
        };
        let p = &self.params;
        let prob = &mut self.problems[k];
        if prob.patience.update(score, p.tol) >= p.n_iter_no_change {
            if p.learning_rate == LearningRate::Adaptive && prob.eta > 1e-6 {
                prob.eta /= 5.0;
                prob.patience.no_improvement = 0;
            } else {
                prob.done = true;
            }
        }
        if prob.epoch >= p.max_iter {
            prob.done = true;
        }
    }

    pub fn classes(&self) -> &[f64] {
        &self.classes
    }
}

impl Iterative for SgdClassifierRun {
    type Model = SgdClassifier;

    fn step(&mut self) -> Result<Progress> {
        while self.current < self.problems.len() && self.problems[self.current].done {
            self.current += 1;
        }
        if self.current >= self.problems.len() {
            return Ok(Progress::Done);
        }
        self.epoch(self.current);
        let prob = &self.problems[self.current];
        if !prob.intercept.is_finite() || prob.w.iter().any(|v| !v.is_finite()) {
            return Ok(Progress::Diverged);
        }
        Ok(if self.problems.iter().all(|p| p.done) {
            Progress::Done
        } else {
            Progress::Running
        })
    }

    fn model(&self) -> SgdClassifier {
        SgdClassifier {
            classes: self.classes.clone(),
            coef: self
                .problems
                .iter()
                .map(|p| (&p.w * p.wscale).to_vec())
                .collect(),
            intercept: self.problems.iter().map(|p| p.intercept).collect(),
            n_iter: self.problems.iter().map(|p| p.epoch).max().unwrap_or(0),
            validation_scores: self
                .problems
                .iter()
                .map(|p| p.validation_scores.clone())
                .collect(),
            params: self.params.clone(),
        }
    }
}
