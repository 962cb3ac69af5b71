//! In-browser tests (`wasm-pack test --headless --chrome`): controls built from ParamSpecs, the URL
//! hash round trip through the real `location`, and demos drawing on a real `<canvas>`.
#![cfg(target_arch = "wasm32")]

use mlplay::demos::{self, Demo, ParamKind, Value};
use mlplay::state::{format_hash, parse_hash, DemoState};
use mlplay::web::{canvas::WebCanvas, controls, dom, view};
use plotters::prelude::IntoDrawingArea;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement, HtmlInputElement};

fn body() -> HtmlElement {
    dom::document().unwrap().body().unwrap()
}

/// Distinct RGBA values on the canvas (0 when it could not be read).
fn colours(canvas: &HtmlCanvasElement) -> usize {
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    let data = ctx.get_image_data(0.0, 0.0, w, h).unwrap().data();
    let set: std::collections::HashSet<&[u8]> = data.chunks(4).collect();
    set.len()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
fn controls_follow_their_param_specs() {
    let spec = demos::spec("gradient-descent").unwrap();
    for p in spec.params {
        let c = controls::build(p, "t").unwrap();
        body().append_child(&c.root).unwrap();
        assert_eq!(c.root.get_attribute("data-key").as_deref(), Some(p.key));
        let label = c.root.query_selector("label").unwrap().unwrap();
        assert_eq!(label.text_content().as_deref(), Some(p.label));
        match &p.kind {
            ParamKind::Float { log, min, max, .. } => {
                let range = c.range.as_ref().expect("slider");
                let entry = c.entry.as_ref().expect("number entry");
                assert_eq!(range.type_(), "range");
                assert_eq!(entry.type_(), "number");
                c.show(&Value::Float(*max));
                assert_eq!(c.input_text(), mlplay::demos::format_float(*max));
                // The slider end maps back onto the range end, on a log scale where declared.
                let back: f64 = c.slider_text().unwrap().parse().unwrap();
                assert!(
                    (back - max).abs() <= 1e-9 * max.abs().max(1.0),
                    "{}: {back}",
                    p.key
                );
                if *log {
                    let mid = (min * max).sqrt();
                    c.show(&Value::Float(mid));
                    assert_eq!(
                        range.value(),
                        "500",
                        "{}: geometric mean is mid-slider",
                        p.key
                    );
                }
            }
            ParamKind::Int { max, .. } => {
                c.show(&Value::Int(*max));
                assert_eq!(c.range.as_ref().unwrap().value(), max.to_string());
                assert_eq!(c.input_text(), max.to_string());
            }
            ParamKind::Choice { options, .. } => {
                let select = c.select.as_ref().expect("select");
                assert_eq!(select.length() as usize, options.len());
                c.show(&Value::Choice(options[1].to_string()));
                assert_eq!(c.input_text(), options[1]);
            }
            ParamKind::Bool { .. } => {
                let check = c.checkbox.as_ref().expect("checkbox");
                assert_eq!(check.type_(), "checkbox");
                c.show(&Value::Bool(true));
                assert_eq!(c.input_text(), "true");
            }
        }
        assert!(c.error.hidden());
        c.set_error(Some("learning_rate must be between 0.001 and 1.5"));
        assert!(!c.error.hidden());
        assert!(c.root.class_list().contains("invalid"));
        c.set_error(None);
        assert!(c.error.hidden());
        c.root.remove();
    }
}

#[wasm_bindgen_test]
fn state_round_trips_through_the_location_hash() {
    let base = DemoState {
        params: demos::params_with("gradient-descent", &[]).unwrap(),
        seed: 42,
        hidden: vec![],
    };
    let mut state = base.clone();
    state.params.set("learning_rate", "0.05").unwrap();
    state.params.set("method", "mini-batch").unwrap();
    state.seed = 7;
    let mut pairs = vec![("chapter".to_string(), "04 linear & more".to_string())];
    pairs.extend(
        state
            .entries(&base)
            .into_iter()
            .map(|(k, v)| (format!("gd.{k}"), v)),
    );
    dom::replace_hash(&format_hash(&pairs)).unwrap();
    let read = parse_hash(&dom::location_hash());
    assert_eq!(
        read,
        pairs,
        "hash as the browser stores it: {}",
        dom::location_hash()
    );
    let mine = mlplay::state::entries_for(&read, "gd");
    let (back, errors) = DemoState::from_entries(&base, &mine);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(back, state);
    dom::replace_hash("#").unwrap();
}

#[wasm_bindgen_test]
fn every_demo_draws_on_a_canvas() {
    for spec in demos::all_specs() {
        let canvas: HtmlCanvasElement = dom::make("canvas", "").unwrap();
        body().append_child(&canvas).unwrap();
        assert_eq!(colours(&canvas), 1, "a fresh canvas is blank");
        let params = demos::params_with(spec.id, &[]).unwrap();
        let mut demo = demos::create(spec.id, &params, 3).unwrap();
        for _ in 0..10 {
            demo.tick();
        }
        let backend = WebCanvas::new(&canvas, (800, demo.height_for_width(800)), 1.0).unwrap();
        demo.draw(&backend.into_drawing_area()).unwrap();
        let n = colours(&canvas);
        assert!(n > 50, "{}: only {n} colours drawn", spec.id);
        canvas.remove();
    }
}

#[wasm_bindgen_test]
async fn a_mounted_demo_runs_and_refuses_bad_input() {
    let host: HtmlElement = dom::div("").unwrap();
    host.style().set_property("width", "900px").unwrap();
    body().append_child(&host).unwrap();
    let base = DemoState {
        params: demos::params_with("gradient-descent", &[]).unwrap(),
        seed: 42,
        hidden: vec!["epochs".into()],
    };
    let changes = Rc::new(std::cell::Cell::new(0));
    let counter = changes.clone();
    view::mount(
        &host,
        "gradient-descent",
        "gd",
        base.clone(),
        base,
        Rc::new(move || counter.set(counter.get() + 1)),
    )
    .unwrap();
    let q = |sel: &str| {
        host.query_selector(sel)
            .unwrap()
            .unwrap_or_else(|| panic!("{sel}"))
    };
    let spec = demos::spec("gradient-descent").unwrap();
    assert_eq!(
        host.query_selector_all(".control").unwrap().length() as usize,
        spec.params.len()
    );
    let epochs: HtmlElement = q(".control[data-key=epochs]").dyn_into().unwrap();
    assert!(epochs.hidden(), "hide= hides the control");
    for b in ["button.play", "button.step", "button.reset", "input.seed"] {
        q(b);
    }

    sleep(300).await; // a few animation frames
    let canvas: HtmlCanvasElement = q("canvas.demo-canvas").dyn_into().unwrap();
    assert!(colours(&canvas) > 50, "the frame loop drew the demo");
    let metric = |key: &str| {
        q(&format!("[data-metric={key}] .value"))
            .text_content()
            .unwrap_or_default()
    };
    assert_eq!(metric("step"), "0");

    // Step advances by one update.
    let step: HtmlElement = q("button.step").dyn_into().unwrap();
    step.click();
    step.click();
    sleep(100).await;
    assert_eq!(metric("step"), "2");

    // A value out of range is refused next to the control; the previous value stays.
    let entry: HtmlInputElement = q(".control[data-key=learning_rate] input.value-entry")
        .dyn_into()
        .unwrap();
    let before = entry.value();
    entry.set_value("99");
    entry
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    let error: HtmlElement = q(".control[data-key=learning_rate] .control-error")
        .dyn_into()
        .unwrap();
    assert!(!error.hidden());
    assert!(error.text_content().unwrap().contains("1.5"));
    assert_eq!(entry.value(), before);

    // A valid value is applied, restarts the run and is reported to the page.
    let seen = changes.get();
    entry.set_value("0.3");
    entry
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    assert!(error.hidden());
    assert!(changes.get() > seen, "the page hears about the change");
    sleep(100).await;
    assert_eq!(metric("learning_rate_now"), "0.3000");
    assert_eq!(metric("step"), "0");

    // Play runs in the frame loop without blocking; Pause stops it.
    let play: HtmlElement = q("button.play").dyn_into().unwrap();
    play.click();
    sleep(300).await;
    play.click();
    let steps: usize = metric("step").parse().unwrap();
    assert!(steps > 0, "playing advanced the run");
    view::clear();
    host.remove();
}
