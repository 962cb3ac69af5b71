//! The perceptron demo (chapter 10): on separable points the learning rule converges to zero
//! mistakes, one update per tick, and the learning rate only rescales the weights.
#![cfg(not(target_arch = "wasm32"))]

use mlplay::demos::{self, AnyDemo, Demo};
use mlplay::estimator::Progress;

fn perceptron(pairs: &[(&str, &str)], seed: u64) -> AnyDemo {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    demos::create(
        "perceptron",
        &demos::params_with("perceptron", &pairs).unwrap(),
        seed,
    )
    .unwrap()
}

fn run(demo: &mut AnyDemo) -> (usize, Vec<f64>) {
    let mut ticks = 0;
    while demo.tick() == Progress::Running {
        ticks += 1;
        assert!(ticks <= 10_000, "no convergence");
    }
    // Updates, mistakes and accuracy (the weights themselves scale with the rate).
    (
        ticks,
        demo.metrics().iter().take(3).map(|m| m.value).collect(),
    )
}

#[test]
fn converges_on_separable_points() {
    for seed in 0..5 {
        let mut demo = perceptron(&[("samples", "200"), ("margin", "0.1")], seed);
        let (ticks, _) = run(&mut demo);
        let m = demo.metrics();
        let get = |k: &str| m.iter().find(|x| x.key == k).unwrap().value;
        assert_eq!(get("mistakes"), 0.0, "seed {seed}");
        assert_eq!(get("updates"), ticks as f64, "one update per tick");
        assert!(demo.status().unwrap().contains("Converged"));
    }
}

#[test]
fn learning_rate_only_rescales() {
    let a = run(&mut perceptron(&[("learning_rate", "0.1")], 7));
    let b = run(&mut perceptron(&[("learning_rate", "5")], 7));
    assert_eq!(a, b);
}
