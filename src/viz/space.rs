//! A 3-D scatter view shared by the demos that show points in space (PCA's projection plane, the
//! swiss roll): plotters' 3-D coordinates seen from a chosen yaw and pitch, with light axes.

use super::{font_size, INK};
use crate::error::Result;
use plotters::coord::ranged3d::Cartesian3d;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

pub type Chart3d<'a, DB> =
    ChartContext<'a, DB, Cartesian3d<RangedCoordf64, RangedCoordf64, RangedCoordf64>>;

/// A titled 3-D chart over the given ranges, seen from `yaw` (around the vertical axis) and
/// `pitch` (above the floor), both in degrees. Plotters' second axis is the vertical one, so
/// points are drawn as `(x, height, depth)`.
pub fn chart_3d<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    ranges: [std::ops::Range<f64>; 3],
    yaw_deg: f64,
    pitch_deg: f64,
) -> Result<Chart3d<'a, DB>> {
    let fs = font_size(area);
    let [x, y, z] = ranges;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", fs + 2).into_font().color(&INK))
        .margin(fs / 2 + 4)
        .build_cartesian_3d(x, y, z)?;
    chart.with_projection(|mut p| {
        p.yaw = yaw_deg.to_radians();
        p.pitch = pitch_deg.to_radians();
        p.scale = 0.75;
        p.into_matrix()
    });
    chart
        .configure_axes()
        .light_grid_style(RGBColor(235, 235, 235))
        .max_light_lines(3)
        .label_style(
            ("sans-serif", fs.saturating_sub(3).max(9))
                .into_font()
                .color(&INK),
        )
        .tick_size(4)
        .x_labels(4)
        .y_labels(4)
        .z_labels(4)
        .draw()?;
    Ok(chart)
}
