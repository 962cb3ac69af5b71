//! Chapter 4: coefficient paths of ridge, lasso and elastic net. Eight correlated features (corr
//! 0.5^|i-j|) of which three matter (3, 1.5 and 2, Tibshirani's lasso example); each tick fits one
//! alpha, from strong to weak regularisation, starting from the previous alpha's coefficients.
//! Left, every coefficient against log10(alpha) with the chosen alpha marked; right, training and
//! test R² along the path.
//!
//! All three models use scikit-learn's `ElasticNet` scale for alpha,
//! `1/(2n)||y - Xw - b||² + α·r·||w||₁ + ½·α·(1 - r)·||w||²`: lasso is r = 1, ridge is r = 0, which
//! is `Ridge(alpha = n·α)` and is solved in closed form.

use super::python::{self, Script, RANDOM_NOTE};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::estimator::{Fit, Progress};
use crate::linear::{ElasticNetParams, LinearModel, RidgeParams};
use crate::metrics::r2_score;
use crate::rng::Rng;
use crate::viz;
use ndarray::{Array1, Array2};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The true coefficients: only x1, x2 and x5 matter.
pub const TRUE_COEF: [f64; 8] = [3.0, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0];
const TEST_SAMPLES: usize = 200;
/// Alphas on the path (plus the chosen one), evenly spaced in log10 from 10 down to 0.001.
const GRID: usize = 60;
const LOG_HI: f64 = 1.0;
const LOG_LO: f64 = -3.0;
/// Tight enough that a warm-started path point equals a cold fit to about 1e-6.
const TOL: f64 = 1e-8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathModel {
    Ridge,
    Lasso,
    ElasticNet,
}

pub struct RegularisationPathsDemo {
    pub train: Dataset,
    pub test: Dataset,
    pub model: PathModel,
    pub l1_ratio: f64,
    pub alpha: f64,
    /// Alphas from the largest down; the chosen alpha is one of them.
    pub alphas: Vec<f64>,
    /// One fitted model per alpha done so far, in `alphas` order.
    pub fits: Vec<LinearModel>,
    /// Training and test R² per alpha done so far.
    pub scores: Vec<(f64, f64)>,
    /// Coordinate-descent sweeps per alpha (0 for ridge's closed form).
    pub sweeps: Vec<usize>,
    chosen: usize,
    error: Option<String>,
    /// The "Python equivalent" of these parameters.
    python: String,
}

/// `n` rows of eight standard-normal features with corr(x_i, x_j) = 0.5^|i-j| (an AR(1) chain),
/// target `x · TRUE_COEF + noise · N(0, 1)`.
pub fn correlated_data(n: usize, noise: f64, rng: &mut Rng) -> Result<Dataset> {
    let p = TRUE_COEF.len();
    let rho: f64 = 0.5;
    let mut x = Array2::zeros((n, p));
    for mut row in x.rows_mut() {
        row[0] = rng.normal();
        for j in 1..p {
            row[j] = rho * row[j - 1] + (1.0 - rho * rho).sqrt() * rng.normal();
        }
    }
    let y = x.dot(&Array1::from(TRUE_COEF.to_vec()))
        + Array1::from_shape_fn(n, |_| noise * rng.normal());
    Dataset::new(x, y)
}

impl RegularisationPathsDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "regularisation-paths",
        title: "Regularisation paths: ridge shrinks, lasso selects",
        chapter: "04-training-linear-models",
        upload: None,
        params: &[
            ParamSpec {
                key: "model",
                label: "Model",
                help: "Ridge penalises squared weights, lasso absolute weights, elastic net a mix of both.",
                kind: ParamKind::Choice {
                    options: &["lasso", "ridge", "elastic-net"],
                    default: "lasso",
                },
            },
            ParamSpec {
                key: "l1_ratio",
                label: "l1_ratio (elastic net)",
                help: "The lasso share of the elastic-net penalty: 1 is the lasso, near 0 almost ridge.",
                kind: ParamKind::Float {
                    min: 0.05,
                    max: 1.0,
                    default: 0.5,
                    log: false,
                },
            },
            ParamSpec {
                key: "alpha",
                label: "Chosen alpha",
                help: "The regularisation strength marked on the path; the metrics are for this alpha.",
                kind: ParamKind::Float {
                    min: 0.001,
                    max: 10.0,
                    default: 0.3,
                    log: true,
                },
            },
            ParamSpec {
                key: "samples",
                label: "Training samples",
                help: "Rows to fit on; the test set has 200 more from the same distribution.",
                kind: ParamKind::Int {
                    min: 10,
                    max: 500,
                    default: 50,
                },
            },
            ParamSpec {
                key: "noise",
                label: "Noise (standard deviation)",
                help: "Gaussian noise added to the target.",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 6.0,
                    default: 2.0,
                    log: false,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let n = params.usize("samples");
        let noise = params.f64("noise");
        let train = correlated_data(n, noise, &mut rng)?;
        let test = correlated_data(TEST_SAMPLES, noise, &mut rng)?;
        let model = match params.choice("model") {
            "ridge" => PathModel::Ridge,
            "elastic-net" => PathModel::ElasticNet,
            "lasso" => PathModel::Lasso,
            other => {
                return Err(Error::invalid(
                    "model",
                    other,
                    "lasso, ridge or elastic-net",
                ))
            }
        };
        let alpha = params.f64("alpha");
        let mut alphas: Vec<f64> = (0..GRID)
            .map(|i| 10f64.powf(LOG_HI + (LOG_LO - LOG_HI) * i as f64 / (GRID - 1) as f64))
            .collect();
        let chosen = alphas
            .iter()
            .position(|&a| a <= alpha)
            .unwrap_or(alphas.len());
        if alphas.get(chosen) != Some(&alpha) {
            alphas.insert(chosen, alpha);
        }
        Ok(RegularisationPathsDemo {
            train,
            test,
            model,
            l1_ratio: match model {
                PathModel::Ridge => 0.0,
                PathModel::Lasso => 1.0,
                PathModel::ElasticNet => params.f64("l1_ratio"),
            },
            alpha,
            alphas,
            fits: Vec::new(),
            scores: Vec::new(),
            sweeps: Vec::new(),
            chosen,
            error: None,
            python: python_script(params, seed),
        })
    }

    /// Fits the next alpha, warm-started from the previous coefficients.
    fn fit_next(&mut self) -> Result<()> {
        let alpha = self.alphas[self.fits.len()];
        let (fit, sweeps) = match self.model {
            PathModel::Ridge => {
                let n = self.train.n_samples() as f64;
                let m = RidgeParams::default().alpha(n * alpha).fit(&self.train)?;
                (m.model, 0)
            }
            _ => {
                let start = self.fits.last().map_or_else(
                    || Array1::zeros(self.train.n_features()),
                    |m| m.coef.clone(),
                );
                let m = ElasticNetParams::default()
                    .alpha(alpha)
                    .l1_ratio(self.l1_ratio)
                    .tol(TOL)
                    .fit_from(&self.train, start.view())?;
                (m.model, m.n_iter)
            }
        };
        let r2 = |d: &Dataset| -> Result<f64> {
            Ok(r2_score(d.y.view(), fit.predict(d.x.view())?.view()))
        };
        self.scores.push((r2(&self.train)?, r2(&self.test)?));
        self.sweeps.push(sweeps);
        self.fits.push(fit);
        Ok(())
    }

    /// The fitted model at the chosen alpha, once the path has reached it.
    pub fn chosen_fit(&self) -> Option<&LinearModel> {
        self.fits.get(self.chosen)
    }

    fn draw_paths<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = viz::extent(
            self.fits
                .iter()
                .flat_map(|m| m.coef.iter().copied())
                .chain(TRUE_COEF),
        );
        // Room below zero, on the right where every path has reached 0, for the legend.
        let y_range = viz::padded(lo.min(-0.5 * hi.abs().max(1e-3)), hi, 0.05);
        let (y_lo, y_hi) = (y_range.start, y_range.end);
        let name = match self.model {
            PathModel::Ridge => "Ridge".to_string(),
            PathModel::Lasso => "Lasso".to_string(),
            PathModel::ElasticNet => format!("Elastic net (l1_ratio {:.2})", self.l1_ratio),
        };
        let mut chart = viz::chart(
            area,
            &format!("{name}: coefficients along the path"),
            LOG_LO - 0.1..LOG_HI + 0.1,
            y_range,
            "log10(alpha)",
            "coefficient",
        )?;
        chart.draw_series(LineSeries::new(
            [(LOG_LO - 0.1, 0.0), (LOG_HI + 0.1, 0.0)],
            viz::GREY.stroke_width(1),
        ))?;
        let logs: Vec<f64> = self.alphas.iter().map(|a| a.log10()).collect();
        for (j, truth) in TRUE_COEF.iter().enumerate() {
            let colour = PALETTE[j % PALETTE.len()];
            let line: Vec<(f64, f64)> = self
                .fits
                .iter()
                .zip(&logs)
                .map(|(m, &l)| (l, m.coef[j]))
                .collect();
            let width = if *truth != 0.0 { 3 } else { 1 };
            let series = chart.draw_series(LineSeries::new(line, colour.stroke_width(width)))?;
            // The three real features by name; the five noise features share one entry.
            if *truth != 0.0 {
                series
                    .label(format!("x{} (true {})", j + 1, truth))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(width))
                    });
            } else if j == 2 {
                series.label("others (true 0)").legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], viz::GREY.stroke_width(1))
                });
            }
        }
        let at = self.alpha.log10();
        chart.draw_series(DashedLineSeries::new(
            [(at, y_lo), (at, y_hi)],
            6,
            4,
            viz::INK.stroke_width(1),
        ))?;
        if let Some(m) = self.chosen_fit() {
            chart.draw_series(
                m.coef
                    .iter()
                    .enumerate()
                    .map(|(j, &c)| Circle::new((at, c), 4, PALETTE[j % PALETTE.len()].filled())),
            )?;
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::LowerRight)
    }

    fn draw_scores<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let lo = self
            .scores
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .fold(0.0f64, f64::min)
            .max(-1.0);
        let mut chart = viz::chart(
            area,
            "R² along the path",
            LOG_LO - 0.1..LOG_HI + 0.1,
            lo - 0.05..1.05,
            "log10(alpha)",
            "R²",
        )?;
        for (name, pick, colour) in [("train", 0usize, viz::BLUE), ("test", 1, viz::ORANGE)] {
            let points = self
                .scores
                .iter()
                .zip(&self.alphas)
                .map(|(&(a, b), alpha)| (alpha.log10(), if pick == 0 { a } else { b }));
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        let at = self.alpha.log10();
        chart.draw_series(DashedLineSeries::new(
            [(at, lo - 0.05), (at, 1.05)],
            6,
            4,
            viz::INK.stroke_width(1),
        ))?;
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }
}

/// Eight distinguishable line colours (Okabe-Ito plus black).
const PALETTE: [RGBColor; 8] = [
    viz::BLUE,
    viz::ORANGE,
    viz::GREEN,
    viz::RED,
    viz::PURPLE,
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
    viz::INK,
];

impl Demo for RegularisationPathsDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        if self.error.is_some() {
            return Progress::Diverged;
        }
        if self.fits.len() >= self.alphas.len() {
            return Progress::Done;
        }
        if let Err(e) = self.fit_next() {
            self.error = Some(e.to_string());
            return Progress::Diverged;
        }
        if self.fits.len() >= self.alphas.len() {
            Progress::Done
        } else {
            Progress::Running
        }
    }

    fn ticks_per_frame(&self) -> usize {
        // Two alphas per frame: the whole path takes about half a second to draw itself.
        2
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 2);
        self.draw_paths(&panels[0])?;
        self.draw_scores(&panels[1])
    }

    fn height_for_width(&self, width: u32) -> u32 {
        viz::two_panel_height(width)
    }

    fn status(&self) -> Option<String> {
        self.error.clone()
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        let chosen = self.chosen_fit();
        let (train, test) = self
            .scores
            .get(self.chosen)
            .copied()
            .unwrap_or((f64::NAN, f64::NAN));
        let nonzero = chosen.map_or(f64::NAN, |m| {
            m.coef.iter().filter(|&&c| c != 0.0).count() as f64
        });
        let best = self
            .scores
            .iter()
            .zip(&self.alphas)
            .max_by(|a, b| a.0 .1.total_cmp(&b.0 .1));
        vec![
            Metric::new("alpha", "Chosen alpha", self.alpha),
            Metric::new(
                "nonzero",
                "Non-zero coefficients at the chosen alpha",
                nonzero,
            ),
            Metric::new("train_r2", "Training R² at the chosen alpha", train),
            Metric::new("test_r2", "Test R² at the chosen alpha", test),
            Metric::new(
                "best_alpha",
                "Alpha with the best test R² so far",
                best.map_or(f64::NAN, |(_, &a)| a),
            ),
            Metric::new(
                "best_test_r2",
                "Best test R² so far",
                best.map_or(f64::NAN, |((_, t), _)| *t),
            ),
            Metric::new("alphas_done", "Alphas fitted", self.fits.len() as f64),
            Metric::new(
                "sweeps",
                "Coordinate-descent sweeps, whole path",
                self.sweeps.iter().sum::<usize>() as f64,
            ),
        ]
    }
}

/// The path in scikit-learn. Ridge's alpha is on another scale than ElasticNet's (a sum of
/// squares, not a mean), so the script scales it by the number of rows.
fn python_script(params: &Params, seed: u64) -> String {
    let n = params.usize("samples");
    let alpha = python::float(params.f64("alpha"));
    let (import, make, name) = match params.choice("model") {
        "ridge" => (
            "from sklearn.linear_model import Ridge",
            "# Ridge minimises |y - Xw|² + a|w|², ElasticNet (and mlplay) |y - Xw|²/(2n) + alpha|w|²/2:\n\
             # the same model when a = n * alpha.\n\
             def make(alpha):\n\
             \x20   return Ridge(alpha=alpha * len(X_train))"
                .to_string(),
            "Ridge",
        ),
        "elastic-net" => (
            "from sklearn.linear_model import ElasticNet",
            format!(
                "def make(alpha):\n\
                 \x20   return ElasticNet(alpha=alpha, l1_ratio={}, tol=1e-8, max_iter=100000)",
                python::float(params.f64("l1_ratio"))
            ),
            "ElasticNet",
        ),
        _ => (
            "from sklearn.linear_model import Lasso",
            "def make(alpha):\n\
             \x20   return Lasso(alpha=alpha, tol=1e-8, max_iter=100000)"
                .to_string(),
            "Lasso",
        ),
    };
    let mut s = Script::new();
    s.import("import numpy as np")
        .import(import)
        .push(RANDOM_NOTE)
        .push(&format!(
            "# Eight features with corr(x_i, x_j) = 0.5^|i-j|; three of them matter.\n\
             rng = np.random.default_rng({seed})\n\
             true_coef = np.array([3, 1.5, 0, 0, 2, 0, 0, 0])\n\
             \n\
             def correlated(n):\n\
             \x20   X = np.empty((n, 8))\n\
             \x20   X[:, 0] = rng.normal(size=n)\n\
             \x20   for j in range(1, 8):\n\
             \x20       X[:, j] = 0.5 * X[:, j - 1] + np.sqrt(1 - 0.5**2) * rng.normal(size=n)\n\
             \x20   return X, X @ true_coef + {noise} * rng.normal(size=n)\n\
             \n\
             X_train, y_train = correlated({n})\n\
             X_test, y_test = correlated({TEST_SAMPLES})\n\
             \n\
             {make}\n\
             \n\
             alpha = {alpha}\n\
             model = make(alpha).fit(X_train, y_train)\n\
             print(\"{name} coefficients:\", model.coef_.round(3))\n\
             print(\"Non-zero coefficients at the chosen alpha:\", np.count_nonzero(model.coef_))\n\
             print(\"Training R2 at the chosen alpha:\", model.score(X_train, y_train))\n\
             print(\"Test R2 at the chosen alpha:\", model.score(X_test, y_test))\n\
             \n\
             # The path: {GRID} alphas from 10 down to 0.001 (and the chosen one).\n\
             alphas = np.sort(np.append(np.logspace({LOG_HI}, {LOG_LO}, {GRID}), alpha))[::-1]\n\
             test_r2 = [make(a).fit(X_train, y_train).score(X_test, y_test) for a in alphas]\n\
             best = int(np.argmax(test_r2))\n\
             print(\"Alpha with the best test R2:\", alphas[best], \"R2:\", test_r2[best])",
            seed = python::seed(seed),
            noise = python::float(params.f64("noise")),
        ));
    s.finish()
}
