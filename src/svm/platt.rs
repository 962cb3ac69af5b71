//! Class probabilities for a two-class [`Svc`] by Platt scaling: a sigmoid
//! `P(classes[1] | f) = 1 / (1 + e^(A·f + B))` of the decision value `f`, fitted by libsvm's
//! `sigmoid_train` (Newton's method with backtracking, Lin, Lin and Weng 2007). scikit-learn's
//! `SVC(probability=True)` (deprecated in 1.9 for `CalibratedClassifierCV(SVC(), ensemble=False)`)
//! fits the sigmoid on 5-fold cross-validated decision values; [`PlattSvc`] fits it on the
//! model's own training decision values, which is cheaper (one SVC fit instead of six) and a
//! little overconfident.

use super::{Svc, SvcParams};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// An SVC with a fitted probability sigmoid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlattSvc {
    pub svc: Svc,
    /// The sigmoid's slope `A` (negative when larger decision values mean `classes[1]`) and
    /// offset `B`.
    pub a: f64,
    pub b: f64,
}

impl PlattSvc {
    /// Fits the SVC, then the sigmoid on its training decision values; two classes only.
    pub fn fit(params: &SvcParams, data: &Dataset) -> Result<Self> {
        let svc = params.fit(data)?;
        if svc.classes.len() != 2 {
            return Err(Error::invalid(
                "estimators",
                format!("an SVC on {} classes", svc.classes.len()),
                "SVC probabilities (Platt scaling) for two classes only",
            ));
        }
        let dec = svc.decision_function(data.x.view())?;
        let positive: Vec<bool> = data.y.iter().map(|&v| v == svc.classes[1]).collect();
        let (a, b) = sigmoid_train(&dec.column(0).to_vec(), &positive);
        Ok(PlattSvc { svc, a, b })
    }

    pub fn classes(&self) -> &[f64] {
        &self.svc.classes
    }

    /// Two columns, `classes[0]` then `classes[1]`.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let dec = self.svc.decision_function(x)?;
        Ok(Array2::from_shape_fn((x.nrows(), 2), |(r, c)| {
            let p1 = sigmoid_predict(dec[[r, 0]], self.a, self.b);
            if c == 1 {
                p1
            } else {
                1.0 - p1
            }
        }))
    }
}

impl Classifier for PlattSvc {
    /// The SVC's own labels (the sign of the decision value), as scikit-learn's `predict`, which
    /// can disagree with the larger probability near the boundary.
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        self.svc.predict(x)
    }
}

/// `1 / (1 + e^(A f + B))` without overflow.
fn sigmoid_predict(f: f64, a: f64, b: f64) -> f64 {
    let t = f * a + b;
    if t >= 0.0 {
        (-t).exp() / (1.0 + (-t).exp())
    } else {
        1.0 / (1.0 + t.exp())
    }
}

/// libsvm's `sigmoid_train`: the (A, B) minimising the cross-entropy against Platt's smoothed
/// targets `(N₊ + 1)/(N₊ + 2)` and `1/(N₋ + 2)`.
fn sigmoid_train(dec: &[f64], positive: &[bool]) -> (f64, f64) {
    let prior1 = positive.iter().filter(|&&p| p).count() as f64;
    let prior0 = positive.len() as f64 - prior1;
    let (hi, lo) = ((prior1 + 1.0) / (prior1 + 2.0), 1.0 / (prior0 + 2.0));
    let t: Vec<f64> = positive.iter().map(|&p| if p { hi } else { lo }).collect();
    let objective = |a: f64, b: f64| -> f64 {
        dec.iter()
            .zip(&t)
            .map(|(&f, &t)| {
                let z = f * a + b;
                if z >= 0.0 {
                    t * z + (-z).exp().ln_1p()
                } else {
                    (t - 1.0) * z + z.exp().ln_1p()
                }
            })
            .sum()
    };
    let (min_step, sigma, eps) = (1e-10, 1e-12, 1e-5);
    let (mut a, mut b) = (0.0, ((prior0 + 1.0) / (prior1 + 1.0)).ln());
    let mut fval = objective(a, b);
    for _ in 0..100 {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (sigma, sigma, 0.0, 0.0, 0.0);
        for (&f, &t) in dec.iter().zip(&t) {
            let z = f * a + b;
            let (p, q) = if z >= 0.0 {
                let e = (-z).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e))
            } else {
                let e = z.exp();
                (1.0 / (1.0 + e), e / (1.0 + e))
            };
            let d2 = p * q;
            h11 += f * f * d2;
            h22 += d2;
            h21 += f * d2;
            let d1 = t - p;
            g1 += f * d1;
            g2 += d1;
        }
        if g1.abs() < eps && g2.abs() < eps {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;
        let mut step = 1.0;
        while step >= min_step {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = objective(na, nb);
            if nf < fval + 1e-4 * step * gd {
                (a, b, fval) = (na, nb, nf);
                break;
            }
            step /= 2.0;
        }
        if step < min_step {
            break;
        }
    }
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_is_steeper_for_separable_values_and_favours_the_positive_side() {
        let dec = [-2.0, -1.5, -1.0, -0.2, 0.3, 1.0, 1.4, 2.2];
        let y = [false, false, false, true, false, true, true, true];
        let (a, b) = sigmoid_train(&dec, &y);
        assert!(
            a < 0.0,
            "larger decision values mean the positive class: {a}"
        );
        assert!(sigmoid_predict(2.0, a, b) > 0.8 && sigmoid_predict(-2.0, a, b) < 0.2);
    }
}
