//! Chapter 7: gradient boosting on a noisy sine, one stage per tick. Left, the ensemble's
//! prediction so far; middle, the residuals the newest tree was fitted to and that tree's steps;
//! right, the training and test error after every stage, with the best stage marked (where early
//! stopping would end).

use super::python::{self, Script};
use super::regression_1d::{regression_upload, Split1d};
use super::regression_tree::{
    curve_grid, noisy_sine, noisy_sine_python, NOISE_PARAM, SAMPLES_PARAM,
};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::Dataset;
use crate::ensemble::{GradientBoostingRegressor, GradientBoostingRegressorRun};
use crate::error::Result;
use crate::estimator::{Iterative, Progress};
use crate::rng::Rng;
use crate::tree::Tree;
use crate::viz;
use ndarray::{aview1, Array1};
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct GradientBoostingDemo {
    split: Split1d,
    train: Dataset,
    test: Dataset,
    run: Box<GradientBoostingRegressorRun>,
    rate: f64,
    /// The ensemble's prediction on the drawing grid, the training and the test points.
    grid: Vec<f64>,
    on_grid: Array1<f64>,
    on_train: Array1<f64>,
    on_test: Array1<f64>,
    /// The training targets minus the prediction before the newest stage (what it was fitted to).
    residuals: Array1<f64>,
    /// Mean squared error after each stage, on the training and the test points.
    history: Vec<(f64, f64)>,
    progress: Progress,
    y_span: (f64, f64),
    /// The "Python equivalent" of these parameters.
    python: String,
}

/// The newest tree's value at a 1-D point.
fn tree_at(tree: &Tree, x: f64) -> f64 {
    tree.nodes[tree.leaf_of(aview1(&[x]))].value[0]
}

fn mse(y: &Array1<f64>, p: &Array1<f64>) -> f64 {
    let n = y.len().max(1) as f64;
    y.iter().zip(p).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / n
}

impl GradientBoostingDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "gradient-boosting",
        title: "Gradient boosting: each tree fits what the others still get wrong",
        chapter: "07-ensemble-learning",
        upload: regression_upload(1000),
        params: &[
            ParamSpec {
                key: "learning_rate",
                label: "Learning rate (shrinkage)",
                help: "Each new tree's prediction is multiplied by this before it is added.",
                kind: ParamKind::Float {
                    min: 0.01,
                    max: 1.0,
                    default: 0.1,
                    log: true,
                },
            },
            ParamSpec {
                key: "n_estimators",
                label: "Trees (stages)",
                help: "How many trees are added, one per stage.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 500,
                    default: 200,
                },
            },
            ParamSpec {
                key: "max_depth",
                label: "max_depth of each tree",
                help: "Depth 1 trees are stumps: one split, two steps.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 6,
                    default: 2,
                },
            },
            ParamSpec {
                key: "subsample",
                label: "Subsample",
                help: "Below 1, each tree learns from a random fraction of the training points (stochastic gradient boosting).",
                kind: ParamKind::Float {
                    min: 0.1,
                    max: 1.0,
                    default: 1.0,
                    log: false,
                },
            },
            SAMPLES_PARAM,
            NOISE_PARAM,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let split = noisy_sine(params, &mut rng)?;
        let (train, test) = (split.train.clone(), split.test.clone());
        let rate = params.f64("learning_rate");
        let run = GradientBoostingRegressor::params()
            .learning_rate(rate)
            .n_estimators(params.usize("n_estimators"))
            .max_depth(Some(params.usize("max_depth")))
            .subsample(params.f64("subsample"))
            .random_state(rng.next_u64())
            .start(&train)?;
        let start = run.run.init_prediction();
        let grid = curve_grid(&split);
        let y_span = viz::extent(train.y.iter().chain(&test.y).copied());
        Ok(GradientBoostingDemo {
            on_grid: Array1::from_elem(grid.len(), start),
            on_train: Array1::from_elem(train.n_samples(), start),
            on_test: Array1::from_elem(test.n_samples(), start),
            residuals: train.y.mapv(|y| y - start),
            grid,
            split,
            train,
            test,
            run: Box::new(run),
            rate,
            history: Vec::new(),
            progress: Progress::Running,
            y_span,
            python: python_script(params, seed),
        })
    }

    fn newest(&self) -> Option<&Tree> {
        self.run.run.stages.last().and_then(|s| s.first())
    }

    /// Adds the newest tree, shrunk, to every prediction the demo draws or scores.
    fn absorb_newest(&mut self) {
        let Some(tree) = self.run.run.stages.last().and_then(|s| s.first()) else {
            return;
        };
        self.residuals = &self.train.y - &self.on_train;
        let rate = self.rate;
        for (p, &x) in self.on_grid.iter_mut().zip(&self.grid) {
            *p += rate * tree_at(tree, x);
        }
        for (p, &x) in self.on_train.iter_mut().zip(self.train.x.column(0)) {
            *p += rate * tree_at(tree, x);
        }
        for (p, &x) in self.on_test.iter_mut().zip(self.test.x.column(0)) {
            *p += rate * tree_at(tree, x);
        }
        self.history.push((
            mse(&self.train.y, &self.on_train),
            mse(&self.test.y, &self.on_test),
        ));
    }

    /// The stage with the lowest test error (1-based) and that error.
    fn best(&self) -> Option<(usize, f64)> {
        self.history
            .iter()
            .enumerate()
            .map(|(i, &(_, t))| (i + 1, t))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    fn draw_ensemble<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let stages = self.history.len();
        let title = format!(
            "Ensemble after {stages} tree{}",
            if stages == 1 { "" } else { "s" }
        );
        let mut chart = viz::chart(
            area,
            &title,
            viz::padded(self.grid[0], self.grid[self.grid.len() - 1], 0.02),
            viz::padded(self.y_span.0, self.y_span.1, 0.1),
            self.split.x_name(),
            self.split.y_name(),
        )?;
        viz::draw_truth_and_samples(
            &mut chart,
            &self.split.truth(&self.grid, f64::sin),
            "sin(x)",
            (self.train.x.column(0), self.train.y.view()),
            (self.test.x.column(0), self.test.y.view()),
            "test",
        )?;
        let line: Vec<(f64, f64)> = self
            .grid
            .iter()
            .copied()
            .zip(self.on_grid.iter().copied())
            .collect();
        chart
            .draw_series(LineSeries::new(line, viz::RED.stroke_width(3)))?
            .label("ensemble")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(3)));
        viz::legend(
            &mut chart,
            area,
            self.split.legend_corner(SeriesLabelPosition::UpperRight),
        )
    }

    fn draw_residuals<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = viz::extent(self.residuals.iter().copied());
        let span = hi.abs().max(lo.abs()).max(1e-3);
        let title = match self.history.len() {
            0 => "Residuals (what the first tree will fit)".to_string(),
            n => format!("Residuals and tree {n} fitted to them"),
        };
        let residual = format!("{} − prediction before this tree", self.split.y_name());
        let mut chart = viz::chart(
            area,
            &title,
            viz::padded(self.grid[0], self.grid[self.grid.len() - 1], 0.02),
            -span * 1.1..span * 1.1,
            self.split.x_name(),
            &residual,
        )?;
        chart.draw_series(
            self.train
                .x
                .column(0)
                .iter()
                .zip(&self.residuals)
                .map(|(&x, &r)| Circle::new((x, r), 3, viz::BLUE.filled())),
        )?;
        if let Some(tree) = self.newest() {
            let steps = viz::step_points(&self.grid, |x| tree_at(tree, x));
            chart.draw_series(LineSeries::new(steps, viz::GREEN.stroke_width(3)))?;
        }
        Ok(())
    }

    fn draw_errors<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let n = self.run.run.params.n_estimators as f64;
        let (lo, hi) = viz::extent(self.history.iter().flat_map(|&(a, b)| [a, b]));
        let mut chart = viz::chart_log_y(
            area,
            "Mean squared error per stage",
            0.0..n.max(2.0),
            (lo * 0.8).max(1e-4)..(hi * 1.25).max(1e-3),
            "trees",
            "MSE",
        )?;
        for (name, pick, colour) in [("train", 0usize, viz::BLUE), ("test", 1, viz::ORANGE)] {
            let points = self
                .history
                .iter()
                .enumerate()
                .map(|(i, &(a, b))| ((i + 1) as f64, if pick == 0 { a } else { b }));
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        if let Some((stage, err)) = self.best() {
            chart.draw_series(std::iter::once(Circle::new(
                (stage as f64, err),
                6,
                viz::RED.filled(),
            )))?;
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }
}

impl Demo for GradientBoostingDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        self.progress = self.run.step().unwrap_or(Progress::Diverged);
        self.absorb_newest();
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        // A few stages per frame: 200 trees take about a second, slow enough to watch.
        3
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_ensemble(&panels[0])?;
        self.draw_residuals(&panels[1])?;
        self.draw_errors(&panels[2])
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        let last = self.history.last().copied().unwrap_or((f64::NAN, f64::NAN));
        let (best_stage, best_mse) = self
            .best()
            .map_or((f64::NAN, f64::NAN), |(s, e)| (s as f64, e));
        vec![
            Metric::new("trees", "Trees so far", self.history.len() as f64),
            Metric::new("train_mse", "Training MSE", last.0),
            Metric::new("test_mse", "Test MSE", last.1),
            Metric::new("best_stage", "Stage with the lowest test MSE", best_stage),
            Metric::new("best_test_mse", "Lowest test MSE", best_mse),
        ]
    }
}

/// The ensemble in scikit-learn, with the error after every stage from `staged_predict`.
fn python_script(params: &Params, seed: u64) -> String {
    let mut s = Script::new();
    noisy_sine_python(&mut s, params, seed);
    s.import("from sklearn.ensemble import GradientBoostingRegressor")
        .import("from sklearn.metrics import mean_squared_error")
        .push(&format!(
            "\ngbr = GradientBoostingRegressor(n_estimators={}, learning_rate={}, max_depth={},\n\
             \x20                               subsample={}, random_state={})\n\
             gbr.fit(X_train, y_train)\n\
             train_mse = [mean_squared_error(y_train, p) for p in gbr.staged_predict(X_train)]\n\
             test_mse = [mean_squared_error(y_test, p) for p in gbr.staged_predict(X_test)]\n\
             print(\"Trees:\", len(gbr.estimators_))\n\
             print(\"Training MSE:\", train_mse[-1])\n\
             print(\"Test MSE:\", test_mse[-1])\n\
             print(\"Stage with the lowest test MSE:\", int(np.argmin(test_mse)) + 1)\n\
             print(\"Lowest test MSE:\", min(test_mse))",
            params.usize("n_estimators"),
            python::float(params.f64("learning_rate")),
            params.usize("max_depth"),
            python::float(params.f64("subsample")),
            python::seed(seed)
        ));
    s.finish()
}
