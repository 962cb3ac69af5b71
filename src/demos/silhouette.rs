//! Chapter 9: choosing k with silhouettes. Each tick fits k-means (k-means++, best of three) for
//! one more k from 2 to 10 on the same blobs and scores every sample's silhouette. Panels: the
//! silhouette diagram for the chosen k (one bar per sample, grouped by cluster, sorted), the mean
//! silhouette against k, and the clusters themselves.

use super::kmeans::{blob_data, colour, SPREAD_PARAM};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::cluster::{silhouette_samples, InitMethod, KMeans};
use crate::data::Dataset;
use crate::error::Result;
use crate::estimator::Progress;
use crate::rng::Rng;
use crate::viz;
use plotters::coord::Shift;
use plotters::prelude::*;

const MIN_K: usize = 2;
const MAX_K: usize = 10;

/// One k's fit: the labels and each sample's silhouette.
struct Scored {
    k: usize,
    labels: Vec<usize>,
    silhouettes: Vec<f64>,
    mean: f64,
}

pub struct SilhouetteDemo {
    data: Dataset,
    k: usize,
    seed: u64,
    scored: Vec<Scored>,
    failed: usize,
}

impl SilhouetteDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "silhouette",
        title: "Silhouette diagrams: how well does each sample fit its cluster?",
        chapter: "09-unsupervised-learning",
        upload: None,
        params: &[
            ParamSpec {
                key: "k",
                label: "Clusters k (diagram)",
                help: "The k whose silhouette diagram and clusters are drawn.",
                kind: ParamKind::Int {
                    min: MIN_K as i64,
                    max: MAX_K as i64,
                    default: 5,
                },
            },
            ParamSpec {
                key: "blobs",
                label: "True blobs",
                help: "How many Gaussian blobs the points are drawn from.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 8,
                    default: 5,
                },
            },
            ParamSpec {
                key: "samples",
                label: "Samples",
                help: "Number of generated points (silhouettes cost samples squared).",
                kind: ParamKind::Int {
                    min: 50,
                    max: 1500,
                    default: 500,
                },
            },
            SPREAD_PARAM,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let data = blob_data(params, &mut rng);
        Ok(SilhouetteDemo {
            data,
            k: params.usize("k"),
            seed,
            scored: Vec::new(),
            failed: 0,
        })
    }

    fn next_k(&self) -> usize {
        MIN_K + self.scored.len() + self.failed
    }

    fn score(&self, k: usize) -> Result<Scored> {
        let model = KMeans::params()
            .n_clusters(k)
            .init(InitMethod::KMeansPlusPlus)
            .n_init(3)
            .random_state(self.seed.wrapping_add(1))
            .fit_x(self.data.x.view())?;
        let silhouettes = silhouette_samples(self.data.x.view(), &model.labels)?.to_vec();
        let mean = silhouettes.iter().sum::<f64>() / silhouettes.len() as f64;
        Ok(Scored {
            k,
            labels: model.labels,
            silhouettes,
            mean,
        })
    }

    fn chosen(&self) -> Option<&Scored> {
        self.scored.iter().find(|s| s.k == self.k)
    }

    fn best(&self) -> Option<&Scored> {
        self.scored.iter().max_by(|a, b| a.mean.total_cmp(&b.mean))
    }

    fn draw_diagram<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let Some(s) = self.chosen() else {
            return viz::centered_text(area, &format!("Fitting k = {}…", self.next_k()));
        };
        let gap = (self.data.n_samples() as f64 * 0.02).max(2.0);
        let height = self.data.n_samples() as f64 + gap * (s.k as f64 + 1.0);
        let lo = s.silhouettes.iter().copied().fold(0.0_f64, f64::min);
        let mut chart = viz::chart(
            area,
            &format!("Silhouettes at k = {} (dashed: mean {:.3})", s.k, s.mean),
            (lo - 0.05).min(-0.1)..1.0,
            0.0..height,
            "silhouette coefficient",
            "samples, by cluster",
        )?;
        let mut y = gap;
        for c in 0..s.k {
            let mut members: Vec<f64> = s
                .labels
                .iter()
                .zip(&s.silhouettes)
                .filter(|(&l, _)| l == c)
                .map(|(_, &v)| v)
                .collect();
            members.sort_by(|a, b| a.total_cmp(b));
            let colour = colour(c);
            chart.draw_series(members.iter().enumerate().map(|(i, &v)| {
                let row = y + i as f64;
                Rectangle::new([(0.0, row), (v, row + 1.0)], colour.mix(0.85).filled())
            }))?;
            y += members.len() as f64 + gap;
        }
        chart.draw_series(DashedLineSeries::new(
            vec![(s.mean, 0.0), (s.mean, height)],
            6,
            4,
            viz::RED.stroke_width(2),
        ))?;
        Ok(())
    }

    fn draw_scores<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = viz::extent(self.scored.iter().map(|s| s.mean));
        let mut chart = viz::chart(
            area,
            "Mean silhouette against k",
            MIN_K as f64 - 0.5..MAX_K as f64 + 0.5,
            viz::padded(lo.min(0.0), hi.max(0.5), 0.06),
            "k",
            "mean silhouette",
        )?;
        let pts: Vec<(f64, f64)> = self.scored.iter().map(|s| (s.k as f64, s.mean)).collect();
        chart.draw_series(LineSeries::new(pts.clone(), viz::BLUE.stroke_width(2)))?;
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 4, viz::BLUE.filled())))?;
        if let Some(s) = self.chosen() {
            chart
                .draw_series(std::iter::once(Circle::new(
                    (s.k as f64, s.mean),
                    9,
                    viz::RED.stroke_width(3),
                )))?
                .label(format!("k = {} (diagram)", s.k))
                .legend(|(x, y)| Circle::new((x + 8, y), 6, viz::RED.stroke_width(3)));
            viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)?;
        }
        Ok(())
    }

    fn draw_clusters<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (x0, x1) = viz::extent(self.data.x.column(0).iter().copied());
        let (y0, y1) = viz::extent(self.data.x.column(1).iter().copied());
        let mut chart = viz::chart(
            area,
            "Clusters (outlined: silhouette below 0.25)",
            viz::padded(x0, x1, 0.05),
            viz::padded(y0, y1, 0.05),
            "x1",
            "x2",
        )?;
        let Some(s) = self.chosen() else {
            chart.draw_series(
                self.data
                    .x
                    .rows()
                    .into_iter()
                    .map(|r| Circle::new((r[0], r[1]), 2, viz::GREY.mix(0.6).filled())),
            )?;
            return Ok(());
        };
        chart.draw_series(
            self.data
                .x
                .rows()
                .into_iter()
                .zip(&s.labels)
                .zip(&s.silhouettes)
                .map(|((r, &l), &v)| {
                    // Samples that fit their cluster badly are drawn larger and outlined.
                    let base = colour(l);
                    let poor = v < 0.25;
                    EmptyElement::at((r[0], r[1]))
                        + Circle::new((0, 0), if poor { 4 } else { 3 }, base.mix(0.85).filled())
                        + Circle::new((0, 0), if poor { 4 } else { 0 }, viz::INK.stroke_width(1))
                }),
        )?;
        Ok(())
    }
}

impl Demo for SilhouetteDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        let k = self.next_k();
        if k > MAX_K || k > self.data.n_samples() - 1 {
            return Progress::Done;
        }
        match self.score(k) {
            Ok(s) => self.scored.push(s),
            Err(_) => self.failed += 1,
        }
        Progress::Running
    }

    fn ticks_per_frame(&self) -> usize {
        1
    }

    fn autoplay(&self) -> bool {
        true
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_diagram(&panels[0])?;
        self.draw_scores(&panels[1])?;
        self.draw_clusters(&panels[2])?;
        Ok(())
    }

    fn metrics(&self) -> Vec<Metric> {
        let chosen = self.chosen();
        let poor = chosen.map_or(f64::NAN, |s| {
            s.silhouettes.iter().filter(|&&v| v < 0.0).count() as f64
        });
        vec![
            Metric::new(
                "silhouette",
                "Mean silhouette at this k",
                chosen.map_or(f64::NAN, |s| s.mean),
            ),
            Metric::new("negative", "Samples with a negative silhouette", poor),
            Metric::new(
                "best_k",
                "k with the highest mean silhouette",
                self.best().map_or(f64::NAN, |s| s.k as f64),
            ),
            Metric::new("fitted", "Values of k fitted", self.scored.len() as f64),
        ]
    }
}
