//! Chapter 3: a binary classifier on the bundled digits ("is it a 5?") and the precision/recall
//! trade-off. Logistic regression trains one L-BFGS iteration per tick; after each, the held-out
//! images are scored and the precision/recall-vs-threshold, precision-recall and ROC curves are
//! recomputed, so the reader watches them form. A threshold control moves the operating point.

use super::logistic_regression::C_PARAM;
use super::python::{self, Script};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::{bundled, Dataset};
use crate::error::Result;
use crate::estimator::{Iterative, Progress};
use crate::linear::{LogisticRegression, LogisticRun};
use crate::metrics::{auc, precision_recall_curve, roc_curve, PrecisionRecallCurve, RocCurve};
use crate::rng::Rng;
use crate::viz;
use ndarray::Array1;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Images to train on; the other 397 of the 1,797 are held out and scored.
pub(crate) const DIGITS_TRAIN: usize = 1400;
const MAX_ITER: usize = 500;

/// Counts of one threshold's decisions on the held-out images.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
}

impl Counts {
    /// Positive when the score is at least the threshold, as scikit-learn's curves count it.
    fn at(scores: &Array1<f64>, truth: &Array1<f64>, threshold: f64) -> Counts {
        let mut c = Counts::default();
        for (&s, &t) in scores.iter().zip(truth) {
            match (s >= threshold, t == 1.0) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, true) => c.fn_ += 1,
                (false, false) => c.tn += 1,
            }
        }
        c
    }
    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
    fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_)
    }
}

/// `a / b`, NaN when nothing was counted (precision with no positive prediction).
fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

/// The held-out scores and the curves computed from them.
struct Curves {
    scores: Array1<f64>,
    pr: PrecisionRecallCurve,
    roc: RocCurve,
    auc: f64,
}

pub struct PrecisionRecallDemo {
    digit: usize,
    threshold: f64,
    /// 1 for the chosen digit, 0 for the others.
    test_truth: Array1<f64>,
    test: Dataset,
    run: Box<LogisticRun>,
    curves: Option<Curves>,
    progress: Progress,
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl PrecisionRecallDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "precision-recall",
        title: "One digit against the rest: precision, recall and the threshold",
        chapter: "03-classification",
        upload: None,
        params: &[
            ParamSpec {
                key: "digit",
                label: "Positive digit",
                help: "The classifier answers “is this image that digit?”; the other nine are negatives.",
                kind: ParamKind::Int {
                    min: 0,
                    max: 9,
                    default: 8,
                },
            },
            ParamSpec {
                key: "threshold",
                label: "Decision threshold",
                help: "An image counts as positive when its score (the model's log-odds) is at least this. 0 means probability 0.5.",
                kind: ParamKind::Float {
                    min: -15.0,
                    max: 15.0,
                    default: 0.0,
                    log: false,
                },
            },
            C_PARAM,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let digit = params.usize("digit");
        let mut rng = Rng::new(seed);
        let (train, test) = bundled::digits_split(&mut rng, DIGITS_TRAIN)?;
        let is_digit = |y: &Array1<f64>| y.mapv(|v| f64::from(u8::from(v == digit as f64)));
        let binary = Dataset {
            y: is_digit(&train.y),
            ..train
        };
        let run = LogisticRegression::params()
            .c(params.f64("C"))
            .max_iter(MAX_ITER)
            .start(&binary)?;
        Ok(PrecisionRecallDemo {
            digit,
            threshold: params.f64("threshold"),
            test_truth: is_digit(&test.y),
            test,
            run: Box::new(run),
            curves: None,
            progress: Progress::Running,
            python: python_script(params, seed),
        })
    }

    fn score(&mut self) -> Result<()> {
        let model = self.run.model();
        let scores = model
            .decision_function(self.test.x.view())?
            .column(0)
            .to_owned();
        let pr = precision_recall_curve(self.test_truth.view(), scores.view(), 1.0)?;
        let roc = roc_curve(self.test_truth.view(), scores.view(), 1.0)?;
        let auc = auc(&roc.fpr, &roc.tpr)?;
        self.curves = Some(Curves {
            scores,
            pr,
            roc,
            auc,
        });
        Ok(())
    }

    fn counts(&self) -> Option<Counts> {
        let c = self.curves.as_ref()?;
        Some(Counts::at(&c.scores, &self.test_truth, self.threshold))
    }

    /// The lowest threshold whose precision on the held-out images reaches 90 %.
    fn threshold_for_precision(&self, target: f64) -> f64 {
        let Some(c) = &self.curves else {
            return f64::NAN;
        };
        c.pr.thresholds
            .iter()
            .zip(&c.pr.precision)
            .find(|(_, &p)| p >= target)
            .map_or(f64::NAN, |(&t, _)| t)
    }

    /// The score axis: every held-out score and the threshold, with a margin.
    fn score_range(&self, c: &Curves) -> std::ops::Range<f64> {
        let (lo, hi) = viz::extent(c.scores.iter().copied().chain([self.threshold]));
        viz::padded(lo, hi, 0.05)
    }

    fn draw_vs_threshold<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        c: &Curves,
    ) -> Result<()> {
        let mut chart = viz::chart(
            area,
            "Precision and recall vs threshold",
            self.score_range(c),
            -0.02..1.05,
            "threshold (score)",
            "on 397 held-out images",
        )?;
        let series = |values: &[f64]| -> Vec<(f64, f64)> {
            c.pr.thresholds
                .iter()
                .zip(values)
                .filter(|(_, v)| v.is_finite())
                .map(|(&t, &v)| (t, v))
                .collect()
        };
        for (name, values, colour) in [
            ("precision", &c.pr.precision, viz::BLUE),
            ("recall", &c.pr.recall, viz::GREEN),
        ] {
            chart
                .draw_series(LineSeries::new(series(values), colour.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        chart.draw_series(DashedLineSeries::new(
            vec![(self.threshold, -0.02), (self.threshold, 1.05)],
            6,
            4,
            viz::RED.stroke_width(2),
        ))?;
        viz::legend(&mut chart, area, SeriesLabelPosition::LowerLeft)
    }

    fn draw_precision_recall<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        c: &Curves,
        counts: Counts,
    ) -> Result<()> {
        let mut chart = viz::chart(
            area,
            "Precision vs recall",
            -0.02..1.02,
            -0.02..1.05,
            "recall",
            "precision",
        )?;
        let points: Vec<(f64, f64)> =
            c.pr.recall
                .iter()
                .zip(&c.pr.precision)
                .filter(|(r, p)| r.is_finite() && p.is_finite())
                .map(|(&r, &p)| (r, p))
                .collect();
        chart.draw_series(LineSeries::new(points, viz::BLUE.stroke_width(2)))?;
        let (r, p) = (counts.recall(), counts.precision());
        if r.is_finite() && p.is_finite() {
            chart.draw_series(std::iter::once(Circle::new((r, p), 6, viz::RED.filled())))?;
        }
        Ok(())
    }

    fn draw_roc<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        c: &Curves,
        counts: Counts,
    ) -> Result<()> {
        let title = format!("ROC, AUC = {:.4}", c.auc);
        let mut chart = viz::roc_chart(area, &title)?;
        let points: Vec<(f64, f64)> = c
            .roc
            .fpr
            .iter()
            .zip(&c.roc.tpr)
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .map(|(&a, &b)| (a, b))
            .collect();
        chart.draw_series(LineSeries::new(points, viz::BLUE.stroke_width(2)))?;
        let fpr = ratio(counts.fp, counts.fp + counts.tn);
        let tpr = counts.recall();
        if fpr.is_finite() && tpr.is_finite() {
            chart.draw_series(std::iter::once(Circle::new(
                (fpr, tpr),
                6,
                viz::RED.filled(),
            )))?;
        }
        Ok(())
    }
}

impl Demo for PrecisionRecallDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        self.progress = match self.run.step().and_then(|p| self.score().map(|()| p)) {
            Ok(p) if p == Progress::Running && self.run.iterations() >= MAX_ITER => Progress::Done,
            Ok(p) => p,
            Err(_) => Progress::Diverged,
        };
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        // One L-BFGS iteration per frame: the curves visibly bend into shape.
        1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let Some(c) = &self.curves else {
            return viz::centered_text(
                area,
                &format!(
                    "Press play to train “{} or not” on 1,400 digits",
                    self.digit
                ),
            );
        };
        let counts = Counts::at(&c.scores, &self.test_truth, self.threshold);
        let panels = viz::panels(area, 3);
        self.draw_vs_threshold(&panels[0], c)?;
        self.draw_precision_recall(&panels[1], c, counts)?;
        self.draw_roc(&panels[2], c, counts)
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        let counts = self.counts();
        let of = |f: fn(&Counts) -> f64| counts.as_ref().map_or(f64::NAN, f);
        let count = |f: fn(&Counts) -> usize| counts.as_ref().map_or(f64::NAN, |c| f(c) as f64);
        let positives = self.test_truth.sum();
        let n = self.test_truth.len() as f64;
        vec![
            Metric::new(
                "iterations",
                "L-BFGS iterations",
                self.run.iterations() as f64,
            ),
            Metric::new("precision", "Precision", of(Counts::precision)),
            Metric::new("recall", "Recall", of(Counts::recall)),
            Metric::new("f1", "F1 score", of(Counts::f1)),
            Metric::new("accuracy", "Accuracy", of(Counts::accuracy)),
            Metric::new(
                "baseline_accuracy",
                "Accuracy of always answering “no”",
                (n - positives) / n,
            ),
            Metric::new("tp", "True positives", count(|c| c.tp)),
            Metric::new("fp", "False positives", count(|c| c.fp)),
            Metric::new("fn", "False negatives", count(|c| c.fn_)),
            Metric::new(
                "auc",
                "ROC AUC",
                self.curves.as_ref().map_or(f64::NAN, |c| c.auc),
            ),
            Metric::new(
                "threshold_90",
                "Lowest threshold with 90% precision",
                self.threshold_for_precision(0.9),
            ),
        ]
    }
}

/// The binary classifier and its precision/recall numbers in scikit-learn.
fn python_script(params: &Params, seed: u64) -> String {
    let digit = params.usize("digit");
    let mut s = Script::new();
    s.digits(DIGITS_TRAIN, seed)
        .import("import numpy as np")
        .import("from sklearn.linear_model import LogisticRegression")
        .import("from sklearn.metrics import precision_recall_curve, roc_auc_score")
        .push(&format!(
            "y_train_{digit}, y_test_{digit} = y_train == {digit}, y_test == {digit}  # is it a {digit}?\n\
             \n\
             model = LogisticRegression(C={}, max_iter={MAX_ITER})\n\
             model.fit(X_train, y_train_{digit})\n\
             scores = model.decision_function(X_test)  # log-odds: 0 means probability 0.5\n\
             threshold = {}\n\
             predicted = scores >= threshold\n\
             tp = np.sum(predicted & y_test_{digit})\n\
             fp = np.sum(predicted & ~y_test_{digit})\n\
             fn = np.sum(~predicted & y_test_{digit})\n\
             precision, recall = tp / (tp + fp), tp / (tp + fn)\n\
             print(\"L-BFGS iterations:\", model.n_iter_[0])\n\
             print(\"Precision:\", precision)\n\
             print(\"Recall:\", recall)\n\
             print(\"F1 score:\", 2 * precision * recall / (precision + recall))\n\
             print(\"Accuracy:\", np.mean(predicted == y_test_{digit}))\n\
             print(\"Accuracy of always answering no:\", 1 - y_test_{digit}.mean())\n\
             print(\"True positives:\", tp, \"false positives:\", fp, \"false negatives:\", fn)\n\
             print(\"ROC AUC:\", roc_auc_score(y_test_{digit}, scores))\n\
             precisions, recalls, thresholds = precision_recall_curve(y_test_{digit}, scores)\n\
             print(\"Lowest threshold with 90% precision:\", thresholds[np.argmax(precisions[:-1] >= 0.9)])",
            python::float(params.f64("C")),
            python::float(params.f64("threshold")),
        ));
    s.finish()
}
