//! The regression ensemble of bagging, random forests and extra trees: [`ForestRegressor`]
//! averages the trees' predictions; [`ForestRegressorRun`] grows one tree per step.

use super::forest::{columns, mean_importances, Drawer, Draws};
use crate::data::{check_x, Dataset};
use crate::error::Result;
use crate::estimator::{Fit, Iterative, Progress, Regressor};
use crate::metrics::r2_score;
use crate::tree::{DecisionTreeRegressor, DecisionTreeRegressorParams};
use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

/// A fitted ensemble of regression trees (bagging, random forest or extra trees).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestRegressor {
    pub trees: Vec<DecisionTreeRegressor>,
    pub samples: Vec<Vec<usize>>,
    pub features: Vec<Vec<usize>>,
    pub n_features: usize,
    /// R² of the out-of-bag predictions (with `oob_score`).
    pub oob_score: Option<f64>,
    /// Per training row, the mean prediction of the trees that did not see it (0 for a row every
    /// tree saw): scikit-learn's `oob_prediction_`.
    pub oob_prediction: Option<Vec<f64>>,
    pub feature_importances: Vec<f64>,
}

impl ForestRegressor {
    /// Tree `t`'s predictions for `x` (already checked).
    pub fn tree_predict(&self, t: usize, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        self.trees[t].predict(columns(x, &self.features[t]).view())
    }
}

impl Regressor for ForestRegressor {
    /// The mean of the trees' predictions.
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_x(x, self.n_features)?;
        let mut sum = Array1::zeros(x.nrows());
        for t in 0..self.trees.len() {
            sum += &self.tree_predict(t, x)?;
        }
        Ok(sum / self.trees.len().max(1) as f64)
    }
}

/// A regression ensemble being grown, one tree per step.
#[derive(Debug, Clone)]
pub struct ForestRegressorRun {
    drawer: Drawer,
    tree: DecisionTreeRegressorParams,
    trees: Vec<DecisionTreeRegressor>,
}

impl ForestRegressorRun {
    pub(crate) fn new(
        draws: Draws,
        tree: DecisionTreeRegressorParams,
        data: &Dataset,
    ) -> Result<Self> {
        tree.validate()?;
        let drawer = Drawer::new(draws, data.clone())?;
        crate::tree::resolve_max_features(tree.max_features, drawer.n_cols)?;
        Ok(ForestRegressorRun {
            drawer,
            tree,
            trees: Vec::new(),
        })
    }

    /// Trees grown so far.
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }
}

impl Iterative for ForestRegressorRun {
    type Model = ForestRegressor;

    fn step(&mut self) -> Result<Progress> {
        if !self.drawer.is_done() {
            let (data, seed) = self.drawer.next();
            let tree = self.tree.clone().random_state(seed).fit(&data)?;
            self.trees.push(tree);
        }
        Ok(if self.drawer.is_done() {
            Progress::Done
        } else {
            Progress::Running
        })
    }

    fn model(&self) -> ForestRegressor {
        let d = &self.drawer;
        let mut model = ForestRegressor {
            trees: self.trees.clone(),
            samples: d.samples.clone(),
            features: d.features.clone(),
            n_features: d.data.n_features(),
            oob_score: None,
            oob_prediction: None,
            feature_importances: mean_importances(
                d.data.n_features(),
                self.trees.iter().zip(&d.features).map(|(t, f)| {
                    (
                        t.feature_importances.as_slice(),
                        f.as_slice(),
                        t.node_count(),
                    )
                }),
            ),
        };
        if d.draws.oob_score && !self.trees.is_empty() {
            let n = d.data.n_samples();
            let mut sum = vec![0.0; n];
            let mut count = vec![0usize; n];
            for t in 0..self.trees.len() {
                let Ok(p) = model.tree_predict(t, d.data.x.view()) else {
                    continue;
                };
                for (i, oob) in d.out_of_bag(t).into_iter().enumerate() {
                    if oob {
                        sum[i] += p[i];
                        count[i] += 1;
                    }
                }
            }
            let pred: Array1<f64> = sum
                .iter()
                .zip(&count)
                .map(|(s, &c)| s / c.max(1) as f64)
                .collect();
            model.oob_score = Some(r2_score(d.data.y.view(), pred.view()));
            model.oob_prediction = Some(pred.to_vec());
        }
        model
    }
}
