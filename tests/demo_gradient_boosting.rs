//! The gradient-boosting demo (chapter 7): one stage per tick, the training error never rises
//! (squared error, every point in every stage), and the test error turns up after a best stage,
//! earlier with a larger learning rate.
#![cfg(not(target_arch = "wasm32"))]

use mlplay::demos::{self, AnyDemo, Demo};
use mlplay::estimator::Progress;

fn metric(d: &AnyDemo, key: &str) -> f64 {
    d.metrics().iter().find(|m| m.key == key).unwrap().value
}

/// Runs to the end; returns the demo and the training MSE after every stage.
fn run(pairs: &[(&str, &str)]) -> (AnyDemo, Vec<f64>) {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = demos::params_with("gradient-boosting", &pairs).unwrap();
    let mut d = demos::create("gradient-boosting", &params, 42).unwrap();
    let mut train = Vec::new();
    loop {
        let p = d.tick();
        train.push(metric(&d, "train_mse"));
        assert_eq!(
            metric(&d, "trees") as usize,
            train.len(),
            "one stage per tick"
        );
        if p != Progress::Running {
            assert_eq!(p, Progress::Done);
            return (d, train);
        }
    }
}

#[test]
fn training_error_falls_and_test_error_has_a_best_stage() {
    let (d, train) = run(&[]);
    assert_eq!(train.len(), 200);
    assert!(
        train.windows(2).all(|w| w[1] <= w[0] + 1e-12),
        "training MSE never rises"
    );
    let best = metric(&d, "best_stage");
    assert!(best > 5.0 && best < 150.0, "best stage {best}");
    assert!(metric(&d, "test_mse") > metric(&d, "best_test_mse"));

    let (fast, _) = run(&[("learning_rate", "1")]);
    assert!(
        metric(&fast, "best_stage") < best,
        "a larger rate overfits sooner"
    );
    assert!(
        metric(&fast, "train_mse") < 1e-6,
        "and ends up fitting the training noise"
    );
}

/// The regression tree and gradient boosting on an uploaded CSV in the thousands: each ends at
/// the library's fit on the same split of the file's rows (the tree with the same number of
/// leaves and errors, boosting with the same stage-wise test error), and the Python reads the file.
#[test]
fn tree_demos_on_an_uploaded_file_are_the_library_fits() {
    use mlplay::data::{frame::read_frame, Dataset};
    use mlplay::ensemble::GradientBoostingRegressor;
    use mlplay::estimator::{Fit, Regressor};
    use mlplay::metrics::root_mean_squared_error;
    use mlplay::tree::DecisionTreeRegressorParams;
    use ndarray::Axis;
    let mut text = String::from("year,visitors\n");
    for i in 0..90 {
        let t = 1900.0 + ((i * 31) % 90) as f64 * 1.3;
        let v = 20_000.0 + 8_000.0 * ((t - 1900.0) / 15.0).sin() + 1_500.0 * (i as f64 * 1.9).cos();
        text.push_str(&format!("{t},{v}\n"));
    }
    let on_file = |id: &str, pairs: &[(&str, &str)]| {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let params = demos::params_on_file(id, &pairs, "visits.csv", &text).unwrap();
        let mut d = demos::create(id, &params, 42).unwrap();
        while d.tick() == Progress::Running {}
        d
    };
    let frame = read_frame(&text).unwrap();
    let all = Dataset::new(
        frame.values.select(Axis(1), &[0]),
        frame.values.column(1).to_owned(),
    )
    .unwrap();
    let mut rng = mlplay::rng::Rng::new(42);
    let (tr, te) = mlplay::model_selection::train_test_split(90, 0.25, &mut rng).unwrap();
    let (train, test) = (all.select(&tr), all.select(&te));
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);

    let tree_demo = on_file("regression-tree", &[("max_depth", "3")]);
    let tree = DecisionTreeRegressorParams::default()
        .max_depth(Some(3))
        .fit(&train)
        .unwrap();
    let rmse = |p: ndarray::Array1<f64>, d: &Dataset| root_mean_squared_error(d.y.view(), p.view());
    let tree_test = rmse(tree.predict(test.x.view()).unwrap(), &test);
    assert_eq!(metric(&tree_demo, "leaves"), 8.0);
    assert!(
        close(metric(&tree_demo, "test_rmse"), tree_test),
        "{tree_test}"
    );
    assert!(close(
        metric(&tree_demo, "train_rmse"),
        rmse(tree.predict(train.x.view()).unwrap(), &train)
    ));
    assert!(
        tree_test < 5_000.0,
        "the steps follow the visitors: {tree_test}"
    );
    let script = tree_demo.python().unwrap();
    assert!(script.contains("pd.read_csv(\"visits.csv\")"), "{script}");
    assert!(!script.contains("np.sin"), "{script}");

    let boost_demo = on_file("gradient-boosting", &[("n_estimators", "40")]);
    let boost = GradientBoostingRegressor::params()
        .learning_rate(0.1)
        .n_estimators(40)
        .max_depth(Some(2))
        .subsample(1.0)
        .random_state(rng.next_u64())
        .fit(&train)
        .unwrap();
    let p = boost.predict(test.x.view()).unwrap();
    let test_mse = p
        .iter()
        .zip(&test.y)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        / test.y.len() as f64;
    assert_eq!(metric(&boost_demo, "trees"), 40.0);
    assert!(
        close(metric(&boost_demo, "test_mse"), test_mse),
        "{test_mse}"
    );
    assert!(boost_demo
        .python()
        .unwrap()
        .contains("pd.read_csv(\"visits.csv\")"));
}
