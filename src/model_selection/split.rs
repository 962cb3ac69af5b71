//! Train/test splits: shuffled, or stratified so each class keeps its share on both sides.

use crate::error::{Error, Result};
use crate::metrics::unique_labels;
use crate::rng::Rng;
use ndarray::ArrayView1;

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

/// Like [`train_test_split`] with `ceil(n * test_fraction)` test rows, but each class of `y` gets
/// its share of them (largest remainders fill the rounding), as scikit-learn's
/// `train_test_split(..., stratify=y)`. Every class needs two samples, and both parts need room
/// for one sample of each class.
pub fn stratified_train_test_split(
    y: ArrayView1<f64>,
    test_fraction: f64,
    rng: &mut Rng,
) -> Result<(Vec<usize>, Vec<usize>)> {
    let n = y.len();
    // Reuses the plain split's checks of the fraction and the sizes.
    let n_test = train_test_split(n, test_fraction, rng)?.1.len();
    let classes = unique_labels([y]);
    let members: Vec<Vec<usize>> = classes
        .iter()
        .map(|c| (0..n).filter(|&i| y[i] == *c).collect())
        .collect();
    if let Some((c, m)) = classes.iter().zip(&members).find(|(_, m)| m.len() < 2) {
        return Err(Error::EmptyData(format!(
            "class {c} has only {} sample; a stratified split needs at least 2 of each class",
            m.len()
        )));
    }
    let k = classes.len();
    if n_test < k || n - n_test < k {
        return Err(Error::EmptyData(format!(
            "{n_test} test and {} training rows cannot hold one sample of each of the {k} classes",
            n - n_test
        )));
    }
    let counts: Vec<usize> = members.iter().map(Vec::len).collect();
    let take = apportion(&counts, n_test);
    let mut train = Vec::with_capacity(n - n_test);
    let mut test = Vec::with_capacity(n_test);
    for (mut m, t) in members.into_iter().zip(take) {
        rng.shuffle(&mut m);
        test.extend_from_slice(&m[..t]);
        train.extend_from_slice(&m[t..]);
    }
    rng.shuffle(&mut train);
    rng.shuffle(&mut test);
    Ok((train, test))
}

/// Splits `total` among groups in proportion to `counts` (largest remainders, ties to the larger
/// group then the earlier one), keeping at least one of each group on both sides when possible.
fn apportion(counts: &[usize], total: usize) -> Vec<usize> {
    let n: usize = counts.iter().sum();
    let exact: Vec<f64> = counts
        .iter()
        .map(|&c| c as f64 * total as f64 / n as f64)
        .collect();
    let mut take: Vec<usize> = exact
        .iter()
        .zip(counts)
        .map(|(e, &c)| (e.floor() as usize).clamp(1, c - 1))
        .collect();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra)
            .then(counts[b].cmp(&counts[a]))
            .then(a.cmp(&b))
    });
    let mut given: usize = take.iter().sum();
    // Hand out (or take back) one at a time in remainder order until the total is right.
    while given != total {
        let before = given;
        for &g in &order {
            if given < total && take[g] < counts[g] - 1 {
                take[g] += 1;
                given += 1;
            } else if given > total && take[g] > 1 {
                take[g] -= 1;
                given -= 1;
            }
        }
        if given == before {
            break;
        }
    }
    take
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    #[test]
    fn stratified_split_keeps_each_class_share() {
        let y = Array1::from_iter((0..100).map(|i| if i < 80 { 0.0 } else { 1.0 }));
        let (train, test) = stratified_train_test_split(y.view(), 0.25, &mut Rng::new(3)).unwrap();
        assert_eq!((train.len(), test.len()), (75, 25));
        let ones = test.iter().filter(|&&i| y[i] == 1.0).count();
        assert_eq!(ones, 5);
        let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn stratified_split_refuses_a_singleton_class() {
        let y = Array1::from_vec(vec![0.0, 0.0, 0.0, 1.0]);
        let err = stratified_train_test_split(y.view(), 0.5, &mut Rng::new(0)).unwrap_err();
        assert!(
            err.to_string().contains("class 1 has only 1 sample"),
            "{err}"
        );
    }

    #[test]
    fn apportion_matches_proportions_and_total() {
        assert_eq!(apportion(&[50, 30, 20], 10), vec![5, 3, 2]);
        assert_eq!(apportion(&[3, 3, 3], 4), vec![2, 1, 1]);
        assert_eq!(apportion(&[98, 2], 10), vec![9, 1]);
    }
}
