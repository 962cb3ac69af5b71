//! Native rendering of a demo to PNG or SVG, for the CLI and the tests. Text uses a bundled font
//! (Liberation Sans, SIL OFL) so output does not depend on the fonts installed on the machine.

use crate::demos::Demo;
use crate::error::{Error, Result};
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

static FONT: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf");

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are compiled in and known to parse; a failure would only lose text, not the plot.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// Draws `demo` into `path` (`.png` or `.svg`, chosen by extension) at `width` pixels wide.
pub fn render_file(demo: &impl Demo, path: &Path, width: u32) -> Result<()> {
    register_font();
    let height = demo.height_for_width(width);
    let io = |e: std::io::Error| Error::Io(format!("{}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => {
            let area = BitMapBackend::new(path, (width, height)).into_drawing_area();
            demo.draw(&area)?;
            area.present()?;
        }
        Some("svg") => {
            let area = SVGBackend::new(path, (width, height)).into_drawing_area();
            demo.draw(&area)?;
            area.present()?;
        }
        _ => {
            return Err(Error::Io(format!(
                "{}: output must end in .png or .svg",
                path.display()
            )))
        }
    }
    Ok(())
}

/// Draws `demo` into an RGB buffer (tests compare pixels without touching the disk).
pub fn render_rgb(demo: &impl Demo, width: u32) -> Result<(Vec<u8>, u32, u32)> {
    register_font();
    let height = demo.height_for_width(width);
    let mut buf = vec![0u8; (width * height * 3) as usize];
    {
        let area = BitMapBackend::with_buffer(&mut buf, (width, height)).into_drawing_area();
        demo.draw(&area)?;
        area.present()?;
    }
    Ok((buf, width, height))
}
