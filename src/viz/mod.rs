//! Plot building blocks shared by the demos, written once against plotters so they draw on a page
//! canvas, a PNG or an SVG alike. Dense fields (loss surfaces, decision regions) are rasterised
//! into an RGB buffer and blitted as one [`Raster`] element instead of thousands of rectangles.

mod matrix;
#[cfg(not(target_arch = "wasm32"))]
mod native;
mod raster;
mod regions;
mod space;
mod tree;

pub use matrix::class_matrix;
#[cfg(not(target_arch = "wasm32"))]
pub use native::{render_file, render_rgb};
pub use raster::{
    draw_image, draw_patch, draw_patch_grid, draw_patch_grid_diverging, raster_field,
    raster_field_cached, Raster, RasterCache,
};
pub use regions::ClassGrid;
pub use space::{chart_3d, Chart3d};
pub use tree::{draw_growing_tree, draw_tree, TreeStyle};

use crate::error::Result;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Series colours, chosen to stay distinct for colour-blind readers (Okabe-Ito).
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
pub const RED: RGBColor = RGBColor(213, 94, 0);
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
pub const GREY: RGBColor = RGBColor(120, 120, 120);
pub const INK: RGBColor = RGBColor(34, 34, 34);

pub type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A 1-D regression picture's common layers: the true curve dashed (left out when `truth` is
/// empty, as for a reader's file), training points filled and held-out points as rings, each
/// with a legend entry. `train` and `held_out` are (x, y) columns.
pub fn draw_truth_and_samples<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    truth: &[(f64, f64)],
    truth_label: &str,
    train: (ndarray::ArrayView1<f64>, ndarray::ArrayView1<f64>),
    held_out: (ndarray::ArrayView1<f64>, ndarray::ArrayView1<f64>),
    held_out_label: &str,
) -> Result<()> {
    if !truth.is_empty() {
        chart
            .draw_series(DashedLineSeries::new(
                truth.iter().copied(),
                6,
                4,
                GREY.stroke_width(2),
            ))?
            .label(truth_label)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], GREY.stroke_width(2)));
    }
    chart
        .draw_series(
            train
                .0
                .iter()
                .zip(train.1.iter())
                .map(|(&x, &y)| Circle::new((x, y), 3, BLUE.mix(0.6).filled())),
        )?
        .label("train")
        .legend(|(x, y)| Circle::new((x + 8, y), 3, BLUE.filled()));
    chart
        .draw_series(
            held_out
                .0
                .iter()
                .zip(held_out.1.iter())
                .map(|(&x, &y)| Circle::new((x, y), 3, ORANGE.stroke_width(2))),
        )?
        .label(held_out_label)
        .legend(|(x, y)| Circle::new((x + 8, y), 3, ORANGE.stroke_width(2)));
    Ok(())
}

/// A piecewise-constant function sampled on `grid` as a polyline with vertical jumps (a tree's
/// prediction drawn as steps rather than slopes).
pub fn step_points(grid: &[f64], value: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
    let mut steps: Vec<(f64, f64)> = Vec::with_capacity(2 * grid.len());
    for &x in grid {
        let v = value(x);
        if let Some(&(_, prev)) = steps.last() {
            if prev != v {
                steps.push((x, prev));
            }
        }
        steps.push((x, v));
    }
    steps
}

/// Canvas height for three `panels` (every demo's default): a wide strip side by side, or three
/// stacked panels.
pub fn three_panel_height(width: u32) -> u32 {
    if width >= 720 {
        (width as f64 * 0.36) as u32
    } else {
        (width as f64 * 1.9).min(1100.0) as u32
    }
}

/// Canvas height for two `panels`: a wide strip side by side, or two stacked near-squares.
pub fn two_panel_height(width: u32) -> u32 {
    if width >= 720 {
        (width as f64 * 0.48) as u32
    } else {
        (width as f64 * 1.7).min(1000.0) as u32
    }
}

/// Splits an area into `n` panels: side by side when it is wide, stacked when it is narrow.
pub fn panels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    n: usize,
) -> Vec<DrawingArea<DB, Shift>> {
    let (w, h) = area.dim_in_pixel();
    if w as f64 >= h as f64 * 1.2 {
        area.split_evenly((1, n))
    } else {
        area.split_evenly((n, 1))
    }
}

/// Four panels: two by two when the area is wide, stacked when it is narrow.
pub fn four_panels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> Vec<DrawingArea<DB, Shift>> {
    let (w, h) = area.dim_in_pixel();
    if w as f64 >= h as f64 * 1.2 {
        area.split_evenly((2, 2))
    } else {
        area.split_evenly((4, 1))
    }
}

/// Font size that scales with the panel, within readable bounds.
pub fn font_size<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> u32 {
    let (w, h) = area.dim_in_pixel();
    ((w.min(h) as f64 / 22.0).round() as u32).clamp(11, 18)
}

/// Draws the axes, labels and light grid every chart shares; `$y_ticks` formats the y labels.
macro_rules! styled_mesh {
    ($chart:expr, $fs:expr, $x_label:expr, $y_label:expr, $y_ticks:expr) => {
        styled_mesh!(
            $chart,
            $fs,
            $x_label,
            $y_label,
            $y_ticks,
            &|v| tick_label(*v),
            6
        )
    };
    ($chart:expr, $fs:expr, $x_label:expr, $y_label:expr, $y_ticks:expr, $x_ticks:expr, $x_count:expr) => {
        $chart
            .configure_mesh()
            .x_desc($x_label)
            .y_desc($y_label)
            .label_style(("sans-serif", $fs).into_font().color(&INK))
            .axis_desc_style(("sans-serif", $fs).into_font().color(&INK))
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(215, 215, 215))
            .x_labels($x_count)
            .y_labels(6)
            .x_label_formatter($x_ticks)
            .y_label_formatter($y_ticks)
            .draw()?
    };
}

/// Chart margins and caption, the same for every chart.
fn builder<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    fs: u32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(area);
    b.caption(title, ("sans-serif", fs + 2).into_font().color(&INK))
        .margin(fs / 2 + 4)
        .x_label_area_size(fs * 3)
        .y_label_area_size(fs * 3 + 6);
    b
}

/// A titled chart with labelled axes and a light grid.
pub fn chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    x_label: &str,
    y_label: &str,
) -> Result<Chart<'a, DB>> {
    let fs = font_size(area);
    let mut chart = builder(area, title, fs).build_cartesian_2d(x, y)?;
    styled_mesh!(chart, fs, x_label, y_label, &|v| tick_label(*v));
    Ok(chart)
}

/// A bar chart's frame: bar `i` (from 1) stands at x = i and is named `names[i - 1]` under the
/// axis, in place of numeric ticks; y as in [`chart`].
pub fn named_bar_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    names: &[String],
    y: std::ops::Range<f64>,
    x_label: &str,
    y_label: &str,
) -> Result<Chart<'a, DB>> {
    let fs = font_size(area);
    let k = names.len();
    let mut chart = builder(area, title, fs).build_cartesian_2d(0.4..k as f64 + 0.6, y)?;
    let name = |v: &f64| {
        let i = v.round();
        let whole = (v - i).abs() < 1e-6 && i >= 1.0 && i <= k as f64;
        if whole {
            names[i as usize - 1].clone()
        } else {
            String::new()
        }
    };
    styled_mesh!(
        chart,
        fs,
        x_label,
        y_label,
        &|v| tick_label(*v),
        &name,
        k + 1
    );
    Ok(chart)
}

/// A ROC chart: false vs true positive rate on the unit square, with the chance diagonal dashed.
pub fn roc_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
) -> Result<Chart<'a, DB>> {
    let mut chart = chart(
        area,
        title,
        -0.02..1.02,
        -0.02..1.02,
        "false positive rate",
        "true positive rate",
    )?;
    chart.draw_series(DashedLineSeries::new(
        vec![(0.0, 0.0), (1.0, 1.0)],
        6,
        4,
        GREY.stroke_width(1),
    ))?;
    Ok(chart)
}

/// Like [`chart`] with a logarithmic y axis (losses and errors spanning decades).
pub fn chart_log_y<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    x_label: &str,
    y_label: &str,
) -> Result<
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, plotters::coord::combinators::LogCoord<f64>>>,
> {
    let fs = font_size(area);
    let mut chart = builder(area, title, fs).build_cartesian_2d(x, y.log_scale())?;
    styled_mesh!(chart, fs, x_label, y_label, &|v| tick_label(round_sig(
        *v, 2
    )));
    Ok(chart)
}

/// An axis tick as short as it can be: `10` not `10.0`, `0.25`, `1e-6`.
pub fn tick_label(v: f64) -> String {
    let v = round_sig(v, 6);
    // Ticks are placed at lo + k·step, so the one meant to be 0 can come out as ±1e-17.
    if v.abs() < 1e-15 {
        return "0".into();
    }
    crate::demos::format_float(v)
}

/// `v` rounded to `digits` significant digits (for axis labels).
pub fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// `[lo, hi]` widened by `pad` of its span on both sides (and made non-empty).
pub fn padded(lo: f64, hi: f64, pad: f64) -> std::ops::Range<f64> {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    (lo - pad * span)..(hi + pad * span)
}

/// The ellipse `{m + r L u : |u| = 1}` of a 2-D Gaussian with mean `m` and covariance `cov`
/// (`L` its square root) as a closed polygon: `r` = 1 and 2 give the 1- and 2-sigma contours.
pub fn covariance_ellipse(mean: (f64, f64), cov: [[f64; 2]; 2], r: f64) -> Vec<(f64, f64)> {
    let (a, b, c) = (cov[0][0], 0.5 * (cov[0][1] + cov[1][0]), cov[1][1]);
    // Eigen-decomposition of the symmetric 2x2 matrix in closed form.
    let mid = 0.5 * (a + c);
    let half = (0.25 * (a - c) * (a - c) + b * b).sqrt();
    let (l1, l2) = ((mid + half).max(0.0).sqrt(), (mid - half).max(0.0).sqrt());
    let angle = 0.5 * (2.0 * b).atan2(a - c);
    let (sin, cos) = angle.sin_cos();
    (0..=64)
        .map(|i| {
            let t = i as f64 / 64.0 * std::f64::consts::TAU;
            let (u, v) = (r * l1 * t.cos(), r * l2 * t.sin());
            (mean.0 + u * cos - v * sin, mean.1 + u * sin + v * cos)
        })
        .collect()
}

/// Min and max of finite values (`(0, 1)` when there are none).
pub fn extent(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        (0.0, 1.0)
    } else {
        (lo, hi)
    }
}

/// A perceptually ordered light colour map for backgrounds: t in [0, 1] from pale yellow to blue.
pub fn colormap(t: f64) -> RGBColor {
    const STOPS: [(f64, [f64; 3]); 5] = [
        (0.0, [255.0, 252.0, 220.0]),
        (0.25, [214.0, 239.0, 196.0]),
        (0.5, [160.0, 214.0, 200.0]),
        (0.75, [110.0, 168.0, 209.0]),
        (1.0, [73.0, 108.0, 178.0]),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        1.0
    };
    let i = STOPS
        .iter()
        .position(|(s, _)| *s >= t)
        .unwrap_or(STOPS.len() - 1)
        .max(1);
    let ((t0, c0), (t1, c1)) = (STOPS[i - 1], STOPS[i]);
    let f = (t - t0) / (t1 - t0);
    let mix = |k: usize| (c0[k] + f * (c1[k] - c0[k])).round() as u8;
    RGBColor(mix(0), mix(1), mix(2))
}

/// Draws the series legend in a corner, on a translucent box.
pub fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    area: &DrawingArea<DB, Shift>,
    position: SeriesLabelPosition,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(GREY.mix(0.5))
        .label_font(("sans-serif", font_size(area) - 1).into_font().color(&INK))
        .draw()?;
    Ok(())
}

/// A message drawn in the middle of an area (e.g. "no data yet").
pub fn centered_text<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str) -> Result<()> {
    let (w, h) = area.dim_in_pixel();
    let style = ("sans-serif", font_size(area))
        .into_font()
        .color(&GREY)
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ));
    area.draw(&Text::new(
        text.to_string(),
        (w as i32 / 2, h as i32 / 2),
        style,
    ))?;
    Ok(())
}
