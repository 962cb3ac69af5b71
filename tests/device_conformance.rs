//! The device conformance suite: every tensor operation the layers, losses and optimizers use runs
//! on `Device::Cpu` and on `Device::Gpu` (natively through wgpu: Mesa's lavapipe in CI, any
//! Vulkan/Metal/DX12 adapter elsewhere) from the same inputs, and the results must agree.
//!
//! Tolerances (|gpu - cpu| <= atol + rtol * |cpu|): element-wise maps rtol 2e-5 (WGSL's exp,
//! log and tanh are allowed a few ulp more than Rust's); sums and products accumulate in a
//! different order, so their atol grows with the number of terms (1e-6 per term, relative to the
//! terms' size). The tests need a GPU adapter and fail without one: `scripts/setup` installs
//! lavapipe.
#![cfg(not(target_arch = "wasm32"))]

use mlplay::autodiff::Tape;
use mlplay::estimator::Progress;
use mlplay::nn::{
    Activation, EpochStats, LayerSpec, Loss, MlpBench, ModelSpec, Optimizer, OptimizerKind,
    OptimizerSpec, Sequential, Trainer, TrainerConfig,
};
use mlplay::rng::Rng;
use mlplay::tensor::{gpu, Device, Tensor, Unary};

fn open() {
    if let Err(e) = gpu::init_blocking() {
        panic!(
            "the conformance suite needs a GPU adapter (scripts/setup installs Mesa's lavapipe): {e}"
        );
    }
}

fn on_gpu(t: &Tensor) -> Tensor {
    open();
    t.to_device(Device::Gpu).expect("upload")
}

fn randn(shape: &[usize], seed: u64) -> Tensor {
    Tensor::randn(shape, 1.0, &mut Rng::new(seed))
}

/// Positive values in [lo, hi) (for log, sqrt, recip).
fn positive(shape: &[usize], seed: u64, lo: f32, hi: f32) -> Tensor {
    Tensor::uniform(shape, lo, hi, &mut Rng::new(seed))
}

/// Asserts the GPU result `g` matches the CPU result `c` in shape and values.
fn agree(what: &str, c: &Tensor, g: &Tensor, rtol: f32, atol: f32) {
    assert_eq!(g.device(), Device::Gpu, "{what}: the result left the GPU");
    assert_eq!(c.shape(), g.shape(), "{what}: shapes");
    let (cv, gv) = (c.to_vec(), g.to_vec());
    for (i, (x, y)) in cv.iter().zip(&gv).enumerate() {
        let ok = (x - y).abs() <= atol + rtol * x.abs() || (x.is_nan() && y.is_nan());
        assert!(ok, "{what}[{i}] of {:?}: cpu {x}, gpu {y}", c.shape());
    }
}

/// Element-wise tolerance.
fn agree_map(what: &str, c: &Tensor, g: &Tensor) {
    agree(what, c, g, 2e-5, 1e-6);
}

/// Tolerance for a sum of `terms` values of magnitude about `scale`.
fn agree_sum(what: &str, c: &Tensor, g: &Tensor, terms: usize, scale: f32) {
    agree(what, c, g, 1e-5, 1e-6 * terms as f32 * scale);
}

const UNARY: [Unary; 19] = [
    Unary::Neg,
    Unary::Exp,
    Unary::Log,
    Unary::Tanh,
    Unary::Sigmoid,
    Unary::Relu,
    Unary::LeakyRelu(0.2),
    Unary::Elu(1.5),
    Unary::Gelu,
    Unary::Selu,
    Unary::Swish,
    Unary::Huber(0.7),
    Unary::Softplus,
    Unary::Sqrt,
    Unary::Square,
    Unary::Abs,
    Unary::Recip,
    Unary::Scale(-2.5),
    Unary::Shift(0.75),
];

/// Inputs for `op`: positive where it needs them, otherwise normal values with tails wide enough
/// to reach the branches for large |x| (sigmoid, tanh, softplus).
fn unary_input(op: Unary) -> Tensor {
    match op {
        Unary::Log | Unary::Sqrt | Unary::Recip => positive(&[7, 37], 3, 0.05, 20.0),
        _ => randn(&[7, 37], 4).scale(6.0),
    }
}

#[test]
fn unary_maps_and_their_backward_steps() {
    let grad = randn(&[7, 37], 5);
    for op in UNARY {
        let x = unary_input(op);
        let (gx, gg) = (on_gpu(&x), on_gpu(&grad));
        let (y, gy) = (x.unary(op), gx.unary(op));
        agree_map(&format!("{op:?}"), &y, &gy);
        let back = x.unary_backward(op, &y, &grad).unwrap();
        let gback = gx.unary_backward(op, &gy, &gg).unwrap();
        agree(&format!("{op:?} backward"), &back, &gback, 1e-4, 1e-5);
    }
    // Extremes stay finite where the CPU's do.
    let wide = Tensor::from_vec(vec![-100.0, -20.0, 0.0, 20.0, 100.0], &[5]).unwrap();
    for op in [
        Unary::Tanh,
        Unary::Sigmoid,
        Unary::Softplus,
        Unary::Gelu,
        Unary::Swish,
    ] {
        agree_map(
            &format!("{op:?} at extremes"),
            &wide.unary(op),
            &on_gpu(&wide).unary(op),
        );
    }
}

#[test]
fn binary_ops_with_broadcasting() {
    let shapes: [(&[usize], &[usize]); 7] = [
        (&[4, 5], &[4, 5]),
        (&[4, 5], &[5]),
        (&[4, 1], &[1, 6]),
        (&[2, 3, 4], &[3, 1]),
        (&[3], &[2, 1, 3]),
        (&[], &[3, 2]),
        (&[2, 1, 3, 1, 2, 1], &[1, 4, 1, 2, 1, 3]),
    ];
    for (i, (sa, sb)) in shapes.iter().enumerate() {
        let a = randn(sa, 10 + i as u64);
        // Away from zero, so division is well conditioned.
        let b = positive(sb, 20 + i as u64, 0.5, 2.0);
        let (ga, gb) = (on_gpu(&a), on_gpu(&b));
        let cases = [
            ("add", a.add(&b), ga.add(&gb)),
            ("sub", a.sub(&b), ga.sub(&gb)),
            ("mul", a.mul(&b), ga.mul(&gb)),
            ("div", a.div(&b), ga.div(&gb)),
            ("maximum", a.maximum(&b), ga.maximum(&gb)),
            ("minimum", a.minimum(&b), ga.minimum(&gb)),
        ];
        for (name, c, g) in cases {
            agree_map(&format!("{name} {sa:?} {sb:?}"), &c.unwrap(), &g.unwrap());
        }
        // A CPU operand is uploaded and the result stays on the GPU.
        agree_map(
            &format!("mixed devices {sa:?} {sb:?}"),
            &a.mul(&b).unwrap(),
            &a.mul(&gb).unwrap(),
        );
    }
    let a = randn(&[3, 1], 30);
    agree_map(
        "broadcast_to",
        &a.broadcast_to(&[2, 3, 4]).unwrap(),
        &on_gpu(&a).broadcast_to(&[2, 3, 4]).unwrap(),
    );
    assert!(on_gpu(&a).add(&randn(&[4, 2], 31)).is_err());
    assert!(on_gpu(&randn(&[1, 1, 1, 1, 1, 1, 2], 32))
        .add(&randn(&[2], 33))
        .is_err());
}

#[test]
fn matrix_products_on_both_devices() {
    // Sizes around the 64 x 64 tile and its 16-deep steps, a tall-skinny product like a layer's
    // forward pass, and degenerate ones.
    let cases: [(usize, usize, usize); 9] = [
        (1, 1, 1),
        (3, 5, 7),
        (16, 16, 16),
        (64, 64, 64),
        (65, 17, 63),
        (130, 100, 70),
        (256, 784, 128),
        (1, 300, 2),
        (5, 0, 4),
    ];
    for (i, &(m, k, n)) in cases.iter().enumerate() {
        let a = randn(&[m, k], 40 + i as u64);
        let b = randn(&[k, n], 50 + i as u64);
        let c = a.matmul(&b).unwrap();
        let g = on_gpu(&a).matmul(&on_gpu(&b)).unwrap();
        agree_sum(&format!("matmul {m}x{k}x{n}"), &c, &g, k.max(1), 3.0);
    }
    // A 3-D batch times one shared matrix, and batch by batch.
    let a = randn(&[3, 20, 30], 60);
    let b = randn(&[30, 10], 61);
    agree_sum(
        "matmul (3, 20, 30) x (30, 10)",
        &a.matmul(&b).unwrap(),
        &on_gpu(&a).matmul(&on_gpu(&b)).unwrap(),
        30,
        3.0,
    );
    let b3 = randn(&[3, 30, 70], 62);
    agree_sum(
        "matmul (3, 20, 30) x (3, 30, 70)",
        &a.matmul(&b3).unwrap(),
        &on_gpu(&a).matmul(&on_gpu(&b3)).unwrap(),
        30,
        3.0,
    );
    assert!(on_gpu(&a).matmul(&randn(&[20, 4], 63)).is_err());
    for shape in [&[7, 9][..], &[3, 70, 65], &[1, 1]] {
        let x = randn(shape, 64);
        agree_map(
            &format!("transpose {shape:?}"),
            &x.transpose().unwrap(),
            &on_gpu(&x).transpose().unwrap(),
        );
    }
}

#[test]
fn reductions_and_softmax() {
    let x = randn(&[6, 50, 7], 70);
    let gx = on_gpu(&x);
    agree_sum("sum_all", &x.sum_all(), &gx.sum_all(), 2100, 1.0);
    agree_sum("mean_all", &x.mean_all(), &gx.mean_all(), 1, 1.0);
    for axis in 0..3 {
        for keep in [false, true] {
            let what = format!("sum_axis({axis}, {keep})");
            let (c, g) = (x.sum_axis(axis, keep), gx.sum_axis(axis, keep));
            agree_sum(&what, &c.unwrap(), &g.unwrap(), 50, 1.0);
            let what = format!("mean_axis({axis}, {keep})");
            let (c, g) = (x.mean_axis(axis, keep), gx.mean_axis(axis, keep));
            agree_sum(&what, &c.unwrap(), &g.unwrap(), 1, 1.0);
        }
    }
    for target in [&[50, 7][..], &[6, 1, 7], &[1, 50, 1], &[7], &[1], &[]] {
        agree_sum(
            &format!("sum_to {target:?}"),
            &x.sum_to(target).unwrap(),
            &gx.sum_to(target).unwrap(),
            300,
            1.0,
        );
    }
    // A long sum over more than the 256 partial sums a workgroup keeps.
    let long = randn(&[100_003], 71);
    agree_sum(
        "sum_all of 100003",
        &long.sum_all(),
        &on_gpu(&long).sum_all(),
        3000,
        1.0,
    );
    // Logits up to +-60: the maximum is subtracted first on both devices.
    let logits = randn(&[33, 300], 72).scale(20.0);
    let gl = on_gpu(&logits);
    agree_map(
        "max_last",
        &logits.max_last(false).unwrap(),
        &gl.max_last(false).unwrap(),
    );
    agree_map(
        "max_last keepdims",
        &logits.max_last(true).unwrap(),
        &gl.max_last(true).unwrap(),
    );
    agree(
        "softmax",
        &logits.softmax().unwrap(),
        &gl.softmax().unwrap(),
        1e-4,
        1e-7,
    );
    agree(
        "log_softmax",
        &logits.log_softmax().unwrap(),
        &gl.log_softmax().unwrap(),
        1e-5,
        1e-4,
    );
    assert_eq!(logits.argmax_last().unwrap(), gl.argmax_last().unwrap());
}

#[test]
fn slices_concatenation_and_row_gathers() {
    let x = randn(&[4, 6, 5], 80);
    let gx = on_gpu(&x);
    for (axis, start, end) in [(0, 1, 3), (1, 2, 6), (2, 0, 1), (1, 3, 3)] {
        agree_map(
            &format!("slice_axis({axis}, {start}..{end})"),
            &x.slice_axis(axis, start, end).unwrap(),
            &gx.slice_axis(axis, start, end).unwrap(),
        );
    }
    let y = randn(&[4, 2, 5], 81);
    agree_map(
        "concat axis 1, one part on the CPU",
        &Tensor::concat(&[&x, &y, &x], 1).unwrap(),
        &Tensor::concat(&[&gx, &y, &gx], 1).unwrap(),
    );
    let z = randn(&[3, 6, 5], 82);
    agree_map(
        "concat axis 0",
        &Tensor::concat(&[&x, &z], 0).unwrap(),
        &Tensor::concat(&[&gx, &on_gpu(&z)], 0).unwrap(),
    );
    let rows = [3, 0, 0, 2, 1, 3];
    agree_map(
        "gather_rows",
        &x.gather_rows(&rows).unwrap(),
        &gx.gather_rows(&rows).unwrap(),
    );
    assert!(gx.gather_rows(&[4]).is_err());
    assert!(gx.slice_axis(1, 4, 7).is_err());
    // An upload keeps its host values (readable at once); a result computed on the GPU is not
    // readable until read. Reshape keeps the buffer; a round trip returns the same values, and
    // reading a clone makes the original readable without waiting.
    assert!(gx.is_readable());
    let (doubled, gdoubled) = (x.add(&x).unwrap(), gx.add(&gx).unwrap());
    let r = gdoubled.reshape(&[24, 5]).unwrap();
    assert!(!r.is_readable() && !gdoubled.is_readable());
    assert_eq!(r.device(), Device::Gpu);
    assert_eq!(r.to_device(Device::Cpu).unwrap().to_vec(), doubled.to_vec());
    assert!(r.is_readable() && gdoubled.is_readable());
    assert_eq!(gdoubled, doubled);
    assert_eq!(gx, x);
}

#[test]
fn fused_optimizer_kernels() {
    let (w, m, g) = (
        randn(&[37, 5], 90),
        randn(&[37, 5], 91),
        randn(&[37, 5], 92),
    );
    let v = positive(&[37, 5], 93, 0.01, 2.0);
    for squared in [false, true] {
        let cpu = m.moment(&g, 0.1, squared).unwrap();
        // The CPU's fused form is the unfused arithmetic, in the same order.
        let target = if squared { g.square() } else { g.clone() };
        assert_eq!(cpu, m.add(&target.sub(&m).unwrap().scale(0.1)).unwrap());
        let gpu = on_gpu(&m).moment(&on_gpu(&g), 0.1, squared).unwrap();
        agree_map("moment", &cpu, &gpu);
    }
    let cpu = w.adam_step(&m, &v, 0.01, 1e-7).unwrap();
    let unfused = w
        .sub(&m.scale(0.01).div(&v.sqrt().add_scalar(1e-7)).unwrap())
        .unwrap();
    assert_eq!(cpu, unfused);
    let gpu = on_gpu(&w)
        .adam_step(&on_gpu(&m), &on_gpu(&v), 0.01, 1e-7)
        .unwrap();
    agree_map("adam_step", &cpu, &gpu);
    assert!(on_gpu(&w).moment(&randn(&[5], 1), 0.1, false).is_err());
    assert!(w.adam_step(&m, &randn(&[5, 37], 2), 0.01, 1e-7).is_err());
}

#[test]
fn the_benchmark_runs_on_the_gpu_as_the_page_does() {
    open();
    // 70 batches of 64: the first epoch (63 batches) ends inside the run.
    let mut cpu = MlpBench::new(16, 64, 0).unwrap();
    let expected = cpu.run(70).unwrap();
    let mut on_gpu = MlpBench::new(16, 64, 0).unwrap();
    on_gpu.to_device(Device::Gpu).unwrap();
    let loss = pollster::block_on(on_gpu.run_deferred(70)).unwrap();
    assert!(
        expected.is_finite() && (loss - expected).abs() <= 1e-3,
        "{loss} vs {expected}"
    );
}

/// A two-layer network's loss and gradients, recorded on `device`.
fn network_grads(device: Device, classes: bool) -> (f32, Vec<Tensor>) {
    let mut rng = Rng::new(90);
    let x = Tensor::randn(&[32, 6], 1.0, &mut rng);
    let w1 = Tensor::randn(&[6, 16], 0.5, &mut rng);
    let b1 = Tensor::randn(&[16], 0.1, &mut rng);
    let w2 = Tensor::randn(&[16, 3], 0.5, &mut rng);
    let targets: Vec<usize> = (0..32).map(|i| (i * 7) % 3).collect();
    let move_to = |t: &Tensor| t.to_device(device).unwrap();
    let mut tape = Tape::new();
    let xv = tape.constant(move_to(&x));
    let params = [
        tape.leaf(move_to(&w1)),
        tape.leaf(move_to(&b1)),
        tape.leaf(move_to(&w2)),
    ];
    let h = tape.matmul(xv, params[0]).unwrap();
    let h = tape.add(h, params[1]).unwrap();
    let h = tape.tanh(h);
    let out = tape.matmul(h, params[2]).unwrap();
    let loss = if classes {
        tape.cross_entropy(out, &targets).unwrap()
    } else {
        let sm = tape.softmax(out).unwrap();
        let t = tape.constant(move_to(&Tensor::one_hot(&targets, 3).unwrap()));
        tape.mse_loss(sm, t).unwrap()
    };
    tape.backward(loss).unwrap();
    let value = tape.value(loss).to_vec()[0];
    (value, tape.grads_or_zeros(&params))
}

#[test]
fn autodiff_runs_unchanged_on_the_gpu() {
    open();
    for classes in [true, false] {
        let (lc, gc) = network_grads(Device::Cpu, classes);
        let (lg, gg) = network_grads(Device::Gpu, classes);
        assert!(
            (lc - lg).abs() <= 1e-5 * lc.abs().max(1.0),
            "loss cpu {lc}, gpu {lg}"
        );
        for (i, (c, g)) in gc.iter().zip(&gg).enumerate() {
            agree_sum(&format!("gradient {i} (classes {classes})"), c, g, 32, 1.0);
        }
    }
}

#[test]
fn every_optimizer_steps_the_same_on_both_devices() {
    let kinds = [
        OptimizerKind::Sgd,
        OptimizerKind::momentum(),
        OptimizerKind::nesterov(),
        OptimizerKind::adagrad(),
        OptimizerKind::rmsprop(),
        OptimizerKind::adam(),
        OptimizerKind::adamax(),
        OptimizerKind::nadam(),
        OptimizerKind::adamw(),
    ];
    for kind in kinds {
        let spec = OptimizerSpec {
            kind,
            learning_rate: 0.05,
        };
        let mut w = randn(&[5, 4], 100);
        let mut gw = on_gpu(&w);
        let (mut cpu, mut gpu_opt) = (Optimizer::new(spec).unwrap(), Optimizer::new(spec).unwrap());
        for step in 0..5 {
            let g = randn(&[5, 4], 200 + step);
            cpu.step(&mut [&mut w], std::slice::from_ref(&g), 0.05)
                .unwrap();
            gpu_opt.step(&mut [&mut gw], &[on_gpu(&g)], 0.05).unwrap();
        }
        agree(&format!("{kind:?}"), &w, &gw, 1e-4, 1e-5);
    }
}

#[test]
fn adapter_is_described_and_limits_are_enforced() {
    open();
    let info = gpu::info().expect("open");
    assert!(!info.name.is_empty());
    assert!(info.max_binding_bytes >= 128 << 20, "{info:?}");
    assert_eq!(gpu::failure(), None);
    // Empty tensors go through without a dispatch.
    let e = on_gpu(&Tensor::zeros(&[0, 3]));
    assert_eq!(e.exp().to_vec(), Vec::<f32>::new());
    assert_eq!(e.sum_all().to_vec(), vec![0.0]);
}

/// Three epochs of a small classifier with every layer kind, on `device` from the same seed.
fn train_on(device: Device, loss: Loss) -> Vec<EpochStats> {
    let mut rng = Rng::new(7);
    let x = Tensor::randn(&[120, 4], 1.0, &mut rng);
    // Three classes from the sign pattern of two features; one-hot rows (or 0/1 for binary).
    let xv = x.to_vec();
    let classes: Vec<usize> = xv
        .chunks(4)
        .map(|r| (r[0] > 0.0) as usize + (r[1] > 0.3) as usize)
        .collect();
    let (outputs, y) = match loss {
        Loss::CategoricalCrossEntropy => (3, Tensor::one_hot(&classes, 3).unwrap()),
        _ => {
            let y: Vec<f32> = classes.iter().map(|&c| (c > 0) as u8 as f32).collect();
            (1, Tensor::from_vec(y, &[120, 1]).unwrap())
        }
    };
    let mut layers = vec![LayerSpec::dense(16, Activation::Tanh).with_penalties(1e-4, 1e-3)];
    layers.push(LayerSpec::batch_norm());
    layers.push(LayerSpec::Dropout { rate: 0.2 });
    layers.push(LayerSpec::dense(8, Activation::Relu));
    layers.push(LayerSpec::dense(outputs, Activation::Linear));
    let model = Sequential::new(ModelSpec {
        input: 4,
        layers,
        seed: 3,
    })
    .unwrap();
    let config = TrainerConfig {
        loss,
        optimizer: OptimizerSpec {
            kind: OptimizerKind::adam(),
            learning_rate: 0.01,
        },
        batch_size: 16,
        epochs: 3,
        ..TrainerConfig::default()
    };
    let (train_x, val_x) = (
        x.slice_axis(0, 0, 90).unwrap(),
        x.slice_axis(0, 90, 120).unwrap(),
    );
    let (train_y, val_y) = (
        y.slice_axis(0, 0, 90).unwrap(),
        y.slice_axis(0, 90, 120).unwrap(),
    );
    let mut trainer = Trainer::new(model, config, train_x, train_y, Some((val_x, val_y))).unwrap();
    trainer.to_device(device).unwrap();
    assert_eq!(trainer.device(), device);
    while trainer.step(8).unwrap() == Progress::Running {}
    assert_eq!(trainer.device(), device, "training stayed on its device");
    trainer.history().to_vec()
}

#[test]
fn a_network_trains_the_same_on_both_devices() {
    open();
    for loss in [
        Loss::CategoricalCrossEntropy,
        Loss::BinaryCrossEntropy,
        Loss::Mse,
    ] {
        let (cpu, gpu_run) = (train_on(Device::Cpu, loss), train_on(Device::Gpu, loss));
        assert_eq!(cpu.len(), 3);
        assert_eq!(gpu_run.len(), 3);
        for (c, g) in cpu.iter().zip(&gpu_run) {
            let what = format!("{loss:?} epoch {}", c.epoch);
            let close = |a: f32, b: f32| (a - b).abs() <= 1e-3 * a.abs().max(1.0);
            assert!(close(c.train_loss, g.train_loss), "{what}: {c:?} vs {g:?}");
            assert!(
                close(c.val_loss.unwrap(), g.val_loss.unwrap()),
                "{what}: {c:?} vs {g:?}"
            );
            assert_eq!(c.train_accuracy, g.train_accuracy, "{what}");
        }
        // It learned something, on both.
        assert!(gpu_run[2].train_loss < gpu_run[0].train_loss, "{gpu_run:?}");
    }
}

#[test]
fn training_moves_between_devices_mid_run() {
    open();
    let run = |switch: bool| {
        let mut rng = Rng::new(11);
        let x = Tensor::randn(&[64, 3], 1.0, &mut rng);
        let y = x.sum_axis(1, true).unwrap().tanh();
        let model = Sequential::new(ModelSpec {
            input: 3,
            layers: vec![
                LayerSpec::dense(8, Activation::Tanh),
                LayerSpec::dense(1, Activation::Linear),
            ],
            seed: 5,
        })
        .unwrap();
        let config = TrainerConfig {
            batch_size: 8,
            epochs: 4,
            ..TrainerConfig::default()
        };
        let mut t = Trainer::new(model, config, x, y, None).unwrap();
        t.step(10).unwrap();
        if switch {
            // To the GPU and back to the CPU, as the page's fallback does, keeping Adam's moments.
            t.to_device(Device::Gpu).unwrap();
            t.step(10).unwrap();
            t.to_device(Device::Cpu).unwrap();
        } else {
            t.step(10).unwrap();
        }
        t.step(100).unwrap();
        assert_eq!(t.device(), Device::Cpu, "the last steps stayed on the CPU");
        t.history().iter().map(|e| e.train_loss).collect::<Vec<_>>()
    };
    let (plain, switched) = (run(false), run(true));
    assert_eq!(plain.len(), 4);
    for (a, b) in plain.iter().zip(&switched) {
        assert!(
            (a - b).abs() <= 1e-4 * a.abs().max(1.0),
            "{plain:?} vs {switched:?}"
        );
    }
}

#[test]
fn gpu_results_arrive_only_once_read_as_in_the_page() {
    open();
    let mut rng = Rng::new(21);
    let x = Tensor::randn(&[96, 3], 1.0, &mut rng);
    let classes: Vec<usize> = x
        .to_vec()
        .chunks(3)
        .map(|r| (r[0] > 0.0) as usize)
        .collect();
    let y = Tensor::one_hot(&classes, 2).unwrap();
    let model = Sequential::new(ModelSpec {
        input: 3,
        layers: vec![
            LayerSpec::dense(8, Activation::Tanh),
            LayerSpec::dense(2, Activation::Linear),
        ],
        seed: 2,
    })
    .unwrap();
    let config = TrainerConfig {
        loss: Loss::CategoricalCrossEntropy,
        batch_size: 8,
        epochs: 2,
        ..TrainerConfig::default()
    };
    let (vx, vy) = (
        x.slice_axis(0, 0, 16).unwrap(),
        y.slice_axis(0, 0, 16).unwrap(),
    );
    let mut cpu = Trainer::new(
        model.clone(),
        config.clone(),
        x.clone(),
        y.clone(),
        Some((vx.clone(), vy.clone())),
    )
    .unwrap();
    while cpu.step(5).unwrap() == Progress::Running {}
    let mut t = Trainer::new(model, config, x, y, Some((vx, vy))).unwrap();
    t.to_device(Device::Gpu).unwrap();
    t.set_blocking_reads(false);
    // Both epochs' batches run, but nothing has been read: no history, still running.
    for _ in 0..10 {
        assert_eq!(t.step(5).unwrap(), Progress::Running);
    }
    assert_eq!(
        t.steps(),
        24,
        "12 batches per epoch, then it waits for the reads"
    );
    assert!(t.history().is_empty());
    // The page reads what it is handed (each once), and the next step takes it in.
    let reads = t.reads_to_start();
    assert!(reads.len() >= 2, "{} checkpoints", reads.len());
    assert!(t.reads_to_start().is_empty(), "handed out once");
    for r in &reads {
        pollster::block_on(r.read()).unwrap();
    }
    assert_eq!(t.step(5).unwrap(), Progress::Done);
    assert_eq!(t.history().len(), 2);
    for (c, g) in cpu.history().iter().zip(t.history()) {
        assert!(
            (c.train_loss - g.train_loss).abs() <= 1e-4,
            "{c:?} vs {g:?}"
        );
        assert!(
            (c.val_loss.unwrap() - g.val_loss.unwrap()).abs() <= 1e-4,
            "{c:?} vs {g:?}"
        );
        assert_eq!(c.train_accuracy, g.train_accuracy);
        assert_eq!(c.val_accuracy, g.val_accuracy);
    }
}
