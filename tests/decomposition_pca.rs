//! PCA against scikit-learn's `PCA(svd_solver="full")` (`tests/fixtures/unsupervised.json`, written
//! by `scripts/fixtures.d/unsupervised.py`), then the estimator checks.

// The same tests run natively and, under `wasm-pack test`, compiled to wasm in the browser.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mlplay::data::{generators, Dataset};
use mlplay::decomposition::{Pca, PcaParams};
use mlplay::error::Error;
use mlplay::estimator::Fit;
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
    components: Vec<Vec<f64>>,
    explained_variance: Vec<f64>,
    explained_variance_ratio: Vec<f64>,
    singular_values: Vec<f64>,
    mean: Vec<f64>,
    noise_variance: f64,
    transform: Vec<Vec<f64>>,
    inverse_transform: Vec<Vec<f64>>,
}

fn cases() -> Vec<Case> {
    let text = include_str!("fixtures/unsupervised.json");
    serde_json::from_str::<Fixtures>(text)
        .expect("fixture JSON")
        .cases
        .into_iter()
        .filter(|c| c["estimator"] == "pca")
        .map(|c| serde_json::from_value(c).expect("fixture case"))
        .collect()
}

fn matrix(rows: &[Vec<f64>]) -> Array2<f64> {
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).expect("rectangular fixture")
}

fn max_dev(ours: &[f64], theirs: &[f64]) -> f64 {
    assert_eq!(ours.len(), theirs.len(), "lengths");
    ours.iter()
        .zip(theirs)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max)
}

#[test]
fn pca_matches_scikit_learn() {
    let all = cases();
    assert!(all.len() >= 4);
    let mut worst = 0.0_f64;
    for case in &all {
        let params: PcaParams = serde_json::from_value(case.params.clone()).unwrap();
        let m = params.fit_x(matrix(&case.x).view()).unwrap();
        let name = &case.name;
        // Components are unique only up to sign; compare each row up to sign first, then check
        // that svd_flip chose scikit-learn's sign.
        let theirs = matrix(&case.components);
        assert_eq!(m.components.dim(), theirs.dim(), "{name}: components shape");
        let mut dev = 0.0_f64;
        for (ours, theirs) in m.components.rows().into_iter().zip(theirs.rows()) {
            let same = max_dev(ours.as_slice().unwrap(), theirs.as_slice().unwrap());
            let flipped = max_dev((-&ours).as_slice().unwrap(), theirs.as_slice().unwrap());
            assert!(
                same.min(flipped) < 1e-9,
                "{name}: component {ours} vs {theirs}"
            );
            assert!(
                same < 1e-9,
                "{name}: sign of {ours} (scikit-learn {theirs})"
            );
            dev = dev.max(same);
        }
        dev = dev
            .max(max_dev(
                m.explained_variance.as_slice().unwrap(),
                &case.explained_variance,
            ))
            .max(max_dev(
                m.explained_variance_ratio.as_slice().unwrap(),
                &case.explained_variance_ratio,
            ))
            .max(max_dev(
                m.singular_values.as_slice().unwrap(),
                &case.singular_values,
            ))
            .max(max_dev(m.mean.as_slice().unwrap(), &case.mean))
            .max(max_dev(&[m.noise_variance], &[case.noise_variance]));
        let test = matrix(&case.x_test);
        let z = m.transform(test.view()).unwrap();
        dev = dev.max(max_dev(
            z.as_slice().unwrap(),
            matrix(&case.transform).as_slice().unwrap(),
        ));
        let back = m.inverse_transform(z.view()).unwrap();
        dev = dev.max(max_dev(
            back.as_slice().unwrap(),
            matrix(&case.inverse_transform).as_slice().unwrap(),
        ));
        assert!(dev < 1e-9, "{name}: deviation {dev:.2e}");
        worst = worst.max(dev);
    }
    println!("pca: max relative deviation from scikit-learn {worst:.2e}");
}

fn data() -> Dataset {
    let mut rng = Rng::new(8);
    generators::linear_regression(50, &[1.0, -2.0, 0.5, 3.0], 1.0, 0.2, &mut rng)
}

#[test]
fn pca_conformance() {
    let good = data();
    let params = Pca::params();
    let model = params.fit(&good).unwrap();
    assert_eq!(model.components.dim(), (4, 4));
    // Keeping every component makes the round trip exact and the ratios sum to 1.
    let z = model.transform(good.x.view()).unwrap();
    let back = model.inverse_transform(z.view()).unwrap();
    assert!((&back - &good.x).iter().all(|d| d.abs() < 1e-10));
    assert!((model.explained_variance_ratio.sum() - 1.0).abs() < 1e-12);
    // Components are orthonormal and sorted by variance.
    let gram = model.components.dot(&model.components.t());
    assert!((&gram - &Array2::<f64>::eye(4))
        .iter()
        .all(|d| d.abs() < 1e-10));
    assert!(model
        .explained_variance
        .windows(2)
        .into_iter()
        .all(|w| w[0] >= w[1]));

    let two = params.clone().n_components(2).fit(&good).unwrap();
    assert_eq!(two.components.dim(), (2, 4));
    assert_eq!(
        two.components,
        model.components.slice(ndarray::s![..2, ..]).to_owned()
    );

    // Errors: too many components, zero components, wrong widths, NaN, empty.
    match params.clone().n_components(5).fit(&good) {
        Err(Error::InvalidParam { param, allowed, .. }) => {
            assert_eq!(param, "n_components");
            assert!(allowed.contains('4'), "{allowed}");
        }
        other => panic!("5 components of 4 features gave {other:?}"),
    }
    assert!(matches!(
        params.clone().n_components(0).validate(),
        Err(Error::InvalidParam { .. })
    ));
    let wide = Array2::<f64>::zeros((3, 5));
    assert!(matches!(model.transform(wide.view()), Err(Error::Shape(_))));
    assert!(matches!(
        two.inverse_transform(wide.view()),
        Err(Error::Shape(_))
    ));
    let mut nan = good.clone();
    nan.x[[9, 2]] = f64::NAN;
    match params.fit(&nan) {
        Err(Error::NonFinite(at)) => assert!(at.contains("row 9"), "{at}"),
        other => panic!("NaN gave {other:?}"),
    }
    let empty = Dataset::new(Array2::zeros((0, 3)), Array1::zeros(0)).unwrap();
    assert!(matches!(params.fit(&empty), Err(Error::EmptyData(_))));

    // Refit is deterministic; refit on other data forgets the first.
    assert_eq!(params.fit(&good).unwrap(), model);
    let mut shifted = good.clone();
    shifted.x.mapv_inplace(|v| v + 3.0);
    assert_ne!(params.fit(&shifted).unwrap().mean, model.mean);
    // A single sample: no variance, and no division by zero.
    let one = params.fit(&good.select(&[0])).unwrap();
    assert!(one.explained_variance.iter().all(|v| v.is_finite()));

    let json = serde_json::to_string(&two.params).unwrap();
    assert_eq!(
        serde_json::from_str::<PcaParams>(&json).unwrap(),
        two.params
    );
    assert!(serde_json::from_str::<PcaParams>(r#"{"whitening": true}"#).is_err());
}
