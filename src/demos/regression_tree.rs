//! Chapter 6: a regression tree grown one split per tick on a noisy sine. Left, the data, the true
//! curve and the tree's prediction, a step function with one step per leaf; right, the tree with
//! each node coloured by the value it predicts.

use super::python::{self, Script, RANDOM_NOTE};
use super::regression_1d::{data_python, regression_upload, Split1d};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::estimator::{Iterative, Progress, Regressor};
use crate::metrics::root_mean_squared_error;
use crate::rng::Rng;
use crate::tree::{
    DecisionTreeRegressor, DecisionTreeRegressorParams, DecisionTreeRegressorRun, GrowthOrder,
    Node, Snapshot,
};
use crate::viz;
use ndarray::{Array1, Array2};
use plotters::coord::Shift;
use plotters::prelude::*;

const X_RANGE: (f64, f64) = (0.0, 6.0);
/// Points at which the prediction is drawn: enough that every step shows as a vertical jump.
const CURVE_POINTS: usize = 600;

/// The noisy sine's size and noise, shared with the gradient-boosting demo.
pub(crate) const SAMPLES_PARAM: ParamSpec = ParamSpec {
    key: "samples",
    label: "Samples",
    help: "Points generated on [0, 6]; a quarter is held out as the test set.",
    kind: ParamKind::Int {
        min: 20,
        max: 500,
        default: 100,
    },
};
pub(crate) const NOISE_PARAM: ParamSpec = ParamSpec {
    key: "noise",
    label: "Noise",
    help: "Standard deviation of the noise added to y = sin(x).",
    kind: ParamKind::Float {
        min: 0.0,
        max: 1.0,
        default: 0.25,
        log: false,
    },
};

/// `samples` points of y = sin(x) + noise on [0, 6], or the reader's file, a quarter held out.
pub(crate) fn noisy_sine(params: &Params, rng: &mut Rng) -> Result<Split1d> {
    let n = params.usize("samples");
    let noise = params.f64("noise");
    Split1d::new(params, rng, X_RANGE, |rng| {
        let xs: Vec<f64> = (0..n)
            .map(|_| rng.uniform_range(X_RANGE.0, X_RANGE.1))
            .collect();
        let ys: Vec<f64> = xs.iter().map(|x| x.sin() + noise * rng.normal()).collect();
        let x = Array2::from_shape_vec((n, 1), xs).map_err(|e| Error::Shape(e.to_string()))?;
        Dataset::with_names(x, Array1::from(ys), vec!["x".into()], "y".into())
    })
}

/// Appends the Python that makes `noisy_sine`'s split (`X_train, X_test, y_train, y_test`).
pub(crate) fn noisy_sine_python(s: &mut Script, params: &Params, seed: u64) {
    let n = params.usize("samples");
    s.import("import numpy as np");
    data_python(s, params, |s| {
        s.push(RANDOM_NOTE).push(&format!(
            "rng = np.random.default_rng({})\n\
             X = rng.uniform({}, {}, ({n}, 1))\n\
             y = np.sin(X[:, 0]) + {} * rng.normal(size={n})",
            python::seed(seed),
            X_RANGE.0,
            X_RANGE.1,
            python::float(params.f64("noise"))
        ));
    });
    s.split(0.25, seed);
}

/// The finished tree in scikit-learn.
fn python_script(params: &Params, seed: u64) -> String {
    let mut s = Script::new();
    noisy_sine_python(&mut s, params, seed);
    let max_depth = match params.usize("max_depth") {
        0 => "None".to_string(),
        d => d.to_string(),
    };
    s.import("from sklearn.metrics import root_mean_squared_error")
        .import("from sklearn.tree import DecisionTreeRegressor")
        .push(&format!(
            "\n# mlplay grows the tree best-first one split at a time; the finished tree is the same.\n\
             tree = DecisionTreeRegressor(max_depth={max_depth}, min_samples_leaf={}, random_state={})\n\
             tree.fit(X_train, y_train)\n\
             print(\"Splits:\", tree.get_n_leaves() - 1)\n\
             print(\"Depth:\", tree.get_depth())\n\
             print(\"Leaves (steps):\", tree.get_n_leaves())\n\
             print(\"Train RMSE:\", root_mean_squared_error(y_train, tree.predict(X_train)))\n\
             print(\"Test RMSE:\", root_mean_squared_error(y_test, tree.predict(X_test)))",
            params.usize("min_samples_leaf"),
            python::seed(seed)
        ));
    s.finish()
}

/// The x values at which a 1-D prediction is drawn.
pub(crate) fn curve_grid(split: &Split1d) -> Vec<f64> {
    split.grid(CURVE_POINTS)
}

pub struct RegressionTreeDemo {
    split: Split1d,
    train: Dataset,
    test: Dataset,
    run: Box<DecisionTreeRegressorRun>,
    snapshot: Snapshot,
    model: Box<DecisionTreeRegressor>,
    train_rmse: f64,
    test_rmse: f64,
    progress: Progress,
    y_span: (f64, f64),
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl RegressionTreeDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "regression-tree",
        title: "A regression tree predicts with steps",
        chapter: "06-decision-trees",
        upload: regression_upload(1000),
        params: &[
            SAMPLES_PARAM,
            NOISE_PARAM,
            ParamSpec {
                key: "max_depth",
                label: "max_depth (0 = no limit)",
                help: "No node deeper than this is split: at most 2^depth steps.",
                kind: ParamKind::Int {
                    min: 0,
                    max: 12,
                    default: 0,
                },
            },
            ParamSpec {
                key: "min_samples_leaf",
                label: "min_samples_leaf",
                help: "Every step averages at least this many training points.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 30,
                    default: 1,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let split = noisy_sine(params, &mut rng)?;
        let (train, test) = (split.train.clone(), split.test.clone());
        let max_depth = Some(params.usize("max_depth")).filter(|d| *d > 0);
        let mut run = DecisionTreeRegressorParams::default()
            .max_depth(max_depth)
            .min_samples_leaf(params.usize("min_samples_leaf"))
            .start(&train)?;
        run.set_order(GrowthOrder::BestFirst);
        let y_span = viz::extent(train.y.iter().chain(&test.y).copied());
        let mut demo = RegressionTreeDemo {
            split,
            train,
            test,
            snapshot: run.snapshot(),
            model: Box::new(run.model()),
            run: Box::new(run),
            train_rmse: f64::NAN,
            test_rmse: f64::NAN,
            progress: Progress::Running,
            y_span,
            python: python_script(params, seed),
        };
        demo.record()?;
        Ok(demo)
    }

    fn record(&mut self) -> Result<()> {
        self.snapshot = self.run.snapshot();
        *self.model = self.run.model();
        let rmse = |d: &Dataset, m: &DecisionTreeRegressor| -> Result<f64> {
            Ok(root_mean_squared_error(
                d.y.view(),
                m.predict(d.x.view())?.view(),
            ))
        };
        self.train_rmse = rmse(&self.train, &self.model)?;
        self.test_rmse = rmse(&self.test, &self.model)?;
        Ok(())
    }

    fn draw_fit<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let yr = viz::padded(self.y_span.0, self.y_span.1, 0.1);
        let title = format!("Prediction: {} steps", self.snapshot.tree.n_leaves());
        let mut chart = viz::chart(
            area,
            &title,
            self.split.x_axis(),
            yr,
            self.split.x_name(),
            self.split.y_name(),
        )?;
        let grid = curve_grid(&self.split);
        viz::draw_truth_and_samples(
            &mut chart,
            &self.split.truth(&grid, f64::sin),
            "sin(x)",
            (self.train.x.column(0), self.train.y.view()),
            (self.test.x.column(0), self.test.y.view()),
            "test",
        )?;
        // The step function: a vertical jump wherever the leaf changes between grid points.
        let tree = &self.snapshot.tree;
        let steps = viz::step_points(&grid, |x| {
            tree.nodes[tree.leaf_of(ndarray::aview1(&[x]))].value[0]
        });
        chart
            .draw_series(LineSeries::new(steps, viz::RED.stroke_width(3)))?
            .label("tree")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(3)));
        viz::legend(
            &mut chart,
            area,
            self.split.legend_corner(SeriesLabelPosition::UpperRight),
        )
    }

    fn draw_tree<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = self.y_span;
        let fill = |n: &Node| {
            let t = (n.value[0] - lo) / (hi - lo).max(1e-9);
            viz::colormap(t)
        };
        let describe = |n: &Node| format!("ŷ = {:.2}", n.value[0]);
        viz::draw_growing_tree(
            area,
            &self.snapshot,
            self.run.splits(),
            &self.train.feature_names,
            &fill,
            &describe,
        )
    }
}

impl Demo for RegressionTreeDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One split, then the new tree is scored.
    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        self.progress = self.run.step().unwrap_or(Progress::Diverged);
        if self.record().is_err() {
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
        self.draw_fit(&panels[0])?;
        self.draw_tree(&panels[1])?;
        Ok(())
    }

    fn height_for_width(&self, width: u32) -> u32 {
        viz::two_panel_height(width)
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        vec![
            Metric::new("splits", "Splits", self.run.splits() as f64),
            Metric::new("depth", "Depth", self.snapshot.tree.depth() as f64),
            Metric::new(
                "leaves",
                "Leaves (steps)",
                self.snapshot.tree.n_leaves() as f64,
            ),
            Metric::new("train_rmse", "Train RMSE", self.train_rmse),
            Metric::new("test_rmse", "Test RMSE", self.test_rmse),
        ]
    }

    fn status(&self) -> Option<String> {
        (self.progress == Progress::Done).then(|| {
            format!(
                "Finished: {} steps, depth {}.",
                self.snapshot.tree.n_leaves(),
                self.snapshot.tree.depth()
            )
        })
    }
}
