//! The device control of the demos that train a network on the GPU (the playground and the MNIST
//! MLP): the `device` parameter (Auto, CPU or GPU), moving the trainer to wherever the choice
//! resolves (and back to the CPU, from the last weights read back, when the GPU fails), the note
//! shown when the reader does not get the GPU, and the speed meter (training samples per second).

use super::{Metric, ParamKind, ParamSpec, Params};
use crate::error::Result;
use crate::nn::{resolve, DeviceChoice, GpuState, Trainer};
use crate::tensor::{gpu, Device};
use std::collections::VecDeque;
use web_time::{Duration, Instant};

pub(super) const DEVICE: ParamSpec = ParamSpec {
    key: "device",
    label: "Device",
    help: "Where the network trains. Auto takes a hardware GPU for networks big enough to gain from it, else the CPU; GPU uses WebGPU wherever the browser offers it (else the CPU, with a note). Switching keeps the weights.",
    kind: ParamKind::Choice {
        options: &["auto", "cpu", "gpu"],
        default: "auto",
    },
};

/// The span of recent time the speed meter averages over.
const METER_WINDOW: Duration = Duration::from_secs(2);
/// A pause longer than this (the reader stopped the demo) starts the meter afresh.
const METER_GAP: Duration = Duration::from_millis(500);

pub(super) struct DeviceControl {
    choice: DeviceChoice,
    note: Option<String>,
    /// A move that failed, and the choice it was made for: not retried until the choice changes.
    refused: Option<String>,
    /// (when, training rows taken in so far) while training runs.
    samples: VecDeque<(Instant, usize)>,
}

impl DeviceControl {
    pub(super) fn new(params: &Params) -> Result<Self> {
        Ok(DeviceControl {
            choice: DeviceChoice::parse(params.choice("device"))?,
            note: None,
            refused: None,
            samples: VecDeque::new(),
        })
    }

    /// Takes the reader's new choice; the next `place` acts on it (the run goes on).
    pub(super) fn set_choice(&mut self, params: &Params) -> Result<()> {
        self.choice = DeviceChoice::parse(params.choice("device"))?;
        self.refused = None;
        Ok(())
    }

    /// Moves `trainer` to where the choice resolves now and says whether it may train. Leaving
    /// the GPU by choice waits (no training) until the weights read back are current, so nothing
    /// is lost; when the GPU has failed, training goes on from the last weights read back.
    pub(super) fn place(&mut self, trainer: &mut Trainer) -> bool {
        let work = trainer.model().param_count() * trainer.config().batch_size;
        let placement = resolve(self.choice, work);
        let here = trainer.device();
        let target = if self.refused.is_some() {
            Device::Cpu
        } else {
            placement.device
        };
        self.note = self.refused.clone().or(placement.note);
        if target == here {
            return true;
        }
        let gpu_failed = matches!(crate::nn::gpu_state(), GpuState::Unavailable(_));
        if here == Device::Gpu && !gpu_failed && !trainer.host_is_current() {
            return false;
        }
        match trainer.to_device(target) {
            Ok(()) => {
                self.samples.clear();
                true
            }
            Err(e) => {
                let why =
                    format!("Could not move the network to the GPU ({e}); training on the CPU.");
                self.note = Some(why.clone());
                self.refused = Some(why);
                trainer.device() == here
            }
        }
    }

    /// Applies a changed `device` parameter (any other key: false, the demo starts over).
    pub(super) fn set_live(&mut self, key: &str, params: &Params) -> bool {
        key == DEVICE.key && self.set_choice(params).is_ok()
    }

    /// Every frame, paused too: moves the trainer if the choice now resolves elsewhere (the GPU
    /// has opened or failed, the reader picked another device) and takes in the GPU results that
    /// have arrived. True when what the demo shows changed.
    pub(super) fn poll(&mut self, trainer: &mut Trainer) -> bool {
        let shown = |c: &Self, t: &Trainer| {
            (
                t.device(),
                t.history().len(),
                t.host_steps(),
                c.note.clone(),
            )
        };
        let before = shown(self, trainer);
        self.place(trainer);
        // An error here is a shape error that training itself reports.
        let _ = trainer.poll();
        shown(self, trainer) != before
    }

    /// Notes how far training has got, for the speed meter (after each step).
    pub(super) fn record(&mut self, trainer: &Trainer) {
        let now = Instant::now();
        if self
            .samples
            .back()
            .is_some_and(|&(t, _)| now.duration_since(t) > METER_GAP)
        {
            self.samples.clear();
        }
        self.samples.push_back((now, trainer.rows_done()));
        while self
            .samples
            .front()
            .is_some_and(|&(t, _)| now.duration_since(t) > METER_WINDOW)
        {
            self.samples.pop_front();
        }
    }

    /// Training samples per second over the last two seconds of training (NaN before a quarter
    /// of a second has been measured).
    pub(super) fn samples_per_second(&self) -> f64 {
        match (self.samples.front(), self.samples.back()) {
            (Some(&(t0, n0)), Some(&(t1, n1))) => {
                let secs = t1.duration_since(t0).as_secs_f64();
                if secs < 0.25 {
                    f64::NAN
                } else {
                    n1.saturating_sub(n0) as f64 / secs
                }
            }
            _ => f64::NAN,
        }
    }

    /// Why the reader does not get the device they chose (or is waiting for it), as a line under
    /// the device control.
    pub(super) fn notes(&self) -> Vec<(&'static str, String)> {
        self.note.iter().map(|n| (DEVICE.key, n.clone())).collect()
    }

    /// The device in use and the speed meter.
    pub(super) fn metrics(&self, trainer: &Trainer) -> Vec<Metric> {
        let device = match (trainer.device(), gpu::info()) {
            (Device::Gpu, Some(info)) if !info.name.is_empty() => format!(
                "GPU ({}{})",
                info.name,
                if info.software { ", software" } else { "" }
            ),
            (Device::Gpu, _) => "GPU".to_string(),
            (Device::Cpu, _) => "CPU".to_string(),
        };
        vec![
            Metric::text("device", "Device", device),
            Metric::new(
                "samples_per_s",
                "Samples/s",
                self.samples_per_second().round(),
            ),
        ]
    }
}
