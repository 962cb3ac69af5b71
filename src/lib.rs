//! mlplay: a machine-learning playground. Algorithms are plain Rust on `ndarray`; demos wrap them
//! with parameters, time-sliced steps and plots; `web` mounts demos in the page (wasm only).

pub mod autodiff;
pub mod chapters;
pub mod cluster;
pub mod data;
pub mod decomposition;
pub mod demos;
pub mod ensemble;
pub mod error;
pub mod estimator;
pub mod fit;
pub mod fit_curves;
pub mod fit_cv;
pub mod fit_preprocess;
pub mod fit_search;
pub mod linalg;
pub mod linear;
pub mod metrics;
pub mod model_selection;
pub mod neighbors;
pub mod nn;
pub mod preprocessing;
pub mod rng;
pub mod state;
pub mod svm;
pub mod tensor;
pub mod tree;
pub mod viz;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::{Error, Result};
