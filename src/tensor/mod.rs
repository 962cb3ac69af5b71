//! `Tensor`: an f32, row-major, n-dimensional array living on a run-time `Device`.
//!
//! User code never names a backend type: every operation is a method on `Tensor` that dispatches on
//! the private `Storage` enum, so the same layers, losses and optimizers run on `Device::Cpu` and
//! `Device::Gpu`. An operation with any operand on the GPU runs there (CPU operands, such as a
//! one-hot target or a dropout mask, are uploaded first). Reading a GPU tensor's values is
//! asynchronous on the web (`read`); `to_vec` and `item` may block natively only.
//!
//! Files: `shape.rs` (broadcasting and stride arithmetic), `elementwise.rs` (binary ops with NumPy
//! broadcasting, unary maps and their derivatives), `matmul.rs` (cache-blocked kernel, transpose),
//! `reduce.rs` (sums, means, max, softmax), `index.rs` (slices, concatenation, row gathers),
//! `gpu/` (the wgpu device and the WGSL kernels each of those files calls for GPU tensors).

mod elementwise;
pub mod gpu;
mod index;
mod matmul;
mod reduce;
mod shape;

pub use elementwise::{Unary, SELU_ALPHA, SELU_SCALE};
pub use shape::broadcast_shapes;

use crate::error::{Error, Result};
use crate::rng::Rng;
use gpu::{GpuBuffer, GpuContext, GpuData};
use std::sync::Arc;

/// Where a tensor's data lives. Chosen at run time; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Device {
    #[default]
    Cpu,
    /// The device opened by `gpu::init` (WebGPU in the page, Vulkan/Metal/DX12 natively).
    Gpu,
}

/// The buffer behind a tensor. Private so that no public signature names a backend.
#[derive(Debug, Clone)]
enum Storage {
    Cpu(Vec<f32>),
    Gpu(GpuData),
}

#[derive(Debug, Clone)]
pub struct Tensor {
    shape: Vec<usize>,
    storage: Storage,
}

/// Equal shapes and values; comparing a GPU tensor reads it back (natively; on the web two GPU
/// tensors are equal only when they share a buffer).
impl PartialEq for Tensor {
    fn eq(&self, other: &Tensor) -> bool {
        if self.shape != other.shape {
            return false;
        }
        match (&self.storage, &other.storage) {
            (Storage::Cpu(a), Storage::Cpu(b)) => a == b,
            (Storage::Gpu(a), Storage::Gpu(b)) if Arc::ptr_eq(&a.buffer, &b.buffer) => true,
            _ if cfg!(target_arch = "wasm32") => false,
            _ => self.cpu() == other.cpu(),
        }
    }
}

impl Tensor {
    /// Wraps `data` with `shape`; the element count must match the shape's product.
    pub fn from_vec(data: Vec<f32>, shape: &[usize]) -> Result<Self> {
        let n = shape::numel(shape);
        if data.len() != n {
            return Err(Error::Shape(format!(
                "{} values cannot fill a tensor of shape {shape:?} ({n} elements)",
                data.len()
            )));
        }
        Ok(Self::from_parts(data, shape.to_vec()))
    }

    /// Builds from parts already known to agree (internal kernels).
    fn from_parts(data: Vec<f32>, shape: Vec<usize>) -> Self {
        debug_assert_eq!(data.len(), shape::numel(&shape));
        Tensor {
            shape,
            storage: Storage::Cpu(data),
        }
    }

    pub fn full(shape: &[usize], value: f32) -> Self {
        Self::from_parts(vec![value; shape::numel(shape)], shape.to_vec())
    }

    pub fn zeros(shape: &[usize]) -> Self {
        Self::full(shape, 0.0)
    }

    pub fn ones(shape: &[usize]) -> Self {
        Self::full(shape, 1.0)
    }

    /// A rank-0 tensor (shape `[]`) holding one value; broadcasts against any shape.
    pub fn scalar(value: f32) -> Self {
        Self::from_parts(vec![value], Vec::new())
    }

    /// Standard normal entries times `std`, drawn from `rng` so a seed reproduces them on every target.
    pub fn randn(shape: &[usize], std: f32, rng: &mut Rng) -> Self {
        let data = (0..shape::numel(shape))
            .map(|_| rng.normal() as f32 * std)
            .collect();
        Self::from_parts(data, shape.to_vec())
    }

    /// Uniform entries in `[lo, hi)` drawn from `rng`.
    pub fn uniform(shape: &[usize], lo: f32, hi: f32, rng: &mut Rng) -> Self {
        let data = (0..shape::numel(shape))
            .map(|_| rng.uniform_range(lo as f64, hi as f64) as f32)
            .collect();
        Self::from_parts(data, shape.to_vec())
    }

    /// Rows of `classes` zeros with a one at each target index; errors on an index out of range.
    pub fn one_hot(targets: &[usize], classes: usize) -> Result<Self> {
        let mut data = vec![0.0; targets.len() * classes];
        for (row, &t) in targets.iter().enumerate() {
            if t >= classes {
                return Err(Error::Shape(format!(
                    "target {t} at row {row} is not a class index below {classes}"
                )));
            }
            data[row * classes + t] = 1.0;
        }
        Ok(Self::from_parts(data, vec![targets.len(), classes]))
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// Number of elements (1 for a scalar).
    pub fn numel(&self) -> usize {
        shape::numel(&self.shape)
    }

    pub fn device(&self) -> Device {
        match self.storage {
            Storage::Cpu(_) => Device::Cpu,
            Storage::Gpu(_) => Device::Gpu,
        }
    }

    /// Copies the data into a `Vec`. For a GPU tensor this waits for the GPU, which only native
    /// code may do: in the page use `read`.
    pub fn to_vec(&self) -> Vec<f32> {
        self.cpu().to_vec()
    }

    /// The data as a `Vec`, waiting for the GPU without blocking (the page's way to read a GPU
    /// tensor; immediate for a CPU tensor). The values are kept, so later reads are free.
    pub async fn read(&self) -> Result<Vec<f32>> {
        match &self.storage {
            Storage::Cpu(v) => Ok(v.clone()),
            Storage::Gpu(g) => {
                if let Some(v) = g.host.get() {
                    return Ok(v.clone());
                }
                let v = g.buffer.context().read(&g.buffer, self.numel()).await?;
                let _ = g.host.set(v.clone());
                Ok(v)
            }
        }
    }

    /// The single value of a one-element tensor.
    pub fn item(&self) -> Result<f32> {
        if self.numel() != 1 {
            return Err(Error::Shape(format!(
                "item() needs a one-element tensor, got shape {:?}",
                self.shape
            )));
        }
        Ok(self.cpu()[0])
    }

    /// True when the values can be had without waiting: a CPU tensor, or a GPU tensor that has
    /// been read (by `read` on it or on a clone). The page polls this instead of blocking.
    pub fn is_readable(&self) -> bool {
        match &self.storage {
            Storage::Cpu(_) => true,
            Storage::Gpu(g) => g.host.get().is_some(),
        }
    }

    /// Copies the tensor to `device` (the same tensor when it is there already). Moving to the GPU
    /// fails when `gpu::init` has not opened one, and keeps the values on the host too; moving a
    /// GPU tensor to the CPU reads it back unless it is readable, which blocks (natively only: in
    /// the page `read` it first).
    pub fn to_device(&self, device: Device) -> Result<Tensor> {
        match (device, &self.storage) {
            (Device::Cpu, Storage::Cpu(_)) | (Device::Gpu, Storage::Gpu(_)) => Ok(self.clone()),
            (Device::Cpu, Storage::Gpu(_)) => {
                Ok(Self::from_parts(self.to_vec(), self.shape.clone()))
            }
            (Device::Gpu, Storage::Cpu(v)) => {
                let ctx = gpu::current()
                    .ok_or_else(|| Error::Gpu("no GPU device is open (call gpu::init)".into()))?;
                // The host copy stays with it: data and weights moved to the GPU can come back
                // (the page's CPU fallback) without a readback.
                let data = GpuData::new(ctx.upload(v)?);
                let _ = data.host.set(v.clone());
                Ok(Tensor {
                    shape: self.shape.clone(),
                    storage: Storage::Gpu(data),
                })
            }
        }
    }

    fn from_gpu(buffer: Arc<GpuBuffer>, shape: Vec<usize>) -> Tensor {
        Tensor {
            shape,
            storage: Storage::Gpu(GpuData::new(buffer)),
        }
    }

    /// This tensor's GPU buffer, if it lives on the GPU.
    fn gpu_buffer(&self) -> Option<&Arc<GpuBuffer>> {
        match &self.storage {
            Storage::Gpu(g) => Some(&g.buffer),
            Storage::Cpu(_) => None,
        }
    }

    /// The result of an infallible operation's GPU kernel; should the kernel fail anyway, NaNs
    /// (which training reports as divergence, while `gpu::failure` says why).
    fn from_gpu_or_nan(result: Result<Arc<GpuBuffer>>, shape: &[usize]) -> Tensor {
        match result {
            Ok(buffer) => Tensor::from_gpu(buffer, shape.to_vec()),
            Err(_) => Tensor::full(shape, f32::NAN),
        }
    }

    /// The GPU an operation on `operands` runs on: that of the first GPU operand, if any.
    fn gpu_of(operands: &[&Tensor]) -> Option<Arc<GpuContext>> {
        operands.iter().find_map(|t| match &t.storage {
            Storage::Gpu(g) => Some(g.buffer.context().clone()),
            Storage::Cpu(_) => None,
        })
    }

    /// This tensor's buffer on `ctx`, uploading CPU data.
    fn buffer_on(&self, ctx: &Arc<GpuContext>) -> Result<Arc<GpuBuffer>> {
        match &self.storage {
            Storage::Gpu(g) if Arc::ptr_eq(g.buffer.context(), ctx) => Ok(g.buffer.clone()),
            Storage::Gpu(_) => Err(Error::Gpu(
                "an operation mixes tensors from two GPU devices (the device was reopened)".into(),
            )),
            Storage::Cpu(v) => ctx.upload(v),
        }
    }

    /// The same data under a new shape with the same element count.
    pub fn reshape(&self, shape: &[usize]) -> Result<Tensor> {
        if shape::numel(shape) != self.numel() {
            return Err(Error::Shape(format!(
                "cannot reshape {:?} ({} elements) to {shape:?} ({} elements)",
                self.shape,
                self.numel(),
                shape::numel(shape)
            )));
        }
        Ok(Tensor {
            shape: shape.to_vec(),
            storage: self.storage.clone(),
        })
    }

    /// The values on the host. CPU kernels call this; GPU tensors normally dispatch to a GPU
    /// kernel before reaching it, and otherwise are read back once (blocking, native only).
    fn cpu(&self) -> &[f32] {
        match &self.storage {
            Storage::Cpu(v) => v,
            Storage::Gpu(g) => g.host.get_or_init(|| self.read_blocking(g)),
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn read_blocking(&self, g: &GpuData) -> Vec<f32> {
        // A failed read (the device reported an error) gives NaNs, which training reports as
        // divergence; `gpu::failure` says what happened.
        pollster::block_on(g.buffer.context().read(&g.buffer, self.numel()))
            .unwrap_or_else(|_| vec![f32::NAN; self.numel()])
    }

    #[cfg(target_arch = "wasm32")]
    fn read_blocking(&self, _: &GpuData) -> Vec<f32> {
        // The page cannot wait for the GPU; every path that reads a GPU tensor awaits `read`
        // first, which fills the host copy this returns.
        panic!("a GPU tensor was read synchronously in the page; await Tensor::read first")
    }

    /// True when every element is finite (no NaN or infinity): used to detect divergence.
    pub fn all_finite(&self) -> bool {
        self.cpu().iter().all(|x| x.is_finite())
    }
}
