//! Ensembles of trees. Gradient boosting ([`GradientBoostingRegressor`],
//! [`GradientBoostingClassifier`]) adds one shrunken regression tree per stage, fitted to what
//! the stages before it got wrong; each stage is one [`Iterative`](crate::estimator::Iterative)
//! step.

mod boosting_run;
mod gradient_boosting;

pub use boosting_run::BoostingRun;
pub use gradient_boosting::{
    BoostedTrees, GradientBoostingClassifier, GradientBoostingClassifierParams,
    GradientBoostingClassifierRun, GradientBoostingParams, GradientBoostingRegressor,
    GradientBoostingRegressorParams, GradientBoostingRegressorRun,
};
