//! Chapter 9: a Gaussian mixture fitted by EM, one E+M iteration per tick, from a deliberately
//! poor start. Shows the points coloured by their most likely component with each component's
//! 1- and 2-sigma ellipses, the lowest-density points flagged as anomalies (with the region
//! below that density threshold shaded), and the lower bound (mean log-likelihood) per iteration.

use super::kmeans::colour;
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::cluster::{CovarianceType, GaussianMixture, GaussianMixtureRun, MixtureInit};
use crate::error::Result;
use crate::estimator::{Iterative, Progress};
use crate::rng::Rng;
use crate::viz::{self, raster_field};
use ndarray::{Array1, Array2};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Three rotated, stretched Gaussian blobs holding 50%, 30% and 20% of the points, plus
/// `outlier_percent` of extra points spread uniformly over the square [-10, 10]².
pub(crate) fn mixture_data(samples: usize, outlier_percent: f64, rng: &mut Rng) -> Array2<f64> {
    // (centre, standard deviations along the two axes, share of the points)
    let blobs = [
        ((-4.0, -1.5), (2.4, 0.6), 0.5),
        ((3.5, 4.0), (1.4, 0.45), 0.3),
        ((4.0, -4.5), (0.7, 0.5), 0.2),
    ];
    let n_out = (samples as f64 * outlier_percent / 100.0).round() as usize;
    let mut rows = Vec::with_capacity(samples + n_out);
    for (i, ((cx, cy), (sx, sy), share)) in blobs.into_iter().enumerate() {
        let n = if i == 2 {
            samples - rows.len()
        } else {
            (samples as f64 * share).round() as usize
        };
        let (sin, cos) = rng.uniform_range(0.0, std::f64::consts::PI).sin_cos();
        for _ in 0..n {
            let (u, v) = (sx * rng.normal(), sy * rng.normal());
            rows.push([cx + u * cos - v * sin, cy + u * sin + v * cos]);
        }
    }
    for _ in 0..n_out {
        rows.push([
            rng.uniform_range(-10.0, 10.0),
            rng.uniform_range(-10.0, 10.0),
        ]);
    }
    Array2::from_shape_fn((rows.len(), 2), |(i, j)| rows[i][j])
}

/// The `samples` control of [`mixture_data`], shared by both mixture demos.
pub(crate) const SAMPLES_PARAM: ParamSpec = ParamSpec {
    key: "samples",
    label: "Samples",
    help: "Points drawn from the three elongated blobs.",
    kind: ParamKind::Int {
        min: 100,
        max: 3000,
        default: 600,
    },
};

/// The `outliers` control of [`mixture_data`].
pub(crate) const OUTLIERS_PARAM: ParamSpec = ParamSpec {
    key: "outliers",
    label: "Outliers (%)",
    help: "Extra points scattered uniformly over the square, as a share of the samples.",
    kind: ParamKind::Float {
        min: 0.0,
        max: 20.0,
        default: 3.0,
        log: false,
    },
};

pub(crate) fn covariance_type(name: &str) -> CovarianceType {
    match name {
        "tied" => CovarianceType::Tied,
        "diag" => CovarianceType::Diag,
        "spherical" => CovarianceType::Spherical,
        _ => CovarianceType::Full,
    }
}

/// Draws each component's 1- and 2-sigma ellipses and its mean on a 2-D chart.
pub(crate) fn draw_ellipses<DB: DrawingBackend>(
    chart: &mut viz::Chart<'_, DB>,
    model: &GaussianMixture,
) -> Result<()> {
    for j in 0..model.means.nrows() {
        let m = model.means.row(j);
        let c = model.covariances.matrix(j, 2);
        let cov = [[c[[0, 0]], c[[0, 1]]], [c[[1, 0]], c[[1, 1]]]];
        let ink = colour(j);
        for (r, width) in [(1.0, 3), (2.0, 2)] {
            let poly = viz::covariance_ellipse((m[0], m[1]), cov, r);
            chart.draw_series(LineSeries::new(poly, ink.stroke_width(width)))?;
        }
        chart.draw_series(std::iter::once(
            EmptyElement::at((m[0], m[1]))
                + Circle::new((0, 0), 6, ink.filled())
                + Circle::new((0, 0), 6, viz::INK.stroke_width(2)),
        ))?;
    }
    Ok(())
}

/// The `p`-th percentile (0-100) of `values`, by linear interpolation as numpy's default.
fn percentile(values: &[f64], p: f64) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let pos = p / 100.0 * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (pos - lo as f64) * (v[hi] - v[lo])
}

pub struct GaussianMixtureDemo {
    x: Array2<f64>,
    run: GaussianMixtureRun,
    anomaly_percent: f64,
    /// The model after the latest step, its labels, log densities and anomaly threshold.
    model: GaussianMixture,
    labels: Vec<usize>,
    log_density: Array1<f64>,
    threshold: f64,
    progress: Progress,
    error: Option<String>,
}

impl GaussianMixtureDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "gaussian-mixture",
        title: "A Gaussian mixture fitted by EM, one iteration at a time",
        chapter: "09-unsupervised-learning",
        upload: None,
        params: &[
            ParamSpec {
                key: "n_components",
                label: "Components",
                help: "How many Gaussians the mixture has.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 8,
                    default: 3,
                },
            },
            ParamSpec {
                key: "covariance_type",
                label: "Covariance type",
                help: "full: any ellipse; tied: one shared ellipse; diag: axis-aligned; spherical: circles.",
                kind: ParamKind::Choice {
                    options: &["full", "tied", "diag", "spherical"],
                    default: "full",
                },
            },
            ParamSpec {
                key: "init",
                label: "Initialisation",
                help: "random starts every component near the middle; kmeans starts from k-means clusters.",
                kind: ParamKind::Choice {
                    options: &["random", "random_from_data", "k-means++", "kmeans"],
                    default: "random",
                },
            },
            ParamSpec {
                key: "anomaly_percent",
                label: "Anomalies (%)",
                help: "The share of points with the lowest density that are flagged as anomalies.",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 20.0,
                    default: 4.0,
                    log: false,
                },
            },
            SAMPLES_PARAM,
            OUTLIERS_PARAM,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let x = mixture_data(params.usize("samples"), params.f64("outliers"), &mut rng);
        let init = match params.choice("init") {
            "random_from_data" => MixtureInit::RandomFromData,
            "k-means++" => MixtureInit::KMeansPlusPlus,
            "kmeans" => MixtureInit::KMeans,
            _ => MixtureInit::Random,
        };
        let run = GaussianMixture::params()
            .n_components(params.usize("n_components"))
            .covariance_type(covariance_type(params.choice("covariance_type")))
            .init_params(init)
            // A random start sits on a plateau where the log-likelihood barely moves at first:
            // scikit-learn's tol = 1e-3 would call that converged, so the demo waits for less.
            .tol(1e-6)
            .max_iter(500)
            .random_state(seed.wrapping_add(1))
            .start(x.view())?;
        let mut demo = GaussianMixtureDemo {
            model: run.model(),
            x,
            run,
            anomaly_percent: params.f64("anomaly_percent"),
            labels: Vec::new(),
            log_density: Array1::zeros(0),
            threshold: f64::NAN,
            progress: Progress::Running,
            error: None,
        };
        demo.refresh();
        Ok(demo)
    }

    /// Reads the model, labels, densities and threshold after a step.
    fn refresh(&mut self) {
        self.model = self.run.model();
        self.labels = self.model.predict(self.x.view()).unwrap_or_default();
        self.log_density = self
            .model
            .score_samples(self.x.view())
            .unwrap_or_else(|_| Array1::zeros(0));
        self.threshold = percentile(
            self.log_density.as_slice().unwrap_or(&[]),
            self.anomaly_percent,
        );
    }

    fn is_anomaly(&self, i: usize) -> bool {
        self.anomaly_percent > 0.0
            && self
                .log_density
                .get(i)
                .is_some_and(|&d| d <= self.threshold)
    }

    fn anomalies(&self) -> usize {
        (0..self.x.nrows()).filter(|&i| self.is_anomaly(i)).count()
    }

    fn draw_mixture<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let title = format!("Mixture after EM iteration {}", self.run.n_iter());
        let mut chart = viz::chart(area, &title, -11.0..11.0, -11.0..11.0, "x1", "x2")?;
        if self.anomaly_percent > 0.0 && self.threshold.is_finite() {
            // Shade where the density is below the anomaly threshold: its edge is the contour.
            let comps = LogDensity2d::new(&self.model);
            let t = self.threshold;
            raster_field(&mut chart, 3, |a, b| {
                if comps.at(a, b) < t {
                    RGBColor(238, 238, 238)
                } else {
                    WHITE
                }
            })?;
        }
        chart.draw_series(self.x.rows().into_iter().enumerate().map(|(i, r)| {
            let l = self.labels.get(i).copied().unwrap_or(0);
            Circle::new((r[0], r[1]), 2, colour(l).mix(0.75).filled())
        }))?;
        draw_ellipses(&mut chart, &self.model)?;
        let flagged = (0..self.x.nrows()).filter(|&i| self.is_anomaly(i));
        chart
            .draw_series(flagged.map(|i| {
                Cross::new(
                    (self.x[[i, 0]], self.x[[i, 1]]),
                    4,
                    viz::INK.stroke_width(2),
                )
            }))?
            .label(format!(
                "anomaly (lowest {}% density)",
                self.anomaly_percent
            ))
            .legend(|(x, y)| Cross::new((x + 8, y), 4, viz::INK.stroke_width(2)));
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperLeft)
    }

    fn draw_lower_bound<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let lb = self.run.lower_bounds();
        if lb.is_empty() {
            let chart = viz::chart(
                area,
                "Log-likelihood per iteration",
                0.0..5.0,
                0.0..1.0,
                "EM iteration",
                "mean log-likelihood",
            )?;
            drop(chart);
            return viz::centered_text(area, "press play to run EM");
        }
        let (lo, hi) = viz::extent(lb.iter().copied());
        let mut chart = viz::chart(
            area,
            "Log-likelihood per iteration",
            0.5..(lb.len().max(5) as f64 + 0.5),
            viz::padded(lo, hi, 0.08),
            "EM iteration",
            "mean log-likelihood",
        )?;
        let pts: Vec<(f64, f64)> = lb
            .iter()
            .enumerate()
            .map(|(i, &v)| ((i + 1) as f64, v))
            .collect();
        chart.draw_series(LineSeries::new(pts.clone(), viz::RED.stroke_width(2)))?;
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, viz::RED.filled())))?;
        Ok(())
    }
}

/// The mixture's log density at a 2-D point, with each component's inverse covariance and log
/// normaliser computed once, so the background field costs a few operations per pixel.
struct LogDensity2d {
    /// (mean x, mean y, inverse covariance a b c, log weight - log(2 pi) - log det / 2)
    comps: Vec<[f64; 6]>,
}

impl LogDensity2d {
    fn new(model: &GaussianMixture) -> Self {
        let comps = (0..model.means.nrows())
            .map(|j| {
                let c = model.covariances.matrix(j, 2);
                let (a, b, d) = (c[[0, 0]], c[[0, 1]], c[[1, 1]]);
                let det = a * d - b * b;
                let log_norm =
                    model.weights[j].ln() - (2.0 * std::f64::consts::PI).ln() - 0.5 * det.ln();
                [
                    model.means[[j, 0]],
                    model.means[[j, 1]],
                    d / det,
                    -b / det,
                    a / det,
                    log_norm,
                ]
            })
            .collect();
        LogDensity2d { comps }
    }

    fn at(&self, x: f64, y: f64) -> f64 {
        let terms: Vec<f64> = self
            .comps
            .iter()
            .map(|&[mx, my, a, b, c, ln]| {
                let (u, v) = (x - mx, y - my);
                ln - 0.5 * (a * u * u + 2.0 * b * u * v + c * v * v)
            })
            .collect();
        let m = terms.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        m + terms.iter().map(|t| (t - m).exp()).sum::<f64>().ln()
    }
}

impl Demo for GaussianMixtureDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        if self.progress == Progress::Running {
            self.progress = match self.run.step() {
                Ok(p) => p,
                Err(e) => {
                    self.error = Some(e.to_string());
                    Progress::Diverged
                }
            };
            self.refresh();
        }
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 2);
        self.draw_mixture(&panels[0])?;
        self.draw_lower_bound(&panels[1])?;
        Ok(())
    }

    fn height_for_width(&self, width: u32) -> u32 {
        viz::two_panel_height(width)
    }

    fn metrics(&self) -> Vec<Metric> {
        vec![
            Metric::new("iterations", "EM iterations", self.run.n_iter() as f64),
            Metric::text(
                "converged",
                "Converged",
                if self.run.converged() { "yes" } else { "no" },
            ),
            Metric::new(
                "lower_bound",
                "Lower bound (mean log-likelihood)",
                self.run.lower_bounds().last().copied().unwrap_or(f64::NAN),
            ),
            Metric::new(
                "bic",
                "BIC",
                self.model.bic(self.x.view()).unwrap_or(f64::NAN),
            ),
            Metric::new("anomalies", "Anomalies flagged", self.anomalies() as f64),
        ]
    }

    fn status(&self) -> Option<String> {
        if let Some(e) = &self.error {
            return Some(e.clone());
        }
        (self.progress == Progress::Done).then(|| {
            if self.run.converged() {
                format!(
                    "Converged after {} iterations: the log-likelihood stopped rising.",
                    self.run.n_iter()
                )
            } else {
                format!(
                    "Stopped after {} iterations without converging.",
                    self.run.n_iter()
                )
            }
        })
    }
}
