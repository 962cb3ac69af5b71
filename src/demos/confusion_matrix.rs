//! Chapter 3: ten-class classification of the bundled digits and its error analysis. The classes
//! are learnt by one softmax regression, by ten one-vs-rest or by 45 one-vs-one binary logistic
//! regressions, trained one L-BFGS iteration per tick (the binary models one after another). After
//! each tick the 397 held-out images are classified again, and the confusion matrix and the
//! misclassified images are redrawn.

use super::logistic_regression::C_PARAM;
use super::precision_recall::DIGITS_TRAIN;
use super::python::{self, Script};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::{bundled, Dataset};
use crate::error::Result;
use crate::estimator::{Iterative, Progress};
use crate::linear::{LogisticRegression, LogisticRun};
use crate::metrics::{accuracy_score, precision_recall_f1, Average};
use crate::rng::Rng;
use crate::viz;
use ndarray::{Array1, Array2};
use plotters::coord::Shift;
use plotters::prelude::*;

const CLASSES: usize = 10;
const MAX_ITER: usize = 300;
/// Misclassified images shown at most.
const SHOWN_ERRORS: usize = 40;

/// One logistic regression of the ensemble and what it separates.
struct Member {
    run: Box<LogisticRun>,
    /// Softmax: `None`. One-vs-rest: `(k, k)`. One-vs-one: `(negative, positive)` classes.
    pair: Option<(usize, usize)>,
    /// Its held-out decision scores: one column per class (softmax) or one (binary).
    scores: Array2<f64>,
    done: bool,
}

pub struct ConfusionMatrixDemo {
    strategy: String,
    normalise: String,
    test: Dataset,
    members: Vec<Member>,
    /// The member being trained; `members.len()` once all are.
    current: usize,
    predictions: Array1<f64>,
    iterations: usize,
    diverged: bool,
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl ConfusionMatrixDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "confusion-matrix",
        title: "Ten digits: multiclass strategies and the confusion matrix",
        chapter: "03-classification",
        upload: None,
        params: &[
            ParamSpec {
                key: "strategy",
                label: "Strategy",
                help: "Softmax learns all ten classes at once; one-vs-rest trains 10 binary models, one-vs-one trains 45 (one per pair).",
                kind: ParamKind::Choice {
                    options: &["softmax", "one-vs-rest", "one-vs-one"],
                    default: "softmax",
                },
            },
            ParamSpec {
                key: "normalise",
                label: "Matrix shows",
                help: "counts: images per cell. rows: each row divided by its total (the diagonal is each digit's recall). errors: rows, with the diagonal left out, so only the mistakes are coloured.",
                kind: ParamKind::Choice {
                    options: &["counts", "rows", "errors"],
                    default: "counts",
                },
            },
            C_PARAM,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let (train, test) = bundled::digits_split(&mut rng, DIGITS_TRAIN)?;
        let strategy = params.choice("strategy").to_string();
        let fit = LogisticRegression::params()
            .c(params.f64("C"))
            .max_iter(MAX_ITER);
        let n = test.n_samples();
        let member = |data: &Dataset, pair, width| -> Result<Member> {
            Ok(Member {
                run: Box::new(fit.start(data)?),
                pair,
                scores: Array2::zeros((n, width)),
                done: false,
            })
        };
        let members = match strategy.as_str() {
            "one-vs-rest" => (0..CLASSES)
                .map(|k| {
                    let y = train.y.mapv(|v| f64::from(u8::from(v == k as f64)));
                    member(&Dataset { y, ..train.clone() }, Some((k, k)), 1)
                })
                .collect::<Result<Vec<_>>>()?,
            "one-vs-one" => (0..CLASSES)
                .flat_map(|a| (a + 1..CLASSES).map(move |b| (a, b)))
                .map(|(a, b)| {
                    let rows: Vec<usize> = (0..train.n_samples())
                        .filter(|&i| train.y[i] == a as f64 || train.y[i] == b as f64)
                        .collect();
                    let pair = train.select(&rows);
                    let y = pair.y.mapv(|v| f64::from(u8::from(v == b as f64)));
                    member(&Dataset { y, ..pair }, Some((a, b)), 1)
                })
                .collect::<Result<Vec<_>>>()?,
            _ => vec![member(&train, None, CLASSES)?],
        };
        Ok(ConfusionMatrixDemo {
            strategy,
            normalise: params.choice("normalise").to_string(),
            predictions: Array1::zeros(n),
            test,
            members,
            current: 0,
            iterations: 0,
            diverged: false,
            python: python_script(params, seed),
        })
    }

    /// Combines the members' scores into one predicted digit per held-out image.
    fn predict(&self) -> Array1<f64> {
        let n = self.test.n_samples();
        let mut votes = Array2::<f64>::zeros((n, CLASSES));
        match self.strategy.as_str() {
            "one-vs-one" => {
                // scikit-learn's rule: one vote per pair, ties broken by the summed confidences
                // squashed into (-1/3, 1/3) so they never outweigh a whole vote.
                let mut confidence = Array2::<f64>::zeros((n, CLASSES));
                for m in self.members.iter().filter(|m| m.run.iterations() > 0) {
                    let Some((a, b)) = m.pair else { continue };
                    for (i, &s) in m.scores.column(0).iter().enumerate() {
                        votes[[i, if s > 0.0 { b } else { a }]] += 1.0;
                        confidence[[i, b]] += s;
                        confidence[[i, a]] -= s;
                    }
                }
                votes += &confidence.mapv(|c| c / (3.0 * (c.abs() + 1.0)));
            }
            "one-vs-rest" => {
                // A class whose model has not started yet cannot win.
                votes.fill(f64::NEG_INFINITY);
                for m in self.members.iter().filter(|m| m.run.iterations() > 0) {
                    if let Some((k, _)) = m.pair {
                        votes.column_mut(k).assign(&m.scores.column(0));
                    }
                }
            }
            _ => votes.assign(&self.members[0].scores),
        }
        let classes: Vec<f64> = (0..CLASSES).map(|k| k as f64).collect();
        crate::metrics::argmax_labels(votes.view(), &classes)
    }

    fn advance(&mut self) -> Result<Progress> {
        let Some(m) = self.members.get_mut(self.current) else {
            return Ok(Progress::Done);
        };
        let progress = m.run.step()?;
        self.iterations += 1;
        m.scores = m.run.model().decision_function(self.test.x.view())?;
        if progress != Progress::Running || m.run.iterations() >= MAX_ITER {
            m.done = true;
            self.current += 1;
        }
        if progress == Progress::Diverged {
            return Ok(Progress::Diverged);
        }
        self.predictions = self.predict();
        Ok(if self.current == self.members.len() {
            Progress::Done
        } else {
            Progress::Running
        })
    }

    /// counts[true][predicted] on the held-out images.
    fn matrix(&self) -> [[usize; CLASSES]; CLASSES] {
        let mut m = [[0; CLASSES]; CLASSES];
        for (&t, &p) in self.test.y.iter().zip(&self.predictions) {
            m[t as usize % CLASSES][p as usize % CLASSES] += 1;
        }
        m
    }

    /// The held-out images predicted wrongly, the most frequent (true, predicted) pairs first.
    fn errors(&self, matrix: &[[usize; CLASSES]; CLASSES]) -> Vec<usize> {
        let mut wrong: Vec<usize> = (0..self.test.n_samples())
            .filter(|&i| self.test.y[i] != self.predictions[i])
            .collect();
        let cell = |i: usize| matrix[self.test.y[i] as usize][self.predictions[i] as usize];
        wrong.sort_by_key(|&i| {
            (
                std::cmp::Reverse(cell(i)),
                self.test.y[i] as usize,
                self.predictions[i] as usize,
            )
        });
        wrong
    }

    fn trained(&self) -> bool {
        self.iterations > 0
    }

    fn draw_matrix<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        matrix: &[[usize; CLASSES]; CLASSES],
    ) -> Result<()> {
        let caption = match self.normalise.as_str() {
            "rows" => "Share of each true digit per prediction",
            "errors" => "Where each digit's errors go (diagonal left out)",
            _ => "Confusion matrix on 397 held-out images",
        };
        let value = |t: usize, p: usize| -> f64 {
            let row: usize = matrix[t].iter().sum();
            match self.normalise.as_str() {
                "errors" if t == p => 0.0,
                "rows" | "errors" if row > 0 => matrix[t][p] as f64 / row as f64,
                "rows" | "errors" => 0.0,
                _ => matrix[t][p] as f64,
            }
        };
        let max = (0..CLASSES)
            .flat_map(|t| (0..CLASSES).map(move |p| (t, p)))
            .map(|(t, p)| value(t, p))
            .fold(0.0, f64::max)
            .max(1e-12);
        let labels: Vec<String> = (0..CLASSES).map(|d| d.to_string()).collect();
        viz::class_matrix(area, caption, &labels, |t, p| {
            let v = value(t, p);
            let text = match self.normalise.as_str() {
                "counts" if matrix[t][p] > 0 => Some(matrix[t][p].to_string()),
                "rows" | "errors" if v > 0.0 => Some(format!("{:.0}", v * 100.0)),
                _ => None,
            };
            (v / max, text)
        })
    }
}

impl Demo for ConfusionMatrixDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        if self.diverged {
            return Progress::Diverged;
        }
        match self.advance() {
            Ok(Progress::Diverged) | Err(_) => {
                self.diverged = true;
                Progress::Diverged
            }
            Ok(p) => p,
        }
    }

    fn ticks_per_frame(&self) -> usize {
        // About the same wall time for every strategy: the binary models are smaller problems.
        match self.members.len() {
            1 => 1,
            n => n / 5,
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        if !self.trained() {
            let what = match self.members.len() {
                1 => "one softmax regression".to_string(),
                n => format!("{n} binary logistic regressions"),
            };
            return viz::centered_text(
                area,
                &format!("Press play to train {what} on 1,400 digits"),
            );
        }
        let matrix = self.matrix();
        let panels = viz::panels(area, 2);
        self.draw_matrix(&panels[0], &matrix)?;
        let errors = self.errors(&matrix);
        let patches: Vec<_> = errors
            .iter()
            .take(SHOWN_ERRORS)
            .map(|&i| {
                let label = format!("{}→{}", self.test.y[i], self.predictions[i]);
                (self.test.x.row(i), label)
            })
            .collect();
        let caption = format!(
            "{} misclassified images (true→predicted), commonest mix-ups first",
            errors.len()
        );
        viz::draw_patch_grid(&panels[1], &caption, &patches, 0.0, 1.0)
    }

    fn height_for_width(&self, width: u32) -> u32 {
        viz::two_panel_height(width)
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        let (accuracy, f1) = if self.trained() {
            let y = self.test.y.view();
            let p = self.predictions.view();
            (
                accuracy_score(y, p).unwrap_or(f64::NAN),
                precision_recall_f1(y, p, Average::Macro, 1.0).map_or(f64::NAN, |s| s.f1),
            )
        } else {
            (f64::NAN, f64::NAN)
        };
        let matrix = self.matrix();
        let worst = (0..CLASSES)
            .flat_map(|t| (0..CLASSES).map(move |p| (t, p)))
            .filter(|(t, p)| t != p && matrix[*t][*p] > 0)
            .max_by_key(|&(t, p)| (matrix[t][p], std::cmp::Reverse((t, p))));
        let trained = self.members.iter().filter(|m| m.done).count();
        vec![
            Metric::new("models_trained", "Models trained", trained as f64),
            Metric::new("models", "Models in all", self.members.len() as f64),
            Metric::new("iterations", "L-BFGS iterations", self.iterations as f64),
            Metric::new("accuracy", "Held-out accuracy", accuracy),
            Metric::new("macro_f1", "Macro-averaged F1", f1),
            Metric::new(
                "errors",
                "Misclassified images",
                if self.trained() {
                    self.errors(&matrix).len() as f64
                } else {
                    f64::NAN
                },
            ),
            match worst {
                Some((t, p)) => Metric::text(
                    "worst_pair",
                    "Commonest mix-up",
                    format!("{t} taken for {p} ({}×)", matrix[t][p]),
                ),
                None => Metric::text("worst_pair", "Commonest mix-up", "—"),
            },
        ]
    }
}

/// The ten-class classifier and its confusion matrix in scikit-learn.
fn python_script(params: &Params, seed: u64) -> String {
    let logistic = format!(
        "LogisticRegression(C={}, max_iter={MAX_ITER})",
        python::float(params.f64("C"))
    );
    let mut s = Script::new();
    s.digits(DIGITS_TRAIN, seed)
        .import("import numpy as np")
        .import("from sklearn.linear_model import LogisticRegression")
        .import("from sklearn.metrics import accuracy_score, confusion_matrix, f1_score");
    let (model, models) = match params.choice("strategy") {
        "one-vs-rest" => {
            s.import("from sklearn.multiclass import OneVsRestClassifier");
            (
                format!("OneVsRestClassifier({logistic})  # ten binary models"),
                "len(model.estimators_)",
            )
        }
        "one-vs-one" => {
            s.import("from sklearn.multiclass import OneVsOneClassifier");
            (
                format!("OneVsOneClassifier({logistic})  # 45 binary models"),
                "len(model.estimators_)",
            )
        }
        _ => (format!("{logistic}  # one softmax model"), "1"),
    };
    let normalise = match params.choice("normalise") {
        "rows" => "\ncm = cm / cm.sum(axis=1, keepdims=True)  # share of each true digit",
        "errors" => {
            "\nnp.fill_diagonal(cm, 0)  # where each digit's errors go\n\
             cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)"
        }
        _ => "",
    };
    s.push(&format!(
        "\nmodel = {model}\n\
         model.fit(X_train, y_train)\n\
         y_pred = model.predict(X_test)\n\
         print(\"Models in all:\", {models})\n\
         print(\"Held-out accuracy:\", accuracy_score(y_test, y_pred))\n\
         print(\"Macro-averaged F1:\", f1_score(y_test, y_pred, average=\"macro\"))\n\
         print(\"Misclassified images:\", np.sum(y_pred != y_test))\n\
         counts = confusion_matrix(y_test, y_pred)\n\
         mixups = counts - np.diag(np.diag(counts))\n\
         t, p = np.unravel_index(np.argmax(mixups), mixups.shape)\n\
         print(f\"Commonest mix-up: {{t}} taken for {{p}} ({{mixups[t, p]}}x)\")\n\
         cm = counts.astype(float){normalise}\n\
         print(np.round(cm, 2))"
    ));
    s.finish()
}
