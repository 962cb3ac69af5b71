//! The loss shapes of the custom-loss menu, each recorded from tape ops, and ℓ(r), ℓ'(r) on a
//! grid of residuals (from `backward` and from a central difference).

use crate::autodiff::{Tape, Var};
use crate::demos::Params;
use crate::error::Result;
use crate::tensor::Tensor;

/// ℓ(r) and ℓ'(r) are drawn for residuals in [-R, R], at an even number of points so that none
/// falls on the kink at 0.
pub(super) const CURVE_RANGE: f32 = 6.0;
const CURVE_POINTS: usize = 240;
/// The finite-difference step for ℓ'(r): small against the grid spacing (0.05), so no difference
/// straddles the kink at 0.
const CURVE_STEP: f32 = 1e-3;

/// The loss shapes of the menu, each built from tape ops.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LossShape {
    Square,
    Abs,
    /// Threshold δ.
    Huber(f32),
    LogCosh,
    /// Quantile τ.
    Quantile(f32),
    /// w·r² + (1 − w)·|r|.
    Mix(f32),
}

impl LossShape {
    pub(super) fn from_params(params: &Params) -> Self {
        match params.choice("loss") {
            "square" => LossShape::Square,
            "abs" => LossShape::Abs,
            "log-cosh" => LossShape::LogCosh,
            "quantile" => LossShape::Quantile(params.f64("tau") as f32),
            "mix" => LossShape::Mix(params.f64("mix") as f32),
            _ => LossShape::Huber(params.f64("delta") as f32),
        }
    }

    /// How the shape is composed, for the panel title.
    pub(super) fn formula(self) -> String {
        match self {
            LossShape::Square => "ℓ(r) = square(r)".into(),
            LossShape::Abs => "ℓ(r) = abs(r)".into(),
            LossShape::Huber(d) => format!("ℓ = ½·min(|r|,{d})² + {d}·relu(|r|−{d})"),
            LossShape::LogCosh => "ℓ = |r| + softplus(−2|r|) − ln 2".into(),
            LossShape::Quantile(t) => format!("ℓ = {t}·relu(−r) + {}·relu(r)", round2(1.0 - t)),
            LossShape::Mix(w) => format!("ℓ = {w}·r² + {}·|r|", round2(1.0 - w)),
        }
    }

    /// Records ℓ applied to every element of `r` (the residuals ŷ − y) and returns it.
    pub fn record(self, tape: &mut Tape, r: Var) -> Result<Var> {
        Ok(match self {
            LossShape::Square => tape.square(r),
            LossShape::Abs => tape.abs(r),
            // min(|r|, δ) = |r| − relu(|r| − δ): quadratic inside, linear beyond.
            LossShape::Huber(delta) => {
                let a = tape.abs(r);
                let shifted = tape.add_scalar(a, -delta);
                let over = tape.relu(shifted);
                let inside = tape.sub(a, over)?;
                let sq = tape.square(inside);
                let half = tape.scale(sq, 0.5);
                let lin = tape.scale(over, delta);
                tape.add(half, lin)?
            }
            // log cosh r written so that exp never overflows: |r| + log(1 + exp(−2|r|)) − log 2.
            LossShape::LogCosh => {
                let a = tape.abs(r);
                let m = tape.scale(a, -2.0);
                let sp = tape.softplus(m);
                let s = tape.add(a, sp)?;
                tape.add_scalar(s, -std::f32::consts::LN_2)
            }
            // Under-predicting (r < 0) costs τ per unit, over-predicting 1 − τ.
            LossShape::Quantile(tau) => {
                let neg = tape.neg(r);
                let under = tape.relu(neg);
                let over = tape.relu(r);
                let a = tape.scale(under, tau);
                let b = tape.scale(over, 1.0 - tau);
                tape.add(a, b)?
            }
            LossShape::Mix(w) => {
                let sq = tape.square(r);
                let ab = tape.abs(r);
                let a = tape.scale(sq, w);
                let b = tape.scale(ab, 1.0 - w);
                tape.add(a, b)?
            }
        })
    }
}

fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

/// The loss shape sampled on the residual grid.
pub(super) struct Curve {
    pub(super) grid: Vec<f32>,
    pub(super) values: Vec<f32>,
    /// ℓ'(r) from `backward`.
    pub(super) autodiff: Vec<f32>,
    /// ℓ'(r) from a central difference of the forward pass.
    pub(super) numerical: Vec<f64>,
}

/// ℓ(r) on the curve grid, ℓ'(r) from `backward` and from a central difference of the forward
/// pass (both in f32, the difference divided by the step f32 really took).
pub(super) fn curve(shape: LossShape) -> Result<Curve> {
    let grid: Vec<f32> = (0..CURVE_POINTS)
        .map(|i| -CURVE_RANGE + (i as f32 + 0.5) * 2.0 * CURVE_RANGE / CURVE_POINTS as f32)
        .collect();
    let mut tape = Tape::new();
    let r = tape.leaf(Tensor::from_vec(grid.clone(), &[CURVE_POINTS])?);
    let l = shape.record(&mut tape, r)?;
    let total = tape.sum(l);
    tape.backward(total)?;
    let values = tape.value(l).to_vec();
    let autodiff = tape
        .grad(r)
        .map(Tensor::to_vec)
        .unwrap_or_else(|| vec![0.0; CURVE_POINTS]);
    let forward = |shift: f32| -> Result<(Vec<f32>, Vec<f32>)> {
        let moved: Vec<f32> = grid.iter().map(|g| g + shift).collect();
        let mut t = Tape::new();
        let rc = t.constant(Tensor::from_vec(moved.clone(), &[CURVE_POINTS])?);
        let lc = shape.record(&mut t, rc)?;
        Ok((moved, t.value(lc).to_vec()))
    };
    let (plus_at, plus) = forward(CURVE_STEP)?;
    let (minus_at, minus) = forward(-CURVE_STEP)?;
    let numerical = (0..CURVE_POINTS)
        .map(|i| (plus[i] as f64 - minus[i] as f64) / (plus_at[i] as f64 - minus_at[i] as f64))
        .collect();
    Ok(Curve {
        grid,
        values,
        autodiff,
        numerical,
    })
}
