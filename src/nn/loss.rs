//! Losses, each the mean over every element (Keras's default reduction for one output per row),
//! built from tape ops so they run on any device and their gradients come from autodiff.
//! The cross-entropies take logits, not probabilities: `softplus`/`log_softmax` keep them finite.

use crate::autodiff::{Tape, Var};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum Loss {
    /// Mean squared error.
    #[default]
    Mse,
    /// Mean absolute error.
    Mae,
    /// Quadratic for residuals up to `delta`, linear beyond (Keras's default delta is 1).
    Huber { delta: f32 },
    /// Sigmoid cross-entropy of logits against targets in [0, 1]:
    /// `mean(softplus(z) - t z)`, which equals `-t log s(z) - (1 - t) log(1 - s(z))`.
    BinaryCrossEntropy,
    /// Softmax cross-entropy of (batch, classes) logits against one-hot (or soft) targets:
    /// `-sum(t * log_softmax(z)) / batch`.
    CategoricalCrossEntropy,
}

impl Loss {
    /// True for the losses that score classes (accuracy is reported for them).
    pub fn is_classification(self) -> bool {
        matches!(
            self,
            Loss::BinaryCrossEntropy | Loss::CategoricalCrossEntropy
        )
    }

    /// Records the loss of `pred` (outputs or logits) against `target` (same shape): a scalar.
    pub fn forward(self, tape: &mut Tape, pred: Var, target: Var) -> Result<Var> {
        let (ps, ts) = (tape.value(pred).shape(), tape.value(target).shape());
        if ps != ts {
            return Err(Error::Shape(format!(
                "{self:?} loss of predictions {ps:?} against targets {ts:?}: shapes must be equal"
            )));
        }
        if tape.value(pred).numel() == 0 {
            return Err(Error::EmptyData("a loss over an empty batch".into()));
        }
        match self {
            Loss::Mse => tape.mse_loss(pred, target),
            Loss::Mae => {
                let d = tape.sub(pred, target)?;
                let a = tape.abs(d);
                Ok(tape.mean(a))
            }
            Loss::Huber { delta } => {
                let d = tape.sub(pred, target)?;
                let h = tape.huber(d, delta);
                Ok(tape.mean(h))
            }
            Loss::BinaryCrossEntropy => {
                let sp = tape.softplus(pred);
                let tz = tape.mul(target, pred)?;
                let l = tape.sub(sp, tz)?;
                Ok(tape.mean(l))
            }
            Loss::CategoricalCrossEntropy => {
                let shape = tape.value(pred).shape().to_vec();
                if shape.len() != 2 {
                    return Err(Error::Shape(format!(
                        "categorical cross-entropy needs (batch, classes) logits, got {shape:?}"
                    )));
                }
                let logp = tape.log_softmax(pred)?;
                let picked = tape.mul(target, logp)?;
                let total = tape.sum(picked);
                Ok(tape.scale(total, -1.0 / shape[0] as f32))
            }
        }
    }
}
