//! Reverse-mode automatic differentiation on a tape.
//!
//! The tape is an index arena: every operation appends a `Node` (its value and the `Op` that made
//! it) to a `Vec`, and a `Var` is just the node's index. Inputs always come before outputs, so
//! `backward` walks the vector once from the end. The gradient rules are one `match` over `Op`
//! (in `Tape::input_grads`), each arm a few tensor operations, so they run on any `Device`.
//!
//! `ops.rs` holds the methods that record operations; `gradcheck.rs` compares `backward` with
//! finite differences.
//!
//! ```
//! use mlplay::autodiff::Tape;
//! use mlplay::tensor::Tensor;
//! let mut tape = Tape::new();
//! let x = tape.leaf(Tensor::from_vec(vec![1.0, 2.0], &[2]).unwrap());
//! let y = tape.mul(x, x).unwrap(); // x^2
//! let loss = tape.sum(y);
//! tape.backward(loss).unwrap();
//! assert_eq!(tape.grad(x).unwrap().to_vec(), vec![2.0, 4.0]); // 2x
//! ```

mod gradcheck;
mod ops;

pub use gradcheck::{gradcheck, GradcheckReport, Tolerance};

use crate::error::{Error, Result};
use crate::tensor::{Tensor, Unary};

/// A handle to one node of the `Tape` that created it (an index; valid only on that tape).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Var(usize);

impl Var {
    /// The node's position on its tape (inputs always have smaller indices than their outputs).
    pub fn index(self) -> usize {
        self.0
    }
}

/// How a node was computed from earlier nodes.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// An input: a parameter (gradient wanted) or a constant such as a data batch.
    Leaf,
    /// Element-wise arithmetic with NumPy broadcasting.
    Add(Var, Var),
    Sub(Var, Var),
    Mul(Var, Var),
    Div(Var, Var),
    /// (m, k) x (k, n), (b, m, k) x (k, n) or (b, m, k) x (b, k, n).
    MatMul(Var, Var),
    /// An element-wise function: neg, exp, log, tanh, sigmoid, relu, leaky ReLU, ELU, GELU, ...
    Unary(Var, Unary),
    /// Sum over one axis, or over everything when `axis` is `None` (giving a scalar).
    Sum {
        x: Var,
        axis: Option<usize>,
        keepdims: bool,
    },
    Mean {
        x: Var,
        axis: Option<usize>,
        keepdims: bool,
    },
    Reshape(Var),
    /// Swaps the last two axes.
    Transpose(Var),
    /// Elements `start..end` along `axis`.
    Slice {
        x: Var,
        axis: usize,
        start: usize,
        end: usize,
    },
    /// The inputs joined along `axis`.
    Concat {
        xs: Vec<Var>,
        axis: usize,
    },
    /// Along the last axis.
    Softmax(Var),
    LogSoftmax(Var),
    /// Mean of squared differences over all elements (a scalar).
    MseLoss {
        pred: Var,
        target: Var,
    },
    /// Mean over the batch of `-log softmax(logits)[row, target]`; `logits` is (batch, classes).
    CrossEntropy {
        logits: Var,
        targets: Vec<usize>,
    },
}

#[derive(Debug, Clone)]
struct Node {
    value: Tensor,
    op: Op,
    /// False for constants and for nodes computed only from constants: backward skips them.
    requires_grad: bool,
}

/// The recorded computation and, after `backward`, the gradient of every node.
#[derive(Debug, Clone, Default)]
pub struct Tape {
    nodes: Vec<Node>,
    grads: Vec<Option<Tensor>>,
}

impl Tape {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of recorded nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every node, in the order it was recorded (inputs before the nodes computed from them).
    pub fn vars(&self) -> impl Iterator<Item = Var> {
        (0..self.nodes.len()).map(Var)
    }

    /// Forgets every node and gradient, keeping the allocation for the next step.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.grads.clear();
    }

    /// The value computed for `v`.
    pub fn value(&self, v: Var) -> &Tensor {
        &self.nodes[v.0].value
    }

    /// How `v` was computed (for drawing the graph and stepping through it).
    pub fn op(&self, v: Var) -> &Op {
        &self.nodes[v.0].op
    }

    /// d(loss)/d(v) from the last `backward`; `None` when `v` does not influence the loss or is a
    /// constant.
    pub fn grad(&self, v: Var) -> Option<&Tensor> {
        self.grads.get(v.0).and_then(Option::as_ref)
    }

    /// The gradients of `vars` after `backward`, zeros for any that the loss does not reach: what
    /// an optimizer step takes.
    pub fn grads_or_zeros(&self, vars: &[Var]) -> Vec<Tensor> {
        vars.iter()
            .map(|&v| {
                self.grad(v)
                    .cloned()
                    .unwrap_or_else(|| Tensor::zeros(self.value(v).shape()))
            })
            .collect()
    }

    /// Whether `backward` computes a gradient for `v` (false for constants and what depends only
    /// on them).
    pub fn requires_grad(&self, v: Var) -> bool {
        self.nodes[v.0].requires_grad
    }

    /// One step of the chain rule, read-only: given `upstream` = d(loss)/d(`out`), what `backward`
    /// adds to each input of `out` that needs a gradient (an input used twice appears twice). With
    /// `upstream` all ones and scalar nodes, these are the local derivatives d(out)/d(input).
    pub fn local_grads(&self, out: Var, upstream: &Tensor) -> Result<Vec<(Var, Tensor)>> {
        if out.0 >= self.nodes.len() {
            return Err(Error::Shape(format!(
                "local_grads of node {} on a tape with {} nodes",
                out.0,
                self.nodes.len()
            )));
        }
        self.input_grads(out, upstream)
    }

    pub(crate) fn push(&mut self, value: Tensor, op: Op, requires_grad: bool) -> Var {
        self.nodes.push(Node {
            value,
            op,
            requires_grad,
        });
        Var(self.nodes.len() - 1)
    }

    fn needs_grad(&self, v: Var) -> bool {
        self.nodes[v.0].requires_grad
    }

    /// Computes the gradient of `loss` with respect to every node that needs one. A non-scalar
    /// `loss` is treated as `sum(loss)` (its seed gradient is all ones).
    pub fn backward(&mut self, loss: Var) -> Result<()> {
        if loss.0 >= self.nodes.len() {
            return Err(Error::Shape(format!(
                "backward from node {} of a tape with {} nodes",
                loss.0,
                self.nodes.len()
            )));
        }
        self.grads = vec![None; self.nodes.len()];
        self.grads[loss.0] = Some(Tensor::ones(self.value(loss).shape()));
        // Every node's inputs have smaller indices, so one reverse sweep sees each gradient complete.
        for i in (0..=loss.0).rev() {
            let Some(g) = self.grads[i].take() else {
                continue;
            };
            if self.nodes[i].requires_grad {
                for (input, contribution) in self.input_grads(Var(i), &g)? {
                    self.grads[input.0] = Some(match self.grads[input.0].take() {
                        Some(sum) => sum.add(&contribution)?,
                        None => contribution,
                    });
                }
            }
            self.grads[i] = Some(g);
        }
        // Constants get no gradient, as documented on `grad`.
        for (grad, node) in self.grads.iter_mut().zip(&self.nodes) {
            if !node.requires_grad {
                *grad = None;
            }
        }
        Ok(())
    }

    /// The gradient rules: given `g` = d(loss)/d(out) for node `out`, the contribution to
    /// d(loss)/d(input) for each input that needs a gradient.
    fn input_grads(&self, out: Var, g: &Tensor) -> Result<Vec<(Var, Tensor)>> {
        let y = self.value(out);
        let x = |v: Var| self.value(v);
        let shape = |v: Var| self.value(v).shape();
        let mut grads = Vec::with_capacity(2);
        // Records a contribution, computing it only when `v` needs a gradient.
        let mut give = |v: Var, f: &dyn Fn() -> Result<Tensor>| -> Result<()> {
            if self.needs_grad(v) {
                grads.push((v, f()?));
            }
            Ok(())
        };
        match &self.nodes[out.0].op {
            Op::Leaf => {}
            // Broadcasting copied an input along some axes; its gradient sums over them again.
            Op::Add(a, b) => {
                give(*a, &|| g.sum_to(shape(*a)))?;
                give(*b, &|| g.sum_to(shape(*b)))?;
            }
            Op::Sub(a, b) => {
                give(*a, &|| g.sum_to(shape(*a)))?;
                give(*b, &|| g.neg().sum_to(shape(*b)))?;
            }
            Op::Mul(a, b) => {
                give(*a, &|| g.mul(x(*b))?.sum_to(shape(*a)))?;
                give(*b, &|| g.mul(x(*a))?.sum_to(shape(*b)))?;
            }
            // d(a/b)/db = -a/b^2 = -y/b.
            Op::Div(a, b) => {
                give(*a, &|| g.div(x(*b))?.sum_to(shape(*a)))?;
                give(*b, &|| g.mul(y)?.div(x(*b))?.neg().sum_to(shape(*b)))?;
            }
            // C = A B: dA = dC B^T, dB = A^T dC. A matrix shared across a batch sums over it, which
            // is the same product with the batch folded into the rows.
            Op::MatMul(a, b) => {
                give(*a, &|| g.matmul(&x(*b).transpose()?))?;
                give(*b, &|| {
                    if x(*b).rank() == 3 {
                        return x(*a).transpose()?.matmul(g);
                    }
                    let (k, n) = (shape(*b)[0], shape(*b)[1]);
                    let a2 = x(*a).reshape(&[x(*a).numel() / k.max(1), k])?;
                    let g2 = g.reshape(&[g.numel() / n.max(1), n])?;
                    a2.transpose()?.matmul(&g2)
                })?;
            }
            Op::Unary(a, f) => give(*a, &|| x(*a).unary_backward(*f, y, g))?,
            // Every summed element receives the output's gradient: broadcast it back.
            Op::Sum {
                x: a,
                axis,
                keepdims,
            } => {
                give(*a, &|| spread(g, shape(*a), *axis, *keepdims))?;
            }
            Op::Mean {
                x: a,
                axis,
                keepdims,
            } => give(*a, &|| {
                let count = match axis {
                    Some(ax) => shape(*a)[*ax],
                    None => x(*a).numel(),
                };
                Ok(spread(g, shape(*a), *axis, *keepdims)?.scale(1.0 / count as f32))
            })?,
            Op::Reshape(a) => give(*a, &|| g.reshape(shape(*a)))?,
            Op::Transpose(a) => give(*a, &|| g.transpose())?,
            // The slice's gradient lands in its range; the rest of the input gets zeros.
            Op::Slice {
                x: a,
                axis,
                start,
                end,
            } => give(*a, &|| {
                let (ax, full) = (*axis, shape(*a));
                let zeros = |len: usize| {
                    let mut s = full.to_vec();
                    s[ax] = len;
                    Tensor::zeros(&s)
                };
                let (before, after) = (zeros(*start), zeros(full[ax] - end));
                Tensor::concat(&[&before, g, &after], ax)
            })?,
            // Each input gets back its own range of the output's gradient.
            Op::Concat { xs, axis } => {
                let mut start = 0;
                for v in xs {
                    let len = shape(*v)[*axis];
                    give(*v, &|| g.slice_axis(*axis, start, start + len))?;
                    start += len;
                }
            }
            // dx = y * (g - sum(g * y)) along the row.
            Op::Softmax(a) => give(*a, &|| {
                let last = y.rank() - 1;
                y.mul(&g.sub(&g.mul(y)?.sum_axis(last, true)?)?)
            })?,
            // y = x - lse(x): dx = g - softmax(x) * sum(g), with softmax(x) = exp(y).
            Op::LogSoftmax(a) => give(*a, &|| {
                let last = y.rank() - 1;
                g.sub(&y.exp().mul(&g.sum_axis(last, true)?)?)
            })?,
            // d/dp mean((p - t)^2) = 2 (p - t) / n.
            Op::MseLoss { pred, target } => {
                let n = x(*pred).numel() as f32;
                let d = || -> Result<Tensor> { x(*pred).sub(x(*target))?.scale(2.0 / n).mul(g) };
                give(*pred, &d)?;
                give(*target, &|| Ok(d()?.neg()))?;
            }
            // d/dlogits = (softmax(logits) - one_hot(targets)) / batch.
            Op::CrossEntropy { logits, targets } => give(*logits, &|| {
                let classes = shape(*logits)[1];
                let p = x(*logits).softmax()?;
                p.sub(&Tensor::one_hot(targets, classes)?)?
                    .scale(1.0 / targets.len() as f32)
                    .mul(g)
            })?,
        }
        Ok(grads)
    }
}

/// Broadcasts the gradient `g` of a sum over `axis` (all axes when `None`) back to `shape`.
fn spread(g: &Tensor, shape: &[usize], axis: Option<usize>, keepdims: bool) -> Result<Tensor> {
    match axis {
        Some(ax) if !keepdims => {
            let mut kept = shape.to_vec();
            kept[ax] = 1;
            g.reshape(&kept)?.broadcast_to(shape)
        }
        _ => g.broadcast_to(shape),
    }
}
