#![cfg(not(target_arch = "wasm32"))]
//! Estimator checks for the chapter 8 reducers (like `tests/cluster_kmeans.rs`'s): typed errors
//! for bad parameters and data, refit and seed determinism, params surviving JSON, and the
//! properties each promises (whitened unit variance, incremental = batch PCA, JL distortion, an
//! unrolled swiss roll).

use mlplay::data::{generators, Dataset};
use mlplay::decomposition::{
    johnson_lindenstrauss_min_dim, GaussianRandomProjectionParams, IncrementalPcaParams,
    IsomapParams, LocallyLinearEmbeddingParams, PcaParams, SparseRandomProjectionParams, SvdSolver,
};
use mlplay::error::{Error, Result};
use mlplay::estimator::Fit;
use mlplay::rng::Rng;
use ndarray::{Array1, Array2, ArrayView2};
use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

fn roll(n: usize) -> Dataset {
    generators::swiss_roll(n, 0.0, &mut Rng::new(5))
}

fn gaussian(n: usize, p: usize, seed: u64) -> Array2<f64> {
    let mut rng = Rng::new(seed);
    Array2::from_shape_fn((n, p), |(_, j)| rng.normal() * (1.0 + j as f64 * 0.3))
}

fn param_name<T: Debug>(r: Result<T>) -> String {
    match r {
        Err(Error::InvalidParam { param, .. }) => param,
        other => panic!("expected InvalidParam, got {other:?}"),
    }
}

/// The data checks every reducer shares: NaN names its row, empty data, and a JSON round trip.
fn data_and_serde_checks<P>(params: &P, good: &Dataset)
where
    P: Fit + Serialize + DeserializeOwned + PartialEq + Debug,
    P::Model: Debug,
{
    let mut nan = good.clone();
    nan.x[[3, 1]] = f64::NAN;
    match params.fit(&nan) {
        Err(Error::NonFinite(at)) => assert!(at.contains("row 3"), "{at}"),
        other => panic!("NaN gave {other:?}"),
    }
    let empty = Dataset::new(Array2::zeros((0, good.n_features())), Array1::zeros(0)).unwrap();
    assert!(matches!(params.fit(&empty), Err(Error::EmptyData(_))));
    let json = serde_json::to_string(params).unwrap();
    assert_eq!(&serde_json::from_str::<P>(&json).unwrap(), params, "{json}");
    assert!(serde_json::from_str::<P>(r#"{"not_a_param": 1}"#).is_err());
}

fn wrong_width<T: Debug>(r: Result<T>) {
    assert!(matches!(r, Err(Error::Shape(_))), "{r:?}");
}

#[test]
fn pca_solvers_fractions_and_whitening() {
    let x = gaussian(120, 6, 1);
    let data = Dataset::new(x.clone(), Array1::zeros(120)).unwrap();
    let full = PcaParams::default()
        .n_components(3)
        .svd_solver(SvdSolver::Full)
        .fit_x(x.view())
        .unwrap();
    let rand = PcaParams::default()
        .n_components(3)
        .svd_solver(SvdSolver::Randomized);
    let r = rand.fit_x(x.view()).unwrap();
    assert_eq!(r.svd_solver, SvdSolver::Randomized);
    assert!((&r.explained_variance - &full.explained_variance)
        .iter()
        .all(|d| d.abs() < 1e-6));
    // Seeded: the same seed gives the same sketch bit for bit.
    assert_eq!(rand.fit_x(x.view()).unwrap(), r);
    // A fraction keeps the fewest components whose ratios add up to more than it.
    let f = PcaParams::default()
        .variance_to_keep(0.9)
        .fit_x(x.view())
        .unwrap();
    let kept: f64 = f.explained_variance_ratio.sum();
    assert!(kept > 0.9 && kept - f.explained_variance_ratio[f.n_components - 1] <= 0.9);
    // Whitened coordinates have unit variance and invert exactly (with all components).
    let w = PcaParams::default().whiten(true).fit_x(x.view()).unwrap();
    let z = w.transform(x.view()).unwrap();
    for c in z.columns() {
        assert!((c.var(1.0) - 1.0).abs() < 1e-9);
    }
    let back = w.inverse_transform(z.view()).unwrap();
    assert!((&back - &x).iter().all(|d| d.abs() < 1e-9));

    for (p, name) in [
        (PcaParams::default().variance_to_keep(1.0), "n_components"),
        (PcaParams::default().variance_to_keep(0.0), "n_components"),
        (
            PcaParams::default()
                .variance_to_keep(0.5)
                .svd_solver(SvdSolver::Randomized),
            "n_components",
        ),
    ] {
        assert_eq!(param_name(p.validate()), name);
    }
    assert_eq!(
        param_name(PcaParams::default().n_components(7).fit_x(x.view())),
        "n_components"
    );
    wrong_width(full.transform(gaussian(3, 5, 2).view()));
    data_and_serde_checks(
        &PcaParams::default().variance_to_keep(0.95).whiten(true),
        &data,
    );
    data_and_serde_checks(&rand, &data);
    let json = serde_json::to_string(&rand).unwrap();
    assert!(json.contains(r#""svd_solver":"randomized""#), "{json}");
}

#[test]
fn incremental_pca_agrees_with_pca_and_checks_its_batches() {
    let x = gaussian(90, 5, 3);
    let data = Dataset::new(x.clone(), Array1::zeros(90)).unwrap();
    let params = IncrementalPcaParams::default().n_components(5);
    let inc = params.fit_x(x.view()).unwrap();
    assert_eq!(inc.batch_size, 25);
    let pca = PcaParams::default().fit_x(x.view()).unwrap();
    // All components kept: the incremental result is the batch PCA.
    assert!((&inc.explained_variance - &pca.explained_variance)
        .iter()
        .all(|d| d.abs() < 1e-9));
    // partial_fit over the same batches gives the same model as fit.
    let mut step = params.partial_fit(x.slice(ndarray::s![..25, ..])).unwrap();
    for s in [25, 50] {
        step.partial_fit(x.slice(ndarray::s![s..s + 25, ..]))
            .unwrap();
    }
    step.partial_fit(x.slice(ndarray::s![75.., ..])).unwrap();
    assert!((&step.components - &inc.components)
        .iter()
        .all(|d| d.abs() < 1e-12));
    wrong_width(step.partial_fit(gaussian(4, 3, 1).view()));
    wrong_width(inc.transform(gaussian(4, 3, 1).view()));
    assert_eq!(
        param_name(
            IncrementalPcaParams::default()
                .n_components(6)
                .fit_x(x.view())
        ),
        "n_components"
    );
    assert_eq!(
        param_name(IncrementalPcaParams::default().batch_size(0).validate()),
        "batch_size"
    );
    assert_eq!(
        param_name(params.partial_fit(x.slice(ndarray::s![..3, ..]))),
        "n_components"
    );
    assert_eq!(params.fit_x(x.view()).unwrap(), inc);
    data_and_serde_checks(&params.clone().batch_size(10).whiten(true), &data);
}

#[test]
fn random_projections_keep_distances_within_eps() {
    let eps = 0.2;
    let (n, p) = (60, 2000);
    let x = gaussian(n, p, 4);
    let data = Dataset::new(x.clone(), Array1::zeros(n)).unwrap();
    let k = johnson_lindenstrauss_min_dim(n, eps).unwrap();
    assert_eq!(k, 944);
    let ratios = |z: ArrayView2<f64>| {
        let mut out = vec![];
        for i in 0..n {
            for j in 0..i {
                let d0 = (&x.row(i) - &x.row(j)).mapv(|v| v * v).sum();
                let d1 = (&z.row(i) - &z.row(j)).mapv(|v| v * v).sum();
                out.push(d1 / d0);
            }
        }
        out
    };
    let g = GaussianRandomProjectionParams::default()
        .eps(eps)
        .fit_x(x.view())
        .unwrap();
    let s = SparseRandomProjectionParams::default()
        .eps(eps)
        .fit_x(x.view())
        .unwrap();
    assert_eq!((g.n_components(), s.n_components()), (k, k));
    assert!((s.density - 1.0 / (p as f64).sqrt()).abs() < 1e-15);
    for z in [
        g.transform(x.view()).unwrap(),
        s.transform(x.view()).unwrap(),
    ] {
        let r = ratios(z.view());
        // Squared distances within 1 ± eps with high probability: at least 99% of the 1770
        // pairs (measured: all but one or two), and none beyond 1 ± 1.5 eps.
        let inside = r.iter().filter(|v| (*v - 1.0).abs() < eps).count();
        assert!(
            inside as f64 >= 0.99 * r.len() as f64,
            "{inside} of {}",
            r.len()
        );
        assert!(r.iter().all(|v| (v - 1.0).abs() < 1.5 * eps));
    }
    // Seeds decide the matrix; refits repeat it.
    let g2 = GaussianRandomProjectionParams::default()
        .eps(eps)
        .random_state(1)
        .fit_x(x.view())
        .unwrap();
    assert_ne!(g2.components, g.components);
    assert_eq!(
        GaussianRandomProjectionParams::default()
            .eps(eps)
            .fit_x(x.view())
            .unwrap(),
        g
    );
    wrong_width(g.transform(gaussian(2, 10, 1).view()));
    wrong_width(s.transform(gaussian(2, 10, 1).view()));
    // Auto asks for more dimensions than 50 features have: say so.
    let narrow = gaussian(n, 50, 1);
    match GaussianRandomProjectionParams::default().fit_x(narrow.view()) {
        Err(Error::InvalidParam { param, allowed, .. }) => {
            assert_eq!(param, "n_components");
            assert!(allowed.contains("n_features = 50"), "{allowed}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        param_name(
            GaussianRandomProjectionParams::default()
                .n_components(51)
                .fit_x(narrow.view())
        ),
        "n_components"
    );
    assert_eq!(
        param_name(
            GaussianRandomProjectionParams::default()
                .eps(1.0)
                .validate()
        ),
        "eps"
    );
    assert_eq!(
        param_name(
            SparseRandomProjectionParams::default()
                .density(0.0)
                .validate()
        ),
        "density"
    );
    assert_eq!(param_name(johnson_lindenstrauss_min_dim(10, 0.0)), "eps");
    let small = GaussianRandomProjectionParams::default().n_components(5);
    data_and_serde_checks(&small, &data);
    data_and_serde_checks(
        &SparseRandomProjectionParams::default()
            .n_components(5)
            .density(0.3),
        &data,
    );
    // Density 1 draws a dense ±1/sqrt(k) matrix.
    let dense = SparseRandomProjectionParams::default()
        .n_components(4)
        .density(1.0)
        .fit_x(x.view())
        .unwrap();
    assert!(dense
        .components
        .iter()
        .all(|v| (v.abs() - 0.5).abs() < 1e-15));
}

/// Spearman-free check that an embedding unrolls the roll: one coordinate follows t closely.
fn follows_t(embedding: ArrayView2<f64>, t: &Array1<f64>) -> f64 {
    let corr = |a: ndarray::ArrayView1<f64>| {
        let (ma, mt) = (a.mean().unwrap(), t.mean().unwrap());
        let cov: f64 = a.iter().zip(t).map(|(x, y)| (x - ma) * (y - mt)).sum();
        cov / (a.var(0.0).sqrt() * t.var(0.0).sqrt() * a.len() as f64)
    };
    embedding
        .columns()
        .into_iter()
        .map(|c| corr(c).abs())
        .fold(0.0, f64::max)
}

#[test]
fn manifold_learners_unroll_a_swiss_roll_and_check_their_inputs() {
    // 800 points: sparser rolls let neighbourhoods jump between layers (measured: 400 points
    // unroll with 8 neighbours but not 12; 800 points unroll with 8 to 15).
    let data = roll(800);
    let lle = LocallyLinearEmbeddingParams::default().n_neighbors(10);
    let m = lle.fit(&data).unwrap();
    assert!(follows_t(m.embedding.view(), &data.y) > 0.95);
    let iso = IsomapParams::default().n_neighbors(10);
    let i = iso.fit(&data).unwrap();
    assert!(follows_t(i.embedding.view(), &data.y) > 0.95);
    assert_eq!(lle.fit(&data).unwrap(), m);
    assert_eq!(iso.fit(&data).unwrap(), i);
    wrong_width(m.transform(gaussian(2, 2, 1).view()));
    wrong_width(i.transform(gaussian(2, 4, 1).view()));

    let few = data.select(&[0, 1, 2, 3, 4]);
    assert_eq!(
        param_name(LocallyLinearEmbeddingParams::default().fit(&few)),
        "n_neighbors"
    );
    assert_eq!(param_name(IsomapParams::default().fit(&few)), "n_neighbors");
    assert_eq!(
        param_name(IsomapParams::default().n_components(4).fit(&data)),
        "n_components"
    );
    assert_eq!(
        param_name(
            LocallyLinearEmbeddingParams::default()
                .n_components(4)
                .fit(&data)
        ),
        "n_components"
    );
    assert_eq!(
        param_name(LocallyLinearEmbeddingParams::default().reg(-1.0).validate()),
        "reg"
    );
    assert_eq!(
        param_name(IsomapParams::default().n_neighbors(0).validate()),
        "n_neighbors"
    );

    // Two far-apart clumps: no path joins them, and the error says to use more neighbours.
    let mut two = gaussian(40, 3, 7);
    for r in 20..40 {
        two[[r, 0]] += 100.0;
    }
    match IsomapParams::default().fit_x(two.view()) {
        Err(e @ Error::InvalidParam { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("n_neighbors") && msg.contains("more neighbours"),
                "{msg}"
            );
        }
        other => panic!("disconnected graph gave {other:?}"),
    }
    data_and_serde_checks(&lle, &data);
    data_and_serde_checks(&iso, &data);
}
