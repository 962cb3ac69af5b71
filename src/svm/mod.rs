//! Support vector machines: `SVC` (classification, one-vs-one for several classes) and `SVR`
//! (ε-insensitive regression), both solved by libsvm's SMO algorithm in [`smo`], with the
//! `linear`, `poly` and `rbf` kernels of [`kernel`]. Chapter 5's demos animate the solver.
//! `LinearSVC` ([`linear_svc`]) solves the linear problem directly, by liblinear's dual coordinate descent.
//! [`PlattSvc`] adds two-class probabilities to an SVC (Platt scaling), for soft voting and stacking.

pub mod kernel;
pub mod linear_svc;
mod platt;
mod smo;
pub mod svc;
pub mod svr;

pub use kernel::{Gamma, GammaRule, Kernel, KernelKind};
pub use linear_svc::{LinearSvc, LinearSvcParams, LinearSvcRun, SvcLoss};
pub use platt::PlattSvc;
pub use svc::{Svc, SvcParams, SvcRun};
pub use svr::{Svr, SvrParams, SvrRun};

use crate::error::{Error, Result};

/// `C` and `tol` as scikit-learn checks them; `max_iter`, when given, at least 1.
fn validate_c_tol(c: f64, tol: f64, max_iter: Option<usize>) -> Result<()> {
    if !(c > 0.0 && c.is_finite()) {
        return Err(Error::invalid("C", c, "a finite number > 0"));
    }
    if !(tol > 0.0 && tol.is_finite()) {
        return Err(Error::invalid("tol", tol, "a finite number > 0"));
    }
    if max_iter == Some(0) {
        return Err(Error::invalid(
            "max_iter",
            0,
            "at least 1, or none for no limit",
        ));
    }
    Ok(())
}

/// libsvm's own cap when scikit-learn passes `max_iter=-1`: `max(10⁷, 100·n)` pair updates.
fn max_iter_or_default(max_iter: Option<usize>, n: usize) -> usize {
    max_iter.unwrap_or_else(|| 10_000_000usize.max(n.saturating_mul(100)))
}
