//! A bitmap element: an RGB buffer placed at a pixel position. Backends blit it in one call (the
//! page's canvas wrapper turns it into a single `putImageData`).

use super::Chart;
use crate::error::Result;
use plotters::coord::ReverseCoordTranslate;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::{BackendCoord, DrawingErrorKind};

pub struct Raster {
    /// Top-left corner in backend pixels.
    pub pos: BackendCoord,
    pub size: (u32, u32),
    /// Row-major RGB, 3 bytes per pixel.
    pub rgb: Vec<u8>,
}

impl<'a> PointCollection<'a, BackendCoord> for &'a Raster {
    type Point = &'a BackendCoord;
    type IntoIter = std::iter::Once<&'a BackendCoord>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.pos)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Raster {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut points: I,
        backend: &mut DB,
        _parent_dim: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        match points.next() {
            Some(pos) => backend.blit_bitmap(pos, self.size, &self.rgb),
            None => Ok(()),
        }
    }
}

/// Fills a chart's plotting area with `colour(x, y)` evaluated at every pixel centre
/// (`step` > 1 evaluates every `step` pixels and repeats the colour, for costly fields).
pub fn raster_field<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    step: u32,
    colour: impl Fn(f64, f64) -> RGBColor,
) -> Result<()> {
    draw_field(chart, step, None, colour)
}

/// A field drawn by [`raster_field_cached`], kept for as long as the plot keeps its size.
#[derive(Default)]
pub struct RasterCache(std::cell::RefCell<Option<Raster>>);

impl RasterCache {
    /// Forgets the field (call when what it shows changes).
    pub fn clear(&self) {
        self.0.borrow_mut().take();
    }
}

/// Like [`raster_field`] for fields that do not change while a demo runs (a loss surface): the
/// pixels are computed once per plot size and then only blitted, which keeps frames short.
pub fn raster_field_cached<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    step: u32,
    cache: &RasterCache,
    colour: impl Fn(f64, f64) -> RGBColor,
) -> Result<()> {
    draw_field(chart, step, Some(cache), colour)
}

fn draw_field<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    step: u32,
    cache: Option<&RasterCache>,
    colour: impl Fn(f64, f64) -> RGBColor,
) -> Result<()> {
    let area = chart.plotting_area();
    let (xr, yr) = area.get_pixel_range();
    let (w, h) = (
        (xr.end - xr.start).max(0) as u32,
        (yr.end - yr.start).max(0) as u32,
    );
    if w == 0 || h == 0 {
        return Ok(());
    }
    if let Some(cached) = cache.and_then(|c| {
        c.0.borrow()
            .as_ref()
            .filter(|r| r.size == (w, h))
            .map(|r| r.rgb.clone())
    }) {
        let raster = Raster {
            pos: (0, 0),
            size: (w, h),
            rgb: cached,
        };
        area.strip_coord_spec().draw(&raster)?;
        return Ok(());
    }
    let coord = chart.as_coord_spec();
    let step = step.max(1);
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    for py in (0..h).step_by(step as usize) {
        for px in (0..w).step_by(step as usize) {
            let centre = (
                xr.start + (px + step / 2) as i32,
                yr.start + (py + step / 2) as i32,
            );
            let c = match coord.reverse_translate(centre) {
                Some((x, y)) => colour(x, y),
                None => RGBColor(255, 255, 255),
            };
            for dy in 0..step.min(h - py) {
                for dx in 0..step.min(w - px) {
                    let i = (((py + dy) * w + px + dx) * 3) as usize;
                    rgb[i..i + 3].copy_from_slice(&[c.0, c.1, c.2]);
                }
            }
        }
    }
    // Without the data coordinates, (0, 0) is the plotting area's top-left pixel.
    let raster = Raster {
        pos: (0, 0),
        size: (w, h),
        rgb,
    };
    area.strip_coord_spec().draw(&raster)?;
    if let Some(c) = cache {
        *c.0.borrow_mut() = Some(raster);
    }
    Ok(())
}

/// Draws an RGB image (`width` x `height`, row-major) scaled by nearest neighbour to fit `area`
/// below a caption, keeping its aspect ratio; returns the drawn rectangle's top-left and size.
pub fn draw_image<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    caption: &str,
    width: usize,
    height: usize,
    rgb: &[u8],
) -> Result<(BackendCoord, (u32, u32))> {
    let fs = super::font_size(area);
    let (w, h) = area.dim_in_pixel();
    let top = fs as i32 * 2;
    area.draw(&Text::new(
        caption.to_string(),
        (4, fs as i32 / 2),
        ("sans-serif", fs + 2).into_font().color(&super::INK),
    ))?;
    let avail = (
        w.saturating_sub(8) as f64,
        (h as i32 - top - 4).max(1) as f64,
    );
    let scale = (avail.0 / width as f64)
        .min(avail.1 / height as f64)
        .max(0.01);
    let (dw, dh) = (
        ((width as f64 * scale) as u32).max(1),
        ((height as f64 * scale) as u32).max(1),
    );
    let mut out = Vec::with_capacity((dw * dh * 3) as usize);
    for y in 0..dh as usize {
        let sy = (y * height / dh as usize).min(height - 1);
        for x in 0..dw as usize {
            let sx = (x * width / dw as usize).min(width - 1);
            let k = (sy * width + sx) * 3;
            out.extend_from_slice(&rgb[k..k + 3]);
        }
    }
    let pos = ((w as i32 - dw as i32) / 2, top);
    area.draw(&Raster {
        pos,
        size: (dw, dh),
        rgb: out,
    })?;
    Ok((pos, (dw, dh)))
}

/// Draws a square image of grey values (an 8x8 or 28x28 digit, or a component of one) as one
/// bitmap of `cell`-pixel squares with the top-left corner at `at`: grey levels from white (`lo`)
/// to black (`hi`), or blue-white-red when `diverging` (values below and above the middle of
/// `lo..hi`).
pub fn draw_patch<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    at: BackendCoord,
    cell: i32,
    values: ndarray::ArrayView1<f64>,
    lo: f64,
    hi: f64,
    diverging: bool,
) -> Result<()> {
    let (px, rgb) = patch_pixels(values, cell, (lo, hi), diverging);
    area.draw(&Raster {
        pos: at,
        size: (px as u32, px as u32),
        rgb,
    })?;
    Ok(())
}

/// The RGB pixels of [`draw_patch`]'s image: a square of `side * cell` pixels, and its side.
fn patch_pixels(
    values: ndarray::ArrayView1<f64>,
    cell: i32,
    (lo, hi): (f64, f64),
    diverging: bool,
) -> (usize, Vec<u8>) {
    let side = patch_side(values.len());
    let cell = cell.max(1) as usize;
    let px = side * cell;
    let colour = |v: f64| {
        let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
        if diverging {
            let (c, f) = if t < 0.5 {
                (super::BLUE, 1.0 - 2.0 * t)
            } else {
                (super::RED, 2.0 * t - 1.0)
            };
            let mix = |ch: u8| (255.0 - f * (255.0 - f64::from(ch))).round() as u8;
            [mix(c.0), mix(c.1), mix(c.2)]
        } else {
            let g = (255.0 * (1.0 - t)).round() as u8;
            [g, g, g]
        }
    };
    // One row of pixels per row of values, then repeated `cell` times (no per-pixel indexing).
    let mut rgb = Vec::with_capacity(px * px * 3);
    let mut line = Vec::with_capacity(px * 3);
    for r in 0..side {
        line.clear();
        for c in 0..side {
            let rgb = values.get(r * side + c).map_or([255; 3], |&v| colour(v));
            for _ in 0..cell {
                line.extend_from_slice(&rgb);
            }
        }
        for _ in 0..cell {
            rgb.extend_from_slice(&line);
        }
    }
    (px, rgb)
}

/// The side of the square image that `n` values fill (8 for 64, 28 for 784).
fn patch_side(n: usize) -> usize {
    ((n as f64).sqrt().round() as usize).max(1)
}

/// Draws square images (8x8, 28x28) in a grid under a caption, each with a short red label in its
/// corner (a digit, or "3→8"), as large as the area allows; pixel values run from `lo` (white) to
/// `hi` (black).
pub fn draw_patch_grid<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    caption: &str,
    patches: &[(ndarray::ArrayView1<f64>, String)],
    lo: f64,
    hi: f64,
) -> Result<()> {
    patch_grid(area, caption, patches, (lo, hi), false)
}

/// Like [`draw_patch_grid`] for signed images (weights) scaled to -1..1: blue below zero, red
/// above, white at zero.
pub fn draw_patch_grid_diverging<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    caption: &str,
    patches: &[(ndarray::ArrayView1<f64>, String)],
) -> Result<()> {
    patch_grid(area, caption, patches, (-1.0, 1.0), true)
}

fn patch_grid<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    caption: &str,
    patches: &[(ndarray::ArrayView1<f64>, String)],
    (lo, hi): (f64, f64),
    diverging: bool,
) -> Result<()> {
    let fs = super::font_size(area);
    let (w, h) = area.dim_in_pixel();
    let top = fs as i32 * 2;
    area.draw(&Text::new(
        caption.to_string(),
        (4, fs as i32 / 2),
        ("sans-serif", fs + 1).into_font().color(&super::INK),
    ))?;
    let n = patches.len();
    if n == 0 {
        return Ok(());
    }
    let cols = ((n as f64 * w as f64 / (h as i32 - top).max(1) as f64)
        .sqrt()
        .ceil() as usize)
        .clamp(1, n);
    let rows = n.div_ceil(cols);
    let block = ((w as i32 - 8) / cols as i32)
        .min((h as i32 - top - 4) / rows as i32)
        .max(4);
    let side = patch_side(patches[0].0.len()) as i32;
    let cell = ((block - 2) / side).max(1);
    let label_fs = (block / 3).clamp(8, 14);
    // All images go into one bitmap, so the grid costs one blit however many images it holds.
    let (gw, gh) = (cols * block as usize, rows * block as usize);
    let mut grid = vec![255u8; gw * gh * 3];
    for (k, (values, _)) in patches.iter().enumerate() {
        let (px, rgb) = patch_pixels(values.view(), cell, (lo, hi), diverging);
        let (gx, gy) = ((k % cols) * block as usize, (k / cols) * block as usize);
        for (y, row) in rgb.chunks_exact(px * 3).enumerate().take(gh - gy) {
            let n = px.min(gw - gx) * 3;
            let o = ((gy + y) * gw + gx) * 3;
            grid[o..o + n].copy_from_slice(&row[..n]);
        }
    }
    area.draw(&Raster {
        pos: (4, top),
        size: (gw as u32, gh as u32),
        rgb: grid,
    })?;
    for (k, (_, label)) in patches.iter().enumerate() {
        let x0 = 4 + (k % cols) as i32 * block;
        let y0 = top + (k / cols) as i32 * block;
        area.draw(&Text::new(
            label.clone(),
            (x0 + 1, y0 + 1),
            ("sans-serif", label_fs).into_font().color(&super::RED),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::patch_pixels;

    #[test]
    fn patch_pixels_scales_each_value_to_a_cell_in_row_major_order() {
        // 2 x 2 values, 0 white and 255 black, each drawn as a 3 x 3 block.
        let values = ndarray::arr1(&[0.0, 255.0, 255.0, 0.0]);
        let (side, rgb) = patch_pixels(values.view(), 3, (0.0, 255.0), false);
        assert_eq!(side, 6);
        assert_eq!(rgb.len(), 6 * 6 * 3);
        let grey = |y: usize, x: usize| rgb[(y * 6 + x) * 3];
        for y in 0..6 {
            for x in 0..6 {
                let dark = (y < 3) != (x < 3);
                assert_eq!(grey(y, x), if dark { 0 } else { 255 }, "pixel ({y}, {x})");
            }
        }
    }
}
