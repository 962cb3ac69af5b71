//! Splitting data for honest evaluation.

use crate::error::{Error, Result};
use crate::rng::Rng;

/// Shuffled train/test index split with `ceil(n * test_fraction)` test rows, like scikit-learn's
/// `train_test_split`. Both parts are non-empty or an error says why.
pub fn train_test_split(
    n: usize,
    test_fraction: f64,
    rng: &mut Rng,
) -> Result<(Vec<usize>, Vec<usize>)> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::invalid(
            "test_size",
            test_fraction,
            "between 0 and 1 (exclusive)",
        ));
    }
    let n_test = (n as f64 * test_fraction).ceil() as usize;
    if n_test == 0 || n_test >= n {
        return Err(Error::EmptyData(format!(
            "{n} samples cannot be split into non-empty train and test sets"
        )));
    }
    let idx = rng.permutation(n);
    Ok((idx[n_test..].to_vec(), idx[..n_test].to_vec()))
}
