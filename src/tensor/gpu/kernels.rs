//! One function per GPU kernel: allocate the output, pack the parameters the WGSL entry point
//! reads (see each entry point's `params:` comment) and record the pass. Shapes have been checked
//! by the `Tensor` method that calls them; sizes here are element counts.

use super::{grid, Family, GpuBuffer, GpuContext};
use crate::error::{Error, Result};
use crate::tensor::Unary;
use std::sync::Arc;

/// Most axes a broadcasting binary kernel handles (the parameter block holds six per operand).
pub(crate) const MAX_RANK: usize = 6;

type Buffer = Arc<GpuBuffer>;

fn bytes(n: usize) -> u64 {
    (n.max(1) * 4) as u64
}

fn ctx(b: &GpuBuffer) -> &Arc<GpuContext> {
    b.context()
}

fn u32s(values: &[usize]) -> Result<Vec<u32>> {
    values
        .iter()
        .map(|&v| {
            u32::try_from(v).map_err(|_| {
                Error::Gpu(format!(
                    "{v} is beyond the 32-bit sizes the GPU kernels index with"
                ))
            })
        })
        .collect()
}

/// The op code `elementwise.wgsl` uses for `op`, and its parameter.
pub(crate) fn unary_code(op: Unary) -> (u32, f32) {
    match op {
        Unary::Neg => (0, 0.0),
        Unary::Exp => (1, 0.0),
        Unary::Log => (2, 0.0),
        Unary::Tanh => (3, 0.0),
        Unary::Sigmoid => (4, 0.0),
        Unary::Relu => (5, 0.0),
        Unary::LeakyRelu(a) => (6, a),
        Unary::Elu(a) => (7, a),
        Unary::Gelu => (8, 0.0),
        Unary::Selu => (9, 0.0),
        Unary::Swish => (10, 0.0),
        Unary::Huber(d) => (11, d),
        Unary::Softplus => (12, 0.0),
        Unary::Sqrt => (13, 0.0),
        Unary::Square => (14, 0.0),
        Unary::Abs => (15, 0.0),
        Unary::Recip => (16, 0.0),
        Unary::Scale(s) => (17, s),
        Unary::Shift(c) => (18, c),
    }
}

/// The op code and its parameter (as bits): what both unary kernels read after `n`.
fn unary_params(op: Unary) -> [u32; 2] {
    let (code, a) = unary_code(op);
    [code, a.to_bits()]
}

pub(crate) fn unary(x: &GpuBuffer, n: usize, op: Unary) -> Result<Buffer> {
    elementwise("unary", n, unary_params(op), &[x])
}

/// `g * op'(x)` given `y = op(x)`.
pub(crate) fn unary_backward(
    x: &GpuBuffer,
    y: &GpuBuffer,
    g: &GpuBuffer,
    n: usize,
    op: Unary,
) -> Result<Buffer> {
    elementwise("unary_backward", n, unary_params(op), &[x, y, g])
}

/// An element-wise kernel of `elementwise.wgsl` over `n` elements with parameters `n`, then
/// `rest` (floats as bits), reading `inputs`.
fn elementwise(
    entry: &'static str,
    n: usize,
    rest: [u32; 2],
    inputs: &[&GpuBuffer],
) -> Result<Buffer> {
    let c = ctx(inputs[0]);
    let out = c.buffer(bytes(n))?;
    if n > 0 {
        let params = [u32s(&[n])?[0], rest[0], rest[1]];
        c.dispatch(Family::Elementwise, entry, &params, &out, inputs, grid(n));
    }
    Ok(out)
}

/// `avg + rate * (g - avg)`, or with `g * g` when `squared`.
pub(crate) fn moment(
    avg: &GpuBuffer,
    g: &GpuBuffer,
    n: usize,
    rate: f32,
    squared: bool,
) -> Result<Buffer> {
    elementwise("moment", n, [rate.to_bits(), u32::from(squared)], &[avg, g])
}

/// `w - (alpha * m) / (sqrt(v) + epsilon)`.
pub(crate) fn adam_step(
    w: &GpuBuffer,
    m: &GpuBuffer,
    v: &GpuBuffer,
    n: usize,
    alpha: f32,
    epsilon: f32,
) -> Result<Buffer> {
    elementwise(
        "adam_step",
        n,
        [alpha.to_bits(), epsilon.to_bits()],
        &[w, m, v],
    )
}

/// `a op b` over `out_shape`, each operand read through its broadcast strides. Op codes: add,
/// sub, mul, div, max, min.
pub(crate) fn binary(
    a: &GpuBuffer,
    b: &GpuBuffer,
    out_shape: &[usize],
    sa: &[usize],
    sb: &[usize],
    code: u32,
) -> Result<Buffer> {
    let rank = out_shape.len();
    if rank > MAX_RANK {
        return Err(Error::Gpu(format!(
            "element-wise operations on the GPU take at most {MAX_RANK} axes, got {out_shape:?}"
        )));
    }
    let n: usize = out_shape.iter().product();
    let c = ctx(a);
    let out = c.buffer(bytes(n))?;
    if n > 0 {
        let mut params = vec![0u32; 22];
        params[0] = u32s(&[n])?[0];
        params[1] = code;
        params[2] = rank as u32;
        for (i, ((&d, &x), &y)) in out_shape.iter().zip(sa).zip(sb).enumerate() {
            let w = u32s(&[d, x, y])?;
            params[4 + i] = w[0];
            params[10 + i] = w[1];
            params[16 + i] = w[2];
        }
        c.dispatch(
            Family::Elementwise,
            "binary",
            &params,
            &out,
            &[a, b],
            grid(n),
        );
    }
    Ok(out)
}

/// `batch` products of (m x k) by (k x n); `b_shared` reuses one right operand for every batch
/// entry.
pub(crate) fn matmul(
    a: &GpuBuffer,
    b: &GpuBuffer,
    [batch, m, k, n]: [usize; 4],
    b_shared: bool,
) -> Result<Buffer> {
    let c = ctx(a);
    let out = c.buffer(bytes(batch * m * n))?;
    if batch * m * n == 0 {
        return Ok(out);
    }
    if k == 0 {
        return fill_into(c, out, batch * m * n, 0.0);
    }
    let b_stride = if b_shared { 0 } else { k * n };
    let params = u32s(&[m, k, n, m * k, b_stride, m * n])?;
    let tiles = u32s(&[n.div_ceil(64), m.div_ceil(64), batch])?;
    if tiles.iter().any(|&t| t > 65_535) {
        return Err(Error::Gpu(format!(
            "a ({batch} x {m} x {k}) by ({k} x {n}) product needs more than 65535 workgroups along \
             one axis of the grid"
        )));
    }
    c.dispatch(
        Family::Matmul,
        "matmul",
        &params,
        &out,
        &[a, b],
        [tiles[0], tiles[1], tiles[2]],
    );
    Ok(out)
}

/// Swaps the last two axes of `total / (rows * cols)` matrices of `rows x cols`.
pub(crate) fn transpose(x: &GpuBuffer, rows: usize, cols: usize, total: usize) -> Result<Buffer> {
    let c = ctx(x);
    let out = c.buffer(bytes(total))?;
    if total > 0 {
        let params = u32s(&[rows, cols, total])?;
        c.dispatch(
            Family::Matmul,
            "transpose",
            &params,
            &out,
            &[x],
            grid(total),
        );
    }
    Ok(out)
}

/// One workgroup per row (a 2-D grid past 65535 rows).
fn row_grid(rows: usize) -> [u32; 3] {
    let x = rows.clamp(1, 65_535);
    [x as u32, rows.div_ceil(x).max(1) as u32, 1]
}

/// `entry` of reduce.wgsl over `rows` contiguous rows of `len`, writing `out_len` values.
fn rows_kernel(
    entry: &'static str,
    x: &GpuBuffer,
    rows: usize,
    len: usize,
    extra: u32,
    out_len: usize,
) -> Result<Buffer> {
    let c = ctx(x);
    let out = c.buffer(bytes(out_len))?;
    if rows > 0 {
        let mut params = u32s(&[rows, len])?;
        params.push(extra);
        c.dispatch(Family::Reduce, entry, &params, &out, &[x], row_grid(rows));
    }
    Ok(out)
}

/// The sum of each of `rows` contiguous rows of `len` (f32 partial sums in a tree).
pub(crate) fn sum_rows(x: &GpuBuffer, rows: usize, len: usize) -> Result<Buffer> {
    rows_kernel("reduce_rows", x, rows, len, 0, rows)
}

pub(crate) fn max_rows(x: &GpuBuffer, rows: usize, len: usize) -> Result<Buffer> {
    rows_kernel("reduce_rows", x, rows, len, 1, rows)
}

/// Softmax (or log-softmax with `log`) of each row.
pub(crate) fn softmax_rows(x: &GpuBuffer, rows: usize, len: usize, log: bool) -> Result<Buffer> {
    rows_kernel("softmax_rows", x, rows, len, log as u32, rows * len)
}

/// Sums over the middle axis of an (outer, len, inner) layout with inner > 1.
pub(crate) fn sum_strided(x: &GpuBuffer, outer: usize, len: usize, inner: usize) -> Result<Buffer> {
    let c = ctx(x);
    let n = outer * inner;
    let out = c.buffer(bytes(n))?;
    if n > 0 {
        let params = u32s(&[outer, len, inner])?;
        c.dispatch(Family::Reduce, "sum_strided", &params, &out, &[x], grid(n));
    }
    Ok(out)
}

/// One block copy of `copy_blocks` (index.wgsl): `outer` runs of `width` values.
pub(crate) struct Blocks {
    pub outer: usize,
    pub width: usize,
    pub src_offset: usize,
    pub src_stride: usize,
    pub dst_offset: usize,
    pub dst_stride: usize,
}

/// A new buffer of `len` values filled by the block copies `parts` (each from its own source);
/// they must cover it.
pub(crate) fn assemble(parts: &[(&GpuBuffer, Blocks)], len: usize) -> Result<Buffer> {
    let Some((first, _)) = parts.first() else {
        return Err(Error::Shape("nothing to assemble".into()));
    };
    let c = ctx(first);
    let out = c.buffer(bytes(len))?;
    for (src, b) in parts {
        let n = b.outer * b.width;
        if n == 0 {
            continue;
        }
        let params = u32s(&[
            b.outer,
            b.width,
            b.src_offset,
            b.src_stride,
            b.dst_offset,
            b.dst_stride,
        ])?;
        c.dispatch(Family::Index, "copy_blocks", &params, &out, &[src], grid(n));
    }
    Ok(out)
}

/// Rows `indices` of a (rows, width) layout.
pub(crate) fn gather_rows(x: &GpuBuffer, indices: &[usize], width: usize) -> Result<Buffer> {
    let c = ctx(x);
    let n = indices.len() * width;
    let out = c.buffer(bytes(n))?;
    if n > 0 {
        let rows = c.upload(&u32s(indices)?)?;
        let params = u32s(&[indices.len(), width])?;
        c.dispatch(
            Family::Index,
            "gather_rows",
            &params,
            &out,
            &[x, &rows],
            grid(n),
        );
    }
    Ok(out)
}

fn fill_into(c: &Arc<GpuContext>, out: Buffer, n: usize, value: f32) -> Result<Buffer> {
    if n > 0 {
        let params = [u32s(&[n])?[0], value.to_bits()];
        c.dispatch(Family::Index, "fill", &params, &out, &[], grid(n));
    }
    Ok(out)
}
