//! `AdaBoostClassifier` with the SAMME rule, as scikit-learn 1.9 fits it: each round grows a small
//! tree on weighted rows, gives it a say `learning_rate · (ln((1 - err)/err) + ln(K - 1))` from its
//! weighted error `err`, and multiplies the weight of every row it got wrong by `e^say`. The
//! ensemble's score for a class is the say-weighted vote of the trees (a tree voting for another
//! class counts `-1/(K - 1)` of its say), divided by the total say.

use crate::data::{check_x, check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit, Iterative, Progress};
use crate::metrics::{argmax_labels, unique_labels};
use crate::tree::{DecisionTreeClassifier, DecisionTreeClassifierParams};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// Parameters with scikit-learn's names and defaults; `estimator` is the tree grown each round
/// (scikit-learn's default base learner, a depth-1 tree: a stump).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdaBoostClassifierParams {
    pub estimator: DecisionTreeClassifierParams,
    pub n_estimators: usize,
    pub learning_rate: f64,
    /// Seeds the trees' feature draws (only used when the tree's `max_features` is below the
    /// number of features or its splitter is random).
    pub random_state: Option<u64>,
}

impl Default for AdaBoostClassifierParams {
    fn default() -> Self {
        AdaBoostClassifierParams {
            estimator: DecisionTreeClassifierParams::default().max_depth(Some(1)),
            n_estimators: 50,
            learning_rate: 1.0,
            random_state: None,
        }
    }
}

impl AdaBoostClassifierParams {
    pub fn estimator(mut self, e: DecisionTreeClassifierParams) -> Self {
        self.estimator = e;
        self
    }
    /// Shorthand for the base tree's depth.
    pub fn max_depth(mut self, d: usize) -> Self {
        self.estimator.max_depth = Some(d);
        self
    }
    pub fn n_estimators(mut self, n: usize) -> Self {
        self.n_estimators = n;
        self
    }
    pub fn learning_rate(mut self, r: f64) -> Self {
        self.learning_rate = r;
        self
    }
    pub fn random_state(mut self, seed: u64) -> Self {
        self.random_state = Some(seed);
        self
    }

    /// Checks the data and starts the boosting, one round per step.
    pub fn start(&self, data: &Dataset) -> Result<AdaBoostClassifierRun> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let classes = unique_labels([data.y.view()]);
        let y = data
            .y
            .iter()
            .map(|v| classes.partition_point(|c| c < v))
            .collect();
        let n = data.n_samples();
        Ok(AdaBoostClassifierRun {
            data: data.clone(),
            y,
            weights: vec![1.0 / n as f64; n],
            round: 0,
            done: false,
            newest: None,
            model: AdaBoostClassifier {
                classes,
                estimators: Vec::new(),
                estimator_weights: vec![0.0; self.n_estimators],
                estimator_errors: vec![1.0; self.n_estimators],
                params: self.clone(),
            },
        })
    }
}

impl Fit for AdaBoostClassifierParams {
    type Model = AdaBoostClassifier;

    fn validate(&self) -> Result<()> {
        if self.n_estimators == 0 {
            return Err(Error::invalid("n_estimators", 0, "a whole number >= 1"));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return Err(Error::invalid(
                "learning_rate",
                self.learning_rate,
                "a finite number > 0",
            ));
        }
        self.estimator.validate()
    }

    fn fit(&self, data: &Dataset) -> Result<AdaBoostClassifier> {
        let mut run = self.start(data)?;
        while run.step()? == Progress::Running {}
        Ok(run.model())
    }
}

/// A fitted AdaBoost ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaBoostClassifier {
    /// The class labels, sorted; score columns follow this order.
    pub classes: Vec<f64>,
    /// The trees kept, in the order they were grown.
    pub estimators: Vec<DecisionTreeClassifier>,
    /// Each round's say, `n_estimators` long: 0 for rounds never run (scikit-learn's
    /// `estimator_weights_`).
    pub estimator_weights: Vec<f64>,
    /// Each round's weighted training error, 1 for rounds never run (`estimator_errors_`).
    pub estimator_errors: Vec<f64>,
    pub params: AdaBoostClassifierParams,
}

impl AdaBoostClassifier {
    pub fn params() -> AdaBoostClassifierParams {
        AdaBoostClassifierParams::default()
    }

    /// Each tree's predicted class index per row.
    fn votes(&self, x: ArrayView2<f64>) -> Result<Vec<Vec<usize>>> {
        let n_features = self.estimators.first().map_or(0, |t| t.tree.n_features);
        check_x(x, n_features)?;
        self.estimators
            .iter()
            .map(|t| Ok(class_indices(t.predict_proba(x)?.view())))
            .collect()
    }

    /// The say-weighted votes after each tree, divided by the say so far: scikit-learn's
    /// `staged_decision_function`. One column (positive minus negative class) for two classes.
    pub fn staged_decision_function(&self, x: ArrayView2<f64>) -> Result<Vec<Array2<f64>>> {
        let votes = self.votes(x)?;
        let k = self.classes.len();
        let mut acc = Array2::<f64>::zeros((x.nrows(), k));
        let mut norm = 0.0;
        let mut out = Vec::with_capacity(votes.len());
        for (v, &w) in votes.iter().zip(&self.estimator_weights) {
            norm += w;
            add_votes(&mut acc, v, w, k);
            out.push(self.fold_binary(&acc / norm));
        }
        Ok(out)
    }

    /// The final scores: every tree's say-weighted vote over the total say of all rounds
    /// (scikit-learn's `decision_function`); one column for two classes.
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let votes = self.votes(x)?;
        let k = self.classes.len();
        if k == 1 {
            return Ok(Array2::zeros((x.nrows(), 1)));
        }
        let mut acc = Array2::<f64>::zeros((x.nrows(), k));
        for (v, &w) in votes.iter().zip(&self.estimator_weights) {
            add_votes(&mut acc, v, w, k);
        }
        let norm: f64 = self.estimator_weights.iter().sum();
        Ok(self.fold_binary(acc / norm))
    }

    /// Softmax of the scores over `K - 1` (of `±score / 2` for two classes).
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        Ok(self.proba_of(self.decision_function(x)?))
    }

    pub fn staged_predict_proba(&self, x: ArrayView2<f64>) -> Result<Vec<Array2<f64>>> {
        Ok(self
            .staged_decision_function(x)?
            .into_iter()
            .map(|d| self.proba_of(d))
            .collect())
    }

    /// The predicted class after each tree (scikit-learn's `staged_predict`).
    pub fn staged_predict(&self, x: ArrayView2<f64>) -> Result<Vec<Array1<f64>>> {
        Ok(self
            .staged_decision_function(x)?
            .iter()
            .map(|d| self.labels_of(d))
            .collect())
    }

    /// Accuracy after each tree (scikit-learn's `staged_score`).
    pub fn staged_score(
        &self,
        x: ArrayView2<f64>,
        y: ndarray::ArrayView1<f64>,
    ) -> Result<Vec<f64>> {
        self.staged_predict(x)?
            .iter()
            .map(|p| crate::metrics::accuracy_score(y, p.view()))
            .collect()
    }

    /// The trees' normalised impurity importances averaged with their says.
    pub fn feature_importances(&self) -> Vec<f64> {
        let p = self.estimators.first().map_or(0, |t| t.tree.n_features);
        let norm: f64 = self.estimator_weights.iter().sum();
        let mut imp = vec![0.0; p];
        for (t, &w) in self.estimators.iter().zip(&self.estimator_weights) {
            for (a, b) in imp.iter_mut().zip(&t.feature_importances) {
                *a += w * b;
            }
        }
        if norm > 0.0 {
            imp.iter_mut().for_each(|v| *v /= norm);
        }
        imp
    }

    fn fold_binary(&self, mut d: Array2<f64>) -> Array2<f64> {
        if self.classes.len() == 2 {
            d.column_mut(0).mapv_inplace(|v| -v);
            d.sum_axis(Axis(1)).insert_axis(Axis(1))
        } else {
            d
        }
    }

    fn labels_of(&self, d: &Array2<f64>) -> Array1<f64> {
        if self.classes.len() == 2 {
            d.column(0).mapv(|v| self.classes[usize::from(v > 0.0)])
        } else {
            argmax_labels(d.view(), &self.classes)
        }
    }

    fn proba_of(&self, d: Array2<f64>) -> Array2<f64> {
        let k = self.classes.len();
        if k == 1 {
            return Array2::ones((d.nrows(), 1));
        }
        let scaled = if k == 2 {
            Array2::from_shape_fn((d.nrows(), 2), |(r, c)| {
                if c == 0 {
                    -d[[r, 0]] / 2.0
                } else {
                    d[[r, 0]] / 2.0
                }
            })
        } else {
            d / (k as f64 - 1.0)
        };
        let mut p = scaled;
        for mut row in p.rows_mut() {
            let m = row.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            row.mapv_inplace(|v| (v - m).exp());
            let s = row.sum();
            row.mapv_inplace(|v| v / s);
        }
        p
    }
}

impl Classifier for AdaBoostClassifier {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        if self.classes.len() == 1 {
            check_x(x, self.estimators.first().map_or(0, |t| t.tree.n_features))?;
            return Ok(Array1::from_elem(x.nrows(), self.classes[0]));
        }
        let d = self.decision_function(x)?;
        Ok(self.labels_of(&d))
    }
}

/// The first largest column of each row (numpy's argmax).
fn class_indices(p: ArrayView2<f64>) -> Vec<usize> {
    p.rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |(bi, bv), (i, &v)| {
                    if v > bv {
                        (i, v)
                    } else {
                        (bi, bv)
                    }
                })
                .0
        })
        .collect()
}

/// Adds one tree's vote: `w` to the class it predicts, `-w/(K-1)` to every other class.
fn add_votes(acc: &mut Array2<f64>, votes: &[usize], w: f64, k: usize) {
    let other = if k > 1 {
        -1.0 / (k as f64 - 1.0) * w
    } else {
        0.0
    };
    for (mut row, &c) in acc.rows_mut().into_iter().zip(votes) {
        for (j, a) in row.iter_mut().enumerate() {
            *a += if j == c { w } else { other };
        }
    }
}

/// Boosting in progress: one round (one tree) per step.
#[derive(Debug, Clone)]
pub struct AdaBoostClassifierRun {
    data: Dataset,
    y: Vec<usize>,
    weights: Vec<f64>,
    round: usize,
    done: bool,
    newest: Option<usize>,
    model: AdaBoostClassifier,
}

impl AdaBoostClassifierRun {
    /// Rounds run so far (a round whose tree was dropped as worse than chance counts).
    pub fn rounds(&self) -> usize {
        self.round
    }
    /// The sample weights the next round's tree will be grown on (summing to 1).
    pub fn sample_weights(&self) -> &[f64] {
        &self.weights
    }
    /// The tree added by the latest step, if it kept one.
    pub fn newest(&self) -> Option<&DecisionTreeClassifier> {
        self.newest.and_then(|i| self.model.estimators.get(i))
    }
    pub fn is_done(&self) -> bool {
        self.done
    }
    /// The ensemble so far, borrowed (`model()` clones it): its trees, says and errors.
    pub fn current(&self) -> &AdaBoostClassifier {
        &self.model
    }
}

impl Iterative for AdaBoostClassifierRun {
    type Model = AdaBoostClassifier;

    fn step(&mut self) -> Result<Progress> {
        if self.done {
            return Ok(Progress::Done);
        }
        let params = &self.model.params;
        let n_rounds = params.n_estimators;
        let i = self.round;
        self.round += 1;
        self.newest = None;
        // scikit-learn keeps every weight at least machine epsilon before each round.
        for w in &mut self.weights {
            *w = w.max(f64::EPSILON);
        }
        let mut tree_params = params.estimator.clone();
        tree_params.random_state = Some(params.random_state.unwrap_or(0).wrapping_add(i as u64));
        let tree = tree_params.fit_weighted(&self.data, Some(&self.weights))?;
        let pred = class_indices(tree.predict_proba(self.data.x.view())?.view());
        let wrong: Vec<bool> = pred.iter().zip(&self.y).map(|(p, y)| p != y).collect();
        let total: f64 = self.weights.iter().sum();
        let missed: f64 = self
            .weights
            .iter()
            .zip(&wrong)
            .filter(|(_, &m)| m)
            .map(|(w, _)| w)
            .sum();
        let err = missed / total;
        let k = self.model.classes.len() as f64;
        if err <= 0.0 {
            // A perfect tree: it gets say 1 and boosting stops.
            self.model.estimators.push(tree);
            self.newest = Some(self.model.estimators.len() - 1);
            self.model.estimator_weights[i] = 1.0;
            self.model.estimator_errors[i] = 0.0;
            self.done = true;
            return Ok(Progress::Done);
        }
        if err >= 1.0 - 1.0 / k {
            // No better than chance: the tree is dropped and boosting stops.
            self.done = true;
            if self.model.estimators.is_empty() {
                return Err(Error::invalid(
                    "estimator",
                    format!("weighted error {err}"),
                    format!(
                        "a base learner better than chance (error below {})",
                        1.0 - 1.0 / k
                    ),
                ));
            }
            return Ok(Progress::Done);
        }
        let say = params.learning_rate * (((1.0 - err) / err).ln() + (k - 1.0).ln());
        if i != n_rounds - 1 {
            for (w, &m) in self.weights.iter_mut().zip(&wrong) {
                let bump = if m && *w > 0.0 { say } else { 0.0 };
                *w = (w.ln() + bump).exp();
            }
        }
        self.model.estimators.push(tree);
        self.newest = Some(self.model.estimators.len() - 1);
        self.model.estimator_weights[i] = say;
        self.model.estimator_errors[i] = err;
        let sum: f64 = self.weights.iter().sum();
        if !sum.is_finite() || sum <= 0.0 {
            self.done = true;
            return Ok(Progress::Done);
        }
        if i < n_rounds - 1 {
            self.weights.iter_mut().for_each(|w| *w /= sum);
        }
        if self.round >= n_rounds {
            self.done = true;
            return Ok(Progress::Done);
        }
        Ok(Progress::Running)
    }

    fn model(&self) -> AdaBoostClassifier {
        self.model.clone()
    }
}
