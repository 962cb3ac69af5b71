//! A mounted demo: its controls, buttons, metrics panel and canvas, the state they edit, and the
//! one `requestAnimationFrame` loop that advances every playing demo in bounded slices.

use super::canvas::WebCanvas;
use super::controls::{self, Control};
use super::dom::{self, append, make, with_text};
use super::model_box::{self, ModelBox};
use super::upload::{self, UploadBox};
use crate::data::upload::{Upload, MAX_BYTES};
use crate::demos::{self, AnyDemo, Demo, GENERATED_DATA_KEYS};
use crate::error::Result;
use crate::estimator::Progress;
use crate::state::{parse_seed, DemoState};
use plotters::prelude::IntoDrawingArea;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlCanvasElement, HtmlElement, HtmlInputElement, KeyboardEvent};
use web_time::Duration;

/// Stepping plus drawing one demo should fit in this many milliseconds: a frame then stays far
/// enough under 50 ms that a busy machine (which stretches every task) does not push it over.
const VIEW_TARGET_MS: f64 = 10.0;
/// Bounds on the stepping slice: the target less the recent draw time, within these.
const STEP_MIN_MS: f64 = 2.0;
const STEP_MAX_MS: f64 = 6.0;
/// Work for all demos together in one frame (steps and draws); the first demo always gets a turn.
const FRAME_BUDGET_MS: f64 = 14.0;
/// A demo whose picture takes longer than this to draw (moving average) draws in frames of its
/// own while it plays: frames alternate between a step and a draw, so the longest task is the
/// larger of the two instead of their sum (the MNIST demo's four panels take 10-20 ms).
const DRAW_ALONE_MS: f64 = 5.0;

pub type ViewRef = Rc<RefCell<DemoView>>;

/// A view's place on the page, measured at the start of a frame.
#[derive(Clone, Copy)]
struct Geometry {
    near: bool,
    width: u32,
}

pub struct DemoView {
    pub instance: String,
    /// The values the chapter block (or element attributes) gave; the hash records differences.
    pub base: DemoState,
    pub state: DemoState,
    demo: AnyDemo,
    playing: bool,
    /// What the last step returned: a finished demo restarts when Play is pressed.
    progress: Progress,
    dirty: bool,
    pub section: HtmlElement,
    canvas: HtmlCanvasElement,
    play: HtmlElement,
    status: HtmlElement,
    metrics: HtmlElement,
    /// The collapsed "Python equivalent" box and its `<code>`, rewritten only when the text changes.
    python_box: HtmlElement,
    python_code: HtmlElement,
    seed: HtmlInputElement,
    controls: Vec<Control>,
    /// The "your own CSV" box, for demos that take uploads.
    upload_box: Option<UploadBox>,
    /// Save and load the network, for demos that train one.
    model_box: Option<ModelBox>,
    /// Event handlers; dropped with the view (the page calls `detach` before discarding it).
    handlers: Vec<Closure<dyn FnMut(Event)>>,
    /// Called after every change the reader makes (the page rewrites the URL hash).
    on_change: Rc<dyn Fn()>,
    slowest_draw_ms: f64,
    /// Recent draw time (moving average): a demo that draws slowly steps for less time.
    draw_ms: f64,
}

/// A demo waiting for its turn to be mounted (a chapter mounts one or two per frame).
struct Pending {
    host: HtmlElement,
    demo: String,
    instance: String,
    base: DemoState,
    state: DemoState,
    on_change: Rc<dyn Fn()>,
}

thread_local! {
    static VIEWS: RefCell<Vec<ViewRef>> = const { RefCell::new(Vec::new()) };
    static PENDING: RefCell<std::collections::VecDeque<Pending>> =
        const { RefCell::new(std::collections::VecDeque::new()) };
    /// Called once the pending queue is empty.
    static WHEN_MOUNTED: RefCell<Option<Box<dyn FnOnce()>>> = const { RefCell::new(None) };
    static LOOP_RUNNING: Cell<bool> = const { Cell::new(false) };
}

/// Mounts a demo into `host` (its contents are replaced) and starts the frame loop if needed.
pub fn mount(
    host: &HtmlElement,
    demo_id: &str,
    instance: &str,
    base: DemoState,
    state: DemoState,
    on_change: Rc<dyn Fn()>,
) -> Result<ViewRef> {
    let spec = demos::spec(demo_id)?;
    let demo = demos::create(spec.id, &state.params, state.seed)?;
    let section: HtmlElement = make("section", "ml-demo")?;
    section
        .set_attribute("data-demo", spec.id)
        .map_err(dom::js)?;
    section
        .set_attribute("data-instance", instance)
        .map_err(dom::js)?;
    let title = with_text(make::<HtmlElement>("h3", "demo-title")?, spec.title);
    append(&section, &title)?;

    let controls_box = dom::div("demo-controls")?;
    let mut controls = Vec::new();
    for p in spec.params {
        let c = controls::build(p, instance)?;
        if state.hidden.iter().any(|h| h == p.key) {
            c.root.set_hidden(true);
        }
        append(&controls_box, &c.root)?;
        controls.push(c);
    }
    let upload_box = match spec.upload {
        Some(kind) => {
            let b = upload::build(kind, instance)?;
            append(&controls_box, &b.root)?;
            Some(b)
        }
        None => None,
    };
    let model_box = if demo.saves_model() {
        let b = model_box::build(instance)?;
        append(&controls_box, &b.root)?;
        Some(b)
    } else {
        None
    };
    let buttons = dom::div("demo-buttons")?;
    let play: HtmlElement = with_text(make("button", "play")?, "Play");
    let step: HtmlElement = with_text(make("button", "step")?, "Step");
    let reset: HtmlElement = with_text(make("button", "reset")?, "Reset");
    let seed_label: HtmlElement = with_text(make("label", "seed-label")?, "Seed ");
    let seed: HtmlInputElement = make("input", "seed")?;
    seed.set_type("number");
    seed.set_min("0");
    seed.set_step("1");
    seed.set_attribute("aria-label", "random seed")
        .map_err(dom::js)?;
    append(&seed_label, &seed)?;
    let reseed: HtmlElement = with_text(make("button", "reseed")?, "New seed");
    let seed_error: HtmlElement = dom::div("control-error seed-error")?;
    seed_error.set_hidden(true);
    for b in [&play, &step, &reset, &seed_label, &reseed] {
        append(&buttons, b)?;
    }
    append(&buttons, &seed_error)?;
    append(&controls_box, &buttons)?;
    append(&section, &controls_box)?;

    let status: HtmlElement = dom::div("demo-status")?;
    status
        .set_attribute("aria-live", "polite")
        .map_err(dom::js)?;
    append(&section, &status)?;
    let figure = dom::div("demo-figure")?;
    let canvas: HtmlCanvasElement = make("canvas", "demo-canvas")?;
    canvas.set_attribute("role", "img").map_err(dom::js)?;
    canvas
        .set_attribute("aria-label", spec.title)
        .map_err(dom::js)?;
    append(&figure, &canvas)?;
    append(&section, &figure)?;
    let metrics = dom::div("demo-metrics")?;
    append(&section, &metrics)?;
    let (python_box, python_code, copy) = python_box()?;
    append(&section, &python_box)?;

    host.set_inner_html("");
    append(host, &section)?;

    let playing = demo.autoplay();
    let view = Rc::new(RefCell::new(DemoView {
        instance: instance.to_string(),
        base,
        state,
        demo,
        playing,
        progress: Progress::Running,
        dirty: true,
        section,
        canvas,
        play,
        status,
        metrics,
        python_box,
        python_code,
        seed,
        controls,
        upload_box,
        model_box,
        handlers: Vec::new(),
        on_change,
        slowest_draw_ms: 0.0,
        draw_ms: 0.0,
    }));
    wire(&view, &step, &reset, &reseed, &seed_error)?;
    wire_copy(&view, &copy)?;
    wire_upload(&view)?;
    wire_model(&view)?;
    {
        let v = view.borrow();
        v.show_python();
        v.show_state();
        v.show_playing();
        v.show_metrics(); // before the first draw, which waits until the demo is scrolled near
    }
    VIEWS.with(|vs| vs.borrow_mut().push(view.clone()));
    start_loop();
    Ok(view)
}

/// `<details class="demo-python">`: a summary, a Copy button and `<pre><code>`, filled by
/// `show_python`.
fn python_box() -> Result<(HtmlElement, HtmlElement, HtmlElement)> {
    let details: HtmlElement = make("details", "demo-python")?;
    details.set_hidden(true);
    let summary = with_text(make::<HtmlElement>("summary", "")?, "Python equivalent");
    let copy: HtmlElement = with_text(make("button", "copy")?, "Copy");
    copy.set_attribute("type", "button").map_err(dom::js)?;
    let pre: HtmlElement = make("pre", "")?;
    let code: HtmlElement = make("code", "language-python")?;
    append(&pre, &code)?;
    for child in [&summary, &copy, &pre] {
        append(&details, child)?;
    }
    Ok((details, code, copy))
}

/// Copy puts the script on the clipboard where the page may write to it, and selects it either
/// way, so Ctrl+C / Cmd+C works where the clipboard is closed (plain http, old browsers).
fn wire_copy(view: &ViewRef, copy: &HtmlElement) -> Result<()> {
    let code = view.borrow().python_code.clone();
    let button = copy.clone();
    listen(view, copy, "click", move |_| {
        let Ok(w) = dom::window() else {
            return;
        };
        if let Ok(Some(selection)) = w.get_selection() {
            let _ = selection.select_all_children(&code);
        }
        let navigator = w.navigator();
        let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
            .is_ok_and(|c| !c.is_undefined());
        if has_clipboard {
            let text = code.text_content().unwrap_or_default();
            let _ = navigator.clipboard().write_text(&text);
            button.set_text_content(Some("Copied"));
        } else {
            button.set_text_content(Some("Selected: press Ctrl+C"));
        }
    })
}

/// The upload box: a chosen file is read (off the main thread, by the browser) and checked; the
/// column pickers re-check their choice; the clear button goes back to the demo's own data. A
/// problem is shown under the box and the demo keeps what it was running on.
fn wire_upload(view: &ViewRef) -> Result<()> {
    let Some(b) = view.borrow().upload_box.clone() else {
        return Ok(());
    };
    let (vr, input) = (view.clone(), b.input.clone());
    listen(view, &b.input, "change", move |_| {
        let Some(file) = input.files().and_then(|list| list.get(0)) else {
            return;
        };
        // Choosing the same file again (after fixing it) fires `change` again.
        input.set_value("");
        read_file(&vr, file, FileFor::Data);
    })?;
    for (i, select) in b.selects.iter().enumerate() {
        let vr = view.clone();
        listen(view, select, "change", move |_| {
            update(&vr, |v| {
                let (Some(b), Some(current)) = (&v.upload_box, v.state.params.upload()) else {
                    return;
                };
                let (mut features, target) = b.picked();
                // Picking for one axis the other axis's column swaps the two.
                let before = current.feature_names();
                if let Some(j) =
                    (0..before.len()).find(|&j| j != i && features.get(i) == Some(&before[j]))
                {
                    features[j].clone_from(&before[i]);
                }
                let picked = current.with_columns(&features, &target);
                v.use_upload(picked.map(|u| Some(Arc::new(u))));
            })
        })?;
    }
    let vr = view.clone();
    listen(view, &b.clear, "click", move |_| {
        update(&vr, |v| v.use_upload(Ok(None)))
    })?;
    Ok(())
}

/// Save and load buttons of the network box.
fn wire_model(view: &ViewRef) -> Result<()> {
    let Some(b) = view.borrow().model_box.clone() else {
        return Ok(());
    };
    let vr = view.clone();
    listen(view, &b.save, "click", move |_| {
        let Ok(v) = vr.try_borrow() else {
            return;
        };
        let saved = v.demo.model_json().and_then(|text| {
            model_box::download(&format!("{}-network.json", v.demo.spec().id), &text)
        });
        if let Some(b) = &v.model_box {
            b.set_error(saved.err().map(|e| e.to_string()).as_deref());
        }
    })?;
    let (vr, input) = (view.clone(), b.input.clone());
    listen(view, &b.input, "change", move |_| {
        let Some(file) = input.files().and_then(|list| list.get(0)) else {
            return;
        };
        input.set_value("");
        read_file(&vr, file, FileFor::Model);
    })?;
    Ok(())
}

/// What a file the reader picked is for.
#[derive(Clone, Copy)]
enum FileFor {
    /// A CSV for the upload box.
    Data,
    /// A saved network for the network box.
    Model,
}

/// Reads `file` as text with a `FileReader` and hands it to the view; problems are shown under
/// the box the file was picked in.
fn read_file(view: &ViewRef, file: web_sys::File, purpose: FileFor) {
    let fail = move |view: &ViewRef, message: String| {
        if let Ok(v) = view.try_borrow() {
            match purpose {
                FileFor::Data => v.upload_box.as_ref().map(|b| b.set_error(Some(&message))),
                FileFor::Model => v.model_box.as_ref().map(|b| b.set_error(Some(&message))),
            };
        }
    };
    let (limit, what) = match purpose {
        FileFor::Data => (MAX_BYTES, "uploads are limited to"),
        FileFor::Model => (model_box::MAX_BYTES, "saved networks are read up to"),
    };
    if file.size() > limit {
        fail(
            view,
            format!(
                "{} is {:.1} MB; {what} {:.0} MB",
                file.name(),
                file.size() / 1048576.0,
                limit / 1048576.0
            ),
        );
        return;
    }
    let reader = match web_sys::FileReader::new() {
        Ok(r) => r,
        Err(e) => return fail(view, dom::js(e).to_string()),
    };
    let name = file.name();
    let (vr, r) = (view.clone(), reader.clone());
    let onload = Closure::once_into_js(move || match r.result().ok().and_then(|t| t.as_string()) {
        Some(text) => update(&vr, |v| match purpose {
            FileFor::Data => v.load_upload(&name, &text),
            FileFor::Model => v.load_model(&name, &text),
        }),
        None => fail(&vr, "the file could not be read as text".into()),
    });
    let vr = view.clone();
    let onerror =
        Closure::once_into_js(move || fail(&vr, "the browser could not read the file".into()));
    reader.set_onload(Some(onload.unchecked_ref()));
    reader.set_onerror(Some(onerror.unchecked_ref()));
    if let Err(e) = reader.read_as_text(&file) {
        fail(view, dom::js(e).to_string());
    }
}

/// Queues a demo to be mounted from the frame loop, so that a chapter with many demos is built
/// over several frames instead of in one long task. A demo that cannot start says so in `host`.
pub fn mount_later(
    host: &HtmlElement,
    demo: &str,
    instance: &str,
    base: DemoState,
    state: DemoState,
    on_change: Rc<dyn Fn()>,
) {
    PENDING.with(|p| {
        p.borrow_mut().push_back(Pending {
            host: host.clone(),
            demo: demo.to_string(),
            instance: instance.to_string(),
            base,
            state,
            on_change,
        })
    });
    start_loop();
}

/// Runs `f` once every queued demo is mounted (at once when none is queued).
pub fn when_mounted(f: Box<dyn FnOnce()>) {
    if PENDING.with(|p| p.borrow().is_empty()) {
        f();
    } else {
        WHEN_MOUNTED.with(|w| *w.borrow_mut() = Some(f));
    }
}

/// Mounts queued demos until `deadline` (always at least one); reports when the queue empties.
fn mount_pending(deadline: f64) {
    loop {
        let Some(p) = PENDING.with(|q| q.borrow_mut().pop_front()) else {
            break;
        };
        if let Err(e) = mount(&p.host, &p.demo, &p.instance, p.base, p.state, p.on_change) {
            p.host
                .set_text_content(Some(&format!("This demo could not start: {e}")));
            p.host.set_class_name("demo-error");
        }
        if PENDING.with(|q| q.borrow().is_empty()) {
            if let Some(f) = WHEN_MOUNTED.with(|w| w.borrow_mut().take()) {
                f();
            }
            break;
        }
        if now_ms() >= deadline {
            break;
        }
    }
}

/// Every demo's instance, defaults and current state, mounted or still queued, in page order.
pub fn states() -> Vec<(String, DemoState, DemoState)> {
    let mut out: Vec<_> = views()
        .iter()
        .filter_map(|v| {
            v.try_borrow()
                .ok()
                .map(|v| (v.instance.clone(), v.base.clone(), v.state.clone()))
        })
        .collect();
    PENDING.with(|p| {
        out.extend(
            p.borrow()
                .iter()
                .map(|p| (p.instance.clone(), p.base.clone(), p.state.clone())),
        )
    });
    out
}

/// Removes every mounted view (before a chapter is replaced) and frees their handlers.
pub fn clear() {
    PENDING.with(|p| p.borrow_mut().clear());
    WHEN_MOUNTED.with(|w| w.borrow_mut().take());
    let old = VIEWS.with(|vs| std::mem::take(&mut *vs.borrow_mut()));
    for v in old {
        if let Ok(mut v) = v.try_borrow_mut() {
            v.handlers.clear();
        }
    }
}

pub fn views() -> Vec<ViewRef> {
    VIEWS.with(|vs| vs.borrow().clone())
}

fn listen(
    view: &ViewRef,
    target: &web_sys::EventTarget,
    event: &str,
    f: impl FnMut(Event) + 'static,
) -> Result<()> {
    let closure = Closure::<dyn FnMut(Event)>::new(f);
    target
        .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())
        .map_err(dom::js)?;
    view.borrow_mut().handlers.push(closure);
    Ok(())
}

/// Runs `f` on the view, then tells the page its state changed (outside the borrow).
fn update(view: &ViewRef, f: impl FnOnce(&mut DemoView)) {
    let on_change = {
        let Ok(mut v) = view.try_borrow_mut() else {
            return;
        };
        f(&mut v);
        v.on_change.clone()
    };
    on_change();
}

fn wire(
    view: &ViewRef,
    step: &HtmlElement,
    reset: &HtmlElement,
    reseed: &HtmlElement,
    seed_error: &HtmlElement,
) -> Result<()> {
    let n = view.borrow().controls.len();
    for i in 0..n {
        let (range, entry, select, checkbox) = {
            let v = view.borrow();
            let c = &v.controls[i];
            (
                c.range.clone(),
                c.entry.clone(),
                c.select.clone(),
                c.checkbox.clone(),
            )
        };
        if let Some(r) = range {
            let vr = view.clone();
            listen(view, &r, "input", move |_| {
                update(&vr, |v| {
                    if let Some(text) = v.controls[i].slider_text() {
                        v.set_param(i, &text);
                    }
                })
            })?;
        }
        if let Some(e) = entry {
            let vr = view.clone();
            listen(view, &e, "change", move |_| {
                update(&vr, |v| v.set_param(i, &v.controls[i].input_text()))
            })?;
            let vr = view.clone();
            // Enter applies at once (an empty or half-typed number fires no `change` in Chromium).
            listen(view, &e, "keydown", move |ev| {
                if ev
                    .dyn_ref::<KeyboardEvent>()
                    .is_some_and(|k| k.key() == "Enter")
                {
                    ev.prevent_default();
                    update(&vr, |v| v.set_param(i, &v.controls[i].input_text()));
                }
            })?;
        }
        for input in [
            select.map(|s| s.unchecked_into::<web_sys::EventTarget>()),
            checkbox.map(|c| c.unchecked_into()),
        ]
        .into_iter()
        .flatten()
        {
            let vr = view.clone();
            listen(view, &input, "change", move |_| {
                update(&vr, |v| v.set_param(i, &v.controls[i].input_text()))
            })?;
        }
    }
    let play = view.borrow().play.clone();
    let vr = view.clone();
    listen(view, &play, "click", move |_| {
        if let Ok(mut v) = vr.try_borrow_mut() {
            if !v.playing && v.progress != Progress::Running {
                v.rebuild();
            }
            v.playing = !v.playing;
            v.show_playing();
        }
    })?;
    let vr = view.clone();
    listen(view, step, "click", move |_| {
        if let Ok(mut v) = vr.try_borrow_mut() {
            v.playing = false;
            v.progress = v.demo.tick();
            v.dirty = true;
            v.show_playing();
            v.show_metrics();
        }
    })?;
    let vr = view.clone();
    listen(view, reset, "click", move |_| update(&vr, |v| v.rebuild()))?;
    let seed = view.borrow().seed.clone();
    let (vr, err) = (view.clone(), seed_error.clone());
    listen(view, &seed, "change", move |_| {
        update(&vr, |v| match parse_seed(&v.seed.value()) {
            Ok(s) => {
                err.set_hidden(true);
                v.state.seed = s;
                v.rebuild();
            }
            Err(e) => {
                err.set_text_content(Some(&e.to_string()));
                err.set_hidden(false);
                v.seed.set_value(&v.state.seed.to_string());
            }
        })
    })?;
    let vr = view.clone();
    listen(view, reseed, "click", move |_| {
        update(&vr, |v| {
            // A new seed the reader can share: derived from the old one, so no clock is involved.
            v.state.seed = (v
                .state
                .seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407)
                >> 40)
                % 100_000;
            v.rebuild();
        })
    })?;
    Ok(())
}

impl DemoView {
    /// Applies the text of control `i`; a bad value shows an error next to it and keeps the old one.
    fn set_param(&mut self, i: usize, text: &str) {
        let key = self.controls[i].spec.key;
        let before = self.state.params.get(key).cloned();
        match self.state.params.set(key, text) {
            Ok(()) => {
                self.controls[i].set_error(None);
                // The browser fires `change` again when an entry loses focus: the same value
                // must not restart a run (or drop a loaded network).
                if self.state.params.get(key) != before.as_ref()
                    && !self.demo.set_live(key, &self.state.params)
                {
                    self.rebuild();
                }
            }
            Err(e) => self.controls[i].set_error(Some(&e.to_string())),
        }
        if let Some(v) = self.state.params.get(key) {
            self.controls[i].show(v);
        }
    }

    /// Parses an uploaded file for this demo and runs the demo on it.
    fn load_upload(&mut self, name: &str, text: &str) {
        let Some(kind) = self.demo.spec().upload else {
            return;
        };
        let read = Upload::read(name, text, kind).map_err(|e| crate::error::Error::Data {
            column: None,
            message: format!("{name}: {e}"),
        });
        self.use_upload(read.map(|u| Some(Arc::new(u))));
    }

    /// Carries on from a saved network; if it does not fit, the reason is shown under the network
    /// box and the demo keeps its own.
    fn load_model(&mut self, name: &str, text: &str) {
        let Some(b) = self.model_box.clone() else {
            return;
        };
        match self.demo.load_model_json(text) {
            Ok(()) => {
                b.set_error(None);
                b.show_loaded(Some(name));
                self.progress = Progress::Running;
                self.show_all();
            }
            Err(e) => b.set_error(Some(&format!("{name}: {e}"))),
        }
    }

    /// Runs the demo on `upload` (`None`: its own data). If the file was refused or the demo
    /// cannot start on it, the reason is shown under the upload box and nothing else changes.
    fn use_upload(&mut self, upload: Result<Option<Arc<Upload>>>) {
        let Some(b) = self.upload_box.clone() else {
            return;
        };
        let mut params = self.state.params.clone();
        let started = upload.and_then(|u| {
            params.set_upload(u);
            demos::create(self.demo.spec().id, &params, self.state.seed)
        });
        match started {
            Ok(d) => {
                b.set_error(None);
                self.state.params = params;
                self.install(d);
            }
            Err(e) => b.set_error(Some(&e.to_string())),
        }
        let upload = self.state.params.upload();
        let _ = b.show(upload);
        let why = upload.map(|u| format!("Not used while the demo runs on {}", u.file));
        for c in &self.controls {
            if GENERATED_DATA_KEYS.contains(&c.spec.key) {
                c.set_disabled(why.as_deref());
            }
        }
        self.show_all();
    }

    /// Recreates the demo from the current state (same seed, same run) and keeps playing if it was.
    fn rebuild(&mut self) {
        match demos::create(self.demo.spec().id, &self.state.params, self.state.seed) {
            Ok(d) => self.install(d),
            Err(e) => {
                self.status.set_text_content(Some(&e.to_string()));
                self.status.class_list().add_1("error").ok();
            }
        }
        self.show_all();
    }

    /// Runs `d` from its start in place of the current demo (still playing if it was).
    fn install(&mut self, d: AnyDemo) {
        self.playing = self.playing || d.autoplay();
        self.progress = Progress::Running;
        self.demo = d;
        if let Some(b) = &self.model_box {
            b.show_loaded(None);
            b.set_error(None);
        }
        self.status.set_text_content(None);
        self.status.class_list().remove_1("error").ok();
    }

    /// Brings every part of the view up to date with the demo and the state, and redraws.
    fn show_all(&mut self) {
        self.show_python();
        self.show_state();
        self.show_playing();
        self.show_metrics();
        self.dirty = true;
    }

    /// Shows the demo's Python equivalent; the DOM is touched only when the text changed.
    fn show_python(&self) {
        let Some(text) = self.demo.python() else {
            self.python_box.set_hidden(true);
            return;
        };
        self.python_box.set_hidden(false);
        if self.python_code.text_content().as_deref() != Some(text.as_str()) {
            self.python_code.set_text_content(Some(&text));
            if let Some(copy) = self.python_box.query_selector(".copy").ok().flatten() {
                copy.set_text_content(Some("Copy"));
            }
        }
    }

    fn show_state(&self) {
        for c in &self.controls {
            if let Some(v) = self.state.params.get(c.spec.key) {
                c.show(v);
            }
        }
        self.seed.set_value(&self.state.seed.to_string());
    }

    fn show_playing(&self) {
        self.play
            .set_text_content(Some(if self.playing { "Pause" } else { "Play" }));
        let _ = if self.playing {
            self.section.class_list().add_1("running")
        } else {
            self.section.class_list().remove_1("running")
        };
    }

    /// Where the view is on the page. Read for every view before any of them changes the DOM, so
    /// a frame costs at most one layout.
    fn measure(&self) -> Geometry {
        let screen = dom::window()
            .ok()
            .and_then(|w| w.inner_height().ok())
            .and_then(|h| h.as_f64())
            .unwrap_or(1000.0);
        let rect = self.section.get_bounding_client_rect();
        Geometry {
            // On screen or within one screen of it: further away, a demo neither steps nor draws.
            near: rect.bottom() > -screen && rect.top() < 2.0 * screen,
            width: self.canvas.client_width().max(0) as u32,
        }
    }

    /// One animation frame: a bounded slice of work, then a redraw if anything changed.
    /// `may_work` is false once the frame's shared budget is spent.
    fn frame(&mut self, at: Geometry, may_work: bool) {
        if !may_work || !at.near {
            return;
        }
        // GPU results: take in what has arrived (paused too), start reading what is new.
        if self.demo.poll() {
            self.dirty = true;
        }
        for t in self.demo.gpu_reads() {
            wasm_bindgen_futures::spawn_local(async move {
                // A failed read leaves the GPU's failure for the demo to see and fall back.
                let _ = t.read().await;
            });
        }
        if at.width > 0 && at.width != self.canvas_css_width() {
            self.dirty = true;
        }
        let draw_alone = self.draw_ms > DRAW_ALONE_MS;
        let draw_due = self.dirty && at.width > 0;
        if self.playing && !(draw_alone && draw_due) {
            let budget = if draw_alone {
                STEP_MAX_MS
            } else {
                (VIEW_TARGET_MS - self.draw_ms).clamp(STEP_MIN_MS, STEP_MAX_MS)
            };
            self.progress = self.demo.step(Duration::from_secs_f64(budget / 1000.0));
            if self.progress != Progress::Running {
                self.playing = false;
                self.show_playing();
            }
            self.dirty = true;
            if draw_alone {
                return;
            }
        }
        if self.dirty && at.width > 0 {
            self.dirty = false;
            self.draw(at.width);
        }
    }

    fn canvas_css_width(&self) -> u32 {
        let dpr = dom::window()
            .map(|w| w.device_pixel_ratio())
            .unwrap_or(1.0)
            .max(0.5);
        (self.canvas.width() as f64 / dpr).round() as u32
    }

    fn draw(&mut self, width: u32) {
        let started = now_ms();
        let dpr = dom::window()
            .map(|w| w.device_pixel_ratio())
            .unwrap_or(1.0)
            .max(0.5);
        let height = self.demo.height_for_width(width);
        let drawn = match WebCanvas::new(&self.canvas, (width, height), dpr) {
            Some(backend) => self.demo.draw(&backend.into_drawing_area()),
            None => Err(crate::Error::Draw("no 2D canvas context".into())),
        };
        if drawn.is_ok() && !self.section.has_attribute("data-drawn") {
            // Marks the first picture (benchmarks time it; tests may wait for it).
            let _ = self.section.set_attribute("data-drawn", "1");
        }
        let message = match drawn {
            Ok(()) => self.demo.status(),
            Err(e) => Some(format!("Could not draw: {e}")),
        };
        if self.status.text_content().as_deref() != message.as_deref() {
            self.status.set_text_content(message.as_deref());
        }
        let notes = self.demo.notes();
        for c in &self.controls {
            let note = notes.iter().find(|(k, _)| *k == c.spec.key);
            c.set_note(note.map(|(_, n)| n.as_str()));
        }
        self.show_metrics();
        // The slowest draw so far, for benchmarks and for readers curious about the cost.
        let took = now_ms() - started;
        self.draw_ms = 0.7 * self.draw_ms + 0.3 * took;
        if took > self.slowest_draw_ms {
            self.slowest_draw_ms = took;
            let _ = self
                .section
                .set_attribute("data-slowest-draw-ms", &format!("{took:.1}"));
        }
    }

    /// Writes the metrics panel: the whole list when the set of metrics changes, otherwise only the
    /// values that changed (a frame then touches a few text nodes, not the page's layout).
    fn show_metrics(&self) {
        let metrics = self.demo.metrics();
        let values = self.metrics.query_selector_all(".metric .value").ok();
        let same_keys = values.as_ref().is_some_and(|list| {
            list.length() as usize == metrics.len()
                && metrics.iter().enumerate().all(|(i, m)| {
                    list.item(i as u32)
                        .and_then(|n| n.parent_element())
                        .and_then(|p| p.parent_element())
                        .and_then(|div| div.get_attribute("data-metric"))
                        .as_deref()
                        == Some(m.key)
                })
        });
        if let (true, Some(list)) = (same_keys, values) {
            for (i, m) in metrics.iter().enumerate() {
                if let Some(node) = list.item(i as u32) {
                    if node.text_content().as_deref() != Some(m.text.as_str()) {
                        node.set_text_content(Some(&m.text));
                    }
                }
            }
            return;
        }
        let mut html = String::from("<dl>");
        for m in &metrics {
            html.push_str(&format!(
                "<div class=\"metric\" data-metric=\"{}\"><dt>{}</dt><dd class=\"value\">{}</dd></div>",
                m.key,
                escape(m.label),
                escape(&m.text)
            ));
        }
        html.push_str("</dl>");
        self.metrics.set_inner_html(&html);
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn now_ms() -> f64 {
    dom::window()
        .ok()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The frame closure, shared with itself so that it can request the next frame.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut()>>>>;

fn start_loop() {
    if LOOP_RUNNING.with(|r| r.replace(true)) {
        return;
    }
    let callback: FrameCallback = Rc::new(RefCell::new(None));
    let again = callback.clone();
    let mut first_view = 0usize;
    *callback.borrow_mut() = Some(Closure::new(move || {
        let start = now_ms();
        mount_pending(start + FRAME_BUDGET_MS / 2.0);
        let all = views();
        // Start with a different view each frame, so one that misses the budget goes first next.
        first_view = first_view.wrapping_add(1);
        let n = all.len();
        let order: Vec<usize> = (0..n).map(|i| (first_view + i) % n.max(1)).collect();
        let places: Vec<Option<Geometry>> = order
            .iter()
            .map(|&i| all[i].try_borrow().ok().map(|v| v.measure()))
            .collect();
        for (k, (&i, at)) in order.iter().zip(places).enumerate() {
            if let (Ok(mut v), Some(at)) = (all[i].try_borrow_mut(), at) {
                v.frame(at, k == 0 || now_ms() - start < FRAME_BUDGET_MS);
            }
        }
        if let (Ok(w), Some(cb)) = (dom::window(), again.borrow().as_ref()) {
            let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    let first = callback.borrow();
    if let (Ok(w), Some(cb)) = (dom::window(), first.as_ref()) {
        let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
    }
}
