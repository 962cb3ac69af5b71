//! Gradient checking: `backward` against central finite differences of the forward pass.
//!
//! A function of several tensors is reduced to a scalar `L = sum(out * R)` with fixed random weights
//! `R` (so every output element matters and errors cannot cancel). Each input element is nudged by
//! `+-step`; `L` is accumulated in f64 from the f32 outputs and the actual f32 step is used as the
//! divisor, which keeps the numerical derivative accurate to about 1e-4 even though the forward
//! pass runs in f32.

use super::{Tape, Var};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// How the numerical gradient is taken and compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// The finite-difference step added to and subtracted from each input element.
    pub step: f32,
    /// The largest relative error allowed.
    pub rtol: f64,
    /// Gradients smaller than this in magnitude are compared as if they had this magnitude, so
    /// near-zero gradients are judged by absolute error (`rtol * floor`).
    pub floor: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance {
            step: 1e-3,
            rtol: 1e-2,
            floor: 0.1,
        }
    }
}

/// The outcome of a check over every element of every input.
#[derive(Debug, Clone, PartialEq)]
pub struct GradcheckReport {
    /// max |analytic - numerical|.
    pub max_abs_error: f64,
    /// max |analytic - numerical| / max(|analytic|, |numerical|, floor).
    pub max_rel_error: f64,
    /// (input index, element index, analytic, numerical) where the relative error is largest.
    pub worst: Option<(usize, usize, f64, f64)>,
    /// Number of elements compared.
    pub checked: usize,
    /// `max_rel_error <= rtol`.
    pub passed: bool,
}

/// Runs `f` on the tape with `inputs` as parameters and checks every input's gradient.
pub fn gradcheck<F>(inputs: &[Tensor], tol: Tolerance, f: F) -> Result<GradcheckReport>
where
    F: Fn(&mut Tape, &[Var]) -> Result<Var>,
{
    // Analytic gradients of L = sum(out * R).
    let mut tape = Tape::new();
    let vars: Vec<Var> = inputs.iter().map(|t| tape.leaf(t.clone())).collect();
    let out = f(&mut tape, &vars)?;
    let weights = Tensor::randn(tape.value(out).shape(), 1.0, &mut Rng::new(0x6AD_C4EC));
    let w = tape.constant(weights.clone());
    let weighted = tape.mul(out, w)?;
    let loss = tape.sum(weighted);
    tape.backward(loss)?;
    let r: Vec<f64> = weights.to_vec().iter().map(|&x| x as f64).collect();

    // L evaluated in f64 from a fresh forward pass on perturbed inputs.
    let objective = |ins: &[Tensor]| -> Result<f64> {
        let mut t = Tape::new();
        let vs: Vec<Var> = ins.iter().map(|x| t.constant(x.clone())).collect();
        let o = f(&mut t, &vs)?;
        let values = t.value(o).to_vec();
        if values.len() != r.len() {
            return Err(Error::Shape(format!(
                "gradcheck: the function's output changed shape between calls ({} vs {} elements)",
                values.len(),
                r.len()
            )));
        }
        Ok(values.iter().zip(&r).map(|(&v, &w)| v as f64 * w).sum())
    };

    let mut report = GradcheckReport {
        max_abs_error: 0.0,
        max_rel_error: 0.0,
        worst: None,
        checked: 0,
        passed: true,
    };
    let mut perturbed: Vec<Tensor> = inputs.to_vec();
    for (i, input) in inputs.iter().enumerate() {
        let analytic = match tape.grad(vars[i]) {
            Some(g) => g.to_vec(),
            // An input the output does not depend on has a zero gradient.
            None => vec![0.0; input.numel()],
        };
        let base = input.to_vec();
        for j in 0..base.len() {
            let mut data = base.clone();
            let (plus, minus) = (base[j] + tol.step, base[j] - tol.step);
            data[j] = plus;
            perturbed[i] = Tensor::from_vec(data.clone(), input.shape())?;
            let l_plus = objective(&perturbed)?;
            data[j] = minus;
            perturbed[i] = Tensor::from_vec(data, input.shape())?;
            let l_minus = objective(&perturbed)?;
            let numerical = (l_plus - l_minus) / (plus as f64 - minus as f64);

            let a = analytic[j] as f64;
            let abs = (a - numerical).abs();
            let rel = abs / a.abs().max(numerical.abs()).max(tol.floor);
            report.max_abs_error = report.max_abs_error.max(abs);
            // A NaN error counts as the worst (and as infinite).
            if report.worst.is_none() || rel.is_nan() || rel > report.max_rel_error {
                report.max_rel_error = if rel.is_nan() { f64::INFINITY } else { rel };
                report.worst = Some((i, j, a, numerical));
            }
            report.checked += 1;
        }
        perturbed[i] = input.clone();
    }
    report.passed = report.max_rel_error <= tol.rtol;
    Ok(report)
}
