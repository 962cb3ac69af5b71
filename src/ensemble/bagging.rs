//! Bagging with scikit-learn's names and defaults: [`BaggingClassifierParams`] and
//! [`BaggingRegressorParams`] fit `n_estimators` decision trees (scikit-learn's default base
//! estimator), each on its own draw of rows (`max_samples`, with replacement under `bootstrap`)
//! and of columns (`max_features`, with replacement under `bootstrap_features`). Unlike a random
//! forest every split of a tree sees all of that tree's columns.

use super::forest::{run_to_end, Draws, ForestClassifier, ForestClassifierRun, Portion};
use super::forest_regressor::{ForestRegressor, ForestRegressorRun};
use crate::data::Dataset;
use crate::error::Result;
use crate::estimator::Fit;
use crate::tree::{DecisionTreeClassifierParams, DecisionTreeRegressorParams};
use serde::{Deserialize, Serialize};

macro_rules! bagging_params {
    ($(#[$doc:meta])* $name:ident, $tree:ty, $run:ty, $model:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            /// The tree every member is grown with (its `random_state` is set per member).
            pub estimator: $tree,
            pub n_estimators: usize,
            /// Rows per tree; `None` means all (scikit-learn's `1.0`).
            pub max_samples: Option<Portion>,
            /// Columns per tree; `None` means all (scikit-learn's `1.0`).
            pub max_features: Option<Portion>,
            pub bootstrap: bool,
            pub bootstrap_features: bool,
            pub oob_score: bool,
            pub random_state: Option<u64>,
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    estimator: <$tree>::default(),
                    n_estimators: 10,
                    max_samples: None,
                    max_features: None,
                    bootstrap: true,
                    bootstrap_features: false,
                    oob_score: false,
                    random_state: None,
                }
            }
        }

        impl $name {
            pub fn estimator(mut self, tree: $tree) -> Self {
                self.estimator = tree;
                self
            }
            pub fn n_estimators(mut self, n: usize) -> Self {
                self.n_estimators = n;
                self
            }
            pub fn max_samples(mut self, m: Option<Portion>) -> Self {
                self.max_samples = m;
                self
            }
            pub fn max_features(mut self, m: Option<Portion>) -> Self {
                self.max_features = m;
                self
            }
            pub fn bootstrap(mut self, b: bool) -> Self {
                self.bootstrap = b;
                self
            }
            pub fn bootstrap_features(mut self, b: bool) -> Self {
                self.bootstrap_features = b;
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

            fn draws(&self) -> Draws {
                Draws {
                    n_estimators: self.n_estimators,
                    max_samples: self.max_samples,
                    bootstrap: self.bootstrap,
                    max_features: self.max_features,
                    bootstrap_features: self.bootstrap_features,
                    oob_score: self.oob_score,
                    random_state: self.random_state,
                }
            }

            /// Checks the data and starts a run that grows one tree per step.
            pub fn start(&self, data: &Dataset) -> Result<$run> {
                <$run>::new(self.draws(), self.estimator.clone(), data)
            }
        }

        impl Fit for $name {
            type Model = $model;

            fn validate(&self) -> Result<()> {
                self.draws().validate()?;
                self.estimator.validate()
            }

            fn fit(&self, data: &Dataset) -> Result<$model> {
                run_to_end(self.start(data)?)
            }
        }
    };
}

bagging_params!(
    /// `BaggingClassifier` over decision trees: class probabilities are the mean of the trees'.
    BaggingClassifierParams,
    DecisionTreeClassifierParams,
    ForestClassifierRun,
    ForestClassifier
);

bagging_params!(
    /// `BaggingRegressor` over decision trees: predictions are the mean of the trees'.
    BaggingRegressorParams,
    DecisionTreeRegressorParams,
    ForestRegressorRun,
    ForestRegressor
);

/// The fitted models go by scikit-learn's names too.
pub type BaggingClassifier = ForestClassifier;
pub type BaggingRegressor = ForestRegressor;
