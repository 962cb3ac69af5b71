//! `Tensor`: an f32, row-major, n-dimensional array living on a run-time `Device`.
//!
//! User code never names a backend type: every operation is a method on `Tensor` that dispatches on
//! the private `Storage` enum. Today only `Device::Cpu` exists; the WebGPU backend (issue 7) adds a
//! `Storage::Gpu` variant and a match arm per kernel family, and user code stays the same.
//!
//! Files: `shape.rs` (broadcasting and stride arithmetic), `elementwise.rs` (binary ops with NumPy
//! broadcasting, unary maps and their derivatives), `matmul.rs` (cache-blocked kernel, transpose),
//! `reduce.rs` (sums, means, max, softmax), `index.rs` (slices, concatenation, row gathers).

mod elementwise;
mod index;
mod matmul;
mod reduce;
mod shape;

pub use elementwise::{Unary, SELU_ALPHA, SELU_SCALE};
pub use shape::broadcast_shapes;

use crate::error::{Error, Result};
use crate::rng::Rng;

/// Where a tensor's data lives. Chosen at run time; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Device {
    #[default]
    Cpu,
}

/// The buffer behind a tensor. Private so that adding a GPU variant changes no public signature.
#[derive(Debug, Clone, PartialEq)]
enum Storage {
    Cpu(Vec<f32>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    shape: Vec<usize>,
    storage: Storage,
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
        }
    }

    /// Copies the device's data into a `Vec` (a readback on a GPU device).
    pub fn to_vec(&self) -> Vec<f32> {
        self.cpu().to_vec()
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

    /// Moves (copies) the tensor to `device`.
    pub fn to_device(&self, device: Device) -> Tensor {
        match device {
            Device::Cpu => Self::from_parts(self.to_vec(), self.shape.clone()),
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

    /// The CPU buffer. Kernels call this; a GPU variant will dispatch before reaching it.
    fn cpu(&self) -> &[f32] {
        match &self.storage {
            Storage::Cpu(v) => v,
        }
    }

    /// True when every element is finite (no NaN or infinity): used to detect divergence.
    pub fn all_finite(&self) -> bool {
        self.cpu().iter().all(|x| x.is_finite())
    }
}
