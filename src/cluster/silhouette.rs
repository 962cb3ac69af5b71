//! The silhouette coefficient: for each sample, how much closer it sits to its own cluster than
//! to the nearest other one, from -1 (wrong cluster) through 0 (on a border) to 1 (well inside).
//! Same definitions as scikit-learn's `silhouette_samples` / `silhouette_score` (Euclidean).

use crate::data::check_x_fit;
use crate::error::{Error, Result};
use ndarray::{Array1, ArrayView2};

/// `s = (b - a) / max(a, b)` per sample, where `a` is the mean distance to the other members of
/// its cluster and `b` the smallest mean distance to the members of another cluster. Samples
/// alone in their cluster score 0.
pub fn silhouette_samples(x: ArrayView2<f64>, labels: &[usize]) -> Result<Array1<f64>> {
    check_x_fit(x)?;
    let n = x.nrows();
    if labels.len() != n {
        return Err(Error::Shape(format!(
            "x has {n} rows but there are {} labels",
            labels.len()
        )));
    }
    // Relabel to 0..k in order of first appearance, so sparse label values cost nothing.
    let mut ids: Vec<usize> = Vec::new();
    let dense: Vec<usize> = labels
        .iter()
        .map(|l| match ids.iter().position(|m| m == l) {
            Some(p) => p,
            None => {
                ids.push(*l);
                ids.len() - 1
            }
        })
        .collect();
    let k = ids.len();
    if k < 2 || k > n - 1 {
        return Err(Error::invalid(
            "labels",
            format!("{k} clusters"),
            format!(
                "between 2 and {} clusters (n_samples - 1)",
                n.saturating_sub(1)
            ),
        ));
    }
    let mut sizes = vec![0.0_f64; k];
    for &c in &dense {
        sizes[c] += 1.0;
    }
    // Plain row-major slices: this double loop is the whole cost, and demos run it live.
    let p = x.ncols();
    let flat: Vec<f64> = x.iter().copied().collect();
    let mut scores = Array1::zeros(n);
    let mut sums = vec![0.0_f64; k];
    for i in 0..n {
        sums.iter_mut().for_each(|s| *s = 0.0);
        let xi = &flat[i * p..(i + 1) * p];
        for (j, xj) in flat.chunks_exact(p).enumerate() {
            let d2: f64 = xi.iter().zip(xj).map(|(a, b)| (a - b) * (a - b)).sum();
            sums[dense[j]] += d2.sqrt();
        }
        let own = dense[i];
        if sizes[own] <= 1.0 {
            continue;
        }
        let a = sums[own] / (sizes[own] - 1.0);
        let b = (0..k)
            .filter(|&c| c != own)
            .map(|c| sums[c] / sizes[c])
            .fold(f64::INFINITY, f64::min);
        let denom = a.max(b);
        scores[i] = if denom > 0.0 { (b - a) / denom } else { 0.0 };
    }
    Ok(scores)
}

/// The mean silhouette over all samples: near 1 for compact, well separated clusters.
pub fn silhouette_score(x: ArrayView2<f64>, labels: &[usize]) -> Result<f64> {
    let s = silhouette_samples(x, labels)?;
    Ok(s.mean().unwrap_or(0.0))
}
