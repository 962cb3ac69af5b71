//! Ensembles of trees. Gradient boosting ([`GradientBoostingRegressor`],
//! [`GradientBoostingClassifier`]) adds one shrunken regression tree per stage, fitted to what
//! the stages before it got wrong. Bagging ([`BaggingClassifierParams`]), random forests
//! ([`RandomForestClassifierParams`]) and extra trees ([`ExtraTreesClassifierParams`]) average
//! independent trees grown on random draws of rows and features ([`ForestClassifier`]).
//! AdaBoost ([`AdaBoostClassifier`]) reweights the rows each round toward those the trees so far
//! got wrong. [`VotingClassifier`] and [`StackingClassifier`] combine different classifiers
//! ([`Member`]): by a vote or average, or through a final classifier fitted on their out-of-fold
//! probabilities. Each
//! stage or tree is one [`Iterative`](crate::estimator::Iterative) step.

mod adaboost;
mod bagging;
mod boosting_run;
mod forest;
mod forest_regressor;
mod gradient_boosting;
mod random_forest;
mod stacking;
mod voting;

pub use adaboost::{AdaBoostClassifier, AdaBoostClassifierParams, AdaBoostClassifierRun};
pub use bagging::{
    BaggingClassifier, BaggingClassifierParams, BaggingRegressor, BaggingRegressorParams,
};
pub use boosting_run::BoostingRun;
pub use forest::{ForestClassifier, ForestClassifierRun, Portion};
pub use forest_regressor::{ForestRegressor, ForestRegressorRun};
pub use gradient_boosting::{
    BoostedTrees, GradientBoostingClassifier, GradientBoostingClassifierParams,
    GradientBoostingClassifierRun, GradientBoostingParams, GradientBoostingRegressor,
    GradientBoostingRegressorParams, GradientBoostingRegressorRun,
};
pub use random_forest::{
    ExtraTreesClassifier, ExtraTreesClassifierParams, ExtraTreesRegressor,
    ExtraTreesRegressorParams, RandomForestClassifier, RandomForestClassifierParams,
    RandomForestRegressor, RandomForestRegressorParams,
};
pub use stacking::{StackingClassifier, StackingClassifierParams, StackingClassifierRun};
pub use voting::{
    default_members, FittedMember, Member, Voting, VotingClassifier, VotingClassifierParams,
};
