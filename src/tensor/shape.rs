//! Shape arithmetic: element counts, row-major strides and NumPy broadcasting.

use crate::error::{Error, Result};

pub(crate) fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// The shape two operands broadcast to under NumPy's rules: align trailing axes; each pair must be
/// equal or contain a 1.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let rank = a.len().max(b.len());
    let mut out = vec![0; rank];
    for i in 0..rank {
        // Walk from the last axis; a missing leading axis counts as 1.
        let da = if i < a.len() { a[a.len() - 1 - i] } else { 1 };
        let db = if i < b.len() { b[b.len() - 1 - i] } else { 1 };
        out[rank - 1 - i] = match (da, db) {
            _ if da == db => da,
            (1, d) | (d, 1) => d,
            _ => {
                return Err(Error::Shape(format!(
                    "shapes {a:?} and {b:?} do not broadcast (axis {} from the end: {da} vs {db})",
                    i + 1
                )))
            }
        };
    }
    Ok(out)
}

/// Strides for reading a tensor of `shape` as if it had `out_shape` (which it broadcasts to): axes
/// that are missing or of length 1 get stride 0, so the same element is read again.
pub(crate) fn broadcast_strides(shape: &[usize], out_shape: &[usize]) -> Vec<usize> {
    let offset = out_shape.len() - shape.len();
    let mut strides = vec![0; out_shape.len()];
    let mut step = 1;
    for i in (0..shape.len()).rev() {
        if shape[i] != 1 {
            strides[offset + i] = step;
        }
        step *= shape[i];
    }
    strides
}

/// Calls `f(out_index, offset_a, offset_b)` for every element of `out_shape` in row-major order, with
/// the offsets into two operands read through `sa` and `sb` (from `broadcast_strides`). The last axis
/// is the inner loop so the common contiguous case stays a tight loop.
pub(crate) fn for_each_broadcast(
    out_shape: &[usize],
    sa: &[usize],
    sb: &[usize],
    mut f: impl FnMut(usize, usize, usize),
) {
    let n = numel(out_shape);
    if n == 0 {
        return;
    }
    let rank = out_shape.len();
    if rank == 0 {
        f(0, 0, 0);
        return;
    }
    let inner = out_shape[rank - 1];
    let (ia, ib) = (sa[rank - 1], sb[rank - 1]);
    let mut index = vec![0usize; rank - 1];
    let (mut base_a, mut base_b) = (0usize, 0usize);
    let mut out = 0;
    loop {
        for j in 0..inner {
            f(out + j, base_a + j * ia, base_b + j * ib);
        }
        out += inner;
        if out >= n {
            return;
        }
        // Odometer increment over the outer axes, updating the base offsets incrementally.
        let mut axis = rank - 1;
        loop {
            axis -= 1;
            index[axis] += 1;
            base_a += sa[axis];
            base_b += sb[axis];
            if index[axis] < out_shape[axis] {
                break;
            }
            base_a -= sa[axis] * out_shape[axis];
            base_b -= sb[axis] * out_shape[axis];
            index[axis] = 0;
        }
    }
}

/// Splits `shape` around `axis` into (outer, length, inner) element counts.
pub(crate) fn split_at_axis(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    (
        numel(&shape[..axis]),
        shape[axis],
        numel(&shape[axis + 1..]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_shape_rules() {
        assert_eq!(broadcast_shapes(&[2, 3], &[3]).unwrap(), vec![2, 3]);
        assert_eq!(
            broadcast_shapes(&[4, 1, 3], &[2, 1]).unwrap(),
            vec![4, 2, 3]
        );
        assert_eq!(broadcast_shapes(&[], &[5]).unwrap(), vec![5]);
        assert!(broadcast_shapes(&[2, 3], &[2]).is_err());
    }

    #[test]
    fn offsets_follow_strides() {
        let out = [2, 3];
        let sa = broadcast_strides(&[2, 1], &out);
        let sb = broadcast_strides(&[3], &out);
        let mut seen = Vec::new();
        for_each_broadcast(&out, &sa, &sb, |o, a, b| seen.push((o, a, b)));
        assert_eq!(
            seen,
            vec![
                (0, 0, 0),
                (1, 0, 1),
                (2, 0, 2),
                (3, 1, 0),
                (4, 1, 1),
                (5, 1, 2)
            ]
        );
    }
}
