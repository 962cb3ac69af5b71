//! Nearest-neighbour learners with scikit-learn's names and defaults: [`KNeighborsClassifier`]
//! and [`KNeighborsRegressor`] (chapter 1's instance-based learning), over an exact neighbour
//! search: a k-d tree in few dimensions, brute force otherwise (scikit-learn's `algorithm`).

mod k_neighbors;
pub(crate) mod kd_tree;
pub(crate) mod search;

pub use k_neighbors::{
    KNeighborsClassifier, KNeighborsClassifierParams, KNeighborsRegressor,
    KNeighborsRegressorParams, Neighbours, Search, SearchAlgorithm, Weights,
};
