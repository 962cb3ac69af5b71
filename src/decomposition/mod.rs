//! Dimensionality reduction (chapter 8): principal component analysis (full or randomized SVD,
//! and batch by batch), random projections, and the manifold learners locally linear embedding
//! and Isomap.

pub mod incremental_pca;
pub mod isomap;
pub mod locally_linear;
pub(crate) mod neighbors;
pub mod pca;
pub mod random_projection;
pub mod randomized_svd;

pub use incremental_pca::{IncrementalPca, IncrementalPcaParams};
pub use isomap::{EigenSolver, Isomap, IsomapParams};
pub use locally_linear::{LocallyLinearEmbedding, LocallyLinearEmbeddingParams};
pub use pca::{NComponents, Pca, PcaParams, SvdSolver};
pub use random_projection::{
    johnson_lindenstrauss_min_dim, GaussianRandomProjection, GaussianRandomProjectionParams,
    SparseRandomProjection, SparseRandomProjectionParams,
};
pub use randomized_svd::{randomized_svd, PowerIterationNormalizer, RandomizedSvd};
