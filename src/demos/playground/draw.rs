//! The playground's drawing: the output over the plane with the points, the hidden neurons'
//! heat-maps, the loss curves and the confusion matrix.

use super::data::{EXTENT, FEATURES};
use super::{PlaygroundDemo, GRID};
use crate::demos::decision_tree::tint;
use crate::error::Result;
use crate::viz::{self, raster_field, Raster};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Class colours: orange and blue for classes 0 and 1 (TensorFlow Playground's), then the site's
/// palette with its vermilion late (it is hard to tell from the orange); seven, the most classes
/// an uploaded file may have.
const CLASS_COLOURS: [RGBColor; 7] = [
    viz::ORANGE,
    viz::BLUE,
    viz::GREEN,
    viz::PURPLE,
    RGBColor(86, 180, 233),
    viz::RED,
    RGBColor(140, 86, 75),
];
/// How the confusion matrix names the generated sets' classes.
const COLOUR_NAMES: [&str; 7] = ["orange", "blue", "green", "purple", "sky", "red", "brown"];

fn class_colour(c: usize) -> RGBColor {
    CLASS_COLOURS[c.min(CLASS_COLOURS.len() - 1)]
}

impl PlaygroundDemo {
    /// The four panels for classes (2 x 2 when wide, stacked when narrow); three side by side
    /// (or stacked) for regression, which has no confusion matrix.
    pub(super) fn draw_panels<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
        area.fill(&WHITE)?;
        if self.classes.is_none() {
            let panels = viz::panels(area, 3);
            self.draw_field(&panels[0])?;
            self.draw_neurons(&panels[1])?;
            return self.draw_loss(&panels[2]);
        }
        let panels = viz::four_panels(area);
        self.draw_field(&panels[0])?;
        self.draw_neurons(&panels[1])?;
        self.draw_loss(&panels[2])?;
        self.draw_confusion(&panels[3])
    }

    /// The canvas height: three panels as every demo lays them out, or four (2 x 2 when wide).
    pub(super) fn panels_height(&self, width: u32) -> u32 {
        match (self.classes.is_some(), width >= 720) {
            (false, _) => viz::three_panel_height(width),
            (true, true) => (width as f64 * 0.62) as u32,
            (true, false) => (width as f64 * 2.5).min(1500.0) as u32,
        }
    }

    fn draw_field<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let title = format!("Output after {} epochs", self.trainer.history().len());
        let range = -EXTENT..EXTENT;
        let mut chart = viz::chart(
            area,
            &title,
            range.clone(),
            range,
            &self.axes[0],
            &self.axes[1],
        )?;
        self.with_snapshot(|s| {
            if s.probs.is_empty() {
                raster_field(&mut chart, 2, |x, y| diverging(bilinear(&s.output, x, y)))
            } else {
                raster_field(&mut chart, 2, |x, y| most_likely(&s.probs, x, y))
            }
        })?;
        let colour = |t: f64| match self.classes {
            Some(_) => class_colour(t as usize),
            None => strong(t),
        };
        chart.draw_series(self.train_xy.iter().zip(&self.train_target).map(|(p, &t)| {
            EmptyElement::at((p[0], p[1]))
                + Circle::new((0, 0), 3, colour(t).filled())
                + Circle::new((0, 0), 3, WHITE.stroke_width(1))
        }))?;
        chart.draw_series(
            self.test_xy
                .iter()
                .zip(&self.test_target)
                .map(|(p, &t)| Circle::new((p[0], p[1]), 3, colour(t).stroke_width(2))),
        )?;
        // An uploaded file's classes are named in a legend.
        let Some(names) = &self.upload_classes else {
            return Ok(());
        };
        for (c, name) in names.iter().enumerate() {
            let colour = class_colour(c);
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(name)
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, colour.filled()));
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperLeft)
    }

    /// One row of small heat-maps per hidden layer, one per neuron (the first eight).
    fn draw_neurons<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let fs = viz::font_size(area);
        let style = ("sans-serif", fs).into_font().color(&viz::INK);
        let (w, h) = area.dim_in_pixel();
        let names: Vec<&str> = self.features.iter().map(|&f| FEATURES[f].1).collect();
        area.draw_text(
            "Hidden neurons, one row per layer",
            &("sans-serif", fs + 2).into_font().color(&viz::INK),
            (8, 6),
        )?;
        // On a file, x1 and x2 are its two columns, rescaled: say which is which.
        let columns = if self.axes[0] == "x1" {
            String::new()
        } else {
            let column = |j: usize| self.axes[j].trim_end_matches(" (rescaled)").to_string();
            format!(" (x1 = {}, x2 = {}, rescaled)", column(0), column(1))
        };
        area.draw_text(
            &format!("inputs: {}{columns}", names.join(", ")),
            &style,
            (8, fs as i32 + 12),
        )?;
        self.with_snapshot(|s| -> Result<()> {
            if s.neurons.is_empty() {
                area.draw_text(
                    "No hidden layer: the output is a weighted sum of the inputs.",
                    &style,
                    (8, (h / 2) as i32),
                )?;
                return Ok(());
            }
            let rows = s.neurons.len() as u32;
            let cols = s.neurons.iter().map(Vec::len).max().unwrap_or(1) as u32;
            let (top, left) = (fs * 3 + 16, fs * 3);
            let cell = ((w.saturating_sub(left + 8)) / cols)
                .min(h.saturating_sub(top + 4) / rows)
                .max(4);
            let side = cell.saturating_sub(4).max(2);
            for (l, layer) in s.neurons.iter().enumerate() {
                let y0 = (top + l as u32 * cell) as i32;
                area.draw_text(
                    &format!("L{}", l + 1),
                    &style,
                    (4, y0 + side as i32 / 2 - fs as i32 / 2),
                )?;
                for (u, values) in layer.iter().enumerate() {
                    let x0 = (left + u as u32 * cell) as i32;
                    area.draw(&heat_map(values, (x0, y0), side))?;
                    area.draw(&Rectangle::new(
                        [(x0 - 1, y0 - 1), (x0 + side as i32, y0 + side as i32)],
                        viz::GREY.stroke_width(1),
                    ))?;
                }
            }
            Ok(())
        })
    }

    fn draw_loss<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (train, test) = self.losses();
        let history = self.trainer.history();
        let finite = |v: f32| (v as f64).is_finite().then_some(v as f64);
        let points: Vec<(f64, f64, Option<f64>)> = history
            .iter()
            .filter_map(|e| {
                Some((
                    e.epoch as f64,
                    finite(e.train_loss)?,
                    e.val_loss.and_then(finite),
                ))
            })
            .collect();
        let (_, top) = viz::extent(
            points
                .iter()
                .flat_map(|p| [Some(p.1), p.2])
                .flatten()
                .chain([0.1]),
        );
        let epochs = (history.len() as f64).max(10.0);
        let mut chart = viz::chart(
            area,
            &format!("Loss: train {}, test {}", short(train), short(test)),
            0.0..epochs,
            0.0..top * 1.1,
            "epoch",
            if self.classes.is_some() {
                "cross-entropy"
            } else {
                "squared error"
            },
        )?;
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.0, p.1)),
                viz::INK.stroke_width(2),
            ))?
            .label("train")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::INK.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(
                points.iter().filter_map(|p| Some((p.0, p.2?))),
                viz::RED.stroke_width(2),
            ))?
            .label("test")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(2)));
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }

    /// The test points' confusion matrix: counts, each row shaded by its share of the true class.
    fn draw_confusion<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let Some(k) = self.classes else {
            return Ok(());
        };
        let labels: Vec<String> = match &self.upload_classes {
            Some(names) => names.clone(),
            None => (0..k).map(|c| COLOUR_NAMES[c].to_string()).collect(),
        };
        self.with_snapshot(|s| {
            let right: usize = (0..k).map(|c| s.confusion[c][c]).sum();
            let total = self.test_xy.len().max(1);
            let caption = format!(
                "Test points: {right} of {total} right ({:.0}%)",
                100.0 * right as f64 / total as f64
            );
            viz::class_matrix(area, &caption, &labels, |t, p| {
                let row: usize = s.confusion[t].iter().sum();
                let count = s.confusion[t][p];
                (count as f64 / row.max(1) as f64, Some(count.to_string()))
            })
        })
    }
}

/// Grid values interpolated at (x, y), so the low-resolution field draws without blocks.
fn bilinear(values: &[f64], x: f64, y: f64) -> f64 {
    let at = |v: f64| {
        let f = ((v + EXTENT) / (2.0 * EXTENT) * GRID as f64 - 0.5).clamp(0.0, (GRID - 1) as f64);
        let k = (f as usize).min(GRID - 2);
        (k, f - k as f64)
    };
    let ((j, tx), (i, ty)) = (at(x), at(y));
    let v = |ii: usize, jj: usize| values[ii * GRID + jj];
    (1.0 - ty) * ((1.0 - tx) * v(i, j) + tx * v(i, j + 1))
        + ty * ((1.0 - tx) * v(i + 1, j) + tx * v(i + 1, j + 1))
}

/// Orange for -1, white for 0, blue for +1 (pale, as a background).
fn diverging(v: f64) -> RGBColor {
    mix(v, 0.55)
}

/// The full-strength version, for points.
fn strong(v: f64) -> RGBColor {
    mix(v.signum() * v.abs().sqrt(), 1.0)
}

fn mix(v: f64, strength: f64) -> RGBColor {
    let v = if v.is_finite() {
        v.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    tint(
        if v >= 0.0 { viz::BLUE } else { viz::ORANGE },
        v.abs() * strength,
    )
}

/// A `side`-pixel square heat-map of one neuron's grid values, nearest-neighbour scaled.
fn heat_map(values: &[f64], pos: (i32, i32), side: u32) -> Raster {
    let mut rgb = Vec::with_capacity((side * side * 3) as usize);
    for py in 0..side {
        // Row 0 of the bitmap is the top, i.e. the largest x2.
        let i = GRID - 1 - (py as usize * GRID / side as usize).min(GRID - 1);
        for px in 0..side {
            let j = (px as usize * GRID / side as usize).min(GRID - 1);
            let c = mix(values[i * GRID + j], 0.9);
            rgb.extend_from_slice(&[c.0, c.1, c.2]);
        }
    }
    Raster {
        pos,
        size: (side, side),
        rgb,
    }
}

/// A loss for a title: three significant digits, or a dash before the first epoch.
fn short(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.3}")
    } else {
        "—".into()
    }
}

/// The most likely class at (x, y), paler the closer its probability is to an even split.
fn most_likely(probs: &[Vec<f64>], x: f64, y: f64) -> RGBColor {
    let p: Vec<f64> = probs.iter().map(|cell| bilinear(cell, x, y)).collect();
    let best = crate::metrics::argmax(&p);
    let even = 1.0 / p.len().max(2) as f64;
    let sure = ((p[best] - even) / (1.0 - even)).clamp(0.0, 1.0);
    tint(class_colour(best), 0.55 * sure)
}
