//! `StackingClassifier`: base classifiers whose out-of-fold class probabilities (5 stratified
//! folds, no shuffling, as scikit-learn's `cv=5`) become the features of a final classifier, a
//! logistic regression by default. With two classes only the second probability column is kept
//! (the first is one minus it), as scikit-learn does; `passthrough` also hands the final
//! classifier the original features.

use super::voting::{default_members, validate_members, FittedMember, Member};
use crate::data::{check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit, Progress};
use crate::linear::{LogisticRegression, LogisticRegressionParams};
use crate::metrics::unique_labels;
use crate::model_selection::{Fold, StratifiedKFold};
use ndarray::{concatenate, s, Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// scikit-learn's `StackingClassifier` parameters (`stack_method="predict_proba"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StackingClassifierParams {
    pub estimators: Vec<Member>,
    pub final_estimator: LogisticRegressionParams,
    /// Number of stratified folds for the out-of-fold probabilities, at least 2.
    pub cv: usize,
    pub passthrough: bool,
}

impl Default for StackingClassifierParams {
    fn default() -> Self {
        StackingClassifierParams {
            estimators: default_members(),
            final_estimator: LogisticRegressionParams::default(),
            cv: 5,
            passthrough: false,
        }
    }
}

impl StackingClassifierParams {
    pub fn estimators(mut self, e: Vec<Member>) -> Self {
        self.estimators = e;
        self
    }
    pub fn passthrough(mut self, p: bool) -> Self {
        self.passthrough = p;
        self
    }
    pub fn cv(mut self, k: usize) -> Self {
        self.cv = k;
        self
    }
}

/// The columns a member adds to the final classifier's input.
fn member_features(p: Array2<f64>, k: usize) -> Array2<f64> {
    if k == 2 {
        p.slice(s![.., 1..]).to_owned()
    } else {
        p
    }
}

impl Fit for StackingClassifierParams {
    type Model = StackingClassifier;

    fn validate(&self) -> Result<()> {
        validate_members(&self.estimators)?;
        if self.cv < 2 {
            return Err(Error::invalid("cv", self.cv, "a whole number >= 2"));
        }
        self.final_estimator.validate()
    }

    fn fit(&self, data: &Dataset) -> Result<StackingClassifier> {
        let mut run = self.start(data)?;
        loop {
            run.step()?;
            // The step that fits the final classifier is the one that returns Done.
            if let Some(model) = run.fitted.take() {
                return Ok(model);
            }
        }
    }
}

impl StackingClassifierParams {
    /// Checks the data and starts the fit, one model per step: each member once per fold (for
    /// its out-of-fold probabilities) and then on every row, and last the final classifier.
    pub fn start(&self, data: &Dataset) -> Result<StackingClassifierRun> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let folds = StratifiedKFold {
            n_splits: self.cv,
            ..StratifiedKFold::default()
        }
        .split(data.y.view())?;
        Ok(StackingClassifierRun {
            classes: unique_labels([data.y.view()]),
            data: data.clone(),
            folds,
            members: Vec::new(),
            fold: 0,
            oof: None,
            blocks: Vec::new(),
            fitted: None,
            params: self.clone(),
        })
    }
}

/// A stack being fitted, one member fit per step and the final classifier last.
#[derive(Debug, Clone)]
pub struct StackingClassifierRun {
    params: StackingClassifierParams,
    data: Dataset,
    classes: Vec<f64>,
    folds: Vec<Fold>,
    members: Vec<FittedMember>,
    /// The next fold of the member being fitted, and its out-of-fold probabilities so far.
    fold: usize,
    oof: Option<Array2<f64>>,
    /// Each fitted member's out-of-fold columns of the final classifier's input.
    blocks: Vec<Array2<f64>>,
    fitted: Option<StackingClassifier>,
}

impl StackingClassifierRun {
    /// The members fitted on every row so far, in the order of `estimators`.
    pub fn members(&self) -> &[FittedMember] {
        &self.members
    }

    /// The whole stack, once the final classifier is fitted.
    pub fn fitted(&self) -> Option<&StackingClassifier> {
        self.fitted.as_ref()
    }

    /// Fits the next member on one fold (for its out-of-fold probabilities) or, after its last
    /// fold, on every row; after the last member, the final classifier, and returns `Done`.
    pub fn step(&mut self) -> Result<Progress> {
        if self.fitted.is_some() {
            return Ok(Progress::Done);
        }
        let data = &self.data;
        let k = self.classes.len();
        if let Some(m) = self.params.estimators.get(self.members.len()) {
            if let Some(fold) = self.folds.get(self.fold) {
                let train = Dataset::new(
                    data.x.select(Axis(0), &fold.train),
                    data.y.select(Axis(0), &fold.train),
                )?;
                let fitted = m.fit(&train)?;
                let xt = data.x.select(Axis(0), &fold.test);
                let p = fitted.proba_for(xt.view(), &self.classes)?;
                let oof = self
                    .oof
                    .get_or_insert_with(|| Array2::zeros((data.n_samples(), k)));
                for (r, &i) in fold.test.iter().enumerate() {
                    oof.row_mut(i).assign(&p.row(r));
                }
                self.fold += 1;
                return Ok(Progress::Running);
            }
            let oof = self.oof.take().unwrap_or_default();
            self.blocks.push(member_features(oof, k));
            self.members.push(m.fit(data)?);
            self.fold = 0;
            return Ok(Progress::Running);
        }
        let mut views: Vec<_> = self.blocks.iter().map(|b| b.view()).collect();
        if self.params.passthrough {
            views.push(data.x.view());
        }
        let meta = concatenate(Axis(1), &views).map_err(|e| Error::Shape(e.to_string()))?;
        let final_model = self
            .params
            .final_estimator
            .fit(&Dataset::new(meta, data.y.clone())?)?;
        self.fitted = Some(StackingClassifier {
            classes: self.classes.clone(),
            members: self.members.clone(),
            final_estimator: final_model,
            params: self.params.clone(),
        });
        Ok(Progress::Done)
    }
}

/// A fitted stack: the members refitted on every row, and the final classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackingClassifier {
    pub classes: Vec<f64>,
    pub members: Vec<FittedMember>,
    pub final_estimator: LogisticRegression,
    pub params: StackingClassifierParams,
}

impl StackingClassifier {
    pub fn params() -> StackingClassifierParams {
        StackingClassifierParams::default()
    }

    /// The final classifier's input: each member's probabilities (second column only for two
    /// classes), then the features with `passthrough` (scikit-learn's `transform`).
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let k = self.classes.len();
        let mut blocks = Vec::with_capacity(self.members.len() + 1);
        for m in &self.members {
            blocks.push(member_features(m.proba_for(x, &self.classes)?, k));
        }
        if self.params.passthrough {
            blocks.push(x.to_owned());
        }
        let views: Vec<_> = blocks.iter().map(|b| b.view()).collect();
        concatenate(Axis(1), &views).map_err(|e| Error::Shape(e.to_string()))
    }

    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        self.final_estimator
            .predict_proba(self.transform(x)?.view())
    }
}

impl Classifier for StackingClassifier {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        self.final_estimator.predict(self.transform(x)?.view())
    }
}
