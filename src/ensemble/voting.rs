//! `VotingClassifier`: several different classifiers fitted on the same rows, combined by a
//! (weighted) majority of their labels (`voting = "hard"`) or by averaging their class
//! probabilities (`"soft"`), as scikit-learn's. The members are any of the classifiers with
//! `predict_proba` listed in [`Member`] (an SVC's probabilities come from Platt scaling, see
//! [`PlattSvc`]).

use super::{
    AdaBoostClassifier, AdaBoostClassifierParams, GradientBoostingClassifier,
    GradientBoostingClassifierParams, RandomForestClassifier, RandomForestClassifierParams,
};
use crate::data::{check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit};
use crate::linear::{LogisticRegression, LogisticRegressionParams};
use crate::metrics::{argmax_labels, unique_labels};
use crate::neighbors::{KNeighborsClassifier, KNeighborsClassifierParams};
use crate::svm::{PlattSvc, SvcParams};
use crate::tree::{DecisionTreeClassifier, DecisionTreeClassifierParams};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// One member's kind and parameters (`{"kind": "k_neighbors", "n_neighbors": 5}` in JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Member {
    LogisticRegression(LogisticRegressionParams),
    DecisionTree(DecisionTreeClassifierParams),
    RandomForest(RandomForestClassifierParams),
    KNeighbors(KNeighborsClassifierParams),
    AdaBoost(AdaBoostClassifierParams),
    GradientBoosting(GradientBoostingClassifierParams),
    /// Two classes only: its probabilities are a sigmoid of the decision value ([`PlattSvc`]).
    Svc(SvcParams),
}

/// A fitted member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FittedMember {
    LogisticRegression(LogisticRegression),
    DecisionTree(DecisionTreeClassifier),
    RandomForest(RandomForestClassifier),
    KNeighbors(KNeighborsClassifier),
    AdaBoost(AdaBoostClassifier),
    GradientBoosting(GradientBoostingClassifier),
    Svc(PlattSvc),
}

impl Member {
    /// A short name for plots and reports.
    pub fn name(&self) -> &'static str {
        match self {
            Member::LogisticRegression(_) => "logistic regression",
            Member::DecisionTree(_) => "decision tree",
            Member::RandomForest(_) => "random forest",
            Member::KNeighbors(_) => "k-NN",
            Member::AdaBoost(_) => "AdaBoost",
            Member::GradientBoosting(_) => "gradient boosting",
            Member::Svc(_) => "SVC",
        }
    }

    pub fn validate(&self) -> Result<()> {
        match self {
            Member::LogisticRegression(p) => p.validate(),
            Member::DecisionTree(p) => p.validate(),
            Member::RandomForest(p) => p.validate(),
            Member::KNeighbors(p) => p.validate(),
            Member::AdaBoost(p) => p.validate(),
            Member::GradientBoosting(p) => p.validate(),
            Member::Svc(p) => p.validate(),
        }
    }

    pub fn fit(&self, data: &Dataset) -> Result<FittedMember> {
        Ok(match self {
            Member::LogisticRegression(p) => FittedMember::LogisticRegression(p.fit(data)?),
            Member::DecisionTree(p) => FittedMember::DecisionTree(p.fit(data)?),
            Member::RandomForest(p) => FittedMember::RandomForest(p.fit(data)?),
            Member::KNeighbors(p) => FittedMember::KNeighbors(p.fit(data)?),
            Member::AdaBoost(p) => FittedMember::AdaBoost(p.fit(data)?),
            Member::GradientBoosting(p) => FittedMember::GradientBoosting(p.fit(data)?),
            Member::Svc(p) => FittedMember::Svc(PlattSvc::fit(p, data)?),
        })
    }
}

impl FittedMember {
    /// The classes this member saw, sorted; `predict_proba`'s columns follow them.
    pub fn classes(&self) -> &[f64] {
        match self {
            FittedMember::LogisticRegression(m) => &m.classes,
            FittedMember::DecisionTree(m) => &m.classes,
            FittedMember::RandomForest(m) => &m.classes,
            FittedMember::KNeighbors(m) => &m.classes,
            FittedMember::AdaBoost(m) => &m.classes,
            FittedMember::GradientBoosting(m) => &m.classes,
            FittedMember::Svc(m) => m.classes(),
        }
    }

    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        match self {
            FittedMember::LogisticRegression(m) => m.predict_proba(x),
            FittedMember::DecisionTree(m) => m.predict_proba(x),
            FittedMember::RandomForest(m) => m.predict_proba(x),
            FittedMember::KNeighbors(m) => m.predict_proba(x),
            FittedMember::AdaBoost(m) => m.predict_proba(x),
            FittedMember::GradientBoosting(m) => m.predict_proba(x),
            FittedMember::Svc(m) => m.predict_proba(x),
        }
    }

    /// Probabilities with one column per class of `classes` (a class this member never saw gets
    /// 0), so members fitted on different folds line up.
    pub fn proba_for(&self, x: ArrayView2<f64>, classes: &[f64]) -> Result<Array2<f64>> {
        let p = self.predict_proba(x)?;
        let own = self.classes();
        let mut out = Array2::zeros((x.nrows(), classes.len()));
        for (j, c) in own.iter().enumerate() {
            if let Some(k) = classes.iter().position(|v| v == c) {
                out.column_mut(k).assign(&p.column(j));
            }
        }
        Ok(out)
    }
}

impl Classifier for FittedMember {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        match self {
            FittedMember::LogisticRegression(m) => m.predict(x),
            FittedMember::DecisionTree(m) => m.predict(x),
            FittedMember::RandomForest(m) => m.predict(x),
            FittedMember::KNeighbors(m) => m.predict(x),
            FittedMember::AdaBoost(m) => m.predict(x),
            FittedMember::GradientBoosting(m) => m.predict(x),
            FittedMember::Svc(m) => m.predict(x),
        }
    }
}

/// How the members' outputs are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Voting {
    /// Each member votes for its predicted label (with its weight); the most votes win, the
    /// smaller label on a tie.
    #[default]
    Hard,
    /// The (weighted) average of the members' probabilities; the largest wins.
    Soft,
}

/// The default members: logistic regression, a decision tree of depth 5 and 5-nearest neighbours.
pub fn default_members() -> Vec<Member> {
    vec![
        Member::LogisticRegression(LogisticRegressionParams::default()),
        Member::DecisionTree(DecisionTreeClassifierParams::default().max_depth(Some(5))),
        Member::KNeighbors(KNeighborsClassifierParams::default()),
    ]
}

/// scikit-learn's `VotingClassifier` parameters (`estimators`, `voting`, `weights`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VotingClassifierParams {
    pub estimators: Vec<Member>,
    pub voting: Voting,
    /// One weight per member; `None` weighs them equally.
    pub weights: Option<Vec<f64>>,
}

impl Default for VotingClassifierParams {
    fn default() -> Self {
        VotingClassifierParams {
            estimators: default_members(),
            voting: Voting::Hard,
            weights: None,
        }
    }
}

impl VotingClassifierParams {
    pub fn estimators(mut self, e: Vec<Member>) -> Self {
        self.estimators = e;
        self
    }
    pub fn voting(mut self, v: Voting) -> Self {
        self.voting = v;
        self
    }
    pub fn weights(mut self, w: Option<Vec<f64>>) -> Self {
        self.weights = w;
        self
    }
}

pub(crate) fn validate_members(members: &[Member]) -> Result<()> {
    if members.is_empty() {
        return Err(Error::invalid(
            "estimators",
            "an empty list",
            "at least one classifier",
        ));
    }
    members.iter().try_for_each(Member::validate)
}

impl Fit for VotingClassifierParams {
    type Model = VotingClassifier;

    fn validate(&self) -> Result<()> {
        validate_members(&self.estimators)?;
        if let Some(w) = &self.weights {
            if w.len() != self.estimators.len() {
                return Err(Error::invalid(
                    "weights",
                    format!("{} weights", w.len()),
                    format!("one per estimator ({})", self.estimators.len()),
                ));
            }
            if let Some(bad) = w.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                return Err(Error::invalid("weights", bad, "finite numbers >= 0"));
            }
        }
        Ok(())
    }

    fn fit(&self, data: &Dataset) -> Result<VotingClassifier> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let members = self
            .estimators
            .iter()
            .map(|m| m.fit(data))
            .collect::<Result<Vec<_>>>()?;
        Ok(VotingClassifier {
            classes: unique_labels([data.y.view()]),
            members,
            params: self.clone(),
        })
    }
}

/// A fitted voting ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VotingClassifier {
    pub classes: Vec<f64>,
    pub members: Vec<FittedMember>,
    pub params: VotingClassifierParams,
}

impl VotingClassifier {
    pub fn params() -> VotingClassifierParams {
        VotingClassifierParams::default()
    }

    fn weight(&self, i: usize) -> f64 {
        self.params.weights.as_ref().map_or(1.0, |w| w[i])
    }

    /// The weighted average of the members' probabilities (scikit-learn's soft-voting
    /// `predict_proba`; it is available whatever `voting` is set to here).
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let k = self.classes.len();
        let mut acc = Array2::zeros((x.nrows(), k));
        let mut total = 0.0;
        for (i, m) in self.members.iter().enumerate() {
            let w = self.weight(i);
            acc = acc + m.proba_for(x, &self.classes)? * w;
            total += w;
        }
        if total > 0.0 {
            acc /= total;
        }
        Ok(acc)
    }

    /// The weighted count of members voting for each class (hard voting's tally).
    pub fn vote_counts(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let mut acc = Array2::zeros((x.nrows(), self.classes.len()));
        for (i, m) in self.members.iter().enumerate() {
            let w = self.weight(i);
            for (r, label) in m.predict(x)?.iter().enumerate() {
                if let Some(c) = self.classes.iter().position(|v| v == label) {
                    acc[[r, c]] += w;
                }
            }
        }
        Ok(acc)
    }
}

impl Classifier for VotingClassifier {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let scores = match self.params.voting {
            Voting::Hard => self.vote_counts(x)?,
            Voting::Soft => self.predict_proba(x)?,
        };
        Ok(argmax_labels(scores.view(), &self.classes))
    }
}
