//! Chapter 5's demos: SMO runs to convergence within a bounded number of ticks, the demo ends at
//! the model `SVC`/`SVR` fit directly, and C changes how many training points support the model.
#![cfg(not(target_arch = "wasm32"))] // draws with the native bitmap backend

use mlplay::demos::{self, Demo, Metric};
use mlplay::estimator::Progress;

/// Runs demo `id` until it stops (at most `limit` ticks); returns the ticks taken and the metrics.
fn run_to_end(id: &str, pairs: &[(&str, &str)], limit: usize) -> (usize, Vec<Metric>) {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = demos::params_with(id, &pairs).unwrap();
    let mut demo = demos::create(id, &params, 7).unwrap();
    for tick in 1..=limit {
        match demo.tick() {
            Progress::Running => {}
            Progress::Done => return (tick, demo.metrics()),
            Progress::Diverged => panic!("{id} {pairs:?}: diverged"),
        }
    }
    panic!("{id} {pairs:?}: still running after {limit} ticks");
}

fn metric(metrics: &[Metric], key: &str) -> Metric {
    metrics.iter().find(|m| m.key == key).cloned().unwrap()
}

/// The SVR demo on an uploaded CSV in the thousands: the solver sees x and y standardised, so it
/// ends at `SVR` fitted directly to the standardised training rows, with errors in the file's
/// units; its Python reads the file and standardises both the same way.
#[test]
fn svr_on_an_uploaded_file_is_the_direct_fit_on_standardised_data() {
    use mlplay::data::{frame::read_frame, Dataset};
    use mlplay::estimator::{Fit, Regressor};
    use mlplay::metrics::root_mean_squared_error;
    use mlplay::svm::{Gamma, SvrParams};
    use ndarray::{Array1, Axis};
    let mut text = String::from("altitude_m,boiling_mk\n");
    for i in 0..100 {
        let h = 50.0 * ((i * 37) % 100) as f64;
        let b = 373_150.0 - 3.4 * h + 400.0 * (i as f64 * 2.3).sin();
        text.push_str(&format!("{h},{b}\n"));
    }
    let params = demos::params_on_file("svr", &[], "boil.csv", &text).unwrap();
    let mut demo = demos::create("svr", &params, 7).unwrap();
    let mut ticks = 0;
    while demo.tick() == Progress::Running {
        ticks += 1;
        assert!(ticks < 200_000, "SMO ends on standardised data");
    }
    let m = demo.metrics();

    let frame = read_frame(&text).unwrap();
    let (x, y) = (frame.values.select(Axis(1), &[0]), frame.values.column(1));
    let mut rng = mlplay::rng::Rng::new(7);
    let (tr, te) = mlplay::model_selection::train_test_split(100, 0.25, &mut rng).unwrap();
    let (x_train, y_train) = (x.select(Axis(0), &tr), y.select(Axis(0), &tr));
    let scale = |v: &Array1<f64>| {
        let mean = v.mean().unwrap();
        (mean, v.mapv(|a| (a - mean).powi(2)).mean().unwrap().sqrt())
    };
    let ((xm, xs), (ym, ys)) = (scale(&x_train.column(0).to_owned()), scale(&y_train));
    let scaled = Dataset::new(
        x_train.mapv(|v| (v - xm) / xs),
        y_train.mapv(|v| (v - ym) / ys),
    )
    .unwrap();
    let svr = SvrParams {
        gamma: Gamma::Value(1.0),
        ..SvrParams::default()
    }
    .fit(&scaled)
    .unwrap();
    let rmse = |rows: &[usize]| {
        let p = svr
            .predict(x.select(Axis(0), rows).mapv(|v| (v - xm) / xs).view())
            .unwrap()
            .mapv(|v| v * ys + ym);
        root_mean_squared_error(y.select(Axis(0), rows).view(), p.view())
    };
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
    assert_eq!(
        metric(&m, "support_vectors").value,
        svr.support.len() as f64
    );
    assert!(close(metric(&m, "train_rmse").value, rmse(&tr)));
    assert!(close(metric(&m, "test_rmse").value, rmse(&te)));
    assert!(
        rmse(&te) < 1000.0,
        "the fit follows the file: {}",
        rmse(&te)
    );
    let script = demo.python().unwrap();
    assert!(script.contains("pd.read_csv(\"boil.csv\")"), "{script}");
    assert!(script.contains("TransformedTargetRegressor"), "{script}");
}

#[test]
fn svm_and_svr_demos_converge_and_c_changes_the_support() {
    for id in ["svm", "svr"] {
        let mut counts = Vec::new();
        for c in ["0.1", "1", "100"] {
            let (ticks, m) = run_to_end(id, &[("C", c)], 50_000);
            assert_eq!(metric(&m, "converged").text, "yes", "{id} C={c}");
            assert_eq!(
                metric(&m, "iterations").value as usize + 1,
                ticks,
                "{id} C={c}: one pair update per tick, then the stop"
            );
            counts.push(metric(&m, "support_vectors").value);
            eprintln!(
                "{id} C={c}: {ticks} ticks, {:?}",
                m.iter()
                    .map(|m| format!("{}={}", m.key, m.text))
                    .collect::<Vec<_>>()
            );
        }
        if id == "svm" {
            // A looser margin (small C) leans on more of the training points.
            assert!(
                counts[0] > counts[1] && counts[1] > counts[2],
                "{id}: support vectors {counts:?}"
            );
        } else {
            // For SVR epsilon decides most of it (points inside the tube never count); C still moves
            // the curve, and with it which points leave the tube.
            assert!(
                counts[0] != counts[1] || counts[1] != counts[2],
                "{id}: support vectors {counts:?}"
            );
        }
    }
    // Every kernel converges on every data set.
    for kernel in ["linear", "poly", "rbf"] {
        for dataset in ["moons", "blobs", "circles", "separable"] {
            run_to_end("svm", &[("kernel", kernel), ("dataset", dataset)], 200_000);
        }
        run_to_end("svr", &[("kernel", kernel)], 200_000);
    }
}

/// The SVC demo on an uploaded two-class CSV: it ends at `SVC` fitted directly on the same
/// standardised split of the file's rows, its Python reads the file, and a file of three classes
/// is refused with a message saying the demo separates two.
#[test]
fn svm_on_an_uploaded_file_is_the_direct_fit() {
    use mlplay::data::{frame::read_frame, Dataset};
    use mlplay::estimator::{Classifier, Fit};
    use mlplay::preprocessing::StandardScalerParams;
    use mlplay::svm::{KernelKind, SvcParams};
    use ndarray::Axis;
    let mut text = String::from("temperature,pressure,outcome\n");
    for i in 0..120 {
        let (outcome, shift) = if i % 2 == 0 {
            ("pass", 0.0)
        } else {
            ("fail", 1.5)
        };
        let a = 20.0 + 4.0 * ((i as f64 * 0.61).sin() + shift);
        let b = 1000.0 + 30.0 * ((i as f64 * 1.13).cos() + shift);
        text.push_str(&format!("{a},{b},{outcome}\n"));
    }
    let id = "svm";
    let pairs = [("standardize".to_string(), "true".to_string())];
    let params = demos::params_on_file(id, &pairs, "runs.csv", &text).unwrap();
    let mut demo = demos::create(id, &params, 42).unwrap();
    let mut ticks = 0;
    while demo.tick() == Progress::Running {
        ticks += 1;
        assert!(ticks < 100_000, "no end");
    }
    let m = demo.metrics();

    let frame = read_frame(&text).unwrap();
    let all = Dataset::new(
        frame.values.select(Axis(1), &[0, 1]),
        frame.values.column(2).to_owned(),
    )
    .unwrap();
    let mut rng = mlplay::rng::Rng::new(42);
    let (tr, te) = mlplay::model_selection::train_test_split(120, 0.25, &mut rng).unwrap();
    let (mut train, mut test) = (all.select(&tr), all.select(&te));
    let scaler = StandardScalerParams::default().fit(train.x.view()).unwrap();
    train.x = scaler.transform(train.x.view()).unwrap();
    test.x = scaler.transform(test.x.view()).unwrap();
    let svc = SvcParams::default()
        .kernel(KernelKind::Rbf)
        .gamma_value(1.0)
        .fit(&train)
        .unwrap();
    assert_eq!(metric(&m, "converged").text, "yes");
    assert_eq!(
        metric(&m, "support_vectors").value,
        svc.support.len() as f64
    );
    assert_eq!(
        metric(&m, "train_accuracy").value,
        svc.score(train.x.view(), train.y.view()).unwrap()
    );
    assert_eq!(
        metric(&m, "test_accuracy").value,
        svc.score(test.x.view(), test.y.view()).unwrap()
    );
    assert!(metric(&m, "test_accuracy").value > 0.8, "{m:?}");
    let script = demo.python().unwrap();
    assert!(script.contains("pd.read_csv(\"runs.csv\")"), "{script}");
    assert!(
        script.contains("data[[\"temperature\", \"pressure\"]]"),
        "{script}"
    );

    let three = text.replacen(",pass\n", ",skip\n", 4);
    let err = demos::params_on_file(id, &pairs, "runs.csv", &three)
        .unwrap_err()
        .to_string();
    assert!(err.contains("this demo separates 2"), "{err}");
}
