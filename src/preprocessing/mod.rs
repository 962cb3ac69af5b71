//! Feature transformers: `fit` learns from training data, `transform` applies to any data.
//! Scalers, an imputer for missing values (NaN), categorical encoders and polynomial features,
//! chained per column group by `pipeline` (scikit-learn's `Pipeline` and `ColumnTransformer`).

mod encoders;
mod min_max_scaler;
mod pipeline;
mod polynomial;
mod simple_imputer;
mod standard_scaler;

pub use encoders::{
    category_label, DropCategory, HandleUnknown, OneHotEncoder, OneHotEncoderParams,
    OrdinalEncoder, OrdinalEncoderParams,
};
pub use min_max_scaler::{MinMaxScaler, MinMaxScalerParams};
pub use pipeline::{
    CategoryLabel, ColumnGroup, ColumnTransformer, ColumnTransformerParams, FittedChain,
    FittedStep, Pipeline, PipelineParams, Remainder, Step, TransformerChain,
};
pub use polynomial::PolynomialFeatures;
pub use simple_imputer::{ImputeStrategy, SimpleImputer, SimpleImputerParams};
pub use standard_scaler::{StandardScaler, StandardScalerParams};
