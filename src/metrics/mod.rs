//! Model evaluation metrics. Regression metrics for now; classification metrics join them in Part I.

mod regression;

pub use regression::{mean_absolute_error, mean_squared_error, r2_score, root_mean_squared_error};
