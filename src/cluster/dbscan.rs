//! DBSCAN: density-based clustering with Euclidean distances, as scikit-learn's `DBSCAN`. A point
//! with at least `min_samples` points (itself included) within `eps` is a *core* point; clusters
//! are the groups of core points linked through such neighbourhoods, plus the non-core points
//! (*border* points) in reach of one. Everything else is noise, labelled -1.

use super::sq_dist;
use crate::data::{check_x_fit, Dataset};
use crate::error::{Error, Result};
use crate::estimator::Fit;
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

/// For each row, the indices of the rows within distance `eps` (itself included).
fn radius_neighbours(x: ArrayView2<f64>, eps: f64) -> Vec<Vec<usize>> {
    let n = x.nrows();
    let eps2 = eps * eps;
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
