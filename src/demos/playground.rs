//! Chapter 10: a neural-network playground in the spirit of TensorFlow Playground. A `Sequential`
//! MLP from `nn` trains on 2-D points (generated, or the reader's two-class CSV mapped into the
//! same square), one mini-batch per tick; beside the output field (with the train and test points)
//! each hidden neuron's output is drawn as a small heat-map, and the train/test loss per epoch as
//! curves.

use super::decision_tree::TWO_CLASSES_UPLOAD;
use super::playground_data::{self as data, EXTENT, FEATURES};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::error::{Error, Result};
use crate::estimator::Progress;
use crate::nn::{
    Activation, Layer, LayerSpec, Loss, ModelSpec, OptimizerKind, OptimizerSpec, Sequential,
    Trainer, TrainerConfig,
};
use crate::rng::Rng;
use crate::tensor::Tensor;
use crate::viz::{self, raster_field, Raster};
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

/// Outputs of the network on the grid, recomputed only when the weights change.
struct Snapshot {
    /// Optimizer steps when computed (and whether the run was reset since, via the epoch count).
    steps: usize,
    /// The network's output on the grid (probability of class 1, or the regression value),
    /// row `i * GRID + j` at (x_j, y_i), mapped to [-1, 1].
    output: Vec<f64>,
    /// `neurons[layer][unit]`: that hidden unit's output on the grid, mapped to [-1, 1].
    neurons: Vec<Vec<Vec<f64>>>,
}

pub struct PlaygroundDemo {
    train_xy: Vec<[f64; 2]>,
    train_target: Vec<f64>,
    test_xy: Vec<[f64; 2]>,
    test_target: Vec<f64>,
    classification: bool,
    /// Indices into [`FEATURES`] of the inputs switched on.
    features: Vec<usize>,
    activation: Activation,
    trainer: Trainer,
    snapshot: RefCell<Option<Snapshot>>,
    /// Axis titles, and the legend's names of class 0 and class 1 for an uploaded file (the
    /// generated sets have no legend: orange is 0, blue 1).
    axes: [String; 2],
    upload_classes: Option<[String; 2]>,
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
        upload: TWO_CLASSES_UPLOAD,
        params: &[
            ParamSpec {
                key: "dataset",
                label: "Dataset",
                help: "Four classification sets (orange = class 0, blue = class 1) and two regression sets (targets from -1 to 1).",
                kind: ParamKind::Choice {
                    options: &["circle", "xor", "gaussians", "spiral", "plane", "multi-gaussian"],
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
        let dense = |units: usize, activation: Activation| match LayerSpec::dense(units, activation)
        {
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
        };
        let dropout = params.f64("dropout") as f32;
        let mut layers: Vec<LayerSpec> = Vec::new();
        for _ in 0..params.usize("hidden_layers") {
            layers.push(dense(params.usize("neurons"), activation));
            if dropout > 0.0 {
                layers.push(LayerSpec::Dropout { rate: dropout });
            }
        }
        // One linear output: a logit for the classes, the value itself for regression.
        layers.push(dense(1, Activation::Linear));
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
            loss: if points.classification {
                Loss::BinaryCrossEntropy
            } else {
                Loss::Mse
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
        let targets =
            |t: &[f64]| Tensor::from_vec(t.iter().map(|&v| v as f32).collect(), &[t.len(), 1]);
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
            classification: points.classification,
            features,
            activation,
            trainer,
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

    /// Evaluates the network on the grid with plain f64 arithmetic (no tape): the output and
    /// every hidden unit, each mapped to [-1, 1] for colouring.
    fn compute_snapshot(&self) -> Snapshot {
        let model = self.trainer.model();
        let dense: Vec<(Vec<f32>, Vec<f32>, usize)> = model
            .layers()
            .iter()
            .filter_map(|l| match l {
                Layer::Dense(d) => {
                    let units = d.bias.numel();
                    Some((d.kernel.to_vec(), d.bias.to_vec(), units))
                }
                _ => None,
            })
            .collect();
        let hidden = dense.len().saturating_sub(1);
        let mut output = Vec::with_capacity(GRID * GRID);
        let mut neurons: Vec<Vec<Vec<f64>>> = dense[..hidden]
            .iter()
            .map(|(_, _, units)| vec![Vec::with_capacity(GRID * GRID); (*units).min(MAX_NEURONS)])
            .collect();
        let mut h: Vec<f64> = Vec::new();
        let mut next: Vec<f64> = Vec::new();
        for i in 0..GRID {
            for j in 0..GRID {
                let (x, y) = (grid_coord(j), grid_coord(i));
                h.clear();
                h.extend(self.features.iter().map(|&f| data::feature(f, x, y)));
                for (l, (kernel, bias, units)) in dense.iter().enumerate() {
                    next.clear();
                    for u in 0..*units {
                        let z = bias[u] as f64
                            + h.iter()
                                .enumerate()
                                .map(|(k, &a)| a * kernel[k * units + u] as f64)
                                .sum::<f64>();
                        next.push(if l < hidden {
                            apply(self.activation, z)
                        } else {
                            z
                        });
                    }
                    if l < hidden {
                        for (u, cell) in neurons[l].iter_mut().enumerate() {
                            cell.push(next[u]);
                        }
                    }
                    std::mem::swap(&mut h, &mut next);
                }
                let z = h.first().copied().unwrap_or(0.0);
                output.push(if self.classification {
                    2.0 / (1.0 + (-z).exp()) - 1.0
                } else {
                    z.clamp(-1.0, 1.0)
                });
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
        Snapshot {
            steps: self.trainer.steps(),
            output,
            neurons,
        }
    }

    /// Runs `f` on the snapshot for the current weights, computing it first if they changed.
    fn with_snapshot<T>(&self, f: impl FnOnce(&Snapshot) -> T) -> T {
        let mut cache = self.snapshot.borrow_mut();
        let fresh = cache
            .as_ref()
            .is_some_and(|s| s.steps == self.trainer.steps() && self.trainer.steps() > 0);
        if !fresh {
            *cache = Some(self.compute_snapshot());
        }
        f(cache.as_ref().expect("snapshot computed above"))
    }

    fn draw_field<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let title = format!("Output after {} epochs", self.trainer.history().len());
        let range = -EXTENT..EXTENT;
        let mut chart = viz::chart(
            area,
            &title,
            range.clone(),
            range,
            &self.axes[0],
            &self.axes[1],
        )?;
        self.with_snapshot(|s| {
            raster_field(&mut chart, 2, |x, y| diverging(bilinear(&s.output, x, y)))
        })?;
        let colour = |t: f64| {
            if self.classification {
                if t > 0.5 {
                    viz::BLUE
                } else {
                    viz::ORANGE
                }
            } else {
                strong(t)
            }
        };
        chart.draw_series(self.train_xy.iter().zip(&self.train_target).map(|(p, &t)| {
            EmptyElement::at((p[0], p[1]))
                + Circle::new((0, 0), 3, colour(t).filled())
                + Circle::new((0, 0), 3, WHITE.stroke_width(1))
        }))?;
        chart.draw_series(
            self.test_xy
                .iter()
                .zip(&self.test_target)
                .map(|(p, &t)| Circle::new((p[0], p[1]), 3, colour(t).stroke_width(2))),
        )?;
        // An uploaded file's classes are named in a legend.
        let Some(names) = &self.upload_classes else {
            return Ok(());
        };
        for (name, c) in names.iter().zip([viz::ORANGE, viz::BLUE]) {
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(name)
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, c.filled()));
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperLeft)
    }

    /// One row of small heat-maps per hidden layer, one per neuron (the first eight).
    fn draw_neurons<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let fs = viz::font_size(area);
        let style = ("sans-serif", fs).into_font().color(&viz::INK);
        let (w, h) = area.dim_in_pixel();
        let names: Vec<&str> = self.features.iter().map(|&f| FEATURES[f].1).collect();
        area.draw_text(
            "Hidden neurons, one row per layer",
            &("sans-serif", fs + 2).into_font().color(&viz::INK),
            (8, 6),
        )?;
        // On a file, x1 and x2 are its two columns, rescaled: say which is which.
        let columns = if self.axes[0] == "x1" {
            String::new()
        } else {
            let column = |j: usize| self.axes[j].trim_end_matches(" (rescaled)").to_string();
            format!(" (x1 = {}, x2 = {}, rescaled)", column(0), column(1))
        };
        area.draw_text(
            &format!("inputs: {}{columns}", names.join(", ")),
            &style,
            (8, fs as i32 + 12),
        )?;
        self.with_snapshot(|s| -> Result<()> {
            if s.neurons.is_empty() {
                area.draw_text(
                    "No hidden layer: the output is a weighted sum of the inputs.",
                    &style,
                    (8, (h / 2) as i32),
                )?;
                return Ok(());
            }
            let rows = s.neurons.len() as u32;
            let cols = s.neurons.iter().map(Vec::len).max().unwrap_or(1) as u32;
            let (top, left) = (fs * 3 + 16, fs * 3);
            let cell = ((w.saturating_sub(left + 8)) / cols)
                .min(h.saturating_sub(top + 4) / rows)
                .max(4);
            let side = cell.saturating_sub(4).max(2);
            for (l, layer) in s.neurons.iter().enumerate() {
                let y0 = (top + l as u32 * cell) as i32;
                area.draw_text(
                    &format!("L{}", l + 1),
                    &style,
                    (4, y0 + side as i32 / 2 - fs as i32 / 2),
                )?;
                for (u, values) in layer.iter().enumerate() {
                    let x0 = (left + u as u32 * cell) as i32;
                    area.draw(&heat_map(values, (x0, y0), side))?;
                    area.draw(&Rectangle::new(
                        [(x0 - 1, y0 - 1), (x0 + side as i32, y0 + side as i32)],
                        viz::GREY.stroke_width(1),
                    ))?;
                }
            }
            Ok(())
        })
    }

    fn draw_loss<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (train, test) = self.losses();
        let history = self.trainer.history();
        let finite = |v: f32| (v as f64).is_finite().then_some(v as f64);
        let points: Vec<(f64, f64, Option<f64>)> = history
            .iter()
            .filter_map(|e| {
                Some((
                    e.epoch as f64,
                    finite(e.train_loss)?,
                    e.val_loss.and_then(finite),
                ))
            })
            .collect();
        let (_, top) = viz::extent(
            points
                .iter()
                .flat_map(|p| [Some(p.1), p.2])
                .flatten()
                .chain([0.1]),
        );
        let epochs = (history.len() as f64).max(10.0);
        let mut chart = viz::chart(
            area,
            &format!("Loss: train {}, test {}", short(train), short(test)),
            0.0..epochs,
            0.0..top * 1.1,
            "epoch",
            if self.classification {
                "cross-entropy"
            } else {
                "squared error"
            },
        )?;
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.0, p.1)),
                viz::INK.stroke_width(2),
            ))?
            .label("train")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::INK.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(
                points.iter().filter_map(|p| Some((p.0, p.2?))),
                viz::RED.stroke_width(2),
            ))?
            .label("test")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(2)));
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
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
        match self.trainer.step(1) {
            Ok(p) => p,
            // Shapes were checked when the trainer was built, so this does not happen in practice.
            Err(_) => Progress::Diverged,
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_field(&panels[0])?;
        self.draw_neurons(&panels[1])?;
        self.draw_loss(&panels[2])?;
        Ok(())
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
    }

    fn status(&self) -> Option<String> {
        self.divergence()
    }

    fn saves_model(&self) -> bool {
        true
    }

    fn model_json(&self) -> Result<String> {
        self.trainer.model().to_json()
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

/// Grid values interpolated at (x, y), so the low-resolution field draws without blocks.
fn bilinear(values: &[f64], x: f64, y: f64) -> f64 {
    let at = |v: f64| {
        let f = ((v + EXTENT) / (2.0 * EXTENT) * GRID as f64 - 0.5).clamp(0.0, (GRID - 1) as f64);
        let k = (f as usize).min(GRID - 2);
        (k, f - k as f64)
    };
    let ((j, tx), (i, ty)) = (at(x), at(y));
    let v = |ii: usize, jj: usize| values[ii * GRID + jj];
    (1.0 - ty) * ((1.0 - tx) * v(i, j) + tx * v(i, j + 1))
        + ty * ((1.0 - tx) * v(i + 1, j) + tx * v(i + 1, j + 1))
}

/// Orange for -1, white for 0, blue for +1 (pale, as a background).
fn diverging(v: f64) -> RGBColor {
    mix(v, 0.55)
}

/// The full-strength version, for points.
fn strong(v: f64) -> RGBColor {
    mix(v.signum() * v.abs().sqrt(), 1.0)
}

fn mix(v: f64, strength: f64) -> RGBColor {
    let v = if v.is_finite() {
        v.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let c = if v >= 0.0 { viz::BLUE } else { viz::ORANGE };
    let t = v.abs() * strength;
    let m = |a: u8| (255.0 + t * (a as f64 - 255.0)).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// A `side`-pixel square heat-map of one neuron's grid values, nearest-neighbour scaled.
fn heat_map(values: &[f64], pos: (i32, i32), side: u32) -> Raster {
    let mut rgb = Vec::with_capacity((side * side * 3) as usize);
    for py in 0..side {
        // Row 0 of the bitmap is the top, i.e. the largest x2.
        let i = GRID - 1 - (py as usize * GRID / side as usize).min(GRID - 1);
        for px in 0..side {
            let j = (px as usize * GRID / side as usize).min(GRID - 1);
            let c = mix(values[i * GRID + j], 0.9);
            rgb.extend_from_slice(&[c.0, c.1, c.2]);
        }
    }
    Raster {
        pos,
        size: (side, side),
        rgb,
    }
}

/// A loss for a title: three significant digits, or a dash before the first epoch.
fn short(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.3}")
    } else {
        "—".into()
    }
}
