//! Model selection by name from CSV text: `grid-search-cv` and `randomized-search-cv` around any
//! supervised estimator `mlplay fit` knows, and the splitters `k-fold`, `stratified-k-fold` and
//! `train-test-split`, which print the row indices they choose (0-based data rows).
//!
//! A search takes `--set estimator=NAME`, fixed settings `estimator.KEY=V`, the candidates as
//! `grid.KEY=V1,V2,...` (grid search) or `dist.KEY=...` (randomized: a list, `uniform(a,b)`,
//! `loguniform(a,b)` or `randint(a,b)`), and `cv`, `scoring`, `n_iter`, `random_state`. Each
//! candidate is scored on the same folds through the normal `fit` path (see `fit_cv`), ranked as
//! scikit-learn ranks, and the best refitted on all the rows.

use crate::error::{Error, Result};
use crate::fit::{fit, params_from_sets};
use crate::fit_cv::{
    default_folds, default_scoring, fold_scores, inner_estimator, is_classifier, own_sets,
    target_column,
};
use crate::model_selection::{
    rank, stratified_train_test_split, train_test_split, Candidate, Distribution, GridSearchCv,
    KFold, RandomizedSearchCv, Scoring, StratifiedKFold,
};
use crate::rng::Rng;
use serde_json::{json, Map, Value as Json};
use web_time::Instant;

/// A setting's text as JSON: whole numbers, numbers, booleans, else text.
pub(crate) fn text_json(text: &str) -> Json {
    if let Ok(v) = text.parse::<i64>() {
        json!(v)
    } else if let Some(v) = text.parse::<f64>().ok().filter(|v| v.is_finite()) {
        json!(v)
    } else if let Ok(b) = text.parse::<bool>() {
        json!(b)
    } else {
        Json::String(text.to_string())
    }
}

/// The `--set` text for a JSON value (the reverse of [`text_json`]).
fn json_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn list(text: &str) -> Vec<Json> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(text_json)
        .collect()
}

/// `uniform(a,b)`, `loguniform(a,b)`, `randint(a,b)` or a comma-separated list.
fn distribution(key: &str, text: &str) -> Result<Distribution> {
    let bad = || {
        Error::invalid(
            key,
            text,
            "a list a,b,c or uniform(low,high), loguniform(low,high), randint(low,high)",
        )
    };
    let Some((func, rest)) = text.split_once('(') else {
        return Ok(Distribution::Choice(list(text)));
    };
    let args = rest.strip_suffix(')').ok_or_else(bad)?;
    let (a, b) = args.split_once(',').ok_or_else(bad)?;
    let num = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    let (lo, hi) = (num(a).ok_or_else(bad)?, num(b).ok_or_else(bad)?);
    Ok(match func.trim() {
        "uniform" => Distribution::Uniform { low: lo, high: hi },
        "loguniform" => Distribution::LogUniform { low: lo, high: hi },
        "randint" if lo.fract() == 0.0 && hi.fract() == 0.0 => Distribution::IntUniform {
            low: lo as i64,
            high: hi as i64,
        },
        _ => return Err(bad()),
    })
}

/// What a search was asked: its candidates' settings and its own parameters.
struct SearchSpec {
    settings: Vec<Vec<(String, Json)>>,
    cv: usize,
    scoring: Option<Scoring>,
    shown: Map<String, Json>,
}

fn search_spec(name: &str, sets: &[(String, String)]) -> Result<SearchSpec> {
    let randomized = name == "randomized-search-cv";
    let prefix = if randomized { "dist." } else { "grid." };
    let mut shown = Map::new();
    let (mut cv, mut scoring, mut n_iter, mut seed) = (5usize, None, 10usize, 0u64);
    let mut grid = Vec::new();
    let mut dists = Vec::new();
    for (k, v) in own_sets(sets) {
        if let Some(key) = k.strip_prefix(prefix) {
            if randomized {
                dists.push((key.to_string(), distribution(&k, &v)?));
            } else {
                let values = list(&v);
                if values.is_empty() {
                    return Err(Error::invalid(&k, &v, "one or more values: a,b,c"));
                }
                grid.push((key.to_string(), values));
            }
            continue;
        }
        let count = |allowed: &str| {
            v.parse::<u64>()
                .map_err(|_| Error::invalid(&k, &v, allowed))
        };
        match k.as_str() {
            "cv" => cv = count("a whole number of folds >= 2")? as usize,
            "scoring" => scoring = Some(Scoring::from_name(&v)?),
            "n_iter" if randomized => n_iter = count("a whole number >= 1")? as usize,
            "random_state" if randomized => seed = count("a whole number >= 0")?,
            _ => {
                let own = if randomized {
                    "cv, scoring, n_iter, random_state, dist.KEY"
                } else {
                    "cv, scoring, grid.KEY"
                };
                return Err(Error::UnknownParam {
                    key: k.clone(),
                    expected: format!("{own}, estimator, estimator.KEY"),
                });
            }
        }
    }
    let settings = if randomized {
        if dists.is_empty() {
            return Err(Error::Io(
                "randomized-search-cv needs at least one --set dist.KEY=... to draw".into(),
            ));
        }
        shown.insert("n_iter".into(), json!(n_iter));
        shown.insert("random_state".into(), json!(seed));
        shown.insert("distributions".into(), json!(dists));
        RandomizedSearchCv::new(dists, n_iter, seed).settings()?
    } else {
        if grid.is_empty() {
            return Err(Error::Io(
                "grid-search-cv needs at least one --set grid.KEY=V1,V2,... to try".into(),
            ));
        }
        shown.insert("param_grid".into(), json!(grid));
        GridSearchCv::new(grid).settings()?
    };
    shown.insert("cv".into(), json!(cv));
    Ok(SearchSpec {
        settings,
        cv,
        scoring,
        shown,
    })
}

/// Runs a grid or randomized search (see the module docs) and refits the best candidate; with
/// `predict` the refitted model predicts those rows.
pub fn search(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    let start = Instant::now();
    let (inner, inner_sets) = inner_estimator(sets)?;
    let spec = search_spec(name, sets)?;
    let classifier = is_classifier(&inner, &inner_sets);
    let scoring = spec.scoring.unwrap_or(default_scoring(classifier));
    let y = target_column(data, target)?;
    let (folds, splitter) = default_folds(classifier, &y, spec.cv)?;
    let with = |params: &[(String, Json)]| {
        let mut s = inner_sets.clone();
        s.extend(params.iter().map(|(k, v)| (k.clone(), json_text(v))));
        s
    };
    let mut candidates = Vec::with_capacity(spec.settings.len());
    for params in spec.settings {
        let scores = fold_scores(&inner, data, (target, &y), &with(&params), &folds, scoring)?;
        candidates.push(Candidate::new(params, scores));
    }
    let best = rank(&mut candidates);
    let refit = fit(
        &inner,
        data,
        target,
        &with(&candidates[best].params),
        predict,
    )?;
    let params_obj = |c: &Candidate| -> Json { Json::Object(c.params.iter().cloned().collect()) };
    let mut params = spec.shown;
    params.insert("estimator".into(), json!(inner));
    params.insert("scoring".into(), json!(scoring));
    params.insert("splitter".into(), json!(splitter));
    let mut out = json!({
        "estimator": name,
        "params": params,
        "candidates": candidates.iter().map(|c| json!({
            "params": params_obj(c),
            "fold_scores": c.fold_scores,
            "mean_test_score": c.mean_score,
            "std_test_score": c.std_score,
            "rank_test_score": c.rank,
        })).collect::<Vec<_>>(),
        "best_index": best,
        "best_params": params_obj(&candidates[best]),
        "best_score": candidates[best].mean_score,
        "fit_ms": start.elapsed().as_secs_f64() * 1000.0,
    });
    if let Some(p) = refit.get("predictions") {
        out["predictions"] = p.clone();
    }
    out["best_estimator"] = refit;
    Ok(out)
}

/// Splitters by name; they print row indices rather than fit anything.
pub const SPLITTERS: &[&str] = &["k-fold", "stratified-k-fold", "train-test-split"];

/// Train/test settings of `train-test-split` (scikit-learn's names and defaults).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainTestSplitParams {
    pub test_size: f64,
    pub random_state: u64,
    /// Keep each class's share of `--target` on both sides.
    pub stratify: bool,
}

impl Default for TrainTestSplitParams {
    fn default() -> Self {
        TrainTestSplitParams {
            test_size: 0.25,
            random_state: 0,
            stratify: false,
        }
    }
}

/// Splits the rows of `data` as splitter `name` does and returns the indices.
pub fn split(
    name: &str,
    data: &str,
    target: Option<&str>,
    sets: &[(String, String)],
) -> Result<Json> {
    let frame = crate::data::frame::read_frame(data)?;
    let n = frame.values.nrows();
    let need_target = |why: &str| {
        target
            .map(|t| target_column(data, t))
            .ok_or_else(|| Error::Io(format!("{name} {why}: add --target COLUMN")))?
    };
    let folds_json = |folds: Vec<crate::model_selection::Fold>| -> Json {
        folds
            .into_iter()
            .map(|f| json!({ "train": f.train, "test": f.test }))
            .collect()
    };
    let (params, parts) = match name {
        "k-fold" => {
            let p: KFold = params_from_sets(sets)?;
            let folds = p.split(n)?;
            (json!(p), json!({ "folds": folds_json(folds) }))
        }
        "stratified-k-fold" => {
            let p: StratifiedKFold = params_from_sets(sets)?;
            let y = need_target("keeps class shares")?;
            (json!(p), json!({ "folds": folds_json(p.split(y.view())?) }))
        }
        "train-test-split" => {
            let p: TrainTestSplitParams = params_from_sets(sets)?;
            let mut rng = Rng::new(p.random_state);
            let (train, test) = if p.stratify {
                let y = need_target("with stratify=true keeps class shares")?;
                stratified_train_test_split(y.view(), p.test_size, &mut rng)?
            } else {
                train_test_split(n, p.test_size, &mut rng)?
            };
            (json!(p), json!({ "train": train, "test": test }))
        }
        _ => {
            return Err(Error::UnknownEstimator {
                name: name.to_string(),
                expected: SPLITTERS.join(", "),
            })
        }
    };
    let mut out = json!({ "estimator": name, "params": params, "n_samples": n });
    if let (Some(o), Json::Object(p)) = (out.as_object_mut(), parts) {
        o.extend(p);
    }
    Ok(out)
}
