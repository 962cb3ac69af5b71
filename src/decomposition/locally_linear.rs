//! Locally linear embedding, as scikit-learn's `LocallyLinearEmbedding(method="standard",
//! eigen_solver="dense")` (Roweis & Saul 2000), in its two steps:
//! 1. each point is written as the weighted average of its `n_neighbors` nearest neighbours that
//!    reconstructs it best (weights summing to 1, found from the regularised local Gram matrix);
//! 2. the low-dimensional points that the *same* weights reconstruct best are the eigenvectors of
//!    `M = (I - W)ᵀ (I - W)` with the smallest eigenvalues after the constant one.
//!
//! The steps are public so the chapter's demo can spread them over animation frames.

use super::neighbors::{check_params, check_sizes, knn_graph, nearest, Neighbours};
use crate::data::{check_x, check_x_fit, Dataset};
use crate::error::{Error, Result};
use crate::estimator::Fit;
use crate::linalg;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// scikit-learn's defaults: 5 neighbours, 2 components, `reg = 1e-3`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LocallyLinearEmbeddingParams {
    pub n_neighbors: usize,
    pub n_components: usize,
    pub reg: f64,
}

impl Default for LocallyLinearEmbeddingParams {
    fn default() -> Self {
        LocallyLinearEmbeddingParams {
            n_neighbors: 5,
            n_components: 2,
            reg: 1e-3,
        }
    }
}

impl LocallyLinearEmbeddingParams {
    pub fn n_neighbors(mut self, k: usize) -> Self {
        self.n_neighbors = k;
        self
    }
    pub fn n_components(mut self, d: usize) -> Self {
        self.n_components = d;
        self
    }
    pub fn reg(mut self, reg: f64) -> Self {
        self.reg = reg;
        self
    }

    /// Validates the parameters against data `x` (also what the demo calls before its steps).
    pub fn check(&self, x: ArrayView2<f64>) -> Result<()> {
        self.validate()?;
        check_x_fit(x)?;
        check_sizes(self.n_neighbors, self.n_components, x)
    }

    pub fn fit_x(&self, x: ArrayView2<f64>) -> Result<LocallyLinearEmbedding> {
        self.check(x)?;
        let graph = knn_graph(x, self.n_neighbors);
        let weights: Vec<Vec<f64>> = graph
            .iter()
            .enumerate()
            .map(|(i, nb)| barycenter_weights(x.row(i), x, nb, self.reg))
            .collect::<Result<_>>()?;
        let (embedding, reconstruction_error) = embed(&graph, &weights, self.n_components)?;
        Ok(LocallyLinearEmbedding {
            embedding,
            reconstruction_error,
            x_fit: x.to_owned(),
            params: self.clone(),
        })
    }
}

impl Fit for LocallyLinearEmbeddingParams {
    type Model = LocallyLinearEmbedding;
    fn validate(&self) -> Result<()> {
        check_params(self.n_neighbors, self.n_components)?;
        if !(self.reg >= 0.0 && self.reg.is_finite()) {
            return Err(Error::invalid("reg", self.reg, "a finite number >= 0"));
        }
        Ok(())
    }
    fn fit(&self, data: &Dataset) -> Result<LocallyLinearEmbedding> {
        self.fit_x(data.x.view())
    }
}

/// Step 1 for one point: the weights (summing to 1) of its neighbours `nb` (rows of `data`) that
/// best reconstruct `point`, with the local Gram matrix's diagonal raised by `reg` times its trace.
pub fn barycenter_weights(
    point: ArrayView1<f64>,
    data: ArrayView2<f64>,
    nb: &Neighbours,
    reg: f64,
) -> Result<Vec<f64>> {
    let k = nb.len();
    let diffs: Vec<Vec<f64>> = nb
        .iter()
        .map(|&(j, _)| {
            data.row(j)
                .iter()
                .zip(point.iter())
                .map(|(a, b)| a - b)
                .collect()
        })
        .collect();
    let mut gram = Array2::from_shape_fn((k, k), |(a, b)| {
        diffs[a].iter().zip(&diffs[b]).map(|(u, v)| u * v).sum()
    });
    let trace: f64 = gram.diag().sum();
    let r = if trace > 0.0 { reg * trace } else { reg };
    gram.diag_mut().mapv_inplace(|v| v + r);
    let w = linalg::solve_spd(gram.view(), Array1::ones(k).view()).map_err(|_| {
        Error::Numerical("a neighbourhood's Gram matrix is singular: raise reg".into())
    })?;
    let total: f64 = w.sum();
    Ok(w.iter().map(|v| v / total).collect())
}

/// `M = (I - W)ᵀ (I - W)` as a dense matrix, from each point's neighbours and weights.
pub fn cost_matrix(graph: &[Neighbours], weights: &[Vec<f64>]) -> Array2<f64> {
    let n = graph.len();
    let mut m = Array2::zeros((n, n));
    for (i, (nb, w)) in graph.iter().zip(weights).enumerate() {
        // Row i of I - W: +1 at i, -w at each neighbour.
        let entries: Vec<(usize, f64)> = std::iter::once((i, 1.0))
            .chain(nb.iter().zip(w).map(|(&(j, _), &wj)| (j, -wj)))
            .collect();
        for &(a, va) in &entries {
            for &(b, vb) in &entries {
                m[[a, b]] += va * vb;
            }
        }
    }
    m
}

/// Step 2: the eigenvectors of `M` for the 2nd to `(d+1)`th smallest eigenvalues (the first is the
/// constant vector), and the sum of those eigenvalues (`reconstruction_error`).
pub fn embed(graph: &[Neighbours], weights: &[Vec<f64>], d: usize) -> Result<(Array2<f64>, f64)> {
    let m = cost_matrix(graph, weights);
    let (values, vectors) = linalg::eigh(m.view())?;
    let n = values.len();
    if d + 1 > n {
        return Err(Error::invalid(
            "n_components",
            d,
            format!("less than the number of samples ({n})"),
        ));
    }
    let embedding = vectors.slice(ndarray::s![.., 1..=d]).to_owned();
    Ok((embedding, values.slice(ndarray::s![1..=d]).sum()))
}

/// A fitted embedding of the training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocallyLinearEmbedding {
    /// `n_samples x n_components`: the training rows' coordinates.
    pub embedding: Array2<f64>,
    pub reconstruction_error: f64,
    /// The training rows, kept to place new points.
    pub x_fit: Array2<f64>,
    pub params: LocallyLinearEmbeddingParams,
}

impl LocallyLinearEmbedding {
    pub fn params() -> LocallyLinearEmbeddingParams {
        LocallyLinearEmbeddingParams::default()
    }

    /// Places new rows: each is reconstructed from its nearest training rows, and the same weights
    /// combine their embedded coordinates (scikit-learn's `transform`).
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(x, self.x_fit.ncols())?;
        let d = self.embedding.ncols();
        let mut out = Array2::zeros((x.nrows(), d));
        for (i, row) in x.rows().into_iter().enumerate() {
            let nb = nearest(self.x_fit.view(), row, self.params.n_neighbors, None);
            let w = barycenter_weights(row, self.x_fit.view(), &nb, self.params.reg)?;
            for (&(j, _), wj) in nb.iter().zip(&w) {
                out.row_mut(i).scaled_add(*wj, &self.embedding.row(j));
            }
        }
        Ok(out)
    }
}
