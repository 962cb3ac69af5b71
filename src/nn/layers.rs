//! Layers: `Dense`, `Dropout`, `BatchNorm` and activation layers, gathered in the `Layer` enum.
//!
//! A layer holds its parameters as `Tensor`s; a forward pass reads them from tape `Var`s handed in
//! by `Sequential` (in the order of `Layer::params`), so the same code serves training (parameters as
//! leaves), gradient checks (parameters as the checker's inputs) and prediction.

use super::activation::Activation;
use super::init::Initializer;
use crate::autodiff::{Tape, Var};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// What a forward pass needs beyond the parameters: training or inference behaviour, the random
/// stream for dropout masks, and the batch statistics BatchNorm layers saw (applied to their
/// running averages by `Sequential::forward` after the pass).
#[derive(Debug, Clone)]
pub struct Pass {
    pub training: bool,
    pub rng: Rng,
    /// (layer index, batch mean, batch variance) for each BatchNorm layer in training mode.
    pub batch_stats: Vec<(usize, Tensor, Tensor)>,
}

impl Pass {
    /// Inference: dropout off, BatchNorm uses its running statistics.
    pub fn eval() -> Self {
        Pass {
            training: false,
            rng: Rng::new(0),
            batch_stats: Vec::new(),
        }
    }

    /// Training: dropout masks drawn from `rng`, BatchNorm normalises with batch statistics.
    pub fn train(rng: Rng) -> Self {
        Pass {
            training: true,
            rng,
            batch_stats: Vec::new(),
        }
    }
}

/// A fully connected layer `activation(x W + b)` with a (inputs, units) kernel `W`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    pub kernel: Tensor,
    pub bias: Tensor,
    pub activation: Activation,
    /// L1 and L2 penalty factors on the kernel (added to the loss as `l1 sum|W| + l2 sum W^2`).
    pub l1: f32,
    pub l2: f32,
    /// Each unit's incoming weight vector is rescaled to at most this norm after every step.
    pub max_norm: Option<f32>,
}

impl Dense {
    /// A kernel from `init` and a zero bias.
    pub fn new(
        inputs: usize,
        units: usize,
        init: Initializer,
        activation: Activation,
        rng: &mut Rng,
    ) -> Self {
        Dense {
            kernel: init.kernel(inputs, units, rng),
            bias: Tensor::zeros(&[units]),
            activation,
            l1: 0.0,
            l2: 0.0,
            max_norm: None,
        }
    }

    fn forward(&self, tape: &mut Tape, x: Var, p: &[Var]) -> Result<Var> {
        let h = tape.matmul(x, p[0])?;
        let h = tape.add(h, p[1])?;
        self.activation.forward(tape, h)
    }
}

/// Inverted dropout (as Keras and PyTorch): in training each input is zeroed with probability
/// `rate` and the survivors are scaled by `1 / (1 - rate)`, so inference needs no rescaling.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dropout {
    pub rate: f32,
}

impl Dropout {
    fn forward(&self, tape: &mut Tape, x: Var, pass: &mut Pass) -> Result<Var> {
        if !pass.training || self.rate <= 0.0 {
            return Ok(x);
        }
        let keep = 1.0 - self.rate;
        let shape = tape.value(x).shape().to_vec();
        // The mask is drawn from our portable RNG (on the CPU) so a seed gives the same run
        // everywhere; it enters the tape as a constant, so dropout is just a multiply.
        let mask = Tensor::uniform(&shape, 0.0, 1.0, &mut pass.rng)
            .map(|u| if u < keep { 1.0 / keep } else { 0.0 })
            .to_device(tape.value(x).device())?;
        let m = tape.constant(mask);
        tape.mul(x, m)
    }
}

/// Batch normalisation over the batch axis of (batch, features) inputs, Keras conventions:
/// `running = momentum * running + (1 - momentum) * batch` with momentum 0.99 by default (PyTorch's
/// `momentum=0.1` is the same rule with `1 - momentum`), biased batch variance, epsilon 1e-3.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchNorm {
    pub gamma: Tensor,
    pub beta: Tensor,
    pub running_mean: Tensor,
    pub running_var: Tensor,
    pub momentum: f32,
    pub epsilon: f32,
}

impl BatchNorm {
    pub fn new(features: usize, momentum: f32, epsilon: f32) -> Self {
        BatchNorm {
            gamma: Tensor::ones(&[features]),
            beta: Tensor::zeros(&[features]),
            running_mean: Tensor::zeros(&[features]),
            running_var: Tensor::ones(&[features]),
            momentum,
            epsilon,
        }
    }

    fn forward(
        &self,
        tape: &mut Tape,
        x: Var,
        p: &[Var],
        pass: &mut Pass,
        index: usize,
    ) -> Result<Var> {
        let features = self.gamma.numel();
        let shape = tape.value(x).shape();
        if shape.len() != 2 || shape[1] != features {
            return Err(Error::Shape(format!(
                "BatchNorm over {features} features needs (batch, {features}) input, got {shape:?}"
            )));
        }
        let x_hat = if pass.training {
            let mean = tape.mean_axis(x, 0, true)?;
            let centred = tape.sub(x, mean)?;
            let sq = tape.square(centred);
            let var = tape.mean_axis(sq, 0, true)?;
            let var_eps = tape.add_scalar(var, self.epsilon);
            let std = tape.sqrt(var_eps);
            pass.batch_stats.push((
                index,
                tape.value(mean).reshape(&[features])?,
                tape.value(var).reshape(&[features])?,
            ));
            tape.div(centred, std)?
        } else {
            let mean = tape.constant(self.running_mean.clone());
            let std = tape.constant(self.running_var.add_scalar(self.epsilon).sqrt());
            let centred = tape.sub(x, mean)?;
            tape.div(centred, std)?
        };
        let scaled = tape.mul(x_hat, p[0])?;
        tape.add(scaled, p[1])
    }

    /// Moves the running averages towards one batch's statistics.
    pub fn update_running(&mut self, mean: &Tensor, var: &Tensor) -> Result<()> {
        let m = self.momentum;
        self.running_mean = self.running_mean.scale(m).add(&mean.scale(1.0 - m))?;
        self.running_var = self.running_var.scale(m).add(&var.scale(1.0 - m))?;
        Ok(())
    }
}

/// One layer of a `Sequential` model.
#[derive(Debug, Clone, PartialEq)]
pub enum Layer {
    Dense(Dense),
    Activation(Activation),
    Dropout(Dropout),
    BatchNorm(BatchNorm),
}

impl Layer {
    /// The trainable parameters, in the order `forward` expects their `Var`s.
    pub fn params(&self) -> Vec<&Tensor> {
        match self {
            Layer::Dense(d) => vec![&d.kernel, &d.bias],
            Layer::BatchNorm(b) => vec![&b.gamma, &b.beta],
            Layer::Activation(_) | Layer::Dropout(_) => Vec::new(),
        }
    }

    pub fn params_mut(&mut self) -> Vec<&mut Tensor> {
        match self {
            Layer::Dense(d) => vec![&mut d.kernel, &mut d.bias],
            Layer::BatchNorm(b) => vec![&mut b.gamma, &mut b.beta],
            Layer::Activation(_) | Layer::Dropout(_) => Vec::new(),
        }
    }

    /// Records the layer on the tape. `params` are this layer's parameter `Var`s; `index` is the
    /// layer's position (for BatchNorm statistics).
    pub fn forward(
        &self,
        tape: &mut Tape,
        x: Var,
        params: &[Var],
        pass: &mut Pass,
        index: usize,
    ) -> Result<Var> {
        let wanted = self.params().len();
        if params.len() != wanted {
            return Err(Error::Shape(format!(
                "layer {index} takes {wanted} parameter tensors, got {}",
                params.len()
            )));
        }
        match self {
            Layer::Dense(d) => d.forward(tape, x, params),
            Layer::Activation(a) => a.forward(tape, x),
            Layer::Dropout(d) => d.forward(tape, x, pass),
            Layer::BatchNorm(b) => b.forward(tape, x, params, pass, index),
        }
    }
}
