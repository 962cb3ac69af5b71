//! Cross-validation: fit on each fold's training rows, score on its test rows. Learning curves
//! repeat that for growing prefixes of the training rows, validation curves for each value of
//! one parameter. Same folds and a deterministic estimator give scikit-learn's numbers.

use super::kfold::Fold;
use super::search::with_params;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::estimator::Fit;
use ndarray::{Array1, ArrayView2};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

fn check_folds(folds: &[Fold], n: usize) -> Result<()> {
    if folds.is_empty() {
        return Err(Error::EmptyData("no folds to cross-validate on".into()));
    }
    for (k, f) in folds.iter().enumerate() {
        if f.train.is_empty() || f.test.is_empty() {
            return Err(Error::EmptyData(format!(
                "fold {k} has an empty training or test part"
            )));
        }
        if let Some(&i) = f.train.iter().chain(&f.test).find(|&&i| i >= n) {
            return Err(Error::Shape(format!(
                "fold {k} names row {i} but the data has {n} rows"
            )));
        }
    }
    Ok(())
}

/// One score per fold: `params` fitted on the fold's training rows, `score` on its test rows
/// (scikit-learn's `cross_val_score`).
pub fn cross_val_score<P: Fit>(
    params: &P,
    data: &Dataset,
    folds: &[Fold],
    score: impl Fn(&P::Model, &Dataset) -> Result<f64>,
) -> Result<Vec<f64>> {
    check_folds(folds, data.n_samples())?;
    folds
        .iter()
        .map(|f| {
            let model = params.fit(&data.select(&f.train))?;
            score(&model, &data.select(&f.test))
        })
        .collect()
}

/// Every row's prediction by the model that did not see it (scikit-learn's `cross_val_predict`).
/// The folds' test parts must cover each row exactly once.
pub fn cross_val_predict<P: Fit>(
    params: &P,
    data: &Dataset,
    folds: &[Fold],
    predict: impl Fn(&P::Model, ArrayView2<f64>) -> Result<Array1<f64>>,
) -> Result<Array1<f64>> {
    let n = data.n_samples();
    check_folds(folds, n)?;
    let mut seen = vec![0u32; n];
    folds
        .iter()
        .flat_map(|f| &f.test)
        .for_each(|&i| seen[i] += 1);
    if seen.iter().any(|&s| s != 1) {
        return Err(Error::Shape(
            "cross_val_predict needs folds whose test parts cover every row exactly once".into(),
        ));
    }
    let mut out = Array1::zeros(n);
    for f in folds {
        let model = params.fit(&data.select(&f.train))?;
        let test = data.select(&f.test);
        let pred = predict(&model, test.x.view())?;
        for (&i, p) in f.test.iter().zip(pred) {
            out[i] = p;
        }
    }
    Ok(out)
}

/// Scores on the training part and the test part: `[setting][fold]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurveScores {
    pub train: Vec<Vec<f64>>,
    pub test: Vec<Vec<f64>>,
}

impl CurveScores {
    /// The mean over folds of each setting: (train, test).
    pub fn means(&self) -> (Vec<f64>, Vec<f64>) {
        let mean = |rows: &Vec<Vec<f64>>| {
            rows.iter()
                .map(|r| r.iter().sum::<f64>() / r.len().max(1) as f64)
                .collect()
        };
        (mean(&self.train), mean(&self.test))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearningCurve {
    /// How many training rows each setting used.
    pub train_sizes: Vec<usize>,
    pub scores: CurveScores,
}

/// `train_sizes` as scikit-learn reads them: fractions in (0, 1] of the first fold's training
/// rows (a float array) or row counts (an int array).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainSizes {
    Fractions(Vec<f64>),
    Counts(Vec<usize>),
}

impl Default for TrainSizes {
    /// scikit-learn's default, `np.linspace(0.1, 1.0, 5)` (computed as NumPy does: start plus
    /// i steps, the last set to the end).
    fn default() -> Self {
        let step = (1.0 - 0.1) / 4.0;
        let mut f: Vec<f64> = (0..5).map(|i| i as f64 * step + 0.1).collect();
        f[4] = 1.0;
        TrainSizes::Fractions(f)
    }
}

impl TrainSizes {
    /// Row counts for a largest training part of `n_max` rows, sorted, duplicates dropped
    /// (scikit-learn's `_translate_train_sizes`): a fraction becomes `floor(fraction * n_max)`
    /// rows, at least 1; counts must lie in 1..=n_max.
    pub fn absolute(&self, n_max: usize) -> Result<Vec<usize>> {
        let mut sizes = match self {
            TrainSizes::Fractions(f) => {
                if let Some(bad) = f.iter().find(|f| !(**f > 0.0 && **f <= 1.0)) {
                    return Err(Error::invalid("train_sizes", bad, "fractions in (0, 1]"));
                }
                f.iter()
                    .map(|f| ((f * n_max as f64) as usize).clamp(1, n_max))
                    .collect::<Vec<_>>()
            }
            TrainSizes::Counts(c) => {
                if let Some(bad) = c.iter().find(|c| !(1..=n_max).contains(*c)) {
                    return Err(Error::invalid(
                        "train_sizes",
                        bad,
                        format!("row counts in 1..={n_max} (the first fold's training rows)"),
                    ));
                }
                c.clone()
            }
        };
        if sizes.is_empty() {
            return Err(Error::invalid("train_sizes", "[]", "at least one size"));
        }
        sizes.sort_unstable();
        sizes.dedup();
        Ok(sizes)
    }
}

/// Scores for training sets of growing size (scikit-learn's `learning_curve`). `train_sizes` are
/// fractions in (0, 1] of the first fold's training part (see [`TrainSizes::absolute`]). A fold
/// trains on the first that many of its training rows and is scored on them and on its test
/// rows.
pub fn learning_curve<P: Fit>(
    params: &P,
    data: &Dataset,
    folds: &[Fold],
    train_sizes: &[f64],
    score: impl Fn(&P::Model, &Dataset) -> Result<f64>,
) -> Result<LearningCurve> {
    check_folds(folds, data.n_samples())?;
    let n_max = folds[0].train.len();
    let sizes = TrainSizes::Fractions(train_sizes.to_vec()).absolute(n_max)?;
    if let Some(f) = folds.iter().find(|f| f.train.len() < n_max) {
        return Err(Error::Shape(format!(
            "a fold has {} training rows, fewer than the first fold's {n_max}",
            f.train.len()
        )));
    }
    let mut train = vec![Vec::with_capacity(folds.len()); sizes.len()];
    let mut test = train.clone();
    for f in folds {
        let test_part = data.select(&f.test);
        for (s, &size) in sizes.iter().enumerate() {
            let part = data.select(&f.train[..size]);
            let model = params.fit(&part)?;
            train[s].push(score(&model, &part)?);
            test[s].push(score(&model, &test_part)?);
        }
    }
    Ok(LearningCurve {
        train_sizes: sizes,
        scores: CurveScores { train, test },
    })
}

/// Scores for each value of parameter `name` (scikit-learn's `validation_curve`).
pub fn validation_curve<P>(
    params: &P,
    data: &Dataset,
    folds: &[Fold],
    name: &str,
    values: &[Json],
    score: impl Fn(&P::Model, &Dataset) -> Result<f64>,
) -> Result<CurveScores>
where
    P: Fit + Serialize + DeserializeOwned,
{
    check_folds(folds, data.n_samples())?;
    let mut train = Vec::with_capacity(values.len());
    let mut test = Vec::with_capacity(values.len());
    for v in values {
        let p: P = with_params(params, &[(name.to_string(), v.clone())])?;
        let (mut tr, mut te) = (Vec::new(), Vec::new());
        for f in folds {
            let part = data.select(&f.train);
            let model = p.fit(&part)?;
            tr.push(score(&model, &part)?);
            te.push(score(&model, &data.select(&f.test))?);
        }
        train.push(tr);
        test.push(te);
    }
    Ok(CurveScores { train, test })
}
