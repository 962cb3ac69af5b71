//! `Trainer`: mini-batch training of a `Sequential` model that does a bounded amount of work per
//! call (`step(max_batches)`), so a page can train inside animation frames. It records loss (and
//! accuracy for the cross-entropy losses) per epoch for the training and validation sets, stops
//! early when the monitored loss stops improving, and stops with `Progress::Diverged` and the
//! message "loss became NaN at step N: lower the learning rate" when the loss is no longer finite.
//!
//! On the GPU a step reads nothing back: each batch's loss (and, for classification, its outputs
//! and targets) stays on the device, and every `CHECKPOINT_EVERY` batches and at each epoch's end
//! they are joined into one tensor. The page reads those (`reads_to_start`, then `Tensor::read` in
//! a spawned future) and later steps take in whichever have arrived: the history, early stopping
//! and divergence follow a few frames behind the training, and nothing waits. Native code reads
//! them at once, blocking. Training runs at most `MAX_UNREAD` checkpoints ahead of what has been
//! read, so the GPU's queue of work stays short.
//!
//! The page also keeps a copy of the weights and optimizer state in host memory (`host_model`),
//! refreshed by one flat read whenever the last one has arrived: the page draws from it, and when
//! the GPU is lost training carries on on the CPU from it.

use super::loss::Loss;
use super::optimizer::{Optimizer, OptimizerSpec};
use super::schedule::{LrSchedule, Schedule};
use super::sequential::Sequential;
use crate::autodiff::Tape;
use crate::error::{Error, Result};
use crate::estimator::Progress;
use crate::rng::Rng;
use crate::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Batches trained on the GPU between two joins of their results (one readback each).
const CHECKPOINT_EVERY: usize = 16;
/// Checkpoints that may wait to be read before steps stop training (and only take results in).
const MAX_UNREAD: usize = 3;

/// How to train: loss, optimizer, schedule, batching, length and early stopping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainerConfig {
    pub loss: Loss,
    pub optimizer: OptimizerSpec,
    #[serde(default)]
    pub schedule: Schedule,
    pub batch_size: usize,
    /// The most epochs to run.
    pub epochs: usize,
    /// Stop when the monitored loss (validation if given, else training) has not improved by
    /// `min_delta` for this many epochs; `None` never stops early.
    #[serde(default)]
    pub patience: Option<usize>,
    #[serde(default)]
    pub min_delta: f32,
    /// Seed of the shuffling order (the model's own seed drives its weights and dropout).
    #[serde(default)]
    pub seed: u64,
}

impl Default for TrainerConfig {
    fn default() -> Self {
        TrainerConfig {
            loss: Loss::Mse,
            optimizer: OptimizerSpec::default(),
            schedule: Schedule::Constant,
            batch_size: 32,
            epochs: 100,
            patience: None,
            min_delta: 0.0,
            seed: 0,
        }
    }
}

/// What one epoch left: losses include the L1/L2 penalties, as Keras reports them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    /// 1 for the first epoch.
    pub epoch: usize,
    /// The mean of the epoch's mini-batch losses.
    pub train_loss: f32,
    pub val_loss: Option<f32>,
    /// Fraction correct over the epoch's mini-batches (classification losses only).
    pub train_accuracy: Option<f32>,
    pub val_accuracy: Option<f32>,
    /// The rate used by the epoch's last step.
    pub learning_rate: f32,
}

/// Trains a model on (x, y) with an optional validation set.
#[derive(Debug, Clone)]
pub struct Trainer {
    model: Sequential,
    config: TrainerConfig,
    optimizer: Optimizer,
    schedule: LrSchedule,
    x: Tensor,
    y: Tensor,
    validation: Option<(Tensor, Tensor)>,
    rng: Rng,
    order: Vec<usize>,
    cursor: usize,
    steps: usize,
    // Running sums over the current epoch.
    loss_sum: f64,
    batches: usize,
    correct: usize,
    seen: usize,
    lr: f32,
    history: Vec<EpochStats>,
    best: f32,
    since_best: usize,
    state: Progress,
    divergence: Option<Error>,
    tape: Tape,
    /// GPU training: batches not yet joined into a checkpoint, checkpoints not yet taken in, and
    /// the epochs whose batches have all run (ahead of `history` while reads are outstanding).
    unread: Vec<BatchOnDevice>,
    checkpoints: VecDeque<Checkpoint>,
    epochs_ended: usize,
    /// Whether a step may wait for GPU results (natively; never in the page).
    blocking_reads: bool,
    /// GPU training: the weights and optimizer state in host memory as of some step, and the
    /// flat copy of a later state being read.
    host: Option<HostCopy>,
    host_read: Option<HostRead>,
    /// Rows of the batches whose results have been taken in (the page's speed meter).
    rows_done: usize,
}

/// The model and optimizer state in host memory, as they were after `steps` steps.
#[derive(Debug, Clone)]
struct HostCopy {
    model: Sequential,
    optimizer: Optimizer,
    steps: usize,
}

/// A state on the GPU being read back: its tensors joined into `flat`, and the structures (still
/// on the GPU) the values go back into.
#[derive(Debug, Clone)]
struct HostRead {
    flat: Tensor,
    copy: HostCopy,
}

impl HostCopy {
    /// Every tensor of the model, then of the optimizer.
    fn tensors_mut(&mut self) -> Vec<&mut Tensor> {
        let mut all = self.model.tensors_mut();
        all.extend(self.optimizer.tensors_mut());
        all
    }
}

/// One GPU batch's results, still on the device.
#[derive(Debug, Clone)]
struct BatchOnDevice {
    /// Its row count.
    n: usize,
    loss: Tensor,
    /// Outputs and targets, for accuracy (classification losses only).
    rows: Option<(Tensor, Tensor)>,
}

/// Several batches' results joined into one flat tensor: their losses, then each batch's outputs,
/// then each batch's targets, then (at an epoch's end) the validation loss, outputs and targets.
#[derive(Debug, Clone)]
struct Checkpoint {
    values: Tensor,
    /// The step number of the first batch, and each batch's row count.
    first_step: usize,
    batch_rows: Vec<usize>,
    classification: bool,
    epoch_end: Option<EpochEnd>,
    handed_out: bool,
}

#[derive(Debug, Clone)]
struct EpochEnd {
    /// Validation rows, when there is a validation set.
    val_rows: Option<usize>,
    lr: f32,
}

impl Trainer {
    /// Checks the configuration and the data's shapes against the model: `x` is (n, inputs), `y`
    /// (n, outputs) (one-hot rows for categorical cross-entropy).
    pub fn new(
        model: Sequential,
        config: TrainerConfig,
        x: Tensor,
        y: Tensor,
        validation: Option<(Tensor, Tensor)>,
    ) -> Result<Self> {
        if config.batch_size == 0 {
            return Err(Error::invalid("batch_size", 0, "at least 1"));
        }
        if config.epochs == 0 {
            return Err(Error::invalid("epochs", 0, "at least 1"));
        }
        if config.min_delta.is_nan() || config.min_delta < 0.0 {
            return Err(Error::invalid(
                "min_delta",
                config.min_delta,
                "a number >= 0",
            ));
        }
        let optimizer = Optimizer::new(config.optimizer)?;
        let schedule = LrSchedule::new(config.schedule.clone(), config.optimizer.learning_rate)?;
        check_data(&model, &x, &y, "training")?;
        if let Some((vx, vy)) = &validation {
            check_data(&model, vx, vy, "validation")?;
        }
        let n = x.shape()[0];
        let mut rng = Rng::new(config.seed);
        let order = rng.permutation(n);
        Ok(Trainer {
            model,
            optimizer,
            lr: schedule.rate(0),
            schedule,
            x,
            y,
            validation,
            rng,
            order,
            cursor: 0,
            steps: 0,
            loss_sum: 0.0,
            batches: 0,
            correct: 0,
            seen: 0,
            history: Vec::new(),
            best: f32::INFINITY,
            since_best: 0,
            state: Progress::Running,
            divergence: None,
            tape: Tape::new(),
            unread: Vec::new(),
            checkpoints: VecDeque::new(),
            epochs_ended: 0,
            blocking_reads: !cfg!(target_arch = "wasm32"),
            host: None,
            host_read: None,
            rows_done: 0,
            config,
        })
    }

    pub fn model(&self) -> &Sequential {
        &self.model
    }

    /// Moves training to `device`: the weights, optimizer state and data are copied there and the
    /// next step carries on from the same point (the page's CPU fallback moves back this way).
    ///
    /// Off the GPU natively, every result still there is read first. In the page nothing can be
    /// waited for: training goes on from the host copy (`host_steps`), which is behind by the steps
    /// not yet read back; `host_is_current` says when none would be lost.
    pub fn to_device(&mut self, device: Device) -> Result<()> {
        let from_gpu = self.deferred() && device != Device::Gpu;
        if from_gpu && self.blocking_reads {
            // Natively the results still on the GPU can be waited for: take them all in.
            self.checkpoint(None, Vec::new())?;
            self.take_in_checkpoints()?;
            self.sync_host()?;
        }
        let (mut model, mut optimizer) = match (&self.host, from_gpu) {
            (Some(h), true) => (h.model.clone(), h.optimizer.clone()),
            _ => (self.model.clone(), self.optimizer.clone()),
        };
        model.to_device(device)?;
        optimizer.to_device(device)?;
        let (x, y) = (self.x.to_device(device)?, self.y.to_device(device)?);
        let validation = match &self.validation {
            Some((vx, vy)) => Some((vx.to_device(device)?, vy.to_device(device)?)),
            None => None,
        };
        // Nothing changes unless every copy succeeded.
        let on_host = self.host_copy();
        (self.model, self.optimizer, self.x, self.y) = (model, optimizer, x, y);
        self.validation = validation;
        self.host_read = None;
        self.host = (device == Device::Gpu).then_some(on_host).flatten();
        if device != Device::Gpu {
            // In the page, results still on a GPU that may be gone (the fallback) are given up:
            // the weights they came from carry on, and only the history misses them.
            self.unread.clear();
            self.checkpoints.clear();
            self.epochs_ended = self.history.len();
        }
        Ok(())
    }

    /// Where training runs.
    pub fn device(&self) -> Device {
        self.model.device()
    }

    /// The model as last read back, to draw or evaluate without waiting for the GPU: the model
    /// itself on the CPU; on the GPU, the host copy (`host_steps` says how old it is).
    pub fn host_model(&self) -> &Sequential {
        match (&self.host, self.deferred()) {
            (Some(h), true) => &h.model,
            _ => &self.model,
        }
    }

    /// The optimizer steps `host_model` has had.
    pub fn host_steps(&self) -> usize {
        match (&self.host, self.deferred()) {
            (Some(h), true) => h.steps,
            _ => self.steps,
        }
    }

    /// Whether `host_model` is the model as it is now (always, on the CPU).
    pub fn host_is_current(&self) -> bool {
        self.host_steps() == self.steps
    }

    /// Natively, reads the model and optimizer state back from the GPU now (blocking), so that
    /// `host_model` is current. In the page, and on the CPU, it does nothing.
    pub fn sync_host(&mut self) -> Result<()> {
        if !self.deferred() || !self.blocking_reads || self.host_is_current() {
            return Ok(());
        }
        self.host_read = Some(self.start_host_read()?);
        self.take_in_host()
    }

    /// The model and optimizer as they are now, wherever their tensors are.
    fn state_now(&self) -> HostCopy {
        HostCopy {
            model: self.model.clone(),
            optimizer: self.optimizer.clone(),
            steps: self.steps,
        }
    }

    /// The state as it is now, if it is in host memory (on the CPU, or right after a move).
    fn host_copy(&self) -> Option<HostCopy> {
        let readable = |m: &Sequential| m.params().iter().all(|t| t.is_readable());
        readable(&self.model).then(|| self.state_now())
    }

    /// Joins the model and optimizer state, on the GPU, into one tensor to read back.
    fn start_host_read(&self) -> Result<HostRead> {
        let mut copy = self.state_now();
        let parts = copy
            .tensors_mut()
            .iter()
            .map(|t| t.reshape(&[t.numel()]))
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&Tensor> = parts.iter().collect();
        Ok(HostRead {
            flat: Tensor::concat(&refs, 0)?,
            copy,
        })
    }

    /// Turns a host read whose values have arrived (natively: waiting for them) into the host
    /// copy.
    fn take_in_host(&mut self) -> Result<()> {
        let Some(read) = self
            .host_read
            .take_if(|r| self.blocking_reads || r.flat.is_readable())
        else {
            return Ok(());
        };
        let values = read.flat.to_vec();
        let mut copy = read.copy;
        let mut at = 0;
        for t in copy.tensors_mut() {
            let n = t.numel();
            *t = Tensor::from_vec(values[at..at + n].to_vec(), t.shape())?;
            at += n;
        }
        self.host = Some(copy);
        Ok(())
    }

    /// Joins the batches not yet in a checkpoint into one, so that `reads_to_start` hands them
    /// out now instead of after more batches (the end of a timed run).
    pub fn join_unread(&mut self) -> Result<()> {
        self.checkpoint(None, Vec::new())
    }

    /// Whether results of batches already run are still to be taken in.
    pub fn results_pending(&self) -> bool {
        !self.unread.is_empty() || !self.checkpoints.is_empty()
    }

    /// Takes in whatever GPU results have arrived without training (a paused page calls it each
    /// frame, so the history and host copy catch up).
    pub fn poll(&mut self) -> Result<()> {
        self.take_in_checkpoints()?;
        self.take_in_host()
    }

    /// Epochs whose batches have all run (on the GPU, ahead of `history` until their results are
    /// read).
    pub fn epochs_run(&self) -> usize {
        self.epochs_ended
    }

    /// Training rows whose results have been taken in, over the whole run (counting each epoch).
    pub fn rows_done(&self) -> usize {
        self.rows_done
    }

    pub fn config(&self) -> &TrainerConfig {
        &self.config
    }

    /// One entry per finished epoch.
    pub fn history(&self) -> &[EpochStats] {
        &self.history
    }

    /// Optimizer steps (mini-batches) taken so far.
    pub fn steps(&self) -> usize {
        self.steps
    }

    pub fn progress(&self) -> Progress {
        self.state
    }

    /// Why training diverged (`Error::Diverged`, whose message tells the reader what to do).
    pub fn divergence(&self) -> Option<&Error> {
        self.divergence.as_ref()
    }

    /// New weights from `seed`, fresh optimizer and schedule state, empty history: training starts
    /// over with the same data and settings (after divergence, say).
    pub fn reset(&mut self, seed: u64) -> Result<()> {
        let mut model = self.model.clone();
        model.reset(seed)?;
        self.place(model)
    }

    /// Carries on from `model`'s weights (a saved model, say) with the same data and settings:
    /// it must take this data's inputs and give its outputs. Optimizer state, schedule and
    /// history start afresh, as after `reset`.
    pub fn load_model(&mut self, model: Sequential) -> Result<()> {
        let (inputs, outputs) = (self.model.input_size(), self.model.output_size());
        if (model.input_size(), model.output_size()) != (inputs, outputs) {
            return Err(Error::Shape(format!(
                "the model takes {} inputs and gives {} outputs; here it needs {inputs} and {outputs}",
                model.input_size(),
                model.output_size()
            )));
        }
        self.place(model)
    }

    /// Trains `model` (on the CPU) from the start, on the device in use.
    fn place(&mut self, model: Sequential) -> Result<()> {
        let device = self.device();
        self.model = model;
        self.restart()?;
        self.host = (device == Device::Gpu).then(|| self.host_copy()).flatten();
        self.model.to_device(device)
    }

    fn restart(&mut self) -> Result<()> {
        self.optimizer.reset();
        self.schedule = LrSchedule::new(
            self.config.schedule.clone(),
            self.config.optimizer.learning_rate,
        )?;
        self.rng = Rng::new(self.config.seed);
        self.order = self.rng.permutation(self.order.len());
        (self.cursor, self.steps, self.loss_sum, self.batches) = (0, 0, 0.0, 0);
        (self.correct, self.seen) = (0, 0);
        self.lr = self.schedule.rate(0);
        self.history.clear();
        (self.best, self.since_best) = (f32::INFINITY, 0);
        self.state = Progress::Running;
        self.divergence = None;
        self.unread.clear();
        self.checkpoints.clear();
        self.epochs_ended = 0;
        self.host_read = None;
        self.rows_done = 0;
        Ok(())
    }

    /// Natively a step may wait for GPU results (the default there); without it, as always in
    /// the page, results are taken in only once something has read them (`reads_to_start`).
    pub fn set_blocking_reads(&mut self, on: bool) {
        self.blocking_reads = on && !cfg!(target_arch = "wasm32");
    }

    /// Whether steps keep their results on the device (see the module docs).
    fn deferred(&self) -> bool {
        self.device() == Device::Gpu
    }

    /// Joined GPU results the caller should start reading (each is handed out once); reading
    /// them lets later steps take them in. Empty on the CPU.
    /// On the GPU it also hands out a new host copy of the state to read, once the last has
    /// arrived and training has moved on.
    pub fn reads_to_start(&mut self) -> Vec<Tensor> {
        let mut reads: Vec<Tensor> = self
            .checkpoints
            .iter_mut()
            .filter(|c| !c.handed_out)
            .map(|c| {
                c.handed_out = true;
                c.values.clone()
            })
            .collect();
        if self.deferred() && self.host_read.is_none() && !self.host_is_current() {
            // A failed join only delays the copy: the next frame tries again.
            if let Ok(read) = self.start_host_read() {
                reads.push(read.flat.clone());
                self.host_read = Some(read);
            }
        }
        reads
    }

    /// Joins the unread batches (and, at an epoch's end, the validation results) into one
    /// checkpoint.
    fn checkpoint(&mut self, epoch_end: Option<EpochEnd>, val: Vec<Tensor>) -> Result<()> {
        if self.unread.is_empty() && epoch_end.is_none() {
            return Ok(());
        }
        let batches = std::mem::take(&mut self.unread);
        let classification = self.config.loss.is_classification();
        // Every piece flattened, in the order `take_in` reads them.
        let mut pieces: Vec<&Tensor> = batches.iter().map(|b| &b.loss).collect();
        if classification {
            let (outs, targets): (Vec<&Tensor>, Vec<&Tensor>) = batches
                .iter()
                .filter_map(|b| b.rows.as_ref().map(|(o, t)| (o, t)))
                .unzip();
            pieces.extend(outs.into_iter().chain(targets));
        }
        pieces.extend(&val);
        let parts = pieces
            .iter()
            .map(|t| t.reshape(&[t.numel()]))
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&Tensor> = parts.iter().collect();
        let values = if refs.is_empty() {
            Tensor::zeros(&[0])
        } else {
            Tensor::concat(&refs, 0)?
        };
        let batch_rows = batches.iter().map(|b| b.n).collect();
        self.checkpoints.push_back(Checkpoint {
            values,
            first_step: self.steps + 1 - batches.len(),
            batch_rows,
            classification,
            epoch_end,
            handed_out: false,
        });
        Ok(())
    }

    /// Takes in every checkpoint whose values have arrived, oldest first (natively it reads them,
    /// waiting).
    fn take_in_checkpoints(&mut self) -> Result<()> {
        while let Some(front) = self.checkpoints.front() {
            if !self.blocking_reads && !front.values.is_readable() {
                break;
            }
            let Some(c) = self.checkpoints.pop_front() else {
                break;
            };
            self.take_in(c)?;
            if self.state != Progress::Running {
                self.checkpoints.clear();
                self.unread.clear();
                break;
            }
        }
        Ok(())
    }

    fn take_in(&mut self, c: Checkpoint) -> Result<()> {
        let values = c.values.to_vec();
        let cols = self.model.output_size();
        let n = c.batch_rows.len();
        let (losses, mut rest) = values.split_at(n);
        for (i, &loss) in losses.iter().enumerate() {
            if !loss.is_finite() {
                self.divergence = Some(diverged_at(c.first_step + i, loss));
                self.state = Progress::Diverged;
                return Ok(());
            }
            self.loss_sum += loss as f64;
            self.batches += 1;
            self.rows_done += c.batch_rows[i];
        }
        if c.classification {
            let rows: usize = c.batch_rows.iter().sum();
            let (pairs, after) = rest.split_at(2 * rows * cols);
            rest = after;
            if let Some(k) = self.correct_in(pairs, rows)? {
                self.correct += k;
                self.seen += rows;
            }
        }
        let Some(end) = c.epoch_end else {
            return Ok(());
        };
        let (val_loss, val_accuracy) = match end.val_rows {
            Some(vrows) => {
                let (loss, after) = rest.split_at(1);
                let accuracy = if c.classification {
                    self.correct_in(after, vrows)?
                        .map(|k| k as f32 / vrows as f32)
                } else {
                    None
                };
                (Some(loss[0]), accuracy)
            }
            None => (None, None),
        };
        self.finish_epoch(val_loss, val_accuracy, end.lr);
        Ok(())
    }

    /// Rows classified correctly, from read-back values: `rows` rows of outputs, then as many of
    /// targets.
    fn correct_in(&self, values: &[f32], rows: usize) -> Result<Option<usize>> {
        let cols = self.model.output_size();
        let (outs, targets) = values.split_at(rows * cols);
        let out = Tensor::from_vec(outs.to_vec(), &[rows, cols])?;
        let target = Tensor::from_vec(targets[..rows * cols].to_vec(), &[rows, cols])?;
        correct(self.config.loss, &out, &target)
    }

    /// Runs at most `max_batches` mini-batches (finishing epochs as they end) and says whether
    /// training goes on. Divergence is a `Progress`, not an error; errors are for bad shapes.
    pub fn step(&mut self, max_batches: usize) -> Result<Progress> {
        self.take_in_checkpoints()?;
        for _ in 0..max_batches {
            // On the GPU, after the last epoch's batches (or too far ahead of the reads), only
            // the reads remain.
            let too_far = !self.blocking_reads && self.checkpoints.len() >= MAX_UNREAD;
            if self.state != Progress::Running || self.epochs_ended >= self.config.epochs || too_far
            {
                break;
            }
            self.train_batch()?;
            if self.state == Progress::Running && self.cursor >= self.order.len() {
                self.end_epoch()?;
            }
        }
        self.poll()?;
        Ok(self.state)
    }

    fn diverged(&mut self, value: f32) {
        self.state = Progress::Diverged;
        self.divergence = Some(diverged_at(self.steps + 1, value));
    }

    fn train_batch(&mut self) -> Result<()> {
        let end = (self.cursor + self.config.batch_size).min(self.order.len());
        let deferred = self.deferred();
        let idx = &self.order[self.cursor..end];
        let idx_len = idx.len();
        let (xb, yb) = (self.x.gather_rows(idx)?, self.y.gather_rows(idx)?);
        self.cursor = end;

        let tape = &mut self.tape;
        tape.clear();
        let xi = tape.constant(xb);
        let (out, params) = self.model.forward(tape, xi, true)?;
        let target = tape.constant(yb);
        let data_loss = self.config.loss.forward(tape, out, target)?;
        let loss = match self.model.penalty(tape, &params)? {
            Some(p) => tape.add(data_loss, p)?,
            None => data_loss,
        };
        if deferred {
            let rows = self
                .config
                .loss
                .is_classification()
                .then(|| (tape.value(out).clone(), tape.value(target).clone()));
            let loss_value = tape.value(loss).clone();
            self.update(loss, &params)?;
            self.unread.push(BatchOnDevice {
                n: idx_len,
                loss: loss_value,
                rows,
            });
            if self.unread.len() >= CHECKPOINT_EVERY {
                self.checkpoint(None, Vec::new())?;
            }
            return Ok(());
        }
        let value = tape.value(loss).item()?;
        if !value.is_finite() {
            self.diverged(value);
            return Ok(());
        }
        if let Some(c) = correct(self.config.loss, tape.value(out), tape.value(target))? {
            self.correct += c;
            self.seen += tape.value(target).shape()[0];
        }
        self.update(loss, &params)?;
        self.loss_sum += value as f64;
        self.batches += 1;
        self.rows_done += idx_len;
        Ok(())
    }

    /// Backward pass from `loss` and one optimizer step.
    fn update(
        &mut self,
        loss: crate::autodiff::Var,
        params: &[crate::autodiff::Var],
    ) -> Result<()> {
        self.tape.backward(loss)?;
        let grads: Vec<Tensor> = self.tape.grads_or_zeros(params);
        self.lr = self.schedule.rate(self.steps);
        self.optimizer
            .step(&mut self.model.params_mut(), &grads, self.lr)?;
        self.model.apply_constraints()?;
        self.steps += 1;
        Ok(())
    }

    /// Loss (with penalties) and, for classification, accuracy of the model on (x, y).
    pub fn evaluate(&self, x: &Tensor, y: &Tensor) -> Result<(f32, Option<f32>)> {
        check_data(&self.model, x, y, "evaluation")?;
        let (loss, out) = self.loss_and_outputs(x, y)?;
        let accuracy = correct(self.config.loss, &out, y)?.map(|c| c as f32 / y.shape()[0] as f32);
        Ok((loss.item()?, accuracy))
    }

    /// The loss (with penalties, a scalar tensor) and the outputs on (x, y), on the model's device.
    fn loss_and_outputs(&self, x: &Tensor, y: &Tensor) -> Result<(Tensor, Tensor)> {
        let mut tape = Tape::new();
        let out = self.model.predict(x)?;
        let (o, t) = (tape.constant(out.clone()), tape.constant(y.clone()));
        let data_loss = self.config.loss.forward(&mut tape, o, t)?;
        let params: Vec<_> = self
            .model
            .params()
            .into_iter()
            .map(|p| tape.constant(p.clone()))
            .collect();
        let loss = match self.model.penalty(&mut tape, &params)? {
            Some(p) => tape.add(data_loss, p)?,
            None => data_loss,
        };
        Ok((tape.value(loss).clone(), out))
    }

    fn end_epoch(&mut self) -> Result<()> {
        self.epochs_ended += 1;
        if self.deferred() {
            let (val, val_rows) = match &self.validation {
                Some((vx, vy)) => {
                    let (loss, out) = self.loss_and_outputs(vx, vy)?;
                    let rows = vy.shape()[0];
                    if self.config.loss.is_classification() {
                        (vec![loss, out, vy.clone()], Some(rows))
                    } else {
                        (vec![loss], Some(rows))
                    }
                }
                None => (Vec::new(), None),
            };
            let end = EpochEnd {
                val_rows,
                lr: self.lr,
            };
            self.checkpoint(Some(end), val)?;
        } else {
            let (val_loss, val_accuracy) = match &self.validation {
                Some((vx, vy)) => {
                    let (l, a) = self.evaluate(vx, vy)?;
                    (Some(l), a)
                }
                None => (None, None),
            };
            self.finish_epoch(val_loss, val_accuracy, self.lr);
        }
        self.order = self.rng.permutation(self.order.len());
        self.cursor = 0;
        Ok(())
    }

    /// Records the epoch whose batches have all been taken in, and decides whether to go on.
    fn finish_epoch(&mut self, val_loss: Option<f32>, val_accuracy: Option<f32>, lr: f32) {
        let train_loss = (self.loss_sum / self.batches.max(1) as f64) as f32;
        let train_accuracy = (self.seen > 0).then(|| self.correct as f32 / self.seen as f32);
        (self.loss_sum, self.batches, self.correct, self.seen) = (0.0, 0, 0, 0);
        self.history.push(EpochStats {
            epoch: self.history.len() + 1,
            train_loss,
            val_loss,
            train_accuracy,
            val_accuracy,
            learning_rate: lr,
        });
        let monitored = val_loss.unwrap_or(train_loss);
        if !monitored.is_finite() {
            self.state = Progress::Diverged;
            self.divergence = Some(diverged_at(self.steps + 1, monitored));
            return;
        }
        self.schedule.end_epoch(monitored);
        if monitored < self.best - self.config.min_delta {
            self.best = monitored;
            self.since_best = 0;
        } else {
            self.since_best += 1;
        }
        let stop_early = self.config.patience.is_some_and(|p| self.since_best >= p);
        if self.history.len() >= self.config.epochs || stop_early {
            self.state = Progress::Done;
        }
    }
}

fn diverged_at(step: usize, value: f32) -> Error {
    Error::Diverged {
        step,
        value: if value.is_nan() {
            "NaN".into()
        } else {
            format!("{value}")
        },
    }
}

fn check_data(model: &Sequential, x: &Tensor, y: &Tensor, what: &str) -> Result<()> {
    let (xs, ys) = (x.shape(), y.shape());
    if xs.len() != 2 || ys.len() != 2 {
        return Err(Error::Shape(format!(
            "{what} data must be (rows, features) and (rows, outputs), got {xs:?} and {ys:?}"
        )));
    }
    if xs[0] == 0 {
        return Err(Error::EmptyData(format!("{what} data has no rows")));
    }
    if xs[0] != ys[0] {
        return Err(Error::Shape(format!(
            "{what} data has {} rows of features but {} rows of targets",
            xs[0], ys[0]
        )));
    }
    if xs[1] != model.input_size() {
        return Err(Error::InputSize {
            what: format!("the model ({what} features)"),
            expected: model.input_size(),
            got: xs[1],
        });
    }
    if ys[1] != model.output_size() {
        return Err(Error::InputSize {
            what: format!("the loss ({what} targets, one per model output)"),
            expected: model.output_size(),
            got: ys[1],
        });
    }
    if !x.all_finite() || !y.all_finite() {
        return Err(Error::NonFinite(format!("{what} data")));
    }
    Ok(())
}

/// Rows classified correctly: argmax against the one-hot target for categorical cross-entropy;
/// every output's logit sign against its 0/1 target for binary cross-entropy (per element).
fn correct(loss: Loss, out: &Tensor, target: &Tensor) -> Result<Option<usize>> {
    match loss {
        Loss::CategoricalCrossEntropy => {
            let (p, t) = (out.argmax_last()?, target.argmax_last()?);
            Ok(Some(p.iter().zip(&t).filter(|(a, b)| a == b).count()))
        }
        Loss::BinaryCrossEntropy => {
            let (p, t) = (out.to_vec(), target.to_vec());
            let cols = out.shape().get(1).copied().unwrap_or(1).max(1);
            // A row counts as correct when every output is on the right side of 0.5.
            Ok(Some(
                p.chunks(cols)
                    .zip(t.chunks(cols))
                    .filter(|(pr, tr)| pr.iter().zip(*tr).all(|(&z, &y)| (z > 0.0) == (y > 0.5)))
                    .count(),
            ))
        }
        _ => Ok(None),
    }
}
