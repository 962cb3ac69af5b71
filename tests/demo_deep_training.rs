//! Chapter 11's demos: the deep-signals explorer shows vanishing and exploding gradients where
//! theory puts them and batch norm keeps activations in a band; the optimizer race takes real
//! optimizer steps (SGD's path equals x <- x - lr * grad by hand), every racer descends a convex
//! valley and momentum and Adam beat plain SGD; schedules give the rates they promise; same seed,
//! same numbers.

use mlplay::demos::deep_signals::DeepSignalsDemo;
use mlplay::demos::optimizer_race::{OptimizerRaceDemo, RACERS};
use mlplay::demos::{self, Demo};

fn params(id: &str, pairs: &[(&str, &str)]) -> demos::Params {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    demos::params_with(id, &pairs).unwrap()
}

fn deep(pairs: &[(&str, &str)], ticks: usize) -> DeepSignalsDemo {
    let mut d = DeepSignalsDemo::new(&params("deep-signals", pairs), 7).unwrap();
    for _ in 0..ticks {
        d.tick();
    }
    d
}

fn metric(m: &[demos::Metric], key: &str) -> f64 {
    m.iter()
        .find(|x| x.key == key)
        .unwrap_or_else(|| panic!("metric {key}"))
        .value
}

/// First hidden layer's kernel-gradient norm over the last one's, from the raw signals.
fn grad_ratio(d: &DeepSignalsDemo) -> f64 {
    let s = d.signals();
    s[0].grad_norm() / s[s.len() - 1].grad_norm()
}

#[test]
fn sigmoid_with_tiny_weights_vanishes_and_relu_with_he_does_not() {
    let base = [("depth", "10"), ("width", "32")];
    let sig = deep(
        &[
            base[0],
            base[1],
            ("activation", "sigmoid"),
            ("init", "uniform005"),
        ],
        1,
    );
    assert_eq!(sig.signals().len(), 10, "one record per hidden layer");
    let r_sig = grad_ratio(&sig);
    // Each layer multiplies the backward signal by about |W| sigma' ~ 0.16 * 0.25: ten layers lose
    // many orders of magnitude (measured 2.4e-14).
    assert!(r_sig < 1e-8, "sigmoid + uniform(±0.05): ratio {r_sig:e}");
    let relu = deep(
        &[base[0], base[1], ("activation", "relu"), ("init", "he")],
        1,
    );
    let r_relu = grad_ratio(&relu);
    // He's variance 2 / fan_in keeps the signal's scale through ReLUs (measured 0.13).
    assert!(
        (1e-2..1e2).contains(&r_relu),
        "relu + He: ratio {r_relu:e} within a factor 100"
    );
    // The metric reports the same ratio as the raw signals.
    let m = metric(&relu.metrics(), "grad_ratio");
    assert!((m - r_relu).abs() <= 1e-9 * r_relu.abs(), "{m} vs {r_relu}");
    // ReLU with N(0, 1) weights explodes: each layer multiplies the std by about sqrt(32 / 2).
    let boom = deep(
        &[
            base[0],
            base[1],
            ("activation", "relu"),
            ("init", "normal1"),
        ],
        1,
    );
    let s = boom.signals();
    assert!(
        s[9].activation_std() > 1e3 * s[0].activation_std(),
        "exploding: {} vs {}",
        s[9].activation_std(),
        s[0].activation_std()
    );
}

#[test]
fn batch_norm_keeps_every_layer_in_a_band() {
    for (act, init) in [("relu", "normal1"), ("sigmoid", "uniform005")] {
        let with = deep(
            &[("activation", act), ("init", init), ("batch_norm", "true")],
            30,
        );
        for (i, s) in with.signals().iter().enumerate() {
            let std = s.activation_std();
            assert!(
                (0.05..2.0).contains(&std),
                "{act}/{init} with batch norm: layer {} std {std}",
                i + 1
            );
        }
        let ratio = grad_ratio(&with);
        assert!(
            (1e-2..1e2).contains(&ratio),
            "{act}/{init} with batch norm: gradient ratio {ratio}"
        );
    }
    // Without it the same ReLU network's last layer is off by orders of magnitude.
    let without = deep(&[("activation", "relu"), ("init", "normal1")], 1);
    let last = without.signals().last().unwrap().activation_std();
    assert!(last > 1e3, "relu/normal1 without batch norm: {last}");
}

fn race(pairs: &[(&str, &str)], ticks: usize) -> OptimizerRaceDemo {
    let mut d = OptimizerRaceDemo::new(&params("optimizer-race", pairs), 3).unwrap();
    for _ in 0..ticks {
        d.tick();
    }
    d
}

#[test]
fn sgd_path_is_x_minus_lr_times_gradient() {
    let lr = 0.01;
    let d = race(
        &[
            ("surface", "rosenbrock"),
            ("learning_rate", "0.01"),
            ("momentum", "false"),
            ("adagrad", "false"),
            ("rmsprop", "false"),
            ("adam", "false"),
        ],
        5,
    );
    let sgd = &d.racers()[0];
    assert_eq!(sgd.key, "sgd");
    // d/dx [(1 - x)^2 + 10 (y - x^2)^2] and d/dy, by hand.
    let [mut x, mut y] = sgd.path[0];
    assert!(
        (x + 1.5).abs() <= 0.05 && (y - 2.5).abs() <= 0.05,
        "start {x}, {y}"
    );
    for k in 1..=5 {
        let gx = -2.0 * (1.0 - x) - 40.0 * x * (y - x * x);
        let gy = 20.0 * (y - x * x);
        (x, y) = (x - lr * gx, y - lr * gy);
        let p = sgd.path[k];
        assert!(
            (p[0] - x).abs() < 1e-4 && (p[1] - y).abs() < 1e-4,
            "step {k}: {p:?} vs ({x}, {y})"
        );
    }
}

#[test]
fn every_optimizer_descends_the_valley_and_momentum_and_adam_beat_sgd() {
    let all: Vec<(&str, &str)> = RACERS.iter().map(|r| (r.0, "true")).collect();
    let d = race(&all, 200);
    assert_eq!(d.racers().len(), 9);
    let final_loss = |key: &str| {
        let r = d.racers().iter().find(|r| r.key == key).unwrap();
        *r.losses.last().unwrap()
    };
    for r in d.racers() {
        assert_eq!(r.losses.len(), 201, "{}: start + 200 steps", r.key);
        assert!(!r.diverged, "{} diverged", r.key);
        let (first, last) = (r.losses[0], *r.losses.last().unwrap());
        assert!(last < first, "{}: {first} -> {last}", r.key);
    }
    // Measured at lr 0.05: SGD 0.136, momentum 2e-9, Adam 3e-5.
    let sgd = final_loss("sgd");
    for k in ["momentum", "nesterov", "adam"] {
        assert!(
            final_loss(k) < sgd / 10.0,
            "{k}: {} vs SGD {sgd}",
            final_loss(k)
        );
    }
}

#[test]
fn schedules_give_the_rates_they_promise() {
    let d = race(
        &[
            ("schedule", "piecewise"),
            ("learning_rate", "0.04"),
            ("steps", "100"),
        ],
        100,
    );
    let rates = &d.racers()[0].rates;
    assert_eq!(rates.len(), 100);
    // Keras's PiecewiseConstantDecay with boundaries [50, 75]: step <= 50, then <= 75, then after.
    for (step, &r) in rates.iter().enumerate() {
        let want = if step <= 50 {
            0.04
        } else if step <= 75 {
            0.004
        } else {
            0.0004
        };
        assert!((r - want).abs() < 1e-7, "step {step}: {r} vs {want}");
    }
    let e = race(&[("schedule", "exponential"), ("steps", "100")], 100);
    let rates = &e.racers()[0].rates;
    for (step, &r) in rates.iter().enumerate() {
        let want = 0.05 * 0.1f64.powf(step as f64 / 100.0);
        assert!(
            (r - want).abs() < 1e-6 * want.max(1e-3),
            "step {step}: {r} vs {want}"
        );
    }
}

#[test]
fn network_racers_share_a_start_and_replay_from_a_seed() {
    let d = race(&[("mode", "network")], 40);
    let starts: Vec<f64> = d.racers().iter().map(|r| r.losses[0]).collect();
    assert!(
        starts.windows(2).all(|w| w[0] == w[1]),
        "same initial weights: {starts:?}"
    );
    for r in d.racers() {
        assert_eq!(r.losses.len(), 41);
    }
    let texts = |m: Vec<demos::Metric>| -> Vec<String> {
        m.into_iter()
            .map(|m| format!("{}={}", m.key, m.text))
            .collect()
    };
    let again = race(&[("mode", "network")], 40);
    assert_eq!(texts(d.metrics()), texts(again.metrics()));
    let a = texts(deep(&[], 20).metrics());
    assert_eq!(a, texts(deep(&[], 20).metrics()));
    assert_ne!(
        a,
        texts(
            DeepSignalsDemo::new(&params("deep-signals", &[]), 8)
                .map(|mut d| {
                    for _ in 0..20 {
                        d.tick();
                    }
                    d.metrics()
                })
                .unwrap()
        )
    );
}
