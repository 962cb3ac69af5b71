//! `Sequential`: a stack of layers built from a serde-able `ModelSpec`, with forward passes on the
//! tape, prediction, L1/L2 penalties, max-norm constraints, and JSON save/load (architecture and
//! weights together).

use super::activation::Activation;
use super::init::Initializer;
use super::layers::{BatchNorm, Dense, Dropout, Layer, Pass};
use super::regularization::{l1_l2_penalty, max_norm};
use crate::autodiff::{Tape, Var};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

/// One layer of an architecture. Serialised with a `type` tag, e.g.
/// `{"type": "dense", "units": 8, "activation": {"name": "relu"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LayerSpec {
    Dense {
        units: usize,
        #[serde(default)]
        activation: Activation,
        #[serde(default)]
        init: Initializer,
        #[serde(default)]
        l1: f32,
        #[serde(default)]
        l2: f32,
        #[serde(default)]
        max_norm: Option<f32>,
    },
    Activation {
        activation: Activation,
    },
    Dropout {
        rate: f32,
    },
    BatchNorm {
        #[serde(default = "default_bn_momentum")]
        momentum: f32,
        #[serde(default = "default_bn_epsilon")]
        epsilon: f32,
    },
}

fn default_bn_momentum() -> f32 {
    0.99
}

fn default_bn_epsilon() -> f32 {
    1e-3
}

impl LayerSpec {
    /// A dense layer with Glorot-uniform weights and no regularisation.
    pub fn dense(units: usize, activation: Activation) -> Self {
        LayerSpec::Dense {
            units,
            activation,
            init: Initializer::default(),
            l1: 0.0,
            l2: 0.0,
            max_norm: None,
        }
    }

    /// The same layer with L1 and L2 weight penalties `l1`, `l2` (other layers are unchanged).
    pub fn with_penalties(self, l1: f32, l2: f32) -> Self {
        match self {
            LayerSpec::Dense {
                units,
                activation,
                init,
                max_norm,
                ..
            } => LayerSpec::Dense {
                units,
                activation,
                init,
                l1,
                l2,
                max_norm,
            },
            other => other,
        }
    }

    /// `count` copies of `layer`, each followed by dropout at `rate` when it is above zero: the
    /// hidden layers of a plain MLP.
    pub fn repeated_with_dropout(layer: LayerSpec, count: usize, rate: f32) -> Vec<LayerSpec> {
        let mut layers = Vec::with_capacity(2 * count);
        for _ in 0..count {
            layers.push(layer.clone());
            if rate > 0.0 {
                layers.push(LayerSpec::Dropout { rate });
            }
        }
        layers
    }

    /// BatchNorm with Keras's defaults (momentum 0.99, epsilon 1e-3).
    pub fn batch_norm() -> Self {
        LayerSpec::BatchNorm {
            momentum: default_bn_momentum(),
            epsilon: default_bn_epsilon(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            LayerSpec::Dense { .. } => "dense",
            LayerSpec::Activation { .. } => "activation",
            LayerSpec::Dropout { .. } => "dropout",
            LayerSpec::BatchNorm { .. } => "batch_norm",
        }
    }
}

/// An architecture: the number of input features, the layers in order, and the seed for the
/// initial weights and dropout masks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub input: usize,
    pub layers: Vec<LayerSpec>,
    #[serde(default)]
    pub seed: u64,
}

impl ModelSpec {
    /// Checks the architecture and returns each layer's output width.
    pub fn validate(&self) -> Result<Vec<usize>> {
        if self.input == 0 {
            return Err(Error::ZeroNeurons {
                layer: 0,
                kind: "input".into(),
            });
        }
        if self.layers.is_empty() {
            return Err(Error::invalid("layers", "none", "at least one layer"));
        }
        let mut width = self.input;
        let mut widths = Vec::with_capacity(self.layers.len());
        for (i, spec) in self.layers.iter().enumerate() {
            let at = |param: &str| format!("layer {} ({}) {param}", i + 1, spec.kind());
            match spec {
                LayerSpec::Dense {
                    units,
                    l1,
                    l2,
                    max_norm,
                    activation,
                    ..
                } => {
                    if *units == 0 {
                        return Err(Error::ZeroNeurons {
                            layer: i + 1,
                            kind: spec.kind().into(),
                        });
                    }
                    // A mistyped width must give an error, not exhaust the page's memory.
                    if units.saturating_mul(width) > MAX_WEIGHTS_PER_LAYER {
                        return Err(Error::invalid(
                            &at("units"),
                            units,
                            format!(
                                "small enough that {width} x units stays within \
                                 {MAX_WEIGHTS_PER_LAYER} weights"
                            ),
                        ));
                    }
                    for (name, v) in [("l1", l1), ("l2", l2)] {
                        if !(v.is_finite() && *v >= 0.0) {
                            return Err(Error::invalid(&at(name), v, "a finite number >= 0"));
                        }
                    }
                    if let Some(m) = max_norm {
                        if !(m.is_finite() && *m > 0.0) {
                            return Err(Error::invalid(&at("max_norm"), m, "a positive number"));
                        }
                    }
                    check_activation(activation, &at("activation"))?;
                    width = *units;
                }
                LayerSpec::Activation { activation } => {
                    check_activation(activation, &at("activation"))?
                }
                LayerSpec::Dropout { rate } => {
                    if !(0.0..1.0).contains(rate) {
                        return Err(Error::invalid(&at("rate"), rate, "in [0, 1)"));
                    }
                }
                LayerSpec::BatchNorm { momentum, epsilon } => {
                    if !(0.0..=1.0).contains(momentum) {
                        return Err(Error::invalid(&at("momentum"), momentum, "in [0, 1]"));
                    }
                    if !(epsilon.is_finite() && *epsilon > 0.0) {
                        return Err(Error::invalid(&at("epsilon"), epsilon, "a positive number"));
                    }
                }
            }
            widths.push(width);
        }
        Ok(widths)
    }
}

fn check_activation(a: &Activation, param: &str) -> Result<()> {
    match a {
        Activation::LeakyRelu { alpha } | Activation::Elu { alpha } if !alpha.is_finite() => Err(
            Error::invalid(&format!("{param} alpha"), alpha, "a finite number"),
        ),
        _ => Ok(()),
    }
}

/// A stack of layers applied in order.
#[derive(Debug, Clone)]
pub struct Sequential {
    spec: ModelSpec,
    layers: Vec<Layer>,
    /// The dropout stream; advanced by every training pass.
    rng: Rng,
}

/// Two models are equal when their architecture and weights are; the position of the dropout
/// stream is not part of a model's identity.
impl PartialEq for Sequential {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec && self.layers == other.layers
    }
}

impl Sequential {
    /// Validates `spec` and draws the initial weights from `spec.seed`.
    pub fn new(spec: ModelSpec) -> Result<Self> {
        let widths = spec.validate()?;
        let mut rng = Rng::new(spec.seed);
        let mut fan_in = spec.input;
        let mut layers = Vec::with_capacity(spec.layers.len());
        for (ls, &width) in spec.layers.iter().zip(&widths) {
            layers.push(match *ls {
                LayerSpec::Dense {
                    units,
                    activation,
                    init,
                    l1,
                    l2,
                    max_norm,
                } => {
                    let mut d = Dense::new(fan_in, units, init, activation, &mut rng);
                    (d.l1, d.l2, d.max_norm) = (l1, l2, max_norm);
                    Layer::Dense(d)
                }
                LayerSpec::Activation { activation } => Layer::Activation(activation),
                LayerSpec::Dropout { rate } => Layer::Dropout(Dropout { rate }),
                LayerSpec::BatchNorm { momentum, epsilon } => {
                    Layer::BatchNorm(BatchNorm::new(fan_in, momentum, epsilon))
                }
            });
            fan_in = width;
        }
        Ok(Sequential { spec, layers, rng })
    }

    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Direct access for tools that set weights (tests, the playground's editors).
    pub fn layers_mut(&mut self) -> &mut [Layer] {
        &mut self.layers
    }

    pub fn input_size(&self) -> usize {
        self.spec.input
    }

    /// The width of the last layer's output.
    pub fn output_size(&self) -> usize {
        self.spec
            .validate()
            .ok()
            .and_then(|w| w.last().copied())
            .unwrap_or(self.spec.input)
    }

    /// Every trainable tensor, layer by layer (the order `forward_with` expects).
    pub fn params(&self) -> Vec<&Tensor> {
        self.layers.iter().flat_map(Layer::params).collect()
    }

    pub fn params_mut(&mut self) -> Vec<&mut Tensor> {
        self.layers.iter_mut().flat_map(Layer::params_mut).collect()
    }

    /// Copies every weight and running statistic to `device` (see `Tensor::to_device`).
    pub fn to_device(&mut self, device: Device) -> Result<()> {
        for t in self.tensors_mut() {
            *t = t.to_device(device)?;
        }
        Ok(())
    }

    /// Where the weights live (the CPU for a model without any).
    pub fn device(&self) -> Device {
        self.params().first().map_or(Device::Cpu, |t| t.device())
    }

    /// The number of trainable scalars.
    pub fn param_count(&self) -> usize {
        self.params().iter().map(|t| t.numel()).sum()
    }

    fn check_input(&self, shape: &[usize]) -> Result<()> {
        match shape {
            [_, f] if *f == self.spec.input => Ok(()),
            [_, f] => Err(Error::InputSize {
                what: "the model".into(),
                expected: self.spec.input,
                got: *f,
            }),
            _ => Err(Error::Shape(format!(
                "the model takes (batch, {}) input, got {shape:?}",
                self.spec.input
            ))),
        }
    }

    /// The forward pass with the parameters given as `Var`s (in `params()` order): used by
    /// `forward` and by gradient checks, which own the parameters themselves.
    pub fn forward_with(
        &self,
        tape: &mut Tape,
        x: Var,
        params: &[Var],
        pass: &mut Pass,
    ) -> Result<Var> {
        self.check_input(tape.value(x).shape())?;
        let expected: usize = self.layers.iter().map(|l| l.params().len()).sum();
        if params.len() != expected {
            return Err(Error::Shape(format!(
                "the model has {expected} parameter tensors but {} were given",
                params.len()
            )));
        }
        let mut h = x;
        let mut offset = 0;
        for (i, layer) in self.layers.iter().enumerate() {
            let n = layer.params().len();
            h = layer.forward(tape, h, &params[offset..offset + n], pass, i)?;
            offset += n;
        }
        Ok(h)
    }

    /// Records a forward pass with the parameters as fresh leaves; returns the output and the
    /// parameter `Var`s (for reading gradients after `backward`). In training mode BatchNorm
    /// running statistics are updated and the dropout stream advances.
    pub fn forward(&mut self, tape: &mut Tape, x: Var, training: bool) -> Result<(Var, Vec<Var>)> {
        let params: Vec<Var> = self
            .params()
            .into_iter()
            .map(|p| tape.leaf(p.clone()))
            .collect();
        let mut pass = if training {
            Pass::train(self.rng.clone())
        } else {
            Pass::eval()
        };
        let out = self.forward_with(tape, x, &params, &mut pass)?;
        if training {
            self.rng = pass.rng;
            for (i, mean, var) in pass.batch_stats {
                if let Some(Layer::BatchNorm(bn)) = self.layers.get_mut(i) {
                    bn.update_running(&mean, &var)?;
                }
            }
        }
        Ok((out, params))
    }

    /// Outputs (logits for the cross-entropy losses) for (batch, input) `x`, in inference mode.
    pub fn predict(&self, x: &Tensor) -> Result<Tensor> {
        let mut tape = Tape::new();
        let xi = tape.constant(x.clone());
        let params: Vec<Var> = self
            .params()
            .into_iter()
            .map(|p| tape.constant(p.clone()))
            .collect();
        let out = self.forward_with(&mut tape, xi, &params, &mut Pass::eval())?;
        Ok(tape.value(out).clone())
    }

    /// The sum of the Dense layers' L1/L2 penalties on their kernels, or `None` when there is none.
    pub fn penalty(&self, tape: &mut Tape, params: &[Var]) -> Result<Option<Var>> {
        let mut total: Option<Var> = None;
        let mut offset = 0;
        for layer in &self.layers {
            if let (Layer::Dense(d), Some(&w)) = (layer, params.get(offset)) {
                if let Some(p) = l1_l2_penalty(tape, w, d.l1, d.l2)? {
                    total = Some(match total {
                        Some(t) => tape.add(t, p)?,
                        None => p,
                    });
                }
            }
            offset += layer.params().len();
        }
        Ok(total)
    }

    /// Applies max-norm constraints (after an optimizer step).
    pub fn apply_constraints(&mut self) -> Result<()> {
        for layer in &mut self.layers {
            if let Layer::Dense(d) = layer {
                if let Some(m) = d.max_norm {
                    d.kernel = max_norm(&d.kernel, m)?;
                }
            }
        }
        Ok(())
    }

    /// Draws fresh weights from `seed` (the architecture stays).
    pub fn reset(&mut self, seed: u64) -> Result<()> {
        let mut spec = self.spec.clone();
        spec.seed = seed;
        *self = Sequential::new(spec)?;
        Ok(())
    }

    /// Named tensors: every parameter and BatchNorm running statistic.
    fn named_tensors(&self) -> Vec<(String, &Tensor)> {
        let mut out = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            let name = |n: &str| format!("layers.{i}.{n}");
            match layer {
                Layer::Dense(d) => {
                    out.push((name("kernel"), &d.kernel));
                    out.push((name("bias"), &d.bias));
                }
                Layer::BatchNorm(b) => {
                    out.push((name("gamma"), &b.gamma));
                    out.push((name("beta"), &b.beta));
                    out.push((name("running_mean"), &b.running_mean));
                    out.push((name("running_var"), &b.running_var));
                }
                Layer::Activation(_) | Layer::Dropout(_) => {}
            }
        }
        out
    }

    /// Every parameter and running statistic, in the order of `named_tensors`.
    pub(crate) fn tensors_mut(&mut self) -> Vec<&mut Tensor> {
        let mut out = Vec::new();
        for layer in &mut self.layers {
            match layer {
                Layer::Dense(d) => out.extend([&mut d.kernel, &mut d.bias]),
                Layer::BatchNorm(b) => out.extend([
                    &mut b.gamma,
                    &mut b.beta,
                    &mut b.running_mean,
                    &mut b.running_var,
                ]),
                Layer::Activation(_) | Layer::Dropout(_) => {}
            }
        }
        out
    }

    /// The architecture and every weight as JSON (`format: "mlplay-sequential"`, version 1). f32
    /// values are written in their shortest exact form, so loading gives identical weights.
    pub fn to_json(&self) -> Result<String> {
        let saved = SavedModel {
            format: FORMAT.into(),
            version: 1,
            spec: self.spec.clone(),
            tensors: self
                .named_tensors()
                .into_iter()
                .map(|(name, t)| SavedTensor {
                    name,
                    shape: t.shape().to_vec(),
                    data: t.to_vec(),
                })
                .collect(),
        };
        serde_json::to_string(&saved).map_err(|e| Error::Io(format!("saving the model: {e}")))
    }

    /// Rebuilds a model written by `to_json`, checking every tensor's name and shape.
    pub fn from_json(text: &str) -> Result<Self> {
        let saved: SavedModel = serde_json::from_str(text)
            .map_err(|e| Error::Io(format!("reading a saved model: {e}")))?;
        if saved.format != FORMAT || saved.version != 1 {
            return Err(Error::Io(format!(
                "not a saved mlplay model (format `{}` version {}; expected `{FORMAT}` version 1)",
                saved.format, saved.version
            )));
        }
        let mut model = Sequential::new(saved.spec)?;
        let expected: Vec<(String, Vec<usize>)> = model
            .named_tensors()
            .into_iter()
            .map(|(n, t)| (n, t.shape().to_vec()))
            .collect();
        if expected.len() != saved.tensors.len() {
            return Err(Error::Io(format!(
                "the saved model has {} tensors but its architecture needs {}",
                saved.tensors.len(),
                expected.len()
            )));
        }
        for ((slot, (name, shape)), t) in model
            .tensors_mut()
            .into_iter()
            .zip(&expected)
            .zip(saved.tensors)
        {
            if t.name != *name || t.shape != *shape {
                return Err(Error::Shape(format!(
                    "saved tensor `{}` {:?} where the architecture needs `{name}` {shape:?}",
                    t.name, t.shape
                )));
            }
            *slot = Tensor::from_vec(t.data, shape)?;
        }
        Ok(model)
    }
}

const FORMAT: &str = "mlplay-sequential";

/// The largest kernel one Dense layer may have (2^24 weights, 64 MiB of f32).
pub const MAX_WEIGHTS_PER_LAYER: usize = 1 << 24;

#[derive(Serialize, Deserialize)]
struct SavedModel {
    format: String,
    version: u32,
    spec: ModelSpec,
    tensors: Vec<SavedTensor>,
}

#[derive(Serialize, Deserialize)]
struct SavedTensor {
    name: String,
    shape: Vec<usize>,
    data: Vec<f32>,
}
