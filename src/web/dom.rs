//! Small DOM helpers returning our `Error` instead of panicking.

use crate::error::{Error, Result};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, HtmlElement, Window};

pub fn js(e: JsValue) -> Error {
    Error::Io(e.as_string().unwrap_or_else(|| format!("{e:?}")))
}

pub fn window() -> Result<Window> {
    web_sys::window().ok_or_else(|| Error::Io("no window".into()))
}

pub fn document() -> Result<Document> {
    window()?
        .document()
        .ok_or_else(|| Error::Io("no document".into()))
}

/// A new element of type `T` with a class (empty for none).
pub fn make<T: JsCast>(tag: &str, class: &str) -> Result<T> {
    let el = document()?.create_element(tag).map_err(js)?;
    if !class.is_empty() {
        el.set_class_name(class);
    }
    el.dyn_into::<T>()
        .map_err(|_| Error::Io(format!("<{tag}> has an unexpected type")))
}

pub fn div(class: &str) -> Result<HtmlElement> {
    make("div", class)
}

pub fn with_text<T: AsRef<web_sys::Node>>(el: T, text: &str) -> T {
    el.as_ref().set_text_content(Some(text));
    el
}

pub fn append(parent: &web_sys::Node, child: &web_sys::Node) -> Result<()> {
    parent.append_child(child).map(|_| ()).map_err(js)
}

/// Shows `message` in `error` and marks `root` invalid, or hides the error and clears the mark.
pub fn show_error(root: &HtmlElement, error: &HtmlElement, message: Option<&str>) {
    error.set_text_content(message);
    error.set_hidden(message.is_none());
    let _ = if message.is_some() {
        root.class_list().add_1("invalid")
    } else {
        root.class_list().remove_1("invalid")
    };
}

pub fn by_id<T: JsCast>(id: &str) -> Option<T> {
    document().ok()?.get_element_by_id(id)?.dyn_into::<T>().ok()
}

pub fn location_hash() -> String {
    window()
        .ok()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Rewrites the hash without a history entry or a `hashchange` event.
pub fn replace_hash(hash: &str) -> Result<()> {
    let w = window()?;
    let current = w.location().hash().unwrap_or_default();
    if current == hash || (hash == "#" && current.is_empty()) {
        return Ok(());
    }
    let url = format!("{}{}", w.location().pathname().unwrap_or_default(), hash);
    w.history()
        .map_err(js)?
        .replace_state_with_url(&JsValue::NULL, "", Some(&url))
        .map_err(js)
}
