#![cfg(not(target_arch = "wasm32"))]
//! GaussianMixture against scikit-learn (`tests/fixtures/mixture.json`, written by
//! `scripts/fixtures.d/mixture.py`). With explicit weights, means and precisions every EM
//! iteration must agree, so the iteration count, labels and convergence flag match exactly and
//! every number to a relative 1e-9; the default k-means initialisation draws random numbers we
//! can't replay, so that case is compared up to a permutation of the components, loosely. Then
//! the estimator checks every model passes (errors, refit, seeds, serde).

use mlplay::cluster::{
    CovarianceType, Covariances, GaussianMixture, GaussianMixtureParams, MixtureInit,
    PrecisionsInit,
};
use mlplay::data::{generators, Dataset};
use mlplay::error::Error;
use mlplay::estimator::{Fit, Iterative, Progress};
use mlplay::rng::Rng;
use ndarray::{Array1, Array2};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Fixtures {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    kind: String,
    params: Value,
    x: Vec<Vec<f64>>,
    x_test: Vec<Vec<f64>>,
    weights: Vec<f64>,
    means: Vec<Vec<f64>>,
    covariances: Value,
    precisions_cholesky: Value,
    lower_bound: f64,
    lower_bounds: Vec<f64>,
    n_iter: usize,
    converged: bool,
    labels: Vec<usize>,
    score_samples: Vec<f64>,
    predict_proba: Vec<Vec<f64>>,
    predict: Vec<usize>,
    score: f64,
    bic: f64,
    aic: f64,
}

fn cases(kind: &str) -> Vec<Case> {
    let text = include_str!("fixtures/mixture.json");
    serde_json::from_str::<Fixtures>(text)
        .expect("fixture JSON")
        .cases
        .into_iter()
        .filter(|c| c.kind == kind)
        .collect()
}

fn matrix(rows: &[Vec<f64>]) -> Array2<f64> {
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).expect("rectangular fixture")
}

/// Every number of a nested JSON array, in order.
fn flat(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        Value::Number(n) => vec![n.as_f64().expect("number")],
        other => panic!("not a number: {other}"),
    }
}

/// Largest relative difference, `|a - b| / max(|b|, 1)`.
fn max_dev(ours: &[f64], theirs: &[f64]) -> f64 {
    assert_eq!(ours.len(), theirs.len(), "lengths");
    ours.iter()
        .zip(theirs)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max)
}

fn params_of(case: &Case) -> GaussianMixtureParams {
    serde_json::from_value(case.params.clone())
        .unwrap_or_else(|e| panic!("{}: params: {e}", case.name))
}

#[test]
fn em_matches_scikit_learn_iteration_for_iteration() {
    let all = cases("explicit");
    assert!(all.len() >= 8, "explicit fixtures");
    let mut worst = 0.0_f64;
    for case in &all {
        let name = &case.name;
        let x = matrix(&case.x);
        let test = matrix(&case.x_test);
        let m = params_of(case)
            .fit_x(x.view())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(m.n_iter, case.n_iter, "{name}: n_iter_");
        assert_eq!(m.converged, case.converged, "{name}: converged_");
        assert_eq!(m.predict(x.view()).unwrap(), case.labels, "{name}: labels");
        assert_eq!(
            m.predict(test.view()).unwrap(),
            case.predict,
            "{name}: predict"
        );
        let proba = m.predict_proba(test.view()).unwrap();
        let devs = [
            (
                "weights",
                max_dev(m.weights.as_slice().unwrap(), &case.weights),
            ),
            (
                "means",
                max_dev(
                    m.means.as_slice().unwrap(),
                    &matrix(&case.means).into_raw_vec_and_offset().0,
                ),
            ),
            (
                "covariances",
                max_dev(&m.covariances.flat(), &flat(&case.covariances)),
            ),
            (
                "precisions_cholesky",
                max_dev(
                    &m.precisions_cholesky.flat(),
                    &flat(&case.precisions_cholesky),
                ),
            ),
            (
                "lower_bound",
                max_dev(&[m.lower_bound], &[case.lower_bound]),
            ),
            ("lower_bounds", max_dev(&m.lower_bounds, &case.lower_bounds)),
            (
                "score_samples",
                max_dev(
                    m.score_samples(test.view()).unwrap().as_slice().unwrap(),
                    &case.score_samples,
                ),
            ),
            (
                "predict_proba",
                max_dev(proba.as_slice().unwrap(), &case.predict_proba.concat()),
            ),
            (
                "score",
                max_dev(&[m.score(x.view()).unwrap()], &[case.score]),
            ),
            ("bic", max_dev(&[m.bic(x.view()).unwrap()], &[case.bic])),
            ("aic", max_dev(&[m.aic(x.view()).unwrap()], &[case.aic])),
        ];
        for (what, dev) in devs {
            assert!(dev < 1e-9, "{name}: {what} deviates by {dev:.2e}");
            worst = worst.max(dev);
        }
    }
    println!("gaussian mixture: max relative deviation from scikit-learn {worst:.2e}");
}

#[test]
fn kmeans_initialised_fit_finds_scikit_learns_mixture() {
    let all = cases("kmeans");
    assert!(all.len() >= 2);
    for case in &all {
        let name = &case.name;
        let x = matrix(&case.x);
        let m = params_of(case).fit_x(x.view()).unwrap();
        assert!(m.converged, "{name}");
        let theirs = matrix(&case.means);
        let k = theirs.nrows();
        // Pair each of scikit-learn's components with our nearest mean.
        let perm: Vec<usize> = (0..k)
            .map(|j| {
                (0..k)
                    .min_by(|&a, &b| {
                        let d = |i: usize| (&m.means.row(i) - &theirs.row(j)).mapv(|v| v * v).sum();
                        d(a).total_cmp(&d(b))
                    })
                    .unwrap()
            })
            .collect();
        let mut sorted = perm.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (0..k).collect::<Vec<_>>(),
            "{name}: a one-to-one pairing"
        );
        let ours_means: Vec<f64> = perm.iter().flat_map(|&i| m.means.row(i).to_vec()).collect();
        let ours_w: Vec<f64> = perm.iter().map(|&i| m.weights[i]).collect();
        let d = m.means.ncols();
        let ours_cov: Vec<f64> = perm
            .iter()
            .flat_map(|&i| m.covariances.matrix(i, d).into_raw_vec_and_offset().0)
            .collect();
        let theirs_cov: Vec<f64> = {
            let c = flat(&case.covariances);
            // Rebuild full matrices from scikit-learn's per-type shape.
            match params_of(case).covariance_type {
                CovarianceType::Full => c,
                CovarianceType::Diag => c
                    .chunks(d)
                    .flat_map(|row| {
                        Array2::from_diag(&Array1::from(row.to_vec()))
                            .into_raw_vec_and_offset()
                            .0
                    })
                    .collect(),
                other => panic!("{name}: no comparison written for {other:?}"),
            }
        };
        // Different k-means starts lead EM to the same optimum, stopped when the lower bound moves
        // less than tol = 1e-3 on slightly different paths: measured agreement is about 1e-8.
        let dev_means = max_dev(&ours_means, &theirs.into_raw_vec_and_offset().0);
        let dev_w = max_dev(&ours_w, &case.weights);
        let dev_cov = max_dev(&ours_cov, &theirs_cov);
        let dev_lb = (m.lower_bound - case.lower_bound).abs();
        let dev_bic = max_dev(&[m.bic(x.view()).unwrap()], &[case.bic]);
        println!("{name}: means {dev_means:.1e} weights {dev_w:.1e} cov {dev_cov:.1e} lower bound {dev_lb:.1e} bic {dev_bic:.1e}");
        assert!(dev_means < 1e-6 && dev_w < 1e-6 && dev_cov < 1e-6, "{name}");
        assert!(dev_lb < 1e-8 && dev_bic < 1e-8, "{name}");
    }
}

#[test]
fn stepping_the_run_gives_the_fitted_model() {
    let case = &cases("explicit")[0];
    let params = params_of(case);
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
    // EM never lowers the log-likelihood.
    let lb = run.lower_bounds();
    assert!(lb.windows(2).all(|w| w[1] >= w[0] - 1e-9), "{lb:?}");
    let resp = run.responsibilities();
    assert!(resp
        .rows()
        .into_iter()
        .all(|r| (r.sum() - 1.0).abs() < 1e-12));
}

/// Three elongated blobs.
fn data() -> Dataset {
    let mut rng = Rng::new(3);
    let centers = generators::random_centers(3, 2, 8.0, &mut rng);
    let mut d = generators::blobs(90, &centers, 0.7, &mut rng);
    d.x.column_mut(0).mapv_inplace(|v| v * 2.0);
    d
}

#[test]
fn every_initialisation_and_covariance_type_fits() {
    let good = data();
    for t in [
        CovarianceType::Full,
        CovarianceType::Tied,
        CovarianceType::Diag,
        CovarianceType::Spherical,
    ] {
        for init in [
            MixtureInit::KMeans,
            MixtureInit::KMeansPlusPlus,
            MixtureInit::Random,
            MixtureInit::RandomFromData,
        ] {
            let m = GaussianMixture::params()
                .n_components(3)
                .covariance_type(t)
                .init_params(init)
                .n_init(2)
                .fit(&good)
                .unwrap_or_else(|e| panic!("{t:?} {init:?}: {e}"));
            let proba = m.predict_proba(good.x.view()).unwrap();
            assert!(proba
                .rows()
                .into_iter()
                .all(|r| (r.sum() - 1.0).abs() < 1e-9));
            let s = m.score_samples(good.x.view()).unwrap();
            assert!((s.mean().unwrap() - m.score(good.x.view()).unwrap()).abs() < 1e-12);
            assert!((m.weights.sum() - 1.0).abs() < 1e-12, "{t:?} {init:?}");
            let n = 90.0_f64;
            let p = m.n_parameters() as f64;
            let expected = match t {
                CovarianceType::Full => 3.0 * 3.0 + 6.0 + 2.0,
                CovarianceType::Tied => 3.0 + 6.0 + 2.0,
                CovarianceType::Diag => 6.0 + 6.0 + 2.0,
                CovarianceType::Spherical => 3.0 + 6.0 + 2.0,
            };
            assert_eq!(p, expected, "{t:?}");
            let bic = m.bic(good.x.view()).unwrap();
            let aic = m.aic(good.x.view()).unwrap();
            assert!((bic - aic - p * (n.ln() - 2.0)).abs() < 1e-9);
            // With kmeans initialisation, the three blobs are found.
            if init == MixtureInit::KMeans && t != CovarianceType::Spherical {
                let labels = m.predict(good.x.view()).unwrap();
                for blob in 0..3 {
                    let found: std::collections::HashSet<usize> = (0..90)
                        .filter(|&i| good.y[i] == blob as f64)
                        .map(|i| labels[i])
                        .collect();
                    assert_eq!(found.len(), 1, "{t:?}: blob {blob}");
                }
            }
        }
    }
}

#[test]
fn gaussian_mixture_conformance() {
    let good = data();
    let params = GaussianMixture::params().n_components(3);
    let model = params.fit(&good).unwrap();
    assert_eq!(model.means.dim(), (3, 2));

    // Data errors: wrong width at predict time, NaN, infinity, empty, too few samples.
    let wrong = Array2::<f64>::zeros((4, 3));
    assert!(matches!(model.predict(wrong.view()), Err(Error::Shape(_))));
    assert!(matches!(
        model.predict_proba(wrong.view()),
        Err(Error::Shape(_))
    ));
    assert!(matches!(
        model.score_samples(wrong.view()),
        Err(Error::Shape(_))
    ));
    assert!(matches!(model.bic(wrong.view()), Err(Error::Shape(_))));
    let mut nan = good.clone();
    nan.x[[7, 1]] = f64::NAN;
    match params.fit(&nan) {
        Err(Error::NonFinite(at)) => assert!(at.contains("row 7"), "{at}"),
        other => panic!("NaN in x gave {other:?}"),
    }
    let mut inf_rows = good.x.clone();
    inf_rows[[0, 0]] = f64::INFINITY;
    assert!(matches!(
        model.score(inf_rows.view()),
        Err(Error::NonFinite(_))
    ));
    assert!(matches!(
        params.fit_x(inf_rows.view()),
        Err(Error::NonFinite(_))
    ));
    let empty = Dataset::new(Array2::zeros((0, 2)), Array1::zeros(0)).unwrap();
    assert!(matches!(params.fit(&empty), Err(Error::EmptyData(_))));
    let one = GaussianMixture::params().fit(&good.select(&[0]));
    assert!(matches!(one, Err(Error::EmptyData(_))), "{one:?}");
    match params.fit(&good.select(&[0, 1])) {
        Err(Error::InvalidParam { param, allowed, .. }) => {
            assert_eq!(param, "n_components");
            assert!(allowed.contains("number of samples (2)"), "{allowed}");
        }
        other => panic!("3 components for 2 samples gave {other:?}"),
    }

    // Bad parameters name themselves.
    for (p, name) in [
        (GaussianMixture::params().n_components(0), "n_components"),
        (GaussianMixture::params().n_init(0), "n_init"),
        (GaussianMixture::params().tol(-1.0), "tol"),
        (GaussianMixture::params().tol(f64::NAN), "tol"),
        (GaussianMixture::params().reg_covar(-1e-6), "reg_covar"),
        (
            GaussianMixture::params().reg_covar(f64::INFINITY),
            "reg_covar",
        ),
        (
            GaussianMixture::params()
                .n_components(2)
                .weights_init(vec![0.7, 0.7]),
            "weights_init",
        ),
        (
            GaussianMixture::params()
                .n_components(2)
                .weights_init(vec![1.0]),
            "weights_init",
        ),
        (
            GaussianMixture::params()
                .n_components(2)
                .weights_init(vec![1.5, -0.5]),
            "weights_init",
        ),
    ] {
        match p.validate() {
            Err(Error::InvalidParam { param, .. }) => assert_eq!(param, name),
            other => panic!("{name}: {other:?}"),
        }
    }
    let two = GaussianMixture::params().n_components(2);
    let bad_means = two.clone().means_init(vec![vec![0.0, 0.0, 0.0]; 2]);
    assert!(matches!(bad_means.fit(&good), Err(Error::Shape(_))));
    let bad_shape = two
        .clone()
        .precisions_init(PrecisionsInit::Vector(vec![1.0, 1.0]));
    assert!(matches!(bad_shape.fit(&good), Err(Error::Shape(_))));
    let not_pd = two.clone().precisions_init(PrecisionsInit::Matrices(vec![
        vec![
            vec![1.0, 2.0],
            vec![2.0, 1.0]
        ];
        2
    ]));
    match not_pd.fit(&good) {
        Err(Error::InvalidParam { param, .. }) => assert_eq!(param, "precisions_init"),
        other => panic!("indefinite precisions_init gave {other:?}"),
    }
    let negative = two
        .clone()
        .covariance_type(CovarianceType::Spherical)
        .precisions_init(PrecisionsInit::Vector(vec![1.0, -1.0]));
    assert!(matches!(
        negative.fit(&good),
        Err(Error::InvalidParam { .. })
    ));

    // A component collapsed on identical points, with no regularisation: not positive definite.
    let x = Array2::from_shape_fn((10, 2), |(i, _)| if i < 5 { 0.0 } else { 10.0 });
    for t in [
        CovarianceType::Full,
        CovarianceType::Diag,
        CovarianceType::Tied,
    ] {
        match two
            .clone()
            .covariance_type(t)
            .reg_covar(0.0)
            .fit_x(x.view())
        {
            Err(e @ Error::NotPositiveDefinite { .. }) => {
                let text = e.to_string();
                assert!(
                    text.contains("not positive definite") && text.contains("raise reg_covar"),
                    "{text}"
                );
            }
            other => panic!("{t:?}: collapsed component gave {other:?}"),
        }
        // The default reg_covar keeps it finite.
        let m = two.clone().covariance_type(t).fit_x(x.view()).unwrap();
        assert!(m.lower_bound.is_finite());
    }

    // Refit gives the same model; the same seed the same model; refit on other data forgets.
    assert_eq!(params.fit(&good).unwrap(), model);
    let random = params
        .clone()
        .init_params(MixtureInit::Random)
        .random_state(5);
    assert_eq!(random.fit(&good).unwrap(), random.fit(&good).unwrap());
    let mut shifted = good.clone();
    shifted.x.mapv_inplace(|v| v + 10.0);
    let moved = params.fit(&shifted).unwrap();
    assert!(moved.means.sum() > model.means.sum() + 50.0);

    // Starting from given responsibilities (the one-hot k-means labels) is the kmeans start.
    let km = mlplay::cluster::KMeans::params()
        .n_clusters(3)
        .fit(&good)
        .unwrap();
    let mut resp = Array2::zeros((90, 3));
    for (i, &l) in km.labels.iter().enumerate() {
        resp[[i, l]] = 1.0;
    }
    let mut run = params
        .start_from_responsibilities(good.x.view(), resp.view())
        .unwrap();
    while run.step().unwrap() == Progress::Running {}
    assert!((run.model().lower_bound - model.lower_bound).abs() < 1e-9);
    assert!(matches!(
        params.start_from_responsibilities(good.x.view(), resp.slice(ndarray::s![.., ..2])),
        Err(Error::Shape(_))
    ));

    // max_iter = 0 keeps the initial parameters, as scikit-learn.
    let zero = params.clone().max_iter(0).fit(&good).unwrap();
    assert_eq!((zero.n_iter, zero.converged), (0, false));
    assert_eq!(zero.lower_bound, f64::NEG_INFINITY);

    // Params survive JSON, with scikit-learn's spelling.
    for p in [
        params.clone(),
        params
            .clone()
            .init_params(MixtureInit::KMeansPlusPlus)
            .covariance_type(CovarianceType::Diag),
        params.clone().init_params(MixtureInit::RandomFromData),
        two.clone()
            .weights_init(vec![0.5, 0.5])
            .means_init(vec![vec![1.0, 2.0], vec![3.0, 4.0]])
            .precisions_init(PrecisionsInit::Matrices(vec![
                vec![
                    vec![1.0, 0.0],
                    vec![0.0, 1.0]
                ];
                2
            ])),
        two.clone()
            .covariance_type(CovarianceType::Spherical)
            .precisions_init(PrecisionsInit::Vector(vec![1.0, 2.0])),
    ] {
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            serde_json::from_str::<GaussianMixtureParams>(&json).unwrap(),
            p,
            "{json}"
        );
    }
    let json = serde_json::to_string(&params).unwrap();
    assert!(
        json.contains("\"kmeans\"") && json.contains("\"full\""),
        "{json}"
    );
    assert!(serde_json::from_str::<GaussianMixtureParams>(r#"{"warm_start": true}"#).is_err());
    assert!(
        serde_json::from_str::<GaussianMixtureParams>(r#"{"covariance_type": "banded"}"#).is_err()
    );
    // The fitted model survives JSON too (to the last bit or so: serde_json's float parsing).
    let back: GaussianMixture =
        serde_json::from_str(&serde_json::to_string(&model).unwrap()).unwrap();
    assert_eq!(back.params, model.params);
    let (a, b) = (
        back.score_samples(good.x.view()).unwrap(),
        model.score_samples(good.x.view()).unwrap(),
    );
    assert!(max_dev(a.as_slice().unwrap(), b.as_slice().unwrap()) < 1e-12);
}

/// The E step of the full and tied types goes through the rows in blocks of about 16k values;
/// its log densities must equal, bit for bit, those of one product `(x - mean) u` over all rows
/// (the way they were computed before, and what the fixtures were checked against).
#[test]
fn blocked_e_step_equals_one_product_over_all_rows() {
    let mut rng = Rng::new(12);
    let centers = generators::random_centers(4, 7, 10.0, &mut rng);
    // 5003 rows of 7 features: two whole blocks of 2340 rows and a partial one.
    let x = generators::blobs(5003, &centers, 1.0, &mut rng).x;
    let d = x.ncols();
    let constant = d as f64 * (2.0 * std::f64::consts::PI).ln();
    for t in [CovarianceType::Full, CovarianceType::Tied] {
        let m = GaussianMixtureParams::default()
            .n_components(4)
            .covariance_type(t)
            .max_iter(5)
            .random_state(1)
            .fit_x(x.view())
            .unwrap();
        let per_component: Vec<Array1<f64>> = (0..4)
            .map(|j| {
                let u = match &m.precisions_cholesky {
                    Covariances::Full(us) => us[j].clone(),
                    Covariances::Tied(u) => u.clone(),
                    other => panic!("{other:?}"),
                };
                let y = (&x - &m.means.row(j)).dot(&u);
                let log_det: f64 = u.diag().iter().map(|v| v.ln()).sum();
                let log_w = m.weights[j].ln();
                y.rows()
                    .into_iter()
                    .map(|r| -0.5 * (constant + r.dot(&r)) + log_det + log_w)
                    .collect()
            })
            .collect();
        let expected = (0..x.nrows()).map(|i| {
            let w: Vec<f64> = per_component.iter().map(|c| c[i]).collect();
            let top = w.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            top + w.iter().map(|v| (v - top).exp()).sum::<f64>().ln()
        });
        let ours = m.score_samples(x.view()).unwrap();
        for (i, (a, b)) in ours.iter().zip(expected).enumerate() {
            assert_eq!(a.to_bits(), b.to_bits(), "{t:?}, row {i}: {a} vs {b}");
        }
    }
}

/// The full M step fills reused buffers instead of fresh broadcast arrays; its covariances must
/// equal, bit for bit, `((x - mean) * r)ᵀ (x - mean) / nk + reg` computed with new arrays.
#[test]
fn full_m_step_equals_the_centred_product_bit_for_bit() {
    let mut rng = Rng::new(13);
    let centers = generators::random_centers(3, 6, 10.0, &mut rng);
    let x = generators::blobs(3001, &centers, 1.5, &mut rng).x;
    let params = GaussianMixtureParams::default()
        .n_components(3)
        .covariance_type(CovarianceType::Full)
        .random_state(2);
    let mut run = params.start(x.view()).unwrap();
    for _ in 0..3 {
        let resp = run.responsibilities();
        run.step().unwrap();
        let nk = resp.sum_axis(ndarray::Axis(0)) + 10.0 * f64::EPSILON;
        let Covariances::Full(cov) = run.covariances() else {
            panic!("full covariances")
        };
        for (j, c) in cov.iter().enumerate() {
            let diff = &x - &run.means().row(j);
            let weighted = &diff * &resp.column(j).insert_axis(ndarray::Axis(1));
            let mut expected = weighted.t().dot(&diff) / nk[j];
            expected.diag_mut().mapv_inplace(|v| v + params.reg_covar);
            assert!(
                c.iter()
                    .zip(&expected)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "component {j}: {c} vs {expected}"
            );
        }
    }
}
