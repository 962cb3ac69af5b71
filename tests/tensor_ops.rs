//! `Tensor` on the CPU device: broadcasting against hand-computed results, the blocked matmul
//! against a naive triple loop, reductions, softmax stability and shape errors.

// The same tests run natively and, under `wasm-pack test`, compiled to wasm in the browser.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mlplay::error::Error;
use mlplay::rng::Rng;
use mlplay::tensor::{Device, Tensor, Unary};

fn t(data: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_vec(data.to_vec(), shape).unwrap()
}

/// Every value within `tol * (1 + |want|)` (also used by the WebGPU test).
pub(crate) fn assert_close(got: &[f32], want: &[f32], tol: f32) {
    assert_eq!(got.len(), want.len(), "lengths differ: {got:?} vs {want:?}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "element {i}: got {g}, want {w}"
        );
    }
}

#[test]
fn constructors_and_shape_check() {
    let z = Tensor::zeros(&[2, 3]);
    assert_eq!(z.shape(), &[2, 3]);
    assert_eq!(z.to_vec(), vec![0.0; 6]);
    assert_eq!(Tensor::ones(&[4]).to_vec(), vec![1.0; 4]);
    let s = Tensor::scalar(2.5);
    assert_eq!(s.shape(), &[] as &[usize]);
    assert_eq!(s.item().unwrap(), 2.5);
    assert_eq!(s.device(), Device::Cpu);
    match Tensor::from_vec(vec![1.0; 5], &[2, 3]) {
        Err(Error::Shape(msg)) => assert!(msg.contains("[2, 3]") && msg.contains('5'), "{msg}"),
        other => panic!("expected a shape error, got {other:?}"),
    }
    assert!(Tensor::zeros(&[2]).item().is_err());
}

#[test]
fn random_constructors_are_reproducible() {
    let a = Tensor::randn(&[3, 4], 1.0, &mut Rng::new(7));
    let b = Tensor::randn(&[3, 4], 1.0, &mut Rng::new(7));
    let c = Tensor::randn(&[3, 4], 1.0, &mut Rng::new(8));
    assert_eq!(a, b);
    assert_ne!(a, c);
    let u = Tensor::uniform(&[1000], -2.0, 3.0, &mut Rng::new(1)).to_vec();
    assert!(u.iter().all(|&x| (-2.0..3.0).contains(&x)));
    let mean = u.iter().sum::<f32>() / 1000.0;
    assert!((mean - 0.5).abs() < 0.2, "mean {mean}");
}

#[test]
fn broadcasting_matches_hand_computed_results() {
    // (2, 3) + (3,): the row is added to each row.
    let a = t(&[1., 2., 3., 4., 5., 6.], &[2, 3]);
    let row = t(&[10., 20., 30.], &[3]);
    assert_eq!(
        a.add(&row).unwrap().to_vec(),
        vec![11., 22., 33., 14., 25., 36.]
    );
    // (2, 3) - (2, 1): the column is subtracted across each row.
    let col = t(&[1., 2.], &[2, 1]);
    assert_eq!(a.sub(&col).unwrap().to_vec(), vec![0., 1., 2., 2., 3., 4.]);
    // (2, 1) * (3,) -> (2, 3): an outer product.
    let outer = col.mul(&row).unwrap();
    assert_eq!(outer.shape(), &[2, 3]);
    assert_eq!(outer.to_vec(), vec![10., 20., 30., 20., 40., 60.]);
    // Scalar on either side.
    assert_eq!(
        Tensor::scalar(12.0).div(&row).unwrap().to_vec(),
        vec![1.2, 0.6, 0.4]
    );
    assert_eq!(a.mul(&Tensor::scalar(2.0)).unwrap().shape(), &[2, 3]);
    // (2, 1, 2) + (3, 1) -> (2, 3, 2).
    let x = t(&[1., 2., 3., 4.], &[2, 1, 2]);
    let y = t(&[100., 200., 300.], &[3, 1]);
    let z = x.add(&y).unwrap();
    assert_eq!(z.shape(), &[2, 3, 2]);
    assert_eq!(
        z.to_vec(),
        vec![101., 102., 201., 202., 301., 302., 103., 104., 203., 204., 303., 304.]
    );
    // broadcast_to and its reverse, sum_to.
    let b = row.broadcast_to(&[2, 3]).unwrap();
    assert_eq!(b.to_vec(), vec![10., 20., 30., 10., 20., 30.]);
    assert_eq!(z.sum_to(&[3, 1]).unwrap().to_vec(), vec![410., 810., 1210.]);
    assert_eq!(z.sum_to(&[2]).unwrap().to_vec(), vec![1212., 1218.]);
    assert_eq!(z.sum_to(&[]).unwrap().to_vec(), vec![2430.]);
}

#[test]
fn shape_errors_name_both_shapes() {
    let a = Tensor::zeros(&[2, 3]);
    let b = Tensor::zeros(&[2]);
    for result in [a.add(&b), a.sub(&b), a.mul(&b), a.div(&b)] {
        match result {
            Err(Error::Shape(msg)) => {
                assert!(msg.contains("[2, 3]") && msg.contains("[2]"), "{msg}")
            }
            other => panic!("expected a shape error, got {other:?}"),
        }
    }
    match a.matmul(&Tensor::zeros(&[2, 4])) {
        Err(Error::Shape(msg)) => {
            assert!(msg.contains("[2, 3]") && msg.contains("[2, 4]"), "{msg}")
        }
        other => panic!("expected a shape error, got {other:?}"),
    }
    assert!(a.matmul(&Tensor::zeros(&[3])).is_err());
    assert!(Tensor::zeros(&[2, 2, 3])
        .matmul(&Tensor::zeros(&[3, 3, 2]))
        .is_err());
    assert!(a.reshape(&[4, 2]).is_err());
    assert!(b.transpose().is_err());
    assert!(a.sum_axis(2, false).is_err());
    assert!(a.broadcast_to(&[3, 3]).is_err());
    assert!(a.sum_to(&[4]).is_err());
    assert!(Tensor::scalar(1.0).softmax().is_err());
    assert!(Tensor::zeros(&[3, 0]).max_last(false).is_err());
    assert!(Tensor::one_hot(&[0, 3], 3).is_err());
}

fn naive_matmul(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f64;
            for p in 0..k {
                s += a[i * k + p] as f64 * b[p * n + j] as f64;
            }
            c[i * n + j] = s as f32;
        }
    }
    c
}

#[test]
fn matmul_matches_naive_loop_on_random_shapes() {
    let mut rng = Rng::new(42);
    // Odd sizes, sizes straddling the 128/256 block edges, and degenerate ones.
    let mut shapes = vec![
        (1, 1, 1),
        (3, 5, 2),
        (7, 129, 9),
        (5, 300, 257),
        (130, 17, 513),
        (0, 3, 2),
    ];
    for _ in 0..10 {
        shapes.push((1 + rng.below(70), 1 + rng.below(300), 1 + rng.below(300)));
    }
    for (m, k, n) in shapes {
        let a = Tensor::randn(&[m, k], 1.0, &mut rng);
        let b = Tensor::randn(&[k, n], 1.0, &mut rng);
        let c = a.matmul(&b).unwrap();
        assert_eq!(c.shape(), &[m, n]);
        let want = naive_matmul(&a.to_vec(), &b.to_vec(), m, k, n);
        // f32 sums of k products of unit normals: error grows like sqrt(k) * eps.
        assert_close(&c.to_vec(), &want, 1e-5 * (k as f32).sqrt() * 4.0);
    }
}

#[test]
fn batched_matmul() {
    let mut rng = Rng::new(5);
    let a = Tensor::randn(&[3, 4, 5], 1.0, &mut rng);
    let w = Tensor::randn(&[5, 6], 1.0, &mut rng);
    let b3 = Tensor::randn(&[3, 5, 2], 1.0, &mut rng);
    let c = a.matmul(&w).unwrap();
    let c3 = a.matmul(&b3).unwrap();
    assert_eq!(c.shape(), &[3, 4, 6]);
    assert_eq!(c3.shape(), &[3, 4, 2]);
    let (av, wv, bv) = (a.to_vec(), w.to_vec(), b3.to_vec());
    for t in 0..3 {
        let want = naive_matmul(&av[t * 20..(t + 1) * 20], &wv, 4, 5, 6);
        assert_close(&c.to_vec()[t * 24..(t + 1) * 24], &want, 1e-5);
        let want3 = naive_matmul(
            &av[t * 20..(t + 1) * 20],
            &bv[t * 10..(t + 1) * 10],
            4,
            5,
            2,
        );
        assert_close(&c3.to_vec()[t * 8..(t + 1) * 8], &want3, 1e-5);
    }
}

#[test]
fn transpose_and_reshape() {
    let a = t(&[1., 2., 3., 4., 5., 6.], &[2, 3]);
    let at = a.transpose().unwrap();
    assert_eq!(at.shape(), &[3, 2]);
    assert_eq!(at.to_vec(), vec![1., 4., 2., 5., 3., 6.]);
    let big = Tensor::randn(&[70, 45], 1.0, &mut Rng::new(3));
    assert_eq!(big.transpose().unwrap().transpose().unwrap(), big);
    let bt = Tensor::randn(&[2, 3, 4], 1.0, &mut Rng::new(4));
    let btt = bt.transpose().unwrap();
    assert_eq!(btt.shape(), &[2, 4, 3]);
    assert_eq!(btt.to_vec()[4 * 3 + 2], bt.to_vec()[12 + 2 * 4]);
    let r = a.reshape(&[3, 2]).unwrap();
    assert_eq!(r.shape(), &[3, 2]);
    assert_eq!(r.to_vec(), a.to_vec());
}

#[test]
fn reductions() {
    let a = t(&[1., 2., 3., 4., 5., 6.], &[2, 3]);
    assert_eq!(a.sum_all().item().unwrap(), 21.0);
    assert_eq!(a.mean_all().item().unwrap(), 3.5);
    let s0 = a.sum_axis(0, false).unwrap();
    assert_eq!((s0.shape(), s0.to_vec()), (&[3][..], vec![5., 7., 9.]));
    let s1 = a.sum_axis(1, true).unwrap();
    assert_eq!((s1.shape(), s1.to_vec()), (&[2, 1][..], vec![6., 15.]));
    let m1 = a.mean_axis(1, false).unwrap();
    assert_eq!((m1.shape(), m1.to_vec()), (&[2][..], vec![2., 5.]));
    let x = t(&[1., 2., 3., 4., 5., 6., 7., 8.], &[2, 2, 2]);
    assert_eq!(
        x.sum_axis(1, false).unwrap().to_vec(),
        vec![4., 6., 12., 14.]
    );
    let mx = t(&[3., -1., 7., 0., 9., 2.], &[2, 3]);
    assert_eq!(mx.max_last(false).unwrap().to_vec(), vec![7., 9.]);
    assert_eq!(mx.max_last(true).unwrap().shape(), &[2, 1]);
    assert_eq!(mx.argmax_last().unwrap(), vec![2, 1]);
}

#[test]
fn softmax_rows_sum_to_one_and_survive_large_logits() {
    let mut rng = Rng::new(11);
    let x = Tensor::randn(&[8, 5], 3.0, &mut rng);
    let p = x.softmax().unwrap().to_vec();
    for row in p.chunks(5) {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(row.iter().all(|&v| v > 0.0));
    }
    // exp(1000) overflows f32; the stable version must not care.
    let big = t(&[1000., 1001., 1002., -1000., 0., 1000.], &[2, 3]);
    let p = big.softmax().unwrap().to_vec();
    let e = [(-2f32).exp(), (-1f32).exp(), 1.0];
    let z: f32 = e.iter().sum();
    assert_close(&p[..3], &[e[0] / z, e[1] / z, e[2] / z], 1e-6);
    assert_close(&p[3..], &[0.0, 0.0, 1.0], 1e-6);
    let lp = big.log_softmax().unwrap().to_vec();
    assert!(lp.iter().all(|v| v.is_finite()), "{lp:?}");
    assert_close(&lp[..3], &[-2.0 - z.ln(), -1.0 - z.ln(), -z.ln()], 1e-5);
    assert_close(&lp[3..], &[-2000.0, -1000.0, 0.0], 1e-6);
    // log_softmax equals ln(softmax) where the latter is finite.
    let ls = x.log_softmax().unwrap().to_vec();
    let sl = x.softmax().unwrap().log().to_vec();
    assert_close(&ls, &sl, 1e-5);
}

#[test]
fn unary_maps_and_derivatives() {
    let x = t(&[-2.0, -0.5, 0.5, 3.0], &[4]);
    assert_eq!(x.relu().to_vec(), vec![0.0, 0.0, 0.5, 3.0]);
    assert_eq!(
        x.unary(Unary::LeakyRelu(0.1)).to_vec(),
        vec![-0.2, -0.05, 0.5, 3.0]
    );
    assert_close(
        &x.sigmoid().to_vec(),
        &[0.119_202_92, 0.377_540_67, 0.622_459_3, 0.952_574_1],
        1e-6,
    );
    assert_close(
        &x.unary(Unary::Softplus).to_vec(),
        &[0.126_928, 0.474_077, 0.974_077, 3.048_587],
        1e-5,
    );
    // GELU (tanh form) reference values from the formula evaluated in f64.
    let gelu = |v: f64| {
        0.5 * v * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (v + 0.044715 * v.powi(3))).tanh())
    };
    let want: Vec<f32> = [-2.0, -0.5, 0.5, 3.0]
        .iter()
        .map(|&v| gelu(v) as f32)
        .collect();
    assert_close(&x.unary(Unary::Gelu).to_vec(), &want, 1e-6);
    // Stable at extremes.
    let ext = t(&[-100.0, 100.0], &[2]);
    assert_close(&ext.sigmoid().to_vec(), &[0.0, 1.0], 1e-30);
    assert_close(&ext.unary(Unary::Softplus).to_vec(), &[0.0, 100.0], 1e-30);
    // Each derivative against a central difference of its own function.
    let ops = [
        Unary::Neg,
        Unary::Exp,
        Unary::Log,
        Unary::Tanh,
        Unary::Sigmoid,
        Unary::Relu,
        Unary::LeakyRelu(0.2),
        Unary::Elu(1.5),
        Unary::Gelu,
        Unary::Softplus,
        Unary::Sqrt,
        Unary::Square,
        Unary::Abs,
        Unary::Recip,
        Unary::Scale(-3.0),
        Unary::Shift(2.0),
    ];
    for op in ops {
        for &v in &[-1.3f32, -0.4, 0.7, 2.1] {
            if matches!(op, Unary::Log | Unary::Sqrt) && v < 0.0 {
                continue;
            }
            let h = 1e-3f32;
            let num = (op.apply(v + h) as f64 - op.apply(v - h) as f64) / (2.0 * h as f64);
            let d = op.derivative(v, op.apply(v)) as f64;
            assert!(
                (d - num).abs() < 2e-3 * (1.0 + num.abs()),
                "{op:?} at {v}: {d} vs {num}"
            );
        }
    }
    let g = Tensor::ones(&[4]);
    let y = x.tanh();
    let back = x.unary_backward(Unary::Tanh, &y, &g).unwrap().to_vec();
    let want: Vec<f32> = y.to_vec().iter().map(|v| 1.0 - v * v).collect();
    assert_close(&back, &want, 1e-6);
    assert!(x
        .unary_backward(Unary::Tanh, &y, &Tensor::ones(&[3]))
        .is_err());
    assert_eq!(
        x.scale(2.0).add_scalar(1.0).to_vec(),
        vec![-3.0, 0.0, 2.0, 7.0]
    );
}

#[test]
fn one_hot_rows() {
    let o = Tensor::one_hot(&[2, 0], 3).unwrap();
    assert_eq!(o.shape(), &[2, 3]);
    assert_eq!(o.to_vec(), vec![0., 0., 1., 1., 0., 0.]);
}

/// Not a pass/fail test: prints the 256 x 256 matmul time (run with `--nocapture`, release mode for
/// a meaningful number).
#[test]
fn matmul_256_timing() {
    let mut rng = Rng::new(9);
    let a = Tensor::randn(&[256, 256], 1.0, &mut rng);
    let b = Tensor::randn(&[256, 256], 1.0, &mut rng);
    let reps = 5;
    let start = web_time::Instant::now();
    let mut c = Tensor::zeros(&[1]);
    for _ in 0..reps {
        c = a.matmul(&b).unwrap();
    }
    let secs = start.elapsed().as_secs_f64() / reps as f64;
    assert_eq!(c.shape(), &[256, 256]);
    let gflops = 2.0 * 256f64.powi(3) / secs / 1e9;
    println!(
        "matmul 256x256x256: {:.3} ms, {gflops:.2} GFLOP/s",
        secs * 1e3
    );
}
