//! Chapter 10: Rosenblatt's perceptron learning rule on linearly separable 2-D points. Each tick
//! finds the next misclassified point (in a shuffled order) and makes one update
//! `w += eta (y - y_hat) x`; the line `w . x + b = 0` is drawn as it moves, beside the number of
//! misclassified points after each update.

use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::error::Result;
use crate::estimator::Progress;
use crate::rng::Rng;
use crate::viz::{self, raster_field};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Half the side of the square the points live in.
const EXTENT: f64 = 3.0;
/// A run that has not converged after this many updates stops (it cannot happen on separable
/// data with a margin, but keeps the loop bounded).
const MAX_UPDATES: usize = 10_000;

pub struct PerceptronDemo {
    xy: Vec<[f64; 2]>,
    /// 0 or 1.
    label: Vec<f64>,
    learning_rate: f64,
    w: [f64; 2],
    b: f64,
    order: Vec<usize>,
    /// Position in `order` where the search for the next mistake resumes.
    cursor: usize,
    updates: usize,
    /// The point of the latest update, highlighted in the plot.
    last: Option<usize>,
    /// Misclassified points before the first update and after each.
    mistakes: Vec<usize>,
    progress: Progress,
}

impl PerceptronDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "perceptron",
        title: "The perceptron learning rule",
        chapter: "10-artificial-neural-networks",
        upload: None,
        params: &[
            ParamSpec {
                key: "samples",
                label: "Points",
                help: "Points on either side of a random line.",
                kind: ParamKind::Int {
                    min: 10,
                    max: 400,
                    default: 60,
                },
            },
            ParamSpec {
                key: "margin",
                label: "Margin",
                help: "No point lies closer than this to the hidden separating line; a small margin means more updates.",
                kind: ParamKind::Float {
                    min: 0.01,
                    max: 1.0,
                    default: 0.3,
                    log: true,
                },
            },
            ParamSpec {
                key: "learning_rate",
                label: "Learning rate",
                help: "The size of each correction. Starting from zero weights it only rescales the line, so the run is the same for every rate.",
                kind: ParamKind::Float {
                    min: 0.01,
                    max: 10.0,
                    default: 1.0,
                    log: true,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let n = params.usize("samples");
        let margin = params.f64("margin");
        // A hidden line through a point near the centre, at a random angle.
        let angle = rng.uniform_range(0.0, std::f64::consts::PI);
        let normal = [angle.cos(), angle.sin()];
        let offset = rng.uniform_range(-0.5, 0.5);
        let (mut xy, mut label) = (Vec::with_capacity(n), Vec::with_capacity(n));
        while xy.len() < n {
            let p = [
                rng.uniform_range(-EXTENT, EXTENT),
                rng.uniform_range(-EXTENT, EXTENT),
            ];
            let d = normal[0] * p[0] + normal[1] * p[1] - offset;
            if d.abs() >= margin {
                xy.push(p);
                label.push(f64::from(d > 0.0));
            }
        }
        let order = rng.permutation(n);
        let mut demo = PerceptronDemo {
            xy,
            label,
            learning_rate: params.f64("learning_rate"),
            w: [0.0, 0.0],
            b: 0.0,
            order,
            cursor: 0,
            updates: 0,
            last: None,
            mistakes: Vec::new(),
            progress: Progress::Running,
        };
        demo.mistakes.push(demo.count_mistakes());
        Ok(demo)
    }

    /// The perceptron's answer: class 1 when `w . x + b >= 0`.
    fn predict(&self, p: [f64; 2]) -> f64 {
        f64::from(self.w[0] * p[0] + self.w[1] * p[1] + self.b >= 0.0)
    }

    fn count_mistakes(&self) -> usize {
        self.xy
            .iter()
            .zip(&self.label)
            .filter(|(p, &y)| self.predict(**p) != y)
            .count()
    }

    fn draw_points<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let title = format!(
            "w = ({:.2}, {:.2}), b = {:.2}",
            self.w[0], self.w[1], self.b
        );
        let range = -EXTENT..EXTENT;
        let mut chart = viz::chart(area, &title, range.clone(), range, "x1", "x2")?;
        let (w, b) = (self.w, self.b);
        let untrained = w == [0.0, 0.0] && b == 0.0;
        raster_field(&mut chart, 2, |x, y| {
            if untrained {
                return WHITE;
            }
            if w[0] * x + w[1] * y + b >= 0.0 {
                RGBColor(214, 234, 245)
            } else {
                RGBColor(251, 236, 204)
            }
        })?;
        // The line w . x + b = 0, clipped to the plot.
        if !untrained {
            let line: Vec<(f64, f64)> = if w[1].abs() > w[0].abs() {
                [-EXTENT, EXTENT]
                    .iter()
                    .map(|&x| (x, -(w[0] * x + b) / w[1]))
                    .collect()
            } else {
                [-EXTENT, EXTENT]
                    .iter()
                    .map(|&y| (-(w[1] * y + b) / w[0], y))
                    .collect()
            };
            chart.draw_series(LineSeries::new(line, viz::INK.stroke_width(2)))?;
        }
        chart.draw_series(self.xy.iter().zip(&self.label).map(|(p, &y)| {
            let colour = if y > 0.5 { viz::BLUE } else { viz::ORANGE };
            let wrong = self.predict(*p) != y;
            EmptyElement::at((p[0], p[1]))
                + Circle::new((0, 0), 4, colour.filled())
                + Circle::new(
                    (0, 0),
                    4,
                    if wrong { viz::RED } else { WHITE }.stroke_width(if wrong { 2 } else { 1 }),
                )
        }))?;
        if let Some(i) = self.last {
            let p = self.xy[i];
            chart.draw_series(std::iter::once(Circle::new(
                (p[0], p[1]),
                9,
                viz::INK.stroke_width(2),
            )))?;
        }
        Ok(())
    }

    fn draw_mistakes<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let top = self.mistakes.iter().copied().max().unwrap_or(1).max(1) as f64;
        let mut chart = viz::chart(
            area,
            "Misclassified points after each update",
            0.0..(self.updates.max(10) as f64),
            0.0..top * 1.1,
            "update",
            "misclassified",
        )?;
        chart.draw_series(LineSeries::new(
            self.mistakes
                .iter()
                .enumerate()
                .map(|(i, &m)| (i as f64, m as f64)),
            viz::RED.stroke_width(2),
        ))?;
        Ok(())
    }
}

impl Demo for PerceptronDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One update on the next misclassified point, or `Done` after a pass with no mistake.
    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        let n = self.order.len();
        let found = (0..n)
            .map(|k| self.order[(self.cursor + k) % n])
            .find(|&i| self.predict(self.xy[i]) != self.label[i]);
        let Some(i) = found else {
            self.progress = Progress::Done;
            return self.progress;
        };
        let p = self.xy[i];
        let error = self.label[i] - self.predict(p);
        self.w[0] += self.learning_rate * error * p[0];
        self.w[1] += self.learning_rate * error * p[1];
        self.b += self.learning_rate * error;
        self.cursor = (self.order.iter().position(|&j| j == i).unwrap_or(0) + 1) % n;
        self.updates += 1;
        self.last = Some(i);
        self.mistakes.push(self.count_mistakes());
        if self.updates >= MAX_UPDATES {
            self.progress = Progress::Done;
        }
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        // One update per frame: the line visibly jumps with each correction.
        1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 2);
        self.draw_points(&panels[0])?;
        self.draw_mistakes(&panels[1])?;
        Ok(())
    }

    fn metrics(&self) -> Vec<Metric> {
        let wrong = self.mistakes.last().copied().unwrap_or(0);
        vec![
            Metric::new("updates", "Updates", self.updates as f64),
            Metric::new("mistakes", "Misclassified points", wrong as f64),
            Metric::new(
                "accuracy",
                "Accuracy",
                1.0 - wrong as f64 / self.xy.len() as f64,
            ),
            Metric::new("w1", "Weight w1", self.w[0]),
            Metric::new("w2", "Weight w2", self.w[1]),
            Metric::new("b", "Bias b", self.b),
        ]
    }

    fn status(&self) -> Option<String> {
        match self.progress {
            Progress::Done if self.mistakes.last() == Some(&0) => Some(format!(
                "Converged after {} updates: every point is on its side of the line.",
                self.updates
            )),
            Progress::Done => Some(format!("Stopped after {MAX_UPDATES} updates.")),
            _ => None,
        }
    }

    fn height_for_width(&self, width: u32) -> u32 {
        if width >= 720 {
            (width as f64 * 0.45) as u32
        } else {
            (width as f64 * 1.6).min(1000.0) as u32
        }
    }
}
