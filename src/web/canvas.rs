//! plotters on a `<canvas>`: plotters-canvas draws lines and text, and this wrapper adds a fast
//! `blit_bitmap` (one `drawImage` of an offscreen canvas instead of a rectangle per pixel) and
//! draws in CSS pixels on a backing store scaled by `devicePixelRatio`, so text stays sharp.

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

type CanvasError = <CanvasBackend as DrawingBackend>::ErrorType;

pub struct WebCanvas {
    inner: CanvasBackend,
    context: CanvasRenderingContext2d,
    size: (u32, u32),
}

fn cast(e: wasm_bindgen::JsValue) -> DrawingErrorKind<CanvasError> {
    DrawingErrorKind::FontError(Box::new(crate::error::Error::Io(format!("{e:?}"))))
}

impl WebCanvas {
    /// Sizes `canvas` to `css` pixels (backing store scaled by `dpr`) and wraps it.
    pub fn new(canvas: &HtmlCanvasElement, css: (u32, u32), dpr: f64) -> Option<Self> {
        let (bw, bh) = (
            (css.0 as f64 * dpr).round() as u32,
            (css.1 as f64 * dpr).round() as u32,
        );
        if canvas.width() != bw || canvas.height() != bh {
            canvas.set_width(bw);
            canvas.set_height(bh);
        }
        let _ = canvas
            .style()
            .set_property("height", &format!("{}px", css.1));
        let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        context.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok()?;
        let inner = CanvasBackend::with_canvas_object(canvas.clone())?;
        Some(WebCanvas {
            inner,
            context,
            size: css,
        })
    }
}

impl DrawingBackend for WebCanvas {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        Ok(())
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        Ok(())
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        ul: BackendCoord,
        br: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_rect(ul, br, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_text(text, style, pos)
    }
    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        // plotters-canvas measures text through a DOM element, which forces a layout of the whole
        // page for every label (tens of ms per frame on a long chapter); measureText does not.
        let size = style.size();
        self.context.set_font(&format!(
            "{} {size}px {}",
            style.style().as_str(),
            style.family().as_str()
        ));
        let width = self.context.measure_text(text).map_err(cast)?.width();
        Ok((width.ceil().max(0.0) as u32, size.ceil().max(0.0) as u32))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (w, h): (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if w == 0 || h == 0 {
            return Ok(());
        }
        let mut rgba = Vec::with_capacity((w * h * 4) as usize);
        for px in src.chunks_exact(3) {
            rgba.extend_from_slice(&[px[0], px[1], px[2], 255]);
        }
        let image =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w, h).map_err(cast)?;
        // putImageData ignores the DPR transform, so go through an offscreen canvas and drawImage.
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or_else(|| cast("no document".into()))?;
        let off: HtmlCanvasElement = document
            .create_element("canvas")
            .map_err(cast)?
            .dyn_into()
            .map_err(|_| cast("not a canvas".into()))?;
        off.set_width(w);
        off.set_height(h);
        let octx: CanvasRenderingContext2d = off
            .get_context("2d")
            .map_err(cast)?
            .ok_or_else(|| cast("no 2d context".into()))?
            .dyn_into()
            .map_err(|_| cast("bad context".into()))?;
        octx.put_image_data(&image, 0.0, 0.0).map_err(cast)?;
        self.context
            .draw_image_with_html_canvas_element(&off, pos.0 as f64, pos.1 as f64)
            .map_err(cast)
    }
}
