//! Chapter 12's demos: the autodiff graph reports the gradients the chain rule gives by hand and
//! steps through every node once each way; the custom losses are composed correctly (against the
//! built-in Huber op and hand-derived derivatives), quantile and Huber fits behave as their
//! definitions say, and a squared loss trained on the tape lands on the least-squares line.

use mlplay::autodiff::Tape;
use mlplay::demos::custom_loss::LossShape;
use mlplay::demos::{AnyDemo, Demo};
use mlplay::estimator::Progress;
use mlplay::tensor::Tensor;

use crate::common::demo;

fn metric(d: &AnyDemo, key: &str) -> f64 {
    d.metrics()
        .iter()
        .find(|m| m.key == key)
        .unwrap_or_else(|| panic!("metric {key}"))
        .value
}

fn run_to_end(d: &mut AnyDemo, limit: usize) -> usize {
    for t in 1..=limit {
        if d.tick() != Progress::Running {
            return t;
        }
    }
    limit
}

fn close(what: &str, ours: f64, hand: f64) {
    assert!(
        (ours - hand).abs() <= 1e-4 * hand.abs().max(1.0),
        "{what}: demo {ours}, by hand {hand}"
    );
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

const INPUTS: [(&str, &str); 3] = [("x1", "0.7"), ("x2", "-1.3"), ("target", "0.4")];
const X1: f64 = 0.7;
const X2: f64 = -1.3;
const T: f64 = 0.4;

fn graph(expression: &str, seed: u64) -> AnyDemo {
    let mut pairs = INPUTS.to_vec();
    pairs.push(("expression", expression));
    demo("autodiff-graph", &pairs, seed)
}

#[test]
fn graph_gradients_match_the_chain_rule_by_hand() {
    // x*y + exp(x): df/dx = y + e^x, df/dy = x.
    let d = graph("xy-exp", 3);
    let (x, y) = (X1, X2);
    close("f", metric(&d, "f"), x * y + x.exp());
    close("df/dx", metric(&d, "grad_x"), y + x.exp());
    close("df/dy", metric(&d, "grad_y"), x);

    // sigmoid(w1 x1 + w2 x2 + b): every gradient is s(1 - s) times what multiplies the weight.
    let d = graph("neuron", 3);
    let (w1, w2, b) = (
        metric(&d, "value_w1"),
        metric(&d, "value_w2"),
        metric(&d, "value_b"),
    );
    let s = sigmoid(w1 * X1 + w2 * X2 + b);
    close("f", metric(&d, "f"), s);
    close("df/dw1", metric(&d, "grad_w1"), s * (1.0 - s) * X1);
    close("df/dw2", metric(&d, "grad_w2"), s * (1.0 - s) * X2);
    close("df/db", metric(&d, "grad_b"), s * (1.0 - s));

    // log(e^z1 + e^z2) - z1: the gradient is softmax minus the one-hot target.
    let d = graph("cross-entropy", 3);
    let (z1, z2) = (X1, X2);
    let p1 = z1.exp() / (z1.exp() + z2.exp());
    close("f", metric(&d, "f"), -p1.ln());
    close("df/dz1", metric(&d, "grad_z1"), p1 - 1.0);
    close("df/dz2", metric(&d, "grad_z2"), 1.0 - p1);

    // (v1 h1 + v2 h2 + c - t)^2 with hj = tanh(wj1 x1 + wj2 x2 + bj), backpropagated by hand.
    let d = graph("tanh-net", 3);
    let v = |k: &str| metric(&d, &format!("value_{k}"));
    let h: Vec<f64> = (1..=2)
        .map(|j| {
            (v(&format!("w{j}1")) * X1 + v(&format!("w{j}2")) * X2 + v(&format!("b{j}"))).tanh()
        })
        .collect();
    let out = v("v1") * h[0] + v("v2") * h[1] + v("c");
    let delta = 2.0 * (out - T);
    close("f", metric(&d, "f"), (out - T).powi(2));
    close("df/dc", metric(&d, "grad_c"), delta);
    for j in 1..=2 {
        let hj = h[j - 1];
        let back = delta * v(&format!("v{j}")) * (1.0 - hj * hj);
        close("df/dvj", metric(&d, &format!("grad_v{j}")), delta * hj);
        close("df/dwj1", metric(&d, &format!("grad_w{j}1")), back * X1);
        close("df/dwj2", metric(&d, &format!("grad_w{j}2")), back * X2);
        close("df/dbj", metric(&d, &format!("grad_b{j}")), back);
    }
    // The central differences agree at the default step.
    for e in ["xy-exp", "neuron", "cross-entropy", "tanh-net"] {
        let err = metric(&graph(e, 3), "max_rel_error");
        assert!(err < 1e-2, "{e}: finite differences differ by {err}");
    }
}

#[test]
fn stepping_visits_each_node_forward_then_each_differentiable_node_backward() {
    // Counted on paper: (nodes, nodes that are not constants or computed from constants only).
    for (e, nodes, backward) in [
        ("xy-exp", 5, 5),        // x, y, x*y, exp(x), +
        ("neuron", 10, 8),       // 5 leaves (x1, x2 constant), 2 products, 2 sums, sigmoid
        ("cross-entropy", 7, 7), // z1, z2, 2 exp, +, log, -
        ("tanh-net", 28, 25),    // 12 leaves (x1, x2, t constant), 2 x (2 products, 2 sums, tanh),
                                 // 2 products, 2 sums, difference, square as d*d
    ] {
        let mut d = graph(e, 1);
        assert_eq!(metric(&d, "nodes"), nodes as f64, "{e}");
        assert_eq!(metric(&d, "backward_nodes"), backward as f64, "{e}");
        let ticks = run_to_end(&mut d, 1000);
        assert_eq!(ticks, nodes + backward, "{e}: ticks to the end");
        assert_eq!(metric(&d, "step"), (nodes + backward) as f64, "{e}");
        assert_eq!(d.tick(), Progress::Done, "{e}: stays done");
    }
}

#[test]
fn finite_difference_step_trades_truncation_against_rounding() {
    let err = |h: &str| {
        let mut pairs = INPUTS.to_vec();
        pairs.extend([("expression", "xy-exp"), ("fd_step", h)]);
        metric(&demo("autodiff-graph", &pairs, 1), "max_rel_error")
    };
    let (tiny, good, huge) = (err("0.00001"), err("0.001"), err("1"));
    eprintln!("relative error: h=1e-5 {tiny:.2e}, h=1e-3 {good:.2e}, h=1 {huge:.2e}");
    // exp's curvature biases a wide difference; f32 rounding swamps a narrow one.
    assert!(huge > 0.05, "h = 1: {huge}");
    assert!(tiny > 3.0 * good, "h = 1e-5: {tiny} vs {good}");
}

/// ℓ and ℓ' of a loss shape at residuals `r`, from the tape.
fn shape_at(shape: LossShape, r: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let mut tape = Tape::new();
    let v = tape.leaf(Tensor::from_vec(r.to_vec(), &[r.len()]).unwrap());
    let l = shape.record(&mut tape, v).unwrap();
    let s = tape.sum(l);
    tape.backward(s).unwrap();
    (tape.value(l).to_vec(), tape.grad(v).unwrap().to_vec())
}

#[test]
fn composed_losses_equal_their_definitions() {
    let r: Vec<f32> = vec![-4.0, -1.3, -0.4, 0.2, 0.9, 2.5, 7.0];
    let near = |what: &str, a: f32, b: f64| {
        assert!(
            (a as f64 - b).abs() < 1e-4 * b.abs().max(1.0),
            "{what}: {a} vs {b}"
        )
    };
    // Huber from abs, relu and square = the tape's built-in Huber op, values and slopes.
    let (hv, hg) = shape_at(LossShape::Huber(1.5), &r);
    let mut tape = Tape::new();
    let v = tape.leaf(Tensor::from_vec(r.clone(), &[r.len()]).unwrap());
    let l = tape.huber(v, 1.5);
    let s = tape.sum(l);
    tape.backward(s).unwrap();
    let (bv, bg) = (tape.value(l).to_vec(), tape.grad(v).unwrap().to_vec());
    for i in 0..r.len() {
        near("huber", hv[i], bv[i] as f64);
        near("huber'", hg[i], bg[i] as f64);
    }
    let (lv, lg) = shape_at(LossShape::LogCosh, &r);
    let (qv, qg) = shape_at(LossShape::Quantile(0.8), &r);
    let (mv, mg) = shape_at(LossShape::Mix(0.3), &r);
    for (i, &x) in r.iter().enumerate() {
        let x = x as f64;
        near("log cosh", lv[i], x.cosh().ln());
        near("log cosh' = tanh", lg[i], x.tanh());
        // Pinball on u = y - ŷ = -r: u (τ - [u < 0]).
        let u = -x;
        near(
            "pinball",
            qv[i],
            u * (0.8 - if u < 0.0 { 1.0 } else { 0.0 }),
        );
        near("pinball'", qg[i], if x > 0.0 { 0.2 } else { -0.8 });
        near("mix", mv[i], 0.3 * x * x + 0.7 * x.abs());
        near("mix'", mg[i], 0.6 * x + 0.7 * x.signum());
    }
}

fn fit(pairs: &[(&str, &str)], seed: u64) -> AnyDemo {
    let mut d = demo("custom-loss", pairs, seed);
    run_to_end(&mut d, 5000);
    d
}

#[test]
fn quantile_loss_leaves_tau_of_the_points_below_the_line() {
    for (tau, lo, hi) in [("0.9", 0.85, 0.95), ("0.2", 0.15, 0.25)] {
        let d = fit(&[("loss", "quantile"), ("tau", tau)], 4);
        let below = metric(&d, "share_below");
        eprintln!("tau {tau}: {below} of the points below the line");
        assert!((lo..=hi).contains(&below), "tau {tau}: {below}");
    }
}

#[test]
fn huber_resists_the_outliers_that_tilt_least_squares() {
    // The clean points follow slope 0.5; the outliers all sit at large x, above the line.
    for seed in [1, 2, 3] {
        let d = fit(&[("loss", "huber"), ("outliers", "0.2")], seed);
        let (huber, mse) = (metric(&d, "slope"), metric(&d, "mse_slope"));
        eprintln!("seed {seed}: Huber slope {huber:.3}, least squares {mse:.3}");
        assert!(
            (huber - 0.5).abs() + 0.15 < (mse - 0.5).abs(),
            "seed {seed}: Huber {huber}, least squares {mse}"
        );
    }
}

#[test]
fn squared_loss_on_the_tape_reaches_the_least_squares_line() {
    let d = fit(
        &[
            ("loss", "square"),
            ("steps", "3000"),
            ("learning_rate", "0.2"),
        ],
        5,
    );
    let (a, b) = (metric(&d, "slope"), metric(&d, "intercept"));
    let (ea, eb) = (metric(&d, "mse_slope"), metric(&d, "mse_intercept"));
    assert!(
        (a - ea).abs() < 0.01 && (b - eb).abs() < 0.05,
        "({a}, {b}) vs ({ea}, {eb})"
    );
    // Every shape's derivative from backward matches its central difference.
    for loss in ["square", "abs", "huber", "log-cosh", "quantile", "mix"] {
        let gap = metric(
            &demo("custom-loss", &[("loss", loss)], 1),
            "max_derivative_gap",
        );
        assert!(gap < 1e-2, "{loss}: {gap}");
    }
}

#[test]
fn same_seed_same_fit() {
    let run = |seed| fit(&[("loss", "log-cosh"), ("steps", "200")], seed).metrics();
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}
