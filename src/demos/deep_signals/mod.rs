//! Chapter 11: what a deep MLP does to the signals that flow through it. A `Sequential` network of
//! 2 to 20 hidden layers (Dense -> optional BatchNorm -> activation) trains on 2-D points, one
//! mini-batch per tick, with our own tape; every tick's real forward and backward pass leaves each
//! hidden layer's activations and kernel gradients, drawn as layers x bins heat-maps (vanishing
//! and exploding signals show as rows drifting apart), with per-layer scales and the loss.

mod draw;

use super::playground::data as playground_data;
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::autodiff::{Tape, Var};
use crate::error::{Error, Result};
use crate::estimator::Progress;
use crate::nn::{
    Activation, Initializer, Layer, LayerSpec, Loss, ModelSpec, Optimizer, OptimizerKind,
    OptimizerSpec, Pass, Sequential,
};
use crate::rng::Rng;
use crate::tensor::Tensor;

use plotters::coord::Shift;
use plotters::prelude::*;

/// Training points drawn from the chosen data set.
const SAMPLES: usize = 512;
/// Columns of the heat-maps.
const BINS: usize = 40;
/// Mini-batch losses averaged for the reported training loss and accuracy.
const WINDOW: usize = 16;
/// Ticks after which the run is complete (the loss curve's full width).
const MAX_STEPS: usize = 3000;
/// The input coordinates (in [-6, 6]) are divided by this, giving inputs of unit-ish spread.
const INPUT_SCALE: f32 = 3.0;

/// What the last training step left in each hidden layer.
#[derive(Debug, Clone, Default)]
pub struct LayerSignals {
    /// The layer's outputs (after the activation) over the mini-batch.
    pub activations: Vec<f32>,
    /// dLoss/dW for the layer's Dense kernel.
    pub kernel_grads: Vec<f32>,
}

impl LayerSignals {
    /// Standard deviation of the activations.
    pub fn activation_std(&self) -> f64 {
        std_dev(&self.activations)
    }

    /// Euclidean (Frobenius) norm of the kernel gradient.
    pub fn grad_norm(&self) -> f64 {
        self.kernel_grads
            .iter()
            .map(|&g| (g as f64) * (g as f64))
            .sum::<f64>()
            .sqrt()
    }
}

pub struct DeepSignalsDemo {
    model: Sequential,
    optimizer: Optimizer,
    lr: f32,
    activation: Activation,
    batch_norm: bool,
    x: Tensor,
    y: Tensor,
    xy: Vec<[f64; 2]>,
    labels: Vec<f64>,
    order: Vec<usize>,
    cursor: usize,
    batch_size: usize,
    rng: Rng,
    tape: Tape,
    steps: usize,
    losses: Vec<f64>,
    hits: Vec<f64>,
    signals: Vec<LayerSignals>,
    /// Signals before any training (the first tick's pass), kept for comparison in the panel.
    initial: Vec<(f64, f64)>,
    state: Progress,
    message: Option<String>,
}

impl DeepSignalsDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "deep-signals",
        title: "Signals in a deep network: activations and gradients per layer",
        chapter: "11-training-deep-neural-networks",
        upload: None,
        params: &[
            ParamSpec {
                key: "depth",
                label: "Hidden layers",
                help: "How many hidden layers the network stacks.",
                kind: ParamKind::Int {
                    min: 2,
                    max: 20,
                    default: 10,
                },
            },
            ParamSpec {
                key: "width",
                label: "Neurons per layer",
                help: "Width of every hidden layer.",
                kind: ParamKind::Int {
                    min: 8,
                    max: 128,
                    default: 32,
                },
            },
            ParamSpec {
                key: "activation",
                label: "Activation",
                help: "The non-linearity after every hidden layer.",
                kind: ParamKind::Choice {
                    options: &[
                        "sigmoid",
                        "tanh",
                        "relu",
                        "leaky_relu",
                        "elu",
                        "selu",
                        "gelu",
                        "swish",
                    ],
                    default: "sigmoid",
                },
            },
            ParamSpec {
                key: "init",
                label: "Initialisation",
                help: "How the weights are drawn: naive normal(0, 1), naive uniform(±0.05), or scaled by the fan-in/fan-out (Glorot, He, LeCun).",
                kind: ParamKind::Choice {
                    options: &["normal1", "uniform005", "glorot", "he", "lecun"],
                    default: "uniform005",
                },
            },
            ParamSpec {
                key: "batch_norm",
                label: "Batch normalisation",
                help: "Insert a BatchNorm layer between every hidden Dense layer and its activation.",
                kind: ParamKind::Bool { default: false },
            },
            ParamSpec {
                key: "optimizer",
                label: "Optimizer",
                help: "Plain SGD shows the raw gradients' effect; Adam rescales each weight's step.",
                kind: ParamKind::Choice {
                    options: &["sgd", "adam"],
                    default: "sgd",
                },
            },
            ParamSpec {
                key: "learning_rate",
                label: "Learning rate",
                help: "Step size of each update.",
                kind: ParamKind::Float {
                    min: 1e-4,
                    max: 1.0,
                    default: 0.05,
                    log: true,
                },
            },
            ParamSpec {
                key: "dataset",
                label: "Dataset",
                help: "Two-class points in the plane (the playground's sets).",
                kind: ParamKind::Choice {
                    options: &["circle", "xor", "spiral", "gaussians"],
                    default: "circle",
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let depth = params.usize("depth");
        let width = params.usize("width");
        let activation = activation_named(params.choice("activation"));
        let batch_norm = params.bool("batch_norm");
        let init = params.choice("init");
        let mut rng = Rng::new(seed);
        let points = playground_data::generate(params.choice("dataset"), SAMPLES, 0.0, &mut rng);
        let n = points.xy.len();
        let x = Tensor::from_vec(
            points
                .xy
                .iter()
                .flat_map(|p| [p[0] as f32 / INPUT_SCALE, p[1] as f32 / INPUT_SCALE])
                .collect(),
            &[n, 2],
        )?;
        let y = Tensor::from_vec(points.target.iter().map(|&t| t as f32).collect(), &[n, 1])?;
        let model = build_model(depth, width, activation, batch_norm, init, seed)?;
        let kind = match params.choice("optimizer") {
            "adam" => OptimizerKind::adam(),
            _ => OptimizerKind::Sgd,
        };
        let lr = params.f64("learning_rate") as f32;
        let optimizer = Optimizer::new(OptimizerSpec {
            kind,
            learning_rate: lr,
        })?;
        let order = rng.permutation(n);
        Ok(DeepSignalsDemo {
            model,
            optimizer,
            lr,
            activation,
            batch_norm,
            x,
            y,
            xy: points.xy,
            labels: points.target,
            order,
            cursor: 0,
            // Deep and wide networks take smaller batches so a tick stays within the frame budget.
            batch_size: if depth * width * width > 80_000 {
                16
            } else {
                32
            },
            rng,
            tape: Tape::new(),
            steps: 0,
            losses: Vec::new(),
            hits: Vec::new(),
            signals: Vec::new(),
            initial: Vec::new(),
            state: Progress::Running,
            message: None,
        })
    }

    /// The network being trained.
    pub fn model(&self) -> &Sequential {
        &self.model
    }

    /// Each hidden layer's activations and kernel gradients from the last training step (empty
    /// before the first tick).
    pub fn signals(&self) -> &[LayerSignals] {
        &self.signals
    }

    /// One mini-batch: forward layer by layer (keeping each hidden layer's output), binary
    /// cross-entropy, backward, and an optimizer step.
    fn train_step(&mut self) -> Result<()> {
        if self.cursor >= self.order.len() {
            self.order = self.rng.permutation(self.order.len());
            self.cursor = 0;
        }
        let end = (self.cursor + self.batch_size).min(self.order.len());
        let idx = &self.order[self.cursor..end];
        let (xb, yb) = (self.x.gather_rows(idx)?, self.y.gather_rows(idx)?);
        self.cursor = end;

        let tape = &mut self.tape;
        tape.clear();
        let params: Vec<Var> = self
            .model
            .params()
            .into_iter()
            .map(|p| tape.leaf(p.clone()))
            .collect();
        let mut pass = Pass::train(Rng::new(0));
        let mut h = tape.constant(xb);
        let mut offset = 0;
        // (output Var of each hidden activation, kernel Var of its Dense layer)
        let mut hidden: Vec<(Var, Var)> = Vec::new();
        let mut kernel = None;
        for (i, layer) in self.model.layers().iter().enumerate() {
            let k = layer.params().len();
            h = layer.forward(tape, h, &params[offset..offset + k], &mut pass, i)?;
            match layer {
                Layer::Dense(_) => kernel = Some(params[offset]),
                Layer::Activation(_) => {
                    if let Some(w) = kernel.take() {
                        hidden.push((h, w));
                    }
                }
                _ => {}
            }
            offset += k;
        }
        let target = tape.constant(yb);
        let loss = Loss::BinaryCrossEntropy.forward(tape, h, target)?;
        let value = tape.value(loss).item()? as f64;
        if !value.is_finite() {
            self.state = Progress::Diverged;
            self.message = Some(
                Error::Diverged {
                    step: self.steps + 1,
                    value: format!("{value}"),
                }
                .to_string(),
            );
            return Ok(());
        }
        let (out, t) = (tape.value(h).to_vec(), tape.value(target).to_vec());
        let correct = out
            .iter()
            .zip(&t)
            .filter(|(z, y)| (**z > 0.0) == (**y > 0.5))
            .count();
        tape.backward(loss)?;
        let grads: Vec<Tensor> = tape.grads_or_zeros(&params);
        self.signals = hidden
            .iter()
            .map(|&(a, w)| LayerSignals {
                activations: tape.value(a).to_vec(),
                kernel_grads: tape
                    .grad(w)
                    .map_or_else(|| vec![0.0; tape.value(w).numel()], Tensor::to_vec),
            })
            .collect();
        if self.initial.is_empty() {
            self.initial = self
                .signals
                .iter()
                .map(|s| (s.activation_std(), s.grad_norm()))
                .collect();
        }
        for (i, mean, var) in pass.batch_stats {
            if let Some(Layer::BatchNorm(bn)) = self.model.layers_mut().get_mut(i) {
                bn.update_running(&mean, &var)?;
            }
        }
        self.optimizer
            .step(&mut self.model.params_mut(), &grads, self.lr)?;
        self.steps += 1;
        self.losses.push(value);
        self.hits.push(correct as f64 / t.len().max(1) as f64);
        if self.steps >= MAX_STEPS {
            self.state = Progress::Done;
        }
        Ok(())
    }

    fn recent(values: &[f64]) -> f64 {
        let tail = &values[values.len().saturating_sub(WINDOW)..];
        if tail.is_empty() {
            f64::NAN
        } else {
            tail.iter().sum::<f64>() / tail.len() as f64
        }
    }

    /// (first hidden layer's gradient norm) / (last hidden layer's).
    fn grad_ratio(&self) -> f64 {
        match (self.signals.first(), self.signals.last()) {
            (Some(a), Some(b)) => a.grad_norm() / b.grad_norm(),
            _ => f64::NAN,
        }
    }
}

impl Demo for DeepSignalsDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One mini-batch through the whole network and back.
    fn tick(&mut self) -> Progress {
        if self.state != Progress::Running {
            return self.state;
        }
        if let Err(e) = self.train_step() {
            self.state = Progress::Diverged;
            self.message = Some(e.to_string());
        }
        self.state
    }

    fn ticks_per_frame(&self) -> usize {
        4
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let (w, h) = area.dim_in_pixel();
        let grid = if w >= h {
            area.split_evenly((2, 2))
        } else {
            area.split_evenly((4, 1))
        };
        self.draw_activations(&grid[0])?;
        self.draw_gradients(&grid[1])?;
        self.draw_scales(&grid[2])?;
        self.draw_loss(&grid[3])?;
        Ok(())
    }

    fn metrics(&self) -> Vec<Metric> {
        let first_std = self
            .signals
            .first()
            .map_or(f64::NAN, |s| s.activation_std());
        let last_std = self.signals.last().map_or(f64::NAN, |s| s.activation_std());
        vec![
            Metric::new("step", "Mini-batches", self.steps as f64),
            Metric::new(
                "train_loss",
                "Train loss (last 16 batches)",
                Self::recent(&self.losses),
            ),
            Metric::new(
                "train_accuracy",
                "Train accuracy (last 16 batches)",
                Self::recent(&self.hits),
            ),
            Metric::new("first_act_std", "Activation std, first layer", first_std),
            Metric::new("last_act_std", "Activation std, last layer", last_std),
            Metric::new(
                "grad_ratio",
                "Gradient norm first / last layer",
                self.grad_ratio(),
            ),
            Metric::text(
                "setup",
                "Network",
                format!(
                    "{} hidden layers{}",
                    self.signals.len().max(1),
                    if self.batch_norm {
                        " with BatchNorm"
                    } else {
                        ""
                    }
                ),
            ),
        ]
    }

    fn status(&self) -> Option<String> {
        self.message.clone()
    }

    fn height_for_width(&self, width: u32) -> u32 {
        if width >= 720 {
            (width as f64 * 0.72) as u32
        } else {
            (width as f64 * 3.2).min(1800.0) as u32
        }
    }
}

/// The activation named by the `activation` parameter (Keras's default alphas).
pub fn activation_named(name: &str) -> Activation {
    match name {
        "tanh" => Activation::Tanh,
        "relu" => Activation::Relu,
        "leaky_relu" => Activation::LeakyRelu { alpha: 0.3 },
        "elu" => Activation::Elu { alpha: 1.0 },
        "selu" => Activation::Selu,
        "gelu" => Activation::Gelu,
        "swish" => Activation::Swish,
        _ => Activation::Sigmoid,
    }
}

/// `depth` hidden blocks Dense(width) -> [BatchNorm] -> activation, then one linear output (a
/// logit). `init` is an `Initializer` name or one of the naive "normal1" (every weight from
/// N(0, 1)) and "uniform005" (from U(-0.05, 0.05)).
pub fn build_model(
    depth: usize,
    width: usize,
    activation: Activation,
    batch_norm: bool,
    init: &str,
    seed: u64,
) -> Result<Sequential> {
    let initializer = match init {
        "he" => Initializer::HeNormal,
        "lecun" => Initializer::LecunNormal,
        _ => Initializer::GlorotNormal,
    };
    let dense = |units: usize| LayerSpec::Dense {
        units,
        activation: Activation::Linear,
        init: initializer,
        l1: 0.0,
        l2: 0.0,
        max_norm: None,
    };
    let mut layers = Vec::new();
    for _ in 0..depth {
        layers.push(dense(width));
        if batch_norm {
            layers.push(LayerSpec::batch_norm());
        }
        layers.push(LayerSpec::Activation { activation });
    }
    layers.push(dense(1));
    let mut model = Sequential::new(ModelSpec {
        input: 2,
        layers,
        seed,
    })?;
    let naive: Option<fn(&[usize], &mut Rng) -> Tensor> = match init {
        "normal1" => Some(|s, r| Tensor::randn(s, 1.0, r)),
        "uniform005" => Some(|s, r| Tensor::uniform(s, -0.05, 0.05, r)),
        _ => None,
    };
    if let Some(draw) = naive {
        let mut rng = Rng::new(seed ^ 0x5eed);
        for layer in model.layers_mut() {
            if let Layer::Dense(d) = layer {
                d.kernel = draw(d.kernel.shape(), &mut rng);
            }
        }
    }
    Ok(model)
}

fn std_dev(values: &[f32]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let n = values.len() as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
    (values
        .iter()
        .map(|&v| (v as f64 - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt()
}

/// The `q` quantile of `values` (sorted in place); 0 when empty.
fn quantile(values: &mut Vec<f64>, q: f64) -> f64 {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * q).round() as usize]
}
