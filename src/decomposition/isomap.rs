//! Isomap, as scikit-learn's `Isomap` (Tenenbaum, de Silva & Langford 2000):
//! connect each point to its `n_neighbors` nearest neighbours, measure distances *along* that graph
//! (shortest paths, Dijkstra from every point), then place the points so their ordinary distances
//! match those geodesic ones as well as possible: kernel PCA of `-D²/2` (classical scaling).
//! A neighbour graph in several pieces has no path between them, which is an error here.
//! The top eigenpairs come from a dense eigendecomposition or, as scikit-learn's default does for
//! more than 200 points, from a Lanczos iteration (`eigen_solver`): same answer, far less work.
//!
//! The steps are public so the chapter's demo can spread them over animation frames.

use super::neighbors::{check_params, check_sizes, knn_graph, nearest, Neighbours};
use crate::data::{check_x, check_x_fit, Dataset};
use crate::error::{Error, Result};
use crate::estimator::Fit;
use crate::linalg;
use crate::linalg::lanczos;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// How Isomap and LLE find their eigenvectors, as scikit-learn's `eigen_solver`: `dense` takes
/// the full eigendecomposition, `arpack` a Lanczos iteration (ours, standing in for ARPACK) that
/// only finds the few pairs wanted; `auto` takes `arpack` for more than 200 points when fewer than
/// 10 eigenvectors are wanted, `dense` otherwise. Both give the same embedding to ~1e-8 or better
/// (`tests/decomposition_eigen_solver.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EigenSolver {
    #[default]
    Auto,
    Dense,
    Arpack,
}

impl EigenSolver {
    /// `Auto` resolved for `n` points and `wanted` eigenvectors (scikit-learn's rule).
    pub fn resolve(self, n: usize, wanted: usize) -> EigenSolver {
        match self {
            EigenSolver::Auto if n > 200 && wanted < 10 => EigenSolver::Arpack,
            EigenSolver::Auto => EigenSolver::Dense,
            other => other,
        }
    }
}

/// Residual tolerance of the Lanczos iteration relative to each eigenvalue: far tighter than
/// scikit-learn's parity tests need, and reached in a few dozen products on a swiss roll.
pub(crate) const LANCZOS_TOL: f64 = 1e-13;

/// scikit-learn's defaults: 5 neighbours, 2 components, `eigen_solver="auto"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IsomapParams {
    pub n_neighbors: usize,
    pub n_components: usize,
    pub eigen_solver: EigenSolver,
}

impl Default for IsomapParams {
    fn default() -> Self {
        IsomapParams {
            n_neighbors: 5,
            n_components: 2,
            eigen_solver: EigenSolver::Auto,
        }
    }
}

impl IsomapParams {
    pub fn n_neighbors(mut self, k: usize) -> Self {
        self.n_neighbors = k;
        self
    }
    pub fn n_components(mut self, d: usize) -> Self {
        self.n_components = d;
        self
    }
    pub fn eigen_solver(mut self, solver: EigenSolver) -> Self {
        self.eigen_solver = solver;
        self
    }

    /// Validates the parameters against data `x` (also what the demo calls before its steps).
    pub fn check(&self, x: ArrayView2<f64>) -> Result<()> {
        self.validate()?;
        check_x_fit(x)?;
        check_sizes(self.n_neighbors, self.n_components, x)
    }

    pub fn fit_x(&self, x: ArrayView2<f64>) -> Result<Isomap> {
        self.check(x)?;
        let graph = symmetric_graph(&knn_graph(x, self.n_neighbors));
        let n = x.nrows();
        let mut dist = Array2::zeros((n, n));
        for i in 0..n {
            let row = shortest_paths(&graph, i);
            check_connected(&row, self.n_neighbors)?;
            dist.row_mut(i).assign(&Array1::from(row));
        }
        let kpca = KernelPca::fit(&dist, self.n_components, self.eigen_solver)?;
        Ok(Isomap {
            embedding: kpca.embedding(),
            dist_matrix: dist,
            kernel_pca: kpca,
            x_fit: x.to_owned(),
            params: self.clone(),
        })
    }
}

impl Fit for IsomapParams {
    type Model = Isomap;
    fn validate(&self) -> Result<()> {
        check_params(self.n_neighbors, self.n_components)
    }
    fn fit(&self, data: &Dataset) -> Result<Isomap> {
        self.fit_x(data.x.view())
    }
}

/// The undirected neighbour graph: an edge wherever either end lists the other.
pub fn symmetric_graph(knn: &[Neighbours]) -> Vec<Neighbours> {
    let mut adj: Vec<Neighbours> = knn.to_vec();
    for (i, nb) in knn.iter().enumerate() {
        for &(j, d) in nb {
            if !knn[j].iter().any(|&(t, _)| t == i) {
                adj[j].push((i, d));
            }
        }
    }
    adj
}

/// Dijkstra from `source`: the graph distance to every node (infinite where no path exists).
pub fn shortest_paths(graph: &[Neighbours], source: usize) -> Vec<f64> {
    let mut dist = vec![f64::INFINITY; graph.len()];
    let mut heap = BinaryHeap::new();
    dist[source] = 0.0;
    // Distances are >= 0, so their bit patterns order like the numbers.
    heap.push(Reverse((0.0_f64.to_bits(), source)));
    while let Some(Reverse((bits, u))) = heap.pop() {
        let du = f64::from_bits(bits);
        if du > dist[u] {
            continue;
        }
        for &(v, w) in &graph[u] {
            let dv = du + w;
            if dv < dist[v] {
                dist[v] = dv;
                heap.push(Reverse((dv.to_bits(), v)));
            }
        }
    }
    dist
}

/// A row of graph distances with an unreachable node means the graph is in pieces.
pub fn check_connected(row: &[f64], n_neighbors: usize) -> Result<()> {
    let unreachable = row.iter().filter(|d| !d.is_finite()).count();
    if unreachable > 0 {
        return Err(Error::invalid(
            "n_neighbors",
            n_neighbors,
            format!(
                "large enough to connect the neighbour graph ({unreachable} points cannot be \
                 reached from the others): use more neighbours"
            ),
        ));
    }
    Ok(())
}

/// Kernel PCA of the precomputed kernel `-D²/2`, as scikit-learn's `KernelPCA(kernel=
/// "precomputed")`: double centring, top eigenpairs (negative eigenvalues clipped to 0), each
/// eigenvector's largest |entry| made positive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KernelPca {
    pub eigenvalues: Array1<f64>,
    /// `n_samples x n_components`, unit columns.
    pub eigenvectors: Array2<f64>,
    /// Column means of the training kernel and their mean (for centring new rows).
    pub fit_col_means: Array1<f64>,
    pub fit_all_mean: f64,
    /// The squared Frobenius norm of the centred training kernel (for the reconstruction error).
    pub centred_norm2: f64,
}

impl KernelPca {
    /// Fits on the geodesic distances `dist`, finding the top `d` eigenpairs with `solver`.
    pub fn fit(dist: &Array2<f64>, d: usize, solver: EigenSolver) -> Result<KernelPca> {
        let n = dist.nrows();
        let mut k = dist.mapv(|v| -0.5 * v * v);
        let col = k.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(n));
        let all = col.mean().unwrap_or(0.0);
        let row = k.mean_axis(Axis(1)).unwrap_or_else(|| Array1::zeros(n));
        k -= &col;
        k -= &row.insert_axis(Axis(1));
        k += all;
        let centred_norm2 = k.mapv(|v| v * v).sum();
        let d = d.min(n);
        let (values, mut eigenvectors) = match solver.resolve(n, d) {
            EigenSolver::Arpack => top_eigenpairs_lanczos(&k, d)?,
            _ => top_eigenpairs_dense(&k, d)?,
        };
        let eigenvalues = values.mapv(|v| v.max(0.0));
        lanczos::fix_signs(&mut eigenvectors);
        Ok(KernelPca {
            eigenvalues,
            eigenvectors,
            fit_col_means: col,
            fit_all_mean: all,
            centred_norm2,
        })
    }

    /// The training points' coordinates: eigenvectors scaled by the square roots of eigenvalues.
    pub fn embedding(&self) -> Array2<f64> {
        &self.eigenvectors * &self.eigenvalues.mapv(f64::sqrt)
    }
}

/// The `d` largest eigenpairs of the symmetric `k`, largest first, from the full decomposition.
fn top_eigenpairs_dense(k: &Array2<f64>, d: usize) -> Result<(Array1<f64>, Array2<f64>)> {
    let n = k.nrows();
    let (values, vectors) = linalg::eigh(k.view())?;
    let top = Array1::from_iter((0..d).map(|c| values[n - 1 - c]));
    let cols = Array2::from_shape_fn((n, d), |(r, c)| vectors[[r, n - 1 - c]]);
    Ok((top, cols))
}

/// The same pairs by Lanczos: each step is one product with the (dense, row-major) kernel.
fn top_eigenpairs_lanczos(k: &Array2<f64>, d: usize) -> Result<(Array1<f64>, Array2<f64>)> {
    let apply = |x: &[f64], y: &mut [f64]| {
        let x = ndarray::ArrayView1::from(x);
        for (yi, row) in y.iter_mut().zip(k.rows()) {
            *yi = row.dot(&x);
        }
    };
    lanczos::largest_eigenpairs(k.nrows(), d, apply, &[], LANCZOS_TOL)
}

/// A fitted Isomap embedding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Isomap {
    /// `n_samples x n_components`.
    pub embedding: Array2<f64>,
    /// Geodesic (shortest-path) distances between the training points.
    pub dist_matrix: Array2<f64>,
    pub kernel_pca: KernelPca,
    pub x_fit: Array2<f64>,
    pub params: IsomapParams,
}

impl Isomap {
    pub fn params() -> IsomapParams {
        IsomapParams::default()
    }

    /// How far the embedding's distances are from the geodesic ones, as scikit-learn's
    /// `reconstruction_error()`: `sqrt(||K||² - Σλ²) / n` with `K` the centred kernel.
    pub fn reconstruction_error(&self) -> f64 {
        let n = self.dist_matrix.nrows().max(1) as f64;
        let kept: f64 = self.kernel_pca.eigenvalues.mapv(|v| v * v).sum();
        (self.kernel_pca.centred_norm2 - kept).max(0.0).sqrt() / n
    }

    /// Places new rows: geodesic distance to each training point through the row's nearest
    /// training neighbours, then the kernel PCA projection (scikit-learn's `transform`).
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(x, self.x_fit.ncols())?;
        let n = self.x_fit.nrows();
        let kp = &self.kernel_pca;
        let mut kx = Array2::zeros((x.nrows(), n));
        for (i, row) in x.rows().into_iter().enumerate() {
            let nb = nearest(self.x_fit.view(), row, self.params.n_neighbors, None);
            for j in 0..n {
                let g = nb
                    .iter()
                    .map(|&(t, d)| self.dist_matrix[[t, j]] + d)
                    .fold(f64::INFINITY, f64::min);
                kx[[i, j]] = -0.5 * g * g;
            }
        }
        let row_means = kx.mean_axis(Axis(1)).unwrap_or_else(|| Array1::zeros(0));
        kx -= &kp.fit_col_means;
        kx -= &row_means.insert_axis(Axis(1));
        kx += kp.fit_all_mean;
        let mut alphas = kp.eigenvectors.clone();
        for (c, &l) in kp.eigenvalues.iter().enumerate() {
            let scale = if l > 0.0 { 1.0 / l.sqrt() } else { 0.0 };
            alphas.column_mut(c).mapv_inplace(|v| v * scale);
        }
        Ok(kx.dot(&alphas).slice(s![.., ..]).to_owned())
    }
}
