//! Nearest-neighbour learners with scikit-learn's names and defaults: [`KNeighborsClassifier`]
//! and [`KNeighborsRegressor`] (chapter 1's instance-based learning), over an exact brute-force
//! neighbour search.

mod k_neighbors;
mod search;

pub use k_neighbors::{
    KNeighborsClassifier, KNeighborsClassifierParams, KNeighborsRegressor,
    KNeighborsRegressorParams, Neighbours, Search, Weights,
};
