//! `DecisionTreeClassifier`: a CART tree whose leaves hold class fractions, split by gini or
//! entropy, with scikit-learn's parameters and defaults (`splitter="best"`, or `"random"`).

use super::grow::{Criterion, Limits, Snapshot, Target, TreeGrowth};
use super::{
    check_sample_weight, resolve_max_features, validate_limits, GrowthOrder, MaxFeatures, Splitter,
    Tree,
};
use crate::data::{check_x, check_xy, Dataset};
use crate::error::Result;
use crate::estimator::{Classifier, Fit, Iterative, Progress};
use crate::metrics::{argmax_labels, unique_labels};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassificationCriterion {
    /// `1 - Σ p_k²`: the chance two random samples of the node disagree.
    #[default]
    Gini,
    /// `-Σ p_k log₂ p_k` in bits (scikit-learn also calls it `log_loss`).
    #[serde(alias = "log_loss")]
    Entropy,
}

/// Parameters with scikit-learn's names and defaults. `max_depth: None` grows until the leaves are
/// pure or too small; `random_state` seeds the feature draws when `max_features` is below the
/// number of features (with every feature allowed they are tried in column order, so on an exact
/// tie the first column wins; scikit-learn's choice there depends on its `random_state`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionTreeClassifierParams {
    pub criterion: ClassificationCriterion,
    pub max_depth: Option<usize>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub max_features: Option<MaxFeatures>,
    pub min_impurity_decrease: f64,
    pub splitter: Splitter,
    pub random_state: Option<u64>,
}

impl Default for DecisionTreeClassifierParams {
    fn default() -> Self {
        DecisionTreeClassifierParams {
            criterion: ClassificationCriterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: None,
            min_impurity_decrease: 0.0,
            splitter: Splitter::Best,
            random_state: None,
        }
    }
}

impl DecisionTreeClassifierParams {
    pub fn criterion(mut self, c: ClassificationCriterion) -> Self {
        self.criterion = c;
        self
    }
    growth_setters!();

    /// Checks the data and starts a growth that applies one split per step (depth-first).
    pub fn start(&self, data: &Dataset) -> Result<DecisionTreeClassifierRun> {
        self.start_weighted(data, None)
    }

    /// Fits with one weight per row (scikit-learn's `sample_weight`): class counts, impurities
    /// and leaf fractions are weighted sums; `min_samples_*` still count rows; rows of weight 0
    /// are left out. `None` is the unweighted fit, bit for bit.
    pub fn fit_weighted(
        &self,
        data: &Dataset,
        sample_weight: Option<&[f64]>,
    ) -> Result<DecisionTreeClassifier> {
        let mut run = self.start_weighted(data, sample_weight)?;
        while run.step()? == Progress::Running {}
        Ok(run.model())
    }

    /// [`Self::start`] with sample weights (see [`Self::fit_weighted`]).
    pub fn start_weighted(
        &self,
        data: &Dataset,
        sample_weight: Option<&[f64]>,
    ) -> Result<DecisionTreeClassifierRun> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        if let Some(w) = sample_weight {
            check_sample_weight(w, data.n_samples())?;
        }
        let classes = unique_labels([data.y.view()]);
        let y = data
            .y
            .iter()
            .map(|v| classes.partition_point(|c| c < v))
            .collect();
        let limits = Limits {
            max_depth: self.max_depth.unwrap_or(usize::MAX),
            min_samples_split: self.min_samples_split.max(2 * self.min_samples_leaf),
            min_samples_leaf: self.min_samples_leaf,
            max_features: resolve_max_features(self.max_features, data.n_features())?,
            min_impurity_decrease: self.min_impurity_decrease,
            random_splits: self.splitter == Splitter::Random,
        };
        let criterion = match self.criterion {
            ClassificationCriterion::Gini => Criterion::Gini,
            ClassificationCriterion::Entropy => Criterion::Entropy,
        };
        let target = Target::Classes {
            k: classes.len(),
            y,
        };
        Ok(DecisionTreeClassifierRun {
            growth: TreeGrowth::new_weighted(
                data.x.clone(),
                target,
                criterion,
                limits,
                self.random_state.unwrap_or(0),
                sample_weight,
            ),
            classes,
            params: self.clone(),
        })
    }
}

impl Fit for DecisionTreeClassifierParams {
    type Model = DecisionTreeClassifier;

    fn validate(&self) -> Result<()> {
        validate_limits(
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            self.max_features,
            self.min_impurity_decrease,
        )
    }

    fn fit(&self, data: &Dataset) -> Result<DecisionTreeClassifier> {
        let mut run = self.start(data)?;
        while run.step()? == Progress::Running {}
        Ok(run.model())
    }
}

/// A fitted classification tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeClassifier {
    /// The class labels, sorted; each node's `value` has one fraction per class, in this order.
    pub classes: Vec<f64>,
    pub tree: Tree,
    /// Normalised total impurity decrease per feature (scikit-learn's `feature_importances_`).
    pub feature_importances: Vec<f64>,
    pub params: DecisionTreeClassifierParams,
}

impl DecisionTreeClassifier {
    pub fn params() -> DecisionTreeClassifierParams {
        DecisionTreeClassifierParams::default()
    }
    pub fn depth(&self) -> usize {
        self.tree.depth()
    }
    pub fn n_leaves(&self) -> usize {
        self.tree.n_leaves()
    }
    pub fn node_count(&self) -> usize {
        self.tree.node_count()
    }

    /// The class fractions of the leaf each row falls in, one column per entry of `classes`.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let leaves = self.tree.apply(x)?;
        let k = self.classes.len();
        Ok(Array2::from_shape_fn((leaves.len(), k), |(r, c)| {
            self.tree.nodes[leaves[r]].value[c]
        }))
    }
}

impl Classifier for DecisionTreeClassifier {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_x(x, self.tree.n_features)?;
        // The most frequent class of the leaf; on a tie the smaller label, like numpy's argmax.
        Ok(argmax_labels(self.predict_proba(x)?.view(), &self.classes))
    }
}

/// A classification tree being grown, one split per step.
#[derive(Debug, Clone)]
pub struct DecisionTreeClassifierRun {
    growth: TreeGrowth,
    classes: Vec<f64>,
    params: DecisionTreeClassifierParams,
}

impl DecisionTreeClassifierRun {
    pub fn classes(&self) -> &[f64] {
        &self.classes
    }
    /// Splits applied so far.
    pub fn splits(&self) -> usize {
        self.growth.splits()
    }
    /// Which pending split the next steps apply; the finished tree is the same either way.
    pub fn set_order(&mut self, order: GrowthOrder) {
        self.growth.set_order(order);
    }
    /// The tree so far, with its pending nodes and the node the latest step split.
    pub fn snapshot(&self) -> Snapshot {
        self.growth.snapshot()
    }
}

impl Iterative for DecisionTreeClassifierRun {
    type Model = DecisionTreeClassifier;

    fn step(&mut self) -> Result<Progress> {
        self.growth.split_next();
        Ok(if self.growth.is_done() {
            Progress::Done
        } else {
            Progress::Running
        })
    }

    fn model(&self) -> DecisionTreeClassifier {
        let tree = self.growth.tree();
        DecisionTreeClassifier {
            classes: self.classes.clone(),
            feature_importances: tree.feature_importances().to_vec(),
            tree,
            params: self.params.clone(),
        }
    }
}
