//! Regression metrics with scikit-learn's definitions (including its R² conventions for a constant
//! target). Inputs must have equal length; callers check shapes before predicting.

use ndarray::ArrayView1;

pub fn mean_squared_error(y_true: ArrayView1<f64>, y_pred: ArrayView1<f64>) -> f64 {
    let n = y_true.len().max(1) as f64;
    y_true
        .iter()
        .zip(y_pred)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        / n
}

pub fn root_mean_squared_error(y_true: ArrayView1<f64>, y_pred: ArrayView1<f64>) -> f64 {
    mean_squared_error(y_true, y_pred).sqrt()
}

pub fn mean_absolute_error(y_true: ArrayView1<f64>, y_pred: ArrayView1<f64>) -> f64 {
    let n = y_true.len().max(1) as f64;
    y_true
        .iter()
        .zip(y_pred)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / n
}

/// `1 - SS_res / SS_tot`; for a constant target scikit-learn returns 1 for a perfect fit, else 0.
pub fn r2_score(y_true: ArrayView1<f64>, y_pred: ArrayView1<f64>) -> f64 {
    let mean = y_true.mean().unwrap_or(0.0);
    let ss_res: f64 = y_true
        .iter()
        .zip(y_pred)
        .map(|(a, b)| (a - b) * (a - b))
        .sum();
    let ss_tot: f64 = y_true.iter().map(|a| (a - mean) * (a - mean)).sum();
    if ss_tot == 0.0 {
        return if ss_res == 0.0 { 1.0 } else { 0.0 };
    }
    1.0 - ss_res / ss_tot
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn metrics_match_hand_computation() {
        let t = array![3.0, -0.5, 2.0, 7.0];
        let p = array![2.5, 0.0, 2.0, 8.0];
        assert!((mean_squared_error(t.view(), p.view()) - 0.375).abs() < 1e-12);
        assert!((mean_absolute_error(t.view(), p.view()) - 0.5).abs() < 1e-12);
        // scikit-learn's documented example value.
        assert!((r2_score(t.view(), p.view()) - 0.948_608_137_044_967_9).abs() < 1e-12);
        assert_eq!(
            r2_score(array![1.0, 1.0].view(), array![1.0, 1.0].view()),
            1.0
        );
        assert_eq!(
            r2_score(array![1.0, 1.0].view(), array![1.0, 2.0].view()),
            0.0
        );
    }
}
