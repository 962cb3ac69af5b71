//! `mlplay fit learning-curve` and `mlplay fit validation-curve`: scikit-learn's `learning_curve`
//! and `validation_curve` around any supervised estimator `mlplay fit` knows. Like the searches
//! they take `--set estimator=NAME` and its settings as `estimator.KEY=V`, plus `cv` and
//! `scoring`; the learning curve takes `train_sizes` (fractions or row counts), the validation
//! curve `param` (a key of the estimator, as in `grid.KEY`) and `values`.
//!
//! Each (setting, fold) is one fit through the normal `fit` path on the raw CSV rows (see
//! `fit_cv`), predicting both the rows it trained on and the fold's test rows, so pipelines refit
//! their preprocessing per fold. As in scikit-learn, a learning curve trains on the first rows
//! of each fold's training part, unshuffled.

use crate::error::{Error, Result};
use crate::fit_cv::{
    default_folds, default_scoring, fit_predict_rows, inner_estimator, is_classifier, mean_std,
    own_sets, target_column,
};
use crate::fit_search::text_json;
use crate::model_selection::{Fold, Scoring, TrainSizes};
use ndarray::{Array1, Axis};
use serde_json::{json, Map, Value as Json};
use web_time::Instant;

/// Curves by name: they score an estimator per training size or parameter value.
pub const CURVES: &[&str] = &["learning-curve", "validation-curve"];

/// `0.1,0.55,1.0` as fractions, `10,20,40` as row counts (scikit-learn tells them apart by the
/// array's type: any decimal point or exponent makes them all fractions).
fn train_sizes(text: &str) -> Result<TrainSizes> {
    let items: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let bad = || {
        Error::invalid(
            "train_sizes",
            text,
            "fractions in (0, 1] like 0.1,0.55,1.0 or row counts like 10,20,40",
        )
    };
    if items.is_empty() {
        return Err(bad());
    }
    if items.iter().all(|s| s.parse::<i64>().is_ok()) {
        // Zero or negative counts become 0, which `TrainSizes::absolute` refuses by name.
        let counts = items
            .iter()
            .map(|s| {
                s.parse::<i64>()
                    .map_or(0, |v| usize::try_from(v).unwrap_or(0))
            })
            .collect();
        return Ok(TrainSizes::Counts(counts));
    }
    items
        .iter()
        .map(|s| {
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(bad)
        })
        .collect::<Result<Vec<_>>>()
        .map(TrainSizes::Fractions)
}

/// What a curve was asked: its own settings (everything but `estimator` and `estimator.*`).
struct CurveSpec {
    cv: usize,
    scoring: Option<Scoring>,
    train_sizes: TrainSizes,
    param: Option<String>,
    values: Vec<String>,
}

fn curve_spec(name: &str, sets: &[(String, String)]) -> Result<CurveSpec> {
    let learning = name == "learning-curve";
    let mut spec = CurveSpec {
        cv: 5,
        scoring: None,
        train_sizes: TrainSizes::default(),
        param: None,
        values: Vec::new(),
    };
    for (k, v) in own_sets(sets) {
        match k.as_str() {
            "cv" => {
                spec.cv = v
                    .parse()
                    .map_err(|_| Error::invalid(&k, &v, "a whole number of folds >= 2"))?
            }
            "scoring" => spec.scoring = Some(Scoring::from_name(&v)?),
            "train_sizes" if learning => spec.train_sizes = train_sizes(&v)?,
            "param" if !learning => spec.param = Some(v),
            "values" if !learning => {
                spec.values = v
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                if spec.values.is_empty() {
                    return Err(Error::invalid(&k, &v, "one or more values: a,b,c"));
                }
            }
            _ => {
                let own = if learning {
                    "cv, scoring, train_sizes"
                } else {
                    "cv, scoring, param, values"
                };
                return Err(Error::UnknownParam {
                    key: k.clone(),
                    expected: format!("{own}, estimator, estimator.KEY"),
                });
            }
        }
    }
    if !learning {
        if spec.param.is_none() {
            return Err(Error::Io(
                "validation-curve needs the parameter to vary: add --set param=KEY (e.g. alpha)"
                    .into(),
            ));
        }
        if spec.values.is_empty() {
            return Err(Error::Io(
                "validation-curve needs the values to try: add --set values=V1,V2,...".into(),
            ));
        }
    }
    Ok(spec)
}

/// Train and test scores of one fit: trained on rows `train` of `data`, scored on them and on
/// rows `test`.
struct Scorer<'a> {
    name: &'a str,
    data: &'a str,
    target: &'a str,
    y: Array1<f64>,
    scoring: Scoring,
}

impl Scorer<'_> {
    fn scores(
        &self,
        sets: &[(String, String)],
        train: &[usize],
        test: &[usize],
    ) -> Result<[f64; 2]> {
        let rows: Vec<usize> = train.iter().chain(test).copied().collect();
        let pred = fit_predict_rows(self.name, self.data, self.target, sets, train, &rows)?;
        let truth = self.y.select(Axis(0), &rows);
        let n = train.len();
        let score = |r: std::ops::Range<usize>| {
            self.scoring.of_predictions(
                truth.slice(ndarray::s![r.clone()]),
                pred.slice(ndarray::s![r]),
            )
        };
        Ok([score(0..n)?, score(n..rows.len())?])
    }
}

/// Unknown names pass through (they fail the same in every fit); other errors say which fit
/// failed.
fn in_fit(e: Error, what: impl FnOnce() -> String) -> Error {
    match e {
        e @ (Error::UnknownParam { .. } | Error::UnknownEstimator { .. }) => e,
        e => Error::Io(format!("{}: {e}", what())),
    }
}

/// Runs a learning or validation curve (see the module docs) on `data` (CSV text with column
/// `target`) and returns the JSON object `mlplay fit` prints.
pub fn curve(name: &str, data: &str, target: &str, sets: &[(String, String)]) -> Result<Json> {
    let start = Instant::now();
    let (inner, inner_sets) = inner_estimator(sets)?;
    if CURVES.contains(&inner.as_str()) {
        return Err(Error::Io(format!(
            "{name} scores an estimator; {inner} is a curve, not an estimator"
        )));
    }
    let spec = curve_spec(name, sets)?;
    let classifier = is_classifier(&inner, &inner_sets);
    let scoring = spec.scoring.unwrap_or(default_scoring(classifier));
    let y = target_column(data, target)?;
    let (folds, splitter) = default_folds(classifier, &y, spec.cv)?;
    let scorer = Scorer {
        name: &inner,
        data,
        target,
        y,
        scoring,
    };
    let mut params = Map::new();
    params.insert("estimator".into(), json!(inner));
    params.insert("cv".into(), json!(spec.cv));
    params.insert("scoring".into(), json!(scoring));
    params.insert("splitter".into(), json!(splitter));
    let (x_key, x_values, rows) = if let Some(param) = &spec.param {
        let values: Vec<Json> = spec.values.iter().map(|v| text_json(v)).collect();
        params.insert("param".into(), json!(param));
        params.insert("values".into(), json!(values));
        let mut rows = Vec::with_capacity(values.len());
        for v in &spec.values {
            let mut s = inner_sets.clone();
            s.push((param.clone(), v.clone()));
            rows.push(fold_rows(&folds, |k, f| {
                scorer
                    .scores(&s, &f.train, &f.test)
                    .map_err(|e| in_fit(e, || format!("{name} with {param}={v} (fold {k})")))
            })?);
        }
        ("values", json!(values), rows)
    } else {
        params.insert("train_sizes".into(), json!(spec.train_sizes));
        let sizes = spec.train_sizes.absolute(folds[0].train.len())?;
        let mut rows = Vec::with_capacity(sizes.len());
        for &size in &sizes {
            rows.push(fold_rows(&folds, |k, f| {
                // scikit-learn slices `train[:size]`, which a shorter fold simply runs out of.
                let train = &f.train[..size.min(f.train.len())];
                scorer.scores(&inner_sets, train, &f.test).map_err(|e| {
                    in_fit(e, || {
                        format!(
                            "{name} with the first {size} training rows of fold {k} (rows are \
                             not shuffled: a CSV sorted by class may need larger train_sizes \
                             or shuffling first)"
                        )
                    })
                })
            })?);
        }
        ("train_sizes", json!(sizes), rows)
    };
    let pick = |i: usize| -> Vec<Vec<f64>> {
        rows.iter()
            .map(|r| r.iter().map(|s| s[i]).collect())
            .collect()
    };
    let (train, test) = (pick(0), pick(1));
    let stats = |m: &[Vec<f64>]| -> (Vec<f64>, Vec<f64>) { m.iter().map(|r| mean_std(r)).unzip() };
    let ((train_mean, train_std), (test_mean, test_std)) = (stats(&train), stats(&test));
    let mut out = json!({
        "estimator": name,
        "params": params,
        "train_scores": train,
        "test_scores": test,
        "train_scores_mean": train_mean,
        "train_scores_std": train_std,
        "test_scores_mean": test_mean,
        "test_scores_std": test_std,
    });
    out[x_key] = x_values;
    out["fit_ms"] = json!(start.elapsed().as_secs_f64() * 1000.0);
    Ok(out)
}

/// `[train, test]` scores of every fold for one setting.
fn fold_rows(
    folds: &[Fold],
    mut score: impl FnMut(usize, &Fold) -> Result<[f64; 2]>,
) -> Result<Vec<[f64; 2]>> {
    folds.iter().enumerate().map(|(k, f)| score(k, f)).collect()
}
