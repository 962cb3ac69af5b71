//! The AdaBoost and voting/stacking demos (chapter 7): AdaBoost boosts one round per tick, makes
//! the points its newest learner missed heavier and ends with the model a batch fit gives; the
//! voting demo's ensemble accuracy is what a direct `VotingClassifier` / `StackingClassifier` fit
//! scores on the same split, and soft voting is no worse than its worst member.
#![cfg(not(target_arch = "wasm32"))]

use mlplay::demos::adaboost::AdaBoostDemo;
use mlplay::demos::voting::VotingDemo;
use mlplay::demos::{self, Demo, Params};
use mlplay::ensemble::{
    AdaBoostClassifier, StackingClassifierParams, Voting, VotingClassifierParams,
};
use mlplay::estimator::{Classifier, Fit, Progress};

fn params(id: &str, pairs: &[(&str, &str)]) -> Params {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    demos::params_with(id, &pairs).unwrap()
}

fn metric(d: &impl Demo, key: &str) -> f64 {
    d.metrics().iter().find(|m| m.key == key).unwrap().value
}

#[test]
fn adaboost_boosts_one_round_per_tick_and_reweights_the_misses() {
    let p = params(
        "adaboost",
        &[
            ("n_estimators", "40"),
            ("max_depth", "2"),
            ("noise", "0.35"),
        ],
    );
    let mut d = AdaBoostDemo::new(&p, 7).unwrap();
    let n = d.train().n_samples() as f64;
    assert!(d.weights().iter().all(|&w| (w - 1.0 / n).abs() < 1e-15));
    let mut rounds = 0;
    loop {
        let progress = d.tick();
        rounds += 1;
        assert_eq!(metric(&d, "round") as usize, rounds, "one round per tick");
        if progress != Progress::Running {
            assert_eq!(progress, Progress::Done);
            break;
        }
        // Rounds before the last renormalise the weights; every missed point gains weight
        // relative to every point the learner got right, by the factor e^alpha.
        let (before, after, wrong) = (d.weights_before(), d.weights(), d.newest_wrong());
        assert!(
            wrong.iter().any(|&w| w),
            "a depth-2 tree misses some noisy moons"
        );
        assert!((after.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let alpha = metric(&d, "alpha");
        assert!(alpha > 0.0);
        let right = (0..before.len()).find(|&j| !wrong[j]).unwrap();
        let right_ratio = after[right] / before[right];
        for (i, ((&b, &a), &missed)) in before.iter().zip(after).zip(wrong).enumerate() {
            let ratio = a / b;
            if missed {
                assert!(
                    ratio > 1.0,
                    "round {rounds}: missed point {i} grows ({ratio})"
                );
            }
            let expected = if missed { alpha.exp() } else { 1.0 };
            assert!(
                (ratio / right_ratio / expected - 1.0).abs() < 1e-9,
                "round {rounds}, point {i}"
            );
        }
    }
    assert_eq!(rounds, 40);

    let batch = AdaBoostClassifier::params()
        .n_estimators(40)
        .max_depth(2)
        .learning_rate(1.0)
        .fit(d.train())
        .unwrap();
    let model = d.model();
    assert_eq!(model.estimator_weights, batch.estimator_weights);
    let x = d.test().x.view();
    assert_eq!(model.predict(x).unwrap(), batch.predict(x).unwrap());
    let (tx, ty) = (d.train().x.view(), d.train().y.view());
    assert_eq!(
        metric(&d, "test_accuracy"),
        batch.score(x, d.test().y.view()).unwrap(),
        "the demo's running vote predicts what the fitted model does"
    );
    assert_eq!(metric(&d, "train_accuracy"), batch.score(tx, ty).unwrap());
}

/// Runs the voting demo to the end, counting ticks.
fn run_voting(method: &str, seed: u64) -> (VotingDemo, usize) {
    let mut d = VotingDemo::new(&params("voting", &[("method", method)]), seed).unwrap();
    let mut ticks = 0;
    while d.tick() == Progress::Running {
        ticks += 1;
        assert!(ticks < 100, "the demo finishes");
    }
    assert!(d.status().is_none(), "{:?}", d.status());
    (d, ticks + 1)
}

#[test]
fn voting_demo_scores_what_a_direct_fit_scores() {
    let p = params("voting", &[]);
    let mut voting_ticks = 0;
    for (method, voting) in [("hard-voting", Voting::Hard), ("soft-voting", Voting::Soft)] {
        let (d, ticks) = run_voting(method, 42);
        voting_ticks = ticks;
        let direct = VotingClassifierParams::default()
            .estimators(VotingDemo::members(&p))
            .voting(voting)
            .fit(d.train())
            .unwrap();
        let expected = direct.score(d.test().x.view(), d.test().y.view()).unwrap();
        assert_eq!(metric(&d, "ensemble_accuracy"), expected, "{method}");
    }
    let (d, ticks) = run_voting("stacking", 42);
    assert!(
        ticks > voting_ticks,
        "stacking fits each member once more per fold: {ticks} ticks, voting {voting_ticks}"
    );
    let direct = StackingClassifierParams::default()
        .estimators(VotingDemo::members(&p))
        .fit(d.train())
        .unwrap();
    let expected = direct.score(d.test().x.view(), d.test().y.view()).unwrap();
    assert_eq!(metric(&d, "ensemble_accuracy"), expected);
}

#[test]
fn soft_voting_is_no_worse_than_its_worst_member() {
    for seed in [42, 1, 2] {
        let (d, _) = run_voting("soft-voting", seed);
        let worst = ["logistic", "svc", "tree", "knn"]
            .iter()
            .map(|m| metric(&d, &format!("{m}_accuracy")))
            .fold(1.0_f64, f64::min);
        let ensemble = metric(&d, "ensemble_accuracy");
        assert!(ensemble >= worst, "seed {seed}: {ensemble} < {worst}");
    }
}
