//! Preprocessing by name from CSV text (`mlplay fit` and `mlplay transform`): the single
//! transformers (`standard-scaler`, `min-max-scaler`, `simple-imputer`, `one-hot-encoder`,
//! `ordinal-encoder`, `polynomial-features`), a `column-transformer` built from a recipe, and a
//! `pipeline` of that recipe and any supervised estimator.
//!
//! The CSV may hold text columns and missing cells (see `data::frame`). A single transformer
//! works on every column but `--target`; the recipe sends numeric columns through an imputer, a
//! scaler and optionally polynomial features, and text columns through an optional imputer and an
//! encoder, as scikit-learn's usual `ColumnTransformer` set-up does.

use crate::data::frame::{read_frame, ColumnKind, Frame};
use crate::data::{csv, Dataset};
use crate::error::{Error, Result};
use crate::fit::{fit, params_from_sets};
use crate::fit_cv::{inner_estimator, is_classifier, own_sets};
use crate::preprocessing::{
    ColumnGroup, ColumnTransformer, ColumnTransformerParams, DropCategory, HandleUnknown,
    ImputeStrategy, MinMaxScalerParams, OneHotEncoderParams, OrdinalEncoderParams,
    PolynomialFeatures, Remainder, SimpleImputerParams, StandardScalerParams, Step,
    TransformerChain,
};
use ndarray::{concatenate, Array2, Axis};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use web_time::Instant;

/// Preprocessors reachable from `mlplay fit` (no target needed) and `mlplay transform`.
pub const PREPROCESSORS: &[&str] = &[
    "standard-scaler",
    "min-max-scaler",
    "simple-imputer",
    "one-hot-encoder",
    "ordinal-encoder",
    "polynomial-features",
    "column-transformer",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScalerKind {
    Standard,
    MinMax,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncoderKind {
    OneHot,
    Ordinal,
}

/// How `column-transformer` and `pipeline` prepare each kind of column. The defaults are the
/// common recipe: median-impute and standardise numbers; one-hot encode text, with a missing
/// cell as its own category and categories unseen in training ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ColumnRecipe {
    pub numeric_imputer: Option<ImputeStrategy>,
    pub scaler: Option<ScalerKind>,
    /// Polynomial features of the numeric columns after scaling (1: none).
    pub degree: usize,
    pub categorical_imputer: Option<ImputeStrategy>,
    pub encoder: EncoderKind,
    pub handle_unknown: HandleUnknown,
    pub drop: Option<DropCategory>,
}

impl Default for ColumnRecipe {
    fn default() -> Self {
        ColumnRecipe {
            numeric_imputer: Some(ImputeStrategy::Median),
            scaler: Some(ScalerKind::Standard),
            degree: 1,
            categorical_imputer: None,
            encoder: EncoderKind::OneHot,
            handle_unknown: HandleUnknown::Ignore,
            drop: None,
        }
    }
}

impl ColumnRecipe {
    fn imputer(strategy: Option<ImputeStrategy>) -> Option<Step> {
        strategy.map(|strategy| {
            Step::SimpleImputer(SimpleImputerParams {
                strategy,
                ..SimpleImputerParams::default()
            })
        })
    }

    /// The column transformer for `features` of `frame`: one group per kind present.
    pub fn columns(&self, frame: &Frame, features: &[String]) -> Result<ColumnTransformerParams> {
        if self.degree == 0 {
            return Err(Error::invalid(
                "degree",
                0,
                "at least 1 (1: no polynomial features)",
            ));
        }
        let mut numeric = Vec::new();
        let mut text = Vec::new();
        for f in features {
            let j = frame.column_index(f)?;
            match &frame.kinds[j] {
                ColumnKind::Numeric => {
                    if self.numeric_imputer.is_none() {
                        if let Some(r) = frame.values.column(j).iter().position(|v| v.is_nan()) {
                            return Err(Error::Csv {
                                line: r as u64 + 2,
                                column: Some(f.clone()),
                                message: "a missing number, and numeric_imputer is none: set \
                                          numeric_imputer (mean, median, most_frequent, constant)"
                                    .into(),
                            });
                        }
                    }
                    numeric.push(f.clone())
                }
                ColumnKind::Categorical(_) => text.push(f.clone()),
            }
        }
        let mut num_steps: Vec<Step> = Self::imputer(self.numeric_imputer).into_iter().collect();
        num_steps.extend(self.scaler.map(|s| match s {
            ScalerKind::Standard => Step::StandardScaler(StandardScalerParams::default()),
            ScalerKind::MinMax => Step::MinMaxScaler(MinMaxScalerParams::default()),
        }));
        if self.degree > 1 {
            num_steps.push(Step::PolynomialFeatures(PolynomialFeatures::new(
                self.degree,
                false,
            )));
        }
        let mut cat_steps: Vec<Step> = Self::imputer(self.categorical_imputer)
            .into_iter()
            .collect();
        cat_steps.push(match self.encoder {
            EncoderKind::OneHot => Step::OneHotEncoder(OneHotEncoderParams {
                handle_unknown: self.handle_unknown,
                drop: self.drop,
            }),
            EncoderKind::Ordinal => Step::OrdinalEncoder(OrdinalEncoderParams::default()),
        });
        let mut groups = Vec::new();
        for (name, columns, steps) in [("num", numeric, num_steps), ("cat", text, cat_steps)] {
            if !columns.is_empty() {
                groups.push(ColumnGroup {
                    name: name.into(),
                    columns,
                    // No steps at all passes the columns through.
                    chain: TransformerChain::new(steps),
                });
            }
        }
        Ok(ColumnTransformerParams {
            groups,
            remainder: Remainder::Drop,
            category_names: frame.category_names(),
        })
    }
}

/// The column transformer `name` stands for, over every feature, and its params for printing.
fn transformer_for(
    name: &str,
    frame: &Frame,
    features: &[String],
    sets: &[(String, String)],
) -> Result<(ColumnTransformerParams, Json)> {
    if name == "column-transformer" {
        let recipe: ColumnRecipe = params_from_sets(sets)?;
        let params = recipe.columns(frame, features)?;
        return Ok((params, json!(recipe)));
    }
    let (step, shown) = match name {
        "standard-scaler" => one(sets, Step::StandardScaler)?,
        "min-max-scaler" => one(sets, Step::MinMaxScaler)?,
        "simple-imputer" => one(sets, Step::SimpleImputer)?,
        "one-hot-encoder" => one(sets, Step::OneHotEncoder)?,
        "ordinal-encoder" => one(sets, Step::OrdinalEncoder)?,
        "polynomial-features" => one(sets, Step::PolynomialFeatures)?,
        _ => {
            return Err(Error::UnknownEstimator {
                name: name.to_string(),
                expected: PREPROCESSORS.join(", "),
            })
        }
    };
    let encodes = matches!(step, Step::OneHotEncoder(_) | Step::OrdinalEncoder(_));
    if !encodes {
        if let Some(text) = features.iter().find(|f| frame.categorical().contains(f)) {
            return Err(Error::Csv {
                line: 1,
                column: Some(text.clone()),
                message: format!(
                    "this column holds text; {name} needs numbers: encode it first \
                     (one-hot-encoder, ordinal-encoder) or use column-transformer"
                ),
            });
        }
    }
    let params = ColumnTransformerParams {
        groups: vec![ColumnGroup {
            name: name.into(),
            columns: features.to_vec(),
            chain: TransformerChain::new(vec![step]),
        }],
        remainder: Remainder::Drop,
        category_names: frame.category_names(),
    };
    Ok((params, shown))
}

fn one<P>(sets: &[(String, String)], wrap: fn(P) -> Step) -> Result<(Step, Json)>
where
    P: Default + Serialize + serde::de::DeserializeOwned,
{
    let p: P = params_from_sets(sets)?;
    let shown = serde_json::to_value(&p).map_err(|e| Error::Io(e.to_string()))?;
    Ok((wrap(p), shown))
}

/// The frame of `data` and its feature names: every column but `target`.
fn features_of(data: &str, target: Option<&str>) -> Result<(Frame, Vec<String>)> {
    let frame = read_frame(data)?;
    if let Some(t) = target {
        frame.column_index(t)?;
    }
    let features: Vec<String> = frame
        .names
        .iter()
        .filter(|n| Some(n.as_str()) != target)
        .cloned()
        .collect();
    if features.is_empty() {
        return Err(Error::Csv {
            line: 1,
            column: None,
            message: "need at least one feature column beside the target".into(),
        });
    }
    Ok((frame, features))
}

fn columns_of(frame: &Frame, features: &[String]) -> Result<Array2<f64>> {
    let idx = features
        .iter()
        .map(|f| frame.column_index(f))
        .collect::<Result<Vec<_>>>()?;
    Ok(frame.values.select(Axis(1), &idx))
}

/// ndarray's serde form (`{"v": 1, "dim": [n], "data": [...]}`) as plain (nested) arrays.
fn plain(v: Json) -> Json {
    match v {
        Json::Object(map) if map.contains_key("dim") && map.contains_key("data") => {
            let dim: Vec<usize> = serde_json::from_value(map["dim"].clone()).unwrap_or_default();
            let data = map["data"].as_array().cloned().unwrap_or_default();
            match dim.as_slice() {
                [_, cols] if *cols > 0 => {
                    data.chunks(*cols).map(|r| Json::from(r.to_vec())).collect()
                }
                _ => Json::from(data),
            }
        }
        Json::Object(map) => Json::Object(map.into_iter().map(|(k, v)| (k, plain(v))).collect()),
        Json::Array(items) => Json::from(items.into_iter().map(plain).collect::<Vec<_>>()),
        other => other,
    }
}

/// Fits preprocessor `name`; the JSON has its params, output column names and what it learned.
pub fn fit_preprocessor(
    name: &str,
    data: &str,
    target: Option<&str>,
    sets: &[(String, String)],
) -> Result<Json> {
    let (frame, features) = features_of(data, target)?;
    let (params, shown) = transformer_for(name, &frame, &features, sets)?;
    let x = columns_of(&frame, &features)?;
    let start = Instant::now();
    let ct = params.fit(x.view(), &features)?;
    let fit_ms = start.elapsed().as_secs_f64() * 1000.0;
    let mut out = json!({
        "estimator": name,
        "params": shown,
        "fit_ms": fit_ms,
        "n_samples": x.nrows(),
        "features": features,
        "feature_names_out": ct.feature_names_out,
    });
    if name == "column-transformer" {
        out["groups"] = ct
            .groups
            .iter()
            .map(|(cols, _)| json!(cols.iter().map(|&c| &features[c]).collect::<Vec<_>>()))
            .collect();
    } else if let Some(step) = ct.groups.first().and_then(|(_, chain)| chain.steps.first()) {
        // The one step's learned attributes (mean and scale, categories...) beside the summary.
        if let Ok(Json::Object(tagged)) = serde_json::to_value(step) {
            for (_, fields) in tagged {
                if let Json::Object(fields) = fields {
                    for (k, v) in fields {
                        out[k] = plain(v);
                    }
                }
            }
        }
        if let Some(Json::Array(cats)) = out.get("categories").cloned() {
            // Category codes of text columns as their texts; a missing value as null.
            let texts: Vec<Json> = cats
                .iter()
                .enumerate()
                .map(|(j, col)| {
                    let col_idx = frame.column_index(&features[j]).unwrap_or(0);
                    col.as_array()
                        .map(|vs| {
                            vs.iter()
                                .map(|v| match v.as_f64() {
                                    Some(code) => json!(frame.label(col_idx, code)),
                                    None => Json::Null,
                                })
                                .collect::<Vec<_>>()
                        })
                        .map(Json::from)
                        .unwrap_or(Json::Null)
                })
                .collect();
            out["categories"] = Json::from(texts);
        }
    }
    Ok(out)
}

/// Fits preprocessor `name` and returns the transformed rows as CSV under the output column
/// names, followed by the `target` column when one is named (ready for `mlplay fit`).
pub fn transform_preprocessor(
    name: &str,
    data: &str,
    target: Option<&str>,
    sets: &[(String, String)],
) -> Result<String> {
    let (frame, features) = features_of(data, target)?;
    let (params, _) = transformer_for(name, &frame, &features, sets)?;
    let x = columns_of(&frame, &features)?;
    let ct = params.fit(x.view(), &features)?;
    let xt = ct.transform(x.view())?;
    with_target(&ct, xt, target.map(|t| (t, &frame)))
}

/// `xt` as CSV under `ct`'s output names, with the target column of `frame` appended.
fn with_target(
    ct: &ColumnTransformer,
    xt: Array2<f64>,
    target: Option<(&str, &Frame)>,
) -> Result<String> {
    let mut names = ct.feature_names_out.clone();
    let all = match target {
        Some((t, frame)) => {
            if names.iter().any(|n| n == t) {
                return Err(Error::Csv {
                    line: 1,
                    column: Some(t.to_string()),
                    message: "an output column of the preprocessing has the target's name".into(),
                });
            }
            names.push(t.to_string());
            let y = frame.values.column(frame.column_index(t)?).to_owned();
            concatenate(Axis(1), &[xt.view(), y.insert_axis(Axis(1)).view()])
                .map_err(|e| Error::Shape(e.to_string()))?
        }
        None => xt,
    };
    csv::write_matrix(&names, all.view())
}

/// `pipeline`: the column recipe (own `--set`s) then `--set estimator=NAME` (`estimator.KEY=V`
/// for its settings), fitted on the training rows; `predict` rows go through the same fitted
/// preprocessing. Each cross-validation fold refits both.
pub fn fit_pipeline(
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    let start = Instant::now();
    let (inner, inner_sets) = inner_estimator(sets)?;
    let recipe: ColumnRecipe = params_from_sets(&own_sets(sets))?;
    let (frame, features) = features_of(data, Some(target))?;
    let data_set = labelled(&frame, target, is_classifier(&inner, &inner_sets))?;
    let ct = recipe
        .columns(&frame, &features)?
        .fit(data_set.x.view(), &features)?;
    let xt = ct.transform(data_set.x.view())?;
    if let Some(j) = (0..xt.ncols()).find(|&j| xt.column(j).iter().any(|v| v.is_nan())) {
        return Err(Error::Csv {
            line: 1,
            column: Some(ct.feature_names_out[j].clone()),
            message: "still has missing values after preprocessing: set numeric_imputer or \
                      categorical_imputer (e.g. most_frequent)"
                .into(),
        });
    }
    let train_csv = with_target(&ct, xt, Some((target, &frame)))?;
    let predict_csv = predict
        .map(|p| {
            let rows = ct.transform(frame.rows_like(p, &features)?.view())?;
            csv::write_matrix(&ct.feature_names_out, rows.view())
        })
        .transpose()?;
    let model = fit(
        &inner,
        &train_csv,
        target,
        &inner_sets,
        predict_csv.as_deref(),
    )?;
    let mut out = json!({
        "estimator": "pipeline",
        "params": { "preprocess": recipe, "estimator": inner },
        "fit_ms": start.elapsed().as_secs_f64() * 1000.0,
        "train_score": model["train_score"],
        "n_samples": data_set.n_samples(),
        "features": features,
        "feature_names_out": ct.feature_names_out,
    });
    if let Some(p) = model.get("predictions") {
        out["predictions"] = p.clone();
    }
    out["model"] = model;
    Ok(out)
}

/// The features and target of `frame`; a text target is allowed for classifiers (as its codes).
fn labelled(frame: &Frame, target: &str, classifier: bool) -> Result<Dataset> {
    if classifier {
        frame.labelled_dataset(target)
    } else {
        frame.regression_dataset(target)
    }
}
