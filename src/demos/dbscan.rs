//! Chapter 9: DBSCAN on two moons or the reader's own two columns (a CSV, standardised so that
//! `eps` is in standard deviations). Shows the core, border and noise points it finds, the sorted
//! distance of every point to its `min_samples`-th neighbour (the usual guide for choosing `eps`),
//! and k-means with k = 2 on the same points for comparison.

use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::cluster::{Dbscan, DbscanParams, KMeans};
use crate::data::upload::UploadKind;
use crate::data::{generators, Dataset};
use crate::error::Result;
use crate::estimator::Progress;
use crate::preprocessing::StandardScalerParams;
use crate::rng::Rng;
use crate::viz;
use plotters::coord::Shift;
use plotters::prelude::*;

const PALETTE: [RGBColor; 6] = [
    viz::BLUE,
    viz::ORANGE,
    viz::GREEN,
    viz::PURPLE,
    RGBColor(86, 180, 233),
    viz::RED,
];

fn colour(label: i64) -> RGBColor {
    if label < 0 {
        viz::GREY
    } else {
        PALETTE[label as usize % PALETTE.len()]
    }
}

pub struct DbscanDemo {
    data: Dataset,
    model: Dbscan,
    is_core: Vec<bool>,
    eps: f64,
    min_samples: usize,
    /// Distance from each point to its `min_samples`-th neighbour (itself counted), sorted down.
    k_distance: Vec<f64>,
    kmeans_labels: Vec<usize>,
    kmeans_inertia: f64,
}

impl DbscanDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "dbscan",
        title: "DBSCAN: clusters as dense regions",
        chapter: "09-unsupervised-learning",
        upload: Some(UploadKind::Points2d { max_rows: 1500 }),
        params: &[
            ParamSpec {
                key: "eps",
                label: "Radius ε (eps)",
                help: "How far apart two points may be to count as neighbours.",
                kind: ParamKind::Float {
                    min: 0.02,
                    max: 1.0,
                    default: 0.15,
                    log: true,
                },
            },
            ParamSpec {
                key: "min_samples",
                label: "min_samples",
                help: "Neighbours within ε (the point included) that make a point a core point.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 30,
                    default: 5,
                },
            },
            ParamSpec {
                key: "noise",
                label: "Noise",
                help: "Standard deviation of the noise added to the two moons.",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 0.3,
                    default: 0.08,
                    log: false,
                },
            },
            ParamSpec {
                key: "samples",
                label: "Samples",
                help: "Number of generated points.",
                kind: ParamKind::Int {
                    min: 50,
                    max: 1500,
                    default: 400,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let data = match params.upload() {
            Some(upload) => standardised(upload.dataset()?)?,
            None => generators::moons(params.usize("samples"), params.f64("noise"), &mut rng),
        };
        let eps = params.f64("eps");
        let min_samples = params.usize("min_samples");
        let model = DbscanParams::default()
            .eps(eps)
            .min_samples(min_samples)
            .fit_x(data.x.view())?;
        let mut is_core = vec![false; data.n_samples()];
        for &i in &model.core_sample_indices {
            is_core[i] = true;
        }
        let k_distance = k_distances(&data, min_samples);
        let kmeans = KMeans::params()
            .n_clusters(2)
            .random_state(seed.wrapping_add(1))
            .fit_x(data.x.view())?;
        Ok(DbscanDemo {
            data,
            model,
            is_core,
            eps,
            min_samples,
            k_distance,
            kmeans_labels: kmeans.labels,
            kmeans_inertia: kmeans.inertia,
        })
    }

    fn axes(&self) -> (&str, &str) {
        (&self.data.feature_names[0], &self.data.feature_names[1])
    }

    /// The corner of the point panel whose box (a third of each side) holds the fewest points,
    /// lower left first: an uploaded file's points may sit where the moons leave room.
    fn legend_corner(&self) -> SeriesLabelPosition {
        let (xr, yr) = self.ranges();
        let at = |r: &std::ops::Range<f64>, t: f64| r.start + t * (r.end - r.start);
        let count = |left: bool, low: bool| {
            let (x0, x1) = if left {
                (xr.start, at(&xr, 0.35))
            } else {
                (at(&xr, 0.65), xr.end)
            };
            let (y0, y1) = if low {
                (yr.start, at(&yr, 0.35))
            } else {
                (at(&yr, 0.65), yr.end)
            };
            self.data
                .x
                .rows()
                .into_iter()
                .filter(|r| (x0..=x1).contains(&r[0]) && (y0..=y1).contains(&r[1]))
                .count()
        };
        [
            (SeriesLabelPosition::LowerLeft, true, true),
            (SeriesLabelPosition::UpperRight, false, false),
            (SeriesLabelPosition::UpperLeft, true, false),
            (SeriesLabelPosition::LowerRight, false, true),
        ]
        .into_iter()
        .map(|(pos, left, low)| (count(left, low), pos))
        .min_by_key(|(n, _)| *n)
        .map_or(SeriesLabelPosition::LowerLeft, |(_, pos)| pos)
    }

    fn ranges(&self) -> (std::ops::Range<f64>, std::ops::Range<f64>) {
        let (x0, x1) = viz::extent(self.data.x.column(0).iter().copied());
        let (y0, y1) = viz::extent(self.data.x.column(1).iter().copied());
        (viz::padded(x0, x1, 0.05), viz::padded(y0, y1, 0.05))
    }

    fn draw_dbscan<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (xr, yr) = self.ranges();
        let title = format!(
            "DBSCAN: {} clusters, {} noise",
            self.model.n_clusters(),
            self.model.n_noise()
        );
        let (xn, yn) = self.axes();
        let mut chart = viz::chart(area, &title, xr, yr, xn, yn)?;
        let rows = || self.data.x.rows().into_iter().zip(&self.model.labels);
        // Core points large and solid, border points small rings, noise grey crosses.
        chart.draw_series(
            rows()
                .enumerate()
                .filter(|(i, (_, &l))| l < 0 && !self.is_core[*i])
                .map(|(_, (r, _))| Cross::new((r[0], r[1]), 3, viz::GREY.stroke_width(1))),
        )?;
        chart.draw_series(
            rows()
                .enumerate()
                .filter(|(i, (_, &l))| l >= 0 && !self.is_core[*i])
                .map(|(_, (r, &l))| Circle::new((r[0], r[1]), 4, colour(l).stroke_width(2))),
        )?;
        chart
            .draw_series(
                rows()
                    .enumerate()
                    .filter(|(i, _)| self.is_core[*i])
                    .map(|(_, (r, &l))| Circle::new((r[0], r[1]), 3, colour(l).filled())),
            )?
            .label("core")
            .legend(|(x, y)| Circle::new((x + 8, y), 3, viz::INK.filled()));
        // Legend entries for the two other kinds (drawn off-screen, listed in the legend).
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
            .label("border")
            .legend(|(x, y)| Circle::new((x + 8, y), 4, viz::INK.stroke_width(2)));
        chart
            .draw_series(std::iter::empty::<Cross<(f64, f64), i32>>())?
            .label("noise")
            .legend(|(x, y)| Cross::new((x + 8, y), 3, viz::GREY.stroke_width(1)));
        viz::legend(&mut chart, area, self.legend_corner())
    }

    fn draw_k_distance<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let n = self.k_distance.len() as f64;
        let (_, hi) = viz::extent(self.k_distance.iter().copied().chain([self.eps]));
        let title = format!("Distance to neighbour {}", self.min_samples);
        let mut chart = viz::chart(
            area,
            &title,
            0.0..n,
            0.0..hi * 1.08,
            "points, sorted",
            "distance",
        )?;
        chart
            .draw_series(LineSeries::new(
                self.k_distance
                    .iter()
                    .enumerate()
                    .map(|(i, &d)| (i as f64, d)),
                viz::BLUE.stroke_width(2),
            ))?
            .label("k-distance")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], viz::BLUE.stroke_width(2))
            });
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, self.eps), (n, self.eps)],
                6,
                4,
                viz::RED.stroke_width(2),
            ))?
            .label("eps (above it: not core)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(2)));
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }

    fn draw_kmeans<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (xr, yr) = self.ranges();
        let (xn, yn) = self.axes();
        let mut chart = viz::chart(area, "k-means, k = 2, same points", xr, yr, xn, yn)?;
        chart.draw_series(
            self.data
                .x
                .rows()
                .into_iter()
                .zip(&self.kmeans_labels)
                .map(|(r, &l)| Circle::new((r[0], r[1]), 3, colour(l as i64).filled())),
        )?;
        Ok(())
    }
}

/// An uploaded file's columns scaled to mean 0 and variance 1 (the moons span about 3 by 1.5,
/// so the `eps` slider's range suits both), named as such on the axes.
fn standardised(mut data: Dataset) -> Result<Dataset> {
    data.x = StandardScalerParams::default()
        .fit(data.x.view())?
        .transform(data.x.view())?;
    for name in &mut data.feature_names {
        name.push_str(" (standardised)");
    }
    Ok(data)
}

/// For every point, the distance to its `m`-th nearest point (the point itself is the first),
/// sorted from largest to smallest: a point is a core point exactly when this is at most ε.
fn k_distances(data: &Dataset, m: usize) -> Vec<f64> {
    let n = data.n_samples();
    let xs: Vec<(f64, f64)> = data.x.rows().into_iter().map(|r| (r[0], r[1])).collect();
    let mut out: Vec<f64> = xs
        .iter()
        .map(|&(a, b)| {
            let mut d: Vec<f64> = xs
                .iter()
                .map(|&(c, e)| ((a - c).powi(2) + (b - e).powi(2)).sqrt())
                .collect();
            let k = m.clamp(1, n) - 1;
            *d.select_nth_unstable_by(k, f64::total_cmp).1
        })
        .collect();
    out.sort_by(|a, b| b.total_cmp(a));
    out
}

impl Demo for DbscanDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// DBSCAN runs in one pass when the demo is created; there is nothing left to step.
    fn tick(&mut self) -> Progress {
        Progress::Done
    }

    fn autoplay(&self) -> bool {
        true
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_dbscan(&panels[0])?;
        self.draw_k_distance(&panels[1])?;
        self.draw_kmeans(&panels[2])?;
        Ok(())
    }

    fn metrics(&self) -> Vec<Metric> {
        let core = self.model.core_sample_indices.len();
        let noise = self.model.n_noise();
        vec![
            Metric::new("clusters", "Clusters", self.model.n_clusters() as f64),
            Metric::new("core", "Core points", core as f64),
            Metric::new(
                "border",
                "Border points",
                (self.data.n_samples() - core - noise) as f64,
            ),
            Metric::new("noise", "Noise points", noise as f64),
            Metric::new(
                "kmeans_inertia",
                "k-means (k = 2) inertia",
                self.kmeans_inertia,
            ),
        ]
    }
}
