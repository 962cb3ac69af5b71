//! Matrix products (2-D, 3-D batch by 2-D, 3-D by 3-D) on a cache-blocked CPU kernel, and the
//! transpose of the last two axes.

use super::{gpu, Tensor};
use crate::error::{Error, Result};

/// Columns of B (and C) per block: a KC x NC panel of B (128 KiB) stays in L2 while every row of A
/// streams past it, and four rows of the C block (4 KiB) stay in L1.
const NC: usize = 256;
/// Depth per block.
const KC: usize = 128;

/// `c += a * b` for row-major `a` (m x k), `b` (k x n), `c` (m x n).
///
/// Loop order is i-k-j so the innermost loop runs along contiguous rows of B and C (and
/// auto-vectorises, to simd128 on wasm); four rows of C are updated per pass so each loaded row of
/// B is used four times.
pub(crate) fn gemm(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize) {
    for jb in (0..n).step_by(NC) {
        let nb = NC.min(n - jb);
        for kb in (0..k).step_by(KC) {
            let kc = KC.min(k - kb);
            let mut i = 0;
            while i + 4 <= m {
                let rows = &mut c[i * n..(i + 4) * n];
                let (r0, rest) = rows.split_at_mut(n);
                let (r1, rest) = rest.split_at_mut(n);
                let (r2, r3) = rest.split_at_mut(n);
                let (r0, r1) = (&mut r0[jb..jb + nb], &mut r1[jb..jb + nb]);
                let (r2, r3) = (&mut r2[jb..jb + nb], &mut r3[jb..jb + nb]);
                for p in kb..kb + kc {
                    let brow = &b[p * n + jb..p * n + jb + nb];
                    let a0 = a[i * k + p];
                    let a1 = a[(i + 1) * k + p];
                    let a2 = a[(i + 2) * k + p];
                    let a3 = a[(i + 3) * k + p];
                    for ((((x0, x1), x2), x3), &bv) in r0
                        .iter_mut()
                        .zip(r1.iter_mut())
                        .zip(r2.iter_mut())
                        .zip(r3.iter_mut())
                        .zip(brow)
                    {
                        *x0 += a0 * bv;
                        *x1 += a1 * bv;
                        *x2 += a2 * bv;
                        *x3 += a3 * bv;
                    }
                }
                i += 4;
            }
            // The last m % 4 rows, one at a time.
            while i < m {
                let row = &mut c[i * n + jb..i * n + jb + nb];
                for p in kb..kb + kc {
                    let av = a[i * k + p];
                    let brow = &b[p * n + jb..p * n + jb + nb];
                    for (x, &bv) in row.iter_mut().zip(brow) {
                        *x += av * bv;
                    }
                }
                i += 1;
            }
        }
    }
}

impl Tensor {
    /// Matrix product. Accepts (m, k) x (k, n) -> (m, n); (batch, m, k) x (k, n) -> (batch, m, n),
    /// the same matrix applied to every batch entry; and (batch, m, k) x (batch, k, n).
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        let (sa, sb) = (&self.shape[..], &other.shape[..]);
        let mismatch = || {
            Error::Shape(format!(
                "matmul of {sa:?} and {sb:?}: inner dimensions differ or ranks are not 2-D/3-D"
            ))
        };
        match (sa.len(), sb.len()) {
            (2, 2) | (3, 2) => {
                let k = sa[sa.len() - 1];
                if k != sb[0] {
                    return Err(mismatch());
                }
                // A 3-D left operand is row-major, so it is just a taller matrix.
                let m: usize = sa[..sa.len() - 1].iter().product();
                let n = sb[1];
                let mut shape = sa[..sa.len() - 1].to_vec();
                shape.push(n);
                if let Some(ctx) = Tensor::gpu_of(&[self, other]) {
                    let (a, b) = (self.buffer_on(&ctx)?, other.buffer_on(&ctx)?);
                    let out = gpu::matmul(&a, &b, [1, m, k, n], true)?;
                    return Ok(Tensor::from_gpu(out, shape));
                }
                let mut c = vec![0.0; m * n];
                gemm(self.cpu(), other.cpu(), &mut c, m, k, n);
                Ok(Tensor::from_parts(c, shape))
            }
            (3, 3) => {
                let (batch, m, k, n) = (sa[0], sa[1], sa[2], sb[2]);
                if sb[0] != batch || sb[1] != k {
                    return Err(mismatch());
                }
                if let Some(ctx) = Tensor::gpu_of(&[self, other]) {
                    let (a, b) = (self.buffer_on(&ctx)?, other.buffer_on(&ctx)?);
                    let out = gpu::matmul(&a, &b, [batch, m, k, n], false)?;
                    return Ok(Tensor::from_gpu(out, vec![batch, m, n]));
                }
                let mut c = vec![0.0; batch * m * n];
                let (a, b) = (self.cpu(), other.cpu());
                for t in 0..batch {
                    gemm(
                        &a[t * m * k..(t + 1) * m * k],
                        &b[t * k * n..(t + 1) * k * n],
                        &mut c[t * m * n..(t + 1) * m * n],
                        m,
                        k,
                        n,
                    );
                }
                Ok(Tensor::from_parts(c, vec![batch, m, n]))
            }
            _ => Err(mismatch()),
        }
    }

    /// Swaps the last two axes (the matrix transpose for 2-D, per batch entry for higher ranks).
    pub fn transpose(&self) -> Result<Tensor> {
        let r = self.rank();
        if r < 2 {
            return Err(Error::Shape(format!(
                "transpose needs at least 2 axes, got shape {:?}",
                self.shape
            )));
        }
        let (rows, cols) = (self.shape[r - 2], self.shape[r - 1]);
        let batch = self.numel() / (rows * cols).max(1);
        let mut shape = self.shape.clone();
        shape.swap(r - 2, r - 1);
        if let Some(g) = self.gpu_buffer() {
            let out = gpu::transpose(g, rows, cols, self.numel())?;
            return Ok(Tensor::from_gpu(out, shape));
        }
        let src = self.cpu();
        let mut out = vec![0.0; src.len()];
        // Tiles of 32 x 32 keep both the reads and the writes within a few cache lines.
        const T: usize = 32;
        for t in 0..batch {
            let (s, d) = (&src[t * rows * cols..], &mut out[t * rows * cols..]);
            for ib in (0..rows).step_by(T) {
                for jb in (0..cols).step_by(T) {
                    for i in ib..(ib + T).min(rows) {
                        for j in jb..(jb + T).min(cols) {
                            d[j * rows + i] = s[i * cols + j];
                        }
                    }
                }
            }
        }
        Ok(Tensor::from_parts(out, shape))
    }
}
