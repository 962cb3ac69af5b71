//! Hyper-parameter search by cross-validation. Params are changed through their serde form, so
//! any estimator's params struct can be searched by field name without extra code.
//! - `GridSearchCv` tries every combination (keys in alphabetical order, the last key varying
//!   fastest, as scikit-learn's `ParameterGrid`);
//! - `RandomizedSearchCv` draws `n_iter` settings from lists or continuous distributions.
//!
//! The best candidate has the highest mean test score; ties go to the earlier candidate.

use super::cross_validation::cross_val_score;
use super::kfold::Fold;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::estimator::Fit;
use crate::rng::Rng;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// `base` with the named fields replaced; `a__b` reaches field `b` inside field `a` (a pipeline's
/// `estimator__alpha`). An unknown name or a value of the wrong kind is an error naming the field.
pub fn with_params<P: Serialize + DeserializeOwned>(
    base: &P,
    overrides: &[(String, Json)],
) -> Result<P> {
    let mut obj = serde_json::to_value(base).map_err(|e| Error::Io(e.to_string()))?;
    for (key, value) in overrides {
        let mut slot = &mut obj;
        for part in key.split("__") {
            let map = slot.as_object_mut().ok_or_else(|| Error::UnknownParam {
                key: key.clone(),
                expected: "a parameter of the estimator".into(),
            })?;
            let known = map.keys().cloned().collect::<Vec<_>>().join(", ");
            slot = map.get_mut(part).ok_or_else(|| Error::UnknownParam {
                key: key.clone(),
                expected: known,
            })?;
        }
        *slot = value.clone();
    }
    serde_json::from_value(obj).map_err(|e| {
        let shown = overrides
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        Error::invalid("params", shown, e.to_string())
    })
}

/// One setting tried by a search, with its cross-validated scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub params: Vec<(String, Json)>,
    pub fold_scores: Vec<f64>,
    pub mean_score: f64,
    /// Population standard deviation over the folds, as scikit-learn's `std_test_score`.
    pub std_score: f64,
    /// 1 for the best mean; equal means share the lowest rank (scikit-learn's "min" ranking).
    pub rank: usize,
}

impl Candidate {
    /// A setting with its fold scores, not yet ranked.
    pub fn new(params: Vec<(String, Json)>, fold_scores: Vec<f64>) -> Self {
        let k = fold_scores.len() as f64;
        let mean_score = fold_scores.iter().sum::<f64>() / k;
        let std_score = (fold_scores
            .iter()
            .map(|s| (s - mean_score).powi(2))
            .sum::<f64>()
            / k)
            .sqrt();
        Candidate {
            params,
            fold_scores,
            mean_score,
            std_score,
            rank: 0,
        }
    }
}

/// Ranks candidates by mean score (NaN last, ties share the lowest rank, as scikit-learn) and
/// returns the index of the best, the first of rank 1.
pub fn rank(candidates: &mut [Candidate]) -> usize {
    let key = |c: &Candidate| {
        if c.mean_score.is_nan() {
            f64::NEG_INFINITY
        } else {
            c.mean_score
        }
    };
    let ranks: Vec<usize> = candidates
        .iter()
        .map(|c| 1 + candidates.iter().filter(|o| key(o) > key(c)).count())
        .collect();
    for (c, r) in candidates.iter_mut().zip(ranks) {
        c.rank = r;
    }
    candidates.iter().position(|c| c.rank == 1).unwrap_or(0)
}

#[derive(Debug, Clone)]
pub struct SearchResult<M> {
    pub candidates: Vec<Candidate>,
    pub best_index: usize,
    /// The best params refitted on all the data.
    pub best_model: M,
}

impl<M> SearchResult<M> {
    pub fn best(&self) -> &Candidate {
        &self.candidates[self.best_index]
    }
}

fn evaluate<P>(
    base: &P,
    settings: Vec<Vec<(String, Json)>>,
    data: &Dataset,
    folds: &[Fold],
    score: &impl Fn(&P::Model, &Dataset) -> Result<f64>,
) -> Result<SearchResult<P::Model>>
where
    P: Fit + Serialize + DeserializeOwned,
{
    if settings.is_empty() {
        return Err(Error::EmptyData("the search has no settings to try".into()));
    }
    let mut candidates = Vec::with_capacity(settings.len());
    for params in settings {
        let p: P = with_params(base, &params)?;
        let fold_scores = cross_val_score(&p, data, folds, score)?;
        candidates.push(Candidate::new(params, fold_scores));
    }
    let best_index = rank(&mut candidates);
    let best: P = with_params(base, &candidates[best_index].params)?;
    let best_model = best.fit(data)?;
    Ok(SearchResult {
        candidates,
        best_index,
        best_model,
    })
}

/// Every combination of the listed values (scikit-learn's `GridSearchCV` with `refit=True`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridSearchCv {
    pub grid: Vec<(String, Vec<Json>)>,
}

impl GridSearchCv {
    pub fn new(grid: Vec<(String, Vec<Json>)>) -> Self {
        GridSearchCv { grid }
    }

    /// The settings in the order they are tried.
    pub fn settings(&self) -> Result<Vec<Vec<(String, Json)>>> {
        let mut keys = self.grid.clone();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some((k, _)) = keys.iter().find(|(_, v)| v.is_empty()) {
            return Err(Error::invalid(k, "[]", "at least one value to try"));
        }
        if let Some(w) = keys.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(Error::invalid(&w[0].0, "listed twice", "each key once"));
        }
        let mut out: Vec<Vec<(String, Json)>> = vec![Vec::new()];
        for (key, values) in &keys {
            out = out
                .into_iter()
                .flat_map(|prefix| {
                    values.iter().map(move |v| {
                        let mut s = prefix.clone();
                        s.push((key.clone(), v.clone()));
                        s
                    })
                })
                .collect();
        }
        Ok(out)
    }

    pub fn fit<P>(
        &self,
        base: &P,
        data: &Dataset,
        folds: &[Fold],
        score: impl Fn(&P::Model, &Dataset) -> Result<f64>,
    ) -> Result<SearchResult<P::Model>>
    where
        P: Fit + Serialize + DeserializeOwned,
    {
        evaluate(base, self.settings()?, data, folds, &score)
    }
}

/// Where a randomized search draws one parameter from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// One of these values, equally likely.
    Choice(Vec<Json>),
    /// Uniform on [low, high).
    Uniform { low: f64, high: f64 },
    /// log-uniform on [low, high), both > 0 (scipy's `loguniform`).
    LogUniform { low: f64, high: f64 },
    /// A whole number uniform on low..high (high excluded, as scipy's `randint`).
    IntUniform { low: i64, high: i64 },
}

impl Distribution {
    fn check(&self, key: &str) -> Result<()> {
        let ok = match self {
            Distribution::Choice(v) => !v.is_empty(),
            Distribution::Uniform { low, high } => {
                low.is_finite() && high.is_finite() && low < high
            }
            Distribution::LogUniform { low, high } => *low > 0.0 && high.is_finite() && low < high,
            Distribution::IntUniform { low, high } => low < high,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::invalid(
                key,
                format!("{self:?}"),
                "a non-empty list, or a range with low < high (low > 0 for log-uniform)",
            ))
        }
    }

    fn draw(&self, rng: &mut Rng) -> Json {
        match self {
            Distribution::Choice(v) => v[rng.below(v.len())].clone(),
            Distribution::Uniform { low, high } => Json::from(rng.uniform_range(*low, *high)),
            Distribution::LogUniform { low, high } => {
                Json::from(rng.uniform_range(low.ln(), high.ln()).exp())
            }
            Distribution::IntUniform { low, high } => {
                Json::from(low + rng.below((high - low) as usize) as i64)
            }
        }
    }
}

/// `n_iter` settings drawn with `random_state` (scikit-learn's `RandomizedSearchCV`). When every
/// parameter is a list, settings are drawn from the grid without repeats (all of it if smaller).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomizedSearchCv {
    pub distributions: Vec<(String, Distribution)>,
    pub n_iter: usize,
    pub random_state: u64,
}

impl RandomizedSearchCv {
    pub fn new(distributions: Vec<(String, Distribution)>, n_iter: usize, seed: u64) -> Self {
        RandomizedSearchCv {
            distributions,
            n_iter,
            random_state: seed,
        }
    }

    pub fn settings(&self) -> Result<Vec<Vec<(String, Json)>>> {
        if self.n_iter == 0 {
            return Err(Error::invalid("n_iter", 0, "at least 1"));
        }
        let mut dists = self.distributions.clone();
        dists.sort_by(|a, b| a.0.cmp(&b.0));
        for (k, d) in &dists {
            d.check(k)?;
        }
        let mut rng = Rng::new(self.random_state);
        let lists: Option<Vec<(String, Vec<Json>)>> = dists
            .iter()
            .map(|(k, d)| match d {
                Distribution::Choice(v) => Some((k.clone(), v.clone())),
                _ => None,
            })
            .collect();
        if let Some(grid) = lists {
            let mut all = GridSearchCv::new(grid).settings()?;
            rng.shuffle(&mut all);
            all.truncate(self.n_iter);
            return Ok(all);
        }
        Ok((0..self.n_iter)
            .map(|_| {
                dists
                    .iter()
                    .map(|(k, d)| (k.clone(), d.draw(&mut rng)))
                    .collect()
            })
            .collect())
    }

    pub fn fit<P>(
        &self,
        base: &P,
        data: &Dataset,
        folds: &[Fold],
        score: impl Fn(&P::Model, &Dataset) -> Result<f64>,
    ) -> Result<SearchResult<P::Model>>
    where
        P: Fit + Serialize + DeserializeOwned,
    {
        evaluate(base, self.settings()?, data, folds, &score)
    }
}
