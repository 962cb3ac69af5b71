//! Matrix decompositions for dimensionality reduction (chapter 9): principal component analysis.

pub mod pca;

pub use pca::{Pca, PcaParams};
