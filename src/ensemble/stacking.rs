//! `StackingClassifier`: base classifiers whose out-of-fold class probabilities (5 stratified
//! folds, no shuffling, as scikit-learn's `cv=5`) become the features of a final classifier, a
//! logistic regression by default. With two classes only the second probability column is kept
//! (the first is one minus it), as scikit-learn does; `passthrough` also hands the final
//! classifier the original features.

use super::voting::{default_members, validate_members, FittedMember, Member};
use crate::data::{check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit};
use crate::linear::{LogisticRegression, LogisticRegressionParams};
use crate::metrics::unique_labels;
use crate::model_selection::StratifiedKFold;
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
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let classes = unique_labels([data.y.view()]);
        let k = classes.len();
        let members = self
            .estimators
            .iter()
            .map(|m| m.fit(data))
            .collect::<Result<Vec<_>>>()?;
        let folds = StratifiedKFold {
            n_splits: self.cv,
            ..StratifiedKFold::default()
        }
        .split(data.y.view())?;
        let n = data.n_samples();
        let mut blocks = Vec::with_capacity(self.estimators.len() + 1);
        for m in &self.estimators {
            let mut oof = Array2::zeros((n, k));
            for fold in &folds {
                let train = Dataset::new(
                    data.x.select(Axis(0), &fold.train),
                    data.y.select(Axis(0), &fold.train),
                )?;
                let fitted = m.fit(&train)?;
                let xt = data.x.select(Axis(0), &fold.test);
                let p = fitted.proba_for(xt.view(), &classes)?;
                for (r, &i) in fold.test.iter().enumerate() {
                    oof.row_mut(i).assign(&p.row(r));
                }
            }
            blocks.push(member_features(oof, k));
        }
        if self.passthrough {
            blocks.push(data.x.clone());
        }
        let views: Vec<_> = blocks.iter().map(|b| b.view()).collect();
        let meta = concatenate(Axis(1), &views).map_err(|e| Error::Shape(e.to_string()))?;
        let final_model = self
            .final_estimator
            .fit(&Dataset::new(meta, data.y.clone())?)?;
        Ok(StackingClassifier {
            classes,
            members,
            final_estimator: final_model,
            params: self.clone(),
        })
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
