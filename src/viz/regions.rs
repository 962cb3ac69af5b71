//! Decision regions of a 2-D classifier kept on a square grid of cells: class scores per cell
//! (probabilities, vote counts or vote shares), drawn as tinted regions with the boundary inked.
//! Used by the chapter 7 demos (bagging, AdaBoost, voting and stacking), which score the grid once
//! per model and redraw it every frame.

use super::{chart, extent, padded, raster_field, Chart, INK};
use crate::error::Result;
use ndarray::{Array2, ArrayView2};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;

/// The centres of `n × n` cells covering the data, padded 6% on each side.
pub struct ClassGrid {
    pub n: usize,
    pub x_range: Range<f64>,
    pub y_range: Range<f64>,
    /// `n²` rows of (x1, x2), row by row from the bottom-left cell.
    pub points: Array2<f64>,
    /// The axis titles: the data's column names.
    pub axes: [String; 2],
}

impl ClassGrid {
    /// A grid over the extent of the first two columns of `data`, titled with their names.
    pub fn around_data(data: &crate::data::Dataset, n: usize) -> Self {
        let mut grid = Self::around(data.x.view(), n);
        for (axis, name) in grid.axes.iter_mut().zip(&data.feature_names) {
            axis.clone_from(name);
        }
        grid
    }

    /// A grid over the extent of the first two columns of `x`.
    pub fn around(x: ArrayView2<f64>, n: usize) -> Self {
        let (x0, x1) = extent(x.column(0).iter().copied());
        let (y0, y1) = extent(x.column(1).iter().copied());
        let (x_range, y_range) = (padded(x0, x1, 0.06), padded(y0, y1, 0.06));
        let points = Array2::from_shape_fn((n * n, 2), |(i, c)| {
            let t = |g: usize| (g as f64 + 0.5) / n as f64;
            if c == 0 {
                x_range.start + t(i % n) * (x_range.end - x_range.start)
            } else {
                y_range.start + t(i / n) * (y_range.end - y_range.start)
            }
        });
        ClassGrid {
            n,
            x_range,
            y_range,
            points,
            axes: ["x1".into(), "x2".into()],
        }
    }

    /// The cell holding data point (x, y), clamped to the grid.
    fn cell(&self, x: f64, y: f64) -> usize {
        let (xr, yr, n) = (&self.x_range, &self.y_range, self.n);
        let gx = (((x - xr.start) / (xr.end - xr.start)) * n as f64).max(0.0) as usize;
        let gy = (((y - yr.start) / (yr.end - yr.start)) * n as f64).max(0.0) as usize;
        gy.min(n - 1) * n + gx.min(n - 1)
    }

    /// A titled chart over the grid's extent with the regions of `scores` (one row per cell, one
    /// column per class) filled in: `colour(class, sure)` paints a cell whose winning class has
    /// share `sure` of the way from an even split (0) to unanimous (1); boundaries are inked. The
    /// caller draws its points on the returned chart.
    pub fn draw<'a, DB: DrawingBackend>(
        &self,
        area: &'a DrawingArea<DB, Shift>,
        title: &str,
        scores: &Array2<f64>,
        colour: impl Fn(usize, f64) -> RGBColor,
    ) -> Result<Chart<'a, DB>> {
        let mut chart = chart(
            area,
            title,
            self.x_range.clone(),
            self.y_range.clone(),
            &self.axes[0],
            &self.axes[1],
        )?;
        if scores.nrows() != self.n * self.n || scores.ncols() == 0 {
            return Ok(chart);
        }
        let winner = |i: usize| {
            let row = scores.row(i);
            let total: f64 = row.sum();
            let best = crate::metrics::argmax(row);
            (best, if total > 0.0 { row[best] / total } else { 0.0 })
        };
        let (xr, yr) = (&self.x_range, &self.y_range);
        let (px, py) = chart.plotting_area().get_pixel_range();
        let dx = (xr.end - xr.start) / (px.end - px.start).max(1) as f64;
        let dy = (yr.end - yr.start) / (py.end - py.start).max(1) as f64;
        let k = scores.ncols().max(2) as f64;
        raster_field(&mut chart, 1, |x, y| {
            let (c, share) = winner(self.cell(x, y));
            if winner(self.cell(x + dx, y)).0 != c || winner(self.cell(x, y + dy)).0 != c {
                return INK;
            }
            colour(c, ((share - 1.0 / k) / (1.0 - 1.0 / k)).clamp(0.0, 1.0))
        })?;
        Ok(chart)
    }
}
