//! The deep-signals panels: per-layer activation and gradient histograms as heat-maps, their
//! spread per layer, and the loss curve.

use super::{quantile, DeepSignalsDemo, LayerSignals, BINS};
use crate::demos::playground::data as playground_data;
use crate::error::Result;
use crate::nn::Activation;
use crate::viz::{self, colormap, raster_field};
use plotters::coord::Shift;
use plotters::prelude::*;

impl DeepSignalsDemo {
    pub(super) fn draw_activations<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
        let all = self.signals.iter().flat_map(|s| s.activations.iter());
        let (lo, hi) = match self.activation {
            Activation::Sigmoid => (0.0, 1.0),
            Activation::Tanh => (-1.0, 1.0),
            _ => {
                let mut mags: Vec<f64> = all.map(|&a| (a as f64).abs()).collect();
                let m = quantile(&mut mags, 0.99).max(1e-3);
                (-m, m)
            }
        };
        let rows: Vec<Vec<f64>> = self
            .signals
            .iter()
            .map(|s| histogram(s.activations.iter().map(|&a| a as f64), lo, hi))
            .collect();
        heat_map(
            area,
            "Activations (rows: layers)",
            "activation value",
            (lo, hi),
            &rows,
        )
    }

    pub(super) fn draw_gradients<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
        let logs = |s: &LayerSignals| -> Vec<f64> {
            s.kernel_grads
                .iter()
                .filter(|g| **g != 0.0 && g.is_finite())
                .map(|&g| (g.abs() as f64).log10())
                .collect()
        };
        let per_layer: Vec<Vec<f64>> = self.signals.iter().map(logs).collect();
        let (lo, hi) = viz::extent(per_layer.iter().flatten().copied());
        let (lo, hi) = (lo.floor().max(-16.0), hi.ceil().min(6.0));
        let (lo, hi) = if hi - lo < 4.0 {
            (hi - 4.0, hi)
        } else {
            (lo, hi)
        };
        let rows: Vec<Vec<f64>> = per_layer
            .iter()
            .map(|v| histogram(v.iter().copied(), lo, hi))
            .collect();
        heat_map(
            area,
            "Weight gradients (rows: layers)",
            "log10 |dL/dW|",
            (lo, hi),
            &rows,
        )
    }

    /// Per layer: activation std and gradient norm, now (solid) and at the first step (dashed).
    pub(super) fn draw_scales<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
        if self.signals.is_empty() {
            return viz::centered_text(area, "Press play: the first step fills these panels");
        }
        let now: Vec<(f64, f64)> = self
            .signals
            .iter()
            .map(|s| (s.activation_std(), s.grad_norm()))
            .collect();
        let positive = |v: f64| (v > 0.0 && v.is_finite()).then_some(v);
        let values = now
            .iter()
            .chain(&self.initial)
            .flat_map(|&(a, g)| [a, g])
            .filter_map(positive);
        let (lo, hi) = viz::extent(values);
        let (lo, hi) = (lo.max(1e-30) / 3.0, hi.max(lo * 10.0) * 3.0);
        let depth = self.signals.len() as f64;
        let mut chart = viz::chart_log_y(
            area,
            "Per-layer scale (dashed: step 1)",
            0.5..depth + 0.5,
            lo..hi,
            "hidden layer",
            "std of activations / |dL/dW|",
        )?;
        let series = |pick: fn(&(f64, f64)) -> f64, data: &[(f64, f64)]| -> Vec<(f64, f64)> {
            data.iter()
                .enumerate()
                .filter_map(|(i, p)| Some((i as f64 + 1.0, positive(pick(p))?)))
                .collect()
        };
        for (pick, colour, name) in [
            (
                (|p: &(f64, f64)| p.0) as fn(&(f64, f64)) -> f64,
                viz::BLUE,
                "activation std",
            ),
            (|p: &(f64, f64)| p.1, viz::RED, "gradient norm"),
        ] {
            chart
                .draw_series(LineSeries::new(series(pick, &now), colour.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
            chart.draw_series(
                series(pick, &now)
                    .into_iter()
                    .map(|p| Circle::new(p, 3, colour.filled())),
            )?;
            chart.draw_series(DashedLineSeries::new(
                series(pick, &self.initial),
                5,
                4,
                colour.mix(0.6).stroke_width(1),
            ))?;
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::LowerLeft)
    }

    pub(super) fn draw_loss<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
        // A running mean over WINDOW mini-batches, so the curve is readable.
        let smooth: Vec<(f64, f64)> = (1..=self.losses.len())
            .map(|i| (i as f64, Self::recent(&self.losses[..i])))
            .collect();
        let (_, top) = viz::extent(smooth.iter().map(|p| p.1).chain([0.8]));
        let steps = (self.steps as f64).max(50.0);
        let mut chart = viz::chart(
            area,
            &format!(
                "Training loss {}, accuracy {}",
                short(Self::recent(&self.losses)),
                short(Self::recent(&self.hits))
            ),
            0.0..steps,
            0.0..top.min(5.0) * 1.1,
            "mini-batch",
            "cross-entropy (mean of 16)",
        )?;
        chart.draw_series(LineSeries::new(smooth, viz::INK.stroke_width(2)))?;
        // The small training set, as a reminder of the task, in the top-right corner.
        let (w, h) = area.dim_in_pixel();
        let side = (w.min(h) / 4).max(30) as i32;
        let (x0, y0) = (w as i32 - side - 24, viz::font_size(area) as i32 * 3);
        area.draw(&Rectangle::new(
            [(x0 - 2, y0 - 2), (x0 + side + 2, y0 + side + 2)],
            WHITE.filled(),
        ))?;
        area.draw(&Rectangle::new(
            [(x0 - 2, y0 - 2), (x0 + side + 2, y0 + side + 2)],
            viz::GREY.stroke_width(1),
        ))?;
        let e = playground_data::EXTENT;
        for (p, &t) in self.xy.iter().zip(&self.labels) {
            let px = x0 + ((p[0] + e) / (2.0 * e) * side as f64) as i32;
            let py = y0 + ((e - p[1]) / (2.0 * e) * side as f64) as i32;
            let c = if t > 0.5 { viz::BLUE } else { viz::ORANGE };
            area.draw(&Circle::new((px, py), 1, c.filled()))?;
        }
        Ok(())
    }
}

/// Counts of `values` in BINS equal bins over [lo, hi] (values outside go to the end bins).
fn histogram(values: impl Iterator<Item = f64>, lo: f64, hi: f64) -> Vec<f64> {
    let mut counts = vec![0.0; BINS];
    let span = (hi - lo).max(1e-12);
    for v in values.filter(|v| v.is_finite()) {
        let b = (((v - lo) / span) * BINS as f64)
            .floor()
            .clamp(0.0, (BINS - 1) as f64);
        counts[b as usize] += 1.0;
    }
    counts
}

/// Draws histograms as a heat-map: one row per layer (layer 1 at the top), each row scaled to its
/// own largest bin.
fn heat_map<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    (lo, hi): (f64, f64),
    rows: &[Vec<f64>],
) -> Result<()> {
    if rows.is_empty() {
        return viz::centered_text(area, "Press play: the first step fills these panels");
    }
    let depth = rows.len() as f64;
    // A reversed y range puts layer 1 at the top.
    let mut chart = viz::chart(
        area,
        title,
        lo..hi,
        depth + 0.5..0.5,
        x_label,
        "hidden layer",
    )?;
    let scaled: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| {
            let m = r.iter().copied().fold(0.0, f64::max).max(1.0);
            r.iter().map(|c| c / m).collect()
        })
        .collect();
    let span = (hi - lo).max(1e-12);
    raster_field(&mut chart, 1, |x, y| {
        let row = (y - 0.5).floor().clamp(0.0, depth - 1.0) as usize;
        let bin = (((x - lo) / span) * BINS as f64)
            .floor()
            .clamp(0.0, (BINS - 1) as f64) as usize;
        let v = scaled[row][bin];
        if v <= 0.0 {
            WHITE
        } else {
            colormap(0.15 + 0.85 * v.sqrt())
        }
    })?;
    Ok(())
}

fn short(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1e4 {
        format!("{v:.2e}")
    } else if v.is_finite() {
        format!("{v:.3}")
    } else {
        "—".into()
    }
}
