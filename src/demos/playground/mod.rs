//! Chapter 10: a neural-network playground in the spirit of TensorFlow Playground. A `Sequential`
//! MLP from `nn` trains on 2-D points (generated, or the reader's CSV of two to seven classes
//! mapped into the same square), one mini-batch per tick; beside the output field (with the train
//! and test points) each hidden neuron's output is drawn as a small heat-map, the train/test loss
//! per epoch as curves and, for classes, the test points' confusion matrix. Two classes get one
//! output (a logit, as in TensorFlow Playground), more get one per class and a softmax.

pub(super) mod data;
mod draw;

use super::decision_tree::CLASSES_UPLOAD;
use super::device::{DeviceControl, DEVICE};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::error::{Error, Result};
use crate::estimator::Progress;
use crate::nn::{
    Activation, Layer, LayerSpec, Loss, ModelSpec, OptimizerKind, OptimizerSpec, Sequential,
    Trainer, TrainerConfig,
};
use crate::rng::Rng;
use crate::tensor::Tensor;
use data::{EXTENT, FEATURES};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::cell::RefCell;

/// Grid cells per side on which the output and every hidden neuron are evaluated (then scaled
/// up), so a frame costs a few thousand small forward passes whatever the canvas size.
const GRID: usize = 48;
/// More epochs than anyone watches: training runs until paused (or it diverges).
const MAX_EPOCHS: usize = 100_000;
/// Hidden neurons drawn per layer (the `neurons` parameter cannot exceed it either).
const MAX_NEURONS: usize = 8;

/// Outputs of the network on the grid and its test predictions, recomputed only when the
/// weights change.
struct Snapshot {
    /// Optimizer steps when computed (and whether the run was reset since, via the epoch count).
    steps: usize,
    /// One output, row `i * GRID + j` at (x_j, y_i): the probability of class 1 mapped to
    /// [-1, 1], or the regression value clipped to it. Empty with more than two classes.
    output: Vec<f64>,
    /// With more than two classes, `probs[c]` is the probability of class `c` on the grid.
    probs: Vec<Vec<f64>>,
    /// `neurons[layer][unit]`: that hidden unit's output on the grid, mapped to [-1, 1].
    neurons: Vec<Vec<Vec<f64>>>,
    /// `confusion[t][p]`: test points of class `t` predicted as `p` (empty for regression).
    confusion: Vec<Vec<usize>>,
}

pub struct PlaygroundDemo {
    train_xy: Vec<[f64; 2]>,
    train_target: Vec<f64>,
    test_xy: Vec<[f64; 2]>,
    test_target: Vec<f64>,
    /// Classes of a classification set (2 or more); `None` for regression.
    classes: Option<usize>,
    /// Indices into [`FEATURES`] of the inputs switched on.
    features: Vec<usize>,
    activation: Activation,
    trainer: Trainer,
    device: DeviceControl,
    snapshot: RefCell<Option<Snapshot>>,
    /// Axis titles, and the names of an uploaded file's classes (for the legend).
    axes: [String; 2],
    upload_classes: Option<Vec<String>>,
}

/// The dropout rate after each hidden layer, shared with the MNIST MLP.
pub(super) const DROPOUT: ParamSpec = ParamSpec {
    key: "dropout",
    label: "Dropout rate",
    help: "Fraction of hidden outputs zeroed at random in each training step (0: off); nothing is dropped when predicting.",
    kind: ParamKind::Float {
        min: 0.0,
        max: 0.8,
        default: 0.0,
        log: false,
    },
};

const fn flag(key: &'static str, label: &'static str, default: bool) -> ParamSpec {
    ParamSpec {
        key,
        label,
        help: "Feed this input feature to the network.",
        kind: ParamKind::Bool { default },
    }
}

impl PlaygroundDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "playground",
        title: "Neural-network playground",
        chapter: "10-artificial-neural-networks",
        upload: CLASSES_UPLOAD,
        params: &[
            ParamSpec {
                key: "dataset",
                label: "Dataset",
                help: "Four two-class sets (orange = class 0, blue = class 1), two multiclass sets (three spiral arms, four clouds) and two regression sets (targets from -1 to 1).",
                kind: ParamKind::Choice {
                    options: &[
                        "circle",
                        "xor",
                        "gaussians",
                        "spiral",
                        "spiral-3",
                        "blobs-4",
                        "plane",
                        "multi-gaussian",
                    ],
                    default: "circle",
                },
            },
            ParamSpec {
                key: "noise",
                label: "Noise",
                help: "How far points are pushed from where their class (or value) says they belong.",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 0.5,
                    default: 0.0,
                    log: false,
                },
            },
            ParamSpec {
                key: "samples",
                label: "Points",
                help: "Points generated, split into training and test points.",
                kind: ParamKind::Int {
                    min: 50,
                    max: 1000,
                    default: 400,
                },
            },
            ParamSpec {
                key: "train_ratio",
                label: "Training share",
                help: "The fraction of the points used for training; the rest are the test points (rings).",
                kind: ParamKind::Float {
                    min: 0.1,
                    max: 0.9,
                    default: 0.5,
                    log: false,
                },
            },
            flag("x1", "Feature x1", true),
            flag("x2", "Feature x2", true),
            flag("x1_squared", "Feature x1²", false),
            flag("x2_squared", "Feature x2²", false),
            flag("x1_x2", "Feature x1·x2", false),
            flag("sin_x1", "Feature sin x1", false),
            flag("sin_x2", "Feature sin x2", false),
            ParamSpec {
                key: "hidden_layers",
                label: "Hidden layers",
                help: "0 makes the network a logistic (or linear) regression on the chosen features.",
                kind: ParamKind::Int {
                    min: 0,
                    max: 6,
                    default: 2,
                },
            },
            ParamSpec {
                key: "neurons",
                label: "Neurons per hidden layer",
                help: "Width of every hidden layer.",
                kind: ParamKind::Int {
                    min: 1,
                    max: MAX_NEURONS as i64,
                    default: 4,
                },
            },
            ParamSpec {
                key: "activation",
                label: "Activation",
                help: "The non-linearity of the hidden neurons; with linear, any depth is one linear map.",
                kind: ParamKind::Choice {
                    options: &["tanh", "relu", "sigmoid", "linear"],
                    default: "tanh",
                },
            },
            ParamSpec {
                key: "regularization",
                label: "Regularisation",
                help: "A penalty on the weights added to the loss: L1 (sum of |w|) or L2 (sum of w²).",
                kind: ParamKind::Choice {
                    options: &["none", "L1", "L2"],
                    default: "none",
                },
            },
            ParamSpec {
                key: "reg_rate",
                label: "Regularisation rate",
                help: "The penalty's factor: larger values shrink the weights harder.",
                kind: ParamKind::Float {
                    min: 1e-5,
                    max: 1.0,
                    default: 1e-3,
                    log: true,
                },
            },
            DROPOUT,
            ParamSpec {
                key: "learning_rate",
                label: "Learning rate",
                help: "Step size of each update; too large and the loss blows up.",
                kind: ParamKind::Float {
                    min: 1e-4,
                    max: 1e4,
                    default: 0.1,
                    log: true,
                },
            },
            ParamSpec {
                key: "batch_size",
                label: "Batch size",
                help: "Training points per update (one tick).",
                kind: ParamKind::Int {
                    min: 1,
                    max: 64,
                    default: 10,
                },
            },
            ParamSpec {
                key: "optimizer",
                label: "Optimizer",
                help: "Plain gradient descent on mini-batches, or Adam (per-weight adaptive steps).",
                kind: ParamKind::Choice {
                    options: &["sgd", "adam"],
                    default: "sgd",
                },
            },
            DEVICE,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let upload = params.upload();
        let (points, upload_classes) = match upload {
            Some(u) => {
                let (points, names) = data::from_upload(u)?;
                (points, Some(names))
            }
            None => (
                data::generate(
                    params.choice("dataset"),
                    params.usize("samples"),
                    params.f64("noise"),
                    &mut rng,
                ),
                None,
            ),
        };
        let n = points.xy.len();
        let features: Vec<usize> = FEATURES
            .iter()
            .enumerate()
            .filter(|(_, (key, _))| params.bool(key))
            .map(|(i, _)| i)
            .collect();
        if features.is_empty() {
            return Err(Error::invalid(
                "x1",
                "no input feature",
                "at least one feature switched on (x1, x2, x1², x2², x1·x2, sin x1 or sin x2)",
            ));
        }
        let order = rng.permutation(n);
        let n_train = ((n as f64 * params.f64("train_ratio")).round() as usize).clamp(1, n - 1);
        let pick = |idx: &[usize]| -> (Vec<[f64; 2]>, Vec<f64>) {
            (
                idx.iter().map(|&i| points.xy[i]).collect(),
                idx.iter().map(|&i| points.target[i]).collect(),
            )
        };
        let (train_xy, train_target) = pick(&order[..n_train]);
        let (test_xy, test_target) = pick(&order[n_train..]);

        let activation = match params.choice("activation") {
            "relu" => Activation::Relu,
            "sigmoid" => Activation::Sigmoid,
            "linear" => Activation::Linear,
            _ => Activation::Tanh,
        };
        let rate = params.f64("reg_rate") as f32;
        let (l1, l2) = match params.choice("regularization") {
            "L1" => (rate, 0.0),
            "L2" => (0.0, rate),
            _ => (0.0, 0.0),
        };
        let dense = |units: usize, activation: Activation| {
            LayerSpec::dense(units, activation).with_penalties(l1, l2)
        };
        let mut layers = LayerSpec::repeated_with_dropout(
            dense(params.usize("neurons"), activation),
            params.usize("hidden_layers"),
            params.f64("dropout") as f32,
        );
        // Linear outputs: one logit for two classes, one per class for more (the softmax is in
        // the loss), the value itself for regression.
        let outputs = match points.classes {
            Some(k) if k > 2 => k,
            _ => 1,
        };
        layers.push(dense(outputs, Activation::Linear));
        let model = Sequential::new(ModelSpec {
            input: features.len(),
            layers,
            seed,
        })?;
        let kind = match params.choice("optimizer") {
            "adam" => OptimizerKind::adam(),
            _ => OptimizerKind::Sgd,
        };
        let config = TrainerConfig {
            loss: match points.classes {
                Some(2) => Loss::BinaryCrossEntropy,
                Some(_) => Loss::CategoricalCrossEntropy,
                None => Loss::Mse,
            },
            optimizer: OptimizerSpec {
                kind,
                learning_rate: params.f64("learning_rate") as f32,
            },
            batch_size: params.usize("batch_size"),
            epochs: MAX_EPOCHS,
            seed,
            ..TrainerConfig::default()
        };
        let inputs = |xy: &[[f64; 2]]| feature_tensor(&features, xy);
        // A column of 0/1 or values, or one-hot rows for more than two classes.
        let targets = |t: &[f64]| match points.classes {
            Some(k) if k > 2 => {
                Tensor::one_hot(&t.iter().map(|&c| c as usize).collect::<Vec<_>>(), k)
            }
            _ => Tensor::from_vec(t.iter().map(|&v| v as f32).collect(), &[t.len(), 1]),
        };
        let trainer = Trainer::new(
            model,
            config,
            inputs(&train_xy)?,
            targets(&train_target)?,
            Some((inputs(&test_xy)?, targets(&test_target)?)),
        )?;
        Ok(PlaygroundDemo {
            train_xy,
            train_target,
            test_xy,
            test_target,
            classes: points.classes,
            features,
            activation,
            trainer,
            device: DeviceControl::new(params)?,
            snapshot: RefCell::new(None),
            axes: match upload {
                Some(u) => {
                    let names = u.feature_names();
                    [0, 1].map(|j| format!("{} (rescaled)", names[j]))
                }
                None => ["x1".into(), "x2".into()],
            },
            upload_classes,
        })
    }

    /// The message when training diverged (e.g. "loss became NaN at step N: lower the learning rate").
    pub fn divergence(&self) -> Option<String> {
        self.trainer.divergence().map(|e| e.to_string())
    }

    /// Evaluates the network on the grid and the test points with plain f64 arithmetic (no
    /// tape): the output, every hidden unit (each mapped to [-1, 1] for colouring) and the
    /// confusion matrix.
    fn compute_snapshot(&self) -> Snapshot {
        let net = Net::of(self.trainer.host_model(), self.activation);
        let hidden = net.dense.len().saturating_sub(1);
        let multiclass = self.classes.is_some_and(|k| k > 2);
        let cells = GRID * GRID;
        let mut output = Vec::with_capacity(cells);
        let mut probs = vec![Vec::with_capacity(cells); if multiclass { net.outputs() } else { 0 }];
        let mut neurons: Vec<Vec<Vec<f64>>> = net.dense[..hidden]
            .iter()
            .map(|(_, _, units)| vec![Vec::with_capacity(cells); (*units).min(MAX_NEURONS)])
            .collect();
        for i in 0..GRID {
            for j in 0..GRID {
                let z = net.eval(self.inputs(grid_coord(j), grid_coord(i)), |l, values| {
                    for (cell, &v) in neurons[l].iter_mut().zip(values) {
                        cell.push(v);
                    }
                });
                if multiclass {
                    for (cell, p) in probs.iter_mut().zip(softmax(&z)) {
                        cell.push(p);
                    }
                } else {
                    let z = z.first().copied().unwrap_or(0.0);
                    output.push(match self.classes {
                        Some(_) => 2.0 / (1.0 + (-z).exp()) - 1.0,
                        None => z.clamp(-1.0, 1.0),
                    });
                }
            }
        }
        // Bounded activations keep their own scale; unbounded ones are scaled per neuron.
        for layer in &mut neurons {
            for cell in layer.iter_mut() {
                match self.activation {
                    Activation::Tanh => {}
                    Activation::Sigmoid => cell.iter_mut().for_each(|v| *v = 2.0 * *v - 1.0),
                    _ => {
                        let top = cell.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                        if top > 0.0 && top.is_finite() {
                            cell.iter_mut().for_each(|v| *v /= top);
                        }
                    }
                }
            }
        }
        let confusion = self.classes.map_or_else(Vec::new, |k| {
            let mut m = vec![vec![0usize; k]; k];
            for (p, &t) in self.test_xy.iter().zip(&self.test_target) {
                let z = net.eval(self.inputs(p[0], p[1]), |_, _| {});
                let predicted = if k == 2 {
                    usize::from(z.first().is_some_and(|&z| z > 0.0))
                } else {
                    crate::metrics::argmax(&z)
                };
                m[(t as usize).min(k - 1)][predicted.min(k - 1)] += 1;
            }
            m
        });
        Snapshot {
            steps: self.trainer.host_steps(),
            output,
            probs,
            neurons,
            confusion,
        }
    }

    /// The features switched on, at (x, y).
    fn inputs(&self, x: f64, y: f64) -> Vec<f64> {
        self.features
            .iter()
            .map(|&f| data::feature(f, x, y))
            .collect()
    }

    /// Runs `f` on the snapshot for the current weights, computing it first if they changed.
    fn with_snapshot<T>(&self, f: impl FnOnce(&Snapshot) -> T) -> T {
        let mut cache = self.snapshot.borrow_mut();
        let fresh = cache
            .as_ref()
            .is_some_and(|s| s.steps == self.trainer.host_steps() && s.steps > 0);
        if !fresh {
            *cache = Some(self.compute_snapshot());
        }
        f(cache.as_ref().expect("snapshot computed above"))
    }

    /// Train and test loss of the last finished epoch (NaN before the first).
    fn losses(&self) -> (f64, f64) {
        self.trainer
            .history()
            .last()
            .map_or((f64::NAN, f64::NAN), |e| {
                (
                    e.train_loss as f64,
                    e.val_loss.map_or(f64::NAN, |v| v as f64),
                )
            })
    }
}

impl Demo for PlaygroundDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One mini-batch; `step(budget)` repeats it until the frame's time is spent.
    fn tick(&mut self) -> Progress {
        if !self.device.place(&mut self.trainer) {
            return Progress::Running;
        }
        let progress = match self.trainer.step(1) {
            Ok(p) => p,
            // Shapes were checked when the trainer was built, so this does not happen in practice.
            Err(_) => Progress::Diverged,
        };
        self.device.record(&self.trainer);
        progress
    }

    fn gpu_reads(&mut self) -> Vec<Tensor> {
        self.trainer.reads_to_start()
    }

    fn poll(&mut self) -> bool {
        self.device.poll(&mut self.trainer)
    }

    fn set_live(&mut self, key: &str, params: &Params) -> bool {
        self.device.set_live(key, params)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        self.draw_panels(area)
    }

    fn height_for_width(&self, width: u32) -> u32 {
        self.panels_height(width)
    }

    fn metrics(&self) -> Vec<Metric> {
        let (train, test) = self.losses();
        let accuracy = self
            .trainer
            .history()
            .last()
            .and_then(|e| e.val_accuracy)
            .map_or(f64::NAN, |a| a as f64);
        vec![
            Metric::new("epoch", "Epoch", self.trainer.history().len() as f64),
            Metric::new("step", "Mini-batches", self.trainer.steps() as f64),
            Metric::new("train_loss", "Train loss", train),
            Metric::new("test_loss", "Test loss", test),
            Metric::new("test_accuracy", "Test accuracy", accuracy),
        ]
        .into_iter()
        .chain(self.device.metrics(&self.trainer))
        .collect()
    }

    fn status(&self) -> Option<String> {
        self.divergence()
    }

    fn notes(&self) -> Vec<(&'static str, String)> {
        self.device.notes()
    }

    fn saves_model(&self) -> bool {
        true
    }

    fn model_json(&self) -> Result<String> {
        self.trainer.host_model().to_json()
    }

    /// Trains on from the saved network: dense layers only, as the playground builds them (it
    /// must take as many inputs as features are on, and the hidden layers share one activation).
    fn load_model_json(&mut self, text: &str) -> Result<()> {
        let model = Sequential::from_json(text)?;
        let mut hidden = Vec::new();
        for layer in model.layers() {
            match layer {
                Layer::Dense(d) => hidden.push(d.activation),
                // Identity when predicting, so the drawing is unaffected.
                Layer::Dropout(_) => {}
                _ => {
                    return Err(Error::Io(
                        "the playground draws dense and dropout layers only; this model has others"
                            .into(),
                    ))
                }
            }
        }
        let output = hidden.pop();
        let activation = hidden.first().copied().unwrap_or(self.activation);
        let drawable = [
            Activation::Tanh,
            Activation::Relu,
            Activation::Sigmoid,
            Activation::Linear,
        ];
        if output != Some(Activation::Linear)
            || hidden.iter().any(|&a| a != activation)
            || !drawable.contains(&activation)
        {
            return Err(Error::Io(
                "the playground needs a linear output and one hidden activation (tanh, ReLU, sigmoid or linear)"
                    .into(),
            ));
        }
        self.trainer.load_model(model)?;
        self.activation = activation;
        *self.snapshot.borrow_mut() = None;
        Ok(())
    }
}

/// The dense layers' weights in f64, for evaluating the network one point at a time.
struct Net {
    /// (kernel row-major inputs x units, bias, units) per dense layer; the last is the output.
    dense: Vec<(Vec<f64>, Vec<f64>, usize)>,
    activation: Activation,
}

impl Net {
    fn of(model: &Sequential, activation: Activation) -> Self {
        let widen = |t: &Tensor| t.to_vec().into_iter().map(f64::from).collect::<Vec<_>>();
        let dense = model
            .layers()
            .iter()
            .filter_map(|l| match l {
                Layer::Dense(d) => Some((widen(&d.kernel), widen(&d.bias), d.bias.numel())),
                _ => None,
            })
            .collect();
        Net { dense, activation }
    }

    fn outputs(&self) -> usize {
        self.dense.last().map_or(1, |d| d.2)
    }

    /// The output layer's values (logits) for `inputs`; `hidden(layer, values)` sees each
    /// hidden layer's outputs on the way.
    fn eval(&self, inputs: Vec<f64>, mut hidden: impl FnMut(usize, &[f64])) -> Vec<f64> {
        let last = self.dense.len().saturating_sub(1);
        let mut h = inputs;
        for (l, (kernel, bias, units)) in self.dense.iter().enumerate() {
            let next: Vec<f64> = (0..*units)
                .map(|u| {
                    let z = bias[u]
                        + h.iter()
                            .enumerate()
                            .map(|(k, &a)| a * kernel[k * units + u])
                            .sum::<f64>();
                    if l < last {
                        apply(self.activation, z)
                    } else {
                        z
                    }
                })
                .collect();
            if l < last {
                hidden(l, &next);
            }
            h = next;
        }
        h
    }
}

/// Probabilities from logits (shifted by their maximum, so `exp` cannot overflow).
fn softmax(z: &[f64]) -> Vec<f64> {
    let top = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&v| (v - top).exp()).collect();
    let total: f64 = e.iter().sum();
    e.iter().map(|v| v / total).collect()
}

/// The (n, features) input tensor for points `xy`.
fn feature_tensor(features: &[usize], xy: &[[f64; 2]]) -> Result<Tensor> {
    let data = xy
        .iter()
        .flat_map(|p| {
            features
                .iter()
                .map(move |&f| data::feature(f, p[0], p[1]) as f32)
        })
        .collect();
    Tensor::from_vec(data, &[xy.len(), features.len()])
}

fn apply(activation: Activation, z: f64) -> f64 {
    match activation {
        Activation::Tanh => z.tanh(),
        Activation::Relu => z.max(0.0),
        Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
        _ => z,
    }
}

/// The centre of grid cell `k` along either axis.
fn grid_coord(k: usize) -> f64 {
    -EXTENT + 2.0 * EXTENT * (k as f64 + 0.5) / GRID as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Right after an epoch, the confusion matrix (the playground's own f64 forward pass) counts
    /// every test point once and agrees with the trainer's test accuracy (the tape's f32 one).
    #[test]
    fn confusion_matrix_agrees_with_the_trainers_test_accuracy() {
        for dataset in ["circle", "blobs-4"] {
            let pairs = [("dataset", dataset), ("noise", "0.3")].map(|(k, v)| (k.into(), v.into()));
            let params = crate::demos::params_with("playground", &pairs).unwrap();
            let mut demo = PlaygroundDemo::new(&params, 5).unwrap();
            // 200 training points in batches of 10: 20 mini-batches per epoch.
            for _ in 0..60 {
                assert_eq!(demo.tick(), Progress::Running);
            }
            let accuracy = demo.trainer.history()[2].val_accuracy.unwrap();
            let (right, total) = demo.with_snapshot(|s| {
                let k = s.confusion.len();
                let right: usize = (0..k).map(|c| s.confusion[c][c]).sum();
                (right, s.confusion.iter().flatten().sum::<usize>())
            });
            assert_eq!(total, demo.test_xy.len(), "{dataset}");
            let ours = right as f64 / total as f64;
            assert!(ours < 1.0, "{dataset}: the noise should leave some errors");
            assert!(
                (ours - accuracy as f64).abs() < 1e-6,
                "{dataset}: {ours} vs {accuracy}"
            );
        }
    }
}
