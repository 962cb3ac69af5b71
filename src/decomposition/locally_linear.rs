//! Locally linear embedding, as scikit-learn's `LocallyLinearEmbedding(method="standard")`
//! (Roweis & Saul 2000), in its two steps:
//! 1. each point is written as the weighted average of its `n_neighbors` nearest neighbours that
//!    reconstructs it best (weights summing to 1, found from the regularised local Gram matrix);
//! 2. the low-dimensional points that the *same* weights reconstruct best are the eigenvectors of
//!    `M = (I - W)ᵀ (I - W)` with the smallest eigenvalues after the constant one. Those come
//!    from a dense eigendecomposition or, as scikit-learn's default does for more than 200 points,
//!    from a Lanczos iteration on `(M + σI)⁻¹` (`eigen_solver`, see `isomap::EigenSolver`): one
//!    Cholesky factorisation and a few dozen solves instead of the full spectrum.
//!
//! The steps are public so the chapter's demo can spread them over animation frames.

use super::isomap::{EigenSolver, LANCZOS_TOL};
use super::neighbors::{check_params, check_sizes, knn_graph, nearest, Neighbours};
use crate::data::{check_x, check_x_fit, Dataset};
use crate::error::{Error, Result};
use crate::estimator::Fit;
use crate::linalg;
use crate::linalg::envelope::EnvelopeCholesky;
use crate::linalg::lanczos;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// scikit-learn's defaults: 5 neighbours, 2 components, `reg = 1e-3`, `eigen_solver="auto"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LocallyLinearEmbeddingParams {
    pub n_neighbors: usize,
    pub n_components: usize,
    pub reg: f64,
    pub eigen_solver: EigenSolver,
}

impl Default for LocallyLinearEmbeddingParams {
    fn default() -> Self {
        LocallyLinearEmbeddingParams {
            n_neighbors: 5,
            n_components: 2,
            reg: 1e-3,
            eigen_solver: EigenSolver::Auto,
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

    pub fn fit_x(&self, x: ArrayView2<f64>) -> Result<LocallyLinearEmbedding> {
        self.check(x)?;
        let graph = knn_graph(x, self.n_neighbors);
        let weights: Vec<Vec<f64>> = graph
            .iter()
            .enumerate()
            .map(|(i, nb)| barycenter_weights(x.row(i), x, nb, self.reg))
            .collect::<Result<_>>()?;
        let (embedding, reconstruction_error) =
            embed(&graph, &weights, self.n_components, self.eigen_solver)?;
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
/// constant vector), and the sum of those eigenvalues (`reconstruction_error`). Each vector's
/// largest |entry| is made positive, so both solvers give the same signs.
pub fn embed(
    graph: &[Neighbours],
    weights: &[Vec<f64>],
    d: usize,
    solver: EigenSolver,
) -> Result<(Array2<f64>, f64)> {
    let m = cost_matrix(graph, weights);
    let n = m.nrows();
    if d + 1 > n {
        return Err(Error::invalid(
            "n_components",
            d,
            format!("less than the number of samples ({n})"),
        ));
    }
    let (values, mut embedding) = match solver.resolve(n, d + 1) {
        EigenSolver::Arpack => smallest_after_constant(&m, d)?,
        _ => {
            let (values, vectors) = linalg::eigh(m.view())?;
            (
                values.slice(ndarray::s![1..=d]).to_owned(),
                vectors.slice(ndarray::s![.., 1..=d]).to_owned(),
            )
        }
    };
    lanczos::fix_signs(&mut embedding);
    Ok((embedding, values.sum()))
}

/// A factorisation of `M + σI`, sparse when the neighbourhoods allow.
enum Factor {
    Envelope(EnvelopeCholesky),
    Dense(linalg::Cholesky),
}

/// The `d` smallest eigenpairs of the positive semi-definite `m` orthogonal to the constant vector
/// (its null vector: each row of `W` sums to one), by Lanczos on `(m + σI)⁻¹`, whose largest
/// eigenvalues `1 / (λ + σ)` belong to the smallest `λ` and stand far apart from the rest.
/// Keeping the iteration orthogonal to the constant vector means the huge `1 / σ` never enters,
/// so a tiny `σ` (only there to make the factorisation exist) costs no accuracy.
fn smallest_after_constant(m: &Array2<f64>, d: usize) -> Result<(Array1<f64>, Array2<f64>)> {
    let n = m.nrows();
    let scale = m.diag().mean().unwrap_or(1.0).max(f64::MIN_POSITIVE);
    let mut shift = 1e-10 * scale;
    let factor = loop {
        // `M` couples each point to its neighbours' neighbours only: reordered, it is a narrow
        // band whose factor is far cheaper than a dense one (which stays the fallback).
        if let Some(f) = EnvelopeCholesky::new(m.view(), shift, 0.125) {
            break Factor::Envelope(f);
        }
        let mut shifted = m.clone();
        shifted.diag_mut().mapv_inplace(|v| v + shift);
        if let Some(f) = linalg::Cholesky::new(shifted.view()) {
            break Factor::Dense(f);
        }
        // Rounding can leave a pivot of a singular matrix negative: a larger shift only slows
        // convergence a little.
        shift *= 100.0;
        if shift > scale {
            return Err(Error::Numerical(
                "LLE's matrix could not be factorised: use eigen_solver=\"dense\"".into(),
            ));
        }
    };
    let constant = vec![1.0 / (n as f64).sqrt(); n];
    let apply = |x: &[f64], y: &mut [f64]| {
        y.copy_from_slice(x);
        match &factor {
            Factor::Envelope(f) => f.solve_in_place(y),
            Factor::Dense(f) => f.solve_in_place(y),
        }
        let c: f64 = y.iter().zip(&constant).map(|(a, b)| a * b).sum();
        y.iter_mut().zip(&constant).for_each(|(a, b)| *a -= c * b);
    };
    let excluded = [constant.clone()];
    let (_, vectors) = lanczos::largest_eigenpairs(n, d, apply, &excluded, LANCZOS_TOL)?;
    // Eigenvalues as Rayleigh quotients of `m` itself: exact to the square of the vectors' error,
    // where `1 / θ - σ` would lose the digits of tiny eigenvalues.
    let values = Array1::from_iter(vectors.columns().into_iter().map(|v| v.dot(&m.dot(&v))));
    Ok((values, vectors))
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
