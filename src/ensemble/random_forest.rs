//! Random forests and extremely randomised trees with scikit-learn's names and defaults:
//! [`RandomForestClassifierParams`], [`RandomForestRegressorParams`] (best splits over a random
//! subset of features at each node, each tree on a bootstrap sample) and
//! [`ExtraTreesClassifierParams`], [`ExtraTreesRegressorParams`] (one random threshold per drawn
//! feature, every tree on all rows unless `bootstrap`). All four fit into
//! [`ForestClassifier`]/[`ForestRegressor`]; `start` gives a run that grows one tree per step.

use super::forest::{run_to_end, Draws, ForestClassifier, ForestClassifierRun, Portion};
use super::forest_regressor::{ForestRegressor, ForestRegressorRun};
use crate::data::Dataset;
use crate::error::Result;
use crate::estimator::Fit;
use crate::tree::{
    ClassificationCriterion, DecisionTreeClassifierParams, DecisionTreeRegressorParams,
    MaxFeatures, MaxFeaturesRule, RegressionCriterion, Splitter,
};
use serde::{Deserialize, Serialize};

/// One forest's params struct: `$name`, its criterion type, default `max_features`, default
/// `bootstrap`, its tree kind (params, run, model) and splitter.
macro_rules! forest_params {
    ($(#[$doc:meta])* $name:ident, $crit:ty, $max_features:expr, $bootstrap:expr,
     $tree:ty, $run:ty, $model:ty, $splitter:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            pub n_estimators: usize,
            pub criterion: $crit,
            pub max_depth: Option<usize>,
            pub min_samples_split: usize,
            pub min_samples_leaf: usize,
            pub max_features: Option<MaxFeatures>,
            pub min_impurity_decrease: f64,
            pub bootstrap: bool,
            pub oob_score: bool,
            pub random_state: Option<u64>,
            /// Rows drawn per tree under bootstrap (`None`: as many as there are rows).
            pub max_samples: Option<Portion>,
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    n_estimators: 100,
                    criterion: <$crit>::default(),
                    max_depth: None,
                    min_samples_split: 2,
                    min_samples_leaf: 1,
                    max_features: $max_features,
                    min_impurity_decrease: 0.0,
                    bootstrap: $bootstrap,
                    oob_score: false,
                    random_state: None,
                    max_samples: None,
                }
            }
        }

        impl $name {
            pub fn n_estimators(mut self, n: usize) -> Self {
                self.n_estimators = n;
                self
            }
            pub fn criterion(mut self, c: $crit) -> Self {
                self.criterion = c;
                self
            }
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
            pub fn bootstrap(mut self, b: bool) -> Self {
                self.bootstrap = b;
                self
            }
            pub fn oob_score(mut self, b: bool) -> Self {
                self.oob_score = b;
                self
            }
            pub fn random_state(mut self, seed: u64) -> Self {
                self.random_state = Some(seed);
                self
            }
            pub fn max_samples(mut self, m: Option<Portion>) -> Self {
                self.max_samples = m;
                self
            }

            fn draws(&self) -> Draws {
                Draws {
                    n_estimators: self.n_estimators,
                    // scikit-learn ignores max_samples without bootstrap.
                    max_samples: self.max_samples.filter(|_| self.bootstrap),
                    bootstrap: self.bootstrap,
                    max_features: None,
                    bootstrap_features: false,
                    oob_score: self.oob_score,
                    random_state: self.random_state,
                }
            }

            fn tree(&self) -> $tree {
                <$tree>::default()
                    .criterion(self.criterion)
                    .max_depth(self.max_depth)
                    .min_samples_split(self.min_samples_split)
                    .min_samples_leaf(self.min_samples_leaf)
                    .max_features(self.max_features)
                    .min_impurity_decrease(self.min_impurity_decrease)
                    .splitter($splitter)
            }

            /// Checks the data and starts a run that grows one tree per step.
            pub fn start(&self, data: &Dataset) -> Result<$run> {
                <$run>::new(self.draws(), self.tree(), data)
            }
        }

        impl Fit for $name {
            type Model = $model;

            fn validate(&self) -> Result<()> {
                self.draws().validate()?;
                self.tree().validate()
            }

            fn fit(&self, data: &Dataset) -> Result<$model> {
                run_to_end(self.start(data)?)
            }
        }
    };
}

forest_params!(
    /// `RandomForestClassifier`: 100 trees on bootstrap samples, each split the best over
    /// `sqrt(p)` random features.
    RandomForestClassifierParams,
    ClassificationCriterion,
    Some(MaxFeatures::Rule(MaxFeaturesRule::Sqrt)),
    true,
    DecisionTreeClassifierParams,
    ForestClassifierRun,
    ForestClassifier,
    Splitter::Best
);

forest_params!(
    /// `RandomForestRegressor`: 100 trees on bootstrap samples, every feature tried at each split
    /// (`max_features = 1.0`, scikit-learn's default for regression).
    RandomForestRegressorParams,
    RegressionCriterion,
    Some(MaxFeatures::Fraction(1.0)),
    true,
    DecisionTreeRegressorParams,
    ForestRegressorRun,
    ForestRegressor,
    Splitter::Best
);

forest_params!(
    /// `ExtraTreesClassifier`: 100 trees on all rows (no bootstrap by default), each split the best
    /// of one random threshold per drawn feature, `sqrt(p)` features per split.
    ExtraTreesClassifierParams,
    ClassificationCriterion,
    Some(MaxFeatures::Rule(MaxFeaturesRule::Sqrt)),
    false,
    DecisionTreeClassifierParams,
    ForestClassifierRun,
    ForestClassifier,
    Splitter::Random
);

forest_params!(
    /// `ExtraTreesRegressor`: as the classifier, with every feature drawn at each split.
    ExtraTreesRegressorParams,
    RegressionCriterion,
    Some(MaxFeatures::Fraction(1.0)),
    false,
    DecisionTreeRegressorParams,
    ForestRegressorRun,
    ForestRegressor,
    Splitter::Random
);

/// The fitted models go by scikit-learn's names too.
pub type RandomForestClassifier = ForestClassifier;
pub type RandomForestRegressor = ForestRegressor;
pub type ExtraTreesClassifier = ForestClassifier;
pub type ExtraTreesRegressor = ForestRegressor;
