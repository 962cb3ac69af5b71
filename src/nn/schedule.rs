//! Learning-rate schedules. Step-based ones are pure functions of the optimizer step; the
//! performance schedule (Keras's `ReduceLROnPlateau`) watches a loss once per epoch.
//!
//! - Exponential (Keras `ExponentialDecay`): `lr0 * rate^(step / decay_steps)`, floored exponent
//!   when `staircase`.
//! - Piecewise constant (Keras `PiecewiseConstantDecay`): `values[0]` while `step <= boundaries[0]`,
//!   `values[i]` while `boundaries[i-1] < step <= boundaries[i]`, the last value after.
//! - Performance: multiply the rate by `factor` once the loss has not improved by `min_delta` for
//!   `patience` epochs, never below `min_lr`.
//! - 1cycle (PyTorch `OneCycleLR(three_phase=True, anneal_strategy="linear")` with `max_lr = lr0`):
//!   linear from `lr0 / div_factor` up to `lr0` over the first `pct_start` of the steps, back down
//!   over the same number of steps, then down to `lr0 / div_factor / final_div_factor`.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum Schedule {
    #[default]
    Constant,
    Exponential {
        decay_rate: f32,
        decay_steps: usize,
        #[serde(default)]
        staircase: bool,
    },
    Piecewise {
        boundaries: Vec<usize>,
        values: Vec<f32>,
    },
    Performance {
        factor: f32,
        patience: usize,
        min_delta: f32,
        min_lr: f32,
    },
    OneCycle {
        total_steps: usize,
        pct_start: f32,
        div_factor: f32,
        final_div_factor: f32,
    },
}

impl Schedule {
    /// Keras's ReduceLROnPlateau defaults.
    pub fn performance() -> Self {
        Schedule::Performance {
            factor: 0.1,
            patience: 10,
            min_delta: 1e-4,
            min_lr: 0.0,
        }
    }

    /// PyTorch's OneCycleLR defaults over `total_steps` steps.
    pub fn one_cycle(total_steps: usize) -> Self {
        Schedule::OneCycle {
            total_steps,
            pct_start: 0.3,
            div_factor: 25.0,
            final_div_factor: 1e4,
        }
    }

    pub fn validate(&self) -> Result<()> {
        match self {
            Schedule::Constant => Ok(()),
            Schedule::Exponential {
                decay_rate,
                decay_steps,
                ..
            } => {
                if *decay_steps == 0 {
                    return Err(Error::invalid("decay_steps", decay_steps, "at least 1"));
                }
                if !(decay_rate.is_finite() && *decay_rate > 0.0) {
                    return Err(Error::invalid(
                        "decay_rate",
                        decay_rate,
                        "a positive number",
                    ));
                }
                Ok(())
            }
            Schedule::Piecewise { boundaries, values } => {
                if values.len() != boundaries.len() + 1 {
                    return Err(Error::invalid(
                        "values",
                        format!("{} values", values.len()),
                        format!("one more than the {} boundaries", boundaries.len()),
                    ));
                }
                if boundaries.windows(2).any(|w| w[0] >= w[1]) {
                    return Err(Error::invalid(
                        "boundaries",
                        format!("{boundaries:?}"),
                        "strictly increasing",
                    ));
                }
                if values.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
                    return Err(Error::invalid(
                        "values",
                        format!("{values:?}"),
                        "positive numbers",
                    ));
                }
                Ok(())
            }
            Schedule::Performance { factor, min_lr, .. } => {
                if !(*factor > 0.0 && *factor < 1.0) {
                    return Err(Error::invalid(
                        "factor",
                        factor,
                        "between 0 and 1 (exclusive)",
                    ));
                }
                if min_lr.is_nan() || *min_lr < 0.0 {
                    return Err(Error::invalid("min_lr", min_lr, "a number >= 0"));
                }
                Ok(())
            }
            Schedule::OneCycle {
                total_steps,
                pct_start,
                div_factor,
                final_div_factor,
            } => {
                if *total_steps < 2 {
                    return Err(Error::invalid("total_steps", total_steps, "at least 2"));
                }
                if !(*pct_start > 0.0 && *pct_start < 0.5) {
                    return Err(Error::invalid(
                        "pct_start",
                        pct_start,
                        "between 0 and 0.5 (exclusive; two phases of this length come first)",
                    ));
                }
                for (name, v) in [
                    ("div_factor", div_factor),
                    ("final_div_factor", final_div_factor),
                ] {
                    if !(v.is_finite() && *v > 0.0) {
                        return Err(Error::invalid(name, v, "a positive number"));
                    }
                }
                Ok(())
            }
        }
    }
}

/// A schedule with its base rate and, for the performance schedule, its state.
#[derive(Debug, Clone, PartialEq)]
pub struct LrSchedule {
    pub schedule: Schedule,
    pub base_lr: f32,
    /// The performance schedule's current rate.
    current: f32,
    best: f32,
    wait: usize,
}

impl LrSchedule {
    pub fn new(schedule: Schedule, base_lr: f32) -> Result<Self> {
        schedule.validate()?;
        Ok(LrSchedule {
            schedule,
            base_lr,
            current: base_lr,
            best: f32::INFINITY,
            wait: 0,
        })
    }

    /// The learning rate for optimizer step `step` (counted from 0).
    pub fn rate(&self, step: usize) -> f32 {
        let lr0 = self.base_lr as f64;
        let s = step as f64;
        let lr = match &self.schedule {
            Schedule::Constant => lr0,
            Schedule::Exponential {
                decay_rate,
                decay_steps,
                staircase,
            } => {
                let mut p = s / (*decay_steps).max(1) as f64;
                if *staircase {
                    p = p.floor();
                }
                lr0 * (*decay_rate as f64).powf(p)
            }
            Schedule::Piecewise { boundaries, values } => {
                let i = boundaries.iter().take_while(|&&b| step > b).count();
                values.get(i).or(values.last()).map_or(lr0, |&v| v as f64)
            }
            Schedule::Performance { .. } => self.current as f64,
            Schedule::OneCycle {
                total_steps,
                pct_start,
                div_factor,
                final_div_factor,
            } => {
                let total = (*total_steps).max(2) as f64;
                let initial = lr0 / *div_factor as f64;
                let min = initial / *final_div_factor as f64;
                let p = *pct_start as f64;
                let phases = [
                    (p * total - 1.0, initial, lr0),
                    (2.0 * p * total - 2.0, lr0, initial),
                    (total - 1.0, initial, min),
                ];
                let s = s.min(total - 1.0);
                let mut start = 0.0;
                let mut lr = min;
                for (i, &(end, from, to)) in phases.iter().enumerate() {
                    if s <= end || i == phases.len() - 1 {
                        let span = end - start;
                        let pct = if span > 0.0 { (s - start) / span } else { 1.0 };
                        lr = from + (to - from) * pct;
                        break;
                    }
                    start = end;
                }
                lr
            }
        };
        lr as f32
    }

    /// Reports the monitored loss at the end of an epoch (only the performance schedule uses it).
    pub fn end_epoch(&mut self, loss: f32) {
        if let Schedule::Performance {
            factor,
            patience,
            min_delta,
            min_lr,
        } = self.schedule
        {
            if loss < self.best - min_delta {
                self.best = loss;
                self.wait = 0;
            } else {
                self.wait += 1;
                if self.wait >= patience {
                    self.current = (self.current * factor).max(min_lr);
                    self.wait = 0;
                }
            }
        }
    }
}
