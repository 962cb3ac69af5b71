//! A k-d tree (Bentley 1975) over the rows of a matrix, for exact nearest-neighbour and radius
//! queries in few dimensions, as scikit-learn's `KDTree`: each node holds a contiguous run of the
//! rows and their bounding box; a node splits at the median of its widest coordinate until it
//! holds at most [`LEAF_SIZE`] rows. A query visits the nearer child first and skips every node
//! whose box is farther than the current k-th neighbour (or the radius).
//!
//! The answers are exactly the brute-force search's: the distance of a row is summed in the same
//! order as in `search.rs` (so equal bits), neighbours are ordered by distance and then index, and
//! a node is skipped only when its box is *strictly* farther than the k-th neighbour, so a row at
//! the same distance with a lower index is still found. Box distances are lower bounds also in
//! floating point: rounding is monotone, so a coordinate gap to the box never rounds above the gap
//! to a row inside it.

use super::search::Metric;
use ndarray::ArrayView2;

/// Rows per leaf, scikit-learn's default `leaf_size`.
pub(crate) const LEAF_SIZE: usize = 30;

/// Fewest rows worth building a tree for: below this a leaf would hold everything.
const MIN_ROWS: usize = 2 * LEAF_SIZE;

/// scikit-learn's `algorithm="auto"` rule: a tree for at most 15 features and fewer neighbours than
/// half the rows, brute force otherwise (there the tree prunes too little to pay for itself).
pub(crate) fn tree_pays(n_rows: usize, n_features: usize, k: usize) -> bool {
    n_rows >= MIN_ROWS && n_features <= 15 && k < n_rows / 2
}

struct Node {
    /// The node's rows are `start..end` in tree order.
    start: usize,
    end: usize,
    /// Indices of the two children in `nodes`; `None` for a leaf.
    children: Option<(usize, usize)>,
}

pub(crate) struct KdTree {
    width: usize,
    /// The rows in tree order, row-major, so a leaf's rows are one contiguous slice.
    points: Vec<f64>,
    /// The original row index of each row in tree order.
    index: Vec<usize>,
    nodes: Vec<Node>,
    /// Each node's bounding box, `width` values per node.
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl KdTree {
    /// Builds the tree over the rows of `x` (any number of rows, at least one column).
    pub(crate) fn new(x: ArrayView2<f64>) -> KdTree {
        let (n, width) = x.dim();
        let mut tree = KdTree {
            width,
            points: Vec::with_capacity(n * width),
            index: (0..n).collect(),
            nodes: Vec::new(),
            lo: Vec::new(),
            hi: Vec::new(),
        };
        let mut index = std::mem::take(&mut tree.index);
        tree.build(x, &mut index, 0, n);
        for &i in &index {
            tree.points.extend(x.row(i).iter().copied());
        }
        tree.index = index;
        tree
    }

    /// Adds the node for `index[start..end]` and, below it, its subtree; returns its position.
    fn build(
        &mut self,
        x: ArrayView2<f64>,
        index: &mut [usize],
        start: usize,
        end: usize,
    ) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node {
            start,
            end,
            children: None,
        });
        let (mut lo, mut hi) = (
            vec![f64::INFINITY; self.width],
            vec![f64::NEG_INFINITY; self.width],
        );
        for &i in &index[start..end] {
            for (c, &v) in x.row(i).iter().enumerate() {
                lo[c] = lo[c].min(v);
                hi[c] = hi[c].max(v);
            }
        }
        let widest = (0..self.width)
            .map(|c| (hi[c] - lo[c], c))
            .fold((0.0, 0), |a, b| if b.0 > a.0 { b } else { a });
        self.lo.extend(lo);
        self.hi.extend(hi);
        // A node of identical rows (zero spread) stays a leaf, however many rows it has.
        if end - start > LEAF_SIZE && widest.0 > 0.0 {
            let c = widest.1;
            let mid = start + (end - start) / 2;
            index[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
                x[[a, c]].total_cmp(&x[[b, c]]).then(a.cmp(&b))
            });
            let left = self.build(x, index, start, mid);
            let right = self.build(x, index, mid, end);
            self.nodes[id].children = Some((left, right));
        }
        id
    }

    fn row(&self, r: usize) -> &[f64] {
        &self.points[r * self.width..(r + 1) * self.width]
    }

    /// The smallest and largest reduced distance from `q` to any point of node `id`'s box.
    fn box_range(&self, id: usize, q: &[f64], metric: Metric) -> (f64, f64) {
        let at = id * self.width;
        let (lo, hi) = (&self.lo[at..at + self.width], &self.hi[at..at + self.width]);
        let (mut near, mut far) = (0.0, 0.0);
        for ((&v, &l), &h) in q.iter().zip(lo).zip(hi) {
            let gap = (l - v).max(v - h).max(0.0);
            let span = (v - l).abs().max((h - v).abs());
            near += metric.reduce_gap(gap);
            far += metric.reduce_gap(span);
        }
        (near, far)
    }

    /// The `k` nearest rows to `q` as `(reduced distance, original index)`, nearest first, ties by
    /// lower index, left in `best`. `k` must be at least 1.
    pub(crate) fn nearest<'b>(
        &self,
        q: &[f64],
        k: usize,
        metric: Metric,
        best: &'b mut Vec<(f64, usize)>,
    ) -> &'b [(f64, usize)] {
        best.clear();
        if !self.nodes.is_empty() {
            self.visit_nearest(0, q, k, metric, best);
        }
        best
    }

    fn visit_nearest(
        &self,
        id: usize,
        q: &[f64],
        k: usize,
        metric: Metric,
        best: &mut Vec<(f64, usize)>,
    ) {
        let node = &self.nodes[id];
        match node.children {
            None => {
                for r in node.start..node.end {
                    offer(best, k, metric.reduced(q, self.row(r)), self.index[r]);
                }
            }
            Some((a, b)) => {
                let da = self.box_range(a, q, metric).0;
                let db = self.box_range(b, q, metric).0;
                let order = if da <= db {
                    [(a, da), (b, db)]
                } else {
                    [(b, db), (a, da)]
                };
                for (child, bound) in order {
                    let beyond = best.len() == k && best.last().is_some_and(|w| bound > w.0);
                    if !beyond {
                        self.visit_nearest(child, q, k, metric, best);
                    }
                }
            }
        }
    }

    /// The original indices of the rows within reduced distance `radius` of `q` (bound
    /// included), appended to `out` in no particular order.
    pub(crate) fn within(&self, q: &[f64], radius: f64, metric: Metric, out: &mut Vec<usize>) {
        if !self.nodes.is_empty() {
            self.visit_within(0, q, radius, metric, out);
        }
    }

    fn visit_within(
        &self,
        id: usize,
        q: &[f64],
        radius: f64,
        metric: Metric,
        out: &mut Vec<usize>,
    ) {
        let node = &self.nodes[id];
        let (near, far) = self.box_range(id, q, metric);
        if near > radius {
            return;
        }
        if far <= radius {
            // The whole box is inside: no distance needs computing.
            out.extend_from_slice(&self.index[node.start..node.end]);
            return;
        }
        match node.children {
            None => out.extend(
                (node.start..node.end)
                    .filter(|&r| metric.reduced(q, self.row(r)) <= radius)
                    .map(|r| self.index[r]),
            ),
            Some((a, b)) => {
                self.visit_within(a, q, radius, metric, out);
                self.visit_within(b, q, radius, metric, out);
            }
        }
    }
}

/// Puts `(d, j)` into `best`, kept sorted by distance then index and at most `k` long, if it
/// belongs there.
fn offer(best: &mut Vec<(f64, usize)>, k: usize, d: f64, j: usize) {
    let before = |b: &(f64, usize)| b.0 < d || (b.0 == d && b.1 < j);
    if best.len() == k {
        match best.last() {
            Some(w) if !before(w) => {
                best.pop();
            }
            _ => return,
        }
    }
    let at = best.partition_point(before);
    best.insert(at, (d, j));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use ndarray::Array2;

    /// Every row's distance to `q`, sorted by distance then index.
    fn brute(x: &Array2<f64>, q: &[f64], metric: Metric) -> Vec<(f64, usize)> {
        let mut all: Vec<(f64, usize)> = x
            .rows()
            .into_iter()
            .enumerate()
            .map(|(j, r)| (metric.reduced(q, r), j))
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        all
    }

    /// Random points, then coarse grid points with many exact ties and duplicate rows.
    fn data_sets() -> Vec<Array2<f64>> {
        let mut rng = Rng::new(11);
        let smooth = Array2::from_shape_fn((700, 3), |_| rng.normal());
        let grid = Array2::from_shape_fn((500, 2), |_| rng.uniform_range(0.0, 5.0).floor());
        let flat = Array2::from_shape_fn((90, 4), |(_, c)| if c == 0 { 1.0 } else { 0.0 });
        vec![smooth, grid, flat]
    }

    #[test]
    fn nearest_equals_brute_force_ties_included() {
        let mut rng = Rng::new(3);
        for x in data_sets() {
            let tree = KdTree::new(x.view());
            let mut best = Vec::new();
            for metric in [Metric::Euclidean, Metric::Manhattan] {
                for t in 0..40 {
                    // Half the queries are rows of the data (distance 0), half are new points.
                    let q: Vec<f64> = if t % 2 == 0 {
                        x.row(t * 7 % x.nrows()).to_vec()
                    } else {
                        (0..x.ncols())
                            .map(|_| rng.uniform_range(-1.0, 5.0))
                            .collect()
                    };
                    let want = brute(&x, &q, metric);
                    for k in [1, 5, 31, 64] {
                        let got = tree.nearest(&q, k, metric, &mut best);
                        assert_eq!(got, &want[..k.min(want.len())], "k = {k}, query {t}");
                    }
                }
            }
        }
    }

    #[test]
    fn within_equals_brute_force_bound_included() {
        for x in data_sets() {
            let tree = KdTree::new(x.view());
            let mut out = Vec::new();
            for metric in [Metric::Euclidean, Metric::Manhattan] {
                for (t, radius) in [0.0, 1.0, 2.0, 4.5].into_iter().enumerate() {
                    let q = x.row(t * 13 % x.nrows()).to_vec();
                    out.clear();
                    tree.within(&q, radius, metric, &mut out);
                    out.sort_unstable();
                    let want: Vec<usize> = brute(&x, &q, metric)
                        .into_iter()
                        .filter(|&(d, _)| d <= radius)
                        .map(|(_, j)| j)
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .collect();
                    assert_eq!(out, want, "radius {radius}");
                }
            }
        }
    }

    #[test]
    fn tiny_and_single_row_trees() {
        let x = Array2::from_shape_vec((1, 2), vec![1.0, 2.0]).unwrap();
        let tree = KdTree::new(x.view());
        let mut best = Vec::new();
        assert_eq!(
            tree.nearest(&[0.0, 0.0], 3, Metric::Euclidean, &mut best),
            &[(5.0, 0)]
        );
        let empty = Array2::<f64>::zeros((0, 2));
        assert!(KdTree::new(empty.view())
            .nearest(&[0.0, 0.0], 1, Metric::Euclidean, &mut best)
            .is_empty());
    }
}
