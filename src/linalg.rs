//! Dense solvers on `ndarray` data, backed by faer (pure Rust, builds for wasm). Only what the
//! estimators need: minimum-norm least squares by SVD, the SVD itself (PCA), symmetric
//! positive-definite solves, and (in `lanczos`) a few eigenpairs of a large symmetric matrix.

use crate::error::{Error, Result};
use faer::linalg::solvers::Solve;
use faer::Mat;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1};

pub mod envelope;
pub mod lanczos;

/// `a · b` over slices with four running sums, so the compiler vectorises it (and it rounds a
/// little more evenly than one running sum): the inner product of the Lanczos iteration and of
/// the envelope Cholesky's rows.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for t in 0..4 {
            acc[t] += x[t] * y[t];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Negates `v` if its entry of largest magnitude (the first, on ties) is negative, and says
/// whether it did: scikit-learn's sign convention for singular and eigenvectors (`svd_flip`),
/// which makes results independent of the solver that found them.
pub fn make_largest_positive(mut v: ArrayViewMut1<f64>) -> bool {
    let biggest = v
        .iter()
        .copied()
        .fold(0.0_f64, |m, x| if x.abs() > m.abs() { x } else { m });
    let flip = biggest < 0.0;
    if flip {
        v.mapv_inplace(|x| -x);
    }
    flip
}

fn to_faer(a: ArrayView2<f64>) -> Mat<f64> {
    to_faer_with(a, None)
}

/// `a` as a faer matrix, with `extra` as one more column after its own when given. Filled a
/// column at a time, as faer stores them.
fn to_faer_with(a: ArrayView2<f64>, extra: Option<ArrayView1<f64>>) -> Mat<f64> {
    let (m, n) = a.dim();
    let mut out = Mat::<f64>::zeros(m, n + usize::from(extra.is_some()));
    for (j, col) in a.columns().into_iter().chain(extra).enumerate() {
        for (dst, &v) in out.col_mut(j).iter_mut().zip(col) {
            *dst = v;
        }
    }
    out
}

/// The minimum-norm `x` minimising `||a x - b||`, like LAPACK's gelsd used by scikit-learn:
/// singular values below `eps * max(m, n) * s_max` are treated as zero.
///
/// A tall `a` (the usual case: more rows than features) is first reduced, as gelsd does, by a
/// Householder QR of `[a | b]` in place: `a = Q R` with `R` square, and the last column of the
/// factor holds `Qᵀ b`. `||a x - b||` then differs from `||R x - Qᵀ b||` by a constant, and `R`
/// has `a`'s singular values and right singular vectors, so the small SVD of `R` gives the same
/// minimum-norm answer for a fraction of the work of an SVD of `a` (20000 x 20: 2.4x faster).
pub fn lstsq(a: ArrayView2<f64>, b: ArrayView1<f64>) -> Result<Array1<f64>> {
    let (m, n) = a.dim();
    if m == 0 || n == 0 {
        return Ok(Array1::zeros(n));
    }
    if m <= n {
        return lstsq_svd(to_faer(a).as_ref(), |i| b[i], m.max(n));
    }
    let (r, qtb) = qr_reduce(a, Some(b));
    lstsq_svd(r.as_ref(), |i| qtb[i], m.max(n))
}

/// For a tall `a` (m > n): the square `R` of a Householder QR `a = Q R`, computed in place
/// without forming `Q`, and `Qᵀ b` for an optional `b` (carried along as an extra column, which
/// the same reflections turn into `Qᵀ b`).
fn qr_reduce(a: ArrayView2<f64>, b: Option<ArrayView1<f64>>) -> (Mat<f64>, Vec<f64>) {
    use faer::linalg::qr::no_pivoting::factor;
    let (m, n) = a.dim();
    let mut ab = to_faer_with(a, b);
    let cols = ab.ncols();
    let block = factor::recommended_block_size::<f64>(m, cols);
    let mut coeff = Mat::<f64>::zeros(block, cols.min(m));
    let par = faer::Par::Seq;
    let scratch = factor::qr_in_place_scratch::<f64>(m, cols, block, par, Default::default());
    factor::qr_in_place(
        ab.as_mut(),
        coeff.as_mut(),
        par,
        faer::dyn_stack::MemStack::new(&mut faer::dyn_stack::MemBuffer::new(scratch)),
        Default::default(),
    );
    // The factor's upper triangle is R; below it lie the Householder vectors, not part of R.
    let r = Mat::from_fn(n, n, |i, j| if i <= j { ab[(i, j)] } else { 0.0 });
    let qtb = if b.is_some() {
        (0..n).map(|i| ab[(i, n)]).collect()
    } else {
        Vec::new()
    };
    (r, qtb)
}

/// The minimum-norm solution of `a x = b` by the SVD of `a`, zeroing singular values below
/// `eps * size * s_max` (`size` is the larger side of the original problem).
fn lstsq_svd(a: faer::MatRef<f64>, b: impl Fn(usize) -> f64, size: usize) -> Result<Array1<f64>> {
    let (m, n) = (a.nrows(), a.ncols());
    let svd = a
        .thin_svd()
        .map_err(|e| Error::Numerical(format!("SVD did not converge ({e:?})")))?;
    let (u, s, v) = (svd.U(), svd.S().column_vector(), svd.V());
    let k = s.nrows();
    let s_max = (0..k).map(|i| s[i]).fold(0.0_f64, f64::max);
    let cutoff = f64::EPSILON * size as f64 * s_max;
    let mut x = Array1::zeros(n);
    for i in 0..k {
        if s[i] <= cutoff {
            continue;
        }
        let ub: f64 = (0..m).map(|r| u[(r, i)] * b(r)).sum();
        let coef = ub / s[i];
        for j in 0..n {
            x[j] += coef * v[(j, i)];
        }
    }
    Ok(x)
}

/// The thin SVD `a = u diag(s) vt`, singular values in decreasing order (as LAPACK returns them).
pub fn svd(a: ArrayView2<f64>) -> Result<(Array2<f64>, Array1<f64>, Array2<f64>)> {
    svd_of(to_faer(a).as_ref())
}

/// [`svd`] of a matrix already in faer's layout.
fn svd_of(a: faer::MatRef<f64>) -> Result<(Array2<f64>, Array1<f64>, Array2<f64>)> {
    let (m, n) = (a.nrows(), a.ncols());
    let k = m.min(n);
    if k == 0 {
        return Ok((
            Array2::zeros((m, 0)),
            Array1::zeros(0),
            Array2::zeros((0, n)),
        ));
    }
    let svd = a
        .thin_svd()
        .map_err(|e| Error::Numerical(format!("SVD did not converge ({e:?})")))?;
    let (u, s, v) = (svd.U(), svd.S().column_vector(), svd.V());
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&i, &j| s[j].total_cmp(&s[i]));
    let u_out = Array2::from_shape_fn((m, k), |(r, c)| u[(r, order[c])]);
    let s_out = Array1::from_iter(order.iter().map(|&i| s[i]));
    let vt_out = Array2::from_shape_fn((k, n), |(r, c)| v[(c, order[r])]);
    Ok((u_out, s_out, vt_out))
}

/// The singular values of `a` (decreasing) and its right singular vectors as the rows of `vt`,
/// as [`svd`] gives them but without `u`: for a tall `a` from the SVD of the square `R` of its
/// QR factorisation (same singular values and right vectors; the route gelsd takes), which on
/// PCA's 5000 x 50 is several times less work than the SVD of `a` itself.
pub fn svd_vt(a: ArrayView2<f64>) -> Result<(Array1<f64>, Array2<f64>)> {
    let (m, n) = a.dim();
    if m <= n || n == 0 {
        let (_, s, vt) = svd(a)?;
        return Ok((s, vt));
    }
    let (r, _) = qr_reduce(a, None);
    let (_, s, vt) = svd_of(r.as_ref())?;
    Ok((s, vt))
}

/// The eigendecomposition of a symmetric matrix: eigenvalues in increasing order (as LAPACK's
/// `eigh`) and the matching unit eigenvectors as columns.
pub fn eigh(a: ArrayView2<f64>) -> Result<(Array1<f64>, Array2<f64>)> {
    let n = a.nrows();
    if n == 0 {
        return Ok((Array1::zeros(0), Array2::zeros((0, 0))));
    }
    let evd = to_faer(a)
        .self_adjoint_eigen(faer::Side::Lower)
        .map_err(|e| Error::Numerical(format!("eigendecomposition did not converge ({e:?})")))?;
    let (u, s) = (evd.U(), evd.S().column_vector());
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| s[i].total_cmp(&s[j]));
    let values = Array1::from_iter(order.iter().map(|&i| s[i]));
    let vectors = Array2::from_shape_fn((n, n), |(r, c)| u[(r, order[c])]);
    Ok((values, vectors))
}

/// The orthonormal factor `q` of a thin QR decomposition `a = q r` (`m x min(m, n)`).
pub fn qr_q(a: ArrayView2<f64>) -> Array2<f64> {
    let (m, n) = a.dim();
    if m == 0 || n == 0 {
        return Array2::zeros((m, m.min(n)));
    }
    let q = to_faer(a).qr().compute_thin_Q();
    Array2::from_shape_fn((m, m.min(n)), |(r, c)| q[(r, c)])
}

/// Solves `a x = b` for symmetric positive-definite `a` by Cholesky.
pub fn solve_spd(a: ArrayView2<f64>, b: ArrayView1<f64>) -> Result<Array1<f64>> {
    let n = a.nrows();
    let llt = to_faer(a)
        .llt(faer::Side::Lower)
        .map_err(|_| Error::Numerical("matrix is not positive definite; increase alpha".into()))?;
    let rhs = Mat::from_fn(n, 1, |i, _| b[i]);
    let x = llt.solve(&rhs);
    Ok(Array1::from_iter((0..n).map(|i| x[(i, 0)])))
}

/// A Cholesky factorisation kept for many solves with the same matrix (LLE's shift-invert
/// iteration solves once per Lanczos step).
pub struct Cholesky {
    llt: faer::linalg::solvers::Llt<f64>,
}

impl Cholesky {
    /// Factorises a symmetric positive-definite `a` (only its lower half is read); `None` when
    /// it is not positive definite.
    pub fn new(a: ArrayView2<f64>) -> Option<Cholesky> {
        let llt = to_faer(a).llt(faer::Side::Lower).ok()?;
        Some(Cholesky { llt })
    }

    /// Overwrites `b` with `a⁻¹ b`.
    pub fn solve_in_place(&self, b: &mut [f64]) {
        let n = b.len();
        self.llt
            .solve_in_place(faer::MatMut::from_column_major_slice_mut(b, n, 1));
    }
}

/// The lower Cholesky factor `l` of a symmetric matrix (`a = l lᵀ`), or `None` when `a` is not
/// positive definite (or holds NaN).
pub fn cholesky_lower(a: ArrayView2<f64>) -> Option<Array2<f64>> {
    let n = a.nrows();
    let llt = to_faer(a).llt(faer::Side::Lower).ok()?;
    let l = llt.L();
    let out = Array2::from_shape_fn((n, n), |(i, j)| if j <= i { l[(i, j)] } else { 0.0 });
    (0..n)
        .all(|i| out[[i, i]].is_finite() && out[[i, i]] > 0.0)
        .then_some(out)
}

/// The inverse of a lower-triangular matrix with a non-zero diagonal, by forward substitution.
pub fn invert_lower(l: ArrayView2<f64>) -> Array2<f64> {
    let n = l.nrows();
    let mut inv = Array2::zeros((n, n));
    for c in 0..n {
        for r in c..n {
            let rhs = if r == c { 1.0 } else { 0.0 };
            let acc: f64 = (c..r).map(|k| l[[r, k]] * inv[[k, c]]).sum();
            inv[[r, c]] = (rhs - acc) / l[[r, r]];
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn lstsq_matches_exact_solution() {
        let a = array![[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]];
        let x_true = array![1.5, -0.5];
        let b = a.dot(&x_true);
        let x = lstsq(a.view(), b.view()).unwrap();
        assert!((&x - &x_true).iter().all(|d| d.abs() < 1e-12), "{x}");
    }

    #[test]
    fn lstsq_is_minimum_norm_when_rank_deficient() {
        // Two identical columns: any x1 + x2 = 2 fits; the minimum-norm one is (1, 1).
        let a = array![[1.0, 1.0], [2.0, 2.0]];
        let b = array![2.0, 4.0];
        let x = lstsq(a.view(), b.view()).unwrap();
        assert!(
            (x[0] - 1.0).abs() < 1e-12 && (x[1] - 1.0).abs() < 1e-12,
            "{x}"
        );
    }

    /// The QR reduction of a tall matrix gives the SVD route's minimum-norm answer, with full
    /// rank and with a repeated column (rank deficient: the tall branch must zero the same
    /// singular value).
    #[test]
    fn tall_qr_route_equals_the_svd_of_the_whole_matrix() {
        let mut rng = crate::rng::Rng::new(6);
        let mut a = Array2::from_shape_fn((300, 6), |_| rng.normal());
        let b = Array1::from_shape_fn(300, |_| rng.normal());
        for repeat in [false, true] {
            if repeat {
                let c = a.column(1).to_owned();
                a.column_mut(4).assign(&c);
            }
            let x = lstsq(a.view(), b.view()).unwrap();
            let whole = lstsq_svd(to_faer(a.view()).as_ref(), |i| b[i], 300).unwrap();
            for (p, q) in x.iter().zip(&whole) {
                assert!((p - q).abs() < 1e-12 * (1.0 + q.abs()), "{x} vs {whole}");
            }
            if repeat {
                // Minimum norm splits the repeated column's weight evenly.
                assert!((x[1] - x[4]).abs() < 1e-12, "{x}");
            }
        }
    }

    /// The QR route's singular values and right vectors equal the whole matrix's SVD (up to
    /// each vector's sign, which callers fix).
    #[test]
    fn svd_vt_of_a_tall_matrix_matches_the_full_svd() {
        let mut rng = crate::rng::Rng::new(8);
        let a = Array2::from_shape_fn((400, 7), |(_, j)| rng.normal() * (j + 1) as f64);
        let (_, s_full, vt_full) = svd(a.view()).unwrap();
        let (s, vt) = svd_vt(a.view()).unwrap();
        for (p, q) in s.iter().zip(&s_full) {
            assert!((p - q).abs() < 1e-12 * q, "{s} vs {s_full}");
        }
        for (row, full) in vt.rows().into_iter().zip(vt_full.rows()) {
            let sign = row.dot(&full).signum();
            for (p, q) in row.iter().zip(full) {
                assert!((p - sign * q).abs() < 1e-10, "{row} vs {full}");
            }
        }
    }

    #[test]
    fn cholesky_solves_spd_system() {
        let a = array![[4.0, 1.0], [1.0, 3.0]];
        let b = array![1.0, 2.0];
        let x = solve_spd(a.view(), b.view()).unwrap();
        assert!((a.dot(&x) - &b).iter().all(|d| d.abs() < 1e-12));
        assert!(solve_spd(array![[1.0, 2.0], [2.0, 1.0]].view(), b.view()).is_err());
    }

    #[test]
    fn cholesky_and_triangular_inverse() {
        let a = array![[4.0, 2.0, 0.4], [2.0, 3.0, 0.5], [0.4, 0.5, 2.0]];
        let l = cholesky_lower(a.view()).unwrap();
        assert!((l.dot(&l.t()) - &a).iter().all(|d| d.abs() < 1e-12));
        let inv = invert_lower(l.view());
        assert!((inv.dot(&l) - Array2::<f64>::eye(3))
            .iter()
            .all(|d| d.abs() < 1e-12));
        assert!(cholesky_lower(array![[1.0, 2.0], [2.0, 1.0]].view()).is_none());
        assert!(cholesky_lower(array![[f64::NAN, 0.0], [0.0, 1.0]].view()).is_none());
    }
}
