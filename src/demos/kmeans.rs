//! Chapter 9: k-means on Gaussian blobs or the reader's own two columns (a CSV), one Lloyd
//! iteration per tick. Shows the points coloured by
//! their closest centroid over the Voronoi regions of the centroids (with each centroid's trail),
//! the inertia after every step, and an elbow curve (final inertia against k) fitted at creation.

use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::cluster::{silhouette_score, InitMethod, KMeans, KMeansRun};
use crate::data::upload::UploadKind;
use crate::data::{generators, Dataset};
use crate::error::Result;
use crate::estimator::{Iterative, Progress};
use crate::rng::Rng;
use crate::viz::{self, raster_field};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Cluster colours: the Okabe-Ito set plus two darker tones, distinct for colour-blind readers.
const PALETTE: [RGBColor; 10] = [
    viz::BLUE,
    viz::ORANGE,
    viz::GREEN,
    viz::PURPLE,
    RGBColor(86, 180, 233),
    viz::RED,
    RGBColor(240, 228, 66),
    RGBColor(90, 90, 90),
    RGBColor(140, 86, 75),
    RGBColor(23, 190, 207),
];

/// The largest k of the elbow curve (and of the `k` slider).
const MAX_K: usize = 10;
/// The silhouette is quadratic in the number of points: it is measured on this many of them.
const SILHOUETTE_SAMPLE: usize = 200;

/// The colour of cluster `label` (shared with the Gaussian mixture demos).
pub(crate) fn colour(label: usize) -> RGBColor {
    PALETTE[label % PALETTE.len()]
}

/// The blobs' spread, shared with the silhouette demo.
pub(crate) const SPREAD_PARAM: ParamSpec = ParamSpec {
    key: "spread",
    label: "Blob spread",
    help: "Standard deviation of each blob; large values make the blobs overlap.",
    kind: ParamKind::Float {
        min: 0.2,
        max: 4.0,
        default: 1.0,
        log: true,
    },
};

/// The points of the k-means and silhouette demos: `samples` points from `blobs` Gaussian blobs
/// of standard deviation `spread`, centred at random in the plane.
pub(crate) fn blob_data(params: &Params, rng: &mut Rng) -> Dataset {
    let centers = generators::random_centers(params.usize("blobs"), 2, 8.0, rng);
    generators::blobs(params.usize("samples"), &centers, params.f64("spread"), rng)
}

/// `c` blended towards white, for the regions behind the points.
fn pale(c: RGBColor) -> RGBColor {
    let mix = |v: u8| (v as f64 * 0.22 + 255.0 * 0.78).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

pub struct KMeansDemo {
    data: Dataset,
    run: KMeansRun,
    k: usize,
    /// Final inertia for k = 1..=MAX_K (best of three k-means++ runs), for the elbow panel.
    elbow: Vec<(usize, f64)>,
    silhouette: Option<f64>,
    progress: Progress,
}

impl KMeansDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "kmeans",
        title: "k-means clustering, one Lloyd step at a time",
        chapter: "09-unsupervised-learning",
        upload: Some(UploadKind::Points2d { max_rows: 3000 }),
        params: &[
            ParamSpec {
                key: "k",
                label: "Clusters k",
                help: "How many centroids k-means places.",
                kind: ParamKind::Int {
                    min: 1,
                    max: MAX_K as i64,
                    default: 4,
                },
            },
            ParamSpec {
                key: "blobs",
                label: "True blobs",
                help: "How many Gaussian blobs the points are drawn from.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 8,
                    default: 4,
                },
            },
            ParamSpec {
                key: "samples",
                label: "Samples",
                help: "Number of generated points.",
                kind: ParamKind::Int {
                    min: 50,
                    max: 3000,
                    default: 600,
                },
            },
            SPREAD_PARAM,
            ParamSpec {
                key: "init",
                label: "Initialisation",
                help: "k-means++ spreads the first centroids out; random picks k points.",
                kind: ParamKind::Choice {
                    options: &["k-means++", "random"],
                    default: "k-means++",
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let data = match params.upload() {
            Some(upload) => upload.dataset()?,
            None => blob_data(params, &mut rng),
        };
        let init = match params.choice("init") {
            "random" => InitMethod::Random,
            _ => InitMethod::KMeansPlusPlus,
        };
        let k = params.usize("k");
        let base = KMeans::params()
            .init(init)
            .random_state(seed.wrapping_add(1));
        let run = base.clone().n_clusters(k).start(data.x.view())?;
        // The elbow uses the best of three k-means++ runs whatever `init` is, so it is a fair
        // yardstick for the run being animated.
        let yardstick = base.clone().init(InitMethod::KMeansPlusPlus).n_init(3);
        let elbow = (1..=MAX_K)
            .map(|j| {
                let fit = yardstick.clone().n_clusters(j).fit_x(data.x.view())?;
                Ok((j, fit.inertia))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(KMeansDemo {
            data,
            run,
            k,
            elbow,
            silhouette: None,
            progress: Progress::Running,
        })
    }

    fn draw_clusters<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (x0, x1) = viz::extent(self.data.x.column(0).iter().copied());
        let (y0, y1) = viz::extent(self.data.x.column(1).iter().copied());
        let title = format!("Clusters after step {}", self.run.n_iter());
        let mut chart = viz::chart(
            area,
            &title,
            viz::padded(x0, x1, 0.05),
            viz::padded(y0, y1, 0.05),
            &self.data.feature_names[0],
            &self.data.feature_names[1],
        )?;
        let centers = self.run.centers();
        // Each pixel takes the pale colour of its closest centroid: the Voronoi regions that the
        // next assignment step uses.
        raster_field(&mut chart, 2, |a, b| {
            let mut best = (0, f64::INFINITY);
            for (j, c) in centers.rows().into_iter().enumerate() {
                let d = (a - c[0]).powi(2) + (b - c[1]).powi(2);
                if d < best.1 {
                    best = (j, d);
                }
            }
            pale(colour(best.0))
        })?;
        let labels = self.run.labels();
        chart.draw_series(
            self.data
                .x
                .rows()
                .into_iter()
                .zip(labels)
                .map(|(r, &l)| Circle::new((r[0], r[1]), 2, colour(l).mix(0.8).filled())),
        )?;
        let history = self.run.history();
        for j in 0..centers.nrows() {
            let trail: Vec<(f64, f64)> = history.iter().map(|c| (c[[j, 0]], c[[j, 1]])).collect();
            chart.draw_series(LineSeries::new(trail.clone(), viz::INK.stroke_width(2)))?;
            chart.draw_series(
                trail[..trail.len() - 1]
                    .iter()
                    .map(|&p| Circle::new(p, 3, viz::INK.filled())),
            )?;
        }
        // The centroids now: large, in their cluster's colour, outlined so they stand out.
        chart.draw_series(centers.rows().into_iter().enumerate().map(|(j, c)| {
            EmptyElement::at((c[0], c[1]))
                + Circle::new((0, 0), 8, colour(j).filled())
                + Circle::new((0, 0), 8, viz::INK.stroke_width(2))
        }))?;
        Ok(())
    }

    fn draw_inertia<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let inertias = self.run.inertias();
        let (lo, hi) = viz::extent(inertias.iter().copied());
        let steps = (inertias.len() - 1).max(5) as f64;
        let mut chart = viz::chart(
            area,
            "Inertia after each step",
            -0.3..steps + 0.3,
            viz::padded(lo, hi, 0.08),
            "Lloyd step",
            "inertia",
        )?;
        let points: Vec<(f64, f64)> = inertias
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as f64, v))
            .collect();
        chart.draw_series(LineSeries::new(points.clone(), viz::RED.stroke_width(2)))?;
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, viz::RED.filled())))?;
        Ok(())
    }

    fn draw_elbow<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = viz::extent(self.elbow.iter().map(|p| p.1));
        let mut chart = viz::chart(
            area,
            "Elbow: best inertia against k",
            0.5..MAX_K as f64 + 0.5,
            viz::padded(lo.min(0.0), hi, 0.06),
            "k",
            "inertia",
        )?;
        let points: Vec<(f64, f64)> = self.elbow.iter().map(|&(k, v)| (k as f64, v)).collect();
        chart.draw_series(LineSeries::new(points.clone(), viz::BLUE.stroke_width(2)))?;
        chart.draw_series(
            points
                .iter()
                .map(|&p| Circle::new(p, 4, viz::BLUE.filled())),
        )?;
        if let Some(&(k, v)) = self.elbow.iter().find(|p| p.0 == self.k) {
            chart
                .draw_series(std::iter::once(Circle::new(
                    (k as f64, v),
                    9,
                    viz::RED.stroke_width(3),
                )))?
                .label(format!("k = {k} (this run's k)"))
                .legend(|(x, y)| Circle::new((x + 8, y), 6, viz::RED.stroke_width(3)));
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }
}

impl Demo for KMeansDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        if self.progress == Progress::Running {
            self.progress = self.run.step().unwrap_or(Progress::Diverged);
            if self.progress == Progress::Done && self.k >= 2 {
                let n = self.data.n_samples().min(SILHOUETTE_SAMPLE);
                // Blobs are dealt round-robin, so the first n points sample every blob evenly.
                let x = self.data.x.slice(ndarray::s![..n, ..]);
                self.silhouette = silhouette_score(x, &self.run.labels()[..n]).ok();
            }
        }
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_clusters(&panels[0])?;
        self.draw_inertia(&panels[1])?;
        self.draw_elbow(&panels[2])?;
        Ok(())
    }

    fn metrics(&self) -> Vec<Metric> {
        let done = self.progress != Progress::Running;
        vec![
            Metric::new("step", "Lloyd step", self.run.n_iter() as f64),
            Metric::new(
                "inertia",
                "Inertia",
                self.run.inertias().last().copied().unwrap_or(f64::NAN),
            ),
            Metric::new("moved", "Largest centroid move", self.run.max_shift()),
            Metric::text("converged", "Converged", if done { "yes" } else { "no" }),
            Metric::new(
                "silhouette",
                "Silhouette (when converged)",
                self.silhouette.unwrap_or(f64::NAN),
            ),
        ]
    }

    fn status(&self) -> Option<String> {
        (self.progress == Progress::Done).then(|| {
            format!(
                "Converged after {} steps: the centroids have stopped moving.",
                self.run.n_iter()
            )
        })
    }
}
