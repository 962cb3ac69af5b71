//! The stage loop shared by both gradient-boosting estimators: each [`Iterative::step`] fits one
//! stage (one regression tree, or one per class) to the loss's negative gradient, sets the leaf
//! values as scikit-learn does, and tracks the training and validation losses for early stopping.

use super::gradient_boosting::GradientBoostingParams;
use crate::data::Dataset;
use crate::error::Result;
use crate::estimator::{Fit, Progress};
use crate::linear::logistic_regression::{log_sum_exp, sigmoid, softplus};
use crate::rng::Rng;
use crate::tree::Tree;
use ndarray::{Array1, Array2, ArrayView2, Axis};

/// The loss in raw-prediction space, with the class count for the multinomial one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Loss {
    Squared,
    Binomial,
    Multinomial(usize),
}

impl Loss {
    /// Trees per stage (scikit-learn's `n_trees_per_iteration_`).
    pub(crate) fn trees_per_stage(self) -> usize {
        match self {
            Loss::Multinomial(k) => k,
            _ => 1,
        }
    }

    /// The constant raw prediction before any tree: the mean, the prior log-odds, or the
    /// centred log priors (scikit-learn's symmetric multinomial link).
    pub(crate) fn init(self, y: &Array1<f64>) -> Vec<f64> {
        let n = y.len().max(1) as f64;
        match self {
            Loss::Squared => vec![y.sum() / n],
            Loss::Binomial => {
                let p = (y.sum() / n).clamp(f64::EPSILON, 1.0 - f64::EPSILON);
                vec![(p / (1.0 - p)).ln()]
            }
            Loss::Multinomial(k) => {
                let logs: Vec<f64> = (0..k)
                    .map(|c| {
                        let p = y.iter().filter(|&&v| v == c as f64).count() as f64 / n;
                        p.clamp(f64::EPSILON, 1.0 - f64::EPSILON).ln()
                    })
                    .collect();
                let mean = logs.iter().sum::<f64>() / k as f64;
                logs.iter().map(|l| l - mean).collect()
            }
        }
    }

    /// The reported loss, as scikit-learn's `train_score_`: the mean squared error, the binomial
    /// deviance (twice the log-loss) or the multinomial log-loss.
    pub(crate) fn value(self, y: &Array1<f64>, raw: &Array2<f64>) -> f64 {
        let n = y.len().max(1) as f64;
        let total: f64 = match self {
            Loss::Squared => y
                .iter()
                .zip(raw.column(0))
                .map(|(t, r)| (t - r) * (t - r))
                .sum(),
            Loss::Binomial => y
                .iter()
                .zip(raw.column(0))
                .map(|(t, r)| 2.0 * (softplus(*r) - t * r))
                .sum(),
            Loss::Multinomial(_) => raw
                .axis_iter(Axis(0))
                .zip(y)
                .map(|(row, &t)| log_sum_exp(row.iter().copied()) - row[t as usize])
                .sum(),
        };
        total / n
    }

    /// The negative gradient of the (half) loss for tree `k`: `y - prediction`.
    fn negative_gradient(self, y: &Array1<f64>, raw: &Array2<f64>, k: usize) -> Array1<f64> {
        match self {
            Loss::Squared => y - &raw.column(0),
            Loss::Binomial => {
                Array1::from_iter(y.iter().zip(raw.column(0)).map(|(t, r)| t - sigmoid(*r)))
            }
            Loss::Multinomial(_) => {
                Array1::from_iter(raw.axis_iter(Axis(0)).zip(y).map(|(row, &t)| {
                    let lse = log_sum_exp(row.iter().copied());
                    f64::from(u8::from(t == k as f64)) - (row[k] - lse).exp()
                }))
            }
        }
    }

    /// A leaf's value from its samples' negative gradients: the tree's own mean for squared
    /// error, one Newton step `sum(y - p) / sum(p (1 - p))` for the log-losses (scaled by
    /// `(K - 1) / K` for K classes, as scikit-learn keeps for backward compatibility).
    fn leaf_value(self, neg_gradient: &[f64], targets: &[f64]) -> Option<f64> {
        let scale = match self {
            Loss::Squared => return None,
            Loss::Binomial => 1.0,
            Loss::Multinomial(k) => (k as f64 - 1.0) / k as f64,
        };
        let n = neg_gradient.len().max(1) as f64;
        let numerator = scale * neg_gradient.iter().sum::<f64>() / n;
        // The negative gradient is y - p, so each sample's probability is its target minus it.
        let denominator = neg_gradient
            .iter()
            .zip(targets)
            .map(|(&g, &t)| (t - g) * (1.0 - (t - g)))
            .sum::<f64>()
            / n;
        // A pure leaf has p(1 - p) = 0 exactly: no Newton step is possible, scikit-learn uses 0.
        Some(if denominator.abs() < 1e-150 {
            0.0
        } else {
            numerator / denominator
        })
    }
}

/// Adds `rate ×` each row's leaf value in `tree` to column `k` of `raw`.
pub(crate) fn add_tree(
    raw: &mut Array2<f64>,
    x: ArrayView2<f64>,
    tree: &Tree,
    rate: f64,
    k: usize,
) {
    for (i, row) in x.rows().into_iter().enumerate() {
        raw[[i, k]] += rate * tree.nodes[tree.leaf_of(row)].value[0];
    }
}

/// The held-out part used for early stopping and its running raw predictions.
#[derive(Debug, Clone)]
struct Validation {
    data: Dataset,
    raw: Array2<f64>,
    /// The last `n_iter_no_change` validation losses (infinite until filled).
    history: Vec<f64>,
}

/// A gradient-boosting fit in progress: one stage per step.
#[derive(Debug, Clone)]
pub struct BoostingRun {
    pub(crate) params: GradientBoostingParams,
    pub(crate) loss: Loss,
    pub(crate) init: Vec<f64>,
    /// Stage by stage, one tree per class (or a single tree).
    pub(crate) stages: Vec<Vec<Tree>>,
    /// Loss on the training rows after each stage (in-bag rows when subsampling).
    pub(crate) train_score: Vec<f64>,
    /// Loss on the validation rows after each stage, when early stopping is on.
    pub(crate) validation_score: Vec<f64>,
    train: Dataset,
    raw: Array2<f64>,
    validation: Option<Validation>,
    rng: Rng,
    stopped_early: bool,
}

impl BoostingRun {
    pub(crate) fn new(
        params: &GradientBoostingParams,
        loss: Loss,
        data: Dataset,
        rng: &mut Rng,
    ) -> Result<Self> {
        let k = loss.trees_per_stage();
        let (train, validation) = match params.n_iter_no_change {
            Some(n) => {
                let (fit_rows, val_rows) = crate::model_selection::train_test_split(
                    data.n_samples(),
                    params.validation_fraction,
                    rng,
                )?;
                let val = data.select(&val_rows);
                (data.select(&fit_rows), Some((val, vec![f64::INFINITY; n])))
            }
            None => (data, None),
        };
        let init = loss.init(&train.y);
        let raw_of = |rows: usize| Array2::from_shape_fn((rows, k), |(_, c)| init[c]);
        let validation = validation.map(|(data, history)| Validation {
            raw: raw_of(data.n_samples()),
            data,
            history,
        });
        Ok(BoostingRun {
            params: params.clone(),
            loss,
            raw: raw_of(train.n_samples()),
            init,
            stages: Vec::new(),
            train_score: Vec::new(),
            validation_score: Vec::new(),
            train,
            validation,
            rng: Rng::new(rng.next_u64()),
            stopped_early: false,
        })
    }

    /// Whether the validation loss stopped improving before `n_estimators` stages.
    pub fn stopped_early(&self) -> bool {
        self.stopped_early
    }

    /// The constant first prediction (of the first tree's column).
    pub fn init_prediction(&self) -> f64 {
        self.init[0]
    }

    pub fn n_stages(&self) -> usize {
        self.stages.len()
    }

    pub(crate) fn finished(&self) -> bool {
        self.stopped_early || self.stages.len() >= self.params.n_estimators
    }

    /// Rows the next stage's trees learn from: all, or a fresh subsample without replacement.
    fn in_bag(&mut self) -> Vec<usize> {
        let n = self.train.n_samples();
        if self.params.subsample >= 1.0 {
            return (0..n).collect();
        }
        let keep = ((self.params.subsample * n as f64) as usize).max(1);
        let mut rows = self.rng.permutation(n)[..keep].to_vec();
        rows.sort_unstable();
        rows
    }

    pub(crate) fn fit_stage(&mut self) -> Result<Progress> {
        if self.finished() {
            return Ok(Progress::Done);
        }
        let rows = self.in_bag();
        let x_bag = self.train.x.select(Axis(0), &rows);
        let y_bag = self.train.y.select(Axis(0), &rows);
        let tree_params = self.params.tree_params().random_state(self.rng.next_u64());
        let mut stage = Vec::with_capacity(self.loss.trees_per_stage());
        // Every class's gradient is taken at the stage's start, before any of its trees is added.
        let gradients: Vec<Array1<f64>> = (0..self.loss.trees_per_stage())
            .map(|k| self.loss.negative_gradient(&self.train.y, &self.raw, k))
            .collect();
        for (k, neg_gradient) in gradients.iter().enumerate() {
            let g_bag = neg_gradient.select(Axis(0), &rows);
            let mut tree = tree_params
                .fit(&Dataset::new(x_bag.clone(), g_bag.clone())?)?
                .tree;
            self.set_leaf_values(&mut tree, x_bag.view(), &y_bag, &g_bag, k)?;
            add_tree(
                &mut self.raw,
                self.train.x.view(),
                &tree,
                self.params.learning_rate,
                k,
            );
            if let Some(v) = &mut self.validation {
                add_tree(
                    &mut v.raw,
                    v.data.x.view(),
                    &tree,
                    self.params.learning_rate,
                    k,
                );
            }
            stage.push(tree);
        }
        self.stages.push(stage);
        let bag_raw = self.raw.select(Axis(0), &rows);
        let score = self.loss.value(&y_bag, &bag_raw);
        self.train_score.push(score);
        if !score.is_finite() {
            return Ok(Progress::Diverged);
        }
        if let Some(v) = &mut self.validation {
            // scikit-learn's rule: go on while the loss beats one of the last n by more than tol.
            let loss = self.loss.value(&v.data.y, &v.raw);
            self.validation_score.push(loss);
            let i = self.stages.len() - 1;
            let n = v.history.len();
            if v.history.iter().any(|&h| loss + self.params.tol < h) {
                v.history[i % n] = loss;
            } else {
                self.stopped_early = true;
            }
        }
        Ok(if self.finished() {
            Progress::Done
        } else {
            Progress::Running
        })
    }

    /// Replaces the leaf values of a classification stage's tree by one Newton step each.
    fn set_leaf_values(
        &self,
        tree: &mut Tree,
        x: ArrayView2<f64>,
        y: &Array1<f64>,
        neg_gradient: &Array1<f64>,
        k: usize,
    ) -> Result<()> {
        if self.loss == Loss::Squared {
            return Ok(());
        }
        // The class-k indicator is the target the gradient was taken against.
        let targets: Vec<f64> = match self.loss {
            Loss::Multinomial(_) => y
                .iter()
                .map(|&v| f64::from(u8::from(v == k as f64)))
                .collect(),
            _ => y.to_vec(),
        };
        let leaves = tree.apply(x)?;
        let mut members: Vec<(Vec<f64>, Vec<f64>)> =
            vec![(Vec::new(), Vec::new()); tree.nodes.len()];
        for (i, &leaf) in leaves.iter().enumerate() {
            members[leaf].0.push(neg_gradient[i]);
            members[leaf].1.push(targets[i]);
        }
        for (node, (g, t)) in tree.nodes.iter_mut().zip(&members) {
            if node.split.is_none() && !g.is_empty() {
                if let Some(v) = self.loss.leaf_value(g, t) {
                    node.value = vec![v];
                }
            }
        }
        Ok(())
    }
}

/// scikit-learn's `feature_importances_` of a boosted ensemble: each tree's unnormalised impurity
/// decreases (single leaves left out), averaged, then normalised to sum to 1.
pub(crate) fn ensemble_importances(stages: &[Vec<Tree>], n_features: usize) -> Vec<f64> {
    let relevant: Vec<Array1<f64>> = stages
        .iter()
        .flatten()
        .filter(|t| t.node_count() > 1)
        .map(Tree::impurity_decreases)
        .collect();
    if relevant.is_empty() {
        return vec![0.0; n_features];
    }
    let mean: Array1<f64> = relevant
        .iter()
        .fold(Array1::zeros(n_features), |acc, t| acc + t)
        / relevant.len() as f64;
    let total = mean.sum();
    if total > 0.0 {
        (mean / total).to_vec()
    } else {
        mean.to_vec()
    }
}

/// Raw predictions of `x` after each stage in turn (`init` first, not included).
pub(crate) fn staged_raw<'a>(
    init: &[f64],
    stages: &'a [Vec<Tree>],
    rate: f64,
    x: ArrayView2<f64>,
) -> impl Iterator<Item = Array2<f64>> + 'a {
    let raw = Array2::from_shape_fn((x.nrows(), init.len()), |(_, c)| init[c]);
    let x = x.to_owned();
    stages.iter().scan(raw, move |raw, stage| {
        for (k, tree) in stage.iter().enumerate() {
            add_tree(raw, x.view(), tree, rate, k);
        }
        Some(raw.clone())
    })
}
