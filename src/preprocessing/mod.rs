//! Feature transformers: `fit` learns from training data, `transform` applies to any data.

mod polynomial;
mod standard_scaler;

pub use polynomial::PolynomialFeatures;
pub use standard_scaler::{StandardScaler, StandardScalerParams};
