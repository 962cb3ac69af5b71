//! Chapter 4: early stopping. A high-degree polynomial model trained by the real SGD regressor,
//! one epoch per tick, on noisy quadratic data; the training error keeps falling while the
//! validation error reaches a minimum and climbs again. The best epoch is marked, and so is the
//! epoch where scikit-learn's `early_stopping=True` rule (validation R² not better than the best
//! by `tol` for `n_iter_no_change` epochs in a row) would have stopped.

use super::polynomial_regression::{
    poly_features_python, quadratic_python, quadratic_split, quadratic_truth, reach_a_decade,
    PolyFeatures,
};
use super::python::{self, Script};
use super::regression_1d::{regression_upload, Split1d};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::Dataset;
use crate::error::Result;
use crate::estimator::{Iterative, Progress, Regressor};
use crate::linear::{LearningRate, Patience, SgdRegressor, SgdRegressorParams, SgdRun};
use crate::metrics::{r2_score, root_mean_squared_error};
use crate::viz;
use ndarray::{Array1, Array2};
use plotters::coord::Shift;
use plotters::prelude::*;

/// scikit-learn's default `tol` for the stopping rule.
const TOL: f64 = 1e-3;

pub struct EarlyStoppingDemo {
    split: Split1d,
    train: Dataset,
    val: Dataset,
    features: PolyFeatures,
    /// Training RMSE above which the weights count as blown up.
    blow_up: f64,
    train_features: Array2<f64>,
    val_features: Array2<f64>,
    degree: usize,
    patience_epochs: usize,
    /// The planned number of epochs (the error plot's x range).
    max_epochs: usize,
    run: Box<SgdRun>,
    model: Box<SgdRegressor>,
    /// The model at the lowest validation RMSE so far, and that epoch.
    best: Option<(usize, Box<SgdRegressor>)>,
    /// (train RMSE, validation RMSE) after each epoch.
    history: Vec<(f64, f64)>,
    patience: Patience,
    /// The epoch at which the early-stopping rule fires, once it has.
    stopped_at: Option<usize>,
    progress: Progress,
    python: String,
}

impl EarlyStoppingDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "early-stopping",
        title: "Early stopping: stop when the validation error turns up",
        chapter: "04-training-linear-models",
        upload: regression_upload(1000),
        params: &[
            ParamSpec {
                key: "degree",
                label: "Polynomial degree",
                help: "Features x, x², …, standardised: a high degree can overfit 60 points.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 40,
                    default: 20,
                },
            },
            ParamSpec {
                key: "eta0",
                label: "Learning rate η",
                help: "The constant SGD step size.",
                kind: ParamKind::Float {
                    min: 1e-4,
                    max: 0.05,
                    default: 0.005,
                    log: true,
                },
            },
            ParamSpec {
                key: "patience",
                label: "Patience (n_iter_no_change)",
                help: "Epochs in a row without a validation improvement before the rule stops.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 100,
                    default: 10,
                },
            },
            ParamSpec {
                key: "epochs",
                label: "Epochs",
                help: "How long to keep training, past the stopping point, to show what it avoids.",
                kind: ParamKind::Int {
                    min: 20,
                    max: 3000,
                    default: 500,
                },
            },
            ParamSpec {
                key: "noise",
                label: "Noise",
                help: "Standard deviation of the noise added to y = 2 + x + 0.5 x².",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 3.0,
                    default: 1.0,
                    log: false,
                },
            },
            ParamSpec {
                key: "samples",
                label: "Samples",
                help: "Points in all; a quarter are held out for validation.",
                kind: ParamKind::Int {
                    min: 20,
                    max: 400,
                    default: 60,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let split = quadratic_split(params, seed)?;
        let (train, val) = (split.train.clone(), split.test.clone());
        let degree = params.usize("degree");
        let features = PolyFeatures::fit(train.x.view(), degree, !split.generated)?;
        let (train_features, val_features) = (
            features.transform(train.x.view())?,
            features.transform(val.x.view())?,
        );
        // The errors are in y's units: a file's y may be in the thousands.
        let y_size = train.y.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
        let blow_up = if split.generated { 1e6 } else { 1e6 * y_size };
        let epochs = params.usize("epochs");
        let run = SgdRegressorParams::default()
            .penalty(None)
            .learning_rate(LearningRate::Constant)
            .eta0(params.f64("eta0"))
            .tol(None)
            .max_iter(epochs)
            .random_state(seed)
            .start(&Dataset::new(train_features.clone(), train.y.clone())?)?;
        let model = Box::new(run.model());
        Ok(EarlyStoppingDemo {
            split,
            train,
            val,
            features,
            blow_up,
            train_features,
            val_features,
            degree,
            patience_epochs: params.usize("patience"),
            max_epochs: epochs,
            run: Box::new(run),
            model,
            best: None,
            history: Vec::new(),
            patience: Patience::default(),
            stopped_at: None,
            progress: Progress::Running,
            python: python_script(params, seed),
        })
    }

    fn rmse(model: &SgdRegressor, x: &Array2<f64>, y: &Array1<f64>) -> f64 {
        match model.predict(x.view()) {
            Ok(p) => root_mean_squared_error(y.view(), p.view()),
            Err(_) => f64::NAN,
        }
    }

    /// Scores the epoch just run: errors, best model, and the stopping rule on validation R².
    fn record(&mut self) {
        let m = &self.model;
        let train = Self::rmse(m, &self.train_features, &self.train.y);
        let val = Self::rmse(m, &self.val_features, &self.val.y);
        self.history.push((train, val));
        let epoch = self.history.len();
        if self
            .best
            .as_ref()
            .is_none_or(|(e, _)| val < self.history[e - 1].1)
        {
            self.best = Some((epoch, m.clone()));
        }
        let r2 = m
            .predict(self.val_features.view())
            .map(|p| r2_score(self.val.y.view(), p.view()))
            .unwrap_or(f64::NAN);
        if self.patience.update(r2, Some(TOL)) >= self.patience_epochs && self.stopped_at.is_none()
        {
            self.stopped_at = Some(epoch);
        }
    }

    fn curve(&self, model: &SgdRegressor, grid: &[f64]) -> Result<Vec<(f64, f64)>> {
        let xs = Array2::from_shape_vec((grid.len(), 1), grid.to_vec())
            .map_err(|e| crate::Error::Shape(e.to_string()))?;
        let f = self.features.transform(xs.view())?;
        let y = model.predict(f.view())?;
        Ok(grid.iter().copied().zip(y.iter().copied()).collect())
    }

    fn draw_fit<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (y0, y1) = viz::extent(self.train.y.iter().chain(self.val.y.iter()).copied());
        let yr = viz::padded(y0, y1, 0.1);
        let title = format!("Degree {} fit, epoch {}", self.degree, self.history.len());
        let mut chart = viz::chart(
            area,
            &title,
            self.split.x_axis(),
            yr.clone(),
            self.split.x_name(),
            self.split.y_name(),
        )?;
        let grid = self.split.grid(200);
        viz::draw_truth_and_samples(
            &mut chart,
            &quadratic_truth(&self.split, &grid),
            "true curve",
            (self.train.x.column(0), self.train.y.view()),
            (self.val.x.column(0), self.val.y.view()),
            "validation",
        )?;
        let span = yr.end - yr.start;
        let clip = |(x, y): (f64, f64)| (x, y.clamp(yr.start - span, yr.end + span));
        if let Some((epoch, best)) = &self.best {
            let label = format!("best (epoch {epoch})");
            chart
                .draw_series(DashedLineSeries::new(
                    self.curve(best, &grid)?.into_iter().map(clip),
                    6,
                    4,
                    viz::GREEN.stroke_width(3),
                ))?
                .label(label)
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], viz::GREEN.stroke_width(3))
                });
        }
        chart
            .draw_series(LineSeries::new(
                self.curve(&self.model, &grid)?.into_iter().map(clip),
                viz::RED.stroke_width(3),
            ))?
            .label("now")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(3)));
        viz::legend(
            &mut chart,
            area,
            self.split.legend_corner(SeriesLabelPosition::UpperLeft),
        )
    }

    fn draw_errors<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let values = self.history.iter().flat_map(|h| [h.0, h.1]);
        let (lo, hi) = viz::extent(values.filter(|v| v.is_finite() && *v > 0.0));
        let (lo, hi) = if self.history.is_empty() {
            (0.1, 10.0)
        } else {
            reach_a_decade((lo * 0.8).max(1e-3), (hi * 1.25).max(lo * 2.0))
        };
        let epochs = self.max_epochs.max(self.history.len()) as f64;
        let mut chart = viz::chart_log_y(
            area,
            "RMSE per epoch",
            0.0..epochs * 1.02,
            lo..hi,
            "epoch",
            "RMSE (log scale)",
        )?;
        let clip = |v: f64| if v.is_finite() { v.clamp(lo, hi) } else { hi };
        let mut vertical = |at: usize, colour: RGBColor| -> Result<()> {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(at as f64, lo), (at as f64, hi)],
                colour.stroke_width(2),
            )))?;
            Ok(())
        };
        if let Some(stop) = self.stopped_at {
            vertical(stop, viz::GREY)?;
        }
        for (which, colour, label) in [(0, viz::BLUE, "train"), (1, viz::ORANGE, "validation")] {
            chart
                .draw_series(LineSeries::new(
                    self.history.iter().enumerate().map(|(i, h)| {
                        let v = if which == 0 { h.0 } else { h.1 };
                        ((i + 1) as f64, clip(v))
                    }),
                    colour.stroke_width(2),
                ))?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        if let Some((epoch, _)) = &self.best {
            let v = self.history[epoch - 1].1;
            chart
                .draw_series(std::iter::once(Circle::new(
                    (*epoch as f64, clip(v)),
                    6,
                    viz::GREEN.filled(),
                )))?
                .label("best validation")
                .legend(|(x, y)| Circle::new((x + 8, y), 5, viz::GREEN.filled()));
        }
        if self.stopped_at.is_some() {
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(format!("rule stops (patience {})", self.patience_epochs))
                .legend(|(x, y)| {
                    PathElement::new(
                        vec![(x + 8, y - 6), (x + 8, y + 6)],
                        viz::GREY.stroke_width(2),
                    )
                });
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }
}

impl Demo for EarlyStoppingDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One SGD epoch over the training points.
    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        self.progress = match self.run.step() {
            Ok(p) => p,
            Err(_) => Progress::Diverged,
        };
        if self.progress != Progress::Diverged {
            *self.model = self.run.model();
            self.record();
            let last = self.history.last().copied().unwrap_or((0.0, 0.0));
            // Constant-rate SGD that overshoots grows its weights geometrically: call it
            // diverged long before the numbers overflow.
            if !(last.0.is_finite() && last.1.is_finite()) || last.0 > self.blow_up {
                self.progress = Progress::Diverged;
            }
        }
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        4
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 2);
        self.draw_fit(&panels[0])?;
        self.draw_errors(&panels[1])
    }

    fn height_for_width(&self, width: u32) -> u32 {
        if width >= 720 {
            (width as f64 * 0.42) as u32
        } else {
            (width as f64 * 1.5).min(1000.0) as u32
        }
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn status(&self) -> Option<String> {
        (self.progress == Progress::Diverged).then(|| {
            format!(
                "the weights blew up in epoch {}: lower the learning rate",
                self.history.len().max(1)
            )
        })
    }

    fn metrics(&self) -> Vec<Metric> {
        let last = self.history.last().copied().unwrap_or((f64::NAN, f64::NAN));
        let (best_epoch, best_val) = match &self.best {
            Some((e, _)) => (*e as f64, self.history[e - 1].1),
            None => (f64::NAN, f64::NAN),
        };
        vec![
            Metric::new("epoch", "Epoch", self.history.len() as f64),
            Metric::new("train_rmse", "Train RMSE", last.0),
            Metric::new("val_rmse", "Validation RMSE", last.1),
            Metric::new("best_epoch", "Best epoch", best_epoch),
            Metric::new("best_val_rmse", "Best validation RMSE", best_val),
            Metric::new(
                "stopped_at",
                "Rule stops at epoch",
                self.stopped_at.map_or(f64::NAN, |e| e as f64),
            ),
        ]
    }
}

/// scikit-learn's own early stopping on the same model: it holds out `validation_fraction` of
/// the rows it is given, and keeps the weights of the epoch where it stops.
fn python_script(params: &Params, seed: u64) -> String {
    let degree = params.usize("degree");
    let mut s = Script::new();
    s.import("import numpy as np")
        .import("from sklearn.linear_model import SGDRegressor")
        .import("from sklearn.metrics import root_mean_squared_error")
        .import("from sklearn.pipeline import make_pipeline")
        .import("from sklearn.preprocessing import PolynomialFeatures, StandardScaler");
    quadratic_python(&mut s, params, seed);
    s.split(0.25, seed).push(&format!(
            "\n# early_stopping holds out validation_fraction of X_train itself, scores R² after each\n\
             # epoch and stops after n_iter_no_change epochs without an improvement of tol.\n\
             model = make_pipeline(\n\
             \x20   {features},\n\
             \x20   SGDRegressor(penalty=None, learning_rate=\"constant\", eta0={eta0}, max_iter={epochs},\n\
             \x20                early_stopping=True, validation_fraction=0.25, n_iter_no_change={patience},\n\
             \x20                tol={TOL}, random_state={seed}))\n\
             model.fit(X_train, y_train)\n\
             print(\"Stopped after epoch:\", model[-1].n_iter_)\n\
             print(\"Train RMSE:\", root_mean_squared_error(y_train, model.predict(X_train)))\n\
             print(\"Validation RMSE:\", root_mean_squared_error(y_test, model.predict(X_test)))",
            eta0 = python::float(params.f64("eta0")),
            epochs = params.usize("epochs"),
            patience = params.usize("patience"),
            seed = python::seed(seed),
            features = poly_features_python(params, degree),
        ));
    s.finish()
}
