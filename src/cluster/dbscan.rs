//! DBSCAN: density-based clustering with Euclidean distances, as scikit-learn's `DBSCAN`. A point
//! with at least `min_samples` points (itself included) within `eps` is a *core* point; clusters
//! are the groups of core points linked through such neighbourhoods, plus the non-core points
//! (*border* points) in reach of one. Everything else is noise, labelled -1.

use super::sq_dist;
use crate::data::{check_x_fit, Dataset};
use crate::error::{Error, Result};
use crate::estimator::Fit;
use crate::neighbors::kd_tree::{self, KdTree};
use crate::neighbors::search::Metric;
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// Parameters with scikit-learn's names and defaults (the metric is always Euclidean).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DbscanParams {
    pub eps: f64,
    pub min_samples: usize,
}

impl Default for DbscanParams {
    fn default() -> Self {
        DbscanParams {
            eps: 0.5,
            min_samples: 5,
        }
    }
}

impl DbscanParams {
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
    pub fn min_samples(mut self, n: usize) -> Self {
        self.min_samples = n;
        self
    }

    /// Clusters the rows of `x` (no target needed).
    pub fn fit_x(&self, x: ArrayView2<f64>) -> Result<Dbscan> {
        self.validate()?;
        check_x_fit(x)?;
        let neighbourhoods = radius_neighbours(x, self.eps);
        let is_core: Vec<bool> = neighbourhoods
            .iter()
            .map(|nb| nb.len() >= self.min_samples)
            .collect();
        let mut labels = vec![-1_i64; x.nrows()];
        let mut cluster = 0_i64;
        let mut stack = Vec::new();
        // Depth-first growth from each unlabelled core point, in index order, as scikit-learn's
        // `dbscan_inner`: a border point joins the first cluster that reaches it.
        for start in 0..x.nrows() {
            if labels[start] != -1 || !is_core[start] {
                continue;
            }
            stack.push(start);
            while let Some(i) = stack.pop() {
                if labels[i] != -1 {
                    continue;
                }
                labels[i] = cluster;
                if is_core[i] {
                    stack.extend(neighbourhoods[i].iter().filter(|&&j| labels[j] == -1));
                }
            }
            cluster += 1;
        }
        let core_sample_indices: Vec<usize> = (0..x.nrows()).filter(|&i| is_core[i]).collect();
        Ok(Dbscan {
            components: x.select(Axis(0), &core_sample_indices),
            labels,
            core_sample_indices,
            params: self.clone(),
        })
    }
}

/// For each row, the indices of the rows within distance `eps` (itself included), ascending. In
/// up to 15 features through a k-d tree, as scikit-learn's `algorithm="auto"`; the neighbourhoods
/// are the same either way.
fn radius_neighbours(x: ArrayView2<f64>, eps: f64) -> Vec<Vec<usize>> {
    let n = x.nrows();
    let eps2 = eps * eps;
    if kd_tree::tree_pays(n, x.ncols(), 1) {
        let tree = KdTree::new(x);
        let mut q = Vec::with_capacity(x.ncols());
        return x
            .rows()
            .into_iter()
            .map(|row| {
                q.clear();
                q.extend(row.iter().copied());
                let mut near = Vec::new();
                tree.within(&q, eps2, Metric::Euclidean, &mut near);
                near.sort_unstable();
                near
            })
            .collect();
    }
    all_pairs_within(x, eps2)
}

/// [`radius_neighbours`] by comparing every pair: rows within squared distance `eps2`.
fn all_pairs_within(x: ArrayView2<f64>, eps2: f64) -> Vec<Vec<usize>> {
    let n = x.nrows();
    let mut out = vec![Vec::new(); n];
    for i in 0..n {
        out[i].push(i);
        for j in i + 1..n {
            if sq_dist(x.row(i), x.row(j)) <= eps2 {
                out[i].push(j);
                out[j].push(i);
            }
        }
    }
    out
}

impl Fit for DbscanParams {
    type Model = Dbscan;

    fn validate(&self) -> Result<()> {
        if !(self.eps > 0.0 && self.eps.is_finite()) {
            return Err(Error::invalid("eps", self.eps, "a finite number > 0"));
        }
        if self.min_samples == 0 {
            return Err(Error::invalid("min_samples", 0, "at least 1"));
        }
        Ok(())
    }

    /// Clusters `data.x`; the target is ignored.
    fn fit(&self, data: &Dataset) -> Result<Dbscan> {
        self.fit_x(data.x.view())
    }
}

/// A fitted DBSCAN clustering (scikit-learn's attributes without the trailing underscore).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dbscan {
    /// Cluster index per sample, -1 for noise.
    pub labels: Vec<i64>,
    pub core_sample_indices: Vec<usize>,
    /// The core samples themselves, one per row.
    pub components: Array2<f64>,
    pub params: DbscanParams,
}

impl Dbscan {
    pub fn params() -> DbscanParams {
        DbscanParams::default()
    }

    pub fn n_clusters(&self) -> usize {
        self.labels
            .iter()
            .max()
            .map_or(0, |&m| (m + 1).max(0) as usize)
    }

    pub fn n_noise(&self) -> usize {
        self.labels.iter().filter(|&&l| l < 0).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree finds the same neighbourhoods as all pairs, on data with exact distance ties.
    #[test]
    fn tree_neighbourhoods_equal_all_pairs() {
        let mut rng = crate::rng::Rng::new(8);
        let x = Array2::from_shape_fn((600, 2), |_| (rng.normal() * 4.0).round() / 4.0);
        for eps in [0.25, 0.5, 1.0] {
            assert!(kd_tree::tree_pays(x.nrows(), 2, 1));
            assert_eq!(
                radius_neighbours(x.view(), eps),
                all_pairs_within(x.view(), eps * eps),
                "eps {eps}"
            );
        }
    }
}
