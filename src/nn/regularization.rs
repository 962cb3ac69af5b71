//! Regularisation: L1/L2 penalties added to the loss (Keras's `l1_l2`: `l1 sum|w| + l2 sum w^2`),
//! and the max-norm constraint applied to the weights after each optimizer step.

use crate::autodiff::{Tape, Var};
use crate::error::Result;
use crate::tensor::Tensor;

/// `l1 * sum(|w|) + l2 * sum(w^2)` on the tape, or `None` when both factors are zero.
pub fn l1_l2_penalty(tape: &mut Tape, w: Var, l1: f32, l2: f32) -> Result<Option<Var>> {
    let mut total: Option<Var> = None;
    if l1 != 0.0 {
        let a = tape.abs(w);
        let s = tape.sum(a);
        total = Some(tape.scale(s, l1));
    }
    if l2 != 0.0 {
        let sq = tape.square(w);
        let s = tape.sum(sq);
        let p = tape.scale(s, l2);
        total = Some(match total {
            Some(t) => tape.add(t, p)?,
            None => p,
        });
    }
    Ok(total)
}

/// Keras's `MaxNorm(max_value, axis=0)` on an (inputs, units) kernel: each unit's incoming weight
/// vector (a column) is scaled by `clip(norm, 0, max) / (norm + 1e-7)`, so columns within the
/// bound keep their length (to within 1e-7) and longer ones are shrunk to `max`.
pub fn max_norm(w: &Tensor, max: f32) -> Result<Tensor> {
    let norms = w.square().sum_axis(0, true)?.sqrt();
    let desired = norms.minimum(&Tensor::scalar(max.max(0.0)))?;
    w.mul(&desired.div(&norms.add_scalar(1e-7))?)
}
