//! Synthetic datasets. All take an explicit `Rng` so a seed reproduces them exactly.

use super::Dataset;
use crate::rng::Rng;
use ndarray::{Array1, Array2};

/// `y = intercept + slope * x + noise * N(0, 1)` with `x` uniform in `[x_min, x_max]`.
pub fn linear_1d(
    n: usize,
    x_min: f64,
    x_max: f64,
    intercept: f64,
    slope: f64,
    noise: f64,
    rng: &mut Rng,
) -> Dataset {
    let x = Array1::from_iter((0..n).map(|_| rng.uniform_range(x_min, x_max)));
    let y =
        x.mapv(|v| intercept + slope * v) + Array1::from_iter((0..n).map(|_| noise * rng.normal()));
    one_column(x, y)
}

/// `y = sum_k coefs[k] * x^k + noise * N(0, 1)` with `x` uniform in `[x_min, x_max]`.
pub fn polynomial_1d(
    n: usize,
    x_min: f64,
    x_max: f64,
    coefs: &[f64],
    noise: f64,
    rng: &mut Rng,
) -> Dataset {
    let x = Array1::from_iter((0..n).map(|_| rng.uniform_range(x_min, x_max)));
    let y = Array1::from_iter(x.iter().map(|&v| {
        let clean: f64 = coefs
            .iter()
            .enumerate()
            .map(|(k, c)| c * v.powi(k as i32))
            .sum();
        clean + noise * rng.normal()
    }));
    one_column(x, y)
}

fn one_column(x: Array1<f64>, y: Array1<f64>) -> Dataset {
    let n = x.len();
    let x = x
        .into_shape_with_order((n, 1))
        .expect("n values reshape to n x 1");
    Dataset::with_names(x, y, vec!["x".into()], "y".into()).expect("generated shapes agree")
}

/// Regression data with `p` standard-normal features and known coefficients.
pub fn linear_regression(
    n: usize,
    coefs: &[f64],
    intercept: f64,
    noise: f64,
    rng: &mut Rng,
) -> Dataset {
    let p = coefs.len();
    let x = Array2::from_shape_fn((n, p), |_| rng.normal());
    let y = Array1::from_iter(x.rows().into_iter().map(|row| {
        intercept + row.iter().zip(coefs).map(|(a, b)| a * b).sum::<f64>() + noise * rng.normal()
    }));
    Dataset::new(x, y).expect("generated shapes agree")
}
