//! Activation functions, each one element-wise `Unary` map on the tape (softmax aside, which works
//! along the last axis).

use crate::autodiff::{Tape, Var};
use crate::error::Result;
use crate::tensor::Unary;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum Activation {
    /// The identity (no activation).
    #[default]
    Linear,
    Sigmoid,
    Tanh,
    Relu,
    /// `alpha * x` for negative `x` (Keras's default alpha is 0.3, PyTorch's 0.01).
    LeakyRelu {
        alpha: f32,
    },
    /// `alpha * (exp(x) - 1)` for negative `x` (default alpha 1).
    Elu {
        alpha: f32,
    },
    /// Self-normalising ELU with the fixed constants; pair with LeCun-normal initialisation.
    Selu,
    /// GELU, tanh approximation (PyTorch's `approximate="tanh"`, Keras's `approximate=True`).
    Gelu,
    /// Swish / SiLU: `x * sigmoid(x)`.
    Swish,
    /// Softmax along the last axis (for probabilities; losses take logits instead).
    Softmax,
}

impl Activation {
    /// The element-wise map, or `None` for the identity and softmax.
    pub fn unary(self) -> Option<Unary> {
        match self {
            Activation::Linear | Activation::Softmax => None,
            Activation::Sigmoid => Some(Unary::Sigmoid),
            Activation::Tanh => Some(Unary::Tanh),
            Activation::Relu => Some(Unary::Relu),
            Activation::LeakyRelu { alpha } => Some(Unary::LeakyRelu(alpha)),
            Activation::Elu { alpha } => Some(Unary::Elu(alpha)),
            Activation::Selu => Some(Unary::Selu),
            Activation::Gelu => Some(Unary::Gelu),
            Activation::Swish => Some(Unary::Swish),
        }
    }

    /// Records the activation of `x` on the tape.
    pub fn forward(self, tape: &mut Tape, x: Var) -> Result<Var> {
        match self {
            Activation::Linear => Ok(x),
            Activation::Softmax => tape.softmax(x),
            _ => Ok(match self.unary() {
                Some(f) => tape.unary(x, f),
                None => x,
            }),
        }
    }
}
