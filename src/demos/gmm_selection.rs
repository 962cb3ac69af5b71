//! Chapter 9: choosing the number of mixture components with BIC and AIC. Fits a Gaussian
//! mixture for n_components = 1..10 (per chosen covariance type), started from k-means labels as
//! scikit-learn does, one Lloyd or EM iteration per tick so no frame blocks, draws both criteria against n_components with their minima marked, and shows
//! the data with the ellipses of the model BIC prefers.

use super::gaussian_mixture::{
    covariance_type, draw_ellipses, mixture_data, OUTLIERS_PARAM, SAMPLES_PARAM,
};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::cluster::{
    CovarianceType, GaussianMixture, GaussianMixtureRun, KMeansParams, KMeansRun,
};
use crate::error::Result;
use crate::estimator::{Iterative, Progress};
use crate::rng::Rng;
use crate::viz;
use ndarray::Array2;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The largest number of components tried.
const MAX_K: usize = 10;

const TYPES: [CovarianceType; 4] = [
    CovarianceType::Full,
    CovarianceType::Tied,
    CovarianceType::Diag,
    CovarianceType::Spherical,
];

fn type_colour(t: CovarianceType) -> RGBColor {
    match t {
        CovarianceType::Full => viz::BLUE,
        CovarianceType::Tied => viz::ORANGE,
        CovarianceType::Diag => viz::GREEN,
        CovarianceType::Spherical => viz::PURPLE,
    }
}

/// One finished fit: its covariance type, number of components, BIC, AIC and the model.
struct Fitted {
    t: CovarianceType,
    k: usize,
    bic: f64,
    aic: f64,
    model: GaussianMixture,
}

pub struct GmmSelectionDemo {
    x: Array2<f64>,
    seed: u64,
    /// The (type, k) pairs still to fit, in order; the first is running.
    queue: Vec<(CovarianceType, usize)>,
    /// The k-means run that initialises the mixtures with `k` components (one Lloyd step per
    /// tick, as scikit-learn's `init_params="kmeans"`), then its labels, shared by every type.
    kmeans: Option<(usize, KMeansRun)>,
    labels: Option<(usize, Vec<usize>)>,
    run: Option<GaussianMixtureRun>,
    fitted: Vec<Fitted>,
    failed: usize,
}

impl GmmSelectionDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "gmm-selection",
        title: "How many components? BIC and AIC for Gaussian mixtures",
        chapter: "09-unsupervised-learning",
        upload: None,
        params: &[
            ParamSpec {
                key: "covariance_type",
                label: "Covariance type",
                help: "Which covariance types to compare (all four, or one).",
                kind: ParamKind::Choice {
                    options: &["all", "full", "tied", "diag", "spherical"],
                    default: "all",
                },
            },
            SAMPLES_PARAM,
            OUTLIERS_PARAM,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let x = mixture_data(params.usize("samples"), params.f64("outliers"), &mut rng);
        let types: Vec<CovarianceType> = match params.choice("covariance_type") {
            "all" => TYPES.to_vec(),
            name => vec![covariance_type(name)],
        };
        let queue = (1..=MAX_K)
            .flat_map(|k| types.iter().map(move |&t| (t, k)))
            .rev()
            .collect();
        Ok(GmmSelectionDemo {
            x,
            seed,
            queue,
            kmeans: None,
            labels: None,
            run: None,
            fitted: Vec::new(),
            failed: 0,
        })
    }

    /// The fit BIC prefers so far (lowest BIC).
    fn best(&self) -> Option<&Fitted> {
        self.fitted.iter().min_by(|a, b| a.bic.total_cmp(&b.bic))
    }

    fn types(&self) -> Vec<CovarianceType> {
        TYPES
            .into_iter()
            .filter(|t| {
                self.fitted.iter().any(|f| f.t == *t) || self.queue.iter().any(|q| q.0 == *t)
            })
            .collect()
    }

    /// One Lloyd iteration of the k-means run for `k` components (started if needed); when it
    /// is done its labels seed the mixtures with `k` components.
    fn step_kmeans(&mut self, k: usize) {
        if self.kmeans.as_ref().is_none_or(|(kk, _)| *kk != k) {
            let run = KMeansParams::default()
                .n_clusters(k)
                .random_state(self.seed.wrapping_add(k as u64))
                .start(self.x.view());
            match run {
                Ok(run) => self.kmeans = Some((k, run)),
                Err(_) => {
                    self.failed += 1;
                    self.queue.pop();
                }
            }
            return;
        }
        if let Some((_, run)) = self.kmeans.as_mut() {
            if run.step().unwrap_or(Progress::Diverged) != Progress::Running {
                self.labels = Some((k, run.labels().to_vec()));
                self.kmeans = None;
            }
        }
    }

    fn draw_criteria<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let values = self.fitted.iter().flat_map(|f| [f.bic, f.aic]);
        let (lo, hi) = viz::extent(values);
        let mut chart = viz::chart(
            area,
            "BIC (solid) and AIC (dashed): lower is better",
            0.5..MAX_K as f64 + 0.5,
            viz::padded(lo, hi, 0.06),
            "n_components",
            "criterion",
        )?;
        for t in self.types() {
            let fits: Vec<&Fitted> = self.fitted.iter().filter(|f| f.t == t).collect();
            let ink = type_colour(t);
            let bic: Vec<(f64, f64)> = fits.iter().map(|f| (f.k as f64, f.bic)).collect();
            let aic: Vec<(f64, f64)> = fits.iter().map(|f| (f.k as f64, f.aic)).collect();
            chart
                .draw_series(LineSeries::new(bic.clone(), ink.stroke_width(2)))?
                .label(t.name())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], ink.stroke_width(2))
                });
            chart.draw_series(DashedLineSeries::new(aic, 6, 4, ink.stroke_width(2)))?;
            chart.draw_series(bic.iter().map(|&p| Circle::new(p, 3, ink.filled())))?;
            // Each curve's minimum: a ring on BIC, a square on AIC.
            if let Some(f) = fits.iter().min_by(|a, b| a.bic.total_cmp(&b.bic)) {
                chart.draw_series(std::iter::once(Circle::new(
                    (f.k as f64, f.bic),
                    8,
                    viz::INK.stroke_width(2),
                )))?;
            }
            if let Some(f) = fits.iter().min_by(|a, b| a.aic.total_cmp(&b.aic)) {
                chart.draw_series(std::iter::once(
                    EmptyElement::at((f.k as f64, f.aic))
                        + Rectangle::new([(-6, -6), (6, 6)], viz::INK.stroke_width(2)),
                ))?;
            }
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }

    fn draw_best<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let title = match self.best() {
            Some(f) => format!("Lowest BIC so far: {} with {} components", f.t.name(), f.k),
            None => "Lowest BIC so far: none yet".to_string(),
        };
        let mut chart = viz::chart(area, &title, -11.0..11.0, -11.0..11.0, "x1", "x2")?;
        let best = self.best();
        let labels = best.and_then(|f| f.model.predict(self.x.view()).ok());
        chart.draw_series(self.x.rows().into_iter().enumerate().map(|(i, r)| {
            let ink = match &labels {
                Some(l) => super::kmeans::colour(l[i]),
                None => viz::GREY,
            };
            Circle::new((r[0], r[1]), 2, ink.mix(0.7).filled())
        }))?;
        if let Some(f) = best {
            draw_ellipses(&mut chart, &f.model)?;
        }
        Ok(())
    }
}

impl Demo for GmmSelectionDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One EM iteration of the current fit (or its initialisation); a finished fit records its
    /// criteria and the next (type, k) starts on the following tick.
    fn tick(&mut self) -> Progress {
        let Some(&(t, k)) = self.queue.last() else {
            return Progress::Done;
        };
        let Some(run) = self.run.as_mut() else {
            let labels = match &self.labels {
                Some((lk, labels)) if *lk == k => labels.clone(),
                _ => {
                    self.step_kmeans(k);
                    return Progress::Running;
                }
            };
            let mut resp = Array2::zeros((self.x.nrows(), k));
            for (i, &l) in labels.iter().enumerate() {
                resp[[i, l]] = 1.0;
            }
            let started = GaussianMixture::params()
                .n_components(k)
                .covariance_type(t)
                .start_from_responsibilities(self.x.view(), resp.view());
            match started {
                Ok(run) => self.run = Some(run),
                Err(_) => {
                    self.failed += 1;
                    self.queue.pop();
                }
            }
            return Progress::Running;
        };
        match run.step() {
            Ok(Progress::Running) => {}
            Ok(_) => {
                let model = run.model();
                let bic = model.bic(self.x.view()).unwrap_or(f64::NAN);
                let aic = model.aic(self.x.view()).unwrap_or(f64::NAN);
                self.fitted.push(Fitted {
                    t,
                    k,
                    bic,
                    aic,
                    model,
                });
                self.run = None;
                self.queue.pop();
            }
            Err(_) => {
                self.failed += 1;
                self.run = None;
                self.queue.pop();
            }
        }
        if self.queue.is_empty() {
            Progress::Done
        } else {
            Progress::Running
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 2);
        self.draw_criteria(&panels[0])?;
        self.draw_best(&panels[1])?;
        Ok(())
    }

    fn height_for_width(&self, width: u32) -> u32 {
        viz::two_panel_height(width)
    }

    fn metrics(&self) -> Vec<Metric> {
        let best_by = |f: fn(&Fitted) -> f64| {
            self.fitted
                .iter()
                .min_by(|a, b| f(a).total_cmp(&f(b)))
                .map_or(f64::NAN, |b| b.k as f64)
        };
        let best = self.best();
        vec![
            Metric::new("fits", "Fits done", self.fitted.len() as f64),
            Metric::new(
                "best_k_bic",
                "Components with lowest BIC",
                best_by(|f| f.bic),
            ),
            Metric::new(
                "best_k_aic",
                "Components with lowest AIC",
                best_by(|f| f.aic),
            ),
            Metric::text(
                "best_type",
                "Covariance type with lowest BIC",
                best.map_or("—", |f| f.t.name()),
            ),
            Metric::new("bic", "Lowest BIC", best.map_or(f64::NAN, |f| f.bic)),
            Metric::new("failed", "Fits that failed", self.failed as f64),
        ]
    }

    fn status(&self) -> Option<String> {
        self.queue.is_empty().then(|| {
            let best = self.best().map_or(String::new(), |f| {
                format!(": BIC prefers {} components ({})", f.k, f.t.name())
            });
            format!("All {} fits done{best}.", self.fitted.len())
        })
    }
}
