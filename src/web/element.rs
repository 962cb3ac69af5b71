//! The `<ml-demo demo="ID" key="value" seed="7" hide="k1,k2">` custom element. The class is a few
//! lines of JavaScript (a custom element must extend HTMLElement); everything else is Rust.

use super::view;
use crate::demos;
use crate::error::Result;
use crate::state::{DemoState, DEFAULT_SEED};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

#[wasm_bindgen(inline_js = r#"
export function define_ml_demo(mount) {
  if (customElements.get('ml-demo')) return;
  customElements.define('ml-demo', class extends HTMLElement {
    connectedCallback() {
      if (this.dataset.mounted) return;
      this.dataset.mounted = '1';
      mount(this);
    }
  });
}
"#)]
extern "C" {
    fn define_ml_demo(mount: &Closure<dyn FnMut(HtmlElement)>);
}

/// The demo widgets' stylesheet, inserted once into pages that use `<ml-demo>` without linking it.
const DEMO_CSS: &str = include_str!("../../www/demo.css");

fn ensure_stylesheet() -> Result<()> {
    let doc = super::dom::document()?;
    let linked = doc
        .query_selector("link[href$=\"demo.css\"], style[data-mlplay]")
        .map_err(super::dom::js)?
        .is_some();
    if linked {
        return Ok(());
    }
    let style = doc.create_element("style").map_err(super::dom::js)?;
    style
        .set_attribute("data-mlplay", "")
        .map_err(super::dom::js)?;
    style.set_text_content(Some(DEMO_CSS));
    if let Some(head) = doc.head() {
        head.append_child(&style).map_err(super::dom::js)?;
    }
    Ok(())
}

pub fn register() -> Result<()> {
    let mount = Closure::<dyn FnMut(HtmlElement)>::new(|host: HtmlElement| {
        let demo = host.get_attribute("demo").unwrap_or_default();
        let names = host.get_attribute_names();
        let pairs: Vec<(String, String)> = names
            .iter()
            .filter_map(|n| n.as_string())
            .filter(|n| {
                n != "demo" && n != "data-mounted" && n != "class" && n != "style" && n != "id"
            })
            .map(|n| {
                let v = host.get_attribute(&n).unwrap_or_default();
                (n, v)
            })
            .collect();
        if let Err(e) = mount_with(&host, &demo, &pairs) {
            host.set_text_content(Some(&format!("ml-demo: {e}")));
        }
    });
    define_ml_demo(&mount);
    mount.forget(); // the element class keeps calling it for the page's lifetime
    Ok(())
}

/// Mounts demo `id` in `host`; `pairs` are parameter values plus optional `seed` and `hide`.
/// Invalid values are reported above the demo and replaced by defaults.
pub fn mount_with(host: &HtmlElement, id: &str, pairs: &[(String, String)]) -> Result<()> {
    ensure_stylesheet()?;
    let spec = demos::spec(id)?;
    let hide = pairs
        .iter()
        .find(|(k, _)| k == "hide")
        .map(|(_, v)| v.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let base = DemoState {
        params: demos::params_with(spec.id, &[])?,
        seed: DEFAULT_SEED,
        hidden: hide,
    };
    let entries: Vec<(String, String)> =
        pairs.iter().filter(|(k, _)| k != "hide").cloned().collect();
    let (state, errors) = DemoState::from_entries(&base, &entries);
    // Attribute values become the element's defaults, so Reset returns to what the author wrote.
    let base = DemoState {
        hidden: state.hidden.clone(),
        ..state.clone()
    };
    view::mount(host, spec.id, spec.id, base, state, Rc::new(|| {}))?;
    if !errors.is_empty() {
        let note = super::dom::div("notice")?;
        note.set_text_content(Some(
            &errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        ));
        host.prepend_with_node_1(&note).map_err(super::dom::js)?;
    }
    Ok(())
}
