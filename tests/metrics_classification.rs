//! Classification metrics against scikit-learn on the same labels and scores
//! (`tests/fixtures/classification.json`, written by `scripts/fixtures`): accuracy, precision,
//! recall and F1 under every averaging, confusion matrices, ROC and precision-recall curves
//! (thresholds included), ROC AUC and the log-loss.

// The same tests run natively and, under `wasm-pack test`, compiled to wasm in the browser.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mlplay::error::Error;
use mlplay::metrics::{self, Average};
use ndarray::{array, Array1, Array2};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Fixtures {
    metrics: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    y_true: Vec<f64>,
    y_pred: Vec<f64>,
    y_score: Option<Vec<f64>>,
    pos_label: Option<f64>,
    accuracy: f64,
    confusion_labels: Vec<f64>,
    confusion_matrix: Vec<Vec<usize>>,
    prf: BTreeMap<String, [f64; 3]>,
    roc: Option<Roc>,
    roc_auc: Option<f64>,
    pr: Option<Pr>,
    proba: Option<Vec<Vec<f64>>>,
    log_loss: Option<f64>,
}

#[derive(Deserialize)]
struct Roc {
    fpr: Vec<f64>,
    tpr: Vec<f64>,
    /// The first threshold is +infinity, written as null.
    thresholds: Vec<Option<f64>>,
}

#[derive(Deserialize)]
struct Pr {
    precision: Vec<f64>,
    recall: Vec<f64>,
    thresholds: Vec<f64>,
}

fn cases() -> Vec<Case> {
    let text = include_str!("fixtures/classification.json");
    serde_json::from_str::<Fixtures>(text)
        .expect("fixture JSON")
        .metrics
}

fn close(name: &str, what: &str, ours: &[f64], theirs: &[f64]) {
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{name}: {what} length\nours {ours:?}\nscikit-learn {theirs:?}"
    );
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!(
            (a - b).abs() <= 1e-12 || (a.is_infinite() && a == b),
            "{name}: {what}[{i}] = {a}, scikit-learn {b}"
        );
    }
}

fn average(key: &str) -> Average {
    match key {
        "binary" => Average::Binary,
        "micro" => Average::Micro,
        "macro" => Average::Macro,
        "weighted" => Average::Weighted,
        other => panic!("unknown average {other}"),
    }
}

#[test]
fn metrics_match_scikit_learn() {
    let all = cases();
    assert!(all.len() >= 6);
    for case in &all {
        let name = &case.name;
        let t = Array1::from(case.y_true.clone());
        let p = Array1::from(case.y_pred.clone());
        let acc = metrics::accuracy_score(t.view(), p.view()).unwrap();
        close(name, "accuracy", &[acc], &[case.accuracy]);

        let cm = metrics::confusion_matrix(t.view(), p.view()).unwrap();
        assert_eq!(cm.labels, case.confusion_labels, "{name}: labels");
        let rows: Vec<Vec<usize>> = cm.matrix.rows().into_iter().map(|r| r.to_vec()).collect();
        assert_eq!(rows, case.confusion_matrix, "{name}: confusion matrix");

        assert!(case.prf.len() >= 3, "{name}: averages");
        for (key, expected) in &case.prf {
            let s = metrics::precision_recall_f1(
                t.view(),
                p.view(),
                average(key),
                case.pos_label.unwrap_or(1.0),
            )
            .unwrap_or_else(|e| panic!("{name}: {key}: {e}"));
            close(name, key, &[s.precision, s.recall, s.f1], expected);
            let f1 = metrics::f1_score(
                t.view(),
                p.view(),
                average(key),
                case.pos_label.unwrap_or(1.0),
            )
            .unwrap();
            assert_eq!(f1, s.f1);
        }

        if let (Some(score), Some(pos)) = (&case.y_score, case.pos_label) {
            let s = Array1::from(score.clone());
            let roc = metrics::roc_curve(t.view(), s.view(), pos).unwrap();
            let expected = case.roc.as_ref().expect("roc");
            close(name, "fpr", &roc.fpr, &expected.fpr);
            close(name, "tpr", &roc.tpr, &expected.tpr);
            let thresholds: Vec<f64> = expected
                .thresholds
                .iter()
                .map(|t| t.unwrap_or(f64::INFINITY))
                .collect();
            close(name, "roc thresholds", &roc.thresholds, &thresholds);

            let pr = metrics::precision_recall_curve(t.view(), s.view(), pos).unwrap();
            let expected = case.pr.as_ref().expect("pr");
            close(name, "precision", &pr.precision, &expected.precision);
            close(name, "recall", &pr.recall, &expected.recall);
            close(name, "pr thresholds", &pr.thresholds, &expected.thresholds);

            if let Some(auc) = case.roc_auc {
                let ours = metrics::roc_auc_score(t.view(), s.view()).unwrap();
                close(name, "roc_auc", &[ours], &[auc]);
            }
        }

        if let (Some(proba), Some(expected)) = (&case.proba, case.log_loss) {
            let cols = proba[0].len();
            let proba = Array2::from_shape_vec((proba.len(), cols), proba.concat()).unwrap();
            let classes = metrics::unique_labels([t.view()]);
            let ll = metrics::log_loss(t.view(), proba.view(), &classes).unwrap();
            close(name, "log_loss", &[ll], &[expected]);
        }
    }
    // The fixtures exercise what they claim to: ties, and a class never predicted.
    let tied = all.iter().find(|c| c.name == "binary-tied-scores").unwrap();
    let distinct = metrics::unique_labels([Array1::from(tied.y_score.clone().unwrap()).view()]);
    assert!(distinct.len() < tied.y_true.len() / 3);
}

#[test]
fn micro_average_equals_accuracy_for_single_label_data() {
    for case in cases() {
        let t = Array1::from(case.y_true.clone());
        let p = Array1::from(case.y_pred.clone());
        let s = metrics::precision_recall_f1(t.view(), p.view(), Average::Micro, 1.0).unwrap();
        assert!((s.f1 - case.accuracy).abs() < 1e-12, "{}", case.name);
    }
}

#[test]
fn auc_is_the_probability_a_positive_outranks_a_negative() {
    // Counting pairs (ties count half) gives the same number as the area under the curve.
    let y = array![0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
    let s = array![0.1, 0.9, 0.4, 0.4, 0.8, 0.7, 0.2, 0.3];
    let mut wins = 0.0;
    let mut pairs = 0.0;
    for i in 0..y.len() {
        for j in 0..y.len() {
            if y[i] == 1.0 && y[j] == 0.0 {
                pairs += 1.0;
                wins += if s[i] > s[j] {
                    1.0
                } else if s[i] == s[j] {
                    0.5
                } else {
                    0.0
                };
            }
        }
    }
    let auc = metrics::roc_auc_score(y.view(), s.view()).unwrap();
    assert!(
        (auc - wins / pairs).abs() < 1e-15,
        "{auc} vs {}",
        wins / pairs
    );
}

#[test]
fn undefined_and_invalid_cases() {
    let y = array![1.0, 1.0, 1.0];
    let s = array![0.2, 0.5, 0.9];
    // One class in y_true: AUC undefined (NaN, as scikit-learn), fpr is NaN, tpr defined.
    assert!(metrics::roc_auc_score(y.view(), s.view()).unwrap().is_nan());
    let roc = metrics::roc_curve(y.view(), s.view(), 1.0).unwrap();
    assert!(roc.fpr.iter().all(|v| v.is_nan()));
    assert_eq!(roc.tpr.last(), Some(&1.0));
    // No positive sample: recall is 1 at every threshold.
    let pr = metrics::precision_recall_curve(y.view(), s.view(), 0.0).unwrap();
    assert!(pr.recall[..pr.recall.len() - 1].iter().all(|&r| r == 1.0));
    // Nothing predicted positive: precision 0, not NaN.
    let p = metrics::precision_score(
        array![0.0, 1.0].view(),
        array![0.0, 0.0].view(),
        Average::Binary,
        1.0,
    )
    .unwrap();
    assert_eq!(p, 0.0);

    let short = array![1.0];
    assert!(matches!(
        metrics::roc_curve(y.view(), short.view(), 1.0),
        Err(Error::Shape(_))
    ));
    assert!(matches!(
        metrics::confusion_matrix(y.view(), short.view()),
        Err(Error::Shape(_))
    ));
    let empty = Array1::<f64>::zeros(0);
    assert!(matches!(
        metrics::f1_score(empty.view(), empty.view(), Average::Macro, 1.0),
        Err(Error::EmptyData(_))
    ));
    assert!(matches!(
        metrics::accuracy_score(array![f64::NAN].view(), array![1.0].view()),
        Err(Error::NonFinite(_))
    ));
    let three = array![0.0, 1.0, 2.0];
    match metrics::f1_score(three.view(), three.view(), Average::Binary, 1.0) {
        Err(Error::InvalidParam { param, .. }) => assert_eq!(param, "average"),
        other => panic!("{other:?}"),
    }
    match metrics::recall_score(
        array![0.0, 1.0].view(),
        array![1.0, 1.0].view(),
        Average::Binary,
        3.0,
    ) {
        Err(Error::InvalidParam { param, .. }) => assert_eq!(param, "pos_label"),
        other => panic!("{other:?}"),
    }
    assert!(metrics::roc_auc_score(three.view(), three.view()).is_err());
    let proba = array![[0.5, 0.5]];
    assert!(metrics::log_loss(array![3.0].view(), proba.view(), &[0.0, 1.0]).is_err());
    assert!(matches!(
        metrics::log_loss(array![0.0].view(), proba.view(), &[0.0, 1.0, 2.0]),
        Err(Error::Shape(_))
    ));
    assert!(metrics::auc(&[0.0, 1.0, 0.5], &[0.0, 1.0, 1.0]).is_err());
}
