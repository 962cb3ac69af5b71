//! Decision trees (CART) with scikit-learn's names, defaults and split rules:
//! [`DecisionTreeClassifier`] (gini, entropy) and [`DecisionTreeRegressor`] (squared error).
//! The fitted [`Tree`] is a plain list of [`Node`]s a demo can walk to draw it, and the growth is
//! exposed one split per [`Iterative::step`](crate::estimator::Iterative) so a demo can animate it.

/// The builder methods both tree estimators share (every parameter but the criterion).
macro_rules! growth_setters {
    () => {
        pub fn max_depth(mut self, d: Option<usize>) -> Self {
            self.max_depth = d;
            self
        }
        pub fn min_samples_split(mut self, n: usize) -> Self {
            self.min_samples_split = n;
            self
        }
        pub fn min_samples_leaf(mut self, n: usize) -> Self {
            self.min_samples_leaf = n;
            self
        }
        pub fn max_features(mut self, m: Option<MaxFeatures>) -> Self {
            self.max_features = m;
            self
        }
        pub fn min_impurity_decrease(mut self, v: f64) -> Self {
            self.min_impurity_decrease = v;
            self
        }
        pub fn splitter(mut self, s: Splitter) -> Self {
            self.splitter = s;
            self
        }
        pub fn random_state(mut self, seed: u64) -> Self {
            self.random_state = Some(seed);
            self
        }
    };
}

mod classifier;
mod grow;
mod regressor;

pub use classifier::{
    ClassificationCriterion, DecisionTreeClassifier, DecisionTreeClassifierParams,
    DecisionTreeClassifierRun,
};
pub use grow::{GrowthOrder, Snapshot, TreeGrowth};
pub use regressor::{
    DecisionTreeRegressor, DecisionTreeRegressorParams, DecisionTreeRegressorRun,
    RegressionCriterion,
};

use crate::data::check_x;
use crate::error::{Error, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// How many features each split may look at (scikit-learn's `max_features`); `None` in the params
/// means all of them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged, try_from = "RawMaxFeatures")]
pub enum MaxFeatures {
    /// An exact number of features, 1 to the number of columns.
    Count(usize),
    /// A fraction in (0, 1] of the features, at least one.
    Fraction(f64),
    /// `"sqrt"` or `"log2"` of the number of features, at least one.
    Rule(MaxFeaturesRule),
}

/// `max_features` as written: a number, or text (`"sqrt"`, `"log2"`, or a number typed on the
/// command line, whose `--set` values arrive as text when the default is `"sqrt"`).
#[derive(Deserialize)]
#[serde(untagged)]
enum RawMaxFeatures {
    Count(usize),
    Fraction(f64),
    Text(String),
}

impl TryFrom<RawMaxFeatures> for MaxFeatures {
    type Error = String;
    fn try_from(raw: RawMaxFeatures) -> std::result::Result<Self, String> {
        Ok(match raw {
            RawMaxFeatures::Count(k) => MaxFeatures::Count(k),
            RawMaxFeatures::Fraction(f) => MaxFeatures::Fraction(f),
            RawMaxFeatures::Text(t) => match t.as_str() {
                "sqrt" => MaxFeatures::Rule(MaxFeaturesRule::Sqrt),
                "log2" => MaxFeatures::Rule(MaxFeaturesRule::Log2),
                _ => match (t.parse::<usize>(), t.parse::<f64>()) {
                    (Ok(k), _) => MaxFeatures::Count(k),
                    (_, Ok(f)) => MaxFeatures::Fraction(f),
                    _ => {
                        return Err(format!(
                            "max_features {t:?}: a whole number, a fraction, sqrt or log2"
                        ))
                    }
                },
            },
        })
    }
}

/// How a node's split is chosen (scikit-learn's `splitter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Splitter {
    /// Every boundary between distinct values of every drawn feature; the best one wins.
    #[default]
    Best,
    /// One threshold per drawn feature, uniform between the node's smallest and largest value;
    /// the best of those wins (the trees of extremely randomised trees).
    Random,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxFeaturesRule {
    Sqrt,
    Log2,
}

/// One node of a fitted tree. Nodes are numbered in depth-first order (a node, then its left
/// subtree, then its right subtree), the order scikit-learn's `tree_` arrays use; the root is 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub depth: usize,
    /// Training samples that reached this node.
    pub samples: usize,
    /// Their total sample weight (equal to `samples` when fitted without weights), scikit-learn's
    /// `weighted_n_node_samples`.
    pub weighted_samples: f64,
    /// Gini, entropy (in bits) or mean squared error of those samples.
    pub impurity: f64,
    /// Class fractions (one per class, summing to 1) for a classifier, `[mean]` for a regressor:
    /// scikit-learn's `tree_.value[node, 0]`.
    pub value: Vec<f64>,
    /// `None` for a leaf.
    pub split: Option<Split>,
}

/// A test `x[feature] <= threshold`: true goes to `left`, false to `right`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Split {
    pub feature: usize,
    /// Halfway between the two neighbouring training values, as in scikit-learn.
    pub threshold: f64,
    pub left: usize,
    pub right: usize,
}

/// A fitted tree: the nodes (root first) and the number of features it was grown on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub n_features: usize,
}

impl Tree {
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The depth of the deepest node (0 for a single leaf), scikit-learn's `get_depth()`.
    pub fn depth(&self) -> usize {
        self.nodes.iter().map(|n| n.depth).max().unwrap_or(0)
    }

    pub fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.split.is_none()).count()
    }

    /// The child a row goes to from node `id`, or `None` at a leaf (or for a row too short to
    /// hold the split's feature; NaN goes right, as `NaN <= t` is false).
    fn child_of(&self, id: usize, row: ArrayView1<f64>) -> Option<usize> {
        let s = self.nodes.get(id)?.split?;
        let v = row.get(s.feature)?;
        Some(if *v <= s.threshold { s.left } else { s.right })
    }

    /// The leaf a row lands in (rows are not checked here: [`Tree::apply`] checks them).
    pub fn leaf_of(&self, row: ArrayView1<f64>) -> usize {
        let mut id = 0;
        while let Some(next) = self.child_of(id, row) {
            id = next;
        }
        id
    }

    /// The leaf of every row, after checking the shape and values (scikit-learn's `apply`).
    pub fn apply(&self, x: ArrayView2<f64>) -> Result<Vec<usize>> {
        check_x(x, self.n_features)?;
        Ok(x.rows().into_iter().map(|r| self.leaf_of(r)).collect())
    }

    /// The nodes a row passes through, root to leaf (scikit-learn's `decision_path`).
    pub fn path_of(&self, row: ArrayView1<f64>) -> Vec<usize> {
        let mut path = vec![0];
        let mut id = 0;
        while let Some(next) = self.child_of(id, row) {
            id = next;
            path.push(id);
        }
        path
    }

    /// Each feature's total weighted impurity decrease, normalised to sum to 1 (all zeros for a
    /// single leaf), as scikit-learn's `feature_importances_`.
    pub fn feature_importances(&self) -> Array1<f64> {
        let mut imp = self.impurity_decreases();
        let total = imp.sum();
        if total > 0.0 {
            imp /= total;
        }
        imp
    }

    /// Each feature's total weighted impurity decrease divided by the root's sample count, not
    /// normalised (scikit-learn's `compute_feature_importances(normalize=False)`).
    pub fn impurity_decreases(&self) -> Array1<f64> {
        let mut imp = Array1::zeros(self.n_features);
        let root = self.nodes.first().map_or(1.0, |n| {
            if n.weighted_samples > 0.0 {
                n.weighted_samples
            } else {
                1.0
            }
        });
        for node in &self.nodes {
            if let Some(s) = node.split {
                let (l, r) = (&self.nodes[s.left], &self.nodes[s.right]);
                imp[s.feature] += node.weighted_samples * node.impurity
                    - l.weighted_samples * l.impurity
                    - r.weighted_samples * r.impurity;
            }
        }
        imp /= root;
        imp
    }
}

/// The split-size limits both tree kinds share, checked by `validate`.
pub(crate) fn validate_limits(
    max_depth: Option<usize>,
    min_samples_split: usize,
    min_samples_leaf: usize,
    max_features: Option<MaxFeatures>,
    min_impurity_decrease: f64,
) -> Result<()> {
    if max_depth == Some(0) {
        return Err(Error::invalid(
            "max_depth",
            0,
            "at least 1, or none for no limit",
        ));
    }
    if min_samples_split < 2 {
        return Err(Error::invalid(
            "min_samples_split",
            min_samples_split,
            "a whole number >= 2",
        ));
    }
    if min_samples_leaf < 1 {
        return Err(Error::invalid(
            "min_samples_leaf",
            min_samples_leaf,
            "a whole number >= 1",
        ));
    }
    match max_features {
        Some(MaxFeatures::Count(0)) => {
            return Err(Error::invalid(
                "max_features",
                0,
                "at least 1, a fraction in (0, 1], sqrt, log2 or none",
            ))
        }
        Some(MaxFeatures::Fraction(f)) if !(f > 0.0 && f <= 1.0) => {
            return Err(Error::invalid(
                "max_features",
                f,
                "a fraction in (0, 1], a whole number >= 1, sqrt, log2 or none",
            ))
        }
        _ => {}
    }
    if !(min_impurity_decrease >= 0.0 && min_impurity_decrease.is_finite()) {
        return Err(Error::invalid(
            "min_impurity_decrease",
            min_impurity_decrease,
            "a finite number >= 0",
        ));
    }
    Ok(())
}

/// Sample weights as scikit-learn accepts them: one per row, finite, not negative, some positive.
pub(crate) fn check_sample_weight(w: &[f64], n: usize) -> Result<()> {
    if w.len() != n {
        return Err(Error::invalid(
            "sample_weight",
            format!("{} weights", w.len()),
            format!("one weight per row ({n})"),
        ));
    }
    if let Some(bad) = w.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
        return Err(Error::invalid("sample_weight", bad, "finite numbers >= 0"));
    }
    if !w.iter().any(|v| *v > 0.0) {
        return Err(Error::invalid(
            "sample_weight",
            "all zero",
            "at least one weight > 0",
        ));
    }
    Ok(())
}

/// `max_features` as a count for `p` features, with scikit-learn's rounding.
pub(crate) fn resolve_max_features(max_features: Option<MaxFeatures>, p: usize) -> Result<usize> {
    let n = match max_features {
        None => p,
        Some(MaxFeatures::Count(k)) => {
            if k > p {
                return Err(Error::invalid(
                    "max_features",
                    k,
                    format!("at most the number of features ({p})"),
                ));
            }
            k
        }
        Some(MaxFeatures::Fraction(f)) => (f * p as f64) as usize,
        Some(MaxFeatures::Rule(MaxFeaturesRule::Sqrt)) => (p as f64).sqrt() as usize,
        Some(MaxFeatures::Rule(MaxFeaturesRule::Log2)) => (p as f64).log2() as usize,
    };
    Ok(n.max(1))
}
