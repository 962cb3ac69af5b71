#![cfg(not(target_arch = "wasm32"))]
//! Dimensionality reduction against scikit-learn 1.9.1 (`tests/fixtures/decomposition.json`,
//! written by `scripts/fixtures.d/decomposition.py`): randomized and fractional PCA, whitening,
//! incremental PCA, the Johnson-Lindenstrauss bound, random projections' resolved sizes, and LLE
//! and Isomap embeddings of a swiss roll.

use mlplay::decomposition::{
    johnson_lindenstrauss_min_dim, GaussianRandomProjectionParams, IncrementalPcaParams,
    IsomapParams, LocallyLinearEmbeddingParams, PcaParams, SparseRandomProjectionParams, SvdSolver,
};
use ndarray::{Array2, ArrayView2};
use serde_json::Value;

fn cases(kind: &str) -> Vec<Value> {
    let doc: Value =
        serde_json::from_str(include_str!("fixtures/decomposition.json")).expect("fixture JSON");
    doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["estimator"] == kind)
        .cloned()
        .collect()
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).expect("matrix");
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).expect("rectangular")
}

fn vector(v: &Value) -> Vec<f64> {
    serde_json::from_value(v.clone()).expect("vector")
}

/// Largest |a - b| relative to max(|b|, 1).
fn dev(a: impl IntoIterator<Item = f64>, b: impl IntoIterator<Item = f64>) -> f64 {
    a.into_iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1.0))
        .fold(0.0, f64::max)
}

/// Largest deviation after flipping each column of `ours` to best match `theirs` (eigenvectors
/// and singular vectors are unique only up to sign).
fn dev_up_to_column_sign(ours: ArrayView2<f64>, theirs: ArrayView2<f64>) -> f64 {
    assert_eq!(ours.dim(), theirs.dim(), "shapes");
    (0..ours.ncols())
        .map(|c| {
            let (a, b) = (ours.column(c), theirs.column(c));
            let same = dev(a.iter().copied(), b.iter().copied());
            let flipped = dev(a.iter().map(|v| -v), b.iter().copied());
            same.min(flipped)
        })
        .fold(0.0, f64::max)
}

#[test]
fn pca_randomized_fraction_and_whiten_match_scikit_learn() {
    let all = cases("pca");
    assert!(all.len() >= 8);
    let mut worst = 0.0_f64;
    for case in &all {
        let name = case["name"].as_str().unwrap();
        let params: PcaParams = serde_json::from_value(case["params"].clone()).unwrap();
        let m = params.fit_x(matrix(&case["x"]).view()).unwrap();
        assert_eq!(
            m.n_components as u64,
            case["n_components"].as_u64().unwrap(),
            "{name}"
        );
        let solver = serde_json::to_value(m.svd_solver).unwrap();
        // Our `full` stands in for scikit-learn's `covariance_eigh` (same result).
        let theirs = match case["svd_solver"].as_str().unwrap() {
            "covariance_eigh" => "full",
            s => s,
        };
        assert_eq!(solver, theirs, "{name}: solver");
        // Components up to sign, then the sign itself (svd_flip is deterministic).
        let theirs = matrix(&case["components"]);
        let d = dev_up_to_column_sign(m.components.t(), theirs.t());
        let signed = dev(m.components.iter().copied(), theirs.iter().copied());
        let mut d = d
            .max(signed)
            .max(dev(
                m.explained_variance.iter().copied(),
                vector(&case["explained_variance"]),
            ))
            .max(dev(
                m.explained_variance_ratio.iter().copied(),
                vector(&case["explained_variance_ratio"]),
            ))
            .max(dev(
                m.singular_values.iter().copied(),
                vector(&case["singular_values"]),
            ))
            .max(dev(m.mean.iter().copied(), vector(&case["mean"])))
            .max(dev(
                [m.noise_variance],
                [case["noise_variance"].as_f64().unwrap()],
            ));
        let z = m.transform(matrix(&case["x_test"]).view()).unwrap();
        d = d.max(dev(
            z.iter().copied(),
            matrix(&case["transform"]).iter().copied(),
        ));
        // The randomized sketch is not exact; on these decaying spectra it is within 1e-5 (2e-6 measured).
        let tol = if m.svd_solver == SvdSolver::Randomized {
            1e-5
        } else {
            1e-9
        };
        assert!(d < tol, "{name}: deviation {d:.2e}");
        println!("{name}: {d:.2e}");
        worst = worst.max(d);
    }
    println!("pca: max relative deviation from scikit-learn {worst:.2e}");
}

#[test]
fn pca_auto_solver_follows_scikit_learns_rule() {
    for case in cases("pca_auto") {
        let params = PcaParams {
            n_components: serde_json::from_value(case["n_components"].clone()).unwrap(),
            ..PcaParams::default()
        };
        let n = case["n_samples"].as_u64().unwrap() as usize;
        let p = case["n_features"].as_u64().unwrap() as usize;
        let ours = serde_json::to_value(params.resolved_solver(n, p)).unwrap();
        // Our `full` stands in for scikit-learn's `covariance_eigh` (same result).
        let theirs = match case["svd_solver"].as_str().unwrap() {
            "covariance_eigh" => "full",
            s => s,
        };
        assert_eq!(ours, theirs, "{}", case["name"]);
    }
}

#[test]
fn incremental_pca_matches_scikit_learn() {
    let all = cases("incremental_pca");
    assert_eq!(all.len(), 5);
    let mut worst = 0.0_f64;
    for case in &all {
        let name = case["name"].as_str().unwrap();
        let params: IncrementalPcaParams = serde_json::from_value(case["params"].clone()).unwrap();
        let x = matrix(&case["x"]);
        let m = match case["batches"].as_array() {
            None => params.fit_x(x.view()).unwrap(),
            Some(batches) => {
                let range = |b: &Value| {
                    let (s, e) = (
                        b[0].as_u64().unwrap() as usize,
                        b[1].as_u64().unwrap() as usize,
                    );
                    x.slice(ndarray::s![s..e, ..])
                };
                let mut m = params.partial_fit(range(&batches[0])).unwrap();
                for b in &batches[1..] {
                    m.partial_fit(range(b)).unwrap();
                }
                m
            }
        };
        assert_eq!(
            m.n_samples_seen as u64,
            case["n_samples_seen"].as_u64().unwrap()
        );
        let theirs = matrix(&case["components"]);
        let d = dev(m.components.iter().copied(), theirs.iter().copied())
            .max(dev(
                m.explained_variance.iter().copied(),
                vector(&case["explained_variance"]),
            ))
            .max(dev(
                m.explained_variance_ratio.iter().copied(),
                vector(&case["explained_variance_ratio"]),
            ))
            .max(dev(
                m.singular_values.iter().copied(),
                vector(&case["singular_values"]),
            ))
            .max(dev(m.mean.iter().copied(), vector(&case["mean"])))
            .max(dev(m.var.iter().copied(), vector(&case["var"])))
            .max(dev(
                [m.noise_variance],
                [case["noise_variance"].as_f64().unwrap()],
            ));
        let z = m.transform(x.slice(ndarray::s![..5, ..])).unwrap();
        let d = d.max(dev(
            z.iter().copied(),
            matrix(&case["transform"]).iter().copied(),
        ));
        assert!(d < 1e-9, "{name}: deviation {d:.2e}");
        worst = worst.max(d);
    }
    println!("incremental pca: max relative deviation from scikit-learn {worst:.2e}");
}

#[test]
fn johnson_lindenstrauss_bound_is_exact() {
    let all = cases("jl_min_dim");
    assert!(all.len() >= 40);
    for case in all {
        let n = case["n_samples"].as_u64().unwrap() as usize;
        let eps = case["eps"].as_f64().unwrap();
        let ours = johnson_lindenstrauss_min_dim(n, eps).unwrap();
        assert_eq!(
            ours as u64,
            case["min_dim"].as_u64().unwrap(),
            "{}",
            case["name"]
        );
    }
}

#[test]
fn random_projections_resolve_sizes_and_have_scikit_learns_statistics() {
    for case in cases("random_projection") {
        let name = case["name"].as_str().unwrap();
        let (n, p) = (
            case["n_samples"].as_u64().unwrap() as usize,
            case["n_features"].as_u64().unwrap() as usize,
        );
        let x = Array2::<f64>::zeros((n, p));
        let eps = case["eps"].as_f64().unwrap();
        let k = case["n_components"].as_u64().map(|k| k as usize);
        let mut g = GaussianRandomProjectionParams::default().eps(eps);
        g.n_components = k;
        let g = g.fit_x(x.view()).unwrap();
        assert_eq!(
            g.n_components() as u64,
            case["n_components_"].as_u64().unwrap(),
            "{name}"
        );
        let mut s = SparseRandomProjectionParams::default().eps(eps);
        s.n_components = k;
        let s = s.fit_x(x.view()).unwrap();
        assert_eq!(
            s.n_components() as u64,
            case["sparse_n_components_"].as_u64().unwrap()
        );
        let density = case["density_"].as_f64().unwrap();
        assert!((s.density - density).abs() < 1e-15, "{name}: density");
        // Entry variance 1/k for both; the sparse matrix's non-zero fraction near the density
        // (scikit-learn's draw is as far from it as ours: both within 5 standard errors).
        let cells = (s.components.len()) as f64;
        let se = (density * (1.0 - density) / cells).sqrt();
        assert!(
            (s.nonzero_fraction() - density).abs() < 5.0 * se,
            "{name}: {}",
            s.nonzero_fraction()
        );
        let sk_nz = case["sparse_nonzero_fraction"].as_f64().unwrap();
        assert!((sk_nz - density).abs() < 5.0 * se);
        for (what, c) in [("gaussian", &g.components), ("sparse", &s.components)] {
            let var = c.mapv(|v| v * v).mean().unwrap();
            let want = 1.0 / c.nrows() as f64;
            assert!(
                (var / want - 1.0).abs() < 0.05,
                "{name} {what}: variance {var} vs {want}"
            );
        }
        let sk_var = case["gaussian_entry_var"].as_f64().unwrap();
        assert!((sk_var * g.n_components() as f64 - 1.0).abs() < 0.05);
    }
}

/// Orthogonal Procrustes residual: after the best rotation/reflection and scale mapping `a` onto
/// `b` (both centred), the remaining misfit relative to `b`'s size.
fn procrustes(a: ArrayView2<f64>, b: ArrayView2<f64>) -> f64 {
    let ca = &a - &a.mean_axis(ndarray::Axis(0)).unwrap();
    let cb = &b - &b.mean_axis(ndarray::Axis(0)).unwrap();
    let (u, s, vt) = mlplay::linalg::svd(ca.t().dot(&cb).view()).unwrap();
    let r = u.dot(&vt);
    let scale = s.sum() / ca.mapv(|v| v * v).sum();
    let fitted = ca.dot(&r) * scale;
    ((&fitted - &cb).mapv(|v| v * v).sum() / cb.mapv(|v| v * v).sum()).sqrt()
}

#[test]
fn lle_on_a_swiss_roll_matches_scikit_learn() {
    let all = cases("lle");
    assert_eq!(all.len(), 2);
    for case in &all {
        let name = case["name"].as_str().unwrap();
        let params: LocallyLinearEmbeddingParams =
            serde_json::from_value(case["params"].clone()).unwrap();
        let m = params.fit_x(matrix(&case["x"]).view()).unwrap();
        let theirs = matrix(&case["embedding"]);
        let d = dev_up_to_column_sign(m.embedding.view(), theirs.view());
        let p = procrustes(m.embedding.view(), theirs.view());
        let err = m.reconstruction_error;
        let sk_err = case["reconstruction_error"].as_f64().unwrap();
        let rel = (err - sk_err).abs() / sk_err;
        println!("{name}: column-sign deviation {d:.2e}, procrustes {p:.2e}, error {err:.6e} vs {sk_err:.6e}");
        assert!(d < 1e-6, "{name}: deviation {d:.2e}");
        assert!(rel < 1e-6, "{name}: reconstruction error {err} vs {sk_err}");
        // New points: compared after matching each column's sign to the training embedding.
        let z = m.transform(matrix(&case["x_test"]).view()).unwrap();
        let zt = matrix(&case["transform"]);
        for c in 0..z.ncols() {
            let sign = if m.embedding.column(c).dot(&theirs.column(c)) < 0.0 {
                -1.0
            } else {
                1.0
            };
            let dz = dev(
                z.column(c).iter().map(|v| sign * v),
                zt.column(c).iter().copied(),
            );
            assert!(dz < 1e-6, "{name}: transform column {c} deviation {dz:.2e}");
        }
    }
}

#[test]
fn isomap_on_a_swiss_roll_matches_scikit_learn() {
    let all = cases("isomap");
    assert_eq!(all.len(), 2);
    for case in &all {
        let name = case["name"].as_str().unwrap();
        let params: IsomapParams = serde_json::from_value(case["params"].clone()).unwrap();
        let m = params.fit_x(matrix(&case["x"]).view()).unwrap();
        let theirs = matrix(&case["embedding"]);
        let d = dev_up_to_column_sign(m.embedding.view(), theirs.view());
        let signed = dev(m.embedding.iter().copied(), theirs.iter().copied());
        let err = m.reconstruction_error();
        let sk_err = case["reconstruction_error"].as_f64().unwrap();
        println!(
            "{name}: deviation {d:.2e} (signed {signed:.2e}), error {err:.8e} vs {sk_err:.8e}"
        );
        assert!(d < 1e-8, "{name}: deviation {d:.2e}");
        assert!(
            (err - sk_err).abs() / sk_err < 1e-8,
            "{name}: {err} vs {sk_err}"
        );
        let z = m.transform(matrix(&case["x_test"]).view()).unwrap();
        let zt = matrix(&case["transform"]);
        let dz = dev_up_to_column_sign(z.view(), zt.view());
        assert!(dz < 1e-8, "{name}: transform deviation {dz:.2e}");
    }
}
