//! Chapter 4: polynomial regression with ridge regularisation on noisy quadratic data, showing the
//! fitted curve, train/validation error against degree, and learning curves: under- and overfitting.

use super::python::{self, Script, RANDOM_NOTE};
use super::regression_1d::{data_python, regression_upload, Split1d};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::{generators, Dataset};
use crate::error::Result;
use crate::estimator::{Fit, Progress, Regressor};
use crate::linear::{Ridge, RidgeParams};
use crate::metrics::root_mean_squared_error;
use crate::preprocessing::{PolynomialFeatures, StandardScaler, StandardScalerParams};
use crate::rng::Rng;
use crate::viz;
use ndarray::{Array1, Array2, ArrayView2};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The data's true curve: y = 2 + x + 0.5 x².
const TRUE_COEFS: [f64; 3] = [2.0, 1.0, 0.5];
const X_RANGE: (f64, f64) = (-3.0, 3.0);

/// `samples` points of the true curve plus `noise`, or the reader's file, split 75/25 into
/// training and validation (shared with the early-stopping demo).
pub(crate) fn quadratic_split(params: &Params, seed: u64) -> Result<Split1d> {
    let mut rng = Rng::new(seed);
    let n = params.usize("samples");
    let noise = params.f64("noise");
    Split1d::new(params, &mut rng, X_RANGE, |rng| {
        Ok(generators::polynomial_1d(
            n,
            X_RANGE.0,
            X_RANGE.1,
            &TRUE_COEFS,
            noise,
            rng,
        ))
    })
}

/// The true curve on `grid`, or nothing for a file.
pub(crate) fn quadratic_truth(split: &Split1d, grid: &[f64]) -> Vec<(f64, f64)> {
    split.truth(grid, |x| {
        TRUE_COEFS[0] + TRUE_COEFS[1] * x + TRUE_COEFS[2] * x * x
    })
}

/// Appends the Python that makes `X` and `y` as [`quadratic_split`] does (with NumPy's random
/// numbers), or reads the reader's file.
pub(crate) fn quadratic_python(s: &mut Script, params: &Params, seed: u64) {
    let n = params.usize("samples");
    data_python(s, params, |s| {
        s.push(RANDOM_NOTE).push(&format!(
            "rng = np.random.default_rng({seed})\n\
             x = rng.uniform(-3, 3, {n})\n\
             y = 2 + x + 0.5 * x**2 + {noise} * rng.normal(size={n})\n\
             X = x.reshape(-1, 1)",
            seed = python::seed(seed),
            noise = python::float(params.f64("noise")),
        ));
    });
}

/// The first steps of the scikit-learn pipeline for [`PolyFeatures`]: a file's x is standardised
/// before its powers are taken.
pub(crate) fn poly_features_python(params: &Params, degree: usize) -> String {
    let scale_x = if params.upload().is_some() {
        "StandardScaler(), "
    } else {
        ""
    };
    format!("{scale_x}PolynomialFeatures(degree={degree}, include_bias=False), StandardScaler()")
}

/// x, x², …, x^degree, each standardised. The generated x lies in [-3, 3]; a file's x may be in
/// the thousands, where high powers overflow and all look alike, so it is standardised first.
pub(crate) struct PolyFeatures {
    x_scaler: Option<StandardScaler>,
    poly: PolynomialFeatures,
    scaler: StandardScaler,
}

impl PolyFeatures {
    pub(crate) fn fit(x: ArrayView2<f64>, degree: usize, scale_x: bool) -> Result<Self> {
        let x_scaler = if scale_x {
            Some(StandardScalerParams::default().fit(x)?)
        } else {
            None
        };
        let poly = PolynomialFeatures::new(degree, false);
        let expanded = match &x_scaler {
            Some(s) => poly.transform(s.transform(x)?.view())?,
            None => poly.transform(x)?,
        };
        let scaler = StandardScalerParams::default().fit(expanded.view())?;
        Ok(PolyFeatures {
            x_scaler,
            poly,
            scaler,
        })
    }

    pub(crate) fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let expanded = match &self.x_scaler {
            Some(s) => self.poly.transform(s.transform(x)?.view())?,
            None => self.poly.transform(x)?,
        };
        self.scaler.transform(expanded.view())
    }
}

/// [`PolyFeatures`] -> Ridge, fitted together.
struct PolyModel {
    features: PolyFeatures,
    ridge: Ridge,
}

impl PolyModel {
    fn fit(data: &Dataset, degree: usize, alpha: f64, scale_x: bool) -> Result<Self> {
        let features = PolyFeatures::fit(data.x.view(), degree, scale_x)?;
        let scaled = Dataset::new(features.transform(data.x.view())?, data.y.clone())?;
        let ridge = RidgeParams::default().alpha(alpha).fit(&scaled)?;
        Ok(PolyModel { features, ridge })
    }

    fn predict(&self, x: &Array2<f64>) -> Result<Array1<f64>> {
        self.ridge
            .predict(self.features.transform(x.view())?.view())
    }

    fn rmse(&self, data: &Dataset) -> Result<f64> {
        Ok(root_mean_squared_error(
            data.y.view(),
            self.predict(&data.x)?.view(),
        ))
    }
}

/// A log axis is labelled at powers of ten only: a narrow range without one (errors between 1.9
/// and 2.4 on a file) is stretched to the nearest one, so the axis carries a number.
pub(crate) fn reach_a_decade(lo: f64, hi: f64) -> (f64, f64) {
    let below = 10f64.powf(hi.log10().floor());
    if !(lo > 0.0 && hi > lo) || below >= lo {
        return (lo, hi);
    }
    let above = 10f64.powf(lo.log10().ceil());
    if lo / below <= above / hi {
        (below, hi)
    } else {
        (lo, above)
    }
}

/// One point of a curve: x, train RMSE, validation RMSE.
type CurvePoint = (f64, f64, f64);

pub struct PolynomialRegressionDemo {
    split: Split1d,
    train: Dataset,
    val: Dataset,
    degree: usize,
    alpha: f64,
    model: PolyModel,
    max_degree: usize,
    by_degree: Vec<CurvePoint>,
    sizes: Vec<usize>,
    learning: Vec<CurvePoint>,
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl PolynomialRegressionDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "polynomial-regression",
        title: "Polynomial regression, under- and overfitting",
        chapter: "04-training-linear-models",
        upload: regression_upload(1000),
        params: &[
            ParamSpec {
                key: "degree",
                label: "Degree",
                help: "Highest power of x given to the linear model.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 30,
                    default: 2,
                },
            },
            ParamSpec {
                key: "alpha",
                label: "Ridge α",
                help: "L2 penalty on the (scaled) coefficients; 1e-8 is practically none.",
                kind: ParamKind::Float {
                    min: 1e-8,
                    max: 100.0,
                    default: 1e-8,
                    log: true,
                },
            },
            ParamSpec {
                key: "noise",
                label: "Noise",
                help: "Standard deviation of the noise added to y = 0.5x² + x + 2.",
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
                help: "Points generated; a quarter is held out for validation.",
                kind: ParamKind::Int {
                    min: 10,
                    max: 500,
                    default: 100,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let split = quadratic_split(params, seed)?;
        let (train, val) = (split.train.clone(), split.test.clone());
        let degree = params.usize("degree");
        let alpha = params.f64("alpha");
        let model = PolyModel::fit(&train, degree, alpha, !split.generated)?;
        let max_degree = degree.clamp(12, 30);
        // About 20 training-set sizes from 2 to all, denser at the small end where curves move most.
        let m = train.n_samples();
        let mut sizes: Vec<usize> = (0..20)
            .map(|k| (2.0 * (m as f64 / 2.0).powf(k as f64 / 19.0)).round() as usize)
            .collect();
        sizes.dedup();
        Ok(PolynomialRegressionDemo {
            split,
            train,
            val,
            degree,
            alpha,
            model,
            max_degree,
            by_degree: Vec::new(),
            sizes,
            learning: Vec::new(),
            python: python_script(params, seed),
        })
    }

    fn curve_point(&self, train: &Dataset, degree: usize, x: f64) -> CurvePoint {
        match PolyModel::fit(train, degree, self.alpha, !self.split.generated) {
            Ok(m) => (
                x,
                m.rmse(train).unwrap_or(f64::NAN),
                m.rmse(&self.val).unwrap_or(f64::NAN),
            ),
            Err(_) => (x, f64::NAN, f64::NAN),
        }
    }

    fn draw_fit<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (y0, y1) = viz::extent(self.train.y.iter().chain(self.val.y.iter()).copied());
        let yr = viz::padded(y0, y1, 0.1);
        let title = format!("Degree {} fit", self.degree);
        let mut chart = viz::chart(
            area,
            &title,
            self.split.x_axis(),
            yr.clone(),
            self.split.x_name(),
            self.split.y_name(),
        )?;
        let grid = self.split.grid(240);
        let xs = Array2::from_shape_vec((grid.len(), 1), grid.clone())
            .map_err(|e| crate::Error::Shape(e.to_string()))?;
        let fitted = self.model.predict(&xs)?;
        let span = yr.end - yr.start;
        let clip = |v: f64| v.clamp(yr.start - span, yr.end + span);
        viz::draw_truth_and_samples(
            &mut chart,
            &quadratic_truth(&self.split, &grid),
            "true curve",
            (self.train.x.column(0), self.train.y.view()),
            (self.val.x.column(0), self.val.y.view()),
            "validation",
        )?;
        chart
            .draw_series(LineSeries::new(
                grid.iter().zip(fitted.iter()).map(|(&x, &y)| (x, clip(y))),
                viz::RED.stroke_width(3),
            ))?
            .label("model")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(3)));
        viz::legend(
            &mut chart,
            area,
            self.split.legend_corner(SeriesLabelPosition::UpperLeft),
        )
    }

    fn draw_curve<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title: &str,
        x_label: &str,
        x_max: f64,
        points: &[CurvePoint],
        marker: Option<f64>,
    ) -> Result<()> {
        let (lo, hi) = viz::extent(points.iter().flat_map(|p| [p.1, p.2]).filter(|v| *v > 0.0));
        // Tiny training sets make validation errors explode; cap the axis at 30x the typical error.
        let mut typical: Vec<f64> = points
            .iter()
            .map(|p| p.2)
            .filter(|v| v.is_finite())
            .collect();
        typical.sort_by(f64::total_cmp);
        let cap = typical
            .get(typical.len() / 2)
            .map_or(f64::INFINITY, |m| m * 30.0);
        let (lo, hi) = if points.is_empty() {
            (0.1, 10.0)
        } else {
            ((lo * 0.7).max(1e-3), (hi.min(cap) * 1.4).max(lo * 4.0))
        };
        let (lo, hi) = reach_a_decade(lo, hi);
        let mut chart =
            viz::chart_log_y(area, title, 0.0..x_max, lo..hi, x_label, "RMSE (log scale)")?;
        let clip = |v: f64| if v.is_finite() { v.clamp(lo, hi) } else { hi };
        if let Some(m) = marker {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(m, lo), (m, hi)],
                viz::GREY.mix(0.6).stroke_width(2),
            )))?;
        }
        chart
            .draw_series(
                LineSeries::new(
                    points.iter().map(|p| (p.0, clip(p.1))),
                    viz::BLUE.stroke_width(2),
                )
                .point_size(3),
            )?
            .label("train")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], viz::BLUE.stroke_width(2))
            });
        chart
            .draw_series(
                LineSeries::new(
                    points.iter().map(|p| (p.0, clip(p.2))),
                    viz::ORANGE.stroke_width(2),
                )
                .point_size(3),
            )?
            .label("validation")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], viz::ORANGE.stroke_width(2))
            });
        if points.is_empty() {
            viz::centered_text(area, "computing…")?;
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }
}

impl Demo for PolynomialRegressionDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One more point: first the error-vs-degree curve, then the learning curve.
    fn tick(&mut self) -> Progress {
        if self.by_degree.len() < self.max_degree {
            let d = self.by_degree.len() + 1;
            let p = self.curve_point(&self.train, d, d as f64);
            self.by_degree.push(p);
        } else if self.learning.len() < self.sizes.len() {
            let m = self.sizes[self.learning.len()];
            let idx: Vec<usize> = (0..m).collect();
            let p = self.curve_point(&self.train.select(&idx), self.degree, m as f64);
            self.learning.push(p);
        }
        if self.by_degree.len() >= self.max_degree && self.learning.len() >= self.sizes.len() {
            Progress::Done
        } else {
            Progress::Running
        }
    }

    fn ticks_per_frame(&self) -> usize {
        2
    }

    fn autoplay(&self) -> bool {
        true
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_fit(&panels[0])?;
        self.draw_curve(
            &panels[1],
            "Error vs degree",
            "degree",
            self.max_degree as f64 + 0.5,
            &self.by_degree,
            Some(self.degree as f64),
        )?;
        let title = format!("Learning curves (degree {})", self.degree);
        self.draw_curve(
            &panels[2],
            &title,
            "training set size",
            self.train.n_samples() as f64 + 1.0,
            &self.learning,
            None,
        )?;
        Ok(())
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        vec![
            Metric::new("degree", "Degree", self.degree as f64),
            Metric::new(
                "train_rmse",
                "Train RMSE",
                self.model.rmse(&self.train).unwrap_or(f64::NAN),
            ),
            Metric::new(
                "val_rmse",
                "Validation RMSE",
                self.model.rmse(&self.val).unwrap_or(f64::NAN),
            ),
        ]
    }
}

/// The model in scikit-learn: polynomial features, scaled, then ridge.
fn python_script(params: &Params, seed: u64) -> String {
    let degree = params.usize("degree");
    let mut s = Script::new();
    s.import("import numpy as np")
        .import("from sklearn.linear_model import Ridge")
        .import("from sklearn.metrics import root_mean_squared_error")
        .import("from sklearn.pipeline import make_pipeline")
        .import("from sklearn.preprocessing import PolynomialFeatures, StandardScaler");
    quadratic_python(&mut s, params, seed);
    s.split(0.25, seed).push(&format!(
        "\nmodel = make_pipeline({},\n\
             \x20                     Ridge(alpha={}))\n\
             model.fit(X_train, y_train)\n\
             print(\"Degree:\", {degree})\n\
             print(\"Train RMSE:\", root_mean_squared_error(y_train, model.predict(X_train)))\n\
             print(\"Validation RMSE:\", root_mean_squared_error(y_test, model.predict(X_test)))",
        poly_features_python(params, degree),
        python::float(params.f64("alpha")),
    ));
    s.finish()
}
