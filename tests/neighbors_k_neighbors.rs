//! KNeighborsClassifier and KNeighborsRegressor against scikit-learn on the same data
//! (`tests/fixtures/neighbors.json`, written by `scripts/fixtures.d/neighbors.py`): predictions,
//! `predict_proba`, `kneighbors` and `score` for uniform and distance weights, p = 1 and 2, two and
//! three classes, 1 to 12 features, queries that equal training rows; plus the bad-input checks.
//!
//! Tolerances: neighbour indices and class predictions must be equal; distances, probabilities,
//! regression predictions and scores agree to 1e-12 relative (the same sums in another order; the
//! 12-feature cases take the matrix-product search, whose winners are recomputed exactly).
#![cfg(not(target_arch = "wasm32"))]

use mlplay::data::Dataset;
use mlplay::error::Error;
use mlplay::estimator::{Classifier, Fit, Regressor};
use mlplay::neighbors::{KNeighborsClassifierParams, KNeighborsRegressorParams, Weights};
use ndarray::{array, Array1, Array2};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
struct Fixtures {
    datasets: HashMap<String, Data>,
    k_neighbors: Vec<Case>,
}

#[derive(Deserialize)]
struct Data {
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    x_test: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    kind: String,
    params: serde_json::Value,
    data: String,
    predictions: Vec<f64>,
    distances: Option<Vec<Vec<f64>>>,
    indices: Option<Vec<Vec<usize>>>,
    classes: Option<Vec<f64>>,
    proba: Option<Vec<Vec<f64>>>,
    score: f64,
}

fn fixtures() -> Fixtures {
    serde_json::from_str(include_str!("fixtures/neighbors.json")).unwrap()
}

fn matrix(rows: &[Vec<f64>]) -> Array2<f64> {
    let p = rows.first().map_or(0, Vec::len);
    Array2::from_shape_fn((rows.len(), p), |(r, c)| rows[r][c])
}

fn close(name: &str, what: &str, ours: f64, theirs: f64) {
    assert!(
        (ours - theirs).abs() <= 1e-12 * theirs.abs().max(1.0),
        "{name}: {what}: ours {ours}, scikit-learn {theirs}"
    );
}

fn check_search(case: &Case, search: (Array2<f64>, Array2<usize>)) {
    let (dist, ind) = search;
    if let (Some(d), Some(i)) = (&case.distances, &case.indices) {
        for r in 0..d.len() {
            assert_eq!(
                ind.row(r).to_vec(),
                i[r],
                "{}: neighbours of row {r}",
                case.name
            );
            for c in 0..d[r].len() {
                close(&case.name, "distance", dist[[r, c]], d[r][c]);
            }
        }
    }
}

#[test]
fn matches_scikit_learn() {
    let fx = fixtures();
    let mut checked = (0, 0, 0);
    for case in &fx.k_neighbors {
        let data = &fx.datasets[&case.data];
        let train = Dataset::new(matrix(&data.x), Array1::from(data.y.clone())).unwrap();
        let x_test = matrix(&data.x_test);
        let k = case.params["n_neighbors"].as_u64().unwrap() as usize;
        if case.kind == "classifier" {
            let params: KNeighborsClassifierParams =
                serde_json::from_value(case.params.clone()).unwrap();
            let model = params.fit(&train).unwrap();
            assert_eq!(Some(&model.classes), case.classes.as_ref(), "{}", case.name);
            let pred = model.predict(x_test.view()).unwrap();
            assert_eq!(
                pred.to_vec(),
                case.predictions,
                "{}: predictions",
                case.name
            );
            let proba = model.predict_proba(x_test.view()).unwrap();
            for (r, row) in case.proba.as_ref().unwrap().iter().enumerate() {
                for (c, &p) in row.iter().enumerate() {
                    close(&case.name, "proba", proba[[r, c]], p);
                }
            }
            let score = model.score(train.x.view(), train.y.view()).unwrap();
            close(&case.name, "score", score, case.score);
            check_search(case, model.kneighbors(x_test.view(), k).unwrap());
            checked.0 += 1;
        } else {
            let params: KNeighborsRegressorParams =
                serde_json::from_value(case.params.clone()).unwrap();
            let model = params.fit(&train).unwrap();
            let pred = model.predict(x_test.view()).unwrap();
            for (&ours, &theirs) in pred.iter().zip(&case.predictions) {
                close(&case.name, "prediction", ours, theirs);
            }
            let score = model.score(train.x.view(), train.y.view()).unwrap();
            close(&case.name, "score", score, case.score);
            check_search(case, model.kneighbors(x_test.view(), k).unwrap());
            checked.1 += 1;
        }
        checked.2 += usize::from(case.indices.is_some());
    }
    assert!(
        checked.0 >= 30 && checked.1 >= 15 && checked.2 >= 25,
        "{checked:?}"
    );
}

#[test]
fn a_query_on_a_training_row_takes_its_label_with_distance_weights() {
    let d = Dataset::new(
        array![[0.0], [1.0], [1.1], [1.2], [5.0]],
        array![0.0, 1.0, 1.0, 1.0, 7.0],
    )
    .unwrap();
    let p = KNeighborsClassifierParams::default()
        .n_neighbors(4)
        .weights(Weights::Distance);
    let m = p.fit(&d).unwrap();
    assert_eq!(m.predict(array![[0.0]].view()).unwrap()[0], 0.0);
    // Near row 0 its weight 1/0.05 outvotes three rows of class 1 (about 2.9 together)...
    assert_eq!(m.predict(array![[0.05]].view()).unwrap()[0], 0.0);
    // ...which win three to one when every vote counts the same.
    let uniform = p.clone().weights(Weights::Uniform).fit(&d).unwrap();
    assert_eq!(uniform.predict(array![[0.05]].view()).unwrap()[0], 1.0);
    let r = KNeighborsRegressorParams::default()
        .n_neighbors(3)
        .weights(Weights::Distance)
        .fit(&d)
        .unwrap();
    assert_eq!(r.predict(array![[5.0]].view()).unwrap()[0], 7.0);
    // Uniform weights average every neighbour, the row itself included.
    let u = KNeighborsRegressorParams::default()
        .n_neighbors(2)
        .fit(&d)
        .unwrap();
    assert_eq!(u.predict(array![[5.0]].view()).unwrap()[0], 4.0);
}

#[test]
fn equal_distances_go_to_the_lower_index() {
    // Rows 1 and 2 are both at distance 1 from the query, and row 3 duplicates row 1.
    let d = Dataset::new(
        array![[5.0, 5.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]],
        array![0.0, 1.0, 2.0, 3.0],
    )
    .unwrap();
    let m = KNeighborsClassifierParams::default()
        .n_neighbors(1)
        .fit(&d)
        .unwrap();
    let (dist, ind) = m.kneighbors(array![[0.0, 0.0]].view(), 3).unwrap();
    assert_eq!(ind.row(0).to_vec(), vec![1, 2, 3]);
    assert_eq!(dist.row(0).to_vec(), vec![1.0, 1.0, 1.0]);
    assert_eq!(m.predict(array![[0.0, 0.0]].view()).unwrap()[0], 1.0);
}

#[test]
fn bad_parameters_and_data_are_typed_errors() {
    let d = Dataset::new(array![[0.0], [1.0], [2.0]], array![0.0, 1.0, 1.0]).unwrap();
    let named = |e: Error, name: &str| match e {
        Error::InvalidParam { param, .. } => assert_eq!(param, name),
        other => panic!("{name}: {other:?}"),
    };
    let c = KNeighborsClassifierParams::default();
    named(c.clone().n_neighbors(0).fit(&d).unwrap_err(), "n_neighbors");
    named(c.clone().p(3).fit(&d).unwrap_err(), "p");
    // More neighbours than training rows.
    let e = c.clone().fit(&d).unwrap_err();
    assert_eq!(
        e.to_string(),
        "n_neighbors must be at most the number of training samples (3) (got 5)"
    );
    let m = c.n_neighbors(2).fit(&d).unwrap();
    named(
        m.kneighbors(array![[0.5]].view(), 4).unwrap_err(),
        "n_neighbors",
    );
    assert!(matches!(
        m.kneighbors(array![[0.5, 1.0]].view(), 1),
        Err(Error::Shape(_))
    ));
    let r = KNeighborsRegressorParams::default().n_neighbors(3);
    assert!(matches!(
        r.fit(&Dataset::new(Array2::zeros((0, 1)), Array1::zeros(0)).unwrap()),
        Err(Error::EmptyData(_))
    ));
    let mut nan = d.clone();
    nan.x[[1, 0]] = f64::NAN;
    assert!(matches!(r.fit(&nan), Err(Error::NonFinite(_))));
    assert!(
        serde_json::from_str::<KNeighborsRegressorParams>(r#"{"weights": "gaussian"}"#).is_err()
    );
    let p: KNeighborsRegressorParams =
        serde_json::from_str(r#"{"n_neighbors": 3, "weights": "distance", "p": 1}"#).unwrap();
    assert_eq!(
        p,
        KNeighborsRegressorParams::default()
            .n_neighbors(3)
            .weights(Weights::Distance)
            .p(1)
    );
}
