//! Chapter 7: a random forest on the 8x8 digits, one tree per tick. Left, the forest's feature
//! importances drawn as an 8x8 heat-map (which pixels its splits lean on); right, the test and
//! out-of-bag accuracy after each tree. Metrics: accuracies, the importances' sum and the most
//! important pixel.

use super::python::{self, Script};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::{bundled, Dataset};
use crate::ensemble::{ForestClassifierRun, RandomForestClassifierParams};
use crate::error::Result;
use crate::estimator::{Iterative, Progress};
use crate::metrics::argmax_labels;
use crate::rng::Rng;
use crate::tree::{MaxFeatures, MaxFeaturesRule};
use crate::viz;
use ndarray::{Array1, Array2};
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct ForestImportanceDemo {
    train: Dataset,
    test: Dataset,
    classes: Vec<f64>,
    run: Box<ForestClassifierRun>,
    n_estimators: usize,
    /// Sum of the trees' normalised importances (trees that are one leaf add nothing).
    importance_sum: Array1<f64>,
    test_sum: Array2<f64>,
    oob_sum: Array2<f64>,
    oob_count: Vec<usize>,
    /// Test and out-of-bag accuracy after each tree.
    history: Vec<(f64, f64)>,
    progress: Progress,
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl ForestImportanceDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "forest-importance",
        title: "Which pixels a random forest looks at",
        chapter: "07-ensemble-learning",
        upload: None,
        params: &[
            ParamSpec {
                key: "n_estimators",
                label: "n_estimators",
                help: "Trees in the forest; one is added per frame.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 300,
                    default: 100,
                },
            },
            ParamSpec {
                key: "max_features",
                label: "max_features",
                help: "Pixels each split may choose from: sqrt (8 of 64), log2 (6) or all 64.",
                kind: ParamKind::Choice {
                    options: &["sqrt", "log2", "all"],
                    default: "sqrt",
                },
            },
            ParamSpec {
                key: "max_depth",
                label: "max_depth (0 = no limit)",
                help: "No node deeper than this is split.",
                kind: ParamKind::Int {
                    min: 0,
                    max: 20,
                    default: 0,
                },
            },
            ParamSpec {
                key: "train_size",
                label: "Training images",
                help: "Images the forest learns from; the rest of the 1797 are the test set.",
                kind: ParamKind::Int {
                    min: 100,
                    max: 1500,
                    default: 1000,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let (train, test) = bundled::digits_split(&mut rng, params.usize("train_size"))?;
        let max_features = match params.choice("max_features") {
            "log2" => Some(MaxFeatures::Rule(MaxFeaturesRule::Log2)),
            "all" => None,
            _ => Some(MaxFeatures::Rule(MaxFeaturesRule::Sqrt)),
        };
        let n_estimators = params.usize("n_estimators");
        let run = RandomForestClassifierParams::default()
            .n_estimators(n_estimators)
            .max_features(max_features)
            .max_depth(Some(params.usize("max_depth")).filter(|d| *d > 0))
            .random_state(rng.next_u64())
            .start(&train)?;
        let classes = run.classes().to_vec();
        let k = classes.len();
        Ok(ForestImportanceDemo {
            importance_sum: Array1::zeros(train.n_features()),
            test_sum: Array2::zeros((test.n_samples(), k)),
            oob_sum: Array2::zeros((train.n_samples(), k)),
            oob_count: vec![0; train.n_samples()],
            train,
            test,
            classes,
            run: Box::new(run),
            n_estimators,
            history: Vec::new(),
            progress: Progress::Running,
            python: python_script(params, seed),
        })
    }

    /// The forest's importances so far (the mean of its trees', normalised; zeros before any).
    pub fn importances(&self) -> Array1<f64> {
        let total = self.importance_sum.sum();
        if total > 0.0 {
            &self.importance_sum / total
        } else {
            self.importance_sum.clone()
        }
    }

    fn absorb_newest(&mut self) -> Result<()> {
        if let Some(imp) = self.run.newest_importances() {
            self.importance_sum += &Array1::from(imp);
        }
        let pte = self
            .run
            .newest_proba(self.test.x.view())?
            .unwrap_or_default();
        let ptr = self
            .run
            .newest_proba(self.train.x.view())?
            .unwrap_or_default();
        self.test_sum += &pte;
        let mut in_bag = vec![false; self.train.n_samples()];
        for &i in self.run.newest_samples().unwrap_or(&[]) {
            in_bag[i] = true;
        }
        for (i, seen) in in_bag.iter().enumerate() {
            if !seen {
                self.oob_sum.row_mut(i).scaled_add(1.0, &ptr.row(i));
                self.oob_count[i] += 1;
            }
        }
        let accuracy = |sum: &Array2<f64>, y: &Array1<f64>, keep: &dyn Fn(usize) -> bool| {
            let pred = argmax_labels(sum.view(), &self.classes);
            let (mut right, mut n) = (0, 0);
            for i in (0..y.len()).filter(|&i| keep(i)) {
                n += 1;
                right += usize::from(pred[i] == y[i]);
            }
            if n == 0 {
                f64::NAN
            } else {
                right as f64 / n as f64
            }
        };
        let test = accuracy(&self.test_sum, &self.test.y, &|_| true);
        let oob = accuracy(&self.oob_sum, &self.train.y, &|i| self.oob_count[i] > 0);
        self.history.push((test, oob));
        Ok(())
    }

    fn draw_heat_map<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let imp = self.importances();
        let hi = imp.iter().copied().fold(1e-12, f64::max);
        let caption = format!(
            "Pixel importances after {} trees (darkest = {:.3})",
            self.history.len(),
            hi
        );
        viz::draw_patch_grid(area, &caption, &[(imp.view(), String::new())], 0.0, hi)
    }

    fn draw_accuracy<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let n = self.n_estimators.max(2) as f64;
        let lo = self
            .history
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .filter(|v| v.is_finite())
            .fold(1.0_f64, f64::min);
        let mut chart = viz::chart(
            area,
            "Accuracy as trees are added",
            0.0..n,
            (lo - 0.03).max(0.0)..1.005,
            "trees",
            "accuracy",
        )?;
        for (name, pick, colour) in [("test", 0usize, viz::ORANGE), ("out-of-bag", 1, viz::GREEN)] {
            let points: Vec<(f64, f64)> = self
                .history
                .iter()
                .enumerate()
                .map(|(i, &(a, b))| ((i + 1) as f64, if pick == 0 { a } else { b }))
                .filter(|p| p.1.is_finite())
                .collect();
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::LowerRight)
    }
}

impl Demo for ForestImportanceDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One more tree: its importances, test votes and out-of-bag votes are added in.
    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        self.progress = self.run.step().unwrap_or(Progress::Diverged);
        if self.progress != Progress::Diverged && self.absorb_newest().is_err() {
            self.progress = Progress::Diverged;
        }
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 2);
        self.draw_heat_map(&panels[0])?;
        self.draw_accuracy(&panels[1])
    }

    fn height_for_width(&self, width: u32) -> u32 {
        viz::two_panel_height(width)
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        let (test, oob) = self.history.last().copied().unwrap_or((f64::NAN, f64::NAN));
        let imp = self.importances();
        let top = (0..imp.len()).fold(0, |b, j| if imp[j] > imp[b] { j } else { b });
        let edge = [
            0usize, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 23, 24, 31, 32, 39, 40, 47, 48, 55,
        ]
        .iter()
        .chain(&[56, 57, 58, 59, 60, 61, 62, 63])
        .map(|&j| imp.get(j).copied().unwrap_or(0.0))
        .sum::<f64>();
        vec![
            Metric::new("trees", "Trees", self.history.len() as f64),
            Metric::new("test_accuracy", "Test accuracy", test),
            Metric::new("oob_accuracy", "Out-of-bag accuracy", oob),
            Metric::new("importance_sum", "Sum of importances", imp.sum()),
            Metric::new("top_pixel", "Most important pixel (row*8+col)", top as f64),
            Metric::new(
                "top_importance",
                "Its importance",
                imp.get(top).copied().unwrap_or(0.0),
            ),
            Metric::new(
                "border_importance",
                "Importance of the 28 border pixels",
                edge,
            ),
        ]
    }

    fn status(&self) -> Option<String> {
        match self.progress {
            Progress::Diverged => Some("The forest could not be grown on these images.".into()),
            _ => None,
        }
    }
}

/// The forest and its importances in scikit-learn.
fn python_script(params: &Params, seed: u64) -> String {
    let max_features = match params.choice("max_features") {
        "log2" => "\"log2\"",
        "all" => "None",
        _ => "\"sqrt\"",
    };
    let max_depth = match params.usize("max_depth") {
        0 => "None".to_string(),
        d => d.to_string(),
    };
    let mut s = Script::new();
    s.digits(params.usize("train_size"), seed)
        .import("import numpy as np")
        .import("from sklearn.ensemble import RandomForestClassifier")
        .push(&format!(
            "\nforest = RandomForestClassifier(n_estimators={}, max_features={max_features}, max_depth={max_depth},\n\
             \x20                               oob_score=True, random_state={})\n\
             forest.fit(X_train, y_train)\n\
             importances = forest.feature_importances_\n\
             border = np.ones((8, 8), dtype=bool)\n\
             border[1:-1, 1:-1] = False\n\
             print(\"Trees:\", len(forest.estimators_))\n\
             print(\"Test accuracy:\", forest.score(X_test, y_test))\n\
             print(\"Out-of-bag accuracy:\", forest.oob_score_)\n\
             print(\"Sum of importances:\", importances.sum())\n\
             print(\"Most important pixel (row*8+col):\", importances.argmax())\n\
             print(\"Its importance:\", importances.max())\n\
             print(\"Importance of the 28 border pixels:\", importances[border.ravel()].sum())\n\
             print(np.round(importances.reshape(8, 8), 3))",
            params.usize("n_estimators"),
            python::seed(seed)
        ));
    s.finish()
}
