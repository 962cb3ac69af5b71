//! `DecisionTreeRegressor`: a CART tree whose leaves hold the mean target of their samples, split
//! to lower the squared error, with scikit-learn's parameters and defaults (`splitter="best"`, or `"random"`).

use super::grow::{Criterion, Limits, Snapshot, Target, TreeGrowth};
use super::{resolve_max_features, validate_limits, GrowthOrder, MaxFeatures, Splitter, Tree};
use crate::data::{check_xy, Dataset};
use crate::error::Result;
use crate::estimator::{Fit, Iterative, Progress, Regressor};
use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegressionCriterion {
    /// The mean squared error around the node's mean.
    #[default]
    SquaredError,
}

/// Parameters with scikit-learn's names and defaults. `max_depth: None` grows until the leaves are
/// pure or too small; `random_state` seeds the feature draws when `max_features` is below the
/// number of features (see [`super::DecisionTreeClassifierParams`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionTreeRegressorParams {
    pub criterion: RegressionCriterion,
    pub max_depth: Option<usize>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub max_features: Option<MaxFeatures>,
    pub min_impurity_decrease: f64,
    pub splitter: Splitter,
    pub random_state: Option<u64>,
}

impl Default for DecisionTreeRegressorParams {
    fn default() -> Self {
        DecisionTreeRegressorParams {
            criterion: RegressionCriterion::SquaredError,
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

impl DecisionTreeRegressorParams {
    pub fn criterion(mut self, c: RegressionCriterion) -> Self {
        self.criterion = c;
        self
    }
    growth_setters!();

    /// Checks the data and starts a growth that applies one split per step (depth-first).
    pub fn start(&self, data: &Dataset) -> Result<DecisionTreeRegressorRun> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let limits = Limits {
            max_depth: self.max_depth.unwrap_or(usize::MAX),
            min_samples_split: self.min_samples_split.max(2 * self.min_samples_leaf),
            min_samples_leaf: self.min_samples_leaf,
            max_features: resolve_max_features(self.max_features, data.n_features())?,
            min_impurity_decrease: self.min_impurity_decrease,
            random_splits: self.splitter == Splitter::Random,
        };
        let target = Target::Values(data.y.to_vec());
        Ok(DecisionTreeRegressorRun {
            growth: TreeGrowth::new(
                data.x.clone(),
                target,
                Criterion::SquaredError,
                limits,
                self.random_state.unwrap_or(0),
            ),
            params: self.clone(),
        })
    }
}

impl Fit for DecisionTreeRegressorParams {
    type Model = DecisionTreeRegressor;

    fn validate(&self) -> Result<()> {
        validate_limits(
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            self.max_features,
            self.min_impurity_decrease,
        )
    }

    fn fit(&self, data: &Dataset) -> Result<DecisionTreeRegressor> {
        let mut run = self.start(data)?;
        while run.step()? == Progress::Running {}
        Ok(run.model())
    }
}

/// A fitted regression tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeRegressor {
    pub tree: Tree,
    /// Normalised total impurity decrease per feature (scikit-learn's `feature_importances_`).
    pub feature_importances: Vec<f64>,
    pub params: DecisionTreeRegressorParams,
}

impl DecisionTreeRegressor {
    pub fn params() -> DecisionTreeRegressorParams {
        DecisionTreeRegressorParams::default()
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
}

impl Regressor for DecisionTreeRegressor {
    /// The mean training target of the leaf each row falls in.
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let leaves = self.tree.apply(x)?;
        Ok(leaves
            .iter()
            .map(|&l| self.tree.nodes[l].value[0])
            .collect())
    }
}

/// A regression tree being grown, one split per step.
#[derive(Debug, Clone)]
pub struct DecisionTreeRegressorRun {
    growth: TreeGrowth,
    params: DecisionTreeRegressorParams,
}

impl DecisionTreeRegressorRun {
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

impl Iterative for DecisionTreeRegressorRun {
    type Model = DecisionTreeRegressor;

    fn step(&mut self) -> Result<Progress> {
        self.growth.split_next();
        Ok(if self.growth.is_done() {
            Progress::Done
        } else {
            Progress::Running
        })
    }

    fn model(&self) -> DecisionTreeRegressor {
        let tree = self.growth.tree();
        DecisionTreeRegressor {
            feature_importances: tree.feature_importances().to_vec(),
            tree,
            params: self.params.clone(),
        }
    }
}
