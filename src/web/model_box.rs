//! The "network" box of a demo that trains one: save the network (architecture and weights) as a
//! JSON file, load one saved earlier to carry on from it, and an error line. `view` wires it to
//! the demo; this module only builds and shows it.

use super::dom::{self, append, make, with_text};
use crate::error::Result;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};

/// The largest saved model the page reads (a 784-256-256-10 network is about 4 MB of JSON).
pub const MAX_BYTES: f64 = 20.0 * 1024.0 * 1024.0;

#[derive(Clone)]
pub struct ModelBox {
    pub root: HtmlElement,
    pub save: HtmlElement,
    pub input: HtmlInputElement,
    info: HtmlElement,
    error: HtmlElement,
}

pub fn build(instance: &str) -> Result<ModelBox> {
    let root = dom::div("demo-model")?;
    let title = with_text(make::<HtmlElement>("span", "model-label")?, "Network");
    let save: HtmlElement = with_text(make("button", "model-save")?, "Save (JSON)");
    save.set_attribute("type", "button").map_err(dom::js)?;
    let label: HtmlElement = with_text(make("label", "model-load-label")?, "Load ");
    let id = format!("{instance}-model");
    label.set_attribute("for", &id).map_err(dom::js)?;
    let input: HtmlInputElement = make("input", "model-file")?;
    input.set_type("file");
    input.set_id(&id);
    input.set_accept(".json,application/json");
    input.set_title("A network saved from this demo (same inputs and outputs)");
    let info: HtmlElement = make("span", "model-info")?;
    let error = dom::div("control-error model-error")?;
    error.set_attribute("role", "alert").map_err(dom::js)?;
    error.set_hidden(true);
    for child in [&title, &save, &label, &input.clone().into(), &info, &error] {
        append(&root, child)?;
    }
    Ok(ModelBox {
        root,
        save,
        input,
        info,
        error,
    })
}

impl ModelBox {
    /// Says which saved network the demo carries on from (`None`: its own).
    pub fn show_loaded(&self, file: Option<&str>) {
        let text = file.map(|f| format!("Carrying on from {f}; changing a control starts afresh."));
        self.info.set_text_content(text.as_deref());
    }

    pub fn set_error(&self, message: Option<&str>) {
        dom::show_error(&self.root, &self.error, message);
    }
}

/// Offers `text` to the reader as a file download named `name`.
pub fn download(name: &str, text: &str) -> Result<()> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(dom::js)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(dom::js)?;
    let a: web_sys::HtmlAnchorElement = make("a", "")?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // The download has started by the time this runs; until then the URL must stay valid.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    dom::window()?
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000)
        .map_err(dom::js)?;
    Ok(())
}
