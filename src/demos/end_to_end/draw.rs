//! The end-to-end demo's three panels: the folds' errors, the test set's predictions with the
//! worst misses named, and the test error by group.

use super::EndToEndDemo;
use crate::demos::decision_tree::CLASS_COLOURS;
use crate::error::Result;
use crate::viz;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

impl EndToEndDemo {
    pub(super) fn draw_folds<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
        let k = self.folds.len();
        let top = self
            .scores
            .iter()
            .map(|s| s.0.max(s.1))
            .fold(4.0_f64, f64::max)
            // Room above the bars for the legend's three lines.
            * 1.6;
        let mut chart = viz::chart(
            area,
            &format!("{k}-fold cross-validation"),
            0.4..k as f64 + 0.6,
            0.0..top,
            "fold",
            &format!("RMSE ({})", self.table.target),
        )?;
        for (colour, label, offset, pick) in [
            (viz::BLUE, "training", -0.2, 0),
            (viz::ORANGE, "validation", 0.2, 1),
        ] {
            let value = |s: &(f64, f64)| if pick == 0 { s.0 } else { s.1 };
            chart
                .draw_series(self.scores.iter().enumerate().map(|(i, s)| {
                    let x = i as f64 + 1.0 + offset;
                    Rectangle::new([(x - 0.18, 0.0), (x + 0.18, value(s))], colour.filled())
                }))?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled())
                });
        }
        let (mean, _) = self.cv_mean();
        if mean.is_finite() {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.4, mean), (k as f64 + 0.6, mean)],
                    viz::RED.stroke_width(2),
                )))?
                .label(format!("mean validation {mean:.2}"))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(2))
                });
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }

    pub(super) fn draw_test<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
        let Some(pred) = &self.test_pred else {
            return viz::centered_text(
                area,
                &format!(
                    "The test set waits until cross-validation is done ({} of {} folds)",
                    self.scores.len(),
                    self.folds.len()
                ),
            );
        };
        let (lo, hi) = viz::extent(self.table.test.y.iter().chain(pred.iter()).copied());
        let range = viz::padded(lo, hi, 0.05);
        let mut chart = viz::chart(
            area,
            "Test set: predicted vs actual",
            range.clone(),
            range.clone(),
            &format!("actual {}", self.table.target),
            &format!("predicted {}", self.table.target),
        )?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(range.start, range.start), (range.end, range.end)],
            viz::GREY.stroke_width(1),
        )))?;
        for (o, name) in self.group_names.iter().enumerate() {
            let colour = CLASS_COLOURS[o % CLASS_COLOURS.len()];
            chart
                .draw_series(
                    (0..pred.len())
                        .filter(|&r| self.test_groups[r] == o)
                        .map(|r| Circle::new((self.table.test.y[r], pred[r]), 3, colour.filled())),
                )?
                .label(name)
                .legend(move |(x, y)| Circle::new((x + 6, y), 4, colour.filled()));
        }
        let fs = viz::font_size(area);
        let middle = (range.start + range.end) / 2.0;
        // Pixel boxes of the names placed so far: a name goes above its point, else below it,
        // else (both would cover another name) it is left out.
        let mut placed: Vec<[i32; 4]> = Vec::new();
        for (r, _) in self.worst().into_iter().take(3) {
            let text = format!(" {} ", self.table.test_names[r]);
            let at = (self.table.test.y[r], pred[r]);
            let (px, py) = chart.backend_coord(&at);
            let (width, height) = (
                (text.chars().count() as f64 * 0.55 * (fs - 2) as f64) as i32,
                fs as i32,
            );
            // Names of rows on the right half end at the point, so they stay inside the chart.
            let right = self.table.test.y[r] > middle;
            let (h, x0) = if right {
                (HPos::Right, px - width)
            } else {
                (HPos::Left, px)
            };
            let free = |b: &[i32; 4]| {
                placed
                    .iter()
                    .all(|p| b[2] <= p[0] || p[2] <= b[0] || b[3] <= p[1] || p[3] <= b[1])
            };
            let above = [x0, py - height, x0 + width, py];
            let below = [x0, py, x0 + width, py + height];
            let Some((v, b)) = [(VPos::Bottom, above), (VPos::Top, below)]
                .into_iter()
                .find(|(_, b)| free(b))
            else {
                continue;
            };
            placed.push(b);
            chart.draw_series(std::iter::once(Text::new(
                text,
                at,
                ("sans-serif", fs - 2)
                    .into_font()
                    .color(&viz::INK)
                    .pos(Pos::new(h, v)),
            )))?;
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::LowerRight)
    }

    /// Mean absolute test error and count per group.
    pub(super) fn by_group(&self) -> Vec<(f64, usize)> {
        let mut out = vec![(0.0, 0usize); self.group_names.len()];
        for (r, e) in self.worst() {
            let o = self.test_groups[r];
            out[o].0 += e.abs();
            out[o].1 += 1;
        }
        out.iter()
            .map(|&(s, n)| (if n > 0 { s / n as f64 } else { f64::NAN }, n))
            .collect()
    }

    pub(super) fn draw_groups<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
        if self.test_pred.is_none() {
            return viz::centered_text(
                area,
                &format!("Errors by {} appear after the final fit", self.group_by),
            );
        }
        // (group, mean |error|, rows) of the groups the test set has rows of.
        let groups: Vec<(usize, f64, usize)> = self
            .by_group()
            .into_iter()
            .enumerate()
            .filter(|(_, g)| g.0.is_finite())
            .map(|(o, (mean, n))| (o, mean, n))
            .collect();
        let top = groups.iter().map(|g| g.1).fold(1.0, f64::max) * 1.3;
        let mut chart = viz::named_bar_chart(
            area,
            &format!("Test error by {}", self.group_by),
            &self.group_names,
            0.0..top,
            &self.group_by,
            &format!("mean |error| ({})", self.table.target),
        )?;
        chart.draw_series(groups.iter().map(|&(o, mean, _)| {
            let x = o as f64 + 1.0;
            let colour = CLASS_COLOURS[o % CLASS_COLOURS.len()];
            Rectangle::new([(x - 0.3, 0.0), (x + 0.3, mean)], colour.filled())
        }))?;
        let fs = viz::font_size(area);
        // Mean error and count above each bar (the name is under the axis), on two short lines so
        // that five groups fit.
        for (line, offset) in [(1, 0.11), (2, 0.04)] {
            chart.draw_series(groups.iter().map(|&(o, mean, n)| {
                let text = match line {
                    1 => format!("{mean:.2}"),
                    _ if n == 1 => format!("1 {}", self.table.rows_word().trim_end_matches('s')),
                    _ => format!("{n} {}", self.table.rows_word()),
                };
                Text::new(
                    text,
                    (o as f64 + 1.0, mean + top * offset),
                    ("sans-serif", fs - 2)
                        .into_font()
                        .color(&viz::INK)
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                )
            }))?;
        }
        Ok(())
    }
}
