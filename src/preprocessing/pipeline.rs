//! Chaining preprocessing with an estimator, as scikit-learn's `Pipeline` and `ColumnTransformer`:
//! - [`Step`]: one transformer's params; [`TransformerChain`] runs steps in order on some columns;
//! - [`ColumnTransformerParams`]: named groups of columns, each through its own chain, outputs
//!   side by side in group order, then the remaining columns (passed through or dropped);
//! - [`PipelineParams`]: a column transformer, then an estimator. It is itself a [`Fit`], so
//!   cross-validation and grid search refit the preprocessing inside every fold, never letting
//!   test rows leak into the learned means, medians or categories. Nested params are searched as
//!   `estimator__alpha`, as scikit-learn spells them.
//!
//! Inputs may hold NaN as "missing" (imputers fill them); text columns arrive as category codes.

use super::encoders::{category_label, OneHotEncoder, OneHotEncoderParams};
use super::encoders::{OrdinalEncoder, OrdinalEncoderParams};
use super::min_max_scaler::check_missing_ok;
use super::{MinMaxScaler, MinMaxScalerParams, PolynomialFeatures, SimpleImputer};
use super::{SimpleImputerParams, StandardScaler, StandardScalerParams};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit, Regressor};
use ndarray::{concatenate, Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    SimpleImputer(SimpleImputerParams),
    StandardScaler(StandardScalerParams),
    MinMaxScaler(MinMaxScalerParams),
    OneHotEncoder(OneHotEncoderParams),
    OrdinalEncoder(OrdinalEncoderParams),
    PolynomialFeatures(PolynomialFeatures),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FittedStep {
    SimpleImputer(SimpleImputer),
    StandardScaler(StandardScaler),
    MinMaxScaler(MinMaxScaler),
    OneHotEncoder(OneHotEncoder),
    OrdinalEncoder(OrdinalEncoder),
    PolynomialFeatures(PolynomialFeatures),
}

impl Step {
    fn fit(&self, x: ArrayView2<f64>) -> Result<FittedStep> {
        Ok(match self {
            Step::SimpleImputer(p) => FittedStep::SimpleImputer(p.fit(x)?),
            Step::StandardScaler(p) => FittedStep::StandardScaler(p.fit(x)?),
            Step::MinMaxScaler(p) => FittedStep::MinMaxScaler(p.fit(x)?),
            Step::OneHotEncoder(p) => FittedStep::OneHotEncoder(p.fit(x)?),
            Step::OrdinalEncoder(p) => FittedStep::OrdinalEncoder(p.fit(x)?),
            Step::PolynomialFeatures(p) => {
                check_missing_ok(x, None)?;
                FittedStep::PolynomialFeatures(p.clone())
            }
        })
    }
}

/// Names a text column's category code in output column names: `(input column, code)`.
pub type CategoryLabel<'a> = &'a dyn Fn(usize, f64) -> String;

impl FittedStep {
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        match self {
            FittedStep::SimpleImputer(m) => m.transform(x),
            FittedStep::StandardScaler(m) => m.transform(x),
            FittedStep::MinMaxScaler(m) => m.transform(x),
            FittedStep::OneHotEncoder(m) => m.transform(x),
            FittedStep::OrdinalEncoder(m) => m.transform(x),
            FittedStep::PolynomialFeatures(m) => m.transform(x),
        }
    }

    /// Output names from input names. Category labels only apply before any column is renamed,
    /// so later steps see `None`.
    fn names_out(&self, names: &[String], label: Option<CategoryLabel>) -> Vec<String> {
        match self {
            FittedStep::SimpleImputer(m) => m.feature_names_out(names),
            FittedStep::OneHotEncoder(m) => {
                let fallback = |_: usize, v: f64| category_label(v);
                m.feature_names_out(names, label.unwrap_or(&fallback))
            }
            FittedStep::PolynomialFeatures(m) => m
                .powers(names.len())
                .iter()
                .map(|p| {
                    if p.is_empty() {
                        return "1".to_string();
                    }
                    let mut parts: Vec<String> = Vec::new();
                    let mut i = 0;
                    while i < p.len() {
                        let run = p[i..].iter().take_while(|&&c| c == p[i]).count();
                        let name = &names[p[i]];
                        parts.push(if run == 1 {
                            name.clone()
                        } else {
                            format!("{name}^{run}")
                        });
                        i += run;
                    }
                    parts.join(" ")
                })
                .collect(),
            _ => names.to_vec(),
        }
    }
}

/// Steps applied one after another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TransformerChain {
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedChain {
    pub steps: Vec<FittedStep>,
}

impl TransformerChain {
    pub fn new(steps: Vec<Step>) -> Self {
        TransformerChain { steps }
    }

    pub fn fit(&self, x: ArrayView2<f64>) -> Result<FittedChain> {
        let mut current = x.to_owned();
        let mut steps = Vec::with_capacity(self.steps.len());
        for s in &self.steps {
            let fitted = s.fit(current.view())?;
            current = fitted.transform(current.view())?;
            steps.push(fitted);
        }
        Ok(FittedChain { steps })
    }
}

impl FittedChain {
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let mut current = x.to_owned();
        for s in &self.steps {
            current = s.transform(current.view())?;
        }
        Ok(current)
    }

    pub fn names_out(&self, names: &[String], label: Option<CategoryLabel>) -> Vec<String> {
        let mut current = names.to_vec();
        let mut label = label;
        for s in &self.steps {
            let renamed = !matches!(
                s,
                FittedStep::SimpleImputer(_)
                    | FittedStep::StandardScaler(_)
                    | FittedStep::MinMaxScaler(_)
            );
            current = s.names_out(&current, label);
            if renamed {
                label = None;
            }
        }
        current
    }
}

/// A named set of input columns (by feature name) and the chain they go through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnGroup {
    pub name: String,
    pub columns: Vec<String>,
    pub chain: TransformerChain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Remainder {
    Drop,
    Passthrough,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnTransformerParams {
    pub groups: Vec<ColumnGroup>,
    pub remainder: Remainder,
    /// The texts behind text columns' codes (`data::frame::Frame::category_names`), so one-hot
    /// columns are called `town_riverside` rather than `town_3`.
    #[serde(default)]
    pub category_names: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnTransformer {
    /// Per group: its input column indices and fitted chain.
    pub groups: Vec<(Vec<usize>, FittedChain)>,
    pub remainder: Vec<usize>,
    pub n_features_in: usize,
    pub feature_names_out: Vec<String>,
}

impl ColumnTransformerParams {
    /// Fits every group on its columns of `x`, whose columns are called `names`.
    pub fn fit(&self, x: ArrayView2<f64>, names: &[String]) -> Result<ColumnTransformer> {
        if names.len() != x.ncols() {
            return Err(Error::Shape(format!(
                "{} column names for {} columns",
                names.len(),
                x.ncols()
            )));
        }
        let mut used = vec![false; x.ncols()];
        let mut groups = Vec::with_capacity(self.groups.len());
        let mut out_names = Vec::new();
        for g in &self.groups {
            let cols = g
                .columns
                .iter()
                .map(|c| {
                    names
                        .iter()
                        .position(|n| n == c)
                        .ok_or_else(|| Error::UnknownParam {
                            key: format!("{} (in group {})", c, g.name),
                            expected: names.join(", "),
                        })
                })
                .collect::<Result<Vec<usize>>>()?;
            if cols.is_empty() {
                return Err(Error::invalid(&g.name, "no columns", "at least one column"));
            }
            cols.iter().for_each(|&c| used[c] = true);
            let part = x.select(Axis(1), &cols);
            let chain = g.chain.fit(part.view())?;
            let group_names: Vec<String> = cols.iter().map(|&c| names[c].clone()).collect();
            let group_label = |j: usize, v: f64| {
                let texts = self.category_names.get(&names[cols[j]]);
                match texts.and_then(|t| t.get(v as usize).filter(|_| v >= 0.0)) {
                    Some(text) => text.clone(),
                    None => category_label(v),
                }
            };
            out_names.extend(chain.names_out(&group_names, Some(&group_label)));
            groups.push((cols, chain));
        }
        let remainder: Vec<usize> = match self.remainder {
            Remainder::Drop => Vec::new(),
            Remainder::Passthrough => (0..x.ncols()).filter(|&c| !used[c]).collect(),
        };
        out_names.extend(remainder.iter().map(|&c| names[c].clone()));
        if out_names.is_empty() {
            return Err(Error::EmptyData(
                "the column transformer outputs no columns".into(),
            ));
        }
        Ok(ColumnTransformer {
            groups,
            remainder,
            n_features_in: x.ncols(),
            feature_names_out: out_names,
        })
    }
}

impl ColumnTransformer {
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.n_features_in {
            return Err(Error::Shape(format!(
                "expected {} columns, got {}",
                self.n_features_in,
                x.ncols()
            )));
        }
        let mut parts = Vec::with_capacity(self.groups.len() + 1);
        for (cols, chain) in &self.groups {
            parts.push(chain.transform(x.select(Axis(1), cols).view())?);
        }
        if !self.remainder.is_empty() {
            parts.push(x.select(Axis(1), &self.remainder));
        }
        let views: Vec<ArrayView2<f64>> = parts.iter().map(|p| p.view()).collect();
        concatenate(Axis(1), &views).map_err(|e| Error::Shape(e.to_string()))
    }
}

/// Preprocessing, then an estimator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineParams<P> {
    pub preprocess: ColumnTransformerParams,
    pub estimator: P,
}

#[derive(Debug, Clone)]
pub struct Pipeline<M> {
    pub preprocess: ColumnTransformer,
    pub model: M,
}

impl<P: Fit> Fit for PipelineParams<P> {
    type Model = Pipeline<P::Model>;

    fn validate(&self) -> Result<()> {
        self.estimator.validate()
    }

    fn fit(&self, data: &Dataset) -> Result<Pipeline<P::Model>> {
        self.validate()?;
        let (preprocess, inner) = self.preprocess.fit_dataset(data)?;
        let model = self.estimator.fit(&inner)?;
        Ok(Pipeline { preprocess, model })
    }
}

impl ColumnTransformerParams {
    /// Fits the preprocessing on `data` (whose target must be finite) and returns it with the
    /// rows as an estimator behind it sees them: the first half of a pipeline's fit.
    pub fn fit_dataset(&self, data: &Dataset) -> Result<(ColumnTransformer, Dataset)> {
        if data.y.iter().any(|v| !v.is_finite()) {
            return Err(Error::NonFinite(format!(
                "the target `{}` has missing or infinite values: drop those rows first",
                data.target_name
            )));
        }
        let preprocess = self.fit(data.x.view(), &data.feature_names)?;
        let xt = preprocess.transform(data.x.view())?;
        let inner = Dataset::with_names(
            xt,
            data.y.clone(),
            preprocess.feature_names_out.clone(),
            data.target_name.clone(),
        )?;
        Ok((preprocess, inner))
    }
}

impl<M> Pipeline<M> {
    /// The rows as the estimator sees them.
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        self.preprocess.transform(x)
    }
}

impl<M: Regressor> Regressor for Pipeline<M> {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        self.model.predict(self.transform(x)?.view())
    }
}

impl<M: Classifier> Classifier for Pipeline<M> {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        self.model.predict(self.transform(x)?.view())
    }
}
