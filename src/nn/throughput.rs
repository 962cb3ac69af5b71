//! The MLP training benchmark that `scripts/bench mlp` runs natively (`mlplay bench-mlp`) and in the
//! browser (the `mlp_bench` export), next to TensorFlow.js on the same images: a 784-h-10 network
//! (ReLU hidden layer with He-normal weights, ten logits, softmax cross-entropy) trained by plain
//! SGD (learning rate 0.01) on mini-batches of the bundled MNIST training images, in a fixed
//! shuffled order. The caller times `run`; the loss it returns shows the network really learned.

use super::{
    Activation, Initializer, LayerSpec, Loss, ModelSpec, OptimizerKind, OptimizerSpec, Sequential,
    Trainer, TrainerConfig,
};
use crate::data::bundled::{self, MNIST_PIXELS, MNIST_TRAIN};
use crate::error::{Error, Result};

/// A network and its training data, ready to take timed steps.
pub struct MlpBench {
    trainer: Trainer,
}

impl MlpBench {
    /// A 784-`hidden`-10 network on the 4000 MNIST training images in batches of `batch`.
    pub fn new(hidden: usize, batch: usize, seed: u64) -> Result<Self> {
        if batch == 0 || batch > MNIST_TRAIN {
            return Err(Error::invalid("batch", batch, format!("1..={MNIST_TRAIN}")));
        }
        let data = bundled::mnist()?;
        let model = Sequential::new(ModelSpec {
            input: MNIST_PIXELS,
            layers: vec![
                LayerSpec::Dense {
                    units: hidden,
                    activation: Activation::Relu,
                    init: Initializer::HeNormal,
                    l1: 0.0,
                    l2: 0.0,
                    max_norm: None,
                },
                LayerSpec::dense(10, Activation::Linear),
            ],
            seed,
        })?;
        let config = TrainerConfig {
            loss: Loss::CategoricalCrossEntropy,
            optimizer: OptimizerSpec {
                kind: OptimizerKind::Sgd,
                learning_rate: 0.01,
            },
            batch_size: batch,
            epochs: usize::MAX,
            seed,
            ..TrainerConfig::default()
        };
        let trainer = Trainer::new(
            model,
            config,
            data.inputs(0..MNIST_TRAIN)?,
            data.one_hot(0..MNIST_TRAIN)?,
            None,
        )?;
        Ok(MlpBench { trainer })
    }

    /// Moves the network and its data to `device` (the GPU after `tensor::gpu::init`).
    pub fn to_device(&mut self, device: crate::tensor::Device) -> Result<()> {
        self.trainer.to_device(device)
    }

    /// Trains on `batches` mini-batches; returns the mean training loss of the last finished
    /// epoch (NaN before the first).
    pub fn run(&mut self, batches: usize) -> Result<f32> {
        self.trainer.step(batches)?;
        Ok(self.last_loss())
    }

    /// `run` as the page trains on the GPU: nothing blocks; the results handed out are awaited
    /// whenever the trainer is as far ahead of them as it goes, and at the end, so that it
    /// returns once every batch has run and been read back.
    pub async fn run_deferred(&mut self, batches: usize) -> Result<f32> {
        self.trainer.set_blocking_reads(false);
        let target = self.trainer.steps() + batches;
        loop {
            let left = target.saturating_sub(self.trainer.steps());
            self.trainer.step(left)?;
            if self.trainer.steps() >= target {
                self.trainer.join_unread()?;
            }
            for t in self.trainer.reads_to_start() {
                t.read().await?;
            }
            self.trainer.poll()?;
            let finished = self.trainer.steps() >= target && !self.trainer.results_pending();
            if finished || self.trainer.progress() != crate::estimator::Progress::Running {
                return Ok(self.last_loss());
            }
        }
    }

    fn last_loss(&self) -> f32 {
        self.trainer
            .history()
            .last()
            .map_or(f32::NAN, |e| e.train_loss)
    }
}
