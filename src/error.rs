//! The one error type. Every fallible function in the crate returns `Result<T, Error>`; on wasm the
//! exported functions turn it into a `JsError` whose message is the `Display` text below.

use thiserror::Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// A parameter outside its allowed values; `allowed` reads like "between 0.001 and 1".
    #[error("{param} must be {allowed} (got {value})")]
    InvalidParam {
        param: String,
        value: String,
        allowed: String,
    },

    #[error("unknown parameter `{key}`; expected one of: {expected}")]
    UnknownParam { key: String, expected: String },

    #[error("shape mismatch: {0}")]
    Shape(String),

    #[error("empty data: {0}")]
    EmptyData(String),

    #[error("input contains NaN or infinity ({0})")]
    NonFinite(String),

    /// CSV problems name the 1-based line and, where one is at fault, the column.
    #[error("CSV line {line}{}: {message}", column.as_ref().map(|c| format!(", column `{c}`")).unwrap_or_default())]
    Csv {
        line: u64,
        column: Option<String>,
        message: String,
    },

    /// Data that parsed but does not fit what it is used for (a text column as an axis, too few
    /// rows of a class); `column` names the column at fault where there is one.
    #[error("{}{message}", column.as_ref().map(|c| format!("column `{c}`: ")).unwrap_or_default())]
    Data {
        column: Option<String>,
        message: String,
    },

    #[error("unknown demo `{0}`")]
    UnknownDemo(String),

    #[error("unknown estimator `{name}`; expected one of: {expected}")]
    UnknownEstimator { name: String, expected: String },

    /// A network layer with no units; `layer` counts from 1 in the architecture's layer list.
    #[error("layer {layer} ({kind}) has zero neurons: give it at least one")]
    ZeroNeurons { layer: usize, kind: String },

    /// Data (or saved weights) whose width differs from what the network expects.
    #[error("input size mismatch: {what} expects {expected} features but got {got}")]
    InputSize {
        what: String,
        expected: usize,
        got: usize,
    },

    /// Training stopped because the loss stopped being a finite number.
    #[error("loss became {value} at step {step}: lower the learning rate")]
    Diverged { step: usize, value: String },

    #[error("the solver failed: {0}")]
    Numerical(String),

    /// A covariance matrix that Cholesky cannot factor, e.g. a mixture component collapsed onto
    /// one point or a line; `what` names it ("component 2", "the tied covariance").
    #[error("the covariance of {what} is not positive definite (it collapsed onto too few or identical points): raise reg_covar (now {reg_covar}), use fewer components or rescale the data")]
    NotPositiveDefinite { what: String, reg_covar: f64 },

    /// The GPU device could not be opened, rejected a kernel, ran out of memory or was lost.
    #[error("GPU: {0}")]
    Gpu(String),

    #[error("drawing failed: {0}")]
    Draw(String),

    #[error("{0}")]
    Io(String),
}

impl Error {
    pub fn invalid(param: &str, value: impl std::fmt::Display, allowed: impl Into<String>) -> Self {
        Error::InvalidParam {
            param: param.to_string(),
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }
}

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>>
    for Error
{
    fn from(e: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        Error::Draw(e.to_string())
    }
}
