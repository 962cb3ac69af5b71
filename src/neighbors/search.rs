//! Exact k-nearest-neighbour search, ordered by distance then training index: through a k-d tree
//! (`kd_tree.rs`) where the caller asks for one, otherwise brute force. With many features the
//! brute-force squared distances come, as in
//! scikit-learn and `cluster::kmeans`, from one matrix product per block of query rows
//! (`|q|² + |t|² - 2 q·t`); the rows that could reach the k-th place are then recomputed exactly,
//! so a query equal to a training row gets distance 0 and ties keep the lower index first.

use super::kd_tree::KdTree;
use ndarray::{Array2, ArrayView2, Axis};

/// The Minkowski power: 1 (Manhattan) or 2 (Euclidean).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Metric {
    Manhattan,
    Euclidean,
}

impl Metric {
    /// The distance, or for Euclidean its square (rank-equivalent, taken to the root at the end).
    pub(crate) fn reduced<'a>(
        self,
        a: impl IntoIterator<Item = &'a f64>,
        b: impl IntoIterator<Item = &'a f64>,
    ) -> f64 {
        let pairs = a.into_iter().zip(b);
        match self {
            Metric::Manhattan => pairs.map(|(x, y)| (x - y).abs()).sum(),
            Metric::Euclidean => pairs.map(|(x, y)| (x - y) * (x - y)).sum(),
        }
    }

    /// One coordinate's share of the reduced distance, for a gap `gap >= 0`.
    pub(crate) fn reduce_gap(self, gap: f64) -> f64 {
        match self {
            Metric::Manhattan => gap,
            Metric::Euclidean => gap * gap,
        }
    }

    fn finish(self, reduced: f64) -> f64 {
        match self {
            Metric::Manhattan => reduced,
            Metric::Euclidean => reduced.sqrt(),
        }
    }
}

/// Below this many features the products do not pay for themselves: the direct difference loop is
/// as many operations and needs no correction pass.
const GEMM_MIN_FEATURES: usize = 8;
/// Query rows per matrix product (a 256 x n_train block of products).
const BLOCK: usize = 256;

/// The `k` nearest training rows of every query row: distances and indices, nearest first, ties by
/// lower index. The caller guarantees `1 <= k <= train.nrows()` and matching widths.
pub(crate) fn kneighbors(
    train: ArrayView2<f64>,
    query: ArrayView2<f64>,
    k: usize,
    metric: Metric,
    use_tree: bool,
) -> (Array2<f64>, Array2<usize>) {
    let m = query.nrows();
    let mut dist = Array2::zeros((m, k));
    let mut ind = Array2::zeros((m, k));
    let mut buf: Vec<(f64, usize)> = Vec::with_capacity(train.nrows());
    let mut store = |i: usize, best: &[(f64, usize)]| {
        for (c, &(d, j)) in best.iter().enumerate() {
            dist[[i, c]] = metric.finish(d);
            ind[[i, c]] = j;
        }
    };
    if use_tree {
        let tree = KdTree::new(train);
        let mut q = Vec::with_capacity(train.ncols());
        for (i, row) in query.rows().into_iter().enumerate() {
            q.clear();
            q.extend(row.iter().copied());
            store(i, tree.nearest(&q, k, metric, &mut buf));
        }
        return (dist, ind);
    }
    if metric == Metric::Manhattan || train.ncols() < GEMM_MIN_FEATURES {
        // Row-major copies, so the inner loop runs over plain slices.
        let flat: Vec<f64> = train.iter().copied().collect();
        let width = train.ncols().max(1);
        let mut q = Vec::with_capacity(width);
        for (i, row) in query.rows().into_iter().enumerate() {
            q.clear();
            q.extend(row.iter().copied());
            let distances = flat
                .chunks_exact(width)
                .enumerate()
                .map(|(j, t)| (metric.reduced(&q, t), j));
            if k <= SMALL_K {
                store(i, keep_smallest(distances, k, &mut buf));
            } else {
                buf.clear();
                buf.extend(distances);
                store(i, smallest(&mut buf, k));
            }
        }
        return (dist, ind);
    }
    let norms: Vec<f64> = train.rows().into_iter().map(|t| t.dot(&t)).collect();
    let max_norm = norms.iter().fold(0.0_f64, |a, &b| a.max(b));
    let (mut approx, mut top_k, mut cand) = (Vec::new(), Vec::new(), Vec::new());
    for (b, block) in query.axis_chunks_iter(Axis(0), BLOCK).enumerate() {
        let products = block.dot(&train.t());
        for (r, (q, row)) in block.rows().into_iter().zip(products.rows()).enumerate() {
            let qn = q.dot(&q);
            // Everything within rounding error of the k-th approximate distance is a candidate;
            // candidates are ranked again by exact distances.
            let slack = 64.0 * f64::EPSILON * (qn + max_norm);
            let exact = |j: usize| (metric.reduced(q, train.row(j)), j);
            if k <= SMALL_K {
                // One pass: |q|² is the same for every row, so rows rank by |t|² - 2 q·t; a row
                // is a candidate if it comes within the slack of the k-th smallest so far, which
                // only shrinks, so every row within the slack of the final k-th is among them.
                // A row of the freshly made product is contiguous; copy it if it ever is not.
                let copy;
                let products = match row.as_slice() {
                    Some(products) => products,
                    None => {
                        copy = row.to_vec();
                        &copy
                    }
                };
                approx.clear();
                approx.extend(products.iter().zip(&norms).map(|(&p, &n)| n - 2.0 * p));
                top_k.clear();
                cand.clear();
                let (mut worst, mut threshold) = (f64::INFINITY, f64::INFINITY);
                for (j, &a) in approx.iter().enumerate() {
                    if a > threshold {
                        continue;
                    }
                    cand.push((a, j));
                    if a < worst {
                        let at = top_k.partition_point(|&t| t <= a);
                        top_k.insert(at, a);
                        top_k.truncate(k);
                        if top_k.len() == k {
                            worst = top_k[k - 1];
                            threshold = worst + slack;
                        }
                    }
                }
                let limit = worst + slack;
                let near = cand.iter().filter(|c| c.0 <= limit).map(|c| exact(c.1));
                store(b * BLOCK + r, keep_smallest(near, k, &mut buf));
            } else {
                buf.clear();
                buf.extend(
                    row.iter()
                        .zip(&norms)
                        .enumerate()
                        .map(|(j, (&p, &n))| (qn + n - 2.0 * p, j)),
                );
                let kth = smallest(&mut buf, k).last().map_or(0.0, |c| c.0);
                buf.clear();
                buf.extend(
                    row.iter()
                        .zip(&norms)
                        .enumerate()
                        .filter(|(_, (&p, &n))| qn + n - 2.0 * p <= kth + slack)
                        .map(|(j, _)| exact(j)),
                );
                store(b * BLOCK + r, smallest(&mut buf, k));
            }
        }
    }
    (dist, ind)
}

/// Up to this many neighbours, a sorted list that new candidates are inserted into beats
/// collecting every distance and selecting: most candidates are rejected by one comparison.
const SMALL_K: usize = 64;

/// The `k` smallest of `candidates`, which arrive in index order, kept sorted in `best`: a
/// candidate enters only if strictly closer than the current k-th, and goes after equal
/// distances, so ties stay with the lower index.
fn keep_smallest(
    candidates: impl Iterator<Item = (f64, usize)>,
    k: usize,
    best: &mut Vec<(f64, usize)>,
) -> &[(f64, usize)] {
    best.clear();
    for (d, j) in candidates {
        if best.len() == k {
            match best.last() {
                Some(worst) if d < worst.0 => {
                    best.pop();
                }
                _ => continue,
            }
        }
        let at = best.partition_point(|b| b.0 <= d);
        best.insert(at, (d, j));
    }
    best
}

/// The `k` smallest `(distance, index)` pairs of `buf`, sorted (distance, then index).
fn smallest(buf: &mut [(f64, usize)], k: usize) -> &[(f64, usize)] {
    let by = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    let k = k.min(buf.len());
    if k == 0 {
        return &buf[..0];
    }
    if k < buf.len() {
        buf.select_nth_unstable_by(k - 1, by);
    }
    let best = &mut buf[..k];
    best.sort_unstable_by(by);
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// The product path and the direct path agree, including exact zeros and index tie-breaks.
    #[test]
    fn product_path_matches_direct_distances() {
        let mut rng = crate::rng::Rng::new(4);
        let train = Array2::from_shape_fn((300, 10), |_| rng.normal());
        // Row 7 repeated at index 8: an exact tie, which the lower index must win.
        let mut train = train;
        let row7 = train.row(7).to_owned();
        train.row_mut(8).assign(&row7);
        let query = train.slice(ndarray::s![0..20, ..]).to_owned();
        let (d, i) = kneighbors(train.view(), query.view(), 4, Metric::Euclidean, false);
        for (r, q) in query.rows().into_iter().enumerate() {
            let mut all: Vec<(f64, usize)> = train
                .rows()
                .into_iter()
                .enumerate()
                .map(|(j, t)| (Metric::Euclidean.reduced(q, t).sqrt(), j))
                .collect();
            all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for c in 0..4 {
                assert_eq!(i[[r, c]], all[c].1, "row {r}, neighbour {c}");
                assert_eq!(d[[r, c]], all[c].0, "row {r}, neighbour {c}");
            }
        }
        assert_eq!(d[[7, 0]], 0.0);
        assert_eq!((i[[7, 0]], i[[7, 1]]), (7, 8));
        assert_eq!((i[[8, 0]], i[[8, 1]]), (7, 8));
    }

    /// The tree and both brute-force paths give the same bits, in few and in many features.
    #[test]
    fn tree_matches_brute_force() {
        let mut rng = crate::rng::Rng::new(5);
        for width in [2, 9] {
            // Rounded coordinates, so exact distance ties are common.
            let train = Array2::from_shape_fn((400, width), |_| (rng.normal() * 2.0).round());
            let query = Array2::from_shape_fn((60, width), |_| (rng.normal() * 2.0).round());
            for metric in [Metric::Euclidean, Metric::Manhattan] {
                for k in [1, 6, 80] {
                    let brute = kneighbors(train.view(), query.view(), k, metric, false);
                    let tree = kneighbors(train.view(), query.view(), k, metric, true);
                    assert_eq!(brute, tree, "width {width}, {metric:?}, k = {k}");
                }
            }
        }
    }

    /// Inserting into a short sorted list and selecting from all distances agree, ties included.
    #[test]
    fn both_selections_agree() {
        let mut rng = crate::rng::Rng::new(9);
        // Distances drawn from a few values, so ties are everywhere.
        let all: Vec<(f64, usize)> = (0..500)
            .map(|j| ((rng.uniform_range(0.0, 6.0)).floor(), j))
            .collect();
        for k in [1, 3, 17, 64] {
            let mut buf = all.clone();
            let mut best = Vec::new();
            assert_eq!(
                keep_smallest(all.iter().copied(), k, &mut best),
                smallest(&mut buf, k),
                "k = {k}"
            );
        }
    }

    #[test]
    fn manhattan_and_ties_by_index() {
        let train = array![[0.0, 0.0], [1.0, 1.0], [-1.0, -1.0], [2.0, 0.0]];
        let (d, i) = kneighbors(
            train.view(),
            array![[0.0, 0.0]].view(),
            4,
            Metric::Manhattan,
            false,
        );
        assert_eq!(i.row(0).to_vec(), vec![0, 1, 2, 3]);
        assert_eq!(d.row(0).to_vec(), vec![0.0, 2.0, 2.0, 2.0]);
        let (d, i) = kneighbors(
            train.view(),
            array![[0.0, 0.0]].view(),
            2,
            Metric::Euclidean,
            false,
        );
        assert_eq!(i.row(0).to_vec(), vec![0, 1]);
        assert_eq!(d[[0, 1]], 2.0_f64.sqrt());
    }
}
