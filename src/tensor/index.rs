//! Indexing kernels: a range along one axis (`slice_axis`), joining along one axis (`concat`), and
//! picking rows (`gather_rows`, for mini-batches). Each is one copy loop over (outer, axis, inner)
//! blocks, so each maps to one GPU kernel later.

use super::gpu::{self, Blocks};
use super::shape::{numel, split_at_axis};
use super::Tensor;
use crate::error::{Error, Result};

impl Tensor {
    /// Elements `start..end` along `axis` (the other axes unchanged).
    pub fn slice_axis(&self, axis: usize, start: usize, end: usize) -> Result<Tensor> {
        if axis >= self.rank() || start > end || end > self.shape[axis] {
            return Err(Error::Shape(format!(
                "slice {start}..{end} along axis {axis} of a tensor of shape {:?}",
                self.shape
            )));
        }
        let (outer, len, inner) = split_at_axis(&self.shape, axis);
        let width = (end - start) * inner;
        let mut shape = self.shape.clone();
        shape[axis] = end - start;
        if let Some(g) = self.gpu_buffer() {
            let blocks = Blocks {
                outer,
                width,
                src_offset: start * inner,
                src_stride: len * inner,
                dst_offset: 0,
                dst_stride: width,
            };
            let out = gpu::assemble(&[(g, blocks)], outer * width)?;
            return Ok(Tensor::from_gpu(out, shape));
        }
        let src = self.cpu();
        let mut out = Vec::with_capacity(outer * width);
        for o in 0..outer {
            let from = (o * len + start) * inner;
            out.extend_from_slice(&src[from..from + width]);
        }
        Ok(Tensor::from_parts(out, shape))
    }

    /// Joins `parts` along `axis`; every other axis must agree.
    pub fn concat(parts: &[&Tensor], axis: usize) -> Result<Tensor> {
        let Some(first) = parts.first() else {
            return Err(Error::Shape("concat of no tensors".into()));
        };
        let rank = first.rank();
        let compatible = |t: &Tensor| {
            t.rank() == rank
                && t.shape
                    .iter()
                    .zip(&first.shape)
                    .enumerate()
                    .all(|(i, (a, b))| i == axis || a == b)
        };
        if axis >= rank || !parts.iter().all(|t| compatible(t)) {
            let shapes: Vec<&[usize]> = parts.iter().map(|t| t.shape()).collect();
            return Err(Error::Shape(format!(
                "concat along axis {axis} needs equal shapes on every other axis, got {shapes:?}"
            )));
        }
        let total: usize = parts.iter().map(|t| t.shape[axis]).sum();
        let mut shape = first.shape.clone();
        shape[axis] = total;
        let (outer, _, inner) = split_at_axis(&shape, axis);
        if let Some(ctx) = Tensor::gpu_of(parts) {
            let buffers = parts
                .iter()
                .map(|t| t.buffer_on(&ctx))
                .collect::<Result<Vec<_>>>()?;
            let mut before = 0;
            let blocks: Vec<_> = parts
                .iter()
                .zip(&buffers)
                .map(|(t, b)| {
                    let width = t.shape[axis] * inner;
                    let block = Blocks {
                        outer,
                        width,
                        src_offset: 0,
                        src_stride: width,
                        dst_offset: before,
                        dst_stride: total * inner,
                    };
                    before += width;
                    (&**b, block)
                })
                .collect();
            let out = gpu::assemble(&blocks, numel(&shape))?;
            return Ok(Tensor::from_gpu(out, shape));
        }
        let mut out = Vec::with_capacity(numel(&shape));
        for o in 0..outer {
            for t in parts {
                let width = t.shape[axis] * inner;
                out.extend_from_slice(&t.cpu()[o * width..(o + 1) * width]);
            }
        }
        Ok(Tensor::from_parts(out, shape))
    }

    /// The rows (entries along axis 0) at `indices`, in that order.
    pub fn gather_rows(&self, indices: &[usize]) -> Result<Tensor> {
        let Some(&rows) = self.shape.first() else {
            return Err(Error::Shape("gather_rows of a scalar".into()));
        };
        let width = self.numel() / rows.max(1);
        if let Some(&i) = indices.iter().find(|&&i| i >= rows) {
            return Err(Error::Shape(format!(
                "row {i} of a tensor with {rows} rows (shape {:?})",
                self.shape
            )));
        }
        let mut shape = self.shape.clone();
        shape[0] = indices.len();
        if let Some(g) = self.gpu_buffer() {
            return Ok(Tensor::from_gpu(
                gpu::gather_rows(g, indices, width)?,
                shape,
            ));
        }
        let src = self.cpu();
        let mut out = Vec::with_capacity(indices.len() * width);
        for &i in indices {
            out.extend_from_slice(&src[i * width..(i + 1) * width]);
        }
        Ok(Tensor::from_parts(out, shape))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_concat_gather() {
        let t = Tensor::from_vec((0..12).map(|v| v as f32).collect(), &[2, 3, 2]).unwrap();
        let s = t.slice_axis(1, 1, 3).unwrap();
        assert_eq!(s.shape(), &[2, 2, 2]);
        assert_eq!(s.to_vec(), vec![2., 3., 4., 5., 8., 9., 10., 11.]);
        let head = t.slice_axis(1, 0, 1).unwrap();
        assert_eq!(Tensor::concat(&[&head, &s], 1).unwrap(), t);
        assert!(t.slice_axis(1, 2, 4).is_err());
        assert!(t.slice_axis(3, 0, 1).is_err());
        assert!(Tensor::concat(&[&head, &t.slice_axis(2, 0, 1).unwrap()], 1).is_err());
        let g = t.gather_rows(&[1, 1, 0]).unwrap();
        assert_eq!(g.shape(), &[3, 3, 2]);
        assert_eq!(g.to_vec()[..6], t.to_vec()[6..]);
        assert!(t.gather_rows(&[2]).is_err());
    }
}
