//! A few extreme eigenpairs of a large symmetric matrix that is only ever multiplied by vectors:
//! our counterpart of the ARPACK routine scikit-learn calls for `eigen_solver="arpack"`. Isomap
//! uses it for the largest eigenpairs of its centred kernel, LLE for the smallest of its cost
//! matrix (as the largest of a shifted inverse).
//!
//! The method is Lanczos with full reorthogonalisation: each new basis vector is orthogonalised
//! against every earlier one, twice, so the basis stays orthonormal to rounding and converged
//! eigenvalues never reappear as spurious copies. When the basis is full it shrinks to the best
//! Ritz vectors plus the last residual direction and grows again ("thick restart", Wu & Simon
//! 2000), which converges like an unrestarted run while keeping memory at a few dozen vectors.

use super::{dot, eigh};
use crate::error::{Error, Result};
use crate::rng::Rng;
use ndarray::{s, Array1, Array2};

/// The start vector (and any vector drawn after a breakdown) comes from this seed, so a fit is
/// reproducible; only the converged answer matters, and it does not depend on the seed.
const START_SEED: u64 = 0x1a9c_2057;

/// Gives up after this many basis extensions per wanted eigenpair (plus a fixed allowance):
/// convergence normally takes a few dozen in all.
const MAX_PRODUCTS_PER_PAIR: usize = 2_000;

fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// `w` minus its components along `basis` (orthonormal vectors), done twice ("twice is enough",
/// Kahan and Parlett): one classical Gram-Schmidt pass loses orthogonality when `w` is mostly
/// inside the span. Returns the removed coefficients.
fn orthogonalise(w: &mut [f64], basis: &[Vec<f64>]) -> Vec<f64> {
    let mut coef = vec![0.0; basis.len()];
    for _ in 0..2 {
        let c: Vec<f64> = basis.iter().map(|v| dot(v, w)).collect();
        for (v, &ci) in basis.iter().zip(&c) {
            axpy(-ci, v, w);
        }
        for (total, ci) in coef.iter_mut().zip(c) {
            *total += ci;
        }
    }
    coef
}

/// A random unit vector orthogonal to `basis` and `excluded`, or `None` when those span the
/// whole space.
fn random_orthogonal(
    n: usize,
    rng: &mut Rng,
    basis: &[Vec<f64>],
    excluded: &[Vec<f64>],
) -> Option<Vec<f64>> {
    if basis.len() + excluded.len() >= n {
        return None;
    }
    // A draw can land (almost) inside the span by bad luck; a few more draws cannot all do so.
    for _ in 0..5 {
        let mut v: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let before = norm(&v);
        orthogonalise(&mut v, excluded);
        orthogonalise(&mut v, basis);
        let after = norm(&v);
        if after > 1e-8 * before {
            v.iter_mut().for_each(|x| *x /= after);
            return Some(v);
        }
    }
    None
}

/// The `k` algebraically largest eigenpairs of the symmetric `n x n` operator `apply` (which
/// writes `A x` into its second argument). `excluded` holds orthonormal vectors the operator's
/// range is known to avoid (a deflated null vector, say): the search stays orthogonal to them.
///
/// Converged when every wanted Ritz pair's residual `||A y - θ y||` is at most `tol` times
/// `|θ|` (ARPACK's test); with a small `tol` the vectors match a dense solver's to about
/// `tol` times the ratio of `|θ|` to the gap around `θ`.
///
/// Returns the eigenvalues in decreasing order and the unit eigenvectors as columns (signs as
/// they come: callers fix their own convention).
pub fn largest_eigenpairs(
    n: usize,
    k: usize,
    mut apply: impl FnMut(&[f64], &mut [f64]),
    excluded: &[Vec<f64>],
    tol: f64,
) -> Result<(Array1<f64>, Array2<f64>)> {
    let space = n.saturating_sub(excluded.len());
    let k = k.min(space);
    if k == 0 {
        return Ok((Array1::zeros(0), Array2::zeros((n, 0))));
    }
    // ARPACK's usual basis size, which scikit-learn keeps: max(2k + 1, 20) vectors.
    let ncv = (2 * k + 1).max(20).min(space);
    let max_products = MAX_PRODUCTS_PER_PAIR * k + 10 * ncv;
    let mut rng = Rng::new(START_SEED);
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(ncv + 1);
    let first = random_orthogonal(n, &mut rng, &basis, excluded)
        .ok_or_else(|| Error::Numerical("Lanczos: no room for a start vector".into()))?;
    basis.push(first);
    // The projected matrix `basisᵀ A basis`, filled a column at a time.
    let mut h = Array2::<f64>::zeros((ncv, ncv));
    let mut w = vec![0.0; n];
    let mut products = 0;
    loop {
        // Grow the basis to `ncv` vectors; `beta` is the size of the last residual, the part of
        // `A v` the basis cannot express, which bounds how wrong every Ritz pair still is.
        let mut beta = 0.0;
        let mut j = basis.len() - 1;
        while j < ncv {
            apply(&basis[j], &mut w);
            products += 1;
            let a_norm = norm(&w);
            orthogonalise(&mut w, excluded);
            let coef = orthogonalise(&mut w, &basis);
            for (i, &c) in coef.iter().enumerate() {
                h[[i, j]] = c;
                h[[j, i]] = c;
            }
            beta = norm(&w);
            j += 1;
            // A residual at rounding level means the basis holds an invariant subspace: carry on
            // from a fresh direction (coupled to nothing), or stop if the space is exhausted.
            if beta > 1e-13 * a_norm.max(f64::MIN_POSITIVE) {
                basis.push(w.iter().map(|x| x / beta).collect());
            } else {
                beta = 0.0;
                match random_orthogonal(n, &mut rng, &basis, excluded) {
                    Some(v) => basis.push(v),
                    None => break,
                }
            }
        }
        let m = j;
        let (theta, y) = eigh(h.slice(s![..m, ..m]))?;
        // Ritz pair `c` (0 = largest) is column `m - 1 - c`; its residual is beta * |last entry|.
        let scale = theta.iter().fold(0.0_f64, |a, t| a.max(t.abs()));
        // Eigenvalues near zero get an absolute floor near rounding level: their vectors are
        // only defined that well by any solver.
        let converged = (0..k).all(|c| {
            let col = m - 1 - c;
            beta * y[[m - 1, col]].abs() <= (tol * theta[col].abs()).max(1e-14 * scale)
        });
        let exhausted = products >= max_products;
        if converged || exhausted || m == space {
            if !converged && m < space {
                return Err(Error::Numerical(format!(
                    "Lanczos did not converge in {products} matrix products: use \
                     eigen_solver=\"dense\""
                )));
            }
            let values = Array1::from_iter((0..k).map(|c| theta[m - 1 - c]));
            let vectors = ritz_vectors(&basis[..m], &y, (0..k).map(|c| m - 1 - c), n);
            return Ok((
                values,
                Array2::from_shape_fn((n, k), |(r, c)| vectors[c][r]),
            ));
        }
        // Thick restart: keep the best Ritz vectors (the wanted ones and half the rest, which
        // speeds up convergence of the wanted ones) and the residual direction after them.
        let keep = (k + (m - k) / 2).min(m - 1).max(k);
        let mut kept = ritz_vectors(&basis[..m], &y, (0..keep).map(|c| m - 1 - c), n);
        let residual = basis.pop().filter(|_| basis.len() == m);
        h.fill(0.0);
        for c in 0..keep {
            h[[c, c]] = theta[m - 1 - c];
        }
        basis.clear();
        basis.append(&mut kept);
        match residual {
            Some(v) => basis.push(v),
            None => match random_orthogonal(n, &mut rng, &basis, excluded) {
                Some(v) => basis.push(v),
                None => return Err(Error::Numerical("Lanczos: basis exhausted".into())),
            },
        }
    }
}

/// `basis · y[:, col]` for each column in `cols`.
fn ritz_vectors(
    basis: &[Vec<f64>],
    y: &Array2<f64>,
    cols: impl Iterator<Item = usize>,
    n: usize,
) -> Vec<Vec<f64>> {
    cols.map(|col| {
        let mut v = vec![0.0; n];
        for (i, b) in basis.iter().enumerate() {
            axpy(y[[i, col]], b, &mut v);
        }
        v
    })
    .collect()
}

/// Flips each column so that its entry of largest magnitude is positive (scikit-learn's
/// `svd_flip`-like convention for kernel PCA), making results independent of the solver.
pub fn fix_signs(vectors: &mut Array2<f64>) {
    for col in vectors.columns_mut() {
        super::make_largest_positive(col);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::{eigh, qr_q};

    /// A symmetric matrix with the given eigenvalues and a random orthonormal eigenbasis.
    fn with_spectrum(values: &[f64], seed: u64) -> Array2<f64> {
        let n = values.len();
        let mut rng = Rng::new(seed);
        let q = qr_q(Array2::from_shape_fn((n, n), |_| rng.normal()).view());
        let scaled = Array2::from_shape_fn((n, n), |(r, c)| q[[r, c]] * values[c]);
        scaled.dot(&q.t())
    }

    fn run(a: &Array2<f64>, k: usize) -> (Array1<f64>, Array2<f64>) {
        let apply = |x: &[f64], y: &mut [f64]| {
            for (yi, row) in y.iter_mut().zip(a.rows()) {
                *yi = dot(row.as_slice().unwrap(), x);
            }
        };
        largest_eigenpairs(a.nrows(), k, apply, &[], 1e-13).unwrap()
    }

    fn check_against_dense(a: &Array2<f64>, k: usize, tol: f64) {
        let n = a.nrows();
        let (values, mut vectors) = run(a, k);
        let (dv, dvec) = eigh(a.view()).unwrap();
        let mut dense = Array2::from_shape_fn((n, k), |(r, c)| dvec[[r, n - 1 - c]]);
        fix_signs(&mut vectors);
        fix_signs(&mut dense);
        for c in 0..k {
            let dl = dv[n - 1 - c];
            assert!(
                (values[c] - dl).abs() <= tol * dl.abs(),
                "{c}: {} vs {dl}",
                values[c]
            );
        }
        let dev = (&vectors - &dense)
            .iter()
            .fold(0.0_f64, |m, d| m.max(d.abs()));
        assert!(dev < tol, "eigenvector deviation {dev:e}");
    }

    #[test]
    fn matches_dense_on_a_decaying_spectrum() {
        let values: Vec<f64> = (0..300).map(|i| 100.0 * 0.97_f64.powi(i) - 3.0).collect();
        check_against_dense(&with_spectrum(&values, 1), 3, 1e-9);
    }

    #[test]
    fn matches_dense_with_nearly_equal_top_eigenvalues() {
        // The top two differ by one part in 10^7; both are wanted, so the pair is well defined.
        let mut values: Vec<f64> = (0..250).map(|i| (i as f64 * 0.37).sin()).collect();
        values[10] = 5.0;
        values[20] = 5.0 * (1.0 + 1e-7);
        values[30] = 4.0;
        check_against_dense(&with_spectrum(&values, 2), 3, 1e-8);
    }

    #[test]
    fn small_matrices_and_restarts() {
        // Smaller than the basis: the Krylov space is everything and the answer exact.
        let values: Vec<f64> = (0..7).map(|i| i as f64 - 2.5).collect();
        check_against_dense(&with_spectrum(&values, 3), 2, 1e-10);
        // A flat spectrum with a slowly separating top forces several restarts.
        let values: Vec<f64> = (0..400).map(|i| 1.0 + 0.001 * i as f64).collect();
        check_against_dense(&with_spectrum(&values, 4), 2, 1e-8);
    }

    #[test]
    fn excluded_directions_are_avoided() {
        // The constant vector is the top eigenvector; excluding it yields the next two.
        let n = 60;
        let ones = vec![1.0 / (n as f64).sqrt(); n];
        let mut a = Array2::from_shape_fn((n, n), |(r, c)| ((r * c) as f64 * 0.1).cos());
        a = &a + &a.t();
        // Project the constant vector out and give it a huge eigenvalue.
        let p = Array2::from_shape_fn((n, n), |(r, c)| {
            f64::from(u8::from(r == c)) - 1.0 / n as f64
        });
        let a = p.dot(&a).dot(&p) + Array2::from_elem((n, n), 1e3 / n as f64);
        let apply = |x: &[f64], y: &mut [f64]| {
            for (yi, row) in y.iter_mut().zip(a.rows()) {
                *yi = row.iter().zip(x).map(|(u, v)| u * v).sum();
            }
        };
        let (values, vectors) =
            largest_eigenpairs(n, 2, apply, std::slice::from_ref(&ones), 1e-12).unwrap();
        assert!(values[0] < 1e3 - 1.0, "{values}");
        for c in 0..2 {
            let v = vectors.column(c).to_vec();
            assert!(
                dot(&v, &ones).abs() < 1e-10,
                "column {c} not orthogonal to the excluded"
            );
        }
        let (dv, _) = eigh(a.view()).unwrap();
        assert!((values[0] - dv[n - 2]).abs() < 1e-9 * dv[n - 2].abs());
    }
}
