//! `nn` against reference numbers from `scripts/fixtures.d/nn.py` (NumPy re-implementations of the
//! Keras/PyTorch rules, in float64): optimizers over 5 steps, activations, BatchNorm forward and
//! backward, losses with their gradients, max-norm, and learning-rate schedules.

// The same tests run natively and, under `wasm-pack test`, compiled to wasm in the browser.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mlplay::autodiff::Tape;
use mlplay::nn::{
    max_norm, Activation, BatchNorm, Layer, LayerSpec, Loss, LrSchedule, ModelSpec, Optimizer,
    OptimizerSpec, Pass, Schedule, Sequential,
};
use mlplay::tensor::Tensor;
use serde_json::Value;

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn vec1(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

/// A (rows, cols) tensor from a JSON list of rows.
fn mat(v: &Value) -> Tensor {
    let rows = v.as_array().unwrap();
    let data: Vec<f32> = rows.iter().flat_map(vec1).collect();
    let cols = data.len() / rows.len();
    Tensor::from_vec(data, &[rows.len(), cols]).unwrap()
}

/// max |a - b| / max(|b|, floor), printed with `name` and asserted below `tol`.
fn assert_close(name: &str, got: &[f32], want: &[f32], tol: f64, floor: f64) {
    assert_eq!(got.len(), want.len(), "{name}: lengths");
    let worst = got
        .iter()
        .zip(want)
        .map(|(&g, &w)| (g as f64 - w as f64).abs() / (w as f64).abs().max(floor))
        .fold(0.0f64, f64::max);
    println!("{name:<34} max rel error {worst:.1e}");
    assert!(
        worst <= tol,
        "{name}: error {worst:e}\n got {got:?}\nwant {want:?}"
    );
}

#[test]
fn optimizers_match_five_reference_steps() {
    let f = fixture(include_str!("fixtures/nn_optimizers.json"));
    let (x, y) = (mat(&f["x"]), mat(&f["y"]));
    let cases = f["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 9, "every optimizer kind has a case");
    for case in cases {
        let spec = OptimizerSpec {
            kind: serde_json::from_value(case["kind"].clone()).unwrap(),
            learning_rate: case["learning_rate"].as_f64().unwrap() as f32,
        };
        let name = case["kind"]["name"].as_str().unwrap();
        let mut model = Sequential::new(ModelSpec {
            input: 3,
            layers: vec![LayerSpec::dense(2, Activation::Linear)],
            seed: 0,
        })
        .unwrap();
        if let Layer::Dense(d) = &mut model.layers_mut()[0] {
            d.kernel = mat(&f["kernel"]);
            d.bias = Tensor::from_vec(vec1(&f["bias"]), &[2]).unwrap();
        }
        let mut opt = Optimizer::new(spec).unwrap();
        for (t, want) in case["steps"].as_array().unwrap().iter().enumerate() {
            let mut tape = Tape::new();
            let xi = tape.constant(x.clone());
            let (out, params) = model.forward(&mut tape, xi, true).unwrap();
            let target = tape.constant(y.clone());
            let loss = Loss::Mse.forward(&mut tape, out, target).unwrap();
            let before = tape.value(loss).item().unwrap();
            let want_loss = want["loss_before"].as_f64().unwrap() as f32;
            assert_close(
                &format!("{name} loss {t}"),
                &[before],
                &[want_loss],
                1e-5,
                1e-3,
            );
            tape.backward(loss).unwrap();
            let grads: Vec<Tensor> = params
                .iter()
                .map(|&p| tape.grad(p).unwrap().clone())
                .collect();
            opt.step(&mut model.params_mut(), &grads, spec.learning_rate)
                .unwrap();
            let p = model.params();
            // Weights of order 1 after updates of order 0.01-0.1: 2e-5 is f32 rounding over 5 steps.
            assert_close(
                &format!("{name} step {} kernel", t + 1),
                &p[0].to_vec(),
                &vec1(&Value::Array(want["kernel"].as_array().unwrap().clone())),
                2e-5,
                0.1,
            );
            assert_close(
                &format!("{name} step {} bias", t + 1),
                &p[1].to_vec(),
                &vec1(&want["bias"]),
                2e-5,
                0.1,
            );
        }
        assert_eq!(opt.iterations(), 5);
    }
}

#[test]
fn activations_match_values_and_derivatives() {
    let f = fixture(include_str!("fixtures/nn_layers.json"));
    let a = &f["activations"];
    let x = Tensor::from_vec(vec1(&a["x"]), &[16]).unwrap();
    let alpha = a["leaky_relu_alpha"].as_f64().unwrap() as f32;
    for (name, act) in [
        ("sigmoid", Activation::Sigmoid),
        ("tanh", Activation::Tanh),
        ("relu", Activation::Relu),
        ("leaky_relu", Activation::LeakyRelu { alpha }),
        ("elu", Activation::Elu { alpha: 1.0 }),
        ("selu", Activation::Selu),
        ("gelu", Activation::Gelu),
        ("swish", Activation::Swish),
    ] {
        let mut tape = Tape::new();
        let xv = tape.leaf(x.clone());
        let y = act.forward(&mut tape, xv).unwrap();
        let s = tape.sum(y);
        tape.backward(s).unwrap();
        assert_close(
            name,
            &tape.value(y).to_vec(),
            &vec1(&a[name]["y"]),
            1e-5,
            1e-2,
        );
        assert_close(
            &format!("{name}'"),
            &tape.grad(xv).unwrap().to_vec(),
            &vec1(&a[name]["dy"]),
            // Derivatives taken from y (sigmoid's y (1 - y)) lose a few bits where y is near 1:
            // 1e-5 relative, or 1e-6 absolute below 0.1.
            1e-5,
            0.1,
        );
    }
}

#[test]
fn batch_norm_forward_backward_and_running_statistics() {
    let f = fixture(include_str!("fixtures/nn_layers.json"));
    let b = &f["batch_norm"];
    let x = mat(&b["x"]);
    let mut bn = BatchNorm::new(3, 0.99, b["epsilon"].as_f64().unwrap() as f32);
    bn.gamma = Tensor::from_vec(vec1(&b["gamma"]), &[3]).unwrap();
    bn.beta = Tensor::from_vec(vec1(&b["beta"]), &[3]).unwrap();
    let layer = Layer::BatchNorm(bn.clone());

    // Training mode: batch statistics, gradients of sum(y * r).
    let mut tape = Tape::new();
    let xv = tape.leaf(x.clone());
    let params = [tape.leaf(bn.gamma.clone()), tape.leaf(bn.beta.clone())];
    let mut pass = Pass::train(mlplay::rng::Rng::new(0));
    let y = layer.forward(&mut tape, xv, &params, &mut pass, 0).unwrap();
    let r = tape.constant(mat(&b["r"]));
    let weighted = tape.mul(y, r).unwrap();
    let l = tape.sum(weighted);
    tape.backward(l).unwrap();
    assert_close(
        "batch_norm y",
        &tape.value(y).to_vec(),
        &mat(&b["y"]).to_vec(),
        1e-5,
        0.1,
    );
    assert_close(
        "batch_norm dx",
        &tape.grad(xv).unwrap().to_vec(),
        &mat(&b["dx"]).to_vec(),
        1e-4,
        0.1,
    );
    assert_close(
        "batch_norm dgamma",
        &tape.grad(params[0]).unwrap().to_vec(),
        &vec1(&b["dgamma"]),
        1e-5,
        0.1,
    );
    assert_close(
        "batch_norm dbeta",
        &tape.grad(params[1]).unwrap().to_vec(),
        &vec1(&b["dbeta"]),
        1e-5,
        0.1,
    );

    // One running-average update from (0, 1) with momentum 0.99, then inference mode.
    let (_, mean, var) = pass.batch_stats.pop().unwrap();
    bn.update_running(&mean, &var).unwrap();
    assert_close(
        "running_mean",
        &bn.running_mean.to_vec(),
        &vec1(&b["running_mean"]),
        1e-5,
        1e-2,
    );
    assert_close(
        "running_var",
        &bn.running_var.to_vec(),
        &vec1(&b["running_var"]),
        1e-5,
        1e-2,
    );
    let mut tape = Tape::new();
    let xv = tape.constant(x);
    let params = [
        tape.constant(bn.gamma.clone()),
        tape.constant(bn.beta.clone()),
    ];
    let y = Layer::BatchNorm(bn)
        .forward(&mut tape, xv, &params, &mut Pass::eval(), 0)
        .unwrap();
    assert_close(
        "batch_norm eval y",
        &tape.value(y).to_vec(),
        &mat(&b["y_eval"]).to_vec(),
        1e-5,
        0.1,
    );
}

#[test]
fn losses_match_values_and_gradients() {
    let f = fixture(include_str!("fixtures/nn_layers.json"));
    let l = &f["losses"];
    let pred = mat(&l["pred"]);
    for (name, loss) in [
        ("mse", Loss::Mse),
        ("mae", Loss::Mae),
        ("huber", Loss::Huber { delta: 1.0 }),
        ("binary_cross_entropy", Loss::BinaryCrossEntropy),
        ("categorical_cross_entropy", Loss::CategoricalCrossEntropy),
    ] {
        let mut tape = Tape::new();
        let p = tape.leaf(pred.clone());
        let t = tape.constant(mat(&l[name]["target"]));
        let v = loss.forward(&mut tape, p, t).unwrap();
        tape.backward(v).unwrap();
        let want = l[name]["value"].as_f64().unwrap() as f32;
        assert_close(name, &[tape.value(v).item().unwrap()], &[want], 1e-6, 1e-2);
        assert_close(
            &format!("{name} gradient"),
            &tape.grad(p).unwrap().to_vec(),
            &mat(&l[name]["grad"]).to_vec(),
            1e-5,
            1e-2,
        );
    }
    // Shapes must agree exactly.
    let mut tape = Tape::new();
    let p = tape.leaf(Tensor::zeros(&[4, 1]));
    let t = tape.constant(Tensor::zeros(&[4]));
    assert!(Loss::Mse.forward(&mut tape, p, t).is_err());
}

#[test]
fn max_norm_matches_keras() {
    let f = fixture(include_str!("fixtures/nn_layers.json"));
    let m = &f["max_norm"];
    let w = max_norm(&mat(&m["w"]), m["max"].as_f64().unwrap() as f32).unwrap();
    assert_close(
        "max_norm",
        &w.to_vec(),
        &mat(&m["result"]).to_vec(),
        1e-6,
        1e-2,
    );
}

#[test]
fn schedules_match_reference_rates() {
    let f = fixture(include_str!("fixtures/nn_schedules.json"));
    let lr0 = f["base_lr"].as_f64().unwrap() as f32;
    for case in f["cases"].as_array().unwrap() {
        let schedule: Schedule = serde_json::from_value(case["schedule"].clone()).unwrap();
        let name = case["schedule"]["name"].as_str().unwrap();
        let s = LrSchedule::new(schedule, lr0).unwrap();
        let want = vec1(&case["rates"]);
        let got: Vec<f32> = (0..want.len()).map(|step| s.rate(step)).collect();
        assert_close(&format!("schedule {name}"), &got, &want, 1e-6, 1e-4);
    }
    let p = &f["performance"];
    let mut s =
        LrSchedule::new(serde_json::from_value(p["schedule"].clone()).unwrap(), lr0).unwrap();
    let got: Vec<f32> = vec1(&p["epoch_losses"])
        .into_iter()
        .map(|loss| {
            s.end_epoch(loss);
            s.rate(0)
        })
        .collect();
    assert_close("schedule performance", &got, &vec1(&p["rates"]), 1e-6, 1e-4);
}

#[test]
fn invalid_optimizer_and_schedule_settings_are_errors() {
    let bad = OptimizerSpec {
        learning_rate: -1.0,
        ..OptimizerSpec::default()
    };
    assert!(Optimizer::new(bad).is_err());
    let nan = OptimizerSpec {
        learning_rate: f32::NAN,
        ..OptimizerSpec::default()
    };
    assert!(Optimizer::new(nan).is_err());
    assert!(LrSchedule::new(
        Schedule::Piecewise {
            boundaries: vec![3],
            values: vec![0.1]
        },
        0.1
    )
    .is_err());
    assert!(LrSchedule::new(Schedule::one_cycle(1), 0.1).is_err());
    let mut opt = Optimizer::new(OptimizerSpec::default()).unwrap();
    let mut w = Tensor::zeros(&[2]);
    assert!(opt
        .step(&mut [&mut w], &[Tensor::zeros(&[3])], 0.1)
        .is_err());
}
