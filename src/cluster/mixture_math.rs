//! The numerics of the Gaussian mixture ([`super::gaussian_mixture`]), written after
//! scikit-learn's `_gaussian_mixture.py`: M-step estimates per covariance type, precision
//! Cholesky factors, and the weighted log densities of the E step with log-sum-exp.

use super::gaussian_mixture::CovarianceType;
use crate::error::{Error, Result};
use crate::linalg::{cholesky_lower, invert_lower};
use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// Covariances (or precision Cholesky factors), shaped by the covariance type as in
/// scikit-learn: full `(k, d, d)`, tied `(d, d)`, diag `(k, d)`, spherical `(k,)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Covariances {
    Full(Vec<Array2<f64>>),
    Tied(Array2<f64>),
    Diag(Array2<f64>),
    Spherical(Array1<f64>),
}

impl Covariances {
    /// The full `d x d` matrix of component `j` (a diagonal or a multiple of the identity for
    /// the diag and spherical types; the shared matrix for tied).
    pub fn matrix(&self, j: usize, d: usize) -> Array2<f64> {
        match self {
            Covariances::Full(m) => m[j].clone(),
            Covariances::Tied(m) => m.clone(),
            Covariances::Diag(m) => Array2::from_diag(&m.row(j)),
            Covariances::Spherical(v) => Array2::eye(d) * v[j],
        }
    }

    /// Every value in scikit-learn's (C) order, for comparisons.
    pub fn flat(&self) -> Vec<f64> {
        match self {
            Covariances::Full(m) => m.iter().flat_map(|a| a.iter().copied()).collect(),
            Covariances::Tied(m) | Covariances::Diag(m) => m.iter().copied().collect(),
            Covariances::Spherical(v) => v.to_vec(),
        }
    }

    /// As nested JSON lists with scikit-learn's shape.
    pub fn to_json(&self) -> serde_json::Value {
        let rows = |m: &Array2<f64>| -> Vec<Vec<f64>> {
            m.rows().into_iter().map(|r| r.to_vec()).collect()
        };
        match self {
            Covariances::Full(m) => serde_json::json!(m.iter().map(rows).collect::<Vec<_>>()),
            Covariances::Tied(m) | Covariances::Diag(m) => serde_json::json!(rows(m)),
            Covariances::Spherical(v) => serde_json::json!(v.to_vec()),
        }
    }
}

/// Starting precisions as nested lists, shaped like [`Covariances`] for the covariance type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PrecisionsInit {
    /// `(k, d, d)`: full.
    Matrices(Vec<Vec<Vec<f64>>>),
    /// `(d, d)`: tied; `(k, d)`: diag.
    Matrix(Vec<Vec<f64>>),
    /// `(k,)`: spherical.
    Vector(Vec<f64>),
}

impl PrecisionsInit {
    pub fn values(&self) -> Box<dyn Iterator<Item = f64> + '_> {
        match self {
            PrecisionsInit::Matrices(m) => Box::new(m.iter().flatten().flatten().copied()),
            PrecisionsInit::Matrix(m) => Box::new(m.iter().flatten().copied()),
            PrecisionsInit::Vector(v) => Box::new(v.iter().copied()),
        }
    }

    pub(crate) fn check_shape(&self, t: CovarianceType, k: usize, d: usize) -> Result<()> {
        let square = |m: &Vec<Vec<f64>>| m.len() == d && m.iter().all(|r| r.len() == d);
        let ok = match (t, self) {
            (CovarianceType::Full, PrecisionsInit::Matrices(m)) => {
                m.len() == k && m.iter().all(square)
            }
            (CovarianceType::Tied, PrecisionsInit::Matrix(m)) => square(m),
            (CovarianceType::Diag, PrecisionsInit::Matrix(m)) => {
                m.len() == k && m.iter().all(|r| r.len() == d)
            }
            (CovarianceType::Spherical, PrecisionsInit::Vector(v)) => v.len() == k,
            _ => false,
        };
        if ok {
            return Ok(());
        }
        let want = match t {
            CovarianceType::Full => format!("({k}, {d}, {d})"),
            CovarianceType::Tied => format!("({d}, {d})"),
            CovarianceType::Diag => format!("({k}, {d})"),
            CovarianceType::Spherical => format!("({k},)"),
        };
        Err(Error::Shape(format!(
            "precisions_init for covariance_type {} must have shape {want}",
            t.name()
        )))
    }
}

fn to_matrix(rows: &[Vec<f64>]) -> Array2<f64> {
    let d = rows.len();
    Array2::from_shape_fn((d, d), |(i, j)| rows[i][j])
}

/// Reverses rows and columns (`J a J` with the exchange matrix `J`).
fn flip(a: &Array2<f64>) -> Array2<f64> {
    let d = a.nrows();
    Array2::from_shape_fn((d, d), |(i, j)| a[[d - 1 - i, d - 1 - j]])
}

/// From a user's precision matrix: its covariance and the upper-triangular `u` with
/// `u uᵀ = precision`, computed as scikit-learn does (Cholesky of the flipped matrix, flipped).
fn from_precision(p: &Array2<f64>, what: &str) -> Result<(Array2<f64>, Array2<f64>)> {
    let symmetric = p
        .indexed_iter()
        .all(|((i, j), &v)| (v - p[[j, i]]).abs() <= 1e-8 + 1e-5 * p[[j, i]].abs());
    let bad = || {
        Error::invalid(
            "precisions_init",
            what,
            "symmetric positive-definite matrices (full, tied) or positive values (diag, spherical)",
        )
    };
    let lower = cholesky_lower(p.view())
        .filter(|_| symmetric)
        .ok_or_else(bad)?;
    let flipped = cholesky_lower(flip(p).view()).ok_or_else(bad)?;
    let inv = invert_lower(lower.view());
    Ok((inv.t().dot(&inv), flip(&flipped)))
}

/// Covariances and precision Cholesky factors from `precisions_init`.
pub(crate) fn precisions_from_init(
    init: &PrecisionsInit,
    t: CovarianceType,
    d: usize,
) -> Result<(Covariances, Covariances)> {
    let positive = |v: f64, j: usize| {
        if v > 0.0 {
            Ok(v)
        } else {
            Err(Error::invalid(
                "precisions_init",
                format!("{v} for component {j}"),
                "positive values for covariance_type diag or spherical",
            ))
        }
    };
    match (t, init) {
        (CovarianceType::Full, PrecisionsInit::Matrices(m)) => {
            let mut cov = Vec::new();
            let mut chol = Vec::new();
            for (j, p) in m.iter().enumerate() {
                let (c, u) = from_precision(&to_matrix(p), &format!("component {j}"))?;
                cov.push(c);
                chol.push(u);
            }
            Ok((Covariances::Full(cov), Covariances::Full(chol)))
        }
        (CovarianceType::Tied, PrecisionsInit::Matrix(m)) => {
            let (c, u) = from_precision(&to_matrix(m), "the tied precision")?;
            Ok((Covariances::Tied(c), Covariances::Tied(u)))
        }
        (CovarianceType::Diag, PrecisionsInit::Matrix(m)) => {
            let p = Array2::from_shape_fn((m.len(), d), |(i, j)| m[i][j]);
            for (i, row) in p.rows().into_iter().enumerate() {
                for &v in row {
                    positive(v, i)?;
                }
            }
            Ok((
                Covariances::Diag(p.mapv(|v| 1.0 / v)),
                Covariances::Diag(p.mapv(f64::sqrt)),
            ))
        }
        (CovarianceType::Spherical, PrecisionsInit::Vector(v)) => {
            for (j, &x) in v.iter().enumerate() {
                positive(x, j)?;
            }
            let p = Array1::from(v.clone());
            Ok((
                Covariances::Spherical(p.mapv(|v| 1.0 / v)),
                Covariances::Spherical(p.mapv(f64::sqrt)),
            ))
        }
        _ => Err(Error::Shape(format!(
            "precisions_init does not fit covariance_type {}",
            t.name()
        ))),
    }
}

/// The M step: component masses `nk` (plus 10 machine epsilons, as scikit-learn, so an empty
/// component does not divide by zero), weighted means and covariances with `reg` on the diagonal.
pub(crate) fn estimate_parameters(
    x: ArrayView2<f64>,
    resp: ArrayView2<f64>,
    reg: f64,
    t: CovarianceType,
) -> (Array1<f64>, Array2<f64>, Covariances) {
    let nk = resp.sum_axis(Axis(0)) + 10.0 * f64::EPSILON;
    let means = resp.t().dot(&x) / nk.view().insert_axis(Axis(1));
    let diag = || {
        let avg_x2 = resp.t().dot(&x.mapv(|v| v * v)) / nk.view().insert_axis(Axis(1));
        avg_x2 - means.mapv(|v| v * v) + reg
    };
    let cov = match t {
        CovarianceType::Full => {
            // The centred form `Σ r_i (x_i - mean)(x_i - mean)ᵀ / nk`, as scikit-learn computes it
            // (safer than `E[x xᵀ] - mean meanᵀ`): one pass over the rows fills the residuals and
            // their weighted copy into two n x d buffers shared by all components, then one matrix
            // product. Fresh broadcast temporaries per component (and the slow broadcast over the
            // strided responsibility column) made this twice as slow as scikit-learn; the product
            // is the same call on the same values, so the covariances are bit for bit unchanged.
            let (n, d) = x.dim();
            let xc = x.as_standard_layout();
            let xs = xc.as_slice().expect("standard layout is contiguous");
            let mut diff = Array2::zeros((n, d));
            let mut weighted = Array2::zeros((n, d));
            let mut cov = Vec::with_capacity(means.nrows());
            for (j, mean) in means.rows().into_iter().enumerate() {
                let mean = mean.to_vec();
                let ds = diff.as_slice_mut().expect("a new array is contiguous");
                let ws = weighted.as_slice_mut().expect("a new array is contiguous");
                // `max(1)`: chunks of 0 panic, and with no features there is nothing to fill.
                let rows = ds
                    .chunks_exact_mut(d.max(1))
                    .zip(ws.chunks_exact_mut(d.max(1)))
                    .zip(xs.chunks_exact(d.max(1)))
                    .zip(resp.column(j));
                for (((dr, wr), xr), &r) in rows {
                    for (((dv, wv), &v), &m) in dr.iter_mut().zip(wr).zip(xr).zip(&mean) {
                        *dv = v - m;
                        *wv = *dv * r;
                    }
                }
                let mut c = Array2::zeros((d, d));
                general_mat_mul(1.0, &weighted.t(), &diff, 0.0, &mut c);
                c.mapv_inplace(|v| v / nk[j]);
                c.diag_mut().mapv_inplace(|v| v + reg);
                cov.push(c);
            }
            Covariances::Full(cov)
        }
        CovarianceType::Tied => {
            let avg_x2 = x.t().dot(&x);
            let avg_means2 = (&means.t() * &nk.view().insert_axis(Axis(0))).dot(&means);
            let mut c = (avg_x2 - avg_means2) / nk.sum();
            c.diag_mut().mapv_inplace(|v| v + reg);
            Covariances::Tied(c)
        }
        CovarianceType::Diag => Covariances::Diag(diag()),
        CovarianceType::Spherical => {
            Covariances::Spherical(diag().mean_axis(Axis(1)).unwrap_or_default())
        }
    };
    (nk, means, cov)
}

/// The Cholesky factor of each precision (`inv(chol(cov))ᵀ`, upper triangular), or the error
/// that names the covariance which is not positive definite.
pub(crate) fn precision_cholesky(cov: &Covariances, reg: f64) -> Result<Covariances> {
    let not_pd = |what: String| Error::NotPositiveDefinite {
        what,
        reg_covar: reg,
    };
    let factor = |c: &Array2<f64>, what: String| -> Result<Array2<f64>> {
        let l = cholesky_lower(c.view()).ok_or_else(|| not_pd(what))?;
        Ok(invert_lower(l.view()).reversed_axes())
    };
    Ok(match cov {
        Covariances::Full(m) => Covariances::Full(
            m.iter()
                .enumerate()
                .map(|(j, c)| factor(c, format!("component {j}")))
                .collect::<Result<_>>()?,
        ),
        Covariances::Tied(c) => Covariances::Tied(factor(c, "the tied covariance".into())?),
        Covariances::Diag(m) => {
            if let Some(((j, _), _)) = m.indexed_iter().find(|p| p.1.is_nan() || *p.1 <= 0.0) {
                return Err(not_pd(format!("component {j}")));
            }
            Covariances::Diag(m.mapv(|v| 1.0 / v.sqrt()))
        }
        Covariances::Spherical(v) => {
            if let Some((j, _)) = v.iter().enumerate().find(|p| p.1.is_nan() || *p.1 <= 0.0) {
                return Err(not_pd(format!("component {j}")));
            }
            Covariances::Spherical(v.mapv(|v| 1.0 / v.sqrt()))
        }
    })
}

/// Values per row block of the full and tied E step (128 KB per buffer): small enough for the
/// core's own cache, large enough that the per-call cost of the matrix product does not show.
const E_STEP_BLOCK_VALUES: usize = 16384;

/// `log N(x | mean_j, cov_j) + log weight_j` for every row and component (`n x k`).
pub(crate) fn weighted_log_prob(
    x: ArrayView2<f64>,
    weights: &Array1<f64>,
    means: &Array2<f64>,
    prec_chol: &Covariances,
) -> Array2<f64> {
    let (n, d) = x.dim();
    let k = means.nrows();
    let constant = d as f64 * (2.0 * std::f64::consts::PI).ln();
    let mut out = Array2::zeros((n, k));
    // Squared Mahalanobis distance of every row when the precision is diagonal with entries `p`:
    // one pass over x, without n x d temporaries (the diag and spherical fits spend most of their
    // time here).
    let diagonal = |mean: ndarray::ArrayView1<f64>, p: &[f64]| -> Array1<f64> {
        Array1::from_iter(x.rows().into_iter().map(|row| {
            row.iter()
                .zip(mean.iter())
                .zip(p)
                .map(|((&v, &m), &q)| (v - m) * (v - m) * q)
                .sum::<f64>()
        }))
    };
    // The full and tied types go through the rows in blocks: the residuals `x - mean` of a block,
    // then their whitened copy `(x - mean) u` (one matrix product), then its squared row norms,
    // in two small buffers reused by every block and component, so that each stays in cache
    // between being written and read. Fresh n x d arrays per component (with a slow broadcast
    // subtraction) made the full fit twice as slow as scikit-learn. Splitting the rows does not
    // change a single product (each is summed over the features alone), so results are bit for
    // bit those of one product over all rows. Empty until needed: diag and spherical skip them.
    let block = (E_STEP_BLOCK_VALUES / d.max(1)).clamp(1, n.max(1));
    let xc = x.as_standard_layout();
    let xs = xc.as_slice().expect("standard layout is contiguous");
    let mut diff = Array2::zeros((0, 0));
    let mut y = Array2::zeros((0, 0));
    for j in 0..k {
        // Squared Mahalanobis distance and the log-determinant of the precision's factor
        // (half the log-determinant of the precision).
        let mut full = |u: &Array2<f64>| -> (Array1<f64>, f64) {
            if diff.dim() != (block, d) {
                diff = Array2::zeros((block, d));
                y = Array2::zeros((block, d));
            }
            let mean = means.row(j).to_vec();
            let mut maha = Vec::with_capacity(n);
            for start in (0..n).step_by(block) {
                let rows = block.min(n - start);
                let mut db = diff.slice_mut(s![..rows, ..]);
                let ds = db.as_slice_mut().expect("leading rows are contiguous");
                let xb = &xs[start * d..(start + rows) * d];
                // `max(1)`: chunks of 0 panic, and with no features there is nothing to fill.
                for (dr, xr) in ds.chunks_exact_mut(d.max(1)).zip(xb.chunks_exact(d.max(1))) {
                    for ((o, &v), &m) in dr.iter_mut().zip(xr).zip(&mean) {
                        *o = v - m;
                    }
                }
                let mut yb = y.slice_mut(s![..rows, ..]);
                general_mat_mul(1.0, &db, u, 0.0, &mut yb);
                maha.extend(
                    yb.rows()
                        .into_iter()
                        .map(|r| r.as_slice().map_or_else(|| r.dot(&r), sum_of_squares)),
                );
            }
            (Array1::from(maha), u.diag().iter().map(|v| v.ln()).sum())
        };
        let (maha, log_det): (Array1<f64>, f64) = match prec_chol {
            Covariances::Full(m) => full(&m[j]),
            Covariances::Tied(u) => full(u),
            Covariances::Diag(m) => {
                let p: Vec<f64> = m.row(j).iter().map(|v| v * v).collect();
                let log_det = m.row(j).iter().map(|v| v.ln()).sum();
                (diagonal(means.row(j), &p), log_det)
            }
            Covariances::Spherical(v) => {
                let p = vec![v[j] * v[j]; d];
                let log_det = d as f64 * v[j].ln();
                (diagonal(means.row(j), &p), log_det)
            }
        };
        let log_w = weights[j].ln();
        out.column_mut(j)
            .assign(&maha.mapv(|m| -0.5 * (constant + m) + log_det + log_w));
    }
    out
}

/// `v · v` summed in exactly the order of ndarray's `dot` on contiguous data (eight partial sums,
/// combined pairwise, then the tail), so that inlining it here changes no result by a bit; a call
/// into `dot` per row cost more than the sum itself.
fn sum_of_squares(v: &[f64]) -> f64 {
    let mut p = [0.0; 8];
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        for (s, &x) in p.iter_mut().zip(c) {
            *s += x * x;
        }
    }
    let mut sum = 0.0;
    sum += p[0] + p[4];
    sum += p[1] + p[5];
    sum += p[2] + p[6];
    sum += p[3] + p[7];
    for &x in chunks.remainder() {
        sum += x * x;
    }
    sum
}

/// Log-sum-exp over each row (the log density) and the log responsibilities.
pub(crate) fn log_resp(mut w: Array2<f64>) -> (Array1<f64>, Array2<f64>) {
    let norm: Array1<f64> = w
        .rows()
        .into_iter()
        .map(|r| {
            let m = r.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            if !m.is_finite() {
                return m;
            }
            m + r.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
        })
        .collect();
    for (mut row, &s) in w.rows_mut().into_iter().zip(&norm) {
        row.mapv_inplace(|v| v - s);
    }
    (norm, w)
}

#[cfg(test)]
mod tests {
    use super::sum_of_squares;
    use crate::rng::Rng;
    use ndarray::Array1;

    #[test]
    fn sum_of_squares_matches_ndarray_dot_bit_for_bit() {
        // The E step relies on this to leave every fitted value unchanged.
        let mut rng = Rng::new(5);
        for len in 0..40 {
            let v = Array1::from_shape_fn(len, |_| rng.normal() * 1e3);
            let s = v.as_slice().unwrap();
            assert_eq!(
                sum_of_squares(s).to_bits(),
                v.dot(&v).to_bits(),
                "length {len}"
            );
        }
    }
}
