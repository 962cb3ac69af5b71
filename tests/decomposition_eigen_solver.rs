#![cfg(not(target_arch = "wasm32"))]
//! Isomap's and LLE's `eigen_solver`: the Lanczos path ("arpack", which "auto" takes for more
//! than 200 points) gives the dense path's embedding, including on data whose top eigenvalues
//! nearly tie; the parameter follows scikit-learn's rule and names its choices when misspelt.

use mlplay::data::generators;
use mlplay::decomposition::{EigenSolver, IsomapParams, LocallyLinearEmbeddingParams as LleParams};
use mlplay::fit::params_from_sets;
use mlplay::rng::Rng;
use ndarray::{Array2, ArrayView2};

fn roll(n: usize, seed: u64) -> Array2<f64> {
    generators::swiss_roll(n, 0.0, &mut Rng::new(seed)).x
}

/// Uniform points in a `1 x aspect` rectangle, lifted a little off the plane.
fn sheet(n: usize, aspect: f64, seed: u64) -> Array2<f64> {
    let mut rng = Rng::new(seed);
    Array2::from_shape_fn((n, 3), |(_, j)| match j {
        0 => rng.uniform(),
        1 => aspect * rng.uniform(),
        _ => 0.01 * rng.normal(),
    })
}

/// `n` points evenly spaced in angle on an ellipse with axes 1 and `aspect`.
fn ellipse(n: usize, aspect: f64) -> Array2<f64> {
    Array2::from_shape_fn((n, 2), |(i, j)| {
        let t = std::f64::consts::TAU * i as f64 / n as f64;
        if j == 0 {
            t.cos()
        } else {
            aspect * t.sin()
        }
    })
}

fn blob(n: usize, p: usize, seed: u64) -> Array2<f64> {
    let mut rng = Rng::new(seed);
    Array2::from_shape_fn((n, p), |(_, j)| rng.normal() * (1.0 + j as f64 * 0.5))
}

/// Largest |a - b| relative to the largest |b| (signs are fixed the same way by both paths).
fn rel_dev(a: ArrayView2<f64>, b: ArrayView2<f64>) -> f64 {
    assert_eq!(a.dim(), b.dim());
    let scale = b.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    (&a - &b).iter().fold(0.0_f64, |m, d| m.max(d.abs())) / scale
}

/// The same fit with the dense eigensolver and with Lanczos.
fn dense_and_lanczos<M>(fit: impl Fn(EigenSolver) -> M) -> (M, M) {
    (fit(EigenSolver::Dense), fit(EigenSolver::Arpack))
}

#[test]
fn isomap_lanczos_matches_the_dense_solver() {
    let cases = [
        ("swiss roll", roll(400, 3), 10, 2),
        ("gaussian blob", blob(300, 5, 4), 12, 3),
        ("square sheet", sheet(350, 1.0, 5), 10, 2),
        // Nearly a circle: the top two eigenvalues (cos t, sin t) differ by 0.2%.
        ("ellipse", ellipse(300, 1.001), 4, 2),
        // Fewer points than the Lanczos basis holds: the iteration is exact.
        ("tiny", roll(15, 6), 6, 2),
    ];
    for (name, x, k, d) in cases {
        let params = IsomapParams::default().n_neighbors(k).n_components(d);
        let (dense, lanczos) =
            dense_and_lanczos(|s| params.clone().eigen_solver(s).fit_x(x.view()).unwrap());
        let dev = rel_dev(lanczos.embedding.view(), dense.embedding.view());
        let (e1, e2) = (lanczos.reconstruction_error(), dense.reconstruction_error());
        let values = &dense.kernel_pca.eigenvalues;
        println!("{name}: eigenvalues {values}, deviation {dev:.1e}, errors {e1} vs {e2}");
        assert!(dev < 1e-9, "{name}: deviation {dev:.2e}");
        assert!(
            (e1 - e2).abs() <= 1e-9 * e2.abs().max(1e-12),
            "{name}: {e1} vs {e2}"
        );
        let probe = x.slice(ndarray::s![..4, ..]).mapv(|v| v + 0.01);
        let z = lanczos.transform(probe.view()).unwrap();
        let zd = dense.transform(probe.view()).unwrap();
        assert!(rel_dev(z.view(), zd.view()) < 1e-9, "{name}: transform");
    }
}

#[test]
fn lle_lanczos_matches_the_dense_solver() {
    let cases = [
        ("swiss roll", roll(400, 7), 10, 2),
        ("gaussian blob", blob(300, 4, 8), 12, 2),
        ("nearly square sheet", sheet(300, 1.02, 9), 10, 2),
    ];
    for (name, x, k, d) in cases {
        let params = LleParams::default().n_neighbors(k).n_components(d);
        let (dense, lanczos) =
            dense_and_lanczos(|s| params.clone().eigen_solver(s).fit_x(x.view()).unwrap());
        let dev = rel_dev(lanczos.embedding.view(), dense.embedding.view());
        let (e1, e2) = (lanczos.reconstruction_error, dense.reconstruction_error);
        println!("{name}: deviation {dev:.1e}, errors {e1:e} vs {e2:e}");
        assert!(dev < 1e-7, "{name}: deviation {dev:.2e}");
        assert!((e1 - e2).abs() <= 1e-7 * e2.abs(), "{name}: {e1} vs {e2}");
    }
}

#[test]
fn eigen_solver_follows_scikit_learn_and_names_its_choices() {
    // scikit-learn's "auto": ARPACK for more than 200 points and fewer than 10 eigenvectors.
    assert_eq!(EigenSolver::Auto.resolve(201, 9), EigenSolver::Arpack);
    assert_eq!(EigenSolver::Auto.resolve(200, 2), EigenSolver::Dense);
    assert_eq!(EigenSolver::Auto.resolve(1000, 10), EigenSolver::Dense);
    assert_eq!(EigenSolver::Dense.resolve(1000, 2), EigenSolver::Dense);
    assert_eq!(EigenSolver::Arpack.resolve(10, 2), EigenSolver::Arpack);
    assert_eq!(IsomapParams::default().eigen_solver, EigenSolver::Auto);
    assert_eq!(LleParams::default().eigen_solver, EigenSolver::Auto);

    for solver in ["auto", "dense", "arpack"] {
        let iso: IsomapParams =
            serde_json::from_str(&format!(r#"{{"eigen_solver":"{solver}"}}"#)).unwrap();
        let json = serde_json::to_string(&iso).unwrap();
        assert!(
            json.contains(&format!(r#""eigen_solver":"{solver}""#)),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<IsomapParams>(&json).unwrap(), iso);
        let lle = LleParams::default().eigen_solver(iso.eigen_solver);
        let json = serde_json::to_string(&lle).unwrap();
        assert!(
            json.contains(&format!(r#""eigen_solver":"{solver}""#)),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<LleParams>(&json).unwrap(), lle);
    }
    // A misspelt solver, through the CLI's `--set`: the message lists the three choices.
    let sets = [("eigen_solver".to_string(), "lobpcg".to_string())];
    for err in [
        params_from_sets::<IsomapParams>(&sets)
            .unwrap_err()
            .to_string(),
        params_from_sets::<LleParams>(&sets)
            .unwrap_err()
            .to_string(),
    ] {
        assert!(
            err.contains("lobpcg") && err.contains("`auto`, `dense`, `arpack`"),
            "{err}"
        );
    }
}
