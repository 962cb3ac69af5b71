//! Chapter 7: AdaBoost (SAMME) on 2-D two-class data, one boosting round per tick. Left, the
//! ensemble's regions so far (shaded by the weighted vote share) under the training points, each
//! drawn with area proportional to its current sample weight; middle, the newest weak learner's
//! regions with the training points it got wrong crossed out; right, each round's weighted error
//! and say (alpha) above the ensemble's train and test accuracy.

use super::decision_tree::classification_data_python;
use super::decision_tree::{
    class_colour, classification_data, tint, NOISE_PARAM, SAMPLES_PARAM, TWO_CLASSES_UPLOAD,
    TWO_CLASS_DATASET_PARAM,
};
use super::python::{self, Script};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::upload::ClassNames;
use crate::data::Dataset;
use crate::ensemble::{AdaBoostClassifier, AdaBoostClassifierParams, AdaBoostClassifierRun};
use crate::error::Result;
use crate::estimator::{Classifier, Iterative, Progress};
use crate::model_selection::train_test_split;
use crate::rng::Rng;
use crate::viz::{self, ClassGrid};
use ndarray::{Array1, Array2, ArrayView2};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Cells per axis of the grid the regions are kept on.
const GRID: usize = 90;

/// What one round left: the new learner's weighted error and say, then the ensemble's accuracy.
#[derive(Debug, Clone, Copy)]
struct Round {
    error: f64,
    alpha: f64,
    train_accuracy: f64,
    test_accuracy: f64,
}

/// A line of the right panel: its name, colour and value per round.
type Curve = (&'static str, RGBColor, fn(&Round) -> f64);

pub struct AdaBoostDemo {
    train: Dataset,
    test: Dataset,
    classes: Vec<f64>,
    params: AdaBoostClassifierParams,
    run: Box<AdaBoostClassifierRun>,
    grid: ClassGrid,
    /// Say-weighted votes so far, `+say` for the second class and `-say` for the first, on the
    /// grid, the training and the test points; `total_say` is their sum of says.
    grid_score: Array1<f64>,
    train_score: Array1<f64>,
    test_score: Array1<f64>,
    total_say: f64,
    /// The newest learner's class probabilities on the grid.
    newest_grid: Array2<f64>,
    /// The weights the newest learner was grown on, and which training points it got wrong.
    weights_before: Vec<f64>,
    newest_wrong: Vec<bool>,
    history: Vec<Round>,
    progress: Progress,
    class_names: ClassNames,
    python: String,
}

impl AdaBoostDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "adaboost",
        title: "AdaBoost, round by round",
        chapter: "07-ensemble-learning",
        upload: TWO_CLASSES_UPLOAD,
        params: &[
            ParamSpec {
                key: "n_estimators",
                label: "n_estimators",
                help: "Boosting rounds (one weak learner each); one round per frame. Boosting stops early on a perfect learner or one no better than chance.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 300,
                    default: 100,
                },
            },
            ParamSpec {
                key: "learning_rate",
                label: "learning_rate",
                help: "Multiplies every learner's say, so the weights of the points it misses grow less.",
                kind: ParamKind::Float {
                    min: 0.01,
                    max: 2.0,
                    default: 1.0,
                    log: true,
                },
            },
            ParamSpec {
                key: "max_depth",
                label: "max_depth of each learner",
                help: "1 is a stump: one split, one straight cut.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 3,
                    default: 1,
                },
            },
            TWO_CLASS_DATASET_PARAM,
            SAMPLES_PARAM,
            NOISE_PARAM,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let data = classification_data(params, &mut rng)?;
        let (train_idx, test_idx) = train_test_split(data.n_samples(), 0.25, &mut rng)?;
        let (train, test) = (data.select(&train_idx), data.select(&test_idx));
        let ada = AdaBoostClassifier::params()
            .n_estimators(params.usize("n_estimators"))
            .learning_rate(params.f64("learning_rate"))
            .max_depth(params.usize("max_depth"));
        let run = ada.start(&train)?;
        let grid = ClassGrid::around_data(&data, GRID);
        Ok(AdaBoostDemo {
            classes: run.current().classes.clone(),
            grid_score: Array1::zeros(GRID * GRID),
            train_score: Array1::zeros(train.n_samples()),
            test_score: Array1::zeros(test.n_samples()),
            total_say: 0.0,
            newest_grid: Array2::zeros((0, 0)),
            weights_before: run.sample_weights().to_vec(),
            newest_wrong: vec![false; train.n_samples()],
            history: Vec::new(),
            progress: Progress::Running,
            class_names: ClassNames::of(params.upload()),
            python: python_script(params, seed),
            params: ada,
            run: Box::new(run),
            grid,
            train,
            test,
        })
    }

    pub fn train(&self) -> &Dataset {
        &self.train
    }
    pub fn test(&self) -> &Dataset {
        &self.test
    }
    /// The AdaBoost parameters the demo boosts with.
    pub fn params(&self) -> &AdaBoostClassifierParams {
        &self.params
    }
    /// The ensemble so far.
    pub fn model(&self) -> AdaBoostClassifier {
        self.run.model()
    }
    /// The sample weights the newest learner was grown on (summing to 1).
    pub fn weights_before(&self) -> &[f64] {
        &self.weights_before
    }
    /// The sample weights after the newest round (what the next learner will be grown on).
    pub fn weights(&self) -> &[f64] {
        self.run.sample_weights()
    }
    /// Which training points the newest learner got wrong.
    pub fn newest_wrong(&self) -> &[bool] {
        &self.newest_wrong
    }

    /// Folds the newest learner into the running votes (the ensemble predicts the second class
    /// where the say-weighted vote is positive, as `AdaBoostClassifier::predict` for two classes).
    fn absorb_newest(&mut self) -> Result<()> {
        let model = self.run.current();
        let Some(tree) = self.run.newest() else {
            return Ok(());
        };
        let round = self.run.rounds() - 1;
        let (alpha, error) = (
            model.estimator_weights[round],
            model.estimator_errors[round],
        );
        let second = self.classes.get(1).copied().unwrap_or(f64::NAN);
        let add = |score: &mut Array1<f64>, x: ArrayView2<f64>| -> Result<Array1<f64>> {
            let pred = tree.predict(x)?;
            for (s, &p) in score.iter_mut().zip(&pred) {
                *s += if p == second { alpha } else { -alpha };
            }
            Ok(pred)
        };
        add(&mut self.grid_score, self.grid.points.view())?;
        let on_train = add(&mut self.train_score, self.train.x.view())?;
        add(&mut self.test_score, self.test.x.view())?;
        self.total_say += alpha;
        self.newest_wrong = on_train
            .iter()
            .zip(&self.train.y)
            .map(|(p, y)| p != y)
            .collect();
        self.newest_grid = tree.predict_proba(self.grid.points.view())?;
        let train_accuracy = self.accuracy(&self.train_score, &self.train.y);
        let test_accuracy = self.accuracy(&self.test_score, &self.test.y);
        self.history.push(Round {
            error,
            alpha,
            train_accuracy,
            test_accuracy,
        });
        Ok(())
    }

    fn accuracy(&self, score: &Array1<f64>, y: &Array1<f64>) -> f64 {
        let right = score
            .iter()
            .zip(y)
            .filter(|(&s, &y)| self.classes[usize::from(s > 0.0)] == y)
            .count();
        right as f64 / y.len().max(1) as f64
    }

    /// The training points, one colour per class, with area proportional to `weights`.
    fn draw_weighted_points<DB: DrawingBackend>(
        &self,
        chart: &mut viz::Chart<'_, DB>,
        weights: &[f64],
    ) -> Result<()> {
        let n = weights.len().max(1) as f64;
        let class_of = |v: f64| self.classes.iter().position(|&c| c == v).unwrap_or(0);
        // Weight 1/n (the start) is radius 3; areas follow the weights, capped so one heavy
        // point cannot cover the plot.
        let radius = |w: f64| (3.0 * (w * n).sqrt()).clamp(1.0, 18.0).round() as i32;
        let mut order: Vec<usize> = (0..weights.len()).collect();
        order.sort_by(|&a, &b| weights[b].total_cmp(&weights[a]));
        chart.draw_series(order.into_iter().map(|i| {
            let colour = class_colour(class_of(self.train.y[i]));
            let p = (self.train.x[[i, 0]], self.train.x[[i, 1]]);
            let r = radius(weights[i]);
            EmptyElement::at(p)
                + Circle::new((0, 0), r, colour.mix(0.85).filled())
                + Circle::new((0, 0), r, WHITE.stroke_width(1))
        }))?;
        Ok(())
    }

    fn draw_ensemble<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        // The vote share of each class: (1 ∓ score/total say) / 2.
        let norm = if self.total_say > 0.0 {
            self.total_say
        } else {
            1.0
        };
        let shares = if self.history.is_empty() {
            Array2::zeros((0, 0))
        } else {
            Array2::from_shape_fn((GRID * GRID, 2), |(i, c)| {
                let s = self.grid_score[i] / norm;
                if c == 0 {
                    (1.0 - s) / 2.0
                } else {
                    (1.0 + s) / 2.0
                }
            })
        };
        let rounds = self.history.len();
        let title = format!(
            "Ensemble of {rounds} learner{}; size = weight",
            if rounds == 1 { "" } else { "s" }
        );
        let mut chart = self.grid.draw(area, &title, &shares, |c, sure| {
            tint(class_colour(c), 0.1 + 0.4 * sure)
        })?;
        self.draw_weighted_points(&mut chart, self.run.sample_weights())
    }

    fn draw_newest<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let title = match self.history.last() {
            Some(r) => format!("Learner {}: error {:.3}", self.history.len(), r.error),
            None => "The first learner (not grown yet)".to_string(),
        };
        let mut chart = self.grid.draw(area, &title, &self.newest_grid, |c, _| {
            tint(class_colour(c), 0.3)
        })?;
        self.draw_weighted_points(&mut chart, &self.weights_before)?;
        let wrong = self
            .newest_wrong
            .iter()
            .enumerate()
            .filter(|(_, &w)| w)
            .map(|(i, _)| (self.train.x[[i, 0]], self.train.x[[i, 1]]));
        for (c, &label) in self.classes.iter().enumerate() {
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(self.class_names.name(label))
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, class_colour(c).filled()));
        }
        chart
            .draw_series(wrong.map(|p| Cross::new(p, 4, viz::INK.stroke_width(2))))?
            .label("misclassified")
            .legend(|(x, y)| Cross::new((x + 8, y), 4, viz::INK.stroke_width(2)));
        viz::legend(&mut chart, area, SeriesLabelPosition::LowerRight)
    }

    /// One line per curve, over the rounds so far, with legend entries.
    fn draw_curves<DB: DrawingBackend>(
        &self,
        chart: &mut viz::Chart<'_, DB>,
        curves: [Curve; 2],
    ) -> Result<()> {
        for (name, colour, pick) in curves {
            let points = self
                .history
                .iter()
                .enumerate()
                .map(|(i, r)| ((i + 1) as f64, pick(r)));
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        Ok(())
    }

    fn draw_rounds<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let halves = area.split_evenly((2, 1));
        let n = self.params.n_estimators.max(2) as f64;
        let top = self
            .history
            .iter()
            .flat_map(|r| [r.error, r.alpha])
            .fold(0.6_f64, f64::max);
        let mut chart = viz::chart(
            &halves[0],
            "Each learner: weighted error and say",
            0.0..n,
            0.0..top * 1.08,
            "round",
            "",
        )?;
        let curves: [Curve; 2] = [
            ("weighted error", viz::RED, |r| r.error),
            ("say (alpha)", viz::PURPLE, |r| r.alpha),
        ];
        self.draw_curves(&mut chart, curves)?;
        viz::legend(&mut chart, &halves[0], SeriesLabelPosition::UpperRight)?;

        let lo = self
            .history
            .iter()
            .flat_map(|r| [r.train_accuracy, r.test_accuracy])
            .fold(1.0_f64, f64::min);
        let mut chart = viz::chart(
            &halves[1],
            "Ensemble accuracy",
            0.0..n,
            (lo - 0.03).max(0.0)..1.005,
            "round",
            "accuracy",
        )?;
        let curves: [Curve; 2] = [
            ("train", viz::BLUE, |r| r.train_accuracy),
            ("test", viz::ORANGE, |r| r.test_accuracy),
        ];
        self.draw_curves(&mut chart, curves)?;
        viz::legend(&mut chart, &halves[1], SeriesLabelPosition::LowerRight)
    }
}

impl Demo for AdaBoostDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One boosting round.
    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        self.weights_before = self.run.sample_weights().to_vec();
        self.progress = match self.run.step() {
            Ok(p) => p,
            Err(_) => Progress::Diverged,
        };
        if self.progress != Progress::Diverged && self.absorb_newest().is_err() {
            self.progress = Progress::Diverged;
        }
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        1
    }

    /// A little taller than the default, as the right panel holds two charts.
    fn height_for_width(&self, width: u32) -> u32 {
        if width >= 720 {
            (width as f64 * 0.42) as u32
        } else {
            (width as f64 * 2.2).min(1300.0) as u32
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_ensemble(&panels[0])?;
        self.draw_newest(&panels[1])?;
        self.draw_rounds(&panels[2])
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        let last = self.history.last();
        let pick = |f: fn(&Round) -> f64| last.map_or(f64::NAN, f);
        vec![
            Metric::new("round", "Rounds", self.history.len() as f64),
            Metric::new(
                "weighted_error",
                "Weighted error of the newest learner",
                pick(|r| r.error),
            ),
            Metric::new("alpha", "Its say (alpha)", pick(|r| r.alpha)),
            Metric::new(
                "train_accuracy",
                "Ensemble train accuracy",
                pick(|r| r.train_accuracy),
            ),
            Metric::new(
                "test_accuracy",
                "Ensemble test accuracy",
                pick(|r| r.test_accuracy),
            ),
        ]
    }

    fn status(&self) -> Option<String> {
        match self.progress {
            Progress::Diverged => {
                Some("The first learner was no better than chance; nothing to boost.".into())
            }
            Progress::Done if self.history.len() < self.params.n_estimators => Some(format!(
                "Boosting stopped after {} rounds: the last learner was {}.",
                self.history.len(),
                if self.history.last().is_some_and(|r| r.error == 0.0) {
                    "perfect"
                } else {
                    "no better than chance"
                }
            )),
            _ => None,
        }
    }
}

/// The same boosting in scikit-learn.
fn python_script(params: &Params, seed: u64) -> String {
    let mut s = Script::new();
    classification_data_python(&mut s, params, seed);
    s.split(0.25, seed)
        .import("from sklearn.ensemble import AdaBoostClassifier")
        .import("from sklearn.tree import DecisionTreeClassifier")
        .push(&format!(
            "\n# mlplay runs one boosting round per frame; the finished ensemble is the same.\n\
             ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth={}),\n\
             \x20                        n_estimators={}, learning_rate={}, random_state={})\n\
             ada.fit(X_train, y_train)\n\
             last = len(ada.estimators_) - 1\n\
             print(\"Rounds:\", len(ada.estimators_))\n\
             print(\"Weighted error of the newest learner:\", ada.estimator_errors_[last])\n\
             print(\"Its say (alpha):\", ada.estimator_weights_[last])\n\
             print(\"Ensemble train accuracy:\", ada.score(X_train, y_train))\n\
             print(\"Ensemble test accuracy:\", ada.score(X_test, y_test))\n\
             # The accuracy after every round, as in the lower right plot.\n\
             test_curve = list(ada.staged_score(X_test, y_test))",
            params.usize("max_depth"),
            params.usize("n_estimators"),
            python::float(params.f64("learning_rate")),
            python::seed(seed)
        ));
    s.finish()
}
