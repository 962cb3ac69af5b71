//! The race's panels: paths on the surface's contours, loss and learning-rate curves, standings.

use super::{OptimizerRaceDemo, Racer, Surface, Task};
use crate::error::Result;
use crate::nn::{LrSchedule, Schedule};
use crate::viz::{self, colormap, raster_field_cached};
use plotters::coord::Shift;
use plotters::prelude::*;

impl OptimizerRaceDemo {
    pub(super) fn draw_surface<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        s: Surface,
    ) -> Result<()> {
        let ((x0, x1), (y0, y1)) = s.window();
        let mut chart = viz::chart(area, "Paths on the loss surface", x0..x1, y0..y1, "x", "y")?;
        let corners = [(x0, y0), (x0, y1), (x1, y0), (x1, y1)];
        let top = corners
            .iter()
            .map(|&(a, b)| s.value(a, b))
            .fold(0.0, f64::max)
            .max(1e-6);
        let (lmin, lmax) = ((1e-3f64).ln(), top.ln());
        raster_field_cached(&mut chart, 1, &self.contour, |x, y| {
            let t = (s.value(x, y).max(1e-3).ln() - lmin) / (lmax - lmin).max(1e-9);
            colormap((t * 14.0).floor() / 14.0)
        })?;
        let clamp = |p: &[f64; 2]| {
            (
                p[0].clamp(x0 - (x1 - x0), x1 + (x1 - x0)),
                p[1].clamp(y0 - (y1 - y0), y1 + (y1 - y0)),
            )
        };
        for r in &self.racers {
            let pts: Vec<(f64, f64)> = r
                .path
                .iter()
                .filter(|p| p.iter().all(|v| v.is_finite()))
                .map(clamp)
                .collect();
            let c = r.colour;
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(2)))?
                .label(r.name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(3))
                });
            if let Some(&last) = pts.last() {
                chart.draw_series(std::iter::once(Circle::new(last, 4, c.filled())))?;
            }
        }
        chart.draw_series(
            s.minima()
                .into_iter()
                .map(|m| Cross::new(m, 6, viz::INK.stroke_width(2))),
        )?;
        let st = self.racers.first().map_or([0.0, 0.0], |r| r.path[0]);
        chart.draw_series(std::iter::once(Circle::new(
            (st[0], st[1]),
            5,
            viz::INK.stroke_width(2),
        )))?;
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }

    /// Loss after each step, one curve per racer (on a log axis for the surfaces).
    pub(super) fn draw_losses<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
        let positive = |v: f64| (v.is_finite() && v > 0.0).then_some(v);
        let (lo, hi) = viz::extent(
            self.racers
                .iter()
                .flat_map(|r| r.losses.iter().copied().filter_map(positive)),
        );
        let lo = lo.max(1e-12);
        let hi = hi.max(lo * 10.0);
        let x_range = 0.0..(self.steps.max(self.total) as f64);
        let curves = |r: &Racer| -> Vec<(f64, f64)> {
            r.losses
                .iter()
                .enumerate()
                .filter_map(|(i, &l)| Some((i as f64, positive(l)?)))
                .collect()
        };
        if let Task::Network { .. } = self.task {
            // Cross-entropies stay within a decade or two: a linear axis from 0 reads better.
            let mut chart = viz::chart(
                area,
                "Network: training loss on all points",
                x_range,
                0.0..hi.min(5.0) * 1.05,
                "step",
                "cross-entropy",
            )?;
            for r in &self.racers {
                let c = r.colour;
                chart
                    .draw_series(LineSeries::new(curves(r), c.stroke_width(2)))?
                    .label(r.name)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(3))
                    });
            }
            return viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight);
        }
        let mut chart = viz::chart_log_y(
            area,
            "Loss above the minimum",
            x_range,
            lo / 2.0..hi * 2.0,
            "step",
            "loss",
        )?;
        for r in &self.racers {
            chart.draw_series(LineSeries::new(curves(r), r.colour.stroke_width(2)))?;
        }
        Ok(())
    }

    /// The rate each racer used at each step; dashed: the schedule planned over the race.
    pub(super) fn draw_rates<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
        let top = self
            .racers
            .iter()
            .flat_map(|r| r.rates.iter().copied())
            .chain([self.lr as f64])
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let mut chart = viz::chart(
            area,
            &format!("Learning rate ({})", self.schedule_name),
            0.0..(self.steps.max(self.total) as f64),
            0.0..top * 1.15,
            "step",
            "rate",
        )?;
        if let Some(r) = self.racers.first() {
            if !matches!(r.schedule.schedule, Schedule::Performance { .. }) {
                let plan = LrSchedule::new(r.schedule.schedule.clone(), self.lr)?;
                chart.draw_series(DashedLineSeries::new(
                    (0..self.total).map(|s| (s as f64, plan.rate(s) as f64)),
                    5,
                    4,
                    viz::GREY.stroke_width(1),
                ))?;
            }
        }
        for r in &self.racers {
            chart.draw_series(LineSeries::new(
                r.rates.iter().enumerate().map(|(i, &v)| (i as f64, v)),
                r.colour.stroke_width(2),
            ))?;
        }
        Ok(())
    }

    /// The standings: racers sorted by their current loss.
    pub(super) fn draw_standings<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
        let fs = viz::font_size(area);
        let ink = ("sans-serif", fs).into_font().color(&viz::INK);
        area.draw_text(
            &format!("Standings after {} steps", self.steps),
            &("sans-serif", fs + 2).into_font().color(&viz::INK),
            (fs as i32, fs as i32),
        )?;
        let mut order: Vec<&Racer> = self.racers.iter().collect();
        order.sort_by(|a, b| {
            let key = |r: &Racer| r.losses.last().copied().filter(|v| v.is_finite());
            key(a)
                .unwrap_or(f64::INFINITY)
                .total_cmp(&key(b).unwrap_or(f64::INFINITY))
        });
        for (k, r) in order.iter().enumerate() {
            let y = fs as i32 * (3 + k as i32) + 6 * k as i32;
            area.draw(&Rectangle::new(
                [(fs as i32, y), (fs as i32 * 2, y + fs as i32)],
                r.colour.filled(),
            ))?;
            let loss = r.losses.last().copied().unwrap_or(f64::NAN);
            let text = if r.diverged {
                format!("{}. {}: diverged", k + 1, r.name)
            } else {
                format!("{}. {}: loss {}", k + 1, r.name, sci(loss))
            };
            area.draw_text(&text, &ink, (fs as i32 * 2 + 8, y))?;
        }
        Ok(())
    }
}

/// A loss for the standings: plain, or in scientific notation when very small or large.
fn sci(v: f64) -> String {
    if !v.is_finite() {
        "—".into()
    } else if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e4) {
        format!("{v:.2e}")
    } else {
        format!("{v:.4}")
    }
}
