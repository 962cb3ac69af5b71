//! Eigen-solvers the manifold demo can run a slice at a time (a dense eigendecomposition of an
//! 800 x 800 matrix takes ~200 ms, far over a frame): a column-by-column Cholesky factorisation
//! with inverse subspace iteration for LLE's *smallest* eigenvectors, and plain subspace
//! iteration for Isomap's *largest*. The estimators in `decomposition` use a dense solver or
//! Lanczos (`linalg::lanczos`), which runs to the end in one call; the demo's results agree with
//! them to plotting accuracy.

use crate::linalg;
use crate::rng::Rng;
use ndarray::{Array1, Array2, Axis};

/// Orthonormal columns spanning `y` (thin QR), with `deflate` (unit vector) projected out first.
fn orthonormal(mut y: Array2<f64>, deflate: Option<&Array1<f64>>) -> Array2<f64> {
    if let Some(u) = deflate {
        for mut c in y.columns_mut() {
            let d = c.dot(u);
            c.scaled_add(-d, u);
        }
    }
    linalg::qr_q(y.view())
}

/// Random starting block of `b` columns.
fn start_block(n: usize, b: usize, seed: u64, deflate: Option<&Array1<f64>>) -> Array2<f64> {
    let mut rng = Rng::new(seed);
    orthonormal(Array2::from_shape_fn((n, b), |_| rng.normal()), deflate)
}

/// The largest relative change of the first `d` eigenvalue estimates (infinite at the start).
fn relative_change(new: &Array1<f64>, old: &Array1<f64>, d: usize) -> f64 {
    if old.len() != new.len() {
        return f64::INFINITY;
    }
    (0..d.min(new.len()))
        .map(|i| ((new[i] - old[i]) / new[i].abs().max(1e-300)).abs())
        .fold(0.0, f64::max)
}

/// Rayleigh-Ritz: the block rotated onto the eigenvectors of `qᵀ a q`, eigenvalues ascending.
fn ritz(a: &Array2<f64>, q: &Array2<f64>) -> Option<(Array1<f64>, Array2<f64>)> {
    let t = q.t().dot(&a.dot(q));
    let (vals, vecs) = linalg::eigh(t.view()).ok()?;
    Some((vals, q.dot(&vecs)))
}

/// The `d` smallest eigenpairs of a symmetric positive semi-definite `a` whose null vector
/// `null` is known (LLE's constant vector), by inverse subspace iteration on `a + shift I`.
pub struct SmallestEigen {
    a: Array2<f64>,
    /// Row-major lower Cholesky factor, filled one column at a time.
    l: Array2<f64>,
    next_col: usize,
    null: Array1<f64>,
    q: Array2<f64>,
    d: usize,
    pub iterations: usize,
    pub values: Array1<f64>,
}

impl SmallestEigen {
    pub fn new(a: Array2<f64>, d: usize, seed: u64) -> Self {
        let n = a.nrows();
        let trace: f64 = a.diag().sum();
        // A tiny shift keeps the factorisation defined although `a` is singular; inverse
        // iteration still converges fastest to the smallest eigenvalues.
        let shift = 1e-10 * trace.max(1.0) / n.max(1) as f64;
        let mut shifted = a.clone();
        shifted.diag_mut().mapv_inplace(|v| v + shift);
        let null = Array1::from_elem(n, 1.0 / (n as f64).sqrt());
        let b = (d + 2).min(n.saturating_sub(1)).max(1);
        SmallestEigen {
            q: start_block(n, b, seed, Some(&null)),
            l: shifted,
            a,
            next_col: 0,
            null,
            d,
            iterations: 0,
            values: Array1::zeros(0),
        }
    }

    pub fn factorised(&self) -> bool {
        self.next_col >= self.l.nrows()
    }

    /// Factorises columns until about `flops` multiply-adds are spent. `false` if `a` is not
    /// positive definite (cannot happen for LLE's matrix plus the shift, but never panic).
    pub fn factorise(&mut self, flops: usize) -> bool {
        let n = self.l.nrows();
        let mut spent = 0;
        while self.next_col < n && spent < flops {
            let j = self.next_col;
            // Left-looking: column j from the finished columns 0..j (row-major rows are contiguous).
            let (done, mut rest) = self.l.view_mut().split_at(Axis(0), j);
            let _ = done;
            let row_j: Vec<f64> = rest.row(0).iter().take(j).copied().collect();
            let djj = rest[[0, j]] - row_j.iter().map(|v| v * v).sum::<f64>();
            if djj <= 0.0 || !djj.is_finite() {
                return false;
            }
            let ljj = djj.sqrt();
            rest[[0, j]] = ljj;
            for i in 1..n - j {
                let dot: f64 = rest.row(i).iter().zip(&row_j).map(|(a, b)| a * b).sum();
                rest[[i, j]] = (rest[[i, j]] - dot) / ljj;
            }
            spent += (n - j) * j.max(1);
            self.next_col += 1;
        }
        true
    }

    /// Solves `(a + shift) x = b` with the finished factor.
    fn solve(&self, b: &mut [f64]) {
        let n = b.len();
        for i in 0..n {
            let s: f64 = (0..i).map(|k| self.l[[i, k]] * b[k]).sum();
            b[i] = (b[i] - s) / self.l[[i, i]];
        }
        for i in (0..n).rev() {
            let s: f64 = (i + 1..n).map(|k| self.l[[k, i]] * b[k]).sum();
            b[i] = (b[i] - s) / self.l[[i, i]];
        }
    }

    /// One inverse iteration; returns the largest relative change of the wanted eigenvalues.
    pub fn iterate(&mut self) -> f64 {
        let mut y = self.q.clone();
        for mut c in y.columns_mut() {
            let mut v = c.to_vec();
            self.solve(&mut v);
            c.assign(&Array1::from(v));
        }
        self.q = orthonormal(y, Some(&self.null));
        let Some((vals, vecs)) = ritz(&self.a, &self.q) else {
            return f64::NAN;
        };
        self.q = vecs;
        let change = relative_change(&vals, &self.values, self.d);
        self.values = vals;
        self.iterations += 1;
        change
    }

    /// The `d` eigenvectors as columns (smallest eigenvalue first).
    pub fn vectors(&self) -> Array2<f64> {
        self.q.slice(ndarray::s![.., ..self.d]).to_owned()
    }
}

/// The `d` largest eigenpairs of a symmetric `a` by subspace iteration with a block of `d + 2`.
pub struct LargestEigen {
    a: Array2<f64>,
    q: Array2<f64>,
    d: usize,
    pub iterations: usize,
    /// Descending.
    pub values: Array1<f64>,
}

impl LargestEigen {
    pub fn new(a: Array2<f64>, d: usize, seed: u64) -> Self {
        let n = a.nrows();
        let b = (d + 2).min(n).max(1);
        LargestEigen {
            q: start_block(n, b, seed, None),
            a,
            d,
            iterations: 0,
            values: Array1::zeros(0),
        }
    }

    pub fn iterate(&mut self) -> f64 {
        self.q = orthonormal(self.a.dot(&self.q), None);
        let Some((vals, vecs)) = ritz(&self.a, &self.q) else {
            return f64::NAN;
        };
        let b = vals.len();
        // Reverse to descending order.
        let vals = Array1::from_iter((0..b).rev().map(|i| vals[i]));
        self.q = Array2::from_shape_fn(vecs.dim(), |(r, c)| vecs[[r, b - 1 - c]]);
        let change = relative_change(&vals, &self.values, self.d);
        self.values = vals;
        self.iterations += 1;
        change
    }

    /// Kernel PCA coordinates: the top `d` eigenvectors scaled by the root of their eigenvalues.
    pub fn embedding(&self) -> Array2<f64> {
        Array2::from_shape_fn((self.q.nrows(), self.d), |(r, c)| {
            self.q[[r, c]] * self.values[c].max(0.0).sqrt()
        })
    }
}
