//! Neural networks on the autodiff tape: layers, losses, regularisation, optimizers, learning-rate
//! schedules, `Sequential` models built from a serde-able `ModelSpec`, and a `Trainer` that runs a
//! bounded number of mini-batches per call (so a demo can train inside an animation frame).
//!
//! Every computation goes through `Tensor` and `Tape` methods, so a GPU `Device` slots in without
//! changing this module. Conventions follow Keras 3 unless a type's docs say otherwise (defaults,
//! optimizer update rules, BatchNorm momentum 0.99); the reference numbers in
//! `tests/fixtures/nn_*.json` come from the NumPy re-implementation in `scripts/fixtures.d/nn.py`.
//!
//! Files: `init.rs` (Glorot/He/LeCun), `activation.rs`, `layers.rs` (Dense, Dropout, BatchNorm),
//! `loss.rs`, `regularization.rs` (L1/L2 penalties, max-norm), `optimizer.rs`, `schedule.rs`,
//! `sequential.rs` (spec, model, JSON save/load), `trainer.rs`, `placement.rs` (which device trains), `throughput.rs` (the MLP benchmark).

mod activation;
mod init;
mod layers;
mod loss;
mod optimizer;
mod placement;
mod regularization;
mod schedule;
mod sequential;
mod throughput;
mod trainer;

pub use activation::Activation;
pub use init::Initializer;
pub use layers::{BatchNorm, Dense, Dropout, Layer, Pass};
pub use loss::Loss;
pub use optimizer::{Optimizer, OptimizerKind, OptimizerSpec};
pub use placement::{
    gpu_state, open_gpu, refuse_gpu, resolve, DeviceChoice, GpuState, Placement, AUTO_GPU_WORK,
};
pub use regularization::{l1_l2_penalty, max_norm};
pub use schedule::{LrSchedule, Schedule};
pub use sequential::{LayerSpec, ModelSpec, Sequential, MAX_WEIGHTS_PER_LAYER};
pub use throughput::MlpBench;
pub use trainer::{EpochStats, Trainer, TrainerConfig};
