//! Growing a CART tree one split at a time. Each node's best split is searched when the node is
//! created (scikit-learn's `BestSplitter`: sort the samples by each feature, try every boundary
//! between distinct values, keep the first strictly best); a step applies one pending split. Which
//! pending split comes next (depth-first as scikit-learn, or best-first) changes only the order:
//! a node's split depends on its own samples and its own seed, so the final tree is the same.

use super::{Node, Split, Tree};
use crate::rng::Rng;
use ndarray::Array2;

/// Values closer than this count as equal and are never split apart (scikit-learn's
/// `FEATURE_THRESHOLD`).
const FEATURE_THRESHOLD: f64 = 1e-7;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Criterion {
    Gini,
    Entropy,
    SquaredError,
}

/// What the tree predicts: class indices `0..k`, or numbers.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Classes { k: usize, y: Vec<usize> },
    Values(Vec<f64>),
}

/// The stopping rules, already resolved against the data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_depth: usize,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub max_features: usize,
    pub min_impurity_decrease: f64,
    /// scikit-learn's `splitter="random"`: one random threshold per drawn feature.
    pub random_splits: bool,
}

/// Which pending split a step applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GrowthOrder {
    /// The left-most, deepest pending node first, as scikit-learn builds (and numbers) its trees.
    #[default]
    DepthFirst,
    /// The pending split that lowers the weighted impurity most, anywhere in the tree.
    BestFirst,
}

/// The best split found for a node, not applied yet.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    feature: usize,
    threshold: f64,
    /// Samples going left (the node's range is already partitioned).
    pos: usize,
    /// Weighted impurity decrease, scikit-learn's `impurity_improvement`.
    improvement: f64,
}

#[derive(Debug, Clone)]
struct GrowNode {
    start: usize,
    end: usize,
    depth: usize,
    impurity: f64,
    value: Vec<f64>,
    /// Total sample weight (the sample count when unweighted).
    weight: f64,
    /// Features known to be constant here (they stay constant in the children).
    constant: Vec<usize>,
    seed: u64,
    candidate: Option<Candidate>,
    /// The impurity, value and weight of the candidate's two sides, worked out when the split was
    /// scored and kept for the children, so they are not summed again.
    sides: Option<Box<[Stats; 2]>>,
    /// Children in creation order, once split.
    children: Option<(usize, usize)>,
}

/// A node's impurity, value and total weight.
type Stats = (f64, Vec<f64>, f64);

/// A tree being grown; [`crate::tree::DecisionTreeClassifierRun`] and the regressor's run wrap it.
#[derive(Debug, Clone)]
pub struct TreeGrowth {
    /// The features column by column (`xt[f * n_rows + i]` is row `i`'s feature `f`): a split
    /// search reads one feature of many rows, which a contiguous column serves from the cache.
    xt: Vec<f64>,
    n_rows: usize,
    n_features: usize,
    target: Target,
    criterion: Criterion,
    limits: Limits,
    order: GrowthOrder,
    /// One weight per training row (all 1 when unweighted).
    weights: Vec<f64>,
    /// `weights[i] * y[i]` per row of a regression target (empty for classes), the product the
    /// criterion sums, computed once rather than at every boundary of every node.
    wy: Vec<f64>,
    /// Sample indices (rows of weight 0 left out); every node owns the range `start..end`.
    samples: Vec<usize>,
    nodes: Vec<GrowNode>,
    /// Nodes with a candidate split not applied yet (a stack for depth-first growth).
    pending: Vec<usize>,
    last_split: Option<usize>,
    n_splits: usize,
    /// Buffers the split search reuses from node to node instead of allocating its own.
    scratch: Scratch,
}

/// The split search's working buffers (their contents mean nothing between nodes).
#[derive(Debug, Clone, Default)]
struct Scratch {
    /// The node's samples, reordered by each feature in turn.
    order: Vec<usize>,
    /// `order` before the latest sort.
    prev: Vec<usize>,
    /// `order` as the best split so far left it.
    best_order: Vec<usize>,
    /// The current feature's values in `order`.
    values: Vec<f64>,
    /// Sort keys: a value's bits in `total_cmp` order above its position in `prev`.
    keys: Vec<u128>,
    /// The two sides of a random split while it is partitioned.
    left: Vec<usize>,
    right: Vec<usize>,
    /// Features not drawn yet at this node.
    undrawn: Vec<usize>,
    /// Class counts of the left then the right side of a random split.
    counts: Vec<f64>,
}

/// A picture of the growth so far: the tree (pending nodes as leaves) and, per node of that tree,
/// the weighted impurity decrease of its split if it still waits to be split (scikit-learn's
/// `impurity_improvement`: samples / all samples × (impurity - children's weighted impurity));
/// `last_split` is the node split by the latest step.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub tree: Tree,
    pub pending: Vec<Option<f64>>,
    pub last_split: Option<usize>,
}

impl TreeGrowth {
    pub(crate) fn new(
        x: Array2<f64>,
        target: Target,
        criterion: Criterion,
        limits: Limits,
        seed: u64,
    ) -> Self {
        Self::new_weighted(x, target, criterion, limits, seed, None)
    }

    /// As [`TreeGrowth::new`] with sample weights (already checked: finite, >= 0, one per row);
    /// rows of weight 0 take no part, as in scikit-learn.
    pub(crate) fn new_weighted(
        x: Array2<f64>,
        target: Target,
        criterion: Criterion,
        limits: Limits,
        seed: u64,
        weights: Option<&[f64]>,
    ) -> Self {
        let weights = weights.map_or_else(|| vec![1.0; x.nrows()], <[f64]>::to_vec);
        let samples: Vec<usize> = (0..x.nrows()).filter(|&i| weights[i] != 0.0).collect();
        let n = samples.len();
        let wy = match &target {
            Target::Values(y) => weights.iter().zip(y).map(|(w, y)| w * y).collect(),
            Target::Classes { .. } => Vec::new(),
        };
        let mut g = TreeGrowth {
            xt: x.t().iter().copied().collect(),
            n_rows: x.nrows(),
            n_features: x.ncols(),
            wy,
            target,
            criterion,
            limits,
            order: GrowthOrder::DepthFirst,
            weights,
            samples,
            nodes: Vec::new(),
            pending: Vec::new(),
            last_split: None,
            n_splits: 0,
            scratch: Scratch::default(),
        };
        g.add_node(0, n, 0, Vec::new(), seed, None);
        g
    }

    /// Sets which pending split each step applies (the final tree is the same either way).
    pub fn set_order(&mut self, order: GrowthOrder) {
        self.order = order;
    }

    pub fn splits(&self) -> usize {
        self.n_splits
    }

    pub fn is_done(&self) -> bool {
        self.pending.is_empty()
    }

    /// Applies one pending split; false when none is left.
    pub(crate) fn split_next(&mut self) -> bool {
        let pick = match self.order {
            GrowthOrder::DepthFirst => self.pending.pop(),
            GrowthOrder::BestFirst => {
                let best = (0..self.pending.len()).fold(None, |best: Option<usize>, i| {
                    let imp = |j: usize| {
                        self.nodes[self.pending[j]]
                            .candidate
                            .map_or(f64::NEG_INFINITY, |c| c.improvement)
                    };
                    match best {
                        Some(b) if imp(b) >= imp(i) => Some(b),
                        _ => Some(i),
                    }
                });
                best.map(|i| self.pending.remove(i))
            }
        };
        let Some(id) = pick else { return false };
        let Some(c) = self.nodes[id].candidate else {
            return false;
        };
        let (start, end, depth) = (
            self.nodes[id].start,
            self.nodes[id].end,
            self.nodes[id].depth,
        );
        let constant = self.nodes[id].constant.clone();
        let seed = self.nodes[id].seed;
        let [left_stats, right_stats] = match self.nodes[id].sides.take() {
            Some(sides) => (*sides).map(Some),
            None => [None, None],
        };
        let left = self.add_node(
            start,
            start + c.pos,
            depth + 1,
            constant.clone(),
            child(seed, 1),
            left_stats,
        );
        let right = self.add_node(
            start + c.pos,
            end,
            depth + 1,
            constant,
            child(seed, 2),
            right_stats,
        );
        self.nodes[id].children = Some((left, right));
        // Right first, so depth-first growth pops the left child next, as scikit-learn does.
        for c in [right, left] {
            if self.nodes[c].candidate.is_some() {
                self.pending.push(c);
            }
        }
        self.last_split = Some(id);
        self.n_splits += 1;
        true
    }

    /// Creates a node over `start..end` and searches its best split (none makes it a leaf);
    /// `stats` are the node's own if its parent's split search already summed them.
    fn add_node(
        &mut self,
        start: usize,
        end: usize,
        depth: usize,
        constant: Vec<usize>,
        seed: u64,
        stats: Option<Stats>,
    ) -> usize {
        let (impurity, value, weight) = stats.unwrap_or_else(|| self.node_stats(start, end));
        let mut node = GrowNode {
            start,
            end,
            depth,
            impurity,
            value,
            weight,
            constant,
            seed,
            candidate: None,
            sides: None,
            children: None,
        };
        let n = end - start;
        let l = self.limits;
        let is_leaf = depth >= l.max_depth
            || n < l.min_samples_split
            || n < 2 * l.min_samples_leaf
            || impurity <= f64::EPSILON;
        if !is_leaf {
            node.candidate = self
                .best_split(&mut node)
                .filter(|c| c.improvement + f64::EPSILON >= l.min_impurity_decrease);
            if node.candidate.is_none() {
                node.sides = None;
            }
        }
        let id = self.nodes.len();
        if id == 0 && node.candidate.is_some() {
            self.pending.push(0);
        }
        self.nodes.push(node);
        id
    }

    /// Impurity, value and total weight of the samples in `start..end`.
    fn node_stats(&self, start: usize, end: usize) -> Stats {
        let idx = &self.samples[start..end];
        let w = &self.weights;
        let n: f64 = idx.iter().fold(0.0, |s, &i| s + w[i]);
        match &self.target {
            Target::Classes { k, y } => {
                let mut counts = vec![0.0; *k];
                for &i in idx {
                    counts[y[i]] += w[i];
                }
                let imp = class_impurity(self.criterion, &counts, n);
                (imp, counts.iter().map(|c| c / n).collect(), n)
            }
            Target::Values(y) => {
                let (mut sum, mut sq) = (0.0, 0.0);
                for &i in idx {
                    sum += self.wy[i];
                    sq += self.wy[i] * y[i];
                }
                (sq / n - (sum / n) * (sum / n), vec![sum / n], n)
            }
        }
    }

    /// scikit-learn's `BestSplitter.node_split` for one node (or its `RandomSplitter`'s with
    /// `random_splits`); partitions its samples by the winner.
    fn best_split(&mut self, node: &mut GrowNode) -> Option<Candidate> {
        let mut scratch = std::mem::take(&mut self.scratch);
        let found = self.search(node, &mut scratch);
        self.scratch = scratch;
        let (feature, threshold, pos) = found?;
        let (start, end) = (node.start, node.end);
        let parent = node.impurity;
        let left = self.node_stats(start, start + pos);
        let right = self.node_stats(start + pos, end);
        let (il, nl, ir, nr) = (left.0, left.2, right.0, right.2);
        node.sides = Some(Box::new([left, right]));
        let total = self.nodes.first().map_or(node.weight, |root| root.weight);
        let nn = node.weight;
        let improvement = nn / total * (parent - nr / nn * ir - nl / nn * il);
        Some(Candidate {
            feature,
            threshold,
            pos,
            improvement,
        })
    }

    /// Feature `f` of every row.
    fn column(&self, f: usize) -> &[f64] {
        &self.xt[f * self.n_rows..(f + 1) * self.n_rows]
    }

    /// The search of [`TreeGrowth::best_split`]: the winning feature, threshold and count of
    /// samples going left, with the node's samples partitioned by it.
    fn search(&mut self, node: &mut GrowNode, s: &mut Scratch) -> Option<(usize, f64, usize)> {
        let (start, end) = (node.start, node.end);
        let n = end - start;
        let p = self.n_features;
        let random = self.limits.max_features < p || self.limits.random_splits;
        let mut rng = Rng::new(node.seed);
        // Undrawn features; with every feature allowed they are visited in column order.
        s.undrawn.clear();
        s.undrawn.extend(0..p);
        let (mut draws, mut constants_drawn) = (0usize, 0usize);
        let mut best: Option<(f64, usize, f64, usize)> = None; // proxy, feature, threshold, pos
        s.order.clear();
        s.order.extend_from_slice(&self.samples[start..end]);
        s.values.clear();
        s.values.resize(n, 0.0);
        while s.undrawn.iter().any(|f| !node.constant.contains(f))
            && (draws < self.limits.max_features || draws <= constants_drawn)
        {
            let f = if random {
                s.undrawn.swap_remove(rng.below(s.undrawn.len()))
            } else {
                s.undrawn.remove(0)
            };
            draws += 1;
            if node.constant.contains(&f) {
                constants_drawn += 1;
                continue;
            }
            if self.limits.random_splits {
                match self.random_threshold(s, f, &mut rng) {
                    RandomDraw::Constant => {
                        node.constant.push(f);
                        constants_drawn += 1;
                    }
                    RandomDraw::TooSmall => {}
                    RandomDraw::Split(proxy, threshold, pos) => {
                        if best.is_none_or(|b| proxy > b.0) {
                            best = Some((proxy, f, threshold, pos));
                            s.best_order.clone_from(&s.order);
                        }
                    }
                }
                continue;
            }
            self.sort_by_feature(s, f);
            let values = &s.values;
            if values[n - 1] <= values[0] + FEATURE_THRESHOLD {
                node.constant.push(f);
                constants_drawn += 1;
                continue;
            }
            if let Some((proxy, pos)) = self.scan(&s.order, values, best.map(|b| b.0)) {
                let threshold = {
                    let t = values[pos - 1] / 2.0 + values[pos] / 2.0;
                    if t == values[pos] || !t.is_finite() {
                        values[pos - 1]
                    } else {
                        t
                    }
                };
                best = Some((proxy, f, threshold, pos));
                s.best_order.clone_from(&s.order);
            }
        }
        let (_, feature, threshold, pos) = best?;
        self.samples[start..end].copy_from_slice(&s.best_order);
        Some((feature, threshold, pos))
    }

    /// Sorts `s.order` by feature `f`, stably (equal values keep their order, which decides the
    /// order the criterion sums them in), and fills `s.values` with the sorted values. Each key
    /// holds the value's bits, mapped so that integer order is `f64::total_cmp`'s, above the
    /// sample's position: plain integers sort much faster than indices compared through a
    /// lookup, and the position makes every key distinct, so an unstable sort gives the stable
    /// order.
    fn sort_by_feature(&self, s: &mut Scratch, f: usize) {
        let col = self.column(f);
        std::mem::swap(&mut s.prev, &mut s.order);
        s.keys.clear();
        s.keys.extend(s.prev.iter().enumerate().map(|(j, &i)| {
            let bits = col[i].to_bits() as i64;
            // As `f64::total_cmp`: flip the magnitude of negatives, then the sign bit so that
            // negatives come first as unsigned.
            let ordered = (bits ^ ((bits >> 63) as u64 >> 1) as i64) as u64 ^ (1 << 63);
            (u128::from(ordered) << 64) | j as u128
        }));
        s.keys.sort_unstable();
        s.order.clear();
        s.order
            .extend(s.keys.iter().map(|&k| s.prev[k as u64 as usize]));
        for (v, &i) in s.values.iter_mut().zip(&s.order) {
            *v = col[i];
        }
    }

    /// One random split on feature `f` (scikit-learn's `RandomSplitter`): a threshold uniform
    /// between the node's smallest and largest value, `s.order` partitioned by it (left first).
    fn random_threshold(&self, s: &mut Scratch, f: usize, rng: &mut Rng) -> RandomDraw {
        let col = self.column(f);
        let order = &mut s.order;
        let (lo, hi) = order
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                let v = col[i];
                (lo.min(v), hi.max(v))
            });
        if hi <= lo + FEATURE_THRESHOLD {
            return RandomDraw::Constant;
        }
        let mut threshold = rng.uniform_range(lo, hi);
        if threshold == hi {
            threshold = lo;
        }
        // One pass sorts the rows into the two sides and sums what the criterion needs, in the
        // order the rows come (the order the sums always took); `order` changes only once the
        // split is known to leave `min_samples_leaf` rows on each side.
        let w = &self.weights;
        s.left.clear();
        s.right.clear();
        let proxy = match &self.target {
            Target::Classes { k, y } => {
                s.counts.clear();
                s.counts.resize(2 * k, 0.0);
                let (cl, cr) = s.counts.split_at_mut(*k);
                for &i in order.iter() {
                    if col[i] <= threshold {
                        s.left.push(i);
                        cl[y[i]] += w[i];
                    } else {
                        s.right.push(i);
                        cr[y[i]] += w[i];
                    }
                }
                let (wl, wr) = (cl.iter().sum::<f64>(), cr.iter().sum::<f64>());
                -wr * class_impurity(self.criterion, cr, wr)
                    - wl * class_impurity(self.criterion, cl, wl)
            }
            Target::Values(_) => {
                let wy = &self.wy;
                // `-0.0` starts the sums as `Iterator::sum` does.
                let (mut sl, mut sr, mut wl, mut wr) = (-0.0, -0.0, -0.0, -0.0);
                for &i in order.iter() {
                    if col[i] <= threshold {
                        s.left.push(i);
                        sl += wy[i];
                        wl += w[i];
                    } else {
                        s.right.push(i);
                        sr += wy[i];
                        wr += w[i];
                    }
                }
                sl * sl / wl + sr * sr / wr
            }
        };
        let pos = s.left.len();
        let min_leaf = self.limits.min_samples_leaf;
        if pos < min_leaf || order.len() - pos < min_leaf {
            return RandomDraw::TooSmall;
        }
        order[..pos].copy_from_slice(&s.left);
        order[pos..].copy_from_slice(&s.right);
        RandomDraw::Split(proxy, threshold, pos)
    }

    /// Scans the boundaries of one sorted feature; returns the best proxy and its position if it
    /// beats `best` (strictly, so the first of equal candidates is kept).
    fn scan(&self, order: &[usize], values: &[f64], best: Option<f64>) -> Option<(f64, usize)> {
        let n = order.len();
        let min_leaf = self.limits.min_samples_leaf;
        let mut best_proxy = best.unwrap_or(f64::NEG_INFINITY);
        let mut found = None;
        let mut added = 0;
        let mut p = 0;
        let w = &self.weights;
        let w_total: f64 = order.iter().fold(0.0, |s, &i| s + w[i]);
        let mut w_left = 0.0;
        match &self.target {
            Target::Classes { k, y } => {
                let mut total = vec![0.0; *k];
                for &i in order {
                    total[y[i]] += w[i];
                }
                let mut left = vec![0.0; *k];
                let mut right = vec![0.0; *k];
                while p < n {
                    while p + 1 < n && values[p + 1] <= values[p] + FEATURE_THRESHOLD {
                        p += 1;
                    }
                    p += 1;
                    if p >= n || p < min_leaf || n - p < min_leaf {
                        continue;
                    }
                    for &i in &order[added..p] {
                        left[y[i]] += w[i];
                        w_left += w[i];
                    }
                    added = p;
                    for c in 0..*k {
                        right[c] = total[c] - left[c];
                    }
                    let (wl, wr) = (w_left, w_total - w_left);
                    let il = class_impurity(self.criterion, &left, wl);
                    let ir = class_impurity(self.criterion, &right, wr);
                    let proxy = -wr * ir - wl * il;
                    if proxy > best_proxy {
                        best_proxy = proxy;
                        found = Some((proxy, p));
                    }
                }
            }
            Target::Values(_) => {
                let wy = &self.wy;
                let total: f64 = order.iter().map(|&i| wy[i]).sum();
                let mut left = 0.0;
                while p < n {
                    while p + 1 < n && values[p + 1] <= values[p] + FEATURE_THRESHOLD {
                        p += 1;
                    }
                    p += 1;
                    if p >= n || p < min_leaf || n - p < min_leaf {
                        continue;
                    }
                    for &i in &order[added..p] {
                        left += wy[i];
                        w_left += w[i];
                    }
                    added = p;
                    let right = total - left;
                    let proxy = left * left / w_left + right * right / (w_total - w_left);
                    if proxy > best_proxy {
                        best_proxy = proxy;
                        found = Some((proxy, p));
                    }
                }
            }
        }
        found
    }

    /// The tree as grown so far, numbered depth-first (pending nodes are leaves for now).
    pub fn snapshot(&self) -> Snapshot {
        let mut nodes = Vec::with_capacity(self.nodes.len());
        let mut pending = Vec::with_capacity(self.nodes.len());
        let mut last_split = None;
        // Pre-order walk: the creation index of each node, and the slot of its parent's split.
        let mut stack: Vec<(usize, Option<(usize, bool)>)> = vec![(0, None)];
        while let Some((g, parent)) = stack.pop() {
            let id = nodes.len();
            if let Some((pid, is_left)) = parent {
                if let Some(s) = nodes.get_mut(pid).and_then(|n: &mut Node| n.split.as_mut()) {
                    if is_left {
                        s.left = id;
                    } else {
                        s.right = id;
                    }
                }
            }
            let gn = &self.nodes[g];
            let split = match (gn.children, gn.candidate) {
                (Some((l, r)), Some(c)) => {
                    stack.push((r, Some((id, false))));
                    stack.push((l, Some((id, true))));
                    Some(Split {
                        feature: c.feature,
                        threshold: c.threshold,
                        left: 0,
                        right: 0,
                    })
                }
                _ => None,
            };
            if self.last_split == Some(g) {
                last_split = Some(id);
            }
            pending.push(match (gn.children, gn.candidate) {
                (None, Some(c)) => Some(c.improvement),
                _ => None,
            });
            nodes.push(Node {
                depth: gn.depth,
                samples: gn.end - gn.start,
                weighted_samples: gn.weight,
                impurity: gn.impurity,
                value: gn.value.clone(),
                split,
            });
        }
        Snapshot {
            tree: Tree {
                nodes,
                n_features: self.n_features,
            },
            pending,
            last_split,
        }
    }

    pub(crate) fn tree(&self) -> Tree {
        self.snapshot().tree
    }
}

/// What a random threshold on one feature gave.
enum RandomDraw {
    /// The feature is constant in the node (it stays so in the children).
    Constant,
    /// One side would hold fewer than `min_samples_leaf` samples.
    TooSmall,
    /// Proxy improvement, threshold, samples going left.
    Split(f64, f64, usize),
}

/// A child's seed from its parent's: each node draws features from its own stream, whatever the
/// order the nodes are grown in.
fn child(seed: u64, which: u64) -> u64 {
    Rng::new(seed ^ which.wrapping_mul(0x9E37_79B9_7F4A_7C15)).next_u64()
}

/// Gini (`1 - Σ p²`) or entropy (`-Σ p log₂ p`) of class counts summing to `n`, computed in
/// scikit-learn's order of operations so equal candidates tie the same way.
fn class_impurity(criterion: Criterion, counts: &[f64], n: f64) -> f64 {
    match criterion {
        Criterion::Entropy => {
            let mut e = 0.0;
            for &c in counts {
                if c > 0.0 {
                    let p = c / n;
                    e -= p * (p.ln() / std::f64::consts::LN_2);
                }
            }
            e
        }
        _ => {
            let sq: f64 = counts.iter().fold(0.0, |s, c| s + c * c);
            1.0 - sq / (n * n)
        }
    }
}
