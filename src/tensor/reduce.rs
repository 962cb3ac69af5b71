//! Reductions (sum, mean, max) over one axis or all elements, the reverse of broadcasting
//! (`sum_to`), and numerically stable softmax / log-softmax along the last axis.

use super::shape::{broadcast_shapes, broadcast_strides, for_each_broadcast, numel, split_at_axis};
use super::{gpu, Tensor};
use crate::error::{Error, Result};

impl Tensor {
    fn check_axis(&self, axis: usize, what: &str) -> Result<()> {
        if axis >= self.rank() {
            return Err(Error::Shape(format!(
                "{what} over axis {axis} of a tensor of shape {:?} ({} axes)",
                self.shape,
                self.rank()
            )));
        }
        Ok(())
    }

    /// The shape after reducing `axis`: kept as length 1 or removed.
    fn reduced_shape(&self, axis: usize, keepdims: bool) -> Vec<usize> {
        let mut shape = self.shape.clone();
        if keepdims {
            shape[axis] = 1;
        } else {
            shape.remove(axis);
        }
        shape
    }

    /// Sum of all elements as a scalar (shape `[]`), accumulated in f64 to keep long sums accurate.
    pub fn sum_all(&self) -> Tensor {
        if let Some(g) = self.gpu_buffer() {
            return Tensor::from_gpu_or_nan(gpu::sum_rows(g, 1, self.numel()), &[]);
        }
        Tensor::scalar(self.cpu().iter().map(|&x| x as f64).sum::<f64>() as f32)
    }

    /// Mean of all elements as a scalar (NaN for an empty tensor, like NumPy).
    pub fn mean_all(&self) -> Tensor {
        if self.gpu_buffer().is_some() {
            return self.sum_all().scale(1.0 / self.numel() as f32);
        }
        let sum = self.cpu().iter().map(|&x| x as f64).sum::<f64>();
        Tensor::scalar((sum / self.numel() as f64) as f32)
    }

    /// Sum over `axis`; `keepdims` keeps it as length 1 so the result broadcasts against `self`.
    pub fn sum_axis(&self, axis: usize, keepdims: bool) -> Result<Tensor> {
        self.check_axis(axis, "sum")?;
        let (outer, len, inner) = split_at_axis(&self.shape, axis);
        if let Some(g) = self.gpu_buffer() {
            let out = if inner == 1 {
                gpu::sum_rows(g, outer, len)?
            } else {
                gpu::sum_strided(g, outer, len, inner)?
            };
            return Ok(Tensor::from_gpu(out, self.reduced_shape(axis, keepdims)));
        }
        let src = self.cpu();
        let mut out = vec![0.0f32; outer * inner];
        for o in 0..outer {
            let dst = &mut out[o * inner..(o + 1) * inner];
            // l outside i: both slices are read contiguously.
            for l in 0..len {
                let row = &src[(o * len + l) * inner..(o * len + l + 1) * inner];
                for (d, &s) in dst.iter_mut().zip(row) {
                    *d += s;
                }
            }
        }
        Ok(Tensor::from_parts(out, self.reduced_shape(axis, keepdims)))
    }

    /// Mean over `axis` (see `sum_axis`).
    pub fn mean_axis(&self, axis: usize, keepdims: bool) -> Result<Tensor> {
        let n = self.shape.get(axis).copied().unwrap_or(1);
        Ok(self.sum_axis(axis, keepdims)?.scale(1.0 / n as f32))
    }

    /// Sums a broadcast result back down to `shape` (the gradient of broadcasting `shape` up to
    /// `self.shape()`): leading axes and axes of length 1 in `shape` are summed over.
    pub fn sum_to(&self, shape: &[usize]) -> Result<Tensor> {
        if shape == self.shape.as_slice() {
            return Ok(self.clone());
        }
        if broadcast_shapes(shape, &self.shape)? != self.shape {
            return Err(Error::Shape(format!(
                "{:?} cannot be summed down to {shape:?}: {shape:?} does not broadcast to it",
                self.shape
            )));
        }
        if self.gpu_buffer().is_some() {
            // One sum per broadcast axis (kept as length 1), then drop the leading axes.
            let lead = self.rank() - shape.len();
            let mut t = self.clone();
            for axis in 0..self.rank() {
                let target = if axis < lead { 1 } else { shape[axis - lead] };
                if target == 1 && self.shape[axis] != 1 {
                    t = t.sum_axis(axis, true)?;
                }
            }
            return t.reshape(shape);
        }
        let strides = broadcast_strides(shape, &self.shape);
        let src = self.cpu();
        let mut out = vec![0.0f32; numel(shape)];
        for_each_broadcast(&self.shape, &strides, &strides, |o, t, _| out[t] += src[o]);
        Ok(Tensor::from_parts(out, shape.to_vec()))
    }

    /// The last axis's length and the number of rows before it; errors for a scalar or empty axis.
    fn rows_of_last(&self, what: &str) -> Result<(usize, usize)> {
        match self.shape.last() {
            Some(&n) if n > 0 => Ok((self.numel() / n, n)),
            _ => Err(Error::Shape(format!(
                "{what} needs a non-empty last axis, got shape {:?}",
                self.shape
            ))),
        }
    }

    /// Maximum along the last axis.
    pub fn max_last(&self, keepdims: bool) -> Result<Tensor> {
        let (rows, n) = self.rows_of_last("max")?;
        if let Some(g) = self.gpu_buffer() {
            let out = gpu::max_rows(g, rows, n)?;
            return Ok(Tensor::from_gpu(
                out,
                self.reduced_shape(self.rank() - 1, keepdims),
            ));
        }
        let src = self.cpu();
        let out = (0..rows)
            .map(|r| {
                src[r * n..(r + 1) * n]
                    .iter()
                    .fold(f32::NEG_INFINITY, |m, &x| m.max(x))
            })
            .collect();
        Ok(Tensor::from_parts(
            out,
            self.reduced_shape(self.rank() - 1, keepdims),
        ))
    }

    /// Index of the maximum along the last axis, one per row (the first on ties).
    pub fn argmax_last(&self) -> Result<Vec<usize>> {
        let (rows, n) = self.rows_of_last("argmax")?;
        let src = self.cpu();
        Ok((0..rows)
            .map(|r| {
                let row = &src[r * n..(r + 1) * n];
                (1..n).fold(0, |best, j| if row[j] > row[best] { j } else { best })
            })
            .collect())
    }

    /// Softmax along the last axis. The row maximum is subtracted first so exp never overflows.
    pub fn softmax(&self) -> Result<Tensor> {
        let (rows, n) = self.rows_of_last("softmax")?;
        if let Some(g) = self.gpu_buffer() {
            let out = gpu::softmax_rows(g, rows, n, false)?;
            return Ok(Tensor::from_gpu(out, self.shape.clone()));
        }
        let src = self.cpu();
        let mut out = vec![0.0f32; src.len()];
        for r in 0..rows {
            let (x, y) = (&src[r * n..(r + 1) * n], &mut out[r * n..(r + 1) * n]);
            let max = x.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
            let mut total = 0.0f32;
            for (yi, &xi) in y.iter_mut().zip(x) {
                *yi = (xi - max).exp();
                total += *yi;
            }
            y.iter_mut().for_each(|yi| *yi /= total);
        }
        Ok(Tensor::from_parts(out, self.shape.clone()))
    }

    /// Log-softmax along the last axis: `x - max - ln(sum(exp(x - max)))`, finite for any finite
    /// logits (computing `ln(softmax)` instead gives -inf once a probability underflows).
    pub fn log_softmax(&self) -> Result<Tensor> {
        let (rows, n) = self.rows_of_last("log_softmax")?;
        if let Some(g) = self.gpu_buffer() {
            let out = gpu::softmax_rows(g, rows, n, true)?;
            return Ok(Tensor::from_gpu(out, self.shape.clone()));
        }
        let src = self.cpu();
        let mut out = vec![0.0f32; src.len()];
        for r in 0..rows {
            let (x, y) = (&src[r * n..(r + 1) * n], &mut out[r * n..(r + 1) * n]);
            let max = x.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
            let lse = max + x.iter().map(|&v| (v - max).exp()).sum::<f32>().ln();
            for (yi, &xi) in y.iter_mut().zip(x) {
                *yi = xi - lse;
            }
        }
        Ok(Tensor::from_parts(out, self.shape.clone()))
    }
}
