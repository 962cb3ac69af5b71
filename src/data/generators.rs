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

/// Gaussian blobs: `centers` rows are the cluster centres, each point gets `std` noise per axis;
/// `y` is the blob index (as f64). Points are dealt round-robin, so every blob gets `n / k` or one more.
pub fn blobs(n: usize, centers: &Array2<f64>, std: f64, rng: &mut Rng) -> Dataset {
    let (k, p) = centers.dim();
    let labels: Vec<usize> = (0..n).map(|i| i % k.max(1)).collect();
    let x = Array2::from_shape_fn((n, p), |(i, j)| {
        centers[[labels[i], j]] + std * rng.normal()
    });
    let y = Array1::from_iter(labels.iter().map(|&l| l as f64));
    Dataset::new(x, y).expect("generated shapes agree")
}

/// `k` random blob centres in `[-box_size, box_size]^p`.
pub fn random_centers(k: usize, p: usize, box_size: f64, rng: &mut Rng) -> Array2<f64> {
    Array2::from_shape_fn((k, p), |_| rng.uniform_range(-box_size, box_size))
}

/// Two interleaving half circles (scikit-learn's `make_moons` layout): class 0 is the upper
/// moon centred at (0, 0), class 1 the lower one centred at (1, 0.5); `noise` is Gaussian.
pub fn moons(n: usize, noise: f64, rng: &mut Rng) -> Dataset {
    let n_upper = n / 2;
    let mut x = Array2::zeros((n, 2));
    let mut y = Array1::zeros(n);
    for i in 0..n {
        let (a, b, label) = if i < n_upper {
            let t = std::f64::consts::PI * i as f64 / (n_upper.max(2) - 1) as f64;
            (t.cos(), t.sin(), 0.0)
        } else {
            let m = n - n_upper;
            let t = std::f64::consts::PI * (i - n_upper) as f64 / (m.max(2) - 1) as f64;
            (1.0 - t.cos(), 0.5 - t.sin(), 1.0)
        };
        x[[i, 0]] = a + noise * rng.normal();
        x[[i, 1]] = b + noise * rng.normal();
        y[i] = label;
    }
    Dataset::new(x, y).expect("generated shapes agree")
}

/// Two concentric circles (scikit-learn's `make_circles` layout): class 0 outside (radius 1),
/// class 1 inside (radius `factor`); `noise` is Gaussian.
pub fn circles(n: usize, factor: f64, noise: f64, rng: &mut Rng) -> Dataset {
    let n_outer = n / 2;
    let mut x = Array2::zeros((n, 2));
    let mut y = Array1::zeros(n);
    for i in 0..n {
        let (count, index, radius, label) = if i < n_outer {
            (n_outer, i, 1.0, 0.0)
        } else {
            (n - n_outer, i - n_outer, factor, 1.0)
        };
        let t = 2.0 * std::f64::consts::PI * index as f64 / count.max(1) as f64;
        x[[i, 0]] = radius * t.cos() + noise * rng.normal();
        x[[i, 1]] = radius * t.sin() + noise * rng.normal();
        y[i] = label;
    }
    Dataset::new(x, y).expect("generated shapes agree")
}

/// A swiss roll (scikit-learn's `make_swiss_roll` formula): `t = 1.5π (1 + 2u)` is the position
/// along the spiral, the points are `(t cos t, 21 v, t sin t)` with `u, v` uniform, plus
/// `noise * N(0, 1)` on each coordinate; `y` holds `t`, the coordinate a good 2-D embedding unrolls.
pub fn swiss_roll(n: usize, noise: f64, rng: &mut Rng) -> Dataset {
    let t: Vec<f64> = (0..n)
        .map(|_| 1.5 * std::f64::consts::PI * (1.0 + 2.0 * rng.uniform()))
        .collect();
    let height: Vec<f64> = (0..n).map(|_| 21.0 * rng.uniform()).collect();
    let mut x = Array2::from_shape_fn((n, 3), |(i, j)| match j {
        0 => t[i] * t[i].cos(),
        1 => height[i],
        _ => t[i] * t[i].sin(),
    });
    if noise > 0.0 {
        x.mapv_inplace(|v| v + noise * rng.normal());
    }
    Dataset::new(x, Array1::from(t)).expect("generated shapes agree")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_sets_have_balanced_labels_and_the_right_shape() {
        let mut rng = Rng::new(1);
        let centers = random_centers(3, 2, 5.0, &mut rng);
        let b = blobs(100, &centers, 0.5, &mut rng);
        assert_eq!(b.x.dim(), (100, 2));
        assert_eq!(b.y.iter().filter(|&&l| l == 2.0).count(), 33);
        let m = moons(101, 0.0, &mut rng);
        assert_eq!(m.y.iter().filter(|&&l| l == 0.0).count(), 50);
        // Noise-free moons lie on their circles.
        for (row, &l) in m.x.rows().into_iter().zip(m.y.iter()) {
            let (cx, cy) = if l == 0.0 { (0.0, 0.0) } else { (1.0, 0.5) };
            let r = ((row[0] - cx).powi(2) + (row[1] - cy).powi(2)).sqrt();
            assert!((r - 1.0).abs() < 1e-12);
        }
        let c = circles(80, 0.3, 0.0, &mut rng);
        let inner = c.x.row(60);
        assert!(((inner[0].powi(2) + inner[1].powi(2)).sqrt() - 0.3).abs() < 1e-12);
    }

    #[test]
    fn swiss_roll_lies_on_its_spiral() {
        let roll = swiss_roll(200, 0.0, &mut Rng::new(4));
        assert_eq!(roll.x.dim(), (200, 3));
        for (row, &t) in roll.x.rows().into_iter().zip(roll.y.iter()) {
            assert!((1.5 * std::f64::consts::PI..=4.5 * std::f64::consts::PI).contains(&t));
            assert!(((row[0].powi(2) + row[2].powi(2)).sqrt() - t).abs() < 1e-9);
            assert!((0.0..21.0).contains(&row[1]));
        }
    }
}
