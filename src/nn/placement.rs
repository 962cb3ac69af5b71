//! Where a network trains: the reader's choice (Auto, CPU or GPU), the state of the GPU device
//! (opened the first time a choice needs it) and the rule Auto follows. A choice resolves to a
//! device and, where the reader asked for something they do not get, a note saying why.

use crate::error::{Error, Result};
use crate::tensor::gpu::{self, GpuInfo};
use crate::tensor::Device;
use std::sync::Mutex;

/// Multiply-adds per training step (weights times batch rows) from which Auto picks a hardware
/// GPU: below it, a step is a few dozen tiny kernels whose launch costs more than the CPU's work
/// (every playground network; the MNIST MLP with its default 128 neurons is 6.5 million).
pub const AUTO_GPU_WORK: usize = 1_000_000;

/// The reader's choice of device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceChoice {
    Auto,
    Cpu,
    Gpu,
}

impl DeviceChoice {
    /// The choice named `auto`, `cpu` or `gpu` (a demo's `device` control).
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "auto" => Ok(DeviceChoice::Auto),
            "cpu" => Ok(DeviceChoice::Cpu),
            "gpu" => Ok(DeviceChoice::Gpu),
            other => Err(Error::invalid("device", other, "auto, cpu or gpu")),
        }
    }
}

/// The GPU device as far as the page knows.
#[derive(Debug, Clone, PartialEq)]
pub enum GpuState {
    /// Nobody has needed it yet.
    Closed,
    /// `gpu::init` is running.
    Opening,
    Open(GpuInfo),
    /// No WebGPU, no adapter, or the device failed (the reason, for the reader).
    Unavailable(String),
}

static STATE: Mutex<GpuState> = Mutex::new(GpuState::Closed);

fn set_state(state: GpuState) {
    *STATE.lock().unwrap_or_else(|e| e.into_inner()) = state;
}

/// The GPU's state; an open device that has since failed counts as unavailable.
pub fn gpu_state() -> GpuState {
    let state = STATE.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match (state, gpu::failure()) {
        (GpuState::Open(_), Some(why)) => GpuState::Unavailable(why),
        (state, _) => state,
    }
}

/// Starts opening the GPU if nobody has: in the page in the background (the state is `Opening`
/// until it is done), natively at once.
pub fn open_gpu() {
    {
        let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
        if *state != GpuState::Closed {
            return;
        }
        *state = GpuState::Opening;
    }
    let done = |opened: Result<GpuInfo>| {
        set_state(match opened {
            Ok(info) => GpuState::Open(info),
            Err(e) => GpuState::Unavailable(reason(&e)),
        })
    };
    #[cfg(target_arch = "wasm32")]
    {
        let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into());
        let webgpu = navigator
            .and_then(|n| js_sys::Reflect::get(&n, &"gpu".into()))
            .is_ok_and(|g| !g.is_undefined() && !g.is_null());
        if !webgpu {
            return done(Err(Error::Gpu("this browser has no WebGPU".into())));
        }
        wasm_bindgen_futures::spawn_local(async move { done(gpu::init().await) });
    }
    #[cfg(not(target_arch = "wasm32"))]
    done(gpu::init_blocking());
}

/// Why the GPU could not be opened, in a few words for the note under the control (wgpu's own
/// messages go on to list every backend it did not try).
fn reason(e: &Error) -> String {
    let text = match e {
        Error::Gpu(text) => text.clone(),
        other => other.to_string(),
    };
    if text.starts_with("no GPU adapter") {
        return "the browser offers no GPU adapter".into();
    }
    text.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Marks the GPU as unavailable for `why`, as if WebGPU were missing (tests of the fallback; the
/// device stays open for code that uses it directly).
pub fn refuse_gpu(why: &str) {
    set_state(GpuState::Unavailable(why.to_string()));
}

/// What a choice comes to now.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub device: Device,
    /// Why the reader does not get the GPU they asked for (or are waiting for it).
    pub note: Option<String>,
}

/// Resolves `choice` for a model doing `work` multiply-adds per step, opening the GPU if the
/// choice needs it. Auto takes the GPU only when it is a hardware adapter and the work is at
/// least `AUTO_GPU_WORK`; a software adapter (SwiftShader, lavapipe) is slower than the CPU path.
pub fn resolve(choice: DeviceChoice, work: usize) -> Placement {
    let cpu = |note: Option<String>| Placement {
        device: Device::Cpu,
        note,
    };
    let wants = match choice {
        DeviceChoice::Cpu => false,
        DeviceChoice::Gpu => true,
        DeviceChoice::Auto => work >= AUTO_GPU_WORK,
    };
    if !wants {
        return cpu(None);
    }
    open_gpu();
    match (gpu_state(), choice) {
        (GpuState::Open(info), DeviceChoice::Auto) if info.software => cpu(None),
        (GpuState::Open(_), _) => Placement {
            device: Device::Gpu,
            note: None,
        },
        (_, DeviceChoice::Auto) => cpu(None),
        (GpuState::Opening | GpuState::Closed, _) => cpu(Some(
            "Opening the GPU; training on the CPU meanwhile.".into(),
        )),
        (GpuState::Unavailable(why), _) => cpu(Some(format!(
            "No GPU here ({why}); training on the CPU instead."
        ))),
    }
}
