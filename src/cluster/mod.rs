//! Clustering (chapter 9): k-means by Lloyd's algorithm and by mini-batches, DBSCAN, Gaussian
//! mixtures fitted by EM, and the silhouette coefficient used to compare clusterings without labels.

pub mod dbscan;
pub mod gaussian_mixture;
pub mod kmeans;
pub mod minibatch_kmeans;
mod mixture_math;
mod mixture_run;
pub mod silhouette;

pub use dbscan::{Dbscan, DbscanParams};
pub use gaussian_mixture::{
    CovarianceType, Covariances, GaussianMixture, GaussianMixtureParams, MixtureInit,
    PrecisionsInit,
};
pub use kmeans::{InitMethod, KMeans, KMeansInit, KMeansParams, KMeansRun};
pub use minibatch_kmeans::{MiniBatchKMeansParams, MiniBatchKMeansRun};
pub use mixture_run::GaussianMixtureRun;
pub use silhouette::{silhouette_samples, silhouette_score};

use ndarray::{ArrayView1, ArrayView2};

/// Squared Euclidean distance between two rows (array views or plain slices).
pub(crate) fn sq_dist<'a>(
    a: impl IntoIterator<Item = &'a f64>,
    b: impl IntoIterator<Item = &'a f64>,
) -> f64 {
    a.into_iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// The index of the closest row of `centers` to `x` (the first on ties) and its squared distance.
pub(crate) fn nearest(x: ArrayView1<f64>, centers: ArrayView2<f64>) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (j, c) in centers.rows().into_iter().enumerate() {
        let d = sq_dist(x, c);
        if d < best.1 {
            best = (j, d);
        }
    }
    best
}
