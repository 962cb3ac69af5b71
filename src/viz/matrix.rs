//! A confusion matrix: true classes down the side, predicted classes along the top, each cell
//! shaded and (optionally) numbered. Drawn by the chapter 3 digits demo and the chapter 10
//! playground.

use super::{colormap, font_size, GREY, INK};
use crate::error::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Draws `caption` and a square grid of `labels.len()` rows (true classes) by as many columns
/// (predicted classes), as large as the area allows. `cell(t, p)` gives the shade of cell (t, p)
/// in [0, 1] (0 is the palest colour of [`colormap`]) and the text written in it, if any. Long
/// labels are shortened with "…" to fit their row or column.
pub fn class_matrix<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    labels: &[String],
    cell: impl Fn(usize, usize) -> (f64, Option<String>),
) -> Result<()> {
    let k = labels.len();
    if k == 0 {
        return Ok(());
    }
    let fs = font_size(area);
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        caption.to_string(),
        (4, fs as i32 / 2),
        ("sans-serif", fs + 1).into_font().color(&INK),
    ))?;
    let label_font = TextStyle::from(("sans-serif", fs).into_font());
    let width_of = |s: &str| {
        area.estimate_text_size(s, &label_font)
            .map_or(s.chars().count() as u32 * fs / 2, |(w, _)| w) as i32
    };
    // The row labels' column is as wide as the longest label, within a third of the area.
    let widest = labels.iter().map(|l| width_of(l)).max().unwrap_or(0);
    let left = (widest + fs as i32).clamp(fs as i32 * 3, (w as i32 / 3).max(fs as i32 * 3));
    let top = fs as i32 * 4 + 4;
    let size = (w as i32 - left - 8).min(h as i32 - top - fs as i32 - 4);
    let side = (size / k as i32).max(4);
    let fit = |label: &str, room: i32| -> String {
        if width_of(label) <= room {
            return label.to_string();
        }
        let chars: Vec<char> = label.chars().collect();
        (1..chars.len())
            .rev()
            .map(|n| format!("{}…", chars[..n].iter().collect::<String>()))
            .find(|s| width_of(s) <= room)
            .unwrap_or_else(|| "…".into())
    };
    let centred = |colour: RGBColor, size: u32| {
        ("sans-serif", size)
            .into_font()
            .color(&colour)
            .pos(Pos::new(HPos::Center, VPos::Center))
    };
    let number_fs = (side as u32 * 2 / 5).clamp(8, 16);
    for (t, name) in labels.iter().enumerate() {
        for p in 0..k {
            let (shade, text) = cell(t, p);
            let shade = if shade.is_finite() {
                shade.clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (x, y) = (left + p as i32 * side, top + t as i32 * side);
            let corners = [(x, y), (x + side, y + side)];
            area.draw(&Rectangle::new(corners, colormap(shade).filled()))?;
            area.draw(&Rectangle::new(corners, RGBColor(225, 225, 225)))?;
            if let Some(text) = text {
                let ink = if shade > 0.55 { WHITE } else { INK };
                area.draw(&Text::new(
                    text,
                    (x + side / 2, y + side / 2),
                    centred(ink, number_fs),
                ))?;
            }
        }
        let label = centred(INK, fs);
        area.draw(&Text::new(
            fit(name, left - fs as i32 / 2),
            (left / 2, top + t as i32 * side + side / 2),
            label.clone(),
        ))?;
        area.draw(&Text::new(
            fit(name, side - 2),
            (left + t as i32 * side + side / 2, top - fs as i32 / 2 - 2),
            label,
        ))?;
    }
    // Axis names on one line between the caption and the column labels.
    let names = ("sans-serif", fs).into_font().color(&GREY);
    let names_y = top - fs as i32 * 2 - 4;
    let after_true = width_of("true ↓") + fs as i32;
    area.draw(&Text::new(
        "predicted →",
        (left.max(after_true), names_y),
        names.clone(),
    ))?;
    area.draw(&Text::new("true ↓", (2, names_y), names))?;
    Ok(())
}
