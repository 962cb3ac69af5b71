//! `KNeighborsClassifier` and `KNeighborsRegressor`: "fitting" stores the training set; a
//! prediction is the (weighted) vote or mean of the `n_neighbors` closest training rows, with
//! scikit-learn's names, defaults and weighting rules.

use super::kd_tree;
use super::search::{self, Metric};
use crate::data::{check_x, check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit, Regressor};
use crate::metrics::{argmax_labels, unique_labels};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// How the neighbours' votes count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weights {
    /// Every neighbour counts the same.
    #[default]
    Uniform,
    /// A neighbour counts `1 / distance`; a query equal to training rows takes their labels only.
    Distance,
}

/// How the neighbours are found; every choice gives the same, exact neighbours (scikit-learn's
/// `algorithm`, without `ball_tree`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchAlgorithm {
    /// scikit-learn's rule: a k-d tree for at most 15 features and `k` under half the training
    /// rows, brute force otherwise.
    #[default]
    Auto,
    /// Distances to every training row.
    Brute,
    /// A k-d tree over the training rows, built for each search.
    KdTree,
}

/// Defines a params struct with scikit-learn's names and defaults (`n_neighbors=5`,
/// `weights="uniform"`, `algorithm="auto"`, `p=2`, i.e. Euclidean distance); only the Minkowski powers 1 and 2 are
/// offered. Classifier and regressor get one type each, so each can implement [`Fit`].
macro_rules! k_neighbors_params {
    ($name:ident) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            pub n_neighbors: usize,
            pub weights: Weights,
            pub algorithm: SearchAlgorithm,
            pub p: u32,
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    n_neighbors: 5,
                    weights: Weights::Uniform,
                    algorithm: SearchAlgorithm::Auto,
                    p: 2,
                }
            }
        }

        impl $name {
            pub fn n_neighbors(mut self, k: usize) -> Self {
                self.n_neighbors = k;
                self
            }
            pub fn weights(mut self, w: Weights) -> Self {
                self.weights = w;
                self
            }
            pub fn algorithm(mut self, a: SearchAlgorithm) -> Self {
                self.algorithm = a;
                self
            }
            pub fn p(mut self, p: u32) -> Self {
                self.p = p;
                self
            }
            fn search(&self) -> Search {
                Search {
                    n_neighbors: self.n_neighbors,
                    weights: self.weights,
                    algorithm: self.algorithm,
                    p: self.p,
                }
            }
        }
    };
}

k_neighbors_params!(KNeighborsClassifierParams);
k_neighbors_params!(KNeighborsRegressorParams);

/// The parameters both estimators share, as the fitted models keep them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Search {
    pub n_neighbors: usize,
    pub weights: Weights,
    /// Absent from models saved before it existed: those searched by brute force, which finds
    /// the same neighbours as every other choice.
    #[serde(default)]
    pub algorithm: SearchAlgorithm,
    pub p: u32,
}

impl Search {
    fn check(&self) -> Result<()> {
        if self.n_neighbors == 0 {
            return Err(Error::invalid("n_neighbors", 0, "a whole number >= 1"));
        }
        if !matches!(self.p, 1 | 2) {
            return Err(Error::invalid(
                "p",
                self.p,
                "1 (Manhattan distance) or 2 (Euclidean distance)",
            ));
        }
        Ok(())
    }

    /// Validates the params and data and keeps the training rows.
    fn store(self, data: &Dataset) -> Result<Neighbours> {
        self.check()?;
        check_xy(data.x.view(), data.y.view())?;
        let n = data.n_samples();
        if self.n_neighbors > n {
            return Err(Error::invalid(
                "n_neighbors",
                self.n_neighbors,
                format!("at most the number of training samples ({n})"),
            ));
        }
        Ok(Neighbours {
            x: data.x.clone(),
            search: self,
        })
    }
}

/// The stored training rows and how to search them; shared by both fitted models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neighbours {
    pub x: Array2<f64>,
    pub search: Search,
}

impl Neighbours {
    fn metric(&self) -> Metric {
        if self.search.p == 1 {
            Metric::Manhattan
        } else {
            Metric::Euclidean
        }
    }

    /// The `k` nearest training rows of each row of `x`: `(distances, indices)`, nearest first,
    /// ties by lower index (scikit-learn's `kneighbors(x, k)`).
    pub fn kneighbors(&self, x: ArrayView2<f64>, k: usize) -> Result<(Array2<f64>, Array2<usize>)> {
        check_x(x, self.x.ncols())?;
        let n = self.x.nrows();
        if k == 0 || k > n {
            return Err(Error::invalid(
                "n_neighbors",
                k,
                format!("between 1 and the number of training samples ({n})"),
            ));
        }
        let (n, width) = self.x.dim();
        let use_tree = match self.search.algorithm {
            SearchAlgorithm::Auto => kd_tree::tree_pays(n, width, k),
            SearchAlgorithm::Brute => false,
            SearchAlgorithm::KdTree => true,
        };
        Ok(search::kneighbors(
            self.x.view(),
            x,
            k,
            self.metric(),
            use_tree,
        ))
    }

    /// Each query's neighbours with their weights (summing to anything > 0).
    fn weighted(&self, x: ArrayView2<f64>) -> Result<(Array2<usize>, Array2<f64>)> {
        let (dist, ind) = self.kneighbors(x, self.search.n_neighbors)?;
        let weights = match self.search.weights {
            Weights::Uniform => Array2::ones(dist.dim()),
            Weights::Distance => {
                let mut w = dist.mapv(|d| 1.0 / d);
                // As scikit-learn: a query on top of training rows takes only those rows' targets.
                for mut row in w.rows_mut() {
                    if row.iter().any(|v| v.is_infinite()) {
                        row.mapv_inplace(|v| f64::from(u8::from(v.is_infinite())));
                    }
                }
                w
            }
        };
        Ok((ind, weights))
    }
}

/// A fitted k-nearest-neighbours classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KNeighborsClassifier {
    /// The class labels, sorted; `predict_proba` has one column per class in this order.
    pub classes: Vec<f64>,
    /// Each training row's class, as an index into `classes`.
    pub labels: Vec<usize>,
    pub neighbours: Neighbours,
}

impl KNeighborsClassifier {
    pub fn params() -> KNeighborsClassifierParams {
        KNeighborsClassifierParams::default()
    }

    /// See [`Neighbours::kneighbors`].
    pub fn kneighbors(&self, x: ArrayView2<f64>, k: usize) -> Result<(Array2<f64>, Array2<usize>)> {
        self.neighbours.kneighbors(x, k)
    }

    /// The weighted share of each class among each row's neighbours.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let (ind, weights) = self.neighbours.weighted(x)?;
        let mut proba = Array2::zeros((ind.nrows(), self.classes.len()));
        for (r, (js, ws)) in ind.rows().into_iter().zip(weights.rows()).enumerate() {
            for (&j, &w) in js.iter().zip(ws.iter()) {
                proba[[r, self.labels[j]]] += w;
            }
            let total = proba.row(r).sum();
            proba.row_mut(r).mapv_inplace(|v| v / total);
        }
        Ok(proba)
    }
}

impl Fit for KNeighborsClassifierParams {
    type Model = KNeighborsClassifier;

    fn validate(&self) -> Result<()> {
        self.search().check()
    }

    fn fit(&self, data: &Dataset) -> Result<KNeighborsClassifier> {
        let neighbours = self.search().store(data)?;
        let classes = unique_labels([data.y.view()]);
        let labels = data
            .y
            .iter()
            .map(|v| classes.partition_point(|c| c < v))
            .collect();
        Ok(KNeighborsClassifier {
            classes,
            labels,
            neighbours,
        })
    }
}

impl Classifier for KNeighborsClassifier {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        // The class with the largest weighted share; on a tie the smaller label, as scikit-learn.
        Ok(argmax_labels(self.predict_proba(x)?.view(), &self.classes))
    }
}

/// A fitted k-nearest-neighbours regressor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KNeighborsRegressor {
    pub y: Array1<f64>,
    pub neighbours: Neighbours,
}

impl KNeighborsRegressor {
    pub fn params() -> KNeighborsRegressorParams {
        KNeighborsRegressorParams::default()
    }

    /// See [`Neighbours::kneighbors`].
    pub fn kneighbors(&self, x: ArrayView2<f64>, k: usize) -> Result<(Array2<f64>, Array2<usize>)> {
        self.neighbours.kneighbors(x, k)
    }
}

impl Fit for KNeighborsRegressorParams {
    type Model = KNeighborsRegressor;

    fn validate(&self) -> Result<()> {
        self.search().check()
    }

    fn fit(&self, data: &Dataset) -> Result<KNeighborsRegressor> {
        Ok(KNeighborsRegressor {
            neighbours: self.search().store(data)?,
            y: data.y.clone(),
        })
    }
}

impl Regressor for KNeighborsRegressor {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let (ind, weights) = self.neighbours.weighted(x)?;
        Ok(Array1::from_iter(
            ind.rows().into_iter().zip(weights.rows()).map(|(js, ws)| {
                let num: f64 = js.iter().zip(ws.iter()).map(|(&j, &w)| self.y[j] * w).sum();
                num / ws.sum()
            }),
        ))
    }
}
