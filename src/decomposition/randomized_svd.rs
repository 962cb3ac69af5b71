//! A truncated SVD by random projection, as scikit-learn's `randomized_svd` (Halko, Martinsson &
//! Tropp 2011): sketch the range of `a` with `k + n_oversamples` Gaussian test vectors, sharpen it
//! with a few power iterations (re-normalised by LU or QR so the columns do not collapse onto the
//! top singular vector), then take the exact SVD of the small projected matrix. Used by
//! [`super::Pca`] with `svd_solver = randomized`.

use crate::error::Result;
use crate::linalg;
use crate::rng::Rng;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// How the sketch is re-normalised between power iterations (scikit-learn's
/// `power_iteration_normalizer`); `auto` is `none` for at most 2 iterations, else `LU`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PowerIterationNormalizer {
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "QR")]
    Qr,
    #[serde(rename = "LU")]
    Lu,
    #[serde(rename = "none")]
    None,
}

/// Options of [`randomized_svd`] with scikit-learn's defaults (`n_iter: None` is its `"auto"`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RandomizedSvd {
    pub n_oversamples: usize,
    pub n_iter: Option<usize>,
    pub normalizer: PowerIterationNormalizer,
    pub seed: u64,
}

impl Default for RandomizedSvd {
    fn default() -> Self {
        RandomizedSvd {
            n_oversamples: 10,
            n_iter: None,
            normalizer: PowerIterationNormalizer::Auto,
            seed: 0,
        }
    }
}

/// scikit-learn's `n_iter="auto"`: 7 power iterations when fewer than a tenth of the possible
/// components are asked for (the spectrum's tail matters more), else 4.
pub fn auto_n_iter(k: usize, m: usize, n: usize) -> usize {
    if (k as f64) < 0.1 * m.min(n) as f64 {
        7
    } else {
        4
    }
}

/// The `k` leading singular triplets `(u, s, vt)` of `a` (`u` is `m x k`, `vt` is `k x n`),
/// without any sign convention (callers apply their own `svd_flip`).
pub fn randomized_svd(
    a: ArrayView2<f64>,
    k: usize,
    opts: &RandomizedSvd,
) -> Result<(Array2<f64>, Array1<f64>, Array2<f64>)> {
    let (m, n) = a.dim();
    let n_iter = opts.n_iter.unwrap_or_else(|| auto_n_iter(k, m, n));
    // Work on the wide-or-square orientation, as scikit-learn's transpose="auto".
    let transpose = m < n;
    let a = if transpose { a.t() } else { a };
    let size = (k + opts.n_oversamples)
        .min(a.nrows().min(a.ncols()))
        .max(k);
    let q = range_finder(a, size, n_iter, opts)?;
    let b = q.t().dot(&a);
    let (u_hat, sv, vt) = linalg::svd(b.view())?;
    let u = q.dot(&u_hat);
    let k = k.min(sv.len());
    let sv = sv.slice(s![..k]).to_owned();
    Ok(if transpose {
        (
            vt.slice(s![..k, ..]).t().to_owned(),
            sv,
            u.slice(s![.., ..k]).t().to_owned(),
        )
    } else {
        (
            u.slice(s![.., ..k]).to_owned(),
            sv,
            vt.slice(s![..k, ..]).to_owned(),
        )
    })
}

/// An orthonormal `m x size` basis approximately spanning the range of `a`.
fn range_finder(
    a: ArrayView2<f64>,
    size: usize,
    n_iter: usize,
    opts: &RandomizedSvd,
) -> Result<Array2<f64>> {
    let mut rng = Rng::new(opts.seed);
    let mut q = Array2::from_shape_fn((a.ncols(), size), |_| rng.normal());
    let normalizer = match opts.normalizer {
        PowerIterationNormalizer::Auto if n_iter <= 2 => PowerIterationNormalizer::None,
        PowerIterationNormalizer::Auto => PowerIterationNormalizer::Lu,
        other => other,
    };
    let normalise = |y: Array2<f64>| match normalizer {
        PowerIterationNormalizer::Qr => linalg::qr_q(y.view()),
        PowerIterationNormalizer::Lu => permuted_lower(y),
        _ => y,
    };
    for _ in 0..n_iter {
        q = normalise(a.dot(&q));
        q = normalise(a.t().dot(&q));
    }
    Ok(linalg::qr_q(a.dot(&q).view()))
}

/// `P L` of an LU factorisation with partial pivoting of a tall matrix (scipy's
/// `lu(y, permute_l=True)[0]`): cheaper than QR and just as good at keeping the columns apart.
fn permuted_lower(mut y: Array2<f64>) -> Array2<f64> {
    let (m, k) = y.dim();
    let k = k.min(m);
    let mut perm: Vec<usize> = (0..m).collect();
    for c in 0..k {
        let pivot = (c..m)
            .max_by(|&i, &j| y[[i, c]].abs().total_cmp(&y[[j, c]].abs()))
            .unwrap_or(c);
        if pivot != c {
            for j in 0..y.ncols() {
                y.swap([c, j], [pivot, j]);
            }
            perm.swap(c, pivot);
        }
        let d = y[[c, c]];
        if d == 0.0 {
            continue;
        }
        for i in c + 1..m {
            let f = y[[i, c]] / d;
            y[[i, c]] = f;
            for j in c + 1..y.ncols() {
                let v = y[[c, j]];
                y[[i, j]] -= f * v;
            }
        }
    }
    // L: unit diagonal, multipliers below, zeros above; rows back in their original order.
    let mut lower = Array2::zeros((m, k));
    for (r, &orig) in perm.iter().enumerate() {
        for c in 0..k.min(r + 1) {
            lower[[orig, c]] = if c == r { 1.0 } else { y[[r, c]] };
        }
    }
    lower
}

/// scikit-learn's `svd_flip(u, vt, u_based_decision=False)`: each row of `vt` gets its largest
/// |entry| positive, and the matching column of `u` (if given) flips with it.
pub fn svd_flip_rows(vt: &mut Array2<f64>, mut u: Option<&mut Array2<f64>>) {
    for (i, row) in vt.axis_iter_mut(Axis(0)).enumerate() {
        if linalg::make_largest_positive(row) {
            if let Some(u) = u.as_deref_mut() {
                u.column_mut(i).mapv_inplace(|v| -v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_low_rank_matrix() {
        let mut rng = Rng::new(3);
        let left = Array2::from_shape_fn((60, 3), |_| rng.normal());
        let right = Array2::from_shape_fn((3, 40), |_| rng.normal());
        let a = left.dot(&right);
        let (_, exact, _) = linalg::svd(a.view()).unwrap();
        for normalizer in [
            PowerIterationNormalizer::Auto,
            PowerIterationNormalizer::Qr,
            PowerIterationNormalizer::None,
        ] {
            let opts = RandomizedSvd {
                normalizer,
                ..RandomizedSvd::default()
            };
            let (u, sv, vt) = randomized_svd(a.view(), 3, &opts).unwrap();
            for i in 0..3 {
                assert!((sv[i] - exact[i]).abs() < 1e-9 * exact[0]);
            }
            let back = (&u * &sv).dot(&vt);
            assert!((&back - &a).iter().all(|d| d.abs() < 1e-8));
            // And on the transposed (wide) matrix.
            let (_, sv_t, _) = randomized_svd(a.t(), 3, &opts).unwrap();
            assert!((sv_t[0] - exact[0]).abs() < 1e-9 * exact[0]);
        }
    }

    #[test]
    fn permuted_lower_spans_the_same_columns() {
        let y = ndarray::array![[1.0, 2.0], [4.0, 1.0], [2.0, 7.0]];
        let l = permuted_lower(y.clone());
        // Same column space: projecting y onto span(l) leaves no residual.
        let q = linalg::qr_q(l.view());
        let resid = &y - &q.dot(&q.t().dot(&y));
        assert!(resid.iter().all(|d| d.abs() < 1e-12));
        assert_eq!(l[[1, 0]], 1.0);
    }
}
