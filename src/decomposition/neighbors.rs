//! Nearest neighbours for the manifold learners: exact, ordered by distance then index; the
//! whole neighbour graph through a k-d tree in few dimensions.

use crate::error::{Error, Result};
use crate::neighbors::kd_tree::{self, KdTree};
use crate::neighbors::search::Metric;
use ndarray::{ArrayView1, ArrayView2};

/// One row's neighbours: `(index, euclidean distance)`, nearest first.
pub(crate) type Neighbours = Vec<(usize, f64)>;

/// The `k` nearest rows of `data` to `query` (ties broken by index); `skip` leaves one index out
/// (the query itself when it is a row of `data`).
pub(crate) fn nearest(
    data: ArrayView2<f64>,
    query: ArrayView1<f64>,
    k: usize,
    skip: Option<usize>,
) -> Neighbours {
    let mut all: Vec<(usize, f64)> = data
        .rows()
        .into_iter()
        .enumerate()
        .filter(|(j, _)| Some(*j) != skip)
        .map(|(j, r)| (j, Metric::Euclidean.reduced(query, r)))
        .collect();
    let k = k.min(all.len());
    let by = |a: &(usize, f64), b: &(usize, f64)| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0));
    if k < all.len() {
        all.select_nth_unstable_by(k, by);
        all.truncate(k);
    }
    all.sort_by(by);
    all.into_iter().map(|(j, d)| (j, d.sqrt())).collect()
}

/// Each training row's `k` nearest other rows (scikit-learn's `kneighbors()` without a query).
/// In few dimensions through a k-d tree, as scikit-learn's `algorithm="auto"`, with the same
/// neighbours and distances as the brute-force [`nearest`].
pub(crate) fn knn_graph(x: ArrayView2<f64>, k: usize) -> Vec<Neighbours> {
    if !kd_tree::tree_pays(x.nrows(), x.ncols(), k + 1) {
        return (0..x.nrows())
            .map(|i| nearest(x, x.row(i), k, Some(i)))
            .collect();
    }
    let tree = KdTree::new(x);
    let (mut q, mut best) = (Vec::with_capacity(x.ncols()), Vec::new());
    (0..x.nrows())
        .map(|i| {
            q.clear();
            q.extend(x.row(i).iter().copied());
            // One more than asked for, so the row itself can be dropped (wherever it ranks among
            // duplicates of it).
            tree.nearest(&q, k + 1, Metric::Euclidean, &mut best)
                .iter()
                .filter(|&&(_, j)| j != i)
                .take(k)
                .map(|&(d, j)| (j, d.sqrt()))
                .collect()
        })
        .collect()
}

/// The checks every neighbour-based learner shares: `1 <= n_neighbors < n_samples` and
/// `n_components <= n_features`.
pub(crate) fn check_sizes(
    n_neighbors: usize,
    n_components: usize,
    x: ArrayView2<f64>,
) -> Result<()> {
    let (n, p) = x.dim();
    if n_neighbors >= n {
        return Err(Error::invalid(
            "n_neighbors",
            n_neighbors,
            format!("less than the number of samples ({n})"),
        ));
    }
    if n_components > p {
        return Err(Error::invalid(
            "n_components",
            n_components,
            format!("at most n_features = {p}"),
        ));
    }
    Ok(())
}

/// `n_neighbors` and `n_components` must be at least 1.
pub(crate) fn check_params(n_neighbors: usize, n_components: usize) -> Result<()> {
    if n_neighbors == 0 {
        return Err(Error::invalid("n_neighbors", 0, "at least 1"));
    }
    if n_components == 0 {
        return Err(Error::invalid("n_components", 0, "at least 1"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// The tree's graph equals the row-by-row brute-force one, duplicates and ties included.
    #[test]
    fn tree_graph_equals_brute_force() {
        let mut rng = crate::rng::Rng::new(2);
        let mut x = Array2::from_shape_fn((300, 3), |_| (rng.normal() * 3.0).round());
        let first = x.row(0).to_owned();
        x.row_mut(5).assign(&first);
        for k in [1, 4, 10] {
            assert!(kd_tree::tree_pays(x.nrows(), 3, k + 1));
            let brute: Vec<Neighbours> = (0..x.nrows())
                .map(|i| nearest(x.view(), x.row(i), k, Some(i)))
                .collect();
            assert_eq!(knn_graph(x.view(), k), brute, "k = {k}");
        }
    }
}
