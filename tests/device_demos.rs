//! The page's device choice, natively (lavapipe): the playground and the MNIST MLP train on the
//! GPU when the reader picks it, with the same numbers as on the CPU; the page's way of reading
//! results (hand them out, read them, poll) keeps the history and the drawn weights up to date;
//! switching device mid-run keeps the weights; and when the GPU goes away training carries on on
//! the CPU from the weights last read back, with a note under the device control.
//!
//! One test, because the GPU's availability is a process-wide setting the fallback changes.
#![cfg(not(target_arch = "wasm32"))]

use mlplay::demos::{self, AnyDemo, Demo, Params};
use mlplay::estimator::Progress;
use mlplay::nn::{gpu_state, refuse_gpu, GpuState};
use mlplay::tensor::gpu;

use crate::common::demo;

fn metric(d: &AnyDemo, key: &str) -> (f64, String) {
    let m = d
        .metrics()
        .into_iter()
        .find(|m| m.key == key)
        .unwrap_or_else(|| panic!("metric {key}"));
    (m.value, m.text)
}

/// Reads what the demo hands out, as the page's spawned futures do, then lets it take them in.
fn page_reads(d: &mut AnyDemo) {
    for t in d.gpu_reads() {
        pollster::block_on(t.read()).unwrap();
    }
    d.poll();
}

/// Ticks `n` times, reading results after each tick as the page does every frame.
fn run(d: &mut AnyDemo, n: usize) {
    for _ in 0..n {
        assert_eq!(d.tick(), Progress::Running);
        page_reads(d);
    }
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: cpu {a}, gpu {b}");
}

fn set_device(d: &mut AnyDemo, id: &str, device: &str) {
    let params: Params =
        demos::params_with(id, &[("device".to_string(), device.to_string())]).unwrap();
    assert!(
        d.set_live("device", &params),
        "the device changes without a restart"
    );
}

#[test]
fn the_reader_picks_the_device_and_falls_back_to_the_cpu() {
    gpu::init_blocking().expect("a GPU adapter (scripts/setup installs lavapipe)");

    // The playground: 200 training points in batches of 10, three epochs on either device.
    let pairs = [
        ("dataset", "spiral-3"),
        ("optimizer", "adam"),
        ("learning_rate", "0.03"),
    ];
    let mut cpu = demo(
        "playground",
        &[pairs.as_slice(), &[("device", "cpu")]].concat(),
        7,
    );
    let mut on_gpu = demo(
        "playground",
        &[pairs.as_slice(), &[("device", "gpu")]].concat(),
        7,
    );
    run(&mut cpu, 60);
    run(&mut on_gpu, 60);
    assert_eq!(metric(&cpu, "device").1, "CPU");
    assert!(
        metric(&on_gpu, "device").1.starts_with("GPU"),
        "{:?}",
        metric(&on_gpu, "device")
    );
    assert!(on_gpu.notes().is_empty(), "{:?}", on_gpu.notes());
    for key in ["epoch", "step", "train_loss", "test_loss", "test_accuracy"] {
        close(metric(&cpu, key).0, metric(&on_gpu, key).0, 1e-4, key);
    }
    assert_eq!(metric(&on_gpu, "epoch").0, 3.0);
    assert!(metric(&on_gpu, "samples_per_s").0 > 0.0);
    // The drawn network is the one trained (read back): the same saved weights, nearly.
    let weights = |d: &AnyDemo| -> Vec<f64> {
        let json = d.model_json().unwrap();
        json.split(|c: char| !(c.is_ascii_digit() || "-.eE".contains(c)))
            .filter_map(|s| s.parse::<f64>().ok())
            .collect()
    };
    let (wc, wg) = (weights(&cpu), weights(&on_gpu));
    assert_eq!(wc.len(), wg.len());
    for (a, b) in wc.iter().zip(&wg) {
        close(*a, *b, 1e-3, "saved weight");
    }

    // Moving to the CPU by choice keeps the run: it goes on from the same weights and history.
    set_device(&mut on_gpu, "playground", "cpu");
    set_device(&mut cpu, "playground", "cpu");
    run(&mut on_gpu, 20);
    run(&mut cpu, 20);
    assert_eq!(metric(&on_gpu, "device").1, "CPU");
    for key in ["epoch", "step", "train_loss", "test_loss"] {
        close(metric(&cpu, key).0, metric(&on_gpu, key).0, 1e-4, key);
    }

    // The MNIST MLP: two epochs on 400 images; the test pass runs on the GPU in one batch.
    let small = [
        ("train_size", "400"),
        ("neurons", "32"),
        ("epochs", "2"),
        ("learning_rate", "0.01"),
    ];
    let finish = |d: &mut AnyDemo| {
        for _ in 0..2_000 {
            let p = d.tick();
            page_reads(d);
            if p != Progress::Running {
                return p;
            }
        }
        panic!("the MNIST run did not finish");
    };
    let mut cpu = demo(
        "mnist-mlp",
        &[small.as_slice(), &[("device", "cpu")]].concat(),
        3,
    );
    let mut on_gpu = demo(
        "mnist-mlp",
        &[small.as_slice(), &[("device", "gpu")]].concat(),
        3,
    );
    assert_eq!(finish(&mut cpu), Progress::Done);
    assert_eq!(finish(&mut on_gpu), Progress::Done);
    for key in [
        "epoch",
        "step",
        "train_loss",
        "train_accuracy",
        "test_loss",
        "test_accuracy",
    ] {
        close(metric(&cpu, key).0, metric(&on_gpu, key).0, 2e-3, key);
    }
    let accuracy = metric(&on_gpu, "test_accuracy").0;
    assert!(accuracy > 0.6, "test accuracy {accuracy}");

    // The GPU goes away mid-run (as when WebGPU is missing or the device is lost): the next tick
    // says so under the device control and training goes on on the CPU, from the weights read
    // back; the run is not restarted.
    let mut d = demo(
        "playground",
        &[pairs.as_slice(), &[("device", "gpu")]].concat(),
        7,
    );
    run(&mut d, 30);
    let steps = metric(&d, "step").0;
    refuse_gpu("WebGPU is not available in this test");
    assert!(matches!(gpu_state(), GpuState::Unavailable(_)));
    run(&mut d, 30);
    assert_eq!(metric(&d, "device").1, "CPU");
    assert_eq!(metric(&d, "step").0, steps + 30.0, "training went on");
    assert!(metric(&d, "epoch").0 >= 2.0);
    let notes = d.notes();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].0, "device");
    assert!(
        notes[0].1.contains("WebGPU is not available in this test") && notes[0].1.contains("CPU"),
        "{notes:?}"
    );
    // Auto never needs the GPU for the playground, so it says nothing.
    set_device(&mut d, "playground", "auto");
    run(&mut d, 1);
    assert!(d.notes().is_empty());
}
