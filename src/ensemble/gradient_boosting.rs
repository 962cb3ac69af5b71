//! Gradient boosting with scikit-learn's names, defaults and update rules:
//! [`GradientBoostingRegressor`] (squared error) and [`GradientBoostingClassifier`] (log-loss,
//! binomial for two classes, multinomial with one tree per class and stage otherwise). Every stage
//! fits a regression tree to the negative gradient; the runs expose one stage per step, and the
//! fitted models predict stage by stage (`staged_predict`) so a demo can show the ensemble grow.

use super::boosting_run::{add_tree, ensemble_importances, staged_raw, BoostingRun, Loss};
use crate::data::{check_x, check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit, Iterative, Progress, Regressor};
use crate::linear::logistic_regression::{log_sum_exp, sigmoid};
use crate::metrics::unique_labels;
use crate::rng::Rng;
use crate::tree::{DecisionTreeRegressorParams, MaxFeatures, Tree};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// The parameters both estimators share, with scikit-learn's names and defaults. Early stopping
/// is on when `n_iter_no_change` is set: `validation_fraction` of the rows is held out (a plain
/// shuffled split, not stratified as scikit-learn's classifier does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GradientBoostingParams {
    pub learning_rate: f64,
    pub n_estimators: usize,
    /// The fraction of rows each stage's trees learn from (stochastic gradient boosting below 1).
    pub subsample: f64,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub max_depth: Option<usize>,
    pub min_impurity_decrease: f64,
    pub max_features: Option<MaxFeatures>,
    pub random_state: Option<u64>,
    pub validation_fraction: f64,
    pub n_iter_no_change: Option<usize>,
    pub tol: f64,
}

impl Default for GradientBoostingParams {
    fn default() -> Self {
        GradientBoostingParams {
            learning_rate: 0.1,
            n_estimators: 100,
            subsample: 1.0,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_depth: Some(3),
            min_impurity_decrease: 0.0,
            max_features: None,
            random_state: None,
            validation_fraction: 0.1,
            n_iter_no_change: None,
            tol: 1e-4,
        }
    }
}

impl GradientBoostingParams {
    pub(crate) fn tree_params(&self) -> DecisionTreeRegressorParams {
        DecisionTreeRegressorParams::default()
            .max_depth(self.max_depth)
            .min_samples_split(self.min_samples_split)
            .min_samples_leaf(self.min_samples_leaf)
            .max_features(self.max_features)
            .min_impurity_decrease(self.min_impurity_decrease)
    }

    fn validate(&self) -> Result<()> {
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return Err(Error::invalid(
                "learning_rate",
                self.learning_rate,
                "a number > 0",
            ));
        }
        if self.n_estimators == 0 {
            return Err(Error::invalid("n_estimators", 0, "a whole number >= 1"));
        }
        if !(self.subsample > 0.0 && self.subsample <= 1.0) {
            return Err(Error::invalid("subsample", self.subsample, "in (0, 1]"));
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return Err(Error::invalid(
                "validation_fraction",
                self.validation_fraction,
                "in (0, 1)",
            ));
        }
        if self.n_iter_no_change == Some(0) {
            return Err(Error::invalid(
                "n_iter_no_change",
                0,
                "a whole number >= 1, or none to train every stage",
            ));
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(Error::invalid("tol", self.tol, "a number >= 0"));
        }
        self.tree_params().validate()
    }

    fn start(&self, loss: Loss, data: Dataset) -> Result<BoostingRun> {
        let mut rng = Rng::new(self.random_state.unwrap_or(0));
        BoostingRun::new(self, loss, data, &mut rng)
    }
}

/// The builder methods both estimators' params share.
macro_rules! boosting_setters {
    ($($name:ident: $ty:ty),* $(,)?) => {
        $(pub fn $name(mut self, v: $ty) -> Self {
            self.0.$name = v;
            self
        })*
    };
}

macro_rules! boosting_params {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub GradientBoostingParams);

        impl $name {
            boosting_setters!(
                learning_rate: f64,
                n_estimators: usize,
                subsample: f64,
                min_samples_split: usize,
                min_samples_leaf: usize,
                max_depth: Option<usize>,
                min_impurity_decrease: f64,
                max_features: Option<MaxFeatures>,
                validation_fraction: f64,
                n_iter_no_change: Option<usize>,
                tol: f64,
            );
            pub fn random_state(mut self, seed: u64) -> Self {
                self.0.random_state = Some(seed);
                self
            }
        }
    };
}

boosting_params!(
    /// [`GradientBoostingRegressor`]'s parameters (loss: squared error).
    GradientBoostingRegressorParams
);
boosting_params!(
    /// [`GradientBoostingClassifier`]'s parameters (loss: log-loss).
    GradientBoostingClassifierParams
);

/// What both fitted models hold: the constant start, the trees and the losses per stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostedTrees {
    /// The raw prediction before any tree, one per tree of a stage.
    pub init: Vec<f64>,
    /// Stage by stage: one tree, or one per class.
    pub stages: Vec<Vec<Tree>>,
    pub learning_rate: f64,
    /// Training loss after each stage (scikit-learn's `train_score_`).
    pub train_score: Vec<f64>,
    /// Validation loss after each stage when early stopping was on.
    pub validation_score: Vec<f64>,
    /// Normalised mean impurity decrease per feature.
    pub feature_importances: Vec<f64>,
    pub n_features: usize,
}

impl BoostedTrees {
    fn from_run(run: &BoostingRun, n_features: usize) -> Self {
        BoostedTrees {
            init: run.init.clone(),
            stages: run.stages.clone(),
            learning_rate: run.params.learning_rate,
            train_score: run.train_score.clone(),
            validation_score: run.validation_score.clone(),
            feature_importances: ensemble_importances(&run.stages, n_features),
            n_features,
        }
    }

    /// Stages fitted (scikit-learn's `n_estimators_`, smaller than asked after early stopping).
    pub fn n_stages(&self) -> usize {
        self.stages.len()
    }

    /// The raw prediction after every stage, accumulated in place.
    fn raw(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(x, self.n_features)?;
        let mut raw = Array2::from_shape_fn((x.nrows(), self.init.len()), |(_, c)| self.init[c]);
        for stage in &self.stages {
            for (k, tree) in stage.iter().enumerate() {
                add_tree(&mut raw, x, tree, self.learning_rate, k);
            }
        }
        Ok(raw)
    }

    fn staged<'a>(
        &'a self,
        x: ArrayView2<'a, f64>,
    ) -> Result<impl Iterator<Item = Array2<f64>> + 'a> {
        check_x(x, self.n_features)?;
        Ok(staged_raw(&self.init, &self.stages, self.learning_rate, x))
    }
}

/// A fitted gradient-boosting regressor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradientBoostingRegressor {
    pub trees: BoostedTrees,
    pub params: GradientBoostingRegressorParams,
}

impl GradientBoostingRegressor {
    pub fn params() -> GradientBoostingRegressorParams {
        GradientBoostingRegressorParams::default()
    }
    /// The prediction after each stage (scikit-learn's `staged_predict`).
    pub fn staged_predict(&self, x: ArrayView2<f64>) -> Result<Vec<Array1<f64>>> {
        Ok(self
            .trees
            .staged(x)?
            .map(|raw| raw.column(0).to_owned())
            .collect())
    }
}

impl Regressor for GradientBoostingRegressor {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        Ok(self.trees.raw(x)?.column(0).to_owned())
    }
}

/// A regressor being boosted, one stage per step.
#[derive(Debug, Clone)]
pub struct GradientBoostingRegressorRun {
    pub run: BoostingRun,
    params: GradientBoostingRegressorParams,
    n_features: usize,
}

impl GradientBoostingRegressorParams {
    pub fn start(&self, data: &Dataset) -> Result<GradientBoostingRegressorRun> {
        self.0.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        Ok(GradientBoostingRegressorRun {
            run: self.0.start(Loss::Squared, data.clone())?,
            params: self.clone(),
            n_features: data.n_features(),
        })
    }
}

impl Iterative for GradientBoostingRegressorRun {
    type Model = GradientBoostingRegressor;
    fn step(&mut self) -> Result<Progress> {
        self.run.fit_stage()
    }
    fn model(&self) -> GradientBoostingRegressor {
        GradientBoostingRegressor {
            trees: BoostedTrees::from_run(&self.run, self.n_features),
            params: self.params.clone(),
        }
    }
}

impl Fit for GradientBoostingRegressorParams {
    type Model = GradientBoostingRegressor;
    fn validate(&self) -> Result<()> {
        self.0.validate()
    }
    fn fit(&self, data: &Dataset) -> Result<GradientBoostingRegressor> {
        finish(self.start(data)?)
    }
}

/// Runs a fit to its end; a non-finite loss is an error rather than a model.
fn finish<R: Iterative>(mut run: R) -> Result<R::Model> {
    loop {
        match run.step()? {
            Progress::Running => {}
            Progress::Done => return Ok(run.model()),
            Progress::Diverged => {
                return Err(Error::NonFinite(
                    "the boosting loss became NaN or infinite: lower learning_rate".into(),
                ))
            }
        }
    }
}

/// A fitted gradient-boosting classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradientBoostingClassifier {
    pub classes: Vec<f64>,
    pub trees: BoostedTrees,
    pub params: GradientBoostingClassifierParams,
}

impl GradientBoostingClassifier {
    pub fn params() -> GradientBoostingClassifierParams {
        GradientBoostingClassifierParams::default()
    }

    /// Raw scores: one column (the positive class's log-odds) for two classes, one per class
    /// otherwise, as scikit-learn's `decision_function`.
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        self.trees.raw(x)
    }

    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        Ok(self.proba_of(self.trees.raw(x)?))
    }

    /// The predicted class after each stage (scikit-learn's `staged_predict`).
    pub fn staged_predict(&self, x: ArrayView2<f64>) -> Result<Vec<Array1<f64>>> {
        Ok(self
            .trees
            .staged(x)?
            .map(|raw| self.labels_of(&raw))
            .collect())
    }

    fn proba_of(&self, raw: Array2<f64>) -> Array2<f64> {
        if self.classes.len() == 2 {
            let p = raw.column(0).mapv(sigmoid);
            let mut out = Array2::zeros((raw.nrows(), 2));
            out.column_mut(0).assign(&p.mapv(|v| 1.0 - v));
            out.column_mut(1).assign(&p);
            out
        } else {
            let mut out = raw;
            for mut row in out.axis_iter_mut(Axis(0)) {
                let lse = log_sum_exp(row.iter().copied());
                row.mapv_inplace(|z| (z - lse).exp());
            }
            out
        }
    }

    fn labels_of(&self, raw: &Array2<f64>) -> Array1<f64> {
        if self.classes.len() == 2 {
            raw.column(0).mapv(|z| self.classes[usize::from(z > 0.0)])
        } else {
            crate::metrics::argmax_labels(raw.view(), &self.classes)
        }
    }
}

impl Classifier for GradientBoostingClassifier {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        Ok(self.labels_of(&self.trees.raw(x)?))
    }
}

/// A classifier being boosted, one stage per step.
#[derive(Debug, Clone)]
pub struct GradientBoostingClassifierRun {
    pub run: BoostingRun,
    classes: Vec<f64>,
    params: GradientBoostingClassifierParams,
    n_features: usize,
}

impl GradientBoostingClassifierParams {
    pub fn start(&self, data: &Dataset) -> Result<GradientBoostingClassifierRun> {
        self.0.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let classes = unique_labels([data.y.view()]);
        if classes.len() < 2 {
            return Err(Error::invalid(
                "y",
                format!("{} class", classes.len()),
                "at least two classes to tell apart",
            ));
        }
        // The loss works on class indices 0..K.
        let index = |v: f64| classes.partition_point(|c| *c < v) as f64;
        let encoded = Dataset {
            y: data.y.mapv(index),
            ..data.clone()
        };
        let loss = if classes.len() == 2 {
            Loss::Binomial
        } else {
            Loss::Multinomial(classes.len())
        };
        Ok(GradientBoostingClassifierRun {
            run: self.0.start(loss, encoded)?,
            classes,
            params: self.clone(),
            n_features: data.n_features(),
        })
    }
}

impl Iterative for GradientBoostingClassifierRun {
    type Model = GradientBoostingClassifier;
    fn step(&mut self) -> Result<Progress> {
        self.run.fit_stage()
    }
    fn model(&self) -> GradientBoostingClassifier {
        GradientBoostingClassifier {
            classes: self.classes.clone(),
            trees: BoostedTrees::from_run(&self.run, self.n_features),
            params: self.params.clone(),
        }
    }
}

impl Fit for GradientBoostingClassifierParams {
    type Model = GradientBoostingClassifier;
    fn validate(&self) -> Result<()> {
        self.0.validate()
    }
    fn fit(&self, data: &Dataset) -> Result<GradientBoostingClassifier> {
        finish(self.start(data)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_stage_of_squared_error_is_the_mean_plus_a_shrunk_tree() {
        let x = Array2::from_shape_fn((6, 1), |(i, _)| i as f64);
        let y = Array1::from(vec![1.0, 1.0, 1.0, 5.0, 5.0, 5.0]);
        let data = Dataset::new(x.clone(), y).unwrap();
        let model = GradientBoostingRegressor::params()
            .n_estimators(1)
            .max_depth(Some(1))
            .fit(&data)
            .unwrap();
        // Mean 3, residuals ±2, one split, shrunk by 0.1.
        let p = model.predict(x.view()).unwrap();
        assert!(
            (p[0] - 2.8).abs() < 1e-12 && (p[5] - 3.2).abs() < 1e-12,
            "{p}"
        );
    }
}
