//! Chapter 4: linear regression trained by batch, mini-batch or stochastic gradient descent, drawn
//! as the line it fits, its path on the loss surface (with the normal-equation answer marked) and
//! its loss curve.

use super::python::{self, Script, RANDOM_NOTE};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::{generators, Dataset};
use crate::error::Result;
use crate::estimator::{Fit, Iterative, Progress};
use crate::linear::{GdMethod, GradientDescent, GradientDescentParams, LinearRegression};
use crate::rng::Rng;
use crate::viz::{self, colormap, raster_field_cached, RasterCache};
use ndarray::Array1;
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct GradientDescentDemo {
    data: Dataset,
    run: GradientDescent,
    /// The closed-form answer (intercept, slope) and its training MSE.
    best: (f64, f64),
    best_mse: f64,
    /// MSE(theta) = theta^T A theta - 2 b^T theta + c, precomputed so the loss surface costs O(1) a pixel.
    quad: [f64; 6],
    progress: Progress,
    /// The loss surface's pixels: fixed for a run, so computed once per plot size.
    contour: RasterCache,
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl GradientDescentDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "gradient-descent",
        title: "Gradient descent for linear regression",
        chapter: "04-training-linear-models",
        upload: None,
        params: &[
            ParamSpec {
                key: "method",
                label: "Method",
                help:
                    "Batch uses every sample per update, stochastic one, mini-batch `batch_size`.",
                kind: ParamKind::Choice {
                    options: &["batch", "mini-batch", "stochastic"],
                    default: "batch",
                },
            },
            ParamSpec {
                key: "learning_rate",
                label: "Learning rate η",
                help: "Step size. Too small crawls; too large overshoots and diverges.",
                kind: ParamKind::Float {
                    min: 0.001,
                    max: 1.5,
                    default: 0.1,
                    log: true,
                },
            },
            ParamSpec {
                key: "batch_size",
                label: "Batch size",
                help: "Samples per update for mini-batch gradient descent.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 100,
                    default: 16,
                },
            },
            ParamSpec {
                key: "epochs",
                label: "Epochs",
                help: "Passes over the training set.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 500,
                    default: 100,
                },
            },
            ParamSpec {
                key: "schedule",
                label: "Learning schedule",
                help: "Decay η as η₀·50/(t+50) over the t updates made so far.",
                kind: ParamKind::Bool { default: false },
            },
            ParamSpec {
                key: "samples",
                label: "Samples",
                help: "Number of generated points.",
                kind: ParamKind::Int {
                    min: 10,
                    max: 1000,
                    default: 100,
                },
            },
            ParamSpec {
                key: "noise",
                label: "Noise",
                help: "Standard deviation of the noise added to y = 4 + 3x.",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 3.0,
                    default: 1.0,
                    log: false,
                },
            },
            ParamSpec {
                key: "scale_x",
                label: "Scale x",
                help: "Off: x stays in [0, 20], the loss bowl becomes a long thin valley.",
                kind: ParamKind::Bool { default: true },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        // Same raw data either way; scaling only divides x by 10, so y = 4 + 3x becomes 4 + 0.3x.
        let mut data = generators::linear_1d(
            params.usize("samples"),
            0.0,
            20.0,
            4.0,
            0.3,
            params.f64("noise"),
            &mut rng,
        );
        if params.bool("scale_x") {
            data.x.mapv_inplace(|v| v / 10.0);
        }
        let method = match params.choice("method") {
            "stochastic" => GdMethod::Stochastic,
            "mini-batch" => GdMethod::MiniBatch,
            _ => GdMethod::Batch,
        };
        let run = GradientDescentParams::default()
            .method(method)
            .learning_rate(params.f64("learning_rate"))
            .batch_size(params.usize("batch_size"))
            .epochs(params.usize("epochs"))
            .schedule(params.bool("schedule"))
            .seed(seed.wrapping_add(1))
            .start(&data)?;
        let exact = LinearRegression::params().fit(&data)?;
        let best = (exact.intercept(), exact.coef()[0]);
        let best_mse = run.loss_at(&Array1::from(vec![best.0, best.1]));
        let n = data.n_samples() as f64;
        let x = data.x.column(0);
        let y = &data.y;
        let quad = [
            x.sum() / n,
            x.dot(&x) / n,
            y.sum() / n,
            x.dot(y) / n,
            y.dot(y) / n,
            0.0,
        ];
        Ok(GradientDescentDemo {
            data,
            run,
            best,
            best_mse,
            quad,
            progress: Progress::Running,
            contour: RasterCache::default(),
            python: python_script(params, seed),
        })
    }

    fn mse(&self, t0: f64, t1: f64) -> f64 {
        let [mx, mxx, my, mxy, myy, _] = self.quad;
        // mean((t0 + t1 x - y)^2) expanded into data moments.
        t0 * t0 + 2.0 * t0 * t1 * mx + t1 * t1 * mxx - 2.0 * t0 * my - 2.0 * t1 * mxy + myy
    }

    fn theta(&self) -> (f64, f64) {
        let t = self.run.theta();
        (t[0], t[1])
    }

    fn draw_fit<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let xs = self.data.x.column(0);
        let (x0, x1) = viz::extent(xs.iter().copied());
        let (y0, y1) = viz::extent(self.data.y.iter().copied());
        // Training starts from θ = 0: keep y = 0 in view so the first line is seen, not clipped.
        let yr = viz::padded(y0.min(0.0), y1.max(0.0), 0.06);
        let mut chart = viz::chart(
            area,
            "Data and fitted line",
            viz::padded(x0, x1, 0.03),
            yr.clone(),
            "x",
            "y",
        )?;
        let clamp = |v: f64| {
            v.clamp(
                yr.start - 10.0 * (yr.end - yr.start),
                yr.end + 10.0 * (yr.end - yr.start),
            )
        };
        let line = |t0: f64, t1: f64| vec![(x0, clamp(t0 + t1 * x0)), (x1, clamp(t0 + t1 * x1))];
        chart.draw_series(
            xs.iter()
                .zip(self.data.y.iter())
                .map(|(&x, &y)| Circle::new((x, y), 2, viz::BLUE.mix(0.55).filled())),
        )?;
        // Earlier lines fade in behind the current one, so the reader sees where it came from.
        let path = self.run.path();
        let shown = 8.min(path.len().saturating_sub(1));
        for k in 0..shown {
            let t = &path[k * (path.len() - 1) / shown.max(1)];
            if t.iter().all(|v| v.is_finite()) {
                chart.draw_series(LineSeries::new(line(t[0], t[1]), viz::ORANGE.mix(0.25)))?;
            }
        }
        chart
            .draw_series(DashedLineSeries::new(
                line(self.best.0, self.best.1),
                6,
                4,
                viz::GREY.stroke_width(2),
            ))?
            .label("normal equation")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], viz::GREY.stroke_width(2))
            });
        let (t0, t1) = self.theta();
        if t0.is_finite() && t1.is_finite() {
            chart
                .draw_series(LineSeries::new(line(t0, t1), viz::RED.stroke_width(3)))?
                .label("gradient descent")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(3))
                });
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperLeft)
    }

    fn draw_path<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (b0, b1) = self.best;
        let box0 = viz::padded(b0.min(0.0), b0.max(0.0), 0.35);
        let box1 = viz::padded(b1.min(0.0), b1.max(0.0), 0.35);
        let mut chart = viz::chart(
            area,
            "Path on the loss surface",
            box0.clone(),
            box1.clone(),
            "θ0 (intercept)",
            "θ1 (slope)",
        )?;
        let lmin = self.best_mse.max(1e-12).ln();
        let corners = [
            (box0.start, box1.start),
            (box0.start, box1.end),
            (box0.end, box1.start),
            (box0.end, box1.end),
        ];
        let lmax = corners
            .iter()
            .map(|&(a, b)| self.mse(a, b))
            .fold(0.0, f64::max)
            .max(1e-12)
            .ln();
        // Banded colours give the contour look; bands are equal steps of log-loss.
        raster_field_cached(&mut chart, 1, &self.contour, |t0, t1| {
            let t = (self.mse(t0, t1).max(1e-12).ln() - lmin) / (lmax - lmin).max(1e-9);
            colormap((t * 14.0).floor() / 14.0)
        })?;
        let (w0, w1) = (box0.end - box0.start, box1.end - box1.start);
        let keep_in_view = |t: &Array1<f64>| {
            (
                t[0].clamp(box0.start - 5.0 * w0, box0.end + 5.0 * w0),
                t[1].clamp(box1.start - 5.0 * w1, box1.end + 5.0 * w1),
            )
        };
        let path = self.run.path();
        let stride = path.len().div_ceil(1500).max(1);
        let points: Vec<(f64, f64)> = path
            .iter()
            .step_by(stride)
            .chain(path.last())
            .filter(|t| t.iter().all(|v| v.is_finite()))
            .map(keep_in_view)
            .collect();
        chart.draw_series(LineSeries::new(
            points.iter().copied(),
            viz::RED.stroke_width(2),
        ))?;
        if path.len() <= 300 {
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 2, viz::RED.filled())))?;
        }
        chart.draw_series(std::iter::once(Cross::new(
            (b0, b1),
            7,
            viz::INK.stroke_width(3),
        )))?;
        let fs = viz::font_size(area);
        let label = ("sans-serif", fs).into_font().color(&viz::INK);
        // Label on the side of the marker with more room, so it stays inside the panel.
        let dx = if b0 > (box0.start + box0.end) / 2.0 {
            -(fs as i32 * 8)
        } else {
            10
        };
        chart.draw_series(std::iter::once(
            EmptyElement::at((b0, b1)) + Text::new("normal equation", (dx, 8), label),
        ))?;
        Ok(())
    }

    fn draw_loss<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let losses = self.run.losses();
        let finite: Vec<(f64, f64)> = losses
            .iter()
            .enumerate()
            .filter(|(_, l)| l.is_finite() && **l > 0.0)
            .map(|(i, &l)| (i as f64, l))
            .collect();
        let (lo, hi) = viz::extent(finite.iter().map(|p| p.1).chain([self.best_mse]));
        let lo = (lo * 0.8).max(1e-6);
        let hi = (hi * 1.25).max(lo * 10.0);
        let total = self.run.total_updates().max(1) as f64;
        let mut chart = viz::chart_log_y(
            area,
            "Training loss (MSE)",
            0.0..total,
            lo..hi,
            "updates",
            "MSE (log scale)",
        )?;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, self.best_mse), (total, self.best_mse)],
                6,
                4,
                viz::GREY.stroke_width(2),
            ))?
            .label("normal equation")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], viz::GREY.stroke_width(2))
            });
        let stride = finite.len().div_ceil(2000).max(1);
        chart
            .draw_series(LineSeries::new(
                finite.iter().step_by(stride).chain(finite.last()).copied(),
                viz::RED.stroke_width(2),
            ))?
            .label("gradient descent")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(2)));
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }
}

impl Demo for GradientDescentDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        if self.progress == Progress::Running {
            self.progress = self.run.step().unwrap_or(Progress::Diverged);
        }
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        // About four seconds for a whole run at 60 frames per second, whatever the method.
        (self.run.total_updates() / 240).max(1)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_fit(&panels[0])?;
        self.draw_path(&panels[1])?;
        self.draw_loss(&panels[2])?;
        Ok(())
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        let (t0, t1) = self.theta();
        vec![
            Metric::new("step", "Updates", self.run.updates() as f64),
            Metric::new("epoch", "Epoch", self.run.epoch() as f64),
            Metric::new("theta0", "θ0 (intercept)", t0),
            Metric::new("theta1", "θ1 (slope)", t1),
            Metric::new(
                "mse",
                "Train MSE",
                self.run.losses().last().copied().unwrap_or(f64::NAN),
            ),
            Metric::new("closed_form_mse", "Normal-equation MSE", self.best_mse),
            Metric::new(
                "learning_rate_now",
                "Current η",
                self.run.current_learning_rate(),
            ),
        ]
    }

    fn status(&self) -> Option<String> {
        match self.progress {
            Progress::Diverged => Some(format!(
                "The loss became infinite after {} updates: the learning rate is too large, lower it.",
                self.run.updates()
            )),
            Progress::Done => Some(format!(
                "Finished {} epochs. Distance to the normal-equation answer: {:.2e}.",
                self.run.epoch(),
                ((self.theta().0 - self.best.0).powi(2) + (self.theta().1 - self.best.1).powi(2)).sqrt()
            )),
            Progress::Running => None,
        }
    }
}

/// Batch and mini-batch gradient descent are hand-written loops in scikit-learn's world too; the
/// script writes the loop in NumPy (our update exactly) and adds the normal equation's answer,
/// and `SGDRegressor` where it runs the same updates (stochastic, constant rate).
fn python_script(params: &Params, seed: u64) -> String {
    let (eta, epochs, n) = (
        params.f64("learning_rate"),
        params.usize("epochs"),
        params.usize("samples"),
    );
    let method = params.choice("method");
    let (batch, per_update) = match method {
        "stochastic" => ("1".to_string(), "one sample".to_string()),
        "mini-batch" => {
            let b = params.usize("batch_size");
            (b.to_string(), format!("{b} samples"))
        }
        _ => ("m".to_string(), "every sample".to_string()),
    };
    let mut s = Script::new();
    s.import("import numpy as np")
        .import("from sklearn.linear_model import LinearRegression")
        .import("from sklearn.metrics import mean_squared_error")
        .push(RANDOM_NOTE)
        .push(&format!(
            "rng = np.random.default_rng({seed})\n\
             m = {n}\n\
             x = rng.uniform(0, 20, m)\n\
             y = 4 + 0.3 * x + {noise} * rng.normal(size=m)\n\
             X = x.reshape(-1, 1){scale}\n\
             \n\
             # {method} gradient descent on the MSE from theta = 0, {per_update} per update.\n\
             eta0, n_epochs, batch_size = {eta}, {epochs}, {batch}\n\
             Xb = np.c_[np.ones(m), X]  # a column of ones for the intercept\n\
             theta = np.zeros(2)\n\
             t = 0\n\
             for epoch in range(n_epochs):\n\
             \x20   order = {order}\n\
             \x20   for start in range(0, m, batch_size):\n\
             \x20       rows = order[start:start + batch_size]\n\
             \x20       gradients = 2 / len(rows) * Xb[rows].T @ (Xb[rows] @ theta - y[rows])\n\
             \x20       eta = {rate}\n\
             \x20       theta = theta - eta * gradients\n\
             \x20       t += 1\n\
             print(\"Updates:\", t)\n\
             print(\"theta0 (intercept), theta1 (slope):\", theta)\n\
             print(\"Train MSE:\", np.mean((Xb @ theta - y) ** 2))\n\
             print(\"Current eta:\", {rate})\n\
             \n\
             # The normal equation's answer, the bottom of the bowl.\n\
             exact = LinearRegression().fit(X, y)\n\
             print(\"Normal-equation MSE:\", mean_squared_error(y, exact.predict(X)))",
            seed = python::seed(seed),
            noise = python::float(params.f64("noise")),
            scale = if params.bool("scale_x") {
                " / 10  # scaled: the loss bowl stays round"
            } else {
                ""
            },
            eta = python::float(eta),
            order = if method == "batch" {
                "np.arange(m)"
            } else {
                "rng.permutation(m)  # shuffled every epoch"
            },
            rate = if params.bool("schedule") {
                "eta0 * 50 / (t + 50)"
            } else {
                "eta0"
            },
        ));
    if method == "stochastic" && !params.bool("schedule") {
        s.import("from sklearn.linear_model import SGDRegressor")
            .push(&format!(
                "\n# The same stochastic updates by scikit-learn. Its loss is half the squared error, so\n\
                 # its step eta0 is twice ours for the same move.\n\
                 sgd = SGDRegressor(penalty=None, learning_rate=\"constant\", eta0=2 * {}, max_iter={epochs},\n\
                 \x20                  tol=None, random_state={})\n\
                 sgd.fit(X, y)\n\
                 print(\"SGDRegressor theta:\", sgd.intercept_, sgd.coef_)",
                python::float(eta),
                python::seed(seed)
            ));
    }
    s.finish()
}
