//! The GPU device: a wgpu context (WebGPU in the page; Vulkan, Metal or DX12 natively, Mesa's
//! lavapipe in CI), a pool of storage buffers, and one WGSL file per kernel family.
//!
//! Every GPU tensor owns an immutable buffer. An operation records one compute pass into a shared
//! command encoder and returns at once; the encoder is submitted every `FLUSH_EVERY` passes and
//! before any readback, so a whole training step runs without waiting on the GPU. Reading values
//! back is asynchronous (`Tensor::read`); natively it may also block (`Tensor::to_vec`), which
//! the web never does.
//!
//! Buffers are never written with `Queue::write_buffer` (that would run before passes still
//! waiting in the encoder): uploads get a fresh buffer mapped at creation, and a buffer dropped
//! back into the pool is only ever rewritten by later passes, which the queue orders after the
//! earlier readers.
//!
//! Files: `kernels.rs` (one Rust function per kernel: parameters, grid size), `common.wgsl`
//! (parameters and bindings shared by every kernel), `elementwise.wgsl`, `matmul.wgsl`,
//! `reduce.wgsl`, `index.wgsl`.

// wgpu's handles are Send and Sync natively, where tests share one device across threads; on
// the web they are not, but a page's wasm runs on one thread.
#![cfg_attr(target_arch = "wasm32", allow(clippy::arc_with_non_send_sync))]

mod kernels;

pub(crate) use kernels::*;

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use wgpu::util::DeviceExt;

/// Passes recorded before the encoder is submitted without being asked to (keeps the GPU busy
/// while the CPU records the rest of a step).
const FLUSH_EVERY: u32 = 64;
/// Bytes of idle buffers the pool keeps; beyond it a dropped buffer is freed.
const POOL_BYTES: u64 = 256 << 20;

/// What the page and the benchmarks say about the adapter in use.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GpuInfo {
    /// The adapter's name, e.g. "NVIDIA H100" or "llvmpipe (LLVM 19.1.7, 256 bits)".
    pub name: String,
    /// "vulkan", "metal", "dx12" or "webgpu".
    pub backend: String,
    /// A software rasteriser (lavapipe, SwiftShader, WARP): correct but slower than the CPU path.
    pub software: bool,
    /// Largest buffer one kernel may bind, in bytes (the adapter's limit, requested in full).
    pub max_binding_bytes: u64,
}

/// The kernel families, one WGSL file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Family {
    Elementwise,
    Matmul,
    Reduce,
    Index,
}

impl Family {
    fn source(self) -> String {
        let body = match self {
            Family::Elementwise => include_str!("elementwise.wgsl"),
            Family::Matmul => include_str!("matmul.wgsl"),
            Family::Reduce => include_str!("reduce.wgsl"),
            Family::Index => include_str!("index.wgsl"),
        };
        format!("{}\n{body}", include_str!("common.wgsl"))
    }
}

#[derive(Default)]
struct Pool {
    free: HashMap<u64, Vec<wgpu::Buffer>>,
    bytes: u64,
}

struct Pending {
    encoder: Option<wgpu::CommandEncoder>,
    passes: u32,
}

/// One adapter, device and queue, with the compiled pipelines and the buffer pool.
pub(crate) struct GpuContext {
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: GpuInfo,
    modules: Mutex<HashMap<Family, wgpu::ShaderModule>>,
    pipelines: Mutex<HashMap<(Family, &'static str), wgpu::ComputePipeline>>,
    pool: Mutex<Pool>,
    pending: Mutex<Pending>,
    /// The first validation or out-of-memory error the device reported (wgpu's default would
    /// panic), and why the device was lost if it was.
    failure: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GpuContext({})", self.info.name)
    }
}

/// Poisoned locks only mean another thread panicked mid-update of a cache; the data stays usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn gpu_error(what: &str, detail: impl std::fmt::Display) -> Error {
    Error::Gpu(format!("{what}: {detail}"))
}

impl GpuContext {
    async fn new() -> Result<Self> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = if cfg!(target_arch = "wasm32") {
            wgpu::Backends::BROWSER_WEBGPU
        } else {
            wgpu::Backends::VULKAN | wgpu::Backends::METAL | wgpu::Backends::DX12
        };
        let instance = wgpu::Instance::new(desc);
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| gpu_error("no GPU adapter", e))?;
        let got = adapter.limits();
        // WebGPU's defaults (every WebGPU adapter offers them), except the buffer sizes: take all
        // the adapter has, so large tensors fit where the card allows.
        let limits = wgpu::Limits {
            max_storage_buffer_binding_size: got.max_storage_buffer_binding_size,
            max_buffer_size: got.max_buffer_size,
            ..wgpu::Limits::default()
        };
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("mlplay"),
                required_limits: limits.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| gpu_error("the GPU refused a device", e))?;
        let failure = Arc::new(Mutex::new(None::<String>));
        let sink = failure.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            lock(&sink).get_or_insert_with(|| e.to_string());
        }));
        let sink = failure.clone();
        device.set_device_lost_callback(move |reason, message| {
            lock(&sink).get_or_insert_with(|| format!("device lost ({reason:?}): {message}"));
        });
        let a = adapter.get_info();
        let info = GpuInfo {
            name: a.name.clone(),
            backend: a.backend.to_string(),
            software: a.device_type == wgpu::DeviceType::Cpu,
            max_binding_bytes: limits.max_storage_buffer_binding_size as u64,
        };
        Ok(GpuContext {
            device,
            queue,
            info,
            modules: Mutex::new(HashMap::new()),
            pipelines: Mutex::new(HashMap::new()),
            pool: Mutex::new(Pool::default()),
            pending: Mutex::new(Pending {
                encoder: None,
                passes: 0,
            }),
            failure,
        })
    }

    /// The error the device reported, if any (a failed kernel, running out of memory, loss).
    pub(crate) fn failure(&self) -> Option<String> {
        lock(&self.failure).clone()
    }

    fn check(&self) -> Result<()> {
        match self.failure() {
            Some(f) => Err(Error::Gpu(f)),
            None => Ok(()),
        }
    }

    fn pipeline(&self, family: Family, entry: &'static str) -> wgpu::ComputePipeline {
        if let Some(p) = lock(&self.pipelines).get(&(family, entry)) {
            return p.clone();
        }
        let module = lock(&self.modules)
            .entry(family)
            .or_insert_with(|| {
                self.device
                    .create_shader_module(wgpu::ShaderModuleDescriptor {
                        label: Some(entry),
                        source: wgpu::ShaderSource::Wgsl(family.source().into()),
                    })
            })
            .clone();
        let pipeline = self
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: None,
                module: &module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            });
        lock(&self.pipelines).insert((family, entry), pipeline.clone());
        pipeline
    }

    /// A storage buffer of at least `bytes`, from the pool when one of its size class is idle.
    fn buffer(self: &Arc<Self>, bytes: u64) -> Result<Arc<GpuBuffer>> {
        let size = self.size_class(bytes)?;
        let reused = {
            let mut pool = lock(&self.pool);
            let b = pool.free.get_mut(&size).and_then(Vec::pop);
            if b.is_some() {
                pool.bytes -= size;
            }
            b
        };
        let buffer = reused.unwrap_or_else(|| {
            self.device.create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size,
                usage: STORAGE_USAGE,
                mapped_at_creation: false,
            })
        });
        Ok(self.wrap(buffer, size))
    }

    /// The pooled size for `bytes`, or an error when that is beyond what one kernel may bind.
    fn size_class(&self, bytes: u64) -> Result<u64> {
        let size = size_class(bytes);
        if size > self.info.max_binding_bytes {
            return Err(Error::Gpu(format!(
                "a tensor of {:.1} MB is larger than this GPU's largest buffer binding ({:.1} MB)",
                bytes as f64 / 1e6,
                self.info.max_binding_bytes as f64 / 1e6
            )));
        }
        Ok(size)
    }

    fn wrap(self: &Arc<Self>, buffer: wgpu::Buffer, size: u64) -> Arc<GpuBuffer> {
        Arc::new(GpuBuffer {
            buffer: Some(buffer),
            size,
            ctx: self.clone(),
        })
    }

    /// A new buffer holding `data` (mapped at creation, so it cannot overtake queued passes).
    pub(crate) fn upload<T: bytemuck::Pod>(self: &Arc<Self>, data: &[T]) -> Result<Arc<GpuBuffer>> {
        let bytes = std::mem::size_of_val(data) as u64;
        let size = self.size_class(bytes)?;
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size,
            usage: STORAGE_USAGE,
            mapped_at_creation: true,
        });
        if !data.is_empty() {
            let mut view = buffer
                .slice(..bytes)
                .get_mapped_range_mut()
                .map_err(|e| gpu_error("mapping an upload buffer", e))?;
            view.copy_from_slice(bytemuck::cast_slice(data));
        }
        buffer.unmap();
        Ok(self.wrap(buffer, size))
    }

    /// Records one compute pass of `entry` over `groups` workgroups with `params` (at most 32
    /// words) and `inputs` bound after the output.
    pub(crate) fn dispatch(
        &self,
        family: Family,
        entry: &'static str,
        params: &[u32],
        output: &GpuBuffer,
        inputs: &[&GpuBuffer],
        groups: [u32; 3],
    ) {
        let pipeline = self.pipeline(family, entry);
        let mut words = [0u32; 32];
        words[..params.len()].copy_from_slice(params);
        let uniform = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: None,
                contents: bytemuck::cast_slice(&words),
                usage: wgpu::BufferUsages::UNIFORM,
            });
        let mut entries = vec![
            wgpu::BindGroupEntry {
                binding: 0,
                resource: uniform.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: output.raw().as_entire_binding(),
            },
        ];
        for (i, b) in inputs.iter().enumerate() {
            entries.push(wgpu::BindGroupEntry {
                binding: 2 + i as u32,
                resource: b.raw().as_entire_binding(),
            });
        }
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        let mut pending = lock(&self.pending);
        let encoder = self.encoder(&mut pending);
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some(entry),
                timestamp_writes: None,
            });
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(groups[0], groups[1], groups[2]);
        }
        pending.passes += 1;
        if pending.passes >= FLUSH_EVERY {
            self.submit(&mut pending);
        }
    }

    /// The encoder passes are recorded into, started when the last one was submitted.
    fn encoder<'a>(&self, pending: &'a mut Pending) -> &'a mut wgpu::CommandEncoder {
        pending.encoder.get_or_insert_with(|| {
            self.device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None })
        })
    }

    fn submit(&self, pending: &mut Pending) {
        if let Some(encoder) = pending.encoder.take() {
            self.queue.submit([encoder.finish()]);
        }
        pending.passes = 0;
    }

    /// Submits every recorded pass.
    pub(crate) fn flush(&self) {
        self.submit(&mut lock(&self.pending));
    }

    /// Copies the first `len` values of `buffer` back to the host.
    pub(crate) async fn read(&self, buffer: &GpuBuffer, len: usize) -> Result<Vec<f32>> {
        self.check()?;
        if len == 0 {
            return Ok(Vec::new());
        }
        let bytes = (len * 4) as u64;
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: bytes,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        {
            let mut pending = lock(&self.pending);
            let encoder = self.encoder(&mut pending);
            encoder.copy_buffer_to_buffer(buffer.raw(), 0, &staging, 0, bytes);
            self.submit(&mut pending);
        }
        let (tx, rx) = futures_channel::oneshot::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |r| {
            let _ = tx.send(r);
        });
        #[cfg(not(target_arch = "wasm32"))]
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| gpu_error("waiting for the GPU", e))?;
        let mapped = rx
            .await
            .map_err(|_| gpu_error("reading back", "the GPU dropped the request"))?;
        self.check()?;
        mapped.map_err(|e| gpu_error("reading back", e))?;
        let values = {
            let view = staging
                .get_mapped_range(..)
                .map_err(|e| gpu_error("reading back", e))?;
            bytemuck::pod_collect_to_vec::<u8, f32>(&view)
        };
        staging.unmap();
        Ok(values)
    }
}

const STORAGE_USAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
    .union(wgpu::BufferUsages::COPY_SRC)
    .union(wgpu::BufferUsages::COPY_DST);

/// Buffer sizes come in powers of two (at least 256 bytes) so that freed buffers fit later
/// tensors of similar size.
fn size_class(bytes: u64) -> u64 {
    bytes.max(256).next_power_of_two()
}

/// A pooled storage buffer; dropping it returns it to its context's pool.
pub(crate) struct GpuBuffer {
    buffer: Option<wgpu::Buffer>,
    size: u64,
    ctx: Arc<GpuContext>,
}

impl GpuBuffer {
    fn raw(&self) -> &wgpu::Buffer {
        self.buffer
            .as_ref()
            .expect("a live buffer has its wgpu buffer")
    }

    pub(crate) fn context(&self) -> &Arc<GpuContext> {
        &self.ctx
    }
}

impl Drop for GpuBuffer {
    fn drop(&mut self) {
        let Some(buffer) = self.buffer.take() else {
            return;
        };
        let mut pool = lock(&self.ctx.pool);
        if pool.bytes + self.size <= POOL_BYTES {
            pool.bytes += self.size;
            pool.free.entry(self.size).or_default().push(buffer);
        }
    }
}

impl std::fmt::Debug for GpuBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "GpuBuffer({} bytes on {})",
            self.size, self.ctx.info.name
        )
    }
}

/// The data of a GPU tensor: its buffer and, once read back, a host copy (tensors are immutable,
/// so the copy never goes stale). Clones share both, so a read through any clone (an async read
/// the page started, say) makes every clone readable without waiting.
#[derive(Debug, Clone)]
pub(crate) struct GpuData {
    pub(crate) buffer: Arc<GpuBuffer>,
    pub(crate) host: Arc<OnceLock<Vec<f32>>>,
}

impl GpuData {
    pub(crate) fn new(buffer: Arc<GpuBuffer>) -> Self {
        GpuData {
            buffer,
            host: Arc::new(OnceLock::new()),
        }
    }
}

// The device in use: one per process natively (tests share it across threads), one per page on
// the web.
#[cfg(not(target_arch = "wasm32"))]
static CURRENT: Mutex<Option<Arc<GpuContext>>> = Mutex::new(None);

#[cfg(target_arch = "wasm32")]
thread_local! {
    static CURRENT: std::cell::RefCell<Option<Arc<GpuContext>>> = const { std::cell::RefCell::new(None) };
}

/// The GPU device in use, if `init` succeeded.
pub(crate) fn current() -> Option<Arc<GpuContext>> {
    #[cfg(not(target_arch = "wasm32"))]
    return lock(&CURRENT).clone();
    #[cfg(target_arch = "wasm32")]
    return CURRENT.with(|c| c.borrow().clone());
}

fn install(ctx: Option<Arc<GpuContext>>) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        *lock(&CURRENT) = ctx;
    }
    #[cfg(target_arch = "wasm32")]
    CURRENT.with(|c| *c.borrow_mut() = ctx);
}

/// Opens the GPU device (once; later calls return the same adapter's description). Fails with
/// `Error::Gpu` where there is no WebGPU or no adapter: callers stay on the CPU.
pub async fn init() -> Result<GpuInfo> {
    if let Some(ctx) = current().filter(|c| c.failure().is_none()) {
        return Ok(ctx.info.clone());
    }
    let ctx = Arc::new(GpuContext::new().await?);
    let info = ctx.info.clone();
    install(Some(ctx));
    Ok(info)
}

/// `init` for native code (tests, the CLI, benchmarks), serialised so that threads starting
/// together share one device.
#[cfg(not(target_arch = "wasm32"))]
pub fn init_blocking() -> Result<GpuInfo> {
    static OPENING: Mutex<()> = Mutex::new(());
    let _guard = lock(&OPENING);
    pollster::block_on(init())
}

/// The adapter in use, if the GPU device is open.
pub fn info() -> Option<GpuInfo> {
    current().map(|c| c.info.clone())
}

/// Why the GPU stopped working (a kernel error, out of memory, device lost), if it did.
pub fn failure() -> Option<String> {
    current().and_then(|c| c.failure())
}

/// Forgets the device (after a failure, or to test the CPU fallback); tensors already on it keep
/// their buffers until dropped.
pub fn shutdown() {
    install(None);
}

/// Submits every operation recorded so far (the end of a training step).
pub fn flush() {
    if let Some(ctx) = current() {
        ctx.flush();
    }
}

/// The 2-D grid of 256-wide workgroups covering `n` invocations (`flat` in common.wgsl).
pub(crate) fn grid(n: usize) -> [u32; 3] {
    let groups = n.div_ceil(256).max(1);
    let x = groups.min(65_535);
    [x as u32, groups.div_ceil(x) as u32, 1]
}
