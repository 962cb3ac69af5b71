//! Chapter 2: a whole project on the Auto MPG table, or on a table the reader uploads. The reader
//! picks how missing numbers are filled, how numbers are scaled, how the text columns (`origin`)
//! are encoded and which model to train; the demo then runs k-fold cross-validation on the
//! training set, one fold per tick (the preprocessing is refitted inside every fold, as a
//! scikit-learn `Pipeline` would), and finally fits on the whole training set and looks at the
//! held-out test set. Left, training and validation RMSE per fold; middle, predicted against
//! actual target on the test set with the worst misses named; right, the test error by origin
//! (by the first text column with few values, or else by thirds of the target's range).

mod draw;

use super::auto_mpg_data::{
    load_python, preprocessing, preprocessing_python, project_table, row_name_python, ProjectTable,
    TABLE_UPLOAD,
};
use super::python::{self, Script};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::frame::ColumnKind;
use crate::data::Dataset;
use crate::ensemble::{GradientBoostingRegressorParams, RandomForestRegressorParams};
use crate::error::Error;
use crate::error::Result;
use crate::estimator::{Fit, Iterative, Progress, Regressor};
use crate::linear::{LinearRegressionParams, RidgeParams};
use crate::metrics::root_mean_squared_error;
use crate::model_selection::{Fold, KFold};
use crate::neighbors::KNeighborsRegressorParams;
use crate::preprocessing::{ColumnTransformer, ColumnTransformerParams, Pipeline};
use crate::tree::DecisionTreeRegressor;
use crate::viz;
use ndarray::Array1;
use plotters::coord::Shift;
use plotters::prelude::*;
use web_time::{Duration, Instant};

pub(crate) const IMPUTER_PARAM: ParamSpec = ParamSpec {
    key: "imputer",
    label: "Fill missing numbers with",
    help: "Six cars have no horsepower. The imputer learns one value per column from the training rows.",
    kind: ParamKind::Choice {
        options: &["median", "mean", "most_frequent"],
        default: "median",
    },
};

pub(crate) const SCALER_PARAM: ParamSpec = ParamSpec {
    key: "scaler",
    label: "Scale numbers",
    help: "Standard: zero mean, unit variance. Min-max: into [0, 1]. None: raw units (weight in pounds dwarfs the rest).",
    kind: ParamKind::Choice {
        options: &["standard", "min-max", "none"],
        default: "standard",
    },
};

pub(crate) const FOLDS_PARAM: ParamSpec = ParamSpec {
    key: "folds",
    label: "Cross-validation folds",
    help: "The training set is cut into this many parts; each is held out once.",
    kind: ParamKind::Int {
        min: 2,
        max: 10,
        default: 5,
    },
};

/// A fitted pipeline of the model the reader chose.
type Model = Box<dyn Regressor>;

/// An estimator being fitted: the ensembles grow a tree per `step`, the others are fitted at once.
trait Grow {
    fn step(&mut self) -> Result<Progress>;
    fn finish(self: Box<Self>) -> Box<dyn Regressor>;
}

struct Fitted(Box<dyn Regressor>);

impl Grow for Fitted {
    fn step(&mut self) -> Result<Progress> {
        Ok(Progress::Done)
    }
    fn finish(self: Box<Self>) -> Box<dyn Regressor> {
        self.0
    }
}

struct Growing<R>(R);

impl<R: Iterative> Grow for Growing<R>
where
    R::Model: Regressor + 'static,
{
    fn step(&mut self) -> Result<Progress> {
        match self.0.step()? {
            Progress::Diverged => Err(Error::NonFinite(
                "the boosting loss became NaN or infinite: lower learning_rate".into(),
            )),
            other => Ok(other),
        }
    }
    fn finish(self: Box<Self>) -> Box<dyn Regressor> {
        Box::new(self.0.model())
    }
}

/// A pipeline being fitted: its preprocessing is fitted when it starts (a quick pass over the
/// columns), its estimator a tree at a time for the ensembles, so a page can spread a fold over
/// frames.
struct Job {
    preprocess: ColumnTransformer,
    estimator: Box<dyn Grow>,
}

impl Job {
    /// Fits `preprocess` on `data` and starts model `name` (a choice of the demo's `model`
    /// control) on the rows it gives.
    fn start(
        name: &str,
        preprocess: &ColumnTransformerParams,
        data: &Dataset,
        seed: u64,
    ) -> Result<Job> {
        let (fitted, inner) = preprocess.fit_dataset(data)?;
        fn at_once<P: Fit>(p: P, d: &Dataset) -> Result<Box<dyn Grow>>
        where
            P::Model: Regressor + 'static,
        {
            Ok(Box::new(Fitted(Box::new(p.fit(d)?))))
        }
        let estimator: Box<dyn Grow> = match name {
            "linear-regression" => at_once(LinearRegressionParams::default(), &inner)?,
            "ridge" => at_once(RidgeParams::default(), &inner)?,
            "k-neighbors" => at_once(KNeighborsRegressorParams::default(), &inner)?,
            "decision-tree" => at_once(DecisionTreeRegressor::params().random_state(seed), &inner)?,
            "gradient-boosting" => Box::new(Growing(
                GradientBoostingRegressorParams::default().start(&inner)?,
            )),
            _ => Box::new(Growing(
                RandomForestRegressorParams {
                    n_estimators: 20,
                    random_state: Some(seed),
                    ..Default::default()
                }
                .start(&inner)?,
            )),
        };
        Ok(Job {
            preprocess: fitted,
            estimator,
        })
    }

    /// Grows the estimator until it is done or `budget` is spent (at least one step); true once
    /// it is done (`finish` then gives the fitted pipeline).
    fn advance(&mut self, budget: Duration) -> Result<bool> {
        let start = Instant::now();
        loop {
            if self.estimator.step()? != Progress::Running {
                return Ok(true);
            }
            if start.elapsed() >= budget {
                return Ok(false);
            }
        }
    }

    fn finish(self) -> Model {
        Box::new(Pipeline {
            preprocess: self.preprocess,
            model: self.estimator.finish(),
        })
    }
}

/// Most groups the test error is broken down into (one colour each).
const MAX_GROUPS: usize = 5;

/// The test rows' groups for the error analysis: by the first text feature with at most
/// [`MAX_GROUPS`] values (`origin` in Auto MPG), else by thirds of the training target's range.
/// Returns what the groups are of, their names, and each test row's group.
fn test_groups(table: &ProjectTable) -> (String, Vec<String>, Vec<usize>) {
    let n_numeric = table.numeric.len();
    for (i, name) in table.categorical.iter().enumerate() {
        let Ok(j) = table.frame.column_index(name) else {
            continue;
        };
        if let ColumnKind::Categorical(cats) = &table.frame.kinds[j] {
            if cats.len() <= MAX_GROUPS {
                let col = table.test.x.column(n_numeric + i);
                // Rows missing this text form a group of their own, after the texts.
                let groups = col
                    .iter()
                    .map(|&v| if v.is_nan() { cats.len() } else { v as usize })
                    .collect();
                let mut names = cats.clone();
                if col.iter().any(|v| v.is_nan()) {
                    names.push("(missing)".into());
                }
                return (name.clone(), names, groups);
            }
        }
    }
    let mut y: Vec<f64> = table.train.y.to_vec();
    y.sort_by(f64::total_cmp);
    let cut = |q: f64| y[((y.len() - 1) as f64 * q).round() as usize];
    let (a, b) = (cut(1.0 / 3.0), cut(2.0 / 3.0));
    let (ta, tb) = (viz::tick_label(a), viz::tick_label(b));
    let names = vec![
        format!("below {ta}"),
        format!("{ta} to {tb}"),
        format!("above {tb}"),
    ];
    let groups = table
        .test
        .y
        .iter()
        .map(|&v| usize::from(v >= a) + usize::from(v > b))
        .collect();
    (format!("{} range", table.target), names, groups)
}

pub struct EndToEndDemo {
    table: ProjectTable,
    /// What the test error is broken down by, the groups' names and each test row's group.
    group_by: String,
    group_names: Vec<String>,
    test_groups: Vec<usize>,
    preprocess: ColumnTransformerParams,
    model: String,
    seed: u64,
    folds: Vec<Fold>,
    /// (training RMSE, validation RMSE) of each fold done so far.
    scores: Vec<(f64, f64)>,
    /// Test-set predictions once the final model is fitted.
    test_pred: Option<Array1<f64>>,
    error: Option<String>,
    /// The fold (or, after the last, the final fit) being fitted.
    job: Option<Job>,
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl EndToEndDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "end-to-end",
        title: "From raw table to tested model: Auto MPG",
        chapter: "02-end-to-end-project",
        upload: TABLE_UPLOAD,
        params: &[
            ParamSpec {
                key: "model",
                label: "Model",
                help: "The estimator at the end of the pipeline. The forest has 20 trees; boosting uses scikit-learn's defaults, 100 stages of depth 3 at learning rate 0.1. The page grows both a few trees per frame.",
                kind: ParamKind::Choice {
                    options: &[
                        "linear-regression",
                        "ridge",
                        "k-neighbors",
                        "decision-tree",
                        "random-forest",
                        "gradient-boosting",
                    ],
                    default: "linear-regression",
                },
            },
            IMPUTER_PARAM,
            SCALER_PARAM,
            ParamSpec {
                key: "origin",
                label: "Encode origin (text columns)",
                help: "One-hot: a 0/1 column per region. Ordinal: Europe 0, Japan 1, USA 2 (an order that means nothing). Drop: leave it out. On your own table this applies to every text column.",
                kind: ParamKind::Choice {
                    options: &["one-hot", "ordinal", "drop"],
                    default: "one-hot",
                },
            },
            FOLDS_PARAM,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let table = project_table(params, seed)?;
        let preprocess = preprocessing(
            &table,
            params.choice("imputer"),
            params.choice("scaler"),
            params.choice("origin"),
        )?;
        let folds = KFold::new(params.usize("folds")).split(table.train.n_samples())?;
        let (group_by, group_names, test_groups) = test_groups(&table);
        Ok(EndToEndDemo {
            python: python_script(&table, params, seed),
            table,
            group_by,
            group_names,
            test_groups,
            preprocess,
            model: params.choice("model").to_string(),
            seed,
            folds,
            scores: Vec::new(),
            test_pred: None,
            error: None,
            job: None,
        })
    }

    /// Fits the next fold (after the last, the final pipeline and the test set) for at most
    /// `budget`, going on where the last call stopped.
    fn advance(&mut self, budget: Duration) -> Result<()> {
        let target = self.scores.len();
        let fold = self.folds.get(target);
        let job = match &mut self.job {
            Some(job) => job,
            None => {
                let data = match fold {
                    Some(f) => self.table.train.select(&f.train),
                    None => self.table.train.clone(),
                };
                self.job
                    .insert(Job::start(&self.model, &self.preprocess, &data, self.seed)?)
            }
        };
        if !job.advance(budget)? {
            return Ok(());
        }
        let Some(model) = self.job.take().map(Job::finish) else {
            return Ok(());
        };
        let Some(f) = fold else {
            self.test_pred = Some(model.predict(self.table.test.x.view())?);
            return Ok(());
        };
        let rmse = |d: &Dataset| -> Result<f64> {
            Ok(root_mean_squared_error(
                d.y.view(),
                model.predict(d.x.view())?.view(),
            ))
        };
        let scores = (
            rmse(&self.table.train.select(&f.train))?,
            rmse(&self.table.train.select(&f.test))?,
        );
        self.scores.push(scores);
        Ok(())
    }

    /// Works for at most `budget` (see `advance`) and says whether there is more to do.
    fn work(&mut self, budget: Duration) -> Progress {
        if self.error.is_some() || self.test_pred.is_some() {
            return Progress::Done;
        }
        match self.advance(budget) {
            Err(e) => {
                self.error = Some(e.to_string());
                Progress::Done
            }
            Ok(()) if self.test_pred.is_some() => Progress::Done,
            Ok(()) => Progress::Running,
        }
    }

    fn cv_mean(&self) -> (f64, f64) {
        let n = self.scores.len() as f64;
        if n == 0.0 {
            return (f64::NAN, f64::NAN);
        }
        let mean = self.scores.iter().map(|s| s.1).sum::<f64>() / n;
        let std = (self
            .scores
            .iter()
            .map(|s| (s.1 - mean).powi(2))
            .sum::<f64>()
            / n)
            .sqrt();
        (mean, std)
    }

    /// Test rows by absolute error, worst first: (row, error = predicted - actual).
    fn worst(&self) -> Vec<(usize, f64)> {
        let Some(pred) = &self.test_pred else {
            return Vec::new();
        };
        let mut rows: Vec<(usize, f64)> = (0..pred.len())
            .map(|r| (r, pred[r] - self.table.test.y[r]))
            .collect();
        rows.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        rows
    }
}

impl Demo for EndToEndDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One whole fold, then the final fit and the test set (`--steps` counts folds).
    fn tick(&mut self) -> Progress {
        self.work(Duration::MAX)
    }

    /// In the page a fold's ensemble grows over as many frames as it needs, a few trees per
    /// frame, so no frame waits for a whole fold.
    fn step(&mut self, budget: Duration) -> Progress {
        self.work(budget)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_folds(&panels[0])?;
        self.draw_test(&panels[1])?;
        self.draw_groups(&panels[2])
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        let (mean, std) = self.cv_mean();
        let train = if self.scores.is_empty() {
            f64::NAN
        } else {
            self.scores.iter().map(|s| s.0).sum::<f64>() / self.scores.len() as f64
        };
        let test = self.test_pred.as_ref().map_or(f64::NAN, |p| {
            root_mean_squared_error(self.table.test.y.view(), p.view())
        });
        let mut out = vec![
            Metric::new("cv_rmse", "CV RMSE (mean of folds)", mean),
            Metric::new("cv_std", "CV RMSE spread (std)", std),
            Metric::new("train_rmse", "training RMSE (mean of folds)", train),
            Metric::new("test_rmse", "test RMSE", test),
            Metric::new(
                "dropped",
                dropped_label(&self.table),
                self.table.dropped as f64,
            ),
        ];
        if let Some(&(r, e)) = self.worst().first() {
            out.push(Metric::text(
                "worst",
                "worst test miss",
                format!(
                    "{} ({:+.1} {})",
                    self.table.test_names[r], e, self.table.target
                ),
            ));
        }
        out
    }

    fn status(&self) -> Option<String> {
        self.error.clone()
    }

    fn autoplay(&self) -> bool {
        true
    }
}

/// The label of the count of rows without a target.
fn dropped_label(table: &ProjectTable) -> &'static str {
    if table.file.is_some() {
        "rows dropped (no target)"
    } else {
        "cars dropped (no mpg)"
    }
}

/// The estimator `fit_model` builds for `name`, in scikit-learn: (import, constructor).
fn estimator_python(name: &str, seed: u64) -> (&'static str, String) {
    let seed = python::seed(seed);
    match name {
        "linear-regression" => (
            "from sklearn.linear_model import LinearRegression",
            "LinearRegression()".into(),
        ),
        "ridge" => (
            "from sklearn.linear_model import Ridge",
            "Ridge(alpha=1.0)".into(),
        ),
        "k-neighbors" => (
            "from sklearn.neighbors import KNeighborsRegressor",
            "KNeighborsRegressor(n_neighbors=5)".into(),
        ),
        "decision-tree" => (
            "from sklearn.tree import DecisionTreeRegressor",
            format!("DecisionTreeRegressor(random_state={seed})"),
        ),
        "gradient-boosting" => (
            "from sklearn.ensemble import GradientBoostingRegressor",
            "GradientBoostingRegressor(n_estimators=100, learning_rate=0.1, max_depth=3)".into(),
        ),
        _ => (
            "from sklearn.ensemble import RandomForestRegressor",
            format!("RandomForestRegressor(n_estimators=20, random_state={seed})"),
        ),
    }
}

/// The whole project in scikit-learn: a pipeline, k-fold cross-validation, the test set.
fn python_script(table: &ProjectTable, params: &Params, seed: u64) -> String {
    let mut s = Script::new();
    load_python(&mut s, table, seed);
    preprocessing_python(
        &mut s,
        table,
        params.choice("imputer"),
        params.choice("scaler"),
        params.choice("origin"),
    );
    let (import, estimator) = estimator_python(params.choice("model"), seed);
    s.import(import)
        .import("import numpy as np")
        .import("from sklearn.metrics import root_mean_squared_error")
        .import("from sklearn.model_selection import KFold, cross_validate")
        .push(&format!(
            "model = Pipeline([(\"preprocess\", preprocess), (\"estimator\", {estimator})])\n\
             \n\
             # Consecutive folds, as mlplay's KFold (no shuffling).\n\
             cv = cross_validate(model, X_train, y_train, cv=KFold(n_splits={}),\n\
             \x20                   scoring=\"neg_root_mean_squared_error\", return_train_score=True)\n\
             print(\"CV RMSE (mean of folds):\", -cv[\"test_score\"].mean())\n\
             print(\"CV RMSE spread (std):\", cv[\"test_score\"].std())\n\
             print(\"training RMSE (mean of folds):\", -cv[\"train_score\"].mean())\n\
             \n\
             model.fit(X_train, y_train)\n\
             pred = model.predict(X_test)\n\
             print(\"test RMSE:\", root_mean_squared_error(y_test, pred))\n\
             print(\"{}:\", dropped)\n\
             worst = np.argmax(np.abs(pred - y_test))\n\
             name = {}\n\
             print(f\"worst test miss: {{name}} ({{pred[worst] - y_test.iloc[worst]:+.1f}} {})\")",
            params.usize("folds"),
            dropped_label(table),
            row_name_python(table),
            table.target.replace(['{', '}', '"', '\\'], ""),
        ));
    s.finish()
}
