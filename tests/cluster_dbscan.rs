//! DBSCAN and the silhouette coefficient against scikit-learn (`tests/fixtures/unsupervised.json`,
//! written by `scripts/fixtures.d/unsupervised.py`), then the estimator checks.

// The same tests run natively and, under `wasm-pack test`, compiled to wasm in the browser.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mlplay::cluster::{silhouette_samples, silhouette_score, Dbscan, DbscanParams};
use mlplay::data::{generators, Dataset};
use mlplay::error::Error;
use mlplay::estimator::Fit;
use mlplay::rng::Rng;
use ndarray::{array, Array1, Array2};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixtures {
    cases: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct DbscanCase {
    name: String,
    params: serde_json::Value,
    x: Vec<Vec<f64>>,
    labels: Vec<i64>,
    core_sample_indices: Vec<usize>,
}

#[derive(Deserialize)]
struct SilhouetteCase {
    name: String,
    x: Vec<Vec<f64>>,
    labels: Vec<usize>,
    samples: Vec<f64>,
    score: f64,
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

#[test]
fn dbscan_matches_scikit_learn() {
    let all: Vec<DbscanCase> = cases("dbscan");
    assert!(all.len() >= 5);
    for case in &all {
        let params: DbscanParams = serde_json::from_value(case.params.clone()).unwrap();
        let m = params.fit_x(matrix(&case.x).view()).unwrap();
        // Same scan order, so even the cluster numbers agree.
        assert_eq!(m.labels, case.labels, "{}: labels", case.name);
        assert_eq!(
            m.core_sample_indices, case.core_sample_indices,
            "{}: core samples",
            case.name
        );
        assert_eq!(m.components.nrows(), m.core_sample_indices.len());
    }
}

#[test]
fn silhouette_matches_scikit_learn() {
    let all: Vec<SilhouetteCase> = cases("silhouette");
    assert!(all.len() >= 2);
    let mut worst = 0.0_f64;
    for case in &all {
        let x = matrix(&case.x);
        let s = silhouette_samples(x.view(), &case.labels).unwrap();
        for (i, (a, b)) in s.iter().zip(&case.samples).enumerate() {
            let dev = (a - b).abs();
            assert!(dev < 1e-12, "{}: sample {i}: {a} vs {b}", case.name);
            worst = worst.max(dev);
        }
        let score = silhouette_score(x.view(), &case.labels).unwrap();
        assert!((score - case.score).abs() < 1e-12, "{}", case.name);
    }
    println!("silhouette: max deviation from scikit-learn {worst:.2e}");
}

#[test]
fn silhouette_refuses_what_it_cannot_score() {
    let x = array![[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]];
    assert!(matches!(
        silhouette_score(x.view(), &[0, 0, 0]),
        Err(Error::InvalidParam { .. })
    ));
    assert!(matches!(
        silhouette_score(x.view(), &[0, 1, 2]),
        Err(Error::InvalidParam { .. })
    ));
    assert!(matches!(
        silhouette_score(x.view(), &[0, 1]),
        Err(Error::Shape(_))
    ));
    let mut nan = x.clone();
    nan[[1, 1]] = f64::NAN;
    assert!(matches!(
        silhouette_score(nan.view(), &[0, 0, 1]),
        Err(Error::NonFinite(_))
    ));
    let s = silhouette_samples(x.view(), &[7, 7, 3]).unwrap();
    assert_eq!(s[2], 0.0, "a cluster of one scores 0");
    assert!(s[0] > 0.7 && s[1] > 0.7, "{s}");
}

fn data() -> Dataset {
    let mut rng = Rng::new(5);
    generators::moons(200, 0.05, &mut rng)
}

#[test]
fn dbscan_conformance() {
    let good = data();
    let params = Dbscan::params().eps(0.2);
    let model = params.fit(&good).unwrap();
    // The two moons, found without being told how many there are.
    assert_eq!(model.n_clusters(), 2, "{:?}", model.labels);
    for i in 0..200 {
        for j in 0..200 {
            if model.labels[i] >= 0 && model.labels[j] >= 0 {
                assert_eq!(
                    model.labels[i] == model.labels[j],
                    good.y[i] == good.y[j],
                    "points {i} and {j}"
                );
            }
        }
    }

    let mut nan = good.clone();
    nan.x[[3, 0]] = f64::NAN;
    match params.fit(&nan) {
        Err(Error::NonFinite(at)) => assert!(at.contains("row 3"), "{at}"),
        other => panic!("NaN gave {other:?}"),
    }
    let empty = Dataset::new(Array2::zeros((0, 2)), Array1::zeros(0)).unwrap();
    assert!(matches!(params.fit(&empty), Err(Error::EmptyData(_))));
    let no_features = Dataset::new(Array2::zeros((5, 0)), Array1::zeros(5)).unwrap();
    assert!(matches!(params.fit(&no_features), Err(Error::EmptyData(_))));
    for (p, name) in [
        (Dbscan::params().eps(0.0), "eps"),
        (Dbscan::params().eps(f64::INFINITY), "eps"),
        (Dbscan::params().min_samples(0), "min_samples"),
    ] {
        match p.validate() {
            Err(Error::InvalidParam { param, .. }) => assert_eq!(param, name),
            other => panic!("{name}: {other:?}"),
        }
    }

    // Deterministic, refits cleanly, and a tiny radius makes everything noise.
    assert_eq!(params.fit(&good).unwrap(), model);
    let lonely = Dbscan::params().eps(1e-6).fit(&good).unwrap();
    assert_eq!(lonely.n_noise(), 200);
    assert_eq!(lonely.n_clusters(), 0);
    assert!(lonely.core_sample_indices.is_empty());

    let json = serde_json::to_string(&params).unwrap();
    assert_eq!(serde_json::from_str::<DbscanParams>(&json).unwrap(), params);
    assert!(serde_json::from_str::<DbscanParams>(r#"{"metric": "cosine"}"#).is_err());
}

/// The chapter 9 clustering demos on an uploaded CSV of two numeric columns (a text column
/// ignored): k-means ends at the library's fit on the file's columns, and DBSCAN finds what the
/// library finds on them standardised.
#[test]
fn clustering_demos_on_an_uploaded_file_match_direct_fits() {
    use mlplay::cluster::KMeans;
    use mlplay::data::frame::read_frame;
    use mlplay::demos::{self, Demo};
    use mlplay::estimator::Progress;
    use mlplay::preprocessing::StandardScalerParams;
    // Three clumps in kilograms and metres, with a name column.
    let mut text = String::from("name,weight_kg,height_m\n");
    for i in 0..90 {
        let (w, h) = [(60.0, 1.6), (90.0, 1.9), (75.0, 1.5)][i % 3];
        let a = w + 3.0 * (i as f64 * 0.83).sin();
        let b = h + 0.03 * (i as f64 * 1.57).cos();
        text.push_str(&format!("p{i},{a},{b}\n"));
    }
    let frame = read_frame(&text).unwrap();
    let x = frame.values.select(ndarray::Axis(1), &[1, 2]);
    let run = |id: &str, pairs: &[(&str, &str)]| {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let params = demos::params_on_file(id, &pairs, "people.csv", &text).unwrap();
        let mut d = demos::create(id, &params, 9).unwrap();
        let mut ticks = 0;
        while d.tick() == Progress::Running {
            ticks += 1;
            assert!(ticks < 1000, "{id}: no end");
        }
        d
    };
    let metric = |d: &demos::AnyDemo, key: &str| {
        d.metrics()
            .into_iter()
            .find(|m| m.key == key)
            .unwrap_or_else(|| panic!("no metric {key}"))
            .value
    };

    let d = run("kmeans", &[("k", "3")]);
    let fit = KMeans::params()
        .n_clusters(3)
        .random_state(10)
        .fit_x(x.view())
        .unwrap();
    assert!(
        (metric(&d, "inertia") - fit.inertia).abs() <= 1e-9 * fit.inertia,
        "demo {}, library {}",
        metric(&d, "inertia"),
        fit.inertia
    );

    let d = run("dbscan", &[("eps", "0.5"), ("min_samples", "5")]);
    let scaled = StandardScalerParams::default()
        .fit(x.view())
        .unwrap()
        .transform(x.view())
        .unwrap();
    let model = DbscanParams::default()
        .eps(0.5)
        .min_samples(5)
        .fit_x(scaled.view())
        .unwrap();
    assert_eq!(model.n_clusters(), 3, "the three clumps, once standardised");
    assert_eq!(metric(&d, "clusters"), model.n_clusters() as f64);
    assert_eq!(metric(&d, "noise"), model.n_noise() as f64);
    assert_eq!(metric(&d, "core"), model.core_sample_indices.len() as f64);
}
