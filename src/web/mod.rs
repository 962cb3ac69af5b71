//! The page (wasm only). On start it looks at `<body data-page>`: `site` mounts the chapter
//! reader, `embed` a single demo from the URL hash; every page also registers the `<ml-demo>`
//! custom element. Every exported function returns `Result<_, JsError>`.

// Public so that the in-browser tests (tests/web.rs) can drive them.
pub mod canvas;
pub mod controls;
pub mod dom;
mod element;
mod model_box;
mod page;
mod upload;
pub mod view;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsError> {
    console_error_panic_hook::set_once();
    element::register()?;
    match dom::document()?
        .body()
        .and_then(|b| b.get_attribute("data-page"))
        .as_deref()
    {
        Some("site") => page::start_site()?,
        Some("embed") => page::start_embed()?,
        _ => {}
    }
    Ok(())
}

/// Every demo's id, title, chapter and parameter specs, for pages that build their own UI.
#[wasm_bindgen]
pub fn demo_specs() -> Result<JsValue, JsError> {
    let specs = crate::demos::all_specs();
    serde_wasm_bindgen::to_value(&specs).map_err(|e| JsError::new(&e.to_string()))
}

/// Mounts demo `demo` inside `host` with `key=value` settings (as the `<ml-demo>` element does).
#[wasm_bindgen]
pub fn mount_demo(
    host: web_sys::HtmlElement,
    demo: &str,
    settings: js_sys::Object,
) -> Result<(), JsError> {
    let mut pairs = Vec::new();
    for entry in js_sys::Object::entries(&settings).iter() {
        let entry = js_sys::Array::from(&entry);
        let key = entry.get(0).as_string().unwrap_or_default();
        let value = entry.get(1);
        let text = value
            .as_string()
            .or_else(|| value.as_f64().map(|v| v.to_string()))
            .or_else(|| value.as_bool().map(|b| b.to_string()));
        pairs.push((key, text.unwrap_or_default()));
    }
    element::mount_with(&host, demo, &pairs)?;
    Ok(())
}

/// Fits estimator `name` on `csv` (text with a header row) as `mlplay fit` does and returns the
/// same JSON text, `fit_ms` included; `sets_json` is an object of `--set` overrides such as
/// `{"alpha": 1.0}`. Used by `scripts/bench wasm` to time fits in the browser.
#[wasm_bindgen]
pub fn fit_json(
    name: &str,
    csv: &str,
    target: Option<String>,
    sets_json: &str,
) -> Result<String, JsError> {
    let sets: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(sets_json).map_err(|e| JsError::new(&format!("sets: {e}")))?;
    // `--set` values are text; JSON strings lose their quotes, numbers and booleans print as is.
    let sets: Vec<(String, String)> = sets
        .into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => (k, s),
            v => (k, v.to_string()),
        })
        .collect();
    let out = crate::fit::fit_csv(name, csv, target.as_deref(), &sets, None)?;
    Ok(out.to_string())
}

/// The MLP benchmark of `scripts/bench mlp` ([`crate::nn::MlpBench`]), driven and timed from
/// JavaScript.
#[wasm_bindgen]
pub struct MlpBench(crate::nn::MlpBench);

#[wasm_bindgen]
impl MlpBench {
    /// A 784-`hidden`-10 network on the 4000 MNIST training images in batches of `batch`.
    #[wasm_bindgen(constructor)]
    pub fn new(hidden: usize, batch: usize, seed: u32) -> Result<MlpBench, JsError> {
        Ok(MlpBench(crate::nn::MlpBench::new(
            hidden,
            batch,
            u64::from(seed),
        )?))
    }

    /// Trains on `batches` mini-batches; returns the last finished epoch's mean loss (or NaN).
    pub fn run(&mut self, batches: usize) -> Result<f32, JsError> {
        Ok(self.0.run(batches)?)
    }
}

/// The MLP benchmark on the page's GPU device (WebGPU), as the page trains there (no blocking,
/// results read back asynchronously): one warm-up run of `batches` mini-batches, then `repeat`
/// timed runs, each finished only when every batch's result has been read back. Resolves to
/// `{times_ms, loss, adapter, software}`; fails where the browser has no WebGPU.
#[wasm_bindgen]
pub async fn mlp_bench_gpu(
    hidden: usize,
    batch: usize,
    batches: usize,
    repeat: usize,
) -> Result<JsValue, JsError> {
    let info = crate::tensor::gpu::init().await?;
    let mut bench = crate::nn::MlpBench::new(hidden, batch, 0)?;
    bench.to_device(crate::tensor::Device::Gpu)?;
    let mut loss = bench.run_deferred(batches).await?;
    let mut times_ms = Vec::new();
    for _ in 0..repeat.max(1) {
        let start = web_time::Instant::now();
        loss = bench.run_deferred(batches).await?;
        times_ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let out = serde_json::json!({
        "times_ms": times_ms,
        "loss": loss,
        "adapter": info.name,
        "software": info.software,
    });
    // A plain object (to_value would make a Map of a JSON object).
    Ok(serde::Serialize::serialize(
        &out,
        &serde_wasm_bindgen::Serializer::json_compatible(),
    )?)
}

/// The 4000 MNIST training images the benchmark trains on, as 4000 x 784 pixels in 0..1, so that
/// TensorFlow.js trains on exactly the same numbers.
#[wasm_bindgen]
pub fn mnist_train_inputs() -> Result<js_sys::Float32Array, JsError> {
    let data = crate::data::bundled::mnist()?;
    let x = data.inputs(0..crate::data::bundled::MNIST_TRAIN)?.to_vec();
    Ok(js_sys::Float32Array::from(x.as_slice()))
}

/// The digits of the 4000 MNIST training images.
#[wasm_bindgen]
pub fn mnist_train_labels() -> Result<js_sys::Uint8Array, JsError> {
    let data = crate::data::bundled::mnist()?;
    Ok(js_sys::Uint8Array::from(
        &data.labels[..crate::data::bundled::MNIST_TRAIN],
    ))
}
