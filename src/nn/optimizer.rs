//! Optimizers: one `Optimizer` type whose `OptimizerKind` picks the update rule, with the per-
//! parameter state (velocities, moment estimates) it needs. Update rules and defaults follow Keras 3
//! (`keras.optimizers.*`) except Nadam, which uses the momentum schedule of Dozat's paper as in
//! Keras 2 and PyTorch (`mu_t = beta1 (1 - 0.5 * 0.96^(0.004 t))`). With gradient `g`, rate `lr`:
//!
//! - SGD: `w -= lr g`
//! - Momentum: `v = m v - lr g; w += v`
//! - Nesterov: `v = m v - lr g; w += m v - lr g`
//! - AdaGrad: `a += g^2; w -= lr g / sqrt(a + eps)` (a starts at `initial_accumulator`)
//! - RMSProp: `a = rho a + (1 - rho) g^2; w -= lr g / sqrt(a + eps)`
//! - Adam: `m += (1 - b1)(g - m); v += (1 - b2)(g^2 - v);`
//!   `w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)`
//! - AdaMax: `m += (1 - b1)(g - m); u = max(b2 u, |g|); w -= lr / (1 - b1^t) * m / (u + eps)`
//! - Nadam: `m, v` as Adam; `w -= lr (mu_{t+1} m / (1 - prod mu_1..t+1) + (1 - mu_t) g /
//!   (1 - prod mu_1..t)) / (sqrt(v / (1 - b2^t)) + eps)`
//! - AdamW: `w -= lr wd w` (decoupled weight decay), then Adam.

use crate::error::{Error, Result};
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum OptimizerKind {
    Sgd,
    Momentum {
        momentum: f32,
    },
    Nesterov {
        momentum: f32,
    },
    AdaGrad {
        initial_accumulator: f32,
        epsilon: f32,
    },
    RmsProp {
        rho: f32,
        epsilon: f32,
    },
    Adam {
        beta1: f32,
        beta2: f32,
        epsilon: f32,
    },
    AdaMax {
        beta1: f32,
        beta2: f32,
        epsilon: f32,
    },
    Nadam {
        beta1: f32,
        beta2: f32,
        epsilon: f32,
    },
    AdamW {
        beta1: f32,
        beta2: f32,
        epsilon: f32,
        weight_decay: f32,
    },
}

impl OptimizerKind {
    pub fn momentum() -> Self {
        OptimizerKind::Momentum { momentum: 0.9 }
    }
    pub fn nesterov() -> Self {
        OptimizerKind::Nesterov { momentum: 0.9 }
    }
    pub fn adagrad() -> Self {
        OptimizerKind::AdaGrad {
            initial_accumulator: 0.1,
            epsilon: 1e-7,
        }
    }
    pub fn rmsprop() -> Self {
        OptimizerKind::RmsProp {
            rho: 0.9,
            epsilon: 1e-7,
        }
    }
    pub fn adam() -> Self {
        OptimizerKind::Adam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
        }
    }
    pub fn adamax() -> Self {
        OptimizerKind::AdaMax {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
        }
    }
    pub fn nadam() -> Self {
        OptimizerKind::Nadam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
        }
    }
    pub fn adamw() -> Self {
        OptimizerKind::AdamW {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
            weight_decay: 0.004,
        }
    }
}

/// An optimizer's settings: the rule and the base learning rate (a schedule may change the rate
/// used at each step).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OptimizerSpec {
    pub kind: OptimizerKind,
    pub learning_rate: f32,
}

impl Default for OptimizerSpec {
    fn default() -> Self {
        OptimizerSpec {
            kind: OptimizerKind::adam(),
            learning_rate: 0.001,
        }
    }
}

impl OptimizerSpec {
    /// Checks the rate and the rule's constants, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        let positive = |name: &str, v: f32| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::invalid(name, v, "a positive finite number"))
            }
        };
        let unit = |name: &str, v: f32| {
            if (0.0..1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::invalid(name, v, "in [0, 1)"))
            }
        };
        positive("learning_rate", self.learning_rate)?;
        match self.kind {
            OptimizerKind::Sgd => Ok(()),
            OptimizerKind::Momentum { momentum } | OptimizerKind::Nesterov { momentum } => {
                unit("momentum", momentum)
            }
            OptimizerKind::AdaGrad {
                initial_accumulator,
                epsilon,
            } => {
                if !(initial_accumulator >= 0.0 && initial_accumulator.is_finite()) {
                    return Err(Error::invalid(
                        "initial_accumulator",
                        initial_accumulator,
                        "a finite number >= 0",
                    ));
                }
                positive("epsilon", epsilon)
            }
            OptimizerKind::RmsProp { rho, epsilon } => {
                unit("rho", rho)?;
                positive("epsilon", epsilon)
            }
            OptimizerKind::Adam {
                beta1,
                beta2,
                epsilon,
            }
            | OptimizerKind::AdaMax {
                beta1,
                beta2,
                epsilon,
            }
            | OptimizerKind::Nadam {
                beta1,
                beta2,
                epsilon,
            } => {
                unit("beta1", beta1)?;
                unit("beta2", beta2)?;
                positive("epsilon", epsilon)
            }
            OptimizerKind::AdamW {
                beta1,
                beta2,
                epsilon,
                weight_decay,
            } => {
                unit("beta1", beta1)?;
                unit("beta2", beta2)?;
                positive("epsilon", epsilon)?;
                if weight_decay >= 0.0 && weight_decay.is_finite() {
                    Ok(())
                } else {
                    Err(Error::invalid(
                        "weight_decay",
                        weight_decay,
                        "a finite number >= 0",
                    ))
                }
            }
        }
    }
}

/// Per-parameter state: first and second slots (velocity, moments, accumulator), as needed.
#[derive(Debug, Clone, PartialEq)]
struct Slots {
    first: Tensor,
    second: Tensor,
}

/// An optimizer with its state; `step` updates parameters in place from their gradients.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimizer {
    pub spec: OptimizerSpec,
    /// Steps taken so far.
    t: usize,
    slots: Vec<Slots>,
    /// Nadam's running product of momentum-schedule values, prod mu_1..t (in f64: it is a product of
    /// many factors close to 0.9).
    mu_product: f64,
}

impl Optimizer {
    pub fn new(spec: OptimizerSpec) -> Result<Self> {
        spec.validate()?;
        Ok(Optimizer {
            spec,
            t: 0,
            slots: Vec::new(),
            mu_product: 1.0,
        })
    }

    /// Steps taken so far.
    pub fn iterations(&self) -> usize {
        self.t
    }

    /// Copies the per-parameter state (moments, velocities) to `device`, with the parameters.
    pub fn to_device(&mut self, device: crate::tensor::Device) -> Result<()> {
        for t in self.tensors_mut() {
            *t = t.to_device(device)?;
        }
        Ok(())
    }

    /// Every state tensor, in a fixed order (the trainer's host copy reads them back in one go).
    pub(crate) fn tensors_mut(&mut self) -> Vec<&mut Tensor> {
        self.slots
            .iter_mut()
            .flat_map(|s| [&mut s.first, &mut s.second])
            .collect()
    }

    /// Forgets all state (as after `new`).
    pub fn reset(&mut self) {
        self.t = 0;
        self.slots.clear();
        self.mu_product = 1.0;
    }

    /// One update of every parameter with its gradient at learning rate `lr` (the schedule's
    /// current rate; `spec.learning_rate` when there is none).
    pub fn step(&mut self, params: &mut [&mut Tensor], grads: &[Tensor], lr: f32) -> Result<()> {
        if params.len() != grads.len() {
            return Err(Error::Shape(format!(
                "optimizer step with {} parameters but {} gradients",
                params.len(),
                grads.len()
            )));
        }
        for (p, g) in params.iter().zip(grads) {
            if p.shape() != g.shape() {
                return Err(Error::Shape(format!(
                    "gradient {:?} for a parameter of shape {:?}",
                    g.shape(),
                    p.shape()
                )));
            }
        }
        if self.slots.len() != params.len()
            || self
                .slots
                .iter()
                .zip(params.iter())
                .any(|(s, p)| s.first.shape() != p.shape())
        {
            let init = match self.spec.kind {
                OptimizerKind::AdaGrad {
                    initial_accumulator,
                    ..
                } => initial_accumulator,
                _ => 0.0,
            };
            self.slots = params
                .iter()
                .map(|p| Slots {
                    first: Tensor::full(p.shape(), init),
                    second: Tensor::zeros(p.shape()),
                })
                .collect();
            self.t = 0;
            self.mu_product = 1.0;
        }
        self.t += 1;
        let t = self.t as f64;
        // Per-step scalars, in f64 so that powers like 0.999^t stay accurate.
        let nadam = |b1: f32| {
            let mu = |s: f64| b1 as f64 * (1.0 - 0.5 * 0.96f64.powf(0.004 * s));
            (mu(t), mu(t + 1.0))
        };
        let mut mu_next_product = self.mu_product;
        if let OptimizerKind::Nadam { beta1, .. } = self.spec.kind {
            let (mu_t, mu_t1) = nadam(beta1);
            self.mu_product *= mu_t;
            mu_next_product = self.mu_product * mu_t1;
        }
        for ((p, g), s) in params.iter_mut().zip(grads).zip(&mut self.slots) {
            let w: &mut Tensor = p;
            match self.spec.kind {
                OptimizerKind::Sgd => *w = w.sub(&g.scale(lr))?,
                OptimizerKind::Momentum { momentum } => {
                    s.first = s.first.scale(momentum).sub(&g.scale(lr))?;
                    *w = w.add(&s.first)?;
                }
                OptimizerKind::Nesterov { momentum } => {
                    s.first = s.first.scale(momentum).sub(&g.scale(lr))?;
                    *w = w.add(&s.first.scale(momentum).sub(&g.scale(lr))?)?;
                }
                OptimizerKind::AdaGrad { epsilon, .. } => {
                    s.first = s.first.add(&g.square())?;
                    *w = w.sub(&g.scale(lr).div(&s.first.add_scalar(epsilon).sqrt())?)?;
                }
                OptimizerKind::RmsProp { rho, epsilon } => {
                    s.first = s.first.scale(rho).add(&g.square().scale(1.0 - rho))?;
                    *w = w.sub(&g.scale(lr).div(&s.first.add_scalar(epsilon).sqrt())?)?;
                }
                OptimizerKind::Adam {
                    beta1,
                    beta2,
                    epsilon,
                } => adam(w, g, s, lr, beta1, beta2, epsilon, t)?,
                OptimizerKind::AdamW {
                    beta1,
                    beta2,
                    epsilon,
                    weight_decay,
                } => {
                    *w = w.sub(&w.scale(weight_decay * lr))?;
                    adam(w, g, s, lr, beta1, beta2, epsilon, t)?;
                }
                OptimizerKind::AdaMax {
                    beta1,
                    beta2,
                    epsilon,
                } => {
                    s.first = s.first.moment(g, 1.0 - beta1, false)?;
                    s.second = s
                        .second
                        .scale(beta2)
                        .maximum(&g.unary(crate::tensor::Unary::Abs))?;
                    let step = (lr as f64 / (1.0 - (beta1 as f64).powf(t))) as f32;
                    *w = w.sub(&s.first.scale(step).div(&s.second.add_scalar(epsilon))?)?;
                }
                OptimizerKind::Nadam {
                    beta1,
                    beta2,
                    epsilon,
                } => {
                    let (mu_t, mu_t1) = nadam(beta1);
                    s.first = s.first.moment(g, 1.0 - beta1, false)?;
                    s.second = s.second.moment(g, 1.0 - beta2, true)?;
                    let c_m = (mu_t1 / (1.0 - mu_next_product)) as f32;
                    let c_g = ((1.0 - mu_t) / (1.0 - self.mu_product)) as f32;
                    let m_hat = s.first.scale(c_m).add(&g.scale(c_g))?;
                    let v_scale = (1.0 / (1.0 - (beta2 as f64).powf(t))) as f32;
                    let denom = s.second.scale(v_scale).sqrt().add_scalar(epsilon);
                    *w = w.sub(&m_hat.scale(lr).div(&denom)?)?;
                }
            }
        }
        Ok(())
    }
}

/// Keras's Adam step (epsilon added after the bias correction is folded into the rate).
#[allow(clippy::too_many_arguments)]
fn adam(
    w: &mut Tensor,
    g: &Tensor,
    s: &mut Slots,
    lr: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    t: f64,
) -> Result<()> {
    // Three fused kernels on the GPU instead of twelve element-wise passes.
    s.first = s.first.moment(g, 1.0 - beta1, false)?;
    s.second = s.second.moment(g, 1.0 - beta2, true)?;
    let alpha =
        (lr as f64 * (1.0 - (beta2 as f64).powf(t)).sqrt() / (1.0 - (beta1 as f64).powf(t))) as f32;
    *w = w.adam_step(&s.first, &s.second, alpha, epsilon)?;
    Ok(())
}
