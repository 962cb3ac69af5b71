//! Classification metrics with scikit-learn's definitions: accuracy, precision / recall / F1
//! (binary, micro, macro, weighted), the confusion matrix, ROC and precision-recall curves, ROC AUC
//! and the log-loss. Labels are class values stored as `f64`, like `Dataset::y`.
//!
//! Where scikit-learn warns and returns 0 for an undefined ratio (`zero_division="warn"`), these
//! return 0 too; where it returns NaN (ROC AUC with one class in `y_true`), these return NaN.
//! Bad input (lengths differ, no samples, NaN labels) is an error, never a panic.

use crate::error::{Error, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// How per-class scores are combined (scikit-learn's `average`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Average {
    /// Only the class `pos_label`; the labels must have at most two distinct values.
    Binary,
    /// Counts summed over every class first (equals accuracy for single-label data).
    Micro,
    /// Unweighted mean of the per-class scores.
    Macro,
    /// Mean of the per-class scores weighted by each class's number of true samples.
    Weighted,
}

/// Equal, non-zero lengths and finite values.
fn check_pair(y_true: ArrayView1<f64>, other: ArrayView1<f64>, what: &str) -> Result<()> {
    if y_true.len() != other.len() {
        return Err(Error::Shape(format!(
            "y_true has {} values but {what} has {}",
            y_true.len(),
            other.len()
        )));
    }
    if y_true.is_empty() {
        return Err(Error::EmptyData("no samples to score".into()));
    }
    if let Some(i) = y_true.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite(format!("y_true value {i}")));
    }
    if let Some(i) = other.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite(format!("{what} value {i}")));
    }
    Ok(())
}

/// The distinct values of the given label arrays, sorted ascending.
pub fn unique_labels<'a>(arrays: impl IntoIterator<Item = ArrayView1<'a, f64>>) -> Vec<f64> {
    let mut all: Vec<f64> = arrays.into_iter().flat_map(|a| a.to_vec()).collect();
    all.sort_by(f64::total_cmp);
    all.dedup();
    all
}

/// The fraction of samples whose predicted label equals the true one.
pub fn accuracy_score(y_true: ArrayView1<f64>, y_pred: ArrayView1<f64>) -> Result<f64> {
    check_pair(y_true, y_pred, "y_pred")?;
    let hits = y_true.iter().zip(y_pred).filter(|(a, b)| a == b).count();
    Ok(hits as f64 / y_true.len() as f64)
}

/// Counts of samples per (true label, predicted label), rows and columns in `labels` order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// Every label seen in `y_true` or `y_pred`, sorted.
    pub labels: Vec<f64>,
    /// `matrix[[i, j]]`: samples of true class `labels[i]` predicted as `labels[j]`.
    pub matrix: Array2<usize>,
}

pub fn confusion_matrix(
    y_true: ArrayView1<f64>,
    y_pred: ArrayView1<f64>,
) -> Result<ConfusionMatrix> {
    check_pair(y_true, y_pred, "y_pred")?;
    let labels = unique_labels([y_true, y_pred]);
    let index = |v: f64| labels.partition_point(|l| *l < v);
    let mut matrix = Array2::zeros((labels.len(), labels.len()));
    for (&t, &p) in y_true.iter().zip(y_pred) {
        matrix[[index(t), index(p)]] += 1;
    }
    Ok(ConfusionMatrix { labels, matrix })
}

/// Precision, recall and F1 together, as scikit-learn's `precision_recall_fscore_support`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PrecisionRecallF1 {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// `a / b`, or 0 where scikit-learn's `zero_division="warn"` would warn and give 0.
fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        a / b
    }
}

/// Per-class true positives, predicted counts and true counts, for the classes in `labels`.
fn per_class_counts(
    y_true: ArrayView1<f64>,
    y_pred: ArrayView1<f64>,
    labels: &[f64],
) -> Vec<(f64, f64, f64)> {
    labels
        .iter()
        .map(|&l| {
            let mut tp = 0.0;
            let mut predicted = 0.0;
            let mut actual = 0.0;
            for (&t, &p) in y_true.iter().zip(y_pred) {
                tp += f64::from(t == l && p == l);
                predicted += f64::from(p == l);
                actual += f64::from(t == l);
            }
            (tp, predicted, actual)
        })
        .collect()
}

/// Precision `tp / (tp + fp)`, recall `tp / (tp + fn)` and F1 `2 tp / (2 tp + fp + fn)`, combined
/// over classes by `average`. `pos_label` is only used with [`Average::Binary`].
pub fn precision_recall_f1(
    y_true: ArrayView1<f64>,
    y_pred: ArrayView1<f64>,
    average: Average,
    pos_label: f64,
) -> Result<PrecisionRecallF1> {
    check_pair(y_true, y_pred, "y_pred")?;
    let present = unique_labels([y_true, y_pred]);
    let labels = match average {
        Average::Binary => {
            if present.len() > 2 {
                return Err(Error::invalid(
                    "average",
                    "binary",
                    format!(
                        "micro, macro or weighted: the labels have {} classes",
                        present.len()
                    ),
                ));
            }
            if present.len() == 2 && !present.contains(&pos_label) {
                return Err(Error::invalid(
                    "pos_label",
                    pos_label,
                    format!("one of the labels {present:?}"),
                ));
            }
            vec![pos_label]
        }
        _ => present,
    };
    let counts = per_class_counts(y_true, y_pred, &labels);
    let score = |(tp, predicted, actual): (f64, f64, f64)| PrecisionRecallF1 {
        precision: ratio(tp, predicted),
        recall: ratio(tp, actual),
        f1: ratio(2.0 * tp, predicted + actual),
    };
    Ok(match average {
        Average::Binary | Average::Micro => {
            let summed = counts
                .iter()
                .fold((0.0, 0.0, 0.0), |s, c| (s.0 + c.0, s.1 + c.1, s.2 + c.2));
            score(summed)
        }
        Average::Macro | Average::Weighted => {
            let weights: Vec<f64> = counts
                .iter()
                .map(|c| if average == Average::Macro { 1.0 } else { c.2 })
                .collect();
            let total: f64 = weights.iter().sum();
            let mean = |f: fn(&PrecisionRecallF1) -> f64| {
                let s: f64 = counts
                    .iter()
                    .zip(&weights)
                    .map(|(&c, w)| w * f(&score(c)))
                    .sum();
                ratio(s, total)
            };
            PrecisionRecallF1 {
                precision: mean(|s| s.precision),
                recall: mean(|s| s.recall),
                f1: mean(|s| s.f1),
            }
        }
    })
}

pub fn precision_score(
    y_true: ArrayView1<f64>,
    y_pred: ArrayView1<f64>,
    average: Average,
    pos_label: f64,
) -> Result<f64> {
    precision_recall_f1(y_true, y_pred, average, pos_label).map(|s| s.precision)
}

pub fn recall_score(
    y_true: ArrayView1<f64>,
    y_pred: ArrayView1<f64>,
    average: Average,
    pos_label: f64,
) -> Result<f64> {
    precision_recall_f1(y_true, y_pred, average, pos_label).map(|s| s.recall)
}

pub fn f1_score(
    y_true: ArrayView1<f64>,
    y_pred: ArrayView1<f64>,
    average: Average,
    pos_label: f64,
) -> Result<f64> {
    precision_recall_f1(y_true, y_pred, average, pos_label).map(|s| s.f1)
}

/// Cumulative false and true positives at each distinct score, scores descending (scikit-learn's
/// `confusion_matrix_at_thresholds`): at index `i`, the samples scored `>= thresholds[i]`.
struct ThresholdCounts {
    fps: Vec<f64>,
    tps: Vec<f64>,
    thresholds: Vec<f64>,
}

fn counts_at_thresholds(
    y_true: ArrayView1<f64>,
    y_score: ArrayView1<f64>,
    pos_label: f64,
) -> Result<ThresholdCounts> {
    check_pair(y_true, y_score, "y_score")?;
    let mut order: Vec<usize> = (0..y_score.len()).collect();
    order.sort_by(|&a, &b| y_score[b].total_cmp(&y_score[a]));
    let (mut fps, mut tps, mut thresholds) = (Vec::new(), Vec::new(), Vec::new());
    let mut tp = 0.0;
    for (k, &i) in order.iter().enumerate() {
        tp += f64::from(y_true[i] == pos_label);
        // Only the last sample of a run of equal scores closes a threshold.
        let last_of_run = order
            .get(k + 1)
            .is_none_or(|&next| y_score[next] != y_score[i]);
        if last_of_run {
            tps.push(tp);
            fps.push((k + 1) as f64 - tp);
            thresholds.push(y_score[i]);
        }
    }
    Ok(ThresholdCounts {
        fps,
        tps,
        thresholds,
    })
}

/// The receiver operating characteristic: false and true positive rates as the threshold falls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RocCurve {
    pub fpr: Vec<f64>,
    pub tpr: Vec<f64>,
    /// Decreasing; the first is +infinity (nothing predicted positive), so the curve starts at (0, 0).
    pub thresholds: Vec<f64>,
}

/// scikit-learn's `roc_curve(y_true, y_score, pos_label=pos_label)` with `drop_intermediate=True`:
/// points on straight segments are dropped. With no negative (positive) sample, `fpr` (`tpr`) is NaN.
pub fn roc_curve(
    y_true: ArrayView1<f64>,
    y_score: ArrayView1<f64>,
    pos_label: f64,
) -> Result<RocCurve> {
    let ThresholdCounts {
        mut fps,
        mut tps,
        mut thresholds,
    } = counts_at_thresholds(y_true, y_score, pos_label)?;
    if fps.len() > 2 {
        // Keep the ends and every point where the curve bends (a non-zero second difference).
        let n = fps.len();
        let keep: Vec<usize> = (0..n)
            .filter(|&i| {
                i == 0
                    || i == n - 1
                    || fps[i + 1] - 2.0 * fps[i] + fps[i - 1] != 0.0
                    || tps[i + 1] - 2.0 * tps[i] + tps[i - 1] != 0.0
            })
            .collect();
        fps = keep.iter().map(|&i| fps[i]).collect();
        tps = keep.iter().map(|&i| tps[i]).collect();
        thresholds = keep.iter().map(|&i| thresholds[i]).collect();
    }
    fps.insert(0, 0.0);
    tps.insert(0, 0.0);
    thresholds.insert(0, f64::INFINITY);
    let rate = |counts: &[f64]| {
        let total = counts.last().copied().unwrap_or(0.0);
        counts
            .iter()
            .map(|c| if total > 0.0 { c / total } else { f64::NAN })
            .collect()
    };
    Ok(RocCurve {
        fpr: rate(&fps),
        tpr: rate(&tps),
        thresholds,
    })
}

/// The area under a curve by the trapezoidal rule (scikit-learn's `auc`); `x` must be monotonic.
pub fn auc(x: &[f64], y: &[f64]) -> Result<f64> {
    if x.len() != y.len() {
        return Err(Error::Shape(format!(
            "x has {} points but y has {}",
            x.len(),
            y.len()
        )));
    }
    if x.len() < 2 {
        return Err(Error::EmptyData(format!(
            "at least 2 points are needed to compute the area under a curve, got {}",
            x.len()
        )));
    }
    let rising = x.windows(2).all(|w| w[1] >= w[0]);
    let falling = x.windows(2).all(|w| w[1] <= w[0]);
    if !rising && !falling {
        return Err(Error::invalid("x", "unordered", "increasing or decreasing"));
    }
    let area: f64 = x
        .windows(2)
        .zip(y.windows(2))
        .map(|(xs, ys)| (xs[1] - xs[0]) * (ys[0] + ys[1]) / 2.0)
        .sum();
    Ok(if falling && !rising { -area } else { area })
}

/// Area under the ROC curve for binary labels; the larger label is the positive class, as in
/// scikit-learn. With only one class in `y_true` the AUC is undefined: NaN, like scikit-learn.
pub fn roc_auc_score(y_true: ArrayView1<f64>, y_score: ArrayView1<f64>) -> Result<f64> {
    check_pair(y_true, y_score, "y_score")?;
    let classes = unique_labels([y_true]);
    match classes.as_slice() {
        [_] => Ok(f64::NAN),
        [_, positive] => {
            let roc = roc_curve(y_true, y_score, *positive)?;
            auc(&roc.fpr, &roc.tpr)
        }
        _ => Err(Error::invalid(
            "y_true",
            format!("{} classes", classes.len()),
            "binary labels (two classes) for roc_auc_score",
        )),
    }
}

/// Precision and recall as the threshold falls, reversed so recall decreases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionRecallCurve {
    /// One longer than `thresholds`: the last point is (recall 0, precision 1).
    pub precision: Vec<f64>,
    pub recall: Vec<f64>,
    /// Increasing distinct scores.
    pub thresholds: Vec<f64>,
}

/// scikit-learn's `precision_recall_curve(y_true, y_score, pos_label=pos_label)` (its default
/// `drop_intermediate=False`). Without positive samples recall is 1 everywhere, as there.
pub fn precision_recall_curve(
    y_true: ArrayView1<f64>,
    y_score: ArrayView1<f64>,
    pos_label: f64,
) -> Result<PrecisionRecallCurve> {
    let c = counts_at_thresholds(y_true, y_score, pos_label)?;
    let positives = c.tps.last().copied().unwrap_or(0.0);
    let mut precision: Vec<f64> = c
        .tps
        .iter()
        .zip(&c.fps)
        .map(|(tp, fp)| ratio(*tp, tp + fp))
        .rev()
        .collect();
    let mut recall: Vec<f64> = c
        .tps
        .iter()
        .map(|tp| if positives > 0.0 { tp / positives } else { 1.0 })
        .rev()
        .collect();
    precision.push(1.0);
    recall.push(0.0);
    let thresholds = c.thresholds.into_iter().rev().collect();
    Ok(PrecisionRecallCurve {
        precision,
        recall,
        thresholds,
    })
}

/// The mean negative log-likelihood of the true classes (scikit-learn's `log_loss`). `proba` has
/// one column per entry of `classes` (sorted, as a classifier's `classes`). Probabilities are
/// clipped to `[eps, 1 - eps]` with `eps` the machine epsilon and, as in scikit-learn 1.9, rows
/// are not renormalised.
pub fn log_loss(y_true: ArrayView1<f64>, proba: ArrayView2<f64>, classes: &[f64]) -> Result<f64> {
    if proba.nrows() != y_true.len() || proba.ncols() != classes.len() {
        return Err(Error::Shape(format!(
            "proba is {}x{} but there are {} samples and {} classes",
            proba.nrows(),
            proba.ncols(),
            y_true.len(),
            classes.len()
        )));
    }
    if y_true.is_empty() {
        return Err(Error::EmptyData("no samples to score".into()));
    }
    if proba.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite("proba".into()));
    }
    let mut total = 0.0;
    for (i, (&t, row)) in y_true.iter().zip(proba.rows()).enumerate() {
        let k = classes.iter().position(|&c| c == t).ok_or_else(|| {
            Error::invalid(
                "y_true",
                format!("{t} (sample {i})"),
                format!("one of the classes {classes:?}"),
            )
        })?;
        let p = row[k].clamp(f64::EPSILON, 1.0 - f64::EPSILON);
        total -= p.ln();
    }
    Ok(total / y_true.len() as f64)
}

/// Index of the largest value, the first on ties (as numpy's `argmax`); 0 when empty. NaNs are
/// never the largest.
pub fn argmax<'a>(values: impl IntoIterator<Item = &'a f64>) -> usize {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, &v) in values.into_iter().enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}

/// Labels from scores: the class with the largest score per row (first on ties), as `argmax`.
pub fn argmax_labels(scores: ArrayView2<f64>, classes: &[f64]) -> Array1<f64> {
    Array1::from_iter(
        scores
            .rows()
            .into_iter()
            .map(|row| classes.get(argmax(row)).copied().unwrap_or(f64::NAN)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn scikit_learn_documentation_examples() {
        // roc_curve docstring: y = [1, 1, 2, 2], scores = [0.1, 0.4, 0.35, 0.8], pos_label = 2.
        let y = array![1.0, 1.0, 2.0, 2.0];
        let s = array![0.1, 0.4, 0.35, 0.8];
        let roc = roc_curve(y.view(), s.view(), 2.0).unwrap();
        assert_eq!(roc.fpr, vec![0.0, 0.0, 0.5, 0.5, 1.0]);
        assert_eq!(roc.tpr, vec![0.0, 0.5, 0.5, 1.0, 1.0]);
        assert_eq!(roc.thresholds[1..], [0.8, 0.4, 0.35, 0.1]);
        assert!(roc.thresholds[0].is_infinite());
        assert_eq!(roc_auc_score(y.view(), s.view()).unwrap(), 0.75);
        // precision_recall_curve docstring.
        let y = array![0.0, 0.0, 1.0, 1.0];
        let pr = precision_recall_curve(y.view(), s.view(), 1.0).unwrap();
        let expected_p = [0.5, 2.0 / 3.0, 0.5, 1.0, 1.0];
        assert!(pr
            .precision
            .iter()
            .zip(expected_p)
            .all(|(a, b)| (a - b).abs() < 1e-15));
        assert_eq!(pr.recall, vec![1.0, 1.0, 0.5, 0.5, 0.0]);
        assert_eq!(pr.thresholds, vec![0.1, 0.35, 0.4, 0.8]);
        // f1_score docstring: macro 0.267, micro 0.333, weighted 0.267.
        let t = array![0.0, 1.0, 2.0, 0.0, 1.0, 2.0];
        let p = array![0.0, 2.0, 1.0, 0.0, 0.0, 1.0];
        let f = |a| f1_score(t.view(), p.view(), a, 1.0).unwrap();
        assert!((f(Average::Macro) - 0.8 / 3.0).abs() < 1e-12);
        assert!((f(Average::Micro) - 1.0 / 3.0).abs() < 1e-12);
        assert!((f(Average::Weighted) - 0.8 / 3.0).abs() < 1e-12);
        let cm = confusion_matrix(t.view(), p.view()).unwrap();
        assert_eq!(cm.matrix, array![[2, 0, 0], [1, 0, 1], [0, 2, 0]]);
    }

    #[test]
    fn bad_input_is_an_error() {
        let a = array![0.0, 1.0];
        let b = array![0.0];
        assert!(matches!(
            accuracy_score(a.view(), b.view()),
            Err(Error::Shape(_))
        ));
        let e = Array1::<f64>::zeros(0);
        assert!(matches!(
            accuracy_score(e.view(), e.view()),
            Err(Error::EmptyData(_))
        ));
        let nan = array![0.0, f64::NAN];
        assert!(matches!(
            roc_curve(a.view(), nan.view(), 1.0),
            Err(Error::NonFinite(_))
        ));
        let three = array![0.0, 1.0, 2.0];
        assert!(precision_score(three.view(), three.view(), Average::Binary, 1.0).is_err());
        assert!(precision_score(a.view(), a.view(), Average::Binary, 5.0).is_err());
        assert!(roc_auc_score(array![1.0, 1.0].view(), a.view())
            .unwrap()
            .is_nan());
    }
}
