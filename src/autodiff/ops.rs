//! Recording operations: each method computes the value with `Tensor` kernels, appends a node and
//! returns its `Var`. Methods that can meet incompatible shapes return `Result`.

use super::{Op, Tape, Var};
use crate::error::{Error, Result};
use crate::tensor::{Tensor, Unary};

impl Tape {
    /// A parameter: backward computes its gradient.
    pub fn leaf(&mut self, value: Tensor) -> Var {
        self.push(value, Op::Leaf, true)
    }

    /// A constant (data, targets): no gradient is computed for it or for what depends only on it.
    pub fn constant(&mut self, value: Tensor) -> Var {
        self.push(value, Op::Leaf, false)
    }

    /// Appends the result of `op`; it needs a gradient when any of `inputs` does.
    fn record(&mut self, value: Tensor, op: Op, inputs: &[Var]) -> Var {
        let requires_grad = inputs.iter().any(|&v| self.needs_grad(v));
        self.push(value, op, requires_grad)
    }

    pub fn add(&mut self, a: Var, b: Var) -> Result<Var> {
        let v = self.value(a).add(self.value(b))?;
        Ok(self.record(v, Op::Add(a, b), &[a, b]))
    }

    pub fn sub(&mut self, a: Var, b: Var) -> Result<Var> {
        let v = self.value(a).sub(self.value(b))?;
        Ok(self.record(v, Op::Sub(a, b), &[a, b]))
    }

    pub fn mul(&mut self, a: Var, b: Var) -> Result<Var> {
        let v = self.value(a).mul(self.value(b))?;
        Ok(self.record(v, Op::Mul(a, b), &[a, b]))
    }

    pub fn div(&mut self, a: Var, b: Var) -> Result<Var> {
        let v = self.value(a).div(self.value(b))?;
        Ok(self.record(v, Op::Div(a, b), &[a, b]))
    }

    pub fn matmul(&mut self, a: Var, b: Var) -> Result<Var> {
        let v = self.value(a).matmul(self.value(b))?;
        Ok(self.record(v, Op::MatMul(a, b), &[a, b]))
    }

    /// Any element-wise function from `Unary`.
    pub fn unary(&mut self, a: Var, f: Unary) -> Var {
        let v = self.value(a).unary(f);
        self.record(v, Op::Unary(a, f), &[a])
    }

    pub fn neg(&mut self, a: Var) -> Var {
        self.unary(a, Unary::Neg)
    }

    /// `s * a`.
    pub fn scale(&mut self, a: Var, s: f32) -> Var {
        self.unary(a, Unary::Scale(s))
    }

    pub fn exp(&mut self, a: Var) -> Var {
        self.unary(a, Unary::Exp)
    }

    pub fn log(&mut self, a: Var) -> Var {
        self.unary(a, Unary::Log)
    }

    pub fn tanh(&mut self, a: Var) -> Var {
        self.unary(a, Unary::Tanh)
    }

    pub fn sigmoid(&mut self, a: Var) -> Var {
        self.unary(a, Unary::Sigmoid)
    }

    pub fn relu(&mut self, a: Var) -> Var {
        self.unary(a, Unary::Relu)
    }

    pub fn leaky_relu(&mut self, a: Var, alpha: f32) -> Var {
        self.unary(a, Unary::LeakyRelu(alpha))
    }

    pub fn elu(&mut self, a: Var, alpha: f32) -> Var {
        self.unary(a, Unary::Elu(alpha))
    }

    /// GELU, tanh approximation.
    pub fn gelu(&mut self, a: Var) -> Var {
        self.unary(a, Unary::Gelu)
    }

    pub fn softplus(&mut self, a: Var) -> Var {
        self.unary(a, Unary::Softplus)
    }

    /// SELU with the standard constants (`tensor::SELU_ALPHA`, `tensor::SELU_SCALE`).
    pub fn selu(&mut self, a: Var) -> Var {
        self.unary(a, Unary::Selu)
    }

    /// Swish / SiLU: `a * sigmoid(a)`.
    pub fn swish(&mut self, a: Var) -> Var {
        self.unary(a, Unary::Swish)
    }

    pub fn abs(&mut self, a: Var) -> Var {
        self.unary(a, Unary::Abs)
    }

    pub fn square(&mut self, a: Var) -> Var {
        self.unary(a, Unary::Square)
    }

    pub fn sqrt(&mut self, a: Var) -> Var {
        self.unary(a, Unary::Sqrt)
    }

    /// `a + c`.
    pub fn add_scalar(&mut self, a: Var, c: f32) -> Var {
        self.unary(a, Unary::Shift(c))
    }

    /// Huber's function of each element (a residual) with threshold `delta`.
    pub fn huber(&mut self, a: Var, delta: f32) -> Var {
        self.unary(a, Unary::Huber(delta))
    }

    /// Sum of all elements (a scalar).
    pub fn sum(&mut self, a: Var) -> Var {
        let v = self.value(a).sum_all();
        let op = Op::Sum {
            x: a,
            axis: None,
            keepdims: false,
        };
        self.record(v, op, &[a])
    }

    pub fn sum_axis(&mut self, a: Var, axis: usize, keepdims: bool) -> Result<Var> {
        let v = self.value(a).sum_axis(axis, keepdims)?;
        let op = Op::Sum {
            x: a,
            axis: Some(axis),
            keepdims,
        };
        Ok(self.record(v, op, &[a]))
    }

    /// Mean of all elements (a scalar).
    pub fn mean(&mut self, a: Var) -> Var {
        let v = self.value(a).mean_all();
        let op = Op::Mean {
            x: a,
            axis: None,
            keepdims: false,
        };
        self.record(v, op, &[a])
    }

    pub fn mean_axis(&mut self, a: Var, axis: usize, keepdims: bool) -> Result<Var> {
        let v = self.value(a).mean_axis(axis, keepdims)?;
        let op = Op::Mean {
            x: a,
            axis: Some(axis),
            keepdims,
        };
        Ok(self.record(v, op, &[a]))
    }

    pub fn reshape(&mut self, a: Var, shape: &[usize]) -> Result<Var> {
        let v = self.value(a).reshape(shape)?;
        Ok(self.record(v, Op::Reshape(a), &[a]))
    }

    /// Swaps the last two axes.
    pub fn transpose(&mut self, a: Var) -> Result<Var> {
        let v = self.value(a).transpose()?;
        Ok(self.record(v, Op::Transpose(a), &[a]))
    }

    /// Elements `start..end` along `axis`.
    pub fn slice(&mut self, a: Var, axis: usize, start: usize, end: usize) -> Result<Var> {
        let v = self.value(a).slice_axis(axis, start, end)?;
        let op = Op::Slice {
            x: a,
            axis,
            start,
            end,
        };
        Ok(self.record(v, op, &[a]))
    }

    /// `parts` joined along `axis` (every other axis must agree).
    pub fn concat(&mut self, parts: &[Var], axis: usize) -> Result<Var> {
        let values: Vec<&Tensor> = parts.iter().map(|&p| self.value(p)).collect();
        let v = Tensor::concat(&values, axis)?;
        let op = Op::Concat {
            xs: parts.to_vec(),
            axis,
        };
        Ok(self.record(v, op, parts))
    }

    /// Softmax along the last axis.
    pub fn softmax(&mut self, a: Var) -> Result<Var> {
        let v = self.value(a).softmax()?;
        Ok(self.record(v, Op::Softmax(a), &[a]))
    }

    /// Log-softmax along the last axis.
    pub fn log_softmax(&mut self, a: Var) -> Result<Var> {
        let v = self.value(a).log_softmax()?;
        Ok(self.record(v, Op::LogSoftmax(a), &[a]))
    }

    /// Mean squared error between two tensors of one shape (no broadcasting: a (n,) prediction
    /// against an (n, 1) target is almost always a bug).
    pub fn mse_loss(&mut self, pred: Var, target: Var) -> Result<Var> {
        let (p, t) = (self.value(pred), self.value(target));
        if p.shape() != t.shape() {
            return Err(Error::Shape(format!(
                "mse_loss of prediction {:?} and target {:?}: shapes must be equal",
                p.shape(),
                t.shape()
            )));
        }
        let v = p.sub(t)?.square().mean_all();
        Ok(self.record(v, Op::MseLoss { pred, target }, &[pred, target]))
    }

    /// Mean over the batch of the cross-entropy between softmax(`logits`) and integer class
    /// `targets`; `logits` is (batch, classes) with one target per row.
    pub fn cross_entropy(&mut self, logits: Var, targets: &[usize]) -> Result<Var> {
        let l = self.value(logits);
        if l.rank() != 2 || l.shape()[0] != targets.len() || targets.is_empty() {
            return Err(Error::Shape(format!(
                "cross_entropy needs (batch, classes) logits and one target per row, got logits \
                 {:?} and {} targets",
                l.shape(),
                targets.len()
            )));
        }
        let classes = l.shape()[1];
        // Picking the target's log-probability is a dot product with the one-hot row.
        let picked = l.log_softmax()?.mul(&Tensor::one_hot(targets, classes)?)?;
        let v = picked.sum_all().scale(-1.0 / targets.len() as f32);
        let op = Op::CrossEntropy {
            logits,
            targets: targets.to_vec(),
        };
        Ok(self.record(v, op, &[logits]))
    }
}
