//! Element-wise kernels: binary arithmetic with NumPy broadcasting, and unary maps named by the
//! `Unary` enum (an enum rather than closures so that every map can become one GPU kernel).

use super::shape::{broadcast_shapes, broadcast_strides, for_each_broadcast};
use super::{gpu, Tensor};
use crate::error::{Error, Result};

/// Binary operations; the discriminants are elementwise.wgsl's op codes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Binary {
    Add = 0,
    Sub = 1,
    Mul = 2,
    Div = 3,
    Max = 4,
    Min = 5,
}

/// elementwise.wgsl's op code for "the first operand", which turns the binary kernel into a
/// broadcasting copy.
const FIRST: u32 = 6;

impl Binary {
    #[inline(always)]
    fn apply(self, a: f32, b: f32) -> f32 {
        match self {
            Binary::Add => a + b,
            Binary::Sub => a - b,
            Binary::Mul => a * b,
            Binary::Div => a / b,
            Binary::Max => a.max(b),
            Binary::Min => a.min(b),
        }
    }
}

/// A function applied to every element. Its derivative sits beside it in `derivative`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unary {
    Neg,
    Exp,
    Log,
    Tanh,
    Sigmoid,
    Relu,
    /// `x` for positive `x`, `alpha * x` otherwise.
    LeakyRelu(f32),
    /// `x` for positive `x`, `alpha * (exp(x) - 1)` otherwise.
    Elu(f32),
    /// GELU, tanh approximation: `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
    Gelu,
    /// SELU: `SELU_SCALE * x` for positive `x`, `SELU_SCALE * SELU_ALPHA * (exp(x) - 1)` otherwise.
    Selu,
    /// Swish / SiLU: `x * sigmoid(x)`.
    Swish,
    /// Huber's function of a residual: `x^2 / 2` for `|x| <= delta`, `delta (|x| - delta / 2)` beyond.
    Huber(f32),
    /// `ln(1 + exp(x))`.
    Softplus,
    Sqrt,
    Square,
    Abs,
    /// `1 / x`.
    Recip,
    /// `s * x`.
    Scale(f32),
    /// `x + c`.
    Shift(f32),
}

/// Evaluates `$body` with `$o` bound to `$op` rebuilt from a literal variant in each arm. Inside a
/// loop this lets the compiler fold `apply`'s `match` away: dispatching on every element made the
/// element-wise maps (the optimizers' moment updates, activations) cost more than the matrix
/// products of a training step.
macro_rules! per_variant {
    ($op:expr, |$o:ident| $body:expr) => {
        match $op {
            Unary::Neg => {
                let $o = Unary::Neg;
                $body
            }
            Unary::Exp => {
                let $o = Unary::Exp;
                $body
            }
            Unary::Log => {
                let $o = Unary::Log;
                $body
            }
            Unary::Tanh => {
                let $o = Unary::Tanh;
                $body
            }
            Unary::Sigmoid => {
                let $o = Unary::Sigmoid;
                $body
            }
            Unary::Relu => {
                let $o = Unary::Relu;
                $body
            }
            Unary::LeakyRelu(a) => {
                let $o = Unary::LeakyRelu(a);
                $body
            }
            Unary::Elu(a) => {
                let $o = Unary::Elu(a);
                $body
            }
            Unary::Gelu => {
                let $o = Unary::Gelu;
                $body
            }
            Unary::Selu => {
                let $o = Unary::Selu;
                $body
            }
            Unary::Swish => {
                let $o = Unary::Swish;
                $body
            }
            Unary::Huber(d) => {
                let $o = Unary::Huber(d);
                $body
            }
            Unary::Softplus => {
                let $o = Unary::Softplus;
                $body
            }
            Unary::Sqrt => {
                let $o = Unary::Sqrt;
                $body
            }
            Unary::Square => {
                let $o = Unary::Square;
                $body
            }
            Unary::Abs => {
                let $o = Unary::Abs;
                $body
            }
            Unary::Recip => {
                let $o = Unary::Recip;
                $body
            }
            Unary::Scale(s) => {
                let $o = Unary::Scale(s);
                $body
            }
            Unary::Shift(c) => {
                let $o = Unary::Shift(c);
                $body
            }
        }
    };
}

const GELU_C: f32 = 0.797_884_6; // sqrt(2 / pi)
const GELU_K: f32 = 0.044_715;
/// SELU's constants (Klambauer et al. 2017), as in Keras and PyTorch.
pub const SELU_ALPHA: f32 = 1.673_263_2;
pub const SELU_SCALE: f32 = 1.050_701;

/// The logistic function, in two branches so `exp` never overflows to infinity over infinity. A
/// function of its own so that `apply` does not call itself (a recursive function cannot be
/// inlined, and `apply` must be, into every element-wise loop).
#[inline(always)]
fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

impl Unary {
    /// The function's value at `x`.
    #[inline(always)]
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Unary::Neg => -x,
            Unary::Exp => x.exp(),
            Unary::Log => x.ln(),
            Unary::Tanh => x.tanh(),
            Unary::Sigmoid => sigmoid(x),
            Unary::Relu => x.max(0.0),
            Unary::LeakyRelu(a) => {
                if x > 0.0 {
                    x
                } else {
                    a * x
                }
            }
            Unary::Elu(a) => {
                if x > 0.0 {
                    x
                } else {
                    a * x.exp_m1()
                }
            }
            Unary::Gelu => 0.5 * x * (1.0 + (GELU_C * (x + GELU_K * x * x * x)).tanh()),
            Unary::Selu => {
                if x > 0.0 {
                    SELU_SCALE * x
                } else {
                    SELU_SCALE * SELU_ALPHA * x.exp_m1()
                }
            }
            Unary::Swish => x * sigmoid(x),
            Unary::Huber(d) => {
                if x.abs() <= d {
                    0.5 * x * x
                } else {
                    d * (x.abs() - 0.5 * d)
                }
            }
            // max(x, 0) + ln(1 + e^-|x|) is exact and cannot overflow for large |x|.
            Unary::Softplus => x.max(0.0) + (-x.abs()).exp().ln_1p(),
            Unary::Sqrt => x.sqrt(),
            Unary::Square => x * x,
            Unary::Abs => x.abs(),
            Unary::Recip => 1.0 / x,
            Unary::Scale(s) => s * x,
            Unary::Shift(c) => x + c,
        }
    }

    /// The derivative at `x`, given `y = self.apply(x)` (several derivatives are cheapest from `y`).
    #[inline(always)]
    pub fn derivative(self, x: f32, y: f32) -> f32 {
        match self {
            Unary::Neg => -1.0,
            Unary::Exp => y,
            Unary::Log => 1.0 / x,
            Unary::Tanh => 1.0 - y * y,
            Unary::Sigmoid => y * (1.0 - y),
            Unary::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Unary::LeakyRelu(a) => {
                if x > 0.0 {
                    1.0
                } else {
                    a
                }
            }
            // For x <= 0, d/dx a(e^x - 1) = a e^x = y + a.
            Unary::Elu(a) => {
                if x > 0.0 {
                    1.0
                } else {
                    y + a
                }
            }
            Unary::Gelu => {
                let t = (GELU_C * (x + GELU_K * x * x * x)).tanh();
                0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * x * x)
            }
            // For x <= 0, d/dx s a (e^x - 1) = s a e^x = y + s a.
            Unary::Selu => {
                if x > 0.0 {
                    SELU_SCALE
                } else {
                    y + SELU_SCALE * SELU_ALPHA
                }
            }
            // d/dx x s(x) = s + x s (1 - s) = s + y (1 - s).
            Unary::Swish => {
                let s = sigmoid(x);
                s + y * (1.0 - s)
            }
            // max/min rather than clamp, which panics on a NaN or negative delta.
            Unary::Huber(d) => x.max(-d).min(d),
            Unary::Softplus => sigmoid(x),
            Unary::Sqrt => 0.5 / y,
            Unary::Square => 2.0 * x,
            Unary::Abs => x.signum(),
            Unary::Recip => -y * y,
            Unary::Scale(s) => s,
            Unary::Shift(_) => 1.0,
        }
    }
}

impl Tensor {
    fn binary(&self, other: &Tensor, op: Binary) -> Result<Tensor> {
        if let Some(ctx) = Tensor::gpu_of(&[self, other]) {
            let out_shape = broadcast_shapes(&self.shape, &other.shape)?;
            let sa = broadcast_strides(&self.shape, &out_shape);
            let sb = broadcast_strides(&other.shape, &out_shape);
            let (a, b) = (self.buffer_on(&ctx)?, other.buffer_on(&ctx)?);
            let out = gpu::binary(&a, &b, &out_shape, &sa, &sb, op as u32)?;
            return Ok(Tensor::from_gpu(out, out_shape));
        }
        let (a, b) = (self.cpu(), other.cpu());
        if self.shape == other.shape {
            // One loop per operation (as `per_variant!` does for unary maps).
            fn same(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) -> Vec<f32> {
                a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect()
            }
            let data = match op {
                Binary::Add => same(a, b, |x, y| x + y),
                Binary::Sub => same(a, b, |x, y| x - y),
                Binary::Mul => same(a, b, |x, y| x * y),
                Binary::Div => same(a, b, |x, y| x / y),
                Binary::Max => same(a, b, f32::max),
                Binary::Min => same(a, b, f32::min),
            };
            return Ok(Tensor::from_parts(data, self.shape.clone()));
        }
        let out_shape = broadcast_shapes(&self.shape, &other.shape)?;
        let sa = broadcast_strides(&self.shape, &out_shape);
        let sb = broadcast_strides(&other.shape, &out_shape);
        let mut data = vec![0.0; super::shape::numel(&out_shape)];
        for_each_broadcast(&out_shape, &sa, &sb, |o, ia, ib| {
            data[o] = op.apply(a[ia], b[ib]);
        });
        Ok(Tensor::from_parts(data, out_shape))
    }

    /// `self + other` with NumPy broadcasting.
    pub fn add(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, Binary::Add)
    }

    /// `self - other` with NumPy broadcasting.
    pub fn sub(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, Binary::Sub)
    }

    /// `self * other` (element-wise) with NumPy broadcasting.
    pub fn mul(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, Binary::Mul)
    }

    /// `self / other` (element-wise) with NumPy broadcasting.
    pub fn div(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, Binary::Div)
    }

    /// The element-wise larger of `self` and `other`, with NumPy broadcasting.
    pub fn maximum(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, Binary::Max)
    }

    /// The element-wise smaller of `self` and `other`, with NumPy broadcasting.
    pub fn minimum(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, Binary::Min)
    }

    /// Reads `self` as if it had the larger `shape` it broadcasts to.
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        let out = broadcast_shapes(&self.shape, shape)?;
        if out != shape {
            return Err(Error::Shape(format!(
                "{:?} cannot be broadcast to {shape:?}",
                self.shape
            )));
        }
        if let Some(g) = self.gpu_buffer() {
            let strides = broadcast_strides(&self.shape, shape);
            let out = gpu::binary(g, g, shape, &strides, &strides, FIRST)?;
            return Ok(Tensor::from_gpu(out, shape.to_vec()));
        }
        Tensor::zeros(shape).add(self)
    }

    /// Applies `op` to every element.
    pub fn unary(&self, op: Unary) -> Tensor {
        if let Some(g) = self.gpu_buffer() {
            // The output is the input's size, so allocating it cannot meet a limit the input
            // did not; any other failure is the device's and is kept in `gpu::failure`.
            return Tensor::from_gpu_or_nan(gpu::unary(g, self.numel(), op), &self.shape);
        }
        let src = self.cpu();
        let data = per_variant!(op, |op| src.iter().map(|&x| op.apply(x)).collect());
        Tensor::from_parts(data, self.shape.clone())
    }

    /// The backward step of a unary map: `grad * op'(self)`, where `y = self.unary(op)`. All three
    /// tensors must have one shape.
    pub fn unary_backward(&self, op: Unary, y: &Tensor, grad: &Tensor) -> Result<Tensor> {
        if self.shape != y.shape || self.shape != grad.shape {
            return Err(Error::Shape(format!(
                "unary backward needs equal shapes: input {:?}, output {:?}, gradient {:?}",
                self.shape, y.shape, grad.shape
            )));
        }
        if let Some(ctx) = Tensor::gpu_of(&[self, y, grad]) {
            let (x, yb, g) = (
                self.buffer_on(&ctx)?,
                y.buffer_on(&ctx)?,
                grad.buffer_on(&ctx)?,
            );
            let out = gpu::unary_backward(&x, &yb, &g, self.numel(), op)?;
            return Ok(Tensor::from_gpu(out, self.shape.clone()));
        }
        let (x, yv, g) = (self.cpu(), y.cpu(), grad.cpu());
        let data = per_variant!(op, |op| x
            .iter()
            .zip(yv)
            .zip(g)
            .map(|((&x, &y), &g)| g * op.derivative(x, y))
            .collect());
        Ok(Tensor::from_parts(data, self.shape.clone()))
    }

    /// `self + rate * (g - self)`, or with `g * g` when `squared`: one step of an exponential
    /// moving average towards the gradient (or its square), as Adam, Nadam and AdaMax keep their
    /// moments. One kernel on the GPU; the same arithmetic, in the same order, on the CPU.
    pub fn moment(&self, g: &Tensor, rate: f32, squared: bool) -> Result<Tensor> {
        self.check_same_shape("moment", &[g])?;
        if let Some(ctx) = Tensor::gpu_of(&[self, g]) {
            let (a, gb) = (self.buffer_on(&ctx)?, g.buffer_on(&ctx)?);
            let out = gpu::moment(&a, &gb, self.numel(), rate, squared)?;
            return Ok(Tensor::from_gpu(out, self.shape.clone()));
        }
        let data = self
            .cpu()
            .iter()
            .zip(g.cpu())
            .map(|(&a, &g)| {
                let target = if squared { g * g } else { g };
                a + rate * (target - a)
            })
            .collect();
        Ok(Tensor::from_parts(data, self.shape.clone()))
    }

    /// `self - (alpha * m) / (sqrt(v) + epsilon)`: Adam's update of the weights `self` from its
    /// moments, with the bias corrections folded into `alpha`. One kernel on the GPU.
    pub fn adam_step(&self, m: &Tensor, v: &Tensor, alpha: f32, epsilon: f32) -> Result<Tensor> {
        self.check_same_shape("adam_step", &[m, v])?;
        if let Some(ctx) = Tensor::gpu_of(&[self, m, v]) {
            let (w, mb, vb) = (
                self.buffer_on(&ctx)?,
                m.buffer_on(&ctx)?,
                v.buffer_on(&ctx)?,
            );
            let out = gpu::adam_step(&w, &mb, &vb, self.numel(), alpha, epsilon)?;
            return Ok(Tensor::from_gpu(out, self.shape.clone()));
        }
        let data = self
            .cpu()
            .iter()
            .zip(m.cpu())
            .zip(v.cpu())
            .map(|((&w, &m), &v)| w - (alpha * m) / (v.sqrt() + epsilon))
            .collect();
        Ok(Tensor::from_parts(data, self.shape.clone()))
    }

    fn check_same_shape(&self, what: &str, others: &[&Tensor]) -> Result<()> {
        match others.iter().find(|t| t.shape != self.shape) {
            Some(t) => Err(Error::Shape(format!(
                "{what} needs equal shapes, got {:?} and {:?}",
                self.shape, t.shape
            ))),
            None => Ok(()),
        }
    }

    /// Applies an arbitrary closure on the CPU (a readback on a GPU device; prefer `unary`).
    pub fn map(&self, f: impl Fn(f32) -> f32) -> Tensor {
        let data = self.cpu().iter().map(|&x| f(x)).collect();
        Tensor::from_parts(data, self.shape.clone())
    }

    pub fn neg(&self) -> Tensor {
        self.unary(Unary::Neg)
    }

    pub fn exp(&self) -> Tensor {
        self.unary(Unary::Exp)
    }

    pub fn log(&self) -> Tensor {
        self.unary(Unary::Log)
    }

    pub fn tanh(&self) -> Tensor {
        self.unary(Unary::Tanh)
    }

    pub fn sigmoid(&self) -> Tensor {
        self.unary(Unary::Sigmoid)
    }

    pub fn relu(&self) -> Tensor {
        self.unary(Unary::Relu)
    }

    pub fn square(&self) -> Tensor {
        self.unary(Unary::Square)
    }

    pub fn sqrt(&self) -> Tensor {
        self.unary(Unary::Sqrt)
    }

    /// `s * self`.
    pub fn scale(&self, s: f32) -> Tensor {
        self.unary(Unary::Scale(s))
    }

    /// `self + c`.
    pub fn add_scalar(&self, c: f32) -> Tensor {
        self.unary(Unary::Shift(c))
    }
}
