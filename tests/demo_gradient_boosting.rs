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
