//! Chapter 9: colour quantisation. Every pixel of the bundled flower photo is a point in RGB space;
//! k-means (Lloyd, or mini-batch) groups the 17,120 colours into `k` clusters, one step per tick,
//! and the picture is redrawn with each pixel replaced by its cluster's centre colour. Panels: the
//! original, the quantised image with its palette, and the inertia over the steps.

use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::cluster::{InitMethod, KMeans, KMeansRun, MiniBatchKMeansRun};
use crate::data::bundled::{self, RgbImage};
use crate::error::Result;
use crate::estimator::{Iterative, Progress};
use crate::viz;
use ndarray::Array2;
use plotters::coord::Shift;
use plotters::prelude::*;

enum Run {
    Lloyd(Box<KMeansRun>),
    MiniBatch(Box<MiniBatchKMeansRun>),
}

pub struct ColourQuantisationDemo {
    image: RgbImage,
    pixels: Array2<f64>,
    run: Run,
    /// The model after the last step: centres, every pixel's cluster, inertia.
    model: KMeans,
    /// Inertia over all pixels after each step.
    inertias: Vec<f64>,
    progress: Progress,
    distinct_colours: usize,
}

impl ColourQuantisationDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "colour-quantisation",
        title: "Colour quantisation: k-means on the pixels of a photo",
        chapter: "09-unsupervised-learning",
        upload: None,
        params: &[
            ParamSpec {
                key: "k",
                label: "Colours k",
                help: "How many colours (clusters) the picture keeps.",
                kind: ParamKind::Int {
                    min: 2,
                    max: 32,
                    default: 8,
                },
            },
            ParamSpec {
                key: "algorithm",
                label: "Algorithm",
                help: "Lloyd uses every pixel in each step; mini-batch uses a random batch.",
                kind: ParamKind::Choice {
                    options: &["lloyd", "mini-batch"],
                    default: "lloyd",
                },
            },
            ParamSpec {
                key: "batch_size",
                label: "Batch size",
                help: "Pixels per mini-batch step (mini-batch only).",
                kind: ParamKind::Int {
                    min: 16,
                    max: 4096,
                    default: 256,
                },
            },
            ParamSpec {
                key: "init",
                label: "Initialisation",
                help: "k-means++ spreads the first centres out; random picks k pixels.",
                kind: ParamKind::Choice {
                    options: &["k-means++", "random"],
                    default: "random",
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let image = bundled::flower()?;
        let pixels = image.pixels();
        let k = params.usize("k");
        let init = match params.choice("init") {
            "k-means++" => InitMethod::KMeansPlusPlus,
            _ => InitMethod::Random,
        };
        let run = if params.choice("algorithm") == "mini-batch" {
            let p = crate::cluster::MiniBatchKMeansParams::default()
                .n_clusters(k)
                .init(init)
                .batch_size(params.usize("batch_size"))
                .random_state(seed);
            Run::MiniBatch(Box::new(p.start(pixels.view())?))
        } else {
            let p = KMeans::params().n_clusters(k).init(init).random_state(seed);
            Run::Lloyd(Box::new(p.start(pixels.view())?))
        };
        let model = match &run {
            Run::Lloyd(r) => r.model(),
            Run::MiniBatch(r) => r.model(),
        };
        let inertias = vec![model.inertia];
        let mut colours: Vec<&[u8]> = image.rgb.chunks(3).collect();
        colours.sort_unstable();
        colours.dedup();
        let distinct_colours = colours.len();
        Ok(ColourQuantisationDemo {
            distinct_colours,
            image,
            pixels,
            run,
            model,
            inertias,
            progress: Progress::Running,
        })
    }

    fn steps(&self) -> usize {
        self.inertias.len() - 1
    }

    fn quantised(&self) -> Vec<u8> {
        let c = &self.model.cluster_centers;
        let byte = |v: f64| (v * 255.0).round().clamp(0.0, 255.0) as u8;
        self.model
            .labels
            .iter()
            .flat_map(|&l| (0..3).map(move |j| byte(c[[l, j]])))
            .collect()
    }

    fn draw_quantised<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let k = self.model.cluster_centers.nrows();
        let caption = format!("{k} colours, after step {}", self.steps());
        let (pos, size) = viz::draw_image(
            area,
            &caption,
            self.image.width,
            self.image.height,
            &self.quantised(),
        )?;
        // The palette: one swatch per centre, under the picture, widest first by pixel count.
        let mut counts = vec![0usize; k];
        for &l in &self.model.labels {
            counts[l] += 1;
        }
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
        let (_, h) = area.dim_in_pixel();
        let y0 = pos.1 + size.1 as i32 + 6;
        let y1 = (y0 + 22).min(h as i32 - 2);
        let total = self.model.labels.len().max(1) as f64;
        let mut x = pos.0 as f64;
        for j in order {
            let w = size.0 as f64 * counts[j] as f64 / total;
            let c = self.model.cluster_centers.row(j);
            let byte = |v: f64| (v * 255.0).round().clamp(0.0, 255.0) as u8;
            let colour = RGBColor(byte(c[0]), byte(c[1]), byte(c[2]));
            area.draw(&Rectangle::new(
                [(x.round() as i32, y0), ((x + w).round() as i32, y1)],
                colour.filled(),
            ))?;
            x += w;
        }
        Ok(())
    }

    fn draw_inertia<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = viz::extent(self.inertias.iter().copied());
        let steps = self.steps().max(5) as f64;
        let mut chart = viz::chart(
            area,
            "Inertia over all pixels",
            0.0..steps,
            viz::padded(lo, hi, 0.05),
            match self.run {
                Run::Lloyd(_) => "Lloyd step",
                Run::MiniBatch(_) => "mini-batch step",
            },
            "inertia",
        )?;
        let pts: Vec<(f64, f64)> = self
            .inertias
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as f64, v))
            .collect();
        chart.draw_series(LineSeries::new(pts, viz::RED.stroke_width(2)))?;
        Ok(())
    }
}

impl Demo for ColourQuantisationDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        let (progress, model) = match &mut self.run {
            Run::Lloyd(r) => (r.step(), r.model()),
            Run::MiniBatch(r) => (r.step(), r.model()),
        };
        self.progress = progress.unwrap_or(Progress::Diverged);
        self.inertias.push(model.inertia);
        self.model = model;
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        viz::draw_image(
            &panels[0],
            "Original (17,120 pixels)",
            self.image.width,
            self.image.height,
            &self.image.rgb,
        )?;
        self.draw_quantised(&panels[1])?;
        self.draw_inertia(&panels[2])?;
        Ok(())
    }

    fn metrics(&self) -> Vec<Metric> {
        let pixels = self.pixels.nrows() as f64;
        vec![
            Metric::new("steps", "Steps", self.steps() as f64),
            Metric::new("inertia", "Inertia", self.model.inertia),
            Metric::new(
                "rms_error",
                "Colour error per pixel (RMS, 0-255)",
                (self.model.inertia / pixels / 3.0).sqrt() * 255.0,
            ),
            Metric::new(
                "colours_before",
                "Distinct colours in the original",
                self.distinct_colours as f64,
            ),
            Metric::text(
                "converged",
                "Converged",
                if self.progress == Progress::Running {
                    "no"
                } else {
                    "yes"
                },
            ),
        ]
    }

    fn status(&self) -> Option<String> {
        (self.progress == Progress::Done).then(|| {
            format!(
                "Converged after {} steps: each pixel now takes one of {} colours.",
                self.steps(),
                self.model.cluster_centers.nrows()
            )
        })
    }
}
