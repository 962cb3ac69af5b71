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
