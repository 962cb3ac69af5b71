//! Chapter 12: a loss for 1-D regression composed from the tape's ops (square, abs, relu,
//! softplus, ...), and a straight line trained with it through the real autodiff [`Tape`] and an
//! `nn` optimizer on data with outliers. Beside the fit: the loss shape ℓ(r) and its derivative
//! ℓ'(r) from `backward`, drawn over a central finite difference of the same forward pass. The
//! loss shapes and that curve live in `shape.rs`.

mod shape;

pub use shape::LossShape;

use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::autodiff::Tape;
use crate::error::Result;
use crate::estimator::Progress;
use crate::nn::{Optimizer, OptimizerKind, OptimizerSpec};
use crate::rng::Rng;
use crate::tensor::Tensor;
use crate::viz;
use plotters::coord::Shift;
use plotters::prelude::*;

use shape::{curve, Curve, CURVE_RANGE};

/// Points in the training set.
const SAMPLES: usize = 80;
/// The line the clean points scatter around.
const TRUE_INTERCEPT: f64 = 1.0;
const TRUE_SLOPE: f64 = 0.5;

pub struct CustomLossDemo {
    shape: LossShape,
    x: Vec<f32>,
    y: Vec<f32>,
    outlier: Vec<bool>,
    /// Slope and intercept, trained.
    slope: Tensor,
    intercept: Tensor,
    optimizer: Optimizer,
    learning_rate: f64,
    steps: usize,
    done: usize,
    /// Least squares in closed form, for comparison.
    mse_fit: (f64, f64),
    show_mse: bool,
    grid: Vec<f32>,
    values: Vec<f32>,
    autodiff: Vec<f32>,
    numerical: Vec<f64>,
    diverged: bool,
}

impl CustomLossDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "custom-loss",
        title: "A custom loss, differentiated by the tape",
        chapter: "12-custom-models-and-autodiff",
        upload: None,
        params: &[
            ParamSpec {
                key: "loss",
                label: "Loss ℓ(r) of the residual r = ŷ − y",
                help: "square (MSE), abs (MAE), huber (quadratic then linear beyond δ), \
                       log-cosh, quantile (pinball at τ), mix (w·r² + (1 − w)·|r|).",
                kind: ParamKind::Choice {
                    options: &["square", "abs", "huber", "log-cosh", "quantile", "mix"],
                    default: "huber",
                },
            },
            ParamSpec {
                key: "delta",
                label: "Huber δ",
                help: "Residuals larger than δ are charged linearly, not quadratically.",
                kind: ParamKind::Float {
                    min: 0.1,
                    max: 5.0,
                    default: 1.0,
                    log: true,
                },
            },
            ParamSpec {
                key: "tau",
                label: "Quantile τ",
                help: "The fitted line leaves about this share of the points below it.",
                kind: ParamKind::Float {
                    min: 0.05,
                    max: 0.95,
                    default: 0.9,
                    log: false,
                },
            },
            ParamSpec {
                key: "mix",
                label: "Mix weight w",
                help: "ℓ = w·r² + (1 − w)·|r|.",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 1.0,
                    default: 0.5,
                    log: false,
                },
            },
            ParamSpec {
                key: "outliers",
                label: "Outliers",
                help: "Share of the points lifted far above the line, all at large x.",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 0.4,
                    default: 0.15,
                    log: false,
                },
            },
            ParamSpec {
                key: "learning_rate",
                label: "Learning rate",
                help: "Adam's step at the start; it decays to a hundredth by the last step.",
                kind: ParamKind::Float {
                    min: 0.001,
                    max: 1.0,
                    default: 0.2,
                    log: true,
                },
            },
            ParamSpec {
                key: "steps",
                label: "Steps",
                help: "Full-batch gradient steps.",
                kind: ParamKind::Int {
                    min: 50,
                    max: 3000,
                    default: 600,
                },
            },
            ParamSpec {
                key: "show_mse",
                label: "Show the least-squares line",
                help: "The MSE fit in closed form, for comparison.",
                kind: ParamKind::Bool { default: true },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let n_out = (params.f64("outliers") * SAMPLES as f64).round() as usize;
        let (mut x, mut y, mut outlier) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..SAMPLES {
            let is_out = i < n_out;
            // Outliers sit at large x, so they tilt a least-squares line, not only lift it.
            let xi = if is_out {
                rng.uniform_range(6.5, 10.0)
            } else {
                rng.uniform_range(0.0, 10.0)
            };
            let mut yi = TRUE_INTERCEPT + TRUE_SLOPE * xi + 0.5 * rng.normal();
            if is_out {
                yi += rng.uniform_range(5.0, 10.0);
            }
            x.push(xi as f32);
            y.push(yi as f32);
            outlier.push(is_out);
        }
        let shape = LossShape::from_params(params);
        let Curve {
            grid,
            values,
            autodiff,
            numerical,
        } = curve(shape)?;
        let optimizer = Optimizer::new(OptimizerSpec {
            kind: OptimizerKind::adam(),
            learning_rate: params.f64("learning_rate") as f32,
        })?;
        Ok(CustomLossDemo {
            shape,
            mse_fit: least_squares(&x, &y),
            x,
            y,
            outlier,
            slope: Tensor::scalar(0.0),
            intercept: Tensor::scalar(0.0),
            optimizer,
            learning_rate: params.f64("learning_rate"),
            steps: params.usize("steps"),
            done: 0,
            show_mse: params.bool("show_mse"),
            grid,
            values,
            autodiff,
            numerical,
            diverged: false,
        })
    }

    fn line(&self) -> (f64, f64) {
        let get = |t: &Tensor| t.item().map(f64::from).unwrap_or(f64::NAN);
        (get(&self.slope), get(&self.intercept))
    }

    /// One full-batch step: mean ℓ(a·x + b − y) on the tape, backward, Adam. Returns the loss
    /// before the update.
    fn train_step(&mut self) -> Result<f64> {
        let mut tape = Tape::new();
        let a = tape.leaf(self.slope.clone());
        let b = tape.leaf(self.intercept.clone());
        let n = self.x.len();
        let xs = tape.constant(Tensor::from_vec(self.x.clone(), &[n])?);
        let ys = tape.constant(Tensor::from_vec(self.y.clone(), &[n])?);
        let ax = tape.mul(a, xs)?;
        let pred = tape.add(ax, b)?;
        let r = tape.sub(pred, ys)?;
        let l = self.shape.record(&mut tape, r)?;
        let loss = tape.mean(l);
        tape.backward(loss)?;
        let zero = Tensor::scalar(0.0);
        let grads = [
            tape.grad(a).cloned().unwrap_or_else(|| zero.clone()),
            tape.grad(b).cloned().unwrap_or(zero),
        ];
        // The rate decays geometrically to a hundredth, so Adam settles instead of jittering
        // around the kink of abs or quantile losses.
        let lr = self.learning_rate * 0.01f64.powf(self.done as f64 / self.steps.max(1) as f64);
        self.optimizer.step(
            &mut [&mut self.slope, &mut self.intercept],
            &grads,
            lr as f32,
        )?;
        Ok(tape.value(loss).item().map(f64::from).unwrap_or(f64::NAN))
    }

    /// The custom loss of the current line over the training points.
    fn current_loss(&self) -> f64 {
        let (a, b) = self.line();
        let r: Vec<f32> = self
            .x
            .iter()
            .zip(&self.y)
            .map(|(&x, &y)| (a * x as f64 + b - y as f64) as f32)
            .collect();
        let run = || -> Result<f64> {
            let mut tape = Tape::new();
            let rv = tape.constant(Tensor::from_vec(r.clone(), &[r.len()])?);
            let l = self.shape.record(&mut tape, rv)?;
            let m = tape.mean(l);
            Ok(tape.value(m).item()? as f64)
        };
        run().unwrap_or(f64::NAN)
    }

    fn max_derivative_gap(&self) -> f64 {
        self.autodiff
            .iter()
            .zip(&self.numerical)
            .map(|(&a, &n)| (a as f64 - n).abs())
            .fold(0.0, f64::max)
    }

    fn share_below(&self) -> f64 {
        let (a, b) = self.line();
        let below = self
            .x
            .iter()
            .zip(&self.y)
            .filter(|(&x, &y)| (y as f64) < a * x as f64 + b)
            .count();
        below as f64 / self.x.len() as f64
    }

    fn draw_fit<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (y0, y1) = viz::extent(self.y.iter().map(|&v| v as f64));
        let yr = viz::padded(y0.min(0.0), y1, 0.06);
        let mut chart = viz::chart(
            area,
            "Data and fitted lines",
            -0.3..10.3,
            yr.clone(),
            "x",
            "y",
        )?;
        chart
            .draw_series(
                self.x
                    .iter()
                    .zip(&self.y)
                    .zip(&self.outlier)
                    .filter(|(_, &o)| !o)
                    .map(|((&x, &y), _)| {
                        Circle::new((x as f64, y as f64), 3, viz::BLUE.mix(0.6).filled())
                    }),
            )?
            .label("points")
            .legend(|(x, y)| Circle::new((x + 8, y), 3, viz::BLUE.filled()));
        chart
            .draw_series(
                self.x
                    .iter()
                    .zip(&self.y)
                    .zip(&self.outlier)
                    .filter(|(_, &o)| o)
                    .map(|((&x, &y), _)| {
                        Circle::new((x as f64, y as f64), 3, viz::ORANGE.stroke_width(2))
                    }),
            )?
            .label("outliers")
            .legend(|(x, y)| Circle::new((x + 8, y), 3, viz::ORANGE.stroke_width(2)));
        let clamp = |v: f64| v.clamp(yr.start - 100.0, yr.end + 100.0);
        let line = |a: f64, b: f64| vec![(0.0, clamp(b)), (10.0, clamp(a * 10.0 + b))];
        if self.show_mse {
            let (a, b) = self.mse_fit;
            chart
                .draw_series(DashedLineSeries::new(
                    line(a, b),
                    6,
                    4,
                    viz::GREY.stroke_width(2),
                ))?
                .label("least squares")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], viz::GREY.stroke_width(2))
                });
        }
        let (a, b) = self.line();
        if a.is_finite() && b.is_finite() {
            chart
                .draw_series(LineSeries::new(line(a, b), viz::RED.stroke_width(3)))?
                .label("custom loss")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(3))
                });
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperLeft)
    }

    fn draw_shape<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let r = CURVE_RANGE as f64;
        let (_, hi) = viz::extent(self.values.iter().map(|&v| v as f64));
        let mut chart = viz::chart(
            area,
            &self.shape.formula(),
            -r..r,
            viz::padded(0.0, hi, 0.05),
            "residual r = ŷ − y",
            "ℓ(r)",
        )?;
        chart.draw_series(LineSeries::new(
            self.grid
                .iter()
                .zip(&self.values)
                .map(|(&g, &v)| (g as f64, v as f64)),
            viz::RED.stroke_width(2),
        ))?;
        // Where the current residuals fall: a tick per point along the bottom (clipped).
        let (a, b) = self.line();
        let base = -0.02 * hi;
        chart.draw_series(self.x.iter().zip(&self.y).zip(&self.outlier).map(
            |((&x, &y), &o)| {
                let res = (a * x as f64 + b - y as f64).clamp(-r, r);
                let colour = if o { viz::ORANGE } else { viz::BLUE };
                PathElement::new(
                    vec![(res, base), (res, base + 0.06 * hi)],
                    colour.mix(0.7).stroke_width(2),
                )
            },
        ))?;
        Ok(())
    }

    fn draw_derivative<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let r = CURVE_RANGE as f64;
        let (lo, hi) = viz::extent(
            self.autodiff
                .iter()
                .map(|&v| v as f64)
                .chain(self.numerical.iter().copied()),
        );
        let mut chart = viz::chart(
            area,
            "ℓ'(r): autodiff and finite difference",
            -r..r,
            // Room above the curve for the legend.
            (lo - 0.08 * (hi - lo).max(0.1))..(hi + 0.4 * (hi - lo).max(0.1)),
            "residual r",
            "ℓ'(r)",
        )?;
        chart
            .draw_series(LineSeries::new(
                self.grid
                    .iter()
                    .zip(&self.autodiff)
                    .map(|(&g, &v)| (g as f64, v as f64)),
                viz::RED.stroke_width(2),
            ))?
            .label("backward")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(2)));
        chart
            .draw_series(
                self.grid
                    .iter()
                    .zip(&self.numerical)
                    .step_by(6)
                    .map(|(&g, &v)| Circle::new((g as f64, v), 3, viz::BLUE.stroke_width(1))),
            )?
            .label("central difference")
            .legend(|(x, y)| Circle::new((x + 8, y), 3, viz::BLUE.stroke_width(1)));
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperLeft)
    }
}

/// Ordinary least squares on one feature: (slope, intercept).
fn least_squares(x: &[f32], y: &[f32]) -> (f64, f64) {
    let n = x.len().max(1) as f64;
    let mx = x.iter().map(|&v| v as f64).sum::<f64>() / n;
    let my = y.iter().map(|&v| v as f64).sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        sxy += (a as f64 - mx) * (b as f64 - my);
        sxx += (a as f64 - mx).powi(2);
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (slope, my - slope * mx)
}

impl Demo for CustomLossDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        if self.diverged {
            return Progress::Diverged;
        }
        if self.done >= self.steps {
            return Progress::Done;
        }
        match self.train_step() {
            Ok(l) if l.is_finite() && self.line().0.is_finite() => {}
            _ => {
                self.diverged = true;
                return Progress::Diverged;
            }
        }
        self.done += 1;
        if self.done >= self.steps {
            Progress::Done
        } else {
            Progress::Running
        }
    }

    fn ticks_per_frame(&self) -> usize {
        // About four seconds for a run at 60 frames a second.
        (self.steps / 240).max(1)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_fit(&panels[0])?;
        self.draw_shape(&panels[1])?;
        self.draw_derivative(&panels[2])
    }

    fn metrics(&self) -> Vec<Metric> {
        let (a, b) = self.line();
        vec![
            Metric::new("step", "Steps", self.done as f64),
            Metric::new("slope", "Slope", a),
            Metric::new("intercept", "Intercept", b),
            Metric::new("train_loss", "Train loss (mean ℓ)", self.current_loss()),
            Metric::new(
                "share_below",
                "Share of points below the line",
                self.share_below(),
            ),
            Metric::new("mse_slope", "Least-squares slope", self.mse_fit.0),
            Metric::new("mse_intercept", "Least-squares intercept", self.mse_fit.1),
            Metric::new(
                "max_derivative_gap",
                "max |autodiff − finite difference| of ℓ'",
                self.max_derivative_gap(),
            ),
        ]
    }

    fn status(&self) -> Option<String> {
        self.diverged.then(|| {
            format!(
                "The line's parameters became infinite after {} steps: lower the learning rate.",
                self.done
            )
        })
    }
}
