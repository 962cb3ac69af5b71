//! KMeans against scikit-learn (`tests/fixtures/unsupervised.json`, written by
//! `scripts/fixtures.d/unsupervised.py`): with the same starting centres every Lloyd iteration must
//! agree, so labels, centres, inertia and the iteration count match; k-means++ is checked by its
//! results. Then the estimator checks every model passes (errors, refit, seeds, serde).

// The same tests run natively and, under `wasm-pack test`, compiled to wasm in the browser.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mlplay::cluster::{InitMethod, KMeans, KMeansParams};
use mlplay::data::{generators, Dataset};
use mlplay::error::Error;
use mlplay::estimator::{Fit, Iterative, Progress};
use mlplay::rng::Rng;
use ndarray::{Array1, Array2};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixtures {
    cases: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    params: serde_json::Value,
    x: Vec<Vec<f64>>,
    x_test: Vec<Vec<f64>>,
    labels: Vec<usize>,
    cluster_centers: Vec<Vec<f64>>,
    inertia: f64,
    n_iter: usize,
    predict: Vec<usize>,
    transform: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct PlusPlusCase {
    name: String,
    params: serde_json::Value,
    x: Vec<Vec<f64>>,
    single_run_inertias: Vec<f64>,
    best_inertia: f64,
}

fn cases<T: serde::de::DeserializeOwned>(estimator: &str) -> Vec<T> {
    let text = include_str!("fixtures/unsupervised.json");
    serde_json::from_str::<Fixtures>(text)
        .expect("fixture JSON")
        .cases
        .into_iter()
        .filter(|c| c["estimator"] == estimator)
        .map(|c| serde_json::from_value(c).expect("fixture case"))
        .collect()
}

fn matrix(rows: &[Vec<f64>]) -> Array2<f64> {
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).expect("rectangular fixture")
}

/// Largest relative difference, `|a - b| / max(|b|, 1)`.
fn max_dev(ours: &[f64], theirs: &[f64]) -> f64 {
    assert_eq!(ours.len(), theirs.len(), "lengths");
    ours.iter()
        .zip(theirs)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max)
}

#[test]
fn kmeans_matches_scikit_learn_iteration_for_iteration() {
    let all: Vec<Case> = cases("kmeans");
    assert!(all.len() >= 6, "kmeans fixtures");
    let mut worst = 0.0_f64;
    for case in &all {
        let params: KMeansParams = serde_json::from_value(case.params.clone())
            .unwrap_or_else(|e| panic!("{}: params: {e}", case.name));
        let x = matrix(&case.x);
        let m = params
            .fit_x(x.view())
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let name = &case.name;
        assert_eq!(m.labels, case.labels, "{name}: labels");
        assert_eq!(m.n_iter, case.n_iter, "{name}: n_iter_");
        let centers = matrix(&case.cluster_centers);
        let dev = max_dev(
            m.cluster_centers.as_slice().unwrap(),
            centers.as_slice().unwrap(),
        )
        .max(max_dev(&[m.inertia], &[case.inertia]));
        let test = matrix(&case.x_test);
        assert_eq!(
            m.predict(test.view()).unwrap(),
            case.predict,
            "{name}: predict"
        );
        let dist = m.transform(test.view()).unwrap();
        let dev = dev.max(max_dev(
            dist.as_slice().unwrap(),
            matrix(&case.transform).as_slice().unwrap(),
        ));
        assert!(dev < 1e-10, "{name}: deviation {dev:.2e}");
        worst = worst.max(dev);
    }
    println!("kmeans: max relative deviation from scikit-learn {worst:.2e}");
}

#[test]
fn stepping_the_run_gives_the_fitted_model() {
    let case = &cases::<Case>("kmeans")[1];
    let params: KMeansParams = serde_json::from_value(case.params.clone()).unwrap();
    let x = matrix(&case.x);
    let mut run = params.start(x.view()).unwrap();
    let mut steps = 0;
    while run.step().unwrap() == Progress::Running {
        steps += 1;
        assert!(steps < 1000);
    }
    assert_eq!(run.step().unwrap(), Progress::Done, "stays done");
    assert_eq!(run.model(), params.fit_x(x.view()).unwrap());
    assert_eq!(run.n_iter(), case.n_iter);
    // Lloyd never increases the inertia.
    let inertias = run.inertias();
    assert_eq!(inertias.len(), case.n_iter + 1);
    assert!(
        inertias.windows(2).all(|w| w[1] <= w[0] + 1e-9),
        "{inertias:?}"
    );
    assert_eq!(run.history().len(), inertias.len());
}

#[test]
fn kmeans_plus_plus_is_as_good_as_scikit_learns() {
    let all: Vec<PlusPlusCase> = cases("kmeans_plusplus");
    assert!(all.len() >= 2);
    for case in &all {
        let x = matrix(&case.x);
        let params: KMeansParams = serde_json::from_value(case.params.clone()).unwrap();
        // One run per seed: the typical (median) run is within 2% of scikit-learn's typical run.
        let mut ours: Vec<f64> = (0..10)
            .map(|s| {
                params
                    .clone()
                    .random_state(s)
                    .fit_x(x.view())
                    .unwrap()
                    .inertia
            })
            .collect();
        let mut theirs = case.single_run_inertias.clone();
        ours.sort_by(f64::total_cmp);
        theirs.sort_by(f64::total_cmp);
        assert!(
            ours[5] <= theirs[5] * 1.02,
            "{}: median inertia {} vs scikit-learn {}",
            case.name,
            ours[5],
            theirs[5]
        );
        // Ten restarts reach scikit-learn's best to within 1%.
        let best = params.clone().n_init(10).fit_x(x.view()).unwrap();
        assert!(
            best.inertia <= case.best_inertia * 1.01,
            "{}: best inertia {} vs scikit-learn {}",
            case.name,
            best.inertia,
            case.best_inertia
        );
        // k-means++ beats random seeding on average (same number of runs).
        let random: f64 = (0..10)
            .map(|s| {
                params
                    .clone()
                    .init(InitMethod::Random)
                    .random_state(s)
                    .fit_x(x.view())
                    .unwrap()
                    .inertia
            })
            .sum();
        assert!(ours.iter().sum::<f64>() <= random * 1.0001, "{}", case.name);
    }
}

fn data() -> Dataset {
    let mut rng = Rng::new(3);
    let centers = generators::random_centers(3, 2, 6.0, &mut rng);
    generators::blobs(60, &centers, 0.6, &mut rng)
}

#[test]
fn kmeans_conformance() {
    let good = data();
    let params = KMeans::params().n_clusters(3);
    let model = params.fit(&good).unwrap();
    assert_eq!(model.labels.len(), 60);
    assert_eq!(model.cluster_centers.dim(), (3, 2));

    // Data errors: wrong width in predict/transform, NaN, empty, more clusters than samples.
    let wrong = Array2::<f64>::zeros((4, 3));
    assert!(matches!(model.predict(wrong.view()), Err(Error::Shape(_))));
    assert!(matches!(
        model.transform(wrong.view()),
        Err(Error::Shape(_))
    ));
    let mut nan = good.clone();
    nan.x[[7, 1]] = f64::NAN;
    match params.fit(&nan) {
        Err(Error::NonFinite(at)) => assert!(at.contains("row 7"), "{at}"),
        other => panic!("NaN in x gave {other:?}"),
    }
    let mut inf_rows = good.x.clone();
    inf_rows[[0, 0]] = f64::INFINITY;
    assert!(matches!(
        model.predict(inf_rows.view()),
        Err(Error::NonFinite(_))
    ));
    let empty = Dataset::new(Array2::zeros((0, 2)), Array1::zeros(0)).unwrap();
    assert!(matches!(params.fit(&empty), Err(Error::EmptyData(_))));
    let no_features = Dataset::new(Array2::zeros((5, 0)), Array1::zeros(5)).unwrap();
    assert!(matches!(params.fit(&no_features), Err(Error::EmptyData(_))));
    let few = good.select(&[0, 1]);
    match params.fit(&few) {
        Err(Error::InvalidParam { param, allowed, .. }) => {
            assert_eq!(param, "n_clusters");
            assert!(allowed.contains("number of samples (2)"), "{allowed}");
        }
        other => panic!("3 clusters for 2 samples gave {other:?}"),
    }
    let bad_init = params.clone().init_centers(vec![vec![0.0, 0.0]; 2]);
    assert!(matches!(bad_init.fit(&good), Err(Error::Shape(_))));

    // Bad parameters name themselves.
    for (p, name) in [
        (KMeans::params().n_clusters(0), "n_clusters"),
        (KMeans::params().n_init(0), "n_init"),
        (KMeans::params().max_iter(0), "max_iter"),
        (KMeans::params().tol(-1.0), "tol"),
        (KMeans::params().tol(f64::NAN), "tol"),
    ] {
        match p.validate() {
            Err(Error::InvalidParam { param, .. }) => assert_eq!(param, name),
            other => panic!("{name}: {other:?}"),
        }
    }

    // Refit gives the same model; a seed decides the run; another seed may differ but finds
    // the same three well separated blobs.
    assert_eq!(params.fit(&good).unwrap(), model);
    let other = params.clone().random_state(9).fit(&good).unwrap();
    assert!((other.inertia - model.inertia).abs() < 1e-9 * model.inertia);
    // Refit on other data forgets the first fit.
    let mut shifted = good.clone();
    shifted.x.mapv_inplace(|v| v + 10.0);
    let moved = params.fit(&shifted).unwrap();
    assert!(moved.cluster_centers.iter().sum::<f64>() > model.cluster_centers.iter().sum::<f64>());

    // The blobs are found: every blob's points share one label.
    for blob in 0..3 {
        let labels: std::collections::HashSet<usize> = (0..60)
            .filter(|&i| good.y[i] == blob as f64)
            .map(|i| model.labels[i])
            .collect();
        assert_eq!(labels.len(), 1, "blob {blob}");
    }
    assert!((model.score(good.x.view()).unwrap() + model.inertia).abs() < 1e-9);

    // Params survive JSON, with scikit-learn's spelling of the init methods.
    for p in [
        params.clone(),
        params.clone().init(InitMethod::Random),
        params
            .clone()
            .init_centers(vec![vec![1.0, 2.0], vec![3.0, 4.0]]),
    ] {
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<KMeansParams>(&json).unwrap(), p);
    }
    let json = serde_json::to_string(&params).unwrap();
    assert!(json.contains("\"k-means++\""), "{json}");
    assert!(serde_json::from_str::<KMeansParams>(r#"{"algorithm": "elkan"}"#).is_err());
    assert!(serde_json::from_str::<KMeansParams>(r#"{"init": "farthest"}"#).is_err());
}

#[test]
fn duplicate_points_do_not_break_it() {
    // Fewer distinct points than clusters: k-means++ has nothing to spread over.
    let x = Array2::from_shape_fn((6, 2), |(i, _)| (i % 2) as f64);
    for init in [InitMethod::KMeansPlusPlus, InitMethod::Random] {
        let m = KMeans::params()
            .n_clusters(4)
            .init(init)
            .fit_x(x.view())
            .unwrap();
        assert!(m.inertia.abs() < 1e-12, "{init:?}: {}", m.inertia);
        assert!(m.cluster_centers.iter().all(|v| v.is_finite()));
    }
}
