//! Every autodiff op against central finite differences on seeded random inputs, shape errors from
//! the tape, and a two-layer MLP trained by plain SGD on the tape that must learn the moons set.

// `&[x.clone()]` reads like the other multi-input checks; `slice::from_ref` would not.
#![allow(clippy::cloned_ref_to_slice_refs)]

// The same tests run natively and, under `wasm-pack test`, compiled to wasm in the browser.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mlplay::autodiff::{gradcheck, Op, Tape, Tolerance, Var};
use mlplay::error::{Error, Result};
use mlplay::rng::Rng;
use mlplay::tensor::Tensor;

/// Normal inputs, each pushed at least 0.1 away from 0 so that kinks (ReLU and friends) and poles
/// stay outside the finite-difference step.
fn randn(shape: &[usize], seed: u64) -> Tensor {
    Tensor::randn(shape, 1.0, &mut Rng::new(seed)).map(|x| x + 0.1f32.copysign(x))
}

/// Positive inputs in [0.5, 2) for log, division and the like.
fn positive(shape: &[usize], seed: u64) -> Tensor {
    Tensor::uniform(shape, 0.5, 2.0, &mut Rng::new(seed))
}

/// Runs the check, prints the worst relative error (visible with `--nocapture`) and asserts it.
fn check(name: &str, inputs: &[Tensor], f: impl Fn(&mut Tape, &[Var]) -> Result<Var>) {
    let report = gradcheck(inputs, Tolerance::default(), f).unwrap();
    println!(
        "gradcheck {name:<22} max rel error {:.2e}  max abs error {:.2e}  ({} elements)",
        report.max_rel_error, report.max_abs_error, report.checked
    );
    assert!(report.passed, "{name}: {report:?}");
    assert!(report.checked > 0);
}

#[test]
fn elementwise_arithmetic_with_broadcasting() {
    let (a, b) = (randn(&[3, 4], 1), randn(&[3, 4], 2));
    check("add", &[a.clone(), b.clone()], |t, v| t.add(v[0], v[1]));
    check("add (3,4)+(4,)", &[a.clone(), randn(&[4], 3)], |t, v| {
        t.add(v[0], v[1])
    });
    check(
        "add (3,1)+(1,4)",
        &[randn(&[3, 1], 4), randn(&[1, 4], 5)],
        |t, v| t.add(v[0], v[1]),
    );
    check(
        "add scalar+(3,4)",
        &[Tensor::scalar(0.7), a.clone()],
        |t, v| t.add(v[0], v[1]),
    );
    check(
        "sub (2,3,4)-(3,1)",
        &[randn(&[2, 3, 4], 6), randn(&[3, 1], 7)],
        |t, v| t.sub(v[0], v[1]),
    );
    check("mul", &[a.clone(), b.clone()], |t, v| t.mul(v[0], v[1]));
    check(
        "mul (2,1,3)*(4,1)",
        &[randn(&[2, 1, 3], 8), randn(&[4, 1], 9)],
        |t, v| t.mul(v[0], v[1]),
    );
    check("div", &[a.clone(), positive(&[3, 4], 10)], |t, v| {
        t.div(v[0], v[1])
    });
    check(
        "div (3,4)/(3,1)",
        &[a.clone(), positive(&[3, 1], 11)],
        |t, v| t.div(v[0], v[1]),
    );
    check("neg", &[a.clone()], |t, v| Ok(t.neg(v[0])));
    check("scale", &[a], |t, v| Ok(t.scale(v[0], -2.5)));
    // x used twice: gradients from both uses must add up (2x + 1).
    check("x*x + x", &[b], |t, v| {
        let sq = t.mul(v[0], v[0])?;
        t.add(sq, v[0])
    });
}

#[test]
fn matmul_variants() {
    check(
        "matmul (5,7)x(7,3)",
        &[randn(&[5, 7], 20), randn(&[7, 3], 21)],
        |t, v| t.matmul(v[0], v[1]),
    );
    check(
        "matmul (2,3,4)x(4,5)",
        &[randn(&[2, 3, 4], 22), randn(&[4, 5], 23)],
        |t, v| t.matmul(v[0], v[1]),
    );
    check(
        "matmul (2,3,4)x(2,4,2)",
        &[randn(&[2, 3, 4], 24), randn(&[2, 4, 2], 25)],
        |t, v| t.matmul(v[0], v[1]),
    );
}

#[test]
fn unary_functions() {
    let x = randn(&[4, 5], 30);
    check("exp", &[x.clone()], |t, v| Ok(t.exp(v[0])));
    check("log", &[positive(&[4, 5], 31)], |t, v| Ok(t.log(v[0])));
    check("tanh", &[x.clone()], |t, v| Ok(t.tanh(v[0])));
    check("sigmoid", &[x.clone()], |t, v| Ok(t.sigmoid(v[0])));
    check("relu", &[x.clone()], |t, v| Ok(t.relu(v[0])));
    check("leaky_relu", &[x.clone()], |t, v| {
        Ok(t.leaky_relu(v[0], 0.1))
    });
    check("elu", &[x.clone()], |t, v| Ok(t.elu(v[0], 1.3)));
    check("gelu", &[x.clone()], |t, v| Ok(t.gelu(v[0])));
    check("softplus", &[x.clone()], |t, v| Ok(t.softplus(v[0])));
    check("selu", &[x.clone()], |t, v| Ok(t.selu(v[0])));
    check("swish", &[x.clone()], |t, v| Ok(t.swish(v[0])));
    check("abs", &[x.clone()], |t, v| Ok(t.abs(v[0])));
    check("square", &[x.clone()], |t, v| Ok(t.square(v[0])));
    check("sqrt", &[positive(&[4, 5], 32)], |t, v| Ok(t.sqrt(v[0])));
    check("add_scalar", &[x.clone()], |t, v| {
        Ok(t.add_scalar(v[0], 0.3))
    });
    // delta 0.75 puts elements on both sides of the quadratic/linear switch.
    check("huber", &[x], |t, v| Ok(t.huber(v[0], 0.75)));
}

#[test]
fn slice_and_concat() {
    let x3 = randn(&[2, 5, 3], 60);
    check("slice axis 1", &[x3.clone()], |t, v| t.slice(v[0], 1, 1, 4));
    check("slice axis 0", &[x3.clone()], |t, v| t.slice(v[0], 0, 1, 2));
    check("slice last axis", &[x3.clone()], |t, v| {
        t.slice(v[0], 2, 0, 2)
    });
    check(
        "concat axis 1",
        &[randn(&[2, 2, 3], 61), x3.clone(), randn(&[2, 1, 3], 62)],
        |t, v| t.concat(&[v[0], v[1], v[2]], 1),
    );
    check(
        "concat axis 0",
        &[randn(&[3, 4], 63), randn(&[1, 4], 64)],
        |t, v| t.concat(&[v[0], v[1]], 0),
    );
    // Slices of one tensor joined back in another order: the gradients must route back.
    check("slice+concat reorder", &[x3], |t, v| {
        let a = t.slice(v[0], 1, 0, 2)?;
        let b = t.slice(v[0], 1, 2, 5)?;
        let joined = t.concat(&[b, a], 1)?;
        t.mul(joined, joined)
    });
}

#[test]
fn reductions_and_shapes() {
    let x = randn(&[3, 4], 40);
    let x3 = randn(&[2, 3, 4], 41);
    check("sum", &[x.clone()], |t, v| Ok(t.sum(v[0])));
    check("sum axis 0", &[x.clone()], |t, v| {
        t.sum_axis(v[0], 0, false)
    });
    check("sum axis 1 keepdims", &[x.clone()], |t, v| {
        t.sum_axis(v[0], 1, true)
    });
    check("sum (2,3,4) axis 1", &[x3.clone()], |t, v| {
        t.sum_axis(v[0], 1, false)
    });
    check("mean", &[x.clone()], |t, v| Ok(t.mean(v[0])));
    check("mean axis 0 keepdims", &[x.clone()], |t, v| {
        t.mean_axis(v[0], 0, true)
    });
    check("mean (2,3,4) axis 2", &[x3.clone()], |t, v| {
        t.mean_axis(v[0], 2, false)
    });
    check("reshape", &[x.clone()], |t, v| {
        // A product after the reshape makes the gradient depend on the new layout.
        let r = t.reshape(v[0], &[2, 6])?;
        t.mul(r, r)
    });
    check("transpose", &[x], |t, v| {
        let tr = t.transpose(v[0])?;
        let w = t.constant(randn(&[4, 3], 42));
        t.mul(tr, w)
    });
    check("transpose 3-D", &[x3], |t, v| t.transpose(v[0]));
}

#[test]
fn softmax_and_losses() {
    let logits = randn(&[4, 5], 50).scale(2.0);
    check("softmax", &[logits.clone()], |t, v| t.softmax(v[0]));
    check("log_softmax", &[logits.clone()], |t, v| t.log_softmax(v[0]));
    check("softmax (2,3,4)", &[randn(&[2, 3, 4], 51)], |t, v| {
        t.softmax(v[0])
    });
    check(
        "mse_loss",
        &[randn(&[6, 2], 52), randn(&[6, 2], 53)],
        |t, v| t.mse_loss(v[0], v[1]),
    );
    let targets = [0usize, 4, 2, 2];
    check("cross_entropy", &[logits], |t, v| {
        t.cross_entropy(v[0], &targets)
    });
    // A whole layer: cross_entropy(tanh(x W + b)) with respect to W and b.
    let x = randn(&[6, 3], 54);
    check(
        "dense+tanh+xent",
        &[randn(&[3, 4], 55), randn(&[4], 56)],
        move |t, v| {
            let xi = t.constant(x.clone());
            let h = t.matmul(xi, v[0])?;
            let h = t.add(h, v[1])?;
            let h = t.tanh(h);
            t.cross_entropy(h, &[0, 1, 2, 3, 0, 1])
        },
    );
}

#[test]
fn the_checker_catches_a_wrong_gradient() {
    // At a kink the numerical slope of ReLU is 0.5 while autodiff says 0: the check must fail.
    let at_kink = Tensor::from_vec(vec![0.0, 1.0], &[2]).unwrap();
    let report = gradcheck(&[at_kink], Tolerance::default(), |t, v| Ok(t.relu(v[0]))).unwrap();
    assert!(!report.passed, "{report:?}");
    let (input, element, analytic, numerical) = report.worst.unwrap();
    assert_eq!((input, element), (0, 0));
    assert!(analytic.abs() < 1e-9 && numerical.abs() > 0.1, "{report:?}");
}

#[test]
fn tape_basics() {
    let mut tape = Tape::new();
    let x = tape.leaf(Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3]).unwrap());
    let c = tape.constant(Tensor::from_vec(vec![2.0, 2.0, 2.0], &[3]).unwrap());
    let y = tape.mul(x, c).unwrap();
    let y2 = tape.mul(y, x).unwrap(); // 2 x^2
    let loss = tape.sum(y2);
    assert_eq!(tape.value(loss).item().unwrap(), 28.0);
    assert!(matches!(tape.op(y2), Op::Mul(a, b) if *a == y && *b == x));
    tape.backward(loss).unwrap();
    assert_eq!(tape.grad(x).unwrap().to_vec(), vec![4.0, 8.0, 12.0]); // 4x
    assert!(tape.grad(c).is_none(), "constants get no gradient");
    assert_eq!(tape.grad(loss).unwrap().to_vec(), vec![1.0]);
    tape.clear();
    assert!(tape.is_empty());
}

#[test]
fn tape_shape_errors() {
    let mut tape = Tape::new();
    let a = tape.leaf(Tensor::zeros(&[2, 3]));
    let b = tape.leaf(Tensor::zeros(&[3, 3]));
    match tape.add(a, b) {
        Err(Error::Shape(msg)) => {
            assert!(msg.contains("[2, 3]") && msg.contains("[3, 3]"), "{msg}")
        }
        other => panic!("expected a shape error, got {other:?}"),
    }
    assert!(tape.matmul(b, a).is_err());
    assert!(tape.mse_loss(a, b).is_err());
    assert!(tape.cross_entropy(a, &[0, 1, 2]).is_err());
    assert!(tape.cross_entropy(a, &[0, 3]).is_err());
    assert!(tape.reshape(a, &[5]).is_err());
    assert!(tape.sum_axis(a, 2, false).is_err());
    let s = tape.leaf(Tensor::scalar(1.0));
    assert!(tape.softmax(s).is_err());
    assert!(tape.transpose(s).is_err());
    assert!(tape.slice(a, 1, 2, 4).is_err());
    assert!(tape.slice(a, 2, 0, 1).is_err());
    assert!(tape.concat(&[a, b], 1).is_err());
    assert!(tape.concat(&[], 0).is_err());
}

/// Two-layer MLP (2 -> 16 tanh -> 2 logits) assembled from tape ops and trained by full-batch SGD
/// on 200 moons points: the boundary is curved, so a linear model cannot pass 95%.
#[test]
fn mlp_learns_moons() {
    let mut rng = Rng::new(7);
    let data = mlplay::data::generators::moons(200, 0.1, &mut rng);
    let n = data.x.nrows();
    let x = Tensor::from_vec(data.x.iter().map(|&v| v as f32).collect(), &[n, 2]).unwrap();
    let labels: Vec<usize> = data.y.iter().map(|&v| v as usize).collect();

    let hidden = 16;
    let mut w1 = Tensor::randn(&[2, hidden], (1.0f32 / 2.0).sqrt(), &mut rng);
    let mut b1 = Tensor::zeros(&[hidden]);
    let mut w2 = Tensor::randn(&[hidden, 2], (1.0 / hidden as f32).sqrt(), &mut rng);
    let mut b2 = Tensor::zeros(&[2]);
    let lr = 0.5;
    let mut tape = Tape::new();
    let mut losses = Vec::new();
    let mut accuracy = 0.0;
    for _ in 0..1500 {
        tape.clear();
        let xi = tape.constant(x.clone());
        let p = [w1.clone(), b1.clone(), w2.clone(), b2.clone()].map(|t| tape.leaf(t));
        let h = tape.matmul(xi, p[0]).unwrap();
        let h = tape.add(h, p[1]).unwrap();
        let h = tape.tanh(h);
        let o = tape.matmul(h, p[2]).unwrap();
        let logits = tape.add(o, p[3]).unwrap();
        let loss = tape.cross_entropy(logits, &labels).unwrap();
        losses.push(tape.value(loss).item().unwrap());
        let predicted = tape.value(logits).argmax_last().unwrap();
        accuracy = predicted
            .iter()
            .zip(&labels)
            .filter(|(a, b)| a == b)
            .count() as f64
            / n as f64;
        tape.backward(loss).unwrap();
        for (param, var) in [&mut w1, &mut b1, &mut w2, &mut b2].into_iter().zip(p) {
            *param = param.sub(&tape.grad(var).unwrap().scale(lr)).unwrap();
        }
    }
    println!(
        "moons MLP: loss {:.4} -> {:.4}, train accuracy {accuracy:.3}",
        losses[0],
        losses[losses.len() - 1]
    );
    assert!(losses[losses.len() - 1] < 0.5 * losses[0]);
    assert!(accuracy >= 0.95, "accuracy {accuracy}");
}
