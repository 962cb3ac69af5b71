//! K-fold splitters. Without shuffling both give scikit-learn's folds exactly: `KFold` cuts the
//! rows into `n_splits` consecutive blocks (the first `n % n_splits` one row longer), and
//! `StratifiedKFold` deals each class's rows out in blocks so every fold gets its share.

use crate::error::{Error, Result};
use crate::rng::Rng;
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

/// One train/test division of the rows `0..n`, both sorted ascending (as scikit-learn's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fold {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KFold {
    pub n_splits: usize,
    /// Shuffle the rows (with `random_state`) before cutting the blocks.
    pub shuffle: bool,
    pub random_state: u64,
}

impl Default for KFold {
    fn default() -> Self {
        KFold {
            n_splits: 5,
            shuffle: false,
            random_state: 0,
        }
    }
}

fn check_splits(n_splits: usize, n: usize) -> Result<()> {
    if n_splits < 2 {
        return Err(Error::invalid("n_splits", n_splits, "at least 2"));
    }
    if n_splits > n {
        return Err(Error::EmptyData(format!(
            "cannot cut {n} samples into {n_splits} folds: use at most {n} folds"
        )));
    }
    Ok(())
}

/// The folds whose test rows are `test_of[i] == fold` for each fold in turn.
fn folds_from_assignment(test_of: &[usize], n_splits: usize) -> Vec<Fold> {
    (0..n_splits)
        .map(|k| {
            let (test, train): (Vec<usize>, Vec<usize>) =
                (0..test_of.len()).partition(|&i| test_of[i] == k);
            Fold { train, test }
        })
        .collect()
}

impl KFold {
    pub fn new(n_splits: usize) -> Self {
        KFold {
            n_splits,
            ..KFold::default()
        }
    }

    pub fn split(&self, n: usize) -> Result<Vec<Fold>> {
        check_splits(self.n_splits, n)?;
        let mut order: Vec<usize> = (0..n).collect();
        if self.shuffle {
            Rng::new(self.random_state).shuffle(&mut order);
        }
        let mut test_of = vec![0; n];
        let mut start = 0;
        for k in 0..self.n_splits {
            let size = n / self.n_splits + usize::from(k < n % self.n_splits);
            for &i in &order[start..start + size] {
                test_of[i] = k;
            }
            start += size;
        }
        Ok(folds_from_assignment(&test_of, self.n_splits))
    }
}

/// K folds that keep the class proportions of `y`. Classes are numbered by first appearance;
/// the sorted labels are dealt round-robin to fix how many of each class every fold tests, and
/// each class's rows then fill the folds in order (shuffled first when `shuffle`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StratifiedKFold {
    pub n_splits: usize,
    pub shuffle: bool,
    pub random_state: u64,
}

impl Default for StratifiedKFold {
    fn default() -> Self {
        StratifiedKFold {
            n_splits: 5,
            shuffle: false,
            random_state: 0,
        }
    }
}

impl StratifiedKFold {
    pub fn new(n_splits: usize) -> Self {
        StratifiedKFold {
            n_splits,
            ..StratifiedKFold::default()
        }
    }

    pub fn split(&self, y: ArrayView1<f64>) -> Result<Vec<Fold>> {
        let n = y.len();
        check_splits(self.n_splits, n)?;
        // Class codes by order of first appearance, as scikit-learn numbers them.
        let mut seen: Vec<f64> = Vec::new();
        let code: Vec<usize> = y
            .iter()
            .map(|v| {
                seen.iter().position(|s| s == v).unwrap_or_else(|| {
                    seen.push(*v);
                    seen.len() - 1
                })
            })
            .collect();
        let k = seen.len();
        let mut counts = vec![0usize; k];
        code.iter().for_each(|&c| counts[c] += 1);
        if counts.iter().all(|&c| c < self.n_splits) {
            return Err(Error::EmptyData(format!(
                "every class has fewer than n_splits = {} members (largest: {}); use fewer folds",
                self.n_splits,
                counts.iter().max().unwrap_or(&0)
            )));
        }
        // per_class[c][f]: how many rows of class c fold f tests. Dealing the sorted codes
        // round-robin gives fold f the codes at positions f, f + n_splits, ...
        let mut sorted = code.clone();
        sorted.sort_unstable();
        let mut per_class = vec![vec![0usize; self.n_splits]; k];
        for (pos, &c) in sorted.iter().enumerate() {
            per_class[c][pos % self.n_splits] += 1;
        }
        let mut rng = Rng::new(self.random_state);
        let mut test_of = vec![0; n];
        for (c, allocation) in per_class.iter().enumerate() {
            let mut folds_for_class: Vec<usize> = allocation
                .iter()
                .enumerate()
                .flat_map(|(f, &m)| std::iter::repeat_n(f, m))
                .collect();
            if self.shuffle {
                rng.shuffle(&mut folds_for_class);
            }
            let rows = (0..n).filter(|&i| code[i] == c);
            for (i, f) in rows.zip(folds_for_class) {
                test_of[i] = f;
            }
        }
        Ok(folds_from_assignment(&test_of, self.n_splits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    #[test]
    fn kfold_blocks_are_consecutive_and_cover_every_row_once() {
        let folds = KFold::new(3).split(10).unwrap();
        let tests: Vec<Vec<usize>> = folds.iter().map(|f| f.test.clone()).collect();
        assert_eq!(tests, vec![vec![0, 1, 2, 3], vec![4, 5, 6], vec![7, 8, 9]]);
        assert_eq!(folds[1].train, vec![0, 1, 2, 3, 7, 8, 9]);
    }

    #[test]
    fn stratified_folds_keep_class_shares() {
        let y = Array1::from_iter((0..30).map(|i| if i % 3 == 0 { 1.0 } else { 0.0 }));
        for f in StratifiedKFold::new(5).split(y.view()).unwrap() {
            let ones = f.test.iter().filter(|&&i| y[i] == 1.0).count();
            assert_eq!((f.test.len(), ones), (6, 2));
        }
    }

    #[test]
    fn too_many_folds_is_an_error() {
        assert!(KFold::new(11).split(10).is_err());
        assert!(KFold::new(1).split(10).is_err());
        let y = Array1::from_vec(vec![0.0, 1.0, 0.0, 1.0]);
        assert!(StratifiedKFold::new(3).split(y.view()).is_err());
    }
}
