//! The machinery shared by every bagging-style ensemble of trees (bagging, random forests, extra
//! trees), and the classification ensemble ([`ForestClassifier`]; the regression one is in
//! `forest_regressor.rs`): each tree learns from its own draw of rows (a bootstrap sample or a subset) and of
//! columns, and the ensemble averages the trees' class probabilities or predictions. The runs
//! grow one tree per [`Iterative`] step; the fitted models keep every tree's rows and columns so
//! out-of-bag scores can be checked by hand.

use crate::data::{check_x, check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit, Iterative, Progress};
use crate::metrics::{argmax_labels, unique_labels};
use crate::rng::Rng;
use crate::tree::{DecisionTreeClassifier, DecisionTreeClassifierParams};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// How many rows (or, for bagging, columns) each tree draws: a count, or a fraction of all.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Portion {
    Count(usize),
    Fraction(f64),
}

impl Portion {
    /// The count out of `n`, at least 1; fractions of rows round to nearest (as scikit-learn's
    /// `max_samples`), fractions of columns round down (bagging's `max_features`). Errors name
    /// `param`.
    fn resolve(self, n: usize, param: &str, nearest: bool) -> Result<usize> {
        match self {
            Portion::Count(k) if k == 0 || k > n => Err(Error::invalid(
                param,
                k,
                format!("a whole number from 1 to {n}, or a fraction in (0, 1]"),
            )),
            Portion::Count(k) => Ok(k),
            Portion::Fraction(f) if !(f > 0.0 && f <= 1.0) => Err(Error::invalid(
                param,
                f,
                "a fraction in (0, 1], or a whole number >= 1",
            )),
            Portion::Fraction(f) => {
                let k = if nearest {
                    (n as f64 * f).round()
                } else {
                    (n as f64 * f).floor()
                };
                Ok((k as usize).max(1))
            }
        }
    }

    /// Checks what can be checked before the data is seen.
    pub(crate) fn validate(p: Option<Portion>, param: &str) -> Result<()> {
        match p {
            Some(Portion::Count(0)) => Err(Error::invalid(param, 0, "a whole number >= 1")),
            Some(Portion::Fraction(f)) if !(f > 0.0 && f <= 1.0) => Err(Error::invalid(
                param,
                f,
                "a fraction in (0, 1], or a whole number >= 1",
            )),
            _ => Ok(()),
        }
    }
}

/// How an ensemble draws the rows and columns of each tree.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Draws {
    pub n_estimators: usize,
    pub max_samples: Option<Portion>,
    pub bootstrap: bool,
    /// Columns per tree (bagging); `None` gives every tree every column.
    pub max_features: Option<Portion>,
    pub bootstrap_features: bool,
    pub oob_score: bool,
    pub random_state: Option<u64>,
}

impl Draws {
    pub(crate) fn validate(&self) -> Result<()> {
        if self.n_estimators == 0 {
            return Err(Error::invalid("n_estimators", 0, "a whole number >= 1"));
        }
        Portion::validate(self.max_samples, "max_samples")?;
        Portion::validate(self.max_features, "max_features")?;
        if self.oob_score && !self.bootstrap {
            return Err(Error::invalid(
                "oob_score",
                true,
                "false unless bootstrap is true (without bootstrap no row is left out of bag)",
            ));
        }
        Ok(())
    }
}

/// The drawing state of a run: the data, the resolved sizes and the seed stream.
#[derive(Debug, Clone)]
pub(super) struct Drawer {
    pub(super) draws: Draws,
    pub(super) data: Dataset,
    n_rows: usize,
    pub(super) n_cols: usize,
    rng: Rng,
    pub(super) samples: Vec<Vec<usize>>,
    pub(super) features: Vec<Vec<usize>>,
}

impl Drawer {
    pub(super) fn new(draws: Draws, data: Dataset) -> Result<Self> {
        draws.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let (n, p) = (data.n_samples(), data.n_features());
        let n_rows = match draws.max_samples {
            None => n,
            Some(m) => m.resolve(n, "max_samples", true)?,
        };
        let n_cols = match draws.max_features {
            None => p,
            Some(m) => m.resolve(p, "max_features", false)?,
        };
        Ok(Drawer {
            draws,
            data,
            n_rows,
            n_cols,
            rng: Rng::new(draws.random_state.unwrap_or(0)),
            samples: Vec::new(),
            features: Vec::new(),
        })
    }

    pub(super) fn is_done(&self) -> bool {
        self.samples.len() >= self.draws.n_estimators
    }

    /// Draws the next tree's rows and columns; returns its training set and its tree seed.
    pub(super) fn next(&mut self) -> (Dataset, u64) {
        let mut rng = Rng::new(self.rng.next_u64());
        let (n, p) = (self.data.n_samples(), self.data.n_features());
        let features = pick(&mut rng, p, self.n_cols, self.draws.bootstrap_features);
        let samples = pick(&mut rng, n, self.n_rows, self.draws.bootstrap);
        // Whole rows are copied at once; the columns are picked only when the tree gets a subset
        // (or a reordering) of them, as random forests and extra trees never do.
        let rows = self.data.x.select(Axis(0), &samples);
        let x = if features.iter().copied().eq(0..p) {
            rows
        } else {
            rows.select(Axis(1), &features)
        };
        let y = samples.iter().map(|&i| self.data.y[i]).collect();
        let data = Dataset {
            x,
            y,
            feature_names: features
                .iter()
                .map(|&c| self.data.feature_names[c].clone())
                .collect(),
            target_name: self.data.target_name.clone(),
        };
        self.samples.push(samples);
        self.features.push(features);
        (data, rng.next_u64())
    }

    /// Per row, whether tree `t` never saw it.
    pub(super) fn out_of_bag(&self, t: usize) -> Vec<bool> {
        let mut oob = vec![true; self.data.n_samples()];
        for &i in &self.samples[t] {
            oob[i] = false;
        }
        oob
    }
}

/// `k` of `0..n`: with replacement (`bootstrap`), or a subset without (kept in order; all of
/// them when `k == n`).
fn pick(rng: &mut Rng, n: usize, k: usize, bootstrap: bool) -> Vec<usize> {
    if bootstrap {
        (0..k).map(|_| rng.below(n)).collect()
    } else if k >= n {
        (0..n).collect()
    } else {
        let mut idx = rng.permutation(n);
        idx.truncate(k);
        idx.sort_unstable();
        idx
    }
}

/// The columns of `x` a tree was grown on.
pub(super) fn columns(x: ArrayView2<f64>, features: &[usize]) -> Array2<f64> {
    Array2::from_shape_fn((x.nrows(), features.len()), |(r, c)| x[[r, features[c]]])
}

/// A tree's class probabilities with one column per ensemble class (the tree learned class
/// indices, and a class its rows missed gets 0).
fn class_proba(
    tree: &DecisionTreeClassifier,
    features: &[usize],
    k: usize,
    x: ArrayView2<f64>,
) -> Result<Array2<f64>> {
    let p = tree.predict_proba(columns(x, features).view())?;
    let mut out = Array2::zeros((x.nrows(), k));
    for (j, &c) in tree.classes.iter().enumerate() {
        out.column_mut(c as usize).assign(&p.column(j));
    }
    Ok(out)
}

/// The mean of the trees' normalised importances, mapped back to the columns and normalised
/// again; trees that are a single leaf do not count (as scikit-learn).
pub(super) fn mean_importances<'a>(
    p: usize,
    trees: impl Iterator<Item = (&'a [f64], &'a [usize], usize)>,
) -> Vec<f64> {
    let mut sum = vec![0.0; p];
    for (imp, features, nodes) in trees {
        if nodes > 1 {
            for (v, &f) in imp.iter().zip(features) {
                sum[f] += v;
            }
        }
    }
    let total: f64 = sum.iter().sum();
    if total > 0.0 {
        sum.iter_mut().for_each(|v| *v /= total);
    }
    sum
}

/// A fitted ensemble of classification trees (bagging, random forest or extra trees).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestClassifier {
    /// The class labels, sorted; probability columns follow this order.
    pub classes: Vec<f64>,
    /// The trees, fitted on class indices (`0..classes.len()` as numbers): a tree whose rows
    /// missed a class has fewer probability columns, mapped back by its own `classes`.
    pub trees: Vec<DecisionTreeClassifier>,
    /// Each tree's training rows (with repeats under bootstrap): scikit-learn's
    /// `estimators_samples_`.
    pub samples: Vec<Vec<usize>>,
    /// Each tree's columns: scikit-learn's `estimators_features_`.
    pub features: Vec<Vec<usize>>,
    pub n_features: usize,
    /// Accuracy of the out-of-bag predictions (with `oob_score`).
    pub oob_score: Option<f64>,
    /// Per training row, the mean class probabilities of the trees that did not see it (zeros
    /// for a row every tree saw): scikit-learn's `oob_decision_function_`.
    pub oob_decision_function: Option<Vec<Vec<f64>>>,
    pub feature_importances: Vec<f64>,
}

impl ForestClassifier {
    /// Tree `t`'s class probabilities for `x` (already checked), one column per ensemble class.
    pub fn tree_proba(&self, t: usize, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        class_proba(&self.trees[t], &self.features[t], self.classes.len(), x)
    }

    /// The mean of the trees' class probabilities.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(x, self.n_features)?;
        let mut sum = Array2::zeros((x.nrows(), self.classes.len()));
        for t in 0..self.trees.len() {
            sum += &self.tree_proba(t, x)?;
        }
        Ok(sum / self.trees.len().max(1) as f64)
    }
}

impl Classifier for ForestClassifier {
    /// The class with the largest mean probability (the first on ties).
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        Ok(argmax_labels(self.predict_proba(x)?.view(), &self.classes))
    }
}

/// A classification ensemble being grown, one tree per step.
#[derive(Debug, Clone)]
pub struct ForestClassifierRun {
    drawer: Drawer,
    tree: DecisionTreeClassifierParams,
    classes: Vec<f64>,
    y_index: Array1<f64>,
    trees: Vec<DecisionTreeClassifier>,
}

impl ForestClassifierRun {
    pub(crate) fn new(
        draws: Draws,
        tree: DecisionTreeClassifierParams,
        data: &Dataset,
    ) -> Result<Self> {
        tree.validate()?;
        let drawer = Drawer::new(draws, data.clone())?;
        let classes = unique_labels([data.y.view()]);
        let y_index = data
            .y
            .iter()
            .map(|v| classes.partition_point(|c| c < v) as f64)
            .collect();
        // Trees see class indices; their max_features is checked against the tree's columns.
        crate::tree::resolve_max_features(tree.max_features, drawer.n_cols)?;
        Ok(ForestClassifierRun {
            drawer,
            tree,
            classes,
            y_index,
            trees: Vec::new(),
        })
    }

    /// Trees grown so far.
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }

    /// The class labels, sorted (the probability columns' order).
    pub fn classes(&self) -> &[f64] {
        &self.classes
    }

    /// The newest tree (without copying the forest, for demos that add one tree at a time).
    pub fn newest(&self) -> Option<&DecisionTreeClassifier> {
        self.trees.last()
    }

    /// The newest tree's training rows (with repeats under bootstrap).
    pub fn newest_samples(&self) -> Option<&[usize]> {
        self.drawer.samples.last().map(Vec::as_slice)
    }

    /// The newest tree's class probabilities for `x`, one column per class.
    pub fn newest_proba(&self, x: ArrayView2<f64>) -> Result<Option<Array2<f64>>> {
        let (Some(tree), Some(features)) = (self.trees.last(), self.drawer.features.last()) else {
            return Ok(None);
        };
        check_x(x, self.drawer.data.n_features())?;
        class_proba(tree, features, self.classes.len(), x).map(Some)
    }

    /// The newest tree's normalised importances over all columns (zeros for a single leaf).
    pub fn newest_importances(&self) -> Option<Vec<f64>> {
        let (tree, features) = (self.trees.last()?, self.drawer.features.last()?);
        Some(mean_importances(
            self.drawer.data.n_features(),
            std::iter::once((
                tree.feature_importances.as_slice(),
                features.as_slice(),
                tree.node_count(),
            )),
        ))
    }
}

impl Iterative for ForestClassifierRun {
    type Model = ForestClassifier;

    fn step(&mut self) -> Result<Progress> {
        if !self.drawer.is_done() {
            let (mut data, seed) = self.drawer.next();
            let t = self.drawer.samples.len() - 1;
            data.y = self.drawer.samples[t]
                .iter()
                .map(|&i| self.y_index[i])
                .collect();
            let tree = self.tree.clone().random_state(seed).fit(&data)?;
            self.trees.push(tree);
        }
        Ok(if self.drawer.is_done() {
            Progress::Done
        } else {
            Progress::Running
        })
    }

    fn model(&self) -> ForestClassifier {
        let d = &self.drawer;
        let mut model = ForestClassifier {
            classes: self.classes.clone(),
            trees: self.trees.clone(),
            samples: d.samples.clone(),
            features: d.features.clone(),
            n_features: d.data.n_features(),
            oob_score: None,
            oob_decision_function: None,
            feature_importances: mean_importances(
                d.data.n_features(),
                self.trees.iter().zip(&d.features).map(|(t, f)| {
                    (
                        t.feature_importances.as_slice(),
                        f.as_slice(),
                        t.node_count(),
                    )
                }),
            ),
        };
        if d.draws.oob_score && !self.trees.is_empty() {
            let (n, k) = (d.data.n_samples(), self.classes.len());
            let mut sum = Array2::<f64>::zeros((n, k));
            let mut count = vec![0usize; n];
            for t in 0..self.trees.len() {
                let Ok(p) = model.tree_proba(t, d.data.x.view()) else {
                    continue;
                };
                for (i, oob) in d.out_of_bag(t).into_iter().enumerate() {
                    if oob {
                        sum.row_mut(i).scaled_add(1.0, &p.row(i));
                        count[i] += 1;
                    }
                }
            }
            for (mut row, &c) in sum.axis_iter_mut(Axis(0)).zip(&count) {
                row /= c.max(1) as f64;
            }
            let pred = argmax_labels(sum.view(), &self.classes);
            let correct = pred.iter().zip(&d.data.y).filter(|(a, b)| a == b).count();
            model.oob_score = Some(correct as f64 / n as f64);
            model.oob_decision_function =
                Some(sum.rows().into_iter().map(|r| r.to_vec()).collect());
        }
        model
    }
}

/// Fits by running every step.
pub(crate) fn run_to_end<R: Iterative>(mut run: R) -> Result<R::Model> {
    while run.step()? == Progress::Running {}
    Ok(run.model())
}
