//! Cholesky factorisation of a sparse symmetric positive-definite matrix in envelope ("skyline")
//! form, after a reverse Cuthill-McKee reordering. LLE's cost matrix couples each point only to
//! its neighbours' neighbours, and on a manifold those orderings give a narrow band: the factor
//! costs a few percent of a dense one, and each solve a fraction of a dense solve. This is what
//! makes LLE's shift-invert Lanczos iteration cheap, natively and in wasm.

use super::dot;
use ndarray::ArrayView2;
use std::collections::VecDeque;

/// `L` with `A = L Lᵀ` for `A` reordered by `order`: row `i` of `L` holds columns
/// `first[i]..=i` at `values[start[i]..start[i + 1]]`.
pub struct EnvelopeCholesky {
    /// `order[new] = old`: the reverse Cuthill-McKee numbering.
    order: Vec<usize>,
    first: Vec<usize>,
    start: Vec<usize>,
    values: Vec<f64>,
}

/// Reverse Cuthill-McKee: breadth-first numbering from a far-out node, neighbours by increasing
/// degree, then reversed; each connected piece in turn. Keeps coupled rows close together.
fn reverse_cuthill_mckee(adj: &[Vec<usize>]) -> Vec<usize> {
    let n = adj.len();
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for seed in 0..n {
        if seen[seed] {
            continue;
        }
        // Two sweeps towards the last node reached find a nearly peripheral start.
        let mut root = seed;
        for _ in 0..2 {
            root = *bfs(adj, root, &seen).last().unwrap_or(&root);
        }
        let piece = bfs(adj, root, &seen);
        for &v in &piece {
            seen[v] = true;
        }
        order.extend(piece);
    }
    order.reverse();
    order
}

/// Breadth-first order from `root` over nodes not `blocked`, neighbours by increasing degree.
fn bfs(adj: &[Vec<usize>], root: usize, blocked: &[bool]) -> Vec<usize> {
    let mut visited = blocked.to_vec();
    let mut out = Vec::new();
    let mut queue = VecDeque::from([root]);
    visited[root] = true;
    while let Some(u) = queue.pop_front() {
        out.push(u);
        let mut next: Vec<usize> = adj[u].iter().copied().filter(|&v| !visited[v]).collect();
        next.sort_by_key(|&v| (adj[v].len(), v));
        for v in next {
            visited[v] = true;
            queue.push_back(v);
        }
    }
    out
}

impl EnvelopeCholesky {
    /// Factorises `a` plus `shift` on the diagonal, reading its non-zero pattern. `None` when the
    /// reordered envelope is no sparser than `max_fraction` of a dense lower triangle's work (a
    /// dense factorisation is then the better tool) or when the matrix is not positive definite.
    pub fn new(a: ArrayView2<f64>, shift: f64, max_fraction: f64) -> Option<EnvelopeCholesky> {
        let n = a.nrows();
        let adj: Vec<Vec<usize>> = (0..n)
            .map(|i| (0..n).filter(|&j| j != i && a[[i, j]] != 0.0).collect())
            .collect();
        let order = reverse_cuthill_mckee(&adj);
        let mut position = vec![0; n];
        for (new, &old) in order.iter().enumerate() {
            position[old] = new;
        }
        let first: Vec<usize> = (0..n)
            .map(|i| {
                let old = order[i];
                adj[old]
                    .iter()
                    .map(|&j| position[j])
                    .filter(|&j| j < i)
                    .min()
                    .unwrap_or(i)
            })
            .collect();
        // Work of the factorisation ~ sum of squared row lengths / 2, against n³ / 3 dense.
        let work: f64 = first
            .iter()
            .enumerate()
            .map(|(i, &f)| ((i - f + 1) as f64).powi(2) / 2.0)
            .sum();
        if work > max_fraction * (n as f64).powi(3) / 3.0 {
            return None;
        }
        let mut start = Vec::with_capacity(n + 1);
        start.push(0);
        for (i, &f) in first.iter().enumerate() {
            start.push(start[i] + i - f + 1);
        }
        let mut values = vec![0.0; start[n]];
        for i in 0..n {
            let old = order[i];
            for j in first[i]..=i {
                values[start[i] + j - first[i]] = a[[old, order[j]]];
            }
            values[start[i + 1] - 1] += shift;
        }
        // Row by row: entry (i, j) minus the dot product of rows i and j over their common
        // columns, divided by the pivot of row j; then the pivot of row i.
        for i in 0..n {
            let (done, row_i) = values.split_at_mut(start[i]);
            for j in first[i]..i {
                let lo = first[i].max(first[j]);
                let ri = &row_i[lo - first[i]..j - first[i]];
                let rj = &done[start[j] + lo - first[j]..start[j] + j - first[j]];
                let pivot = done[start[j + 1] - 1];
                let v = (row_i[j - first[i]] - dot(ri, rj)) / pivot;
                row_i[j - first[i]] = v;
            }
            let len = i - first[i];
            let d = row_i[len] - dot(&row_i[..len], &row_i[..len]);
            if !(d > 0.0 && d.is_finite()) {
                return None;
            }
            row_i[len] = d.sqrt();
        }
        Some(EnvelopeCholesky {
            order,
            first,
            start,
            values,
        })
    }

    /// Overwrites `b` with `(A + shift I)⁻¹ b`.
    pub fn solve_in_place(&self, b: &mut [f64]) {
        let n = b.len();
        let mut y: Vec<f64> = self.order.iter().map(|&old| b[old]).collect();
        // L y' = y, forward, a row at a time.
        for i in 0..n {
            let f = self.first[i];
            let row = &self.values[self.start[i]..self.start[i + 1]];
            let len = i - f;
            y[i] = (y[i] - dot(&row[..len], &y[f..i])) / row[len];
        }
        // Lᵀ x = y', backward: each solved entry is pushed into the rows above it.
        for i in (0..n).rev() {
            let f = self.first[i];
            let row = &self.values[self.start[i]..self.start[i + 1]];
            let len = i - f;
            let xi = y[i] / row[len];
            y[i] = xi;
            for (yk, l) in y[f..i].iter_mut().zip(&row[..len]) {
                *yk -= l * xi;
            }
        }
        for (new, &old) in self.order.iter().enumerate() {
            b[old] = y[new];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use ndarray::Array2;

    #[test]
    fn solves_a_shuffled_banded_system() {
        // A path graph's Laplacian plus a diagonal, with its rows shuffled: RCM recovers the band.
        let n = 200;
        let mut rng = Rng::new(3);
        let perm = rng.permutation(n);
        let mut a = Array2::<f64>::zeros((n, n));
        for i in 0..n {
            a[[perm[i], perm[i]]] = 2.5;
            if i + 1 < n {
                a[[perm[i], perm[i + 1]]] = -1.0;
                a[[perm[i + 1], perm[i]]] = -1.0;
            }
        }
        let f = EnvelopeCholesky::new(a.view(), 0.5, 0.01).expect("banded");
        let x_true: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let mut shifted = a.clone();
        shifted.diag_mut().mapv_inplace(|v| v + 0.5);
        let mut b = shifted.dot(&ndarray::Array1::from(x_true.clone())).to_vec();
        f.solve_in_place(&mut b);
        let err = b
            .iter()
            .zip(&x_true)
            .fold(0.0_f64, |m, (u, v)| m.max((u - v).abs()));
        assert!(err < 1e-12, "{err}");
        // Dense matrices are left to the dense factorisation; indefinite ones are refused.
        let dense = Array2::from_shape_fn((20, 20), |(i, j)| 1.0 / (1.0 + i as f64 + j as f64));
        assert!(EnvelopeCholesky::new(dense.view(), 1.0, 0.1).is_none());
        assert!(EnvelopeCholesky::new(a.view(), -3.0, 1.0).is_none());
    }
}
