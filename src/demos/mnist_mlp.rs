//! Chapter 10: a multilayer perceptron learns to read handwritten digits, on the bundled MNIST
//! subset (4000 training and 1000 test images of 28 x 28 pixels). One mini-batch per tick; after
//! each epoch the 1000 test images are classified a slice per tick, so the page never waits for a
//! whole pass. Drawn: train and test accuracy per epoch, the test accuracy of each digit, the test
//! images the network gets wrong, and what the first layer's neurons look for (their weights as
//! images). On the GPU the test pass runs as one batch right after each epoch, read back while
//! training goes on.

use super::device::{DeviceControl, DEVICE};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::bundled::{self, Mnist, MNIST_PIXELS, MNIST_SAMPLES, MNIST_TRAIN};
use crate::error::Result;
use crate::estimator::Progress;
use crate::nn::{
    Activation, Initializer, Layer, LayerSpec, Loss, ModelSpec, OptimizerKind, OptimizerSpec,
    Sequential, Trainer, TrainerConfig,
};
use crate::tensor::{Device, Tensor};
use crate::viz;
use ndarray::Array1;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::VecDeque;
use std::sync::Arc;

/// Test images classified per tick while evaluating (about as much work as one training batch).
const EVAL_CHUNK: usize = 50;
/// Test images in the subset.
const TEST: usize = MNIST_SAMPLES - MNIST_TRAIN;
/// Wrongly classified test images drawn, and first-layer neurons drawn.
const SHOWN_ERRORS: usize = 28;
const SHOWN_UNITS: usize = 20;

/// The network's verdict on all test images after some epoch.
#[derive(Debug, Clone)]
struct TestReport {
    epoch: usize,
    /// The predicted digit of each test image.
    predicted: Vec<u8>,
    /// Mean cross-entropy of the softmax outputs.
    loss: f64,
}

impl TestReport {
    fn accuracy(&self, labels: &[u8]) -> f64 {
        let right = self
            .predicted
            .iter()
            .zip(labels)
            .filter(|(p, t)| p == t)
            .count();
        right as f64 / labels.len().max(1) as f64
    }
}

/// A pass over the test images in progress.
#[derive(Debug, Clone)]
struct Evaluation {
    epoch: usize,
    next: usize,
    predicted: Vec<u8>,
    loss_sum: f64,
}

/// A test pass on the GPU: all test images' logits, being read back.
#[derive(Debug, Clone)]
struct GpuEvaluation {
    epoch: usize,
    logits: Tensor,
    handed_out: bool,
}

pub struct MnistMlpDemo {
    data: Arc<Mnist>,
    trainer: Trainer,
    device: DeviceControl,
    /// One report per evaluated epoch, epoch 0 (the untrained network) first.
    reports: Vec<TestReport>,
    evaluation: Option<Evaluation>,
    /// The latest epoch whose test pass has started.
    evaluated: usize,
    gpu_evaluations: VecDeque<GpuEvaluation>,
    /// The test images on the GPU, uploaded for the first GPU test pass.
    test_on_gpu: Option<Tensor>,
}

impl MnistMlpDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "mnist-mlp",
        title: "An MLP reads handwritten digits (MNIST)",
        chapter: "10-artificial-neural-networks",
        upload: None,
        params: &[
            ParamSpec {
                key: "train_size",
                label: "Training images",
                help: "How many of the 4000 training images to learn from; the 1000 test images stay the same.",
                kind: ParamKind::Int {
                    min: 200,
                    max: MNIST_TRAIN as i64,
                    default: MNIST_TRAIN as i64,
                },
            },
            ParamSpec {
                key: "hidden_layers",
                label: "Hidden layers",
                help: "0 gives softmax regression: one weight image per digit.",
                kind: ParamKind::Int {
                    min: 0,
                    max: 2,
                    default: 1,
                },
            },
            ParamSpec {
                key: "neurons",
                label: "Neurons per hidden layer",
                help: "Width of every hidden layer.",
                kind: ParamKind::Int {
                    min: 4,
                    max: 256,
                    default: 128,
                },
            },
            ParamSpec {
                key: "activation",
                label: "Activation",
                help: "The hidden layers' non-linearity (ReLU and its relatives start from He initialisation, the others from Glorot).",
                kind: ParamKind::Choice {
                    options: &["relu", "tanh", "sigmoid", "elu", "gelu"],
                    default: "relu",
                },
            },
            super::playground::DROPOUT,
            ParamSpec {
                key: "optimizer",
                label: "Optimizer",
                help: "Plain SGD, SGD with momentum 0.9, or Adam.",
                kind: ParamKind::Choice {
                    options: &["adam", "momentum", "sgd"],
                    default: "adam",
                },
            },
            ParamSpec {
                key: "learning_rate",
                label: "Learning rate",
                help: "Step size; Adam likes about 0.001, SGD about 0.1.",
                kind: ParamKind::Float {
                    min: 1e-5,
                    max: 10.0,
                    default: 1e-3,
                    log: true,
                },
            },
            ParamSpec {
                key: "batch_size",
                label: "Batch size",
                help: "Images per update (one update per tick).",
                kind: ParamKind::Int {
                    min: 1,
                    max: 128,
                    default: 64,
                },
            },
            ParamSpec {
                key: "epochs",
                label: "Epochs",
                help: "Passes over the training images before training stops.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 50,
                    default: 10,
                },
            },
            DEVICE,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let data = bundled::mnist()?;
        let n_train = params.usize("train_size").clamp(1, MNIST_TRAIN);
        let (activation, init) = match params.choice("activation") {
            "tanh" => (Activation::Tanh, Initializer::GlorotUniform),
            "sigmoid" => (Activation::Sigmoid, Initializer::GlorotUniform),
            "elu" => (Activation::Elu { alpha: 1.0 }, Initializer::HeNormal),
            "gelu" => (Activation::Gelu, Initializer::HeNormal),
            _ => (Activation::Relu, Initializer::HeNormal),
        };
        let hidden = LayerSpec::Dense {
            units: params.usize("neurons"),
            activation,
            init,
            l1: 0.0,
            l2: 0.0,
            max_norm: None,
        };
        let mut layers = LayerSpec::repeated_with_dropout(
            hidden,
            params.usize("hidden_layers"),
            params.f64("dropout") as f32,
        );
        // Ten logits; the loss applies the softmax.
        layers.push(LayerSpec::dense(10, Activation::Linear));
        let model = Sequential::new(ModelSpec {
            input: MNIST_PIXELS,
            layers,
            seed,
        })?;
        let kind = match params.choice("optimizer") {
            "sgd" => OptimizerKind::Sgd,
            "momentum" => OptimizerKind::momentum(),
            _ => OptimizerKind::adam(),
        };
        let config = TrainerConfig {
            loss: Loss::CategoricalCrossEntropy,
            optimizer: OptimizerSpec {
                kind,
                learning_rate: params.f64("learning_rate") as f32,
            },
            batch_size: params.usize("batch_size"),
            epochs: params.usize("epochs"),
            seed,
            ..TrainerConfig::default()
        };
        // The test images are classified here, a slice per tick, not by the trainer in one go.
        let trainer = Trainer::new(
            model,
            config,
            data.inputs(0..n_train)?,
            data.one_hot(0..n_train)?,
            None,
        )?;
        Ok(MnistMlpDemo {
            data,
            trainer,
            device: DeviceControl::new(params)?,
            reports: Vec::new(),
            evaluation: Some(Evaluation::start(0)),
            evaluated: 0,
            gpu_evaluations: VecDeque::new(),
            test_on_gpu: None,
        })
    }

    /// The network being trained.
    pub fn model(&self) -> &Sequential {
        self.trainer.model()
    }

    /// Test labels, in test-image order.
    fn test_labels(&self) -> &[u8] {
        &self.data.labels[MNIST_TRAIN..]
    }

    /// The latest finished test report.
    fn report(&self) -> Option<&TestReport> {
        self.reports.last()
    }

    /// Classifies the next slice of test images; finishes the report after the last one.
    fn evaluate_chunk(&mut self) -> Result<()> {
        let Some(eval) = self.evaluation.as_mut() else {
            return Ok(());
        };
        let start = eval.next;
        let end = (start + EVAL_CHUNK).min(TEST);
        let x = self.data.inputs(MNIST_TRAIN + start..MNIST_TRAIN + end)?;
        // The weights as last read back: on the CPU the model itself; a pass on the GPU device
        // starts only before any training, when the copy is current.
        let logits = self.trainer.host_model().predict(&x)?.to_vec();
        eval.loss_sum += score(
            &logits,
            &self.data.labels[MNIST_TRAIN + start..],
            &mut eval.predicted,
        );
        eval.next = end;
        if end == TEST {
            if let Some(done) = self.evaluation.take() {
                self.reports.push(TestReport {
                    epoch: done.epoch,
                    predicted: done.predicted,
                    loss: done.loss_sum / TEST as f64,
                });
            }
        }
        Ok(())
    }

    /// Classifies all test images on the GPU with the weights as they are after `epoch`; the
    /// logits are read back while training goes on.
    fn start_gpu_evaluation(&mut self, epoch: usize) -> Result<()> {
        let test = match &self.test_on_gpu {
            Some(t) => t.clone(),
            None => {
                let t = self
                    .data
                    .inputs(MNIST_TRAIN..MNIST_SAMPLES)?
                    .to_device(Device::Gpu)?;
                self.test_on_gpu = Some(t.clone());
                t
            }
        };
        self.gpu_evaluations.push_back(GpuEvaluation {
            epoch,
            logits: self.trainer.model().predict(&test)?,
            handed_out: false,
        });
        Ok(())
    }

    /// Turns GPU test passes whose logits have arrived (natively: waiting for them) into
    /// reports, in epoch order; true when there was one.
    fn collect_gpu_evaluations(&mut self) -> bool {
        let mut any = false;
        while let Some(e) = self.gpu_evaluations.front() {
            if !e.logits.is_readable() && cfg!(target_arch = "wasm32") {
                break;
            }
            let logits = e.logits.to_vec();
            let mut predicted = Vec::with_capacity(TEST);
            let loss = score(&logits, &self.data.labels[MNIST_TRAIN..], &mut predicted);
            self.reports.push(TestReport {
                epoch: e.epoch,
                predicted,
                loss: loss / TEST as f64,
            });
            self.gpu_evaluations.pop_front();
            any = true;
        }
        any
    }

    fn advance(&mut self) -> Result<Progress> {
        if !self.device.place(&mut self.trainer) {
            return Ok(Progress::Running);
        }
        self.collect_gpu_evaluations();
        let on_gpu = self.trainer.device() == Device::Gpu;
        if !on_gpu {
            // Passes left on a GPU given up (the fallback) will never arrive.
            self.gpu_evaluations.retain(|e| e.logits.is_readable());
        }
        if self.evaluation.is_some() {
            self.evaluate_chunk()?;
            return Ok(Progress::Running);
        }
        // Every epoch gets its test pass, with the weights it ended with: on the CPU a slice per
        // tick before training goes on, on the GPU one batch as soon as the epoch's steps ran.
        let epochs = if on_gpu {
            self.trainer.epochs_run()
        } else {
            self.trainer.history().len()
        };
        if self.evaluated < epochs {
            self.evaluated = epochs;
            if !on_gpu {
                self.evaluation = Some(Evaluation::start(epochs));
                return Ok(Progress::Running);
            }
            self.start_gpu_evaluation(epochs)?;
        }
        let progress = match self.trainer.progress() {
            Progress::Running => self.trainer.step(1)?,
            done => done,
        };
        self.device.record(&self.trainer);
        // The last epoch's test pass may still be to come.
        let pending =
            self.evaluated < self.trainer.history().len() || !self.gpu_evaluations.is_empty();
        Ok(match progress {
            Progress::Done if pending => Progress::Running,
            other => other,
        })
    }

    /// Fraction of each digit's test images classified correctly, and how many there are.
    fn per_class(&self, report: &TestReport) -> [(f64, usize); 10] {
        let mut right = [0usize; 10];
        let mut total = [0usize; 10];
        for (&p, &t) in report.predicted.iter().zip(self.test_labels()) {
            total[usize::from(t)] += 1;
            right[usize::from(t)] += usize::from(p == t);
        }
        std::array::from_fn(|d| (right[d] as f64 / total[d].max(1) as f64, total[d]))
    }

    fn draw_curves<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let history = self.trainer.history();
        let epochs = (self.trainer.config().epochs as f64).max(1.0);
        let labels = self.test_labels();
        let title = match self.report() {
            Some(r) => format!(
                "Accuracy: test {:.3} at epoch {}",
                r.accuracy(labels),
                r.epoch
            ),
            None => "Accuracy (classifying the test images…)".to_string(),
        };
        let mut chart = viz::chart(area, &title, 0.0..epochs, 0.0..1.0, "epoch", "accuracy")?;
        let train: Vec<(f64, f64)> = history
            .iter()
            .filter_map(|e| Some((e.epoch as f64, f64::from(e.train_accuracy?))))
            .collect();
        chart
            .draw_series(LineSeries::new(train, viz::INK.stroke_width(2)))?
            .label("train (during the epoch)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::INK.stroke_width(2)));
        let test: Vec<(f64, f64)> = self
            .reports
            .iter()
            .map(|r| (r.epoch as f64, r.accuracy(labels)))
            .collect();
        chart.draw_series(test.iter().map(|&p| Circle::new(p, 3, viz::RED.filled())))?;
        chart
            .draw_series(LineSeries::new(test, viz::RED.stroke_width(2)))?
            .label("test")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(2)));
        viz::legend(&mut chart, area, SeriesLabelPosition::LowerRight)
    }

    fn draw_per_class<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let Some(report) = self.report() else {
            return viz::centered_text(area, "Classifying the test images…");
        };
        let per_class = self.per_class(report);
        let worst = (0..10)
            .min_by(|&a, &b| per_class[a].0.total_cmp(&per_class[b].0))
            .unwrap_or(0);
        let mut chart = viz::chart(
            area,
            &format!("Test accuracy per digit (worst: {worst})"),
            -0.5..9.5,
            0.0..1.0,
            "digit",
            "accuracy",
        )?;
        chart.draw_series(per_class.iter().enumerate().map(|(d, &(acc, _))| {
            let colour = if d == worst { viz::RED } else { viz::BLUE };
            Rectangle::new(
                [(d as f64 - 0.35, 0.0), (d as f64 + 0.35, acc)],
                colour.filled(),
            )
        }))?;
        Ok(())
    }

    fn draw_errors<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let Some(report) = self.report() else {
            return Ok(());
        };
        let labels = self.test_labels();
        let wrong: Vec<usize> = (0..TEST)
            .filter(|&i| report.predicted[i] != labels[i])
            .collect();
        let images: Vec<(Array1<f64>, String)> = wrong
            .iter()
            .take(SHOWN_ERRORS)
            .map(|&i| {
                let pixels = self.data.image(MNIST_TRAIN + i);
                (
                    pixels.iter().map(|&v| f64::from(v)).collect(),
                    format!("{}→{}", labels[i], report.predicted[i]),
                )
            })
            .collect();
        let patches: Vec<_> = images.iter().map(|(a, s)| (a.view(), s.clone())).collect();
        let caption = format!(
            "{} of {TEST} test images wrong (true→predicted)",
            wrong.len()
        );
        viz::draw_patch_grid(area, &caption, &patches, 0.0, 255.0)
    }

    /// The first dense layer's weights into each of the first 20 neurons (or into each digit's
    /// logit without hidden layers), red for positive, blue for negative.
    fn draw_weights<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let Some(dense) = self
            .trainer
            .host_model()
            .layers()
            .iter()
            .find_map(|l| match l {
                Layer::Dense(d) => Some(d),
                _ => None,
            })
        else {
            return Ok(());
        };
        let kernel = dense.kernel.to_vec();
        let units = dense.kernel.shape()[1];
        let shown = units.min(SHOWN_UNITS);
        let images: Vec<Array1<f64>> = (0..shown)
            .map(|u| {
                (0..MNIST_PIXELS)
                    .map(|p| f64::from(kernel[p * units + u]))
                    .collect()
            })
            .collect();
        let hidden = self.trainer.model().layers().len() > 1;
        let patches: Vec<_> = images
            .iter()
            .enumerate()
            .map(|(u, w)| {
                let scale = w.iter().fold(1e-6_f64, |m, v| m.max(v.abs()));
                let label = if hidden { String::new() } else { u.to_string() };
                ((w / scale).to_owned(), label)
            })
            .collect();
        let views: Vec<_> = patches.iter().map(|(a, s)| (a.view(), s.clone())).collect();
        let caption = if hidden {
            format!("Weights into {shown} of the first layer's {units} neurons")
        } else {
            "Weights into each digit's score".to_string()
        };
        viz::draw_patch_grid_diverging(area, &caption, &views)
    }
}

impl Evaluation {
    fn start(epoch: usize) -> Self {
        Evaluation {
            epoch,
            next: 0,
            predicted: Vec::with_capacity(TEST),
            loss_sum: 0.0,
        }
    }
}

impl Demo for MnistMlpDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One training mini-batch, or one slice of the test pass that follows each epoch.
    fn tick(&mut self) -> Progress {
        // Shapes were checked when the trainer was built, so errors do not happen in practice.
        self.advance().unwrap_or(Progress::Diverged)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::four_panels(area);
        self.draw_curves(&panels[0])?;
        self.draw_per_class(&panels[1])?;
        self.draw_errors(&panels[2])?;
        self.draw_weights(&panels[3])?;
        Ok(())
    }

    fn height_for_width(&self, width: u32) -> u32 {
        if width >= 720 {
            (width as f64 * 0.72) as u32
        } else {
            (width as f64 * 3.4).min(2000.0) as u32
        }
    }

    fn metrics(&self) -> Vec<Metric> {
        let last = self.trainer.history().last();
        let labels = self.test_labels();
        let report = self.report();
        let nan = f64::NAN;
        let worst = report.map_or(nan, |r| {
            self.per_class(r)
                .iter()
                .map(|c| c.0)
                .fold(f64::INFINITY, f64::min)
        });
        vec![
            Metric::new("epoch", "Epoch", self.trainer.history().len() as f64),
            Metric::new("step", "Mini-batches", self.trainer.steps() as f64),
            Metric::new(
                "train_loss",
                "Train loss",
                last.map_or(nan, |e| f64::from(e.train_loss)),
            ),
            Metric::new(
                "train_accuracy",
                "Train accuracy",
                last.and_then(|e| e.train_accuracy).map_or(nan, f64::from),
            ),
            Metric::new("test_loss", "Test loss", report.map_or(nan, |r| r.loss)),
            Metric::new(
                "test_accuracy",
                "Test accuracy",
                report.map_or(nan, |r| r.accuracy(labels)),
            ),
            Metric::new("worst_digit_accuracy", "Worst digit's accuracy", worst),
            Metric::new(
                "parameters",
                "Parameters",
                self.trainer.model().param_count() as f64,
            ),
        ]
        .into_iter()
        .chain(self.device.metrics(&self.trainer))
        .collect()
    }

    fn saves_model(&self) -> bool {
        true
    }

    fn model_json(&self) -> Result<String> {
        self.trainer.host_model().to_json()
    }

    /// Trains on from the saved network; its test accuracy is measured again first.
    fn load_model_json(&mut self, text: &str) -> Result<()> {
        self.trainer.load_model(Sequential::from_json(text)?)?;
        self.reports.clear();
        self.evaluation = Some(Evaluation::start(0));
        self.evaluated = 0;
        self.gpu_evaluations.clear();
        Ok(())
    }

    fn gpu_reads(&mut self) -> Vec<Tensor> {
        let mut reads = self.trainer.reads_to_start();
        for e in self.gpu_evaluations.iter_mut().filter(|e| !e.handed_out) {
            e.handed_out = true;
            reads.push(e.logits.clone());
        }
        reads
    }

    fn poll(&mut self) -> bool {
        self.device.poll(&mut self.trainer) | self.collect_gpu_evaluations()
    }

    fn set_live(&mut self, key: &str, params: &Params) -> bool {
        self.device.set_live(key, params)
    }

    fn notes(&self) -> Vec<(&'static str, String)> {
        self.device.notes()
    }

    fn status(&self) -> Option<String> {
        if let Some(e) = self.trainer.divergence() {
            return Some(e.to_string());
        }
        self.evaluation
            .as_ref()
            .filter(|e| e.epoch > 0)
            .map(|e| format!("Classifying the test images after epoch {}…", e.epoch))
    }
}

/// Adds each row of 10 logits' predicted digit to `predicted` and returns the summed
/// cross-entropy of their softmax against `labels` (row `r` is labelled `labels[r]`).
fn score(logits: &[f32], labels: &[u8], predicted: &mut Vec<u8>) -> f64 {
    let mut loss = 0.0;
    for (row, &label) in logits.chunks_exact(10).zip(labels) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let log_sum = (row.iter().map(|&z| f64::from(z - max).exp()).sum::<f64>()).ln();
        loss += log_sum - f64::from(row[usize::from(label)] - max);
        let best = (0..10)
            .max_by(|&a, &b| row[a].total_cmp(&row[b]))
            .unwrap_or(0);
        predicted.push(best as u8);
    }
    loss
}
