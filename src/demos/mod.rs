//! Live demos: each wraps a real algorithm with parameters ([`ParamSpec`]), bounded-time steps and
//! plots drawn on any plotters backend. The registry lists them by id for the page and the CLI.

pub mod adaboost;
mod auto_mpg_data;
pub mod autodiff_graph;
pub mod bagging;
pub mod colour_quantisation;
pub mod confusion_matrix;
pub mod custom_loss;
pub mod dbscan;
pub mod decision_tree;
pub mod deep_signals;
mod device;
pub mod early_stopping;
pub mod end_to_end;
pub mod explore_data;
pub mod forest_importance;
pub mod gaussian_mixture;
pub mod gmm_selection;
pub mod gradient_boosting;
pub mod gradient_descent;
pub mod grid_search;
pub mod instance_vs_model;
pub mod kmeans;
pub mod knn_boundary;
pub mod logistic_regression;
pub mod manifold;
mod manifold_solvers;
pub mod mnist_mlp;
pub mod optimizer_race;
mod params;
pub mod pca_compression;
pub mod pca_projection;
pub mod perceptron;
pub mod playground;
pub mod polynomial_regression;
pub mod precision_recall;
mod python;
pub mod random_projection;
mod regression_1d;
pub mod regression_tree;
pub mod regularisation_paths;
pub mod semi_supervised;
pub mod silhouette;
pub mod svm;
pub mod svr;
pub mod voting;

pub use params::{format_float, ParamKind, ParamSpec, Params, Value};

use crate::data::upload::UploadKind;
use crate::error::{Error, Result};
use crate::estimator::Progress;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};
use serde::Serialize;
use web_time::{Duration, Instant};

/// Parameters of a demo's own generated data, which an uploaded file replaces (the page disables
/// their controls while the demo runs on the reader's file).
pub const GENERATED_DATA_KEYS: &[&str] =
    &["dataset", "samples", "noise", "classes", "blobs", "spread"];

/// The file demo `id` takes, or an error listing the demos that take one.
pub fn upload_kind(id: &str) -> Result<UploadKind> {
    spec(id)?.upload.ok_or_else(|| {
        let takers: Vec<&str> = all_specs()
            .iter()
            .filter(|s| s.upload.is_some())
            .map(|s| s.id)
            .collect();
        Error::Io(format!(
            "demo {id} runs on its own data only; these take --data: {}",
            takers.join(", ")
        ))
    })
}

/// Demo `id`'s parameters with `sets` applied, running on CSV `text` as the page runs an upload
/// named `file` (the default columns; `Upload::with_columns` picks others).
pub fn params_on_file(
    id: &str,
    sets: &[(String, String)],
    file: &str,
    text: &str,
) -> Result<Params> {
    let kind = upload_kind(id)?;
    let mut params = params_with(id, sets)?;
    params.set_upload(Some(std::sync::Arc::new(
        crate::data::upload::Upload::read(file, text, kind)?,
    )));
    Ok(params)
}

/// What the page, the embed element and the CLI need to know about a demo before creating it.
#[derive(Debug, Serialize)]
pub struct DemoSpec {
    pub id: &'static str,
    pub title: &'static str,
    /// The chapter file stem it belongs to, e.g. `04-training-linear-models`.
    pub chapter: &'static str,
    pub params: &'static [ParamSpec],
    /// The reader's own CSV this demo can run on instead of its data (`None`: no upload).
    pub upload: Option<UploadKind>,
}

/// One number shown in the metrics panel (and read by tests).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric {
    pub key: &'static str,
    pub label: &'static str,
    pub value: f64,
    pub text: String,
}

impl Metric {
    pub fn new(key: &'static str, label: &'static str, value: f64) -> Self {
        let text = if value.is_nan() {
            "—".to_string()
        } else if value == value.trunc() && value.abs() < 1e9 {
            format!("{value:.0}")
        } else if value.abs() >= 1e5 || value.abs() < 1e-3 {
            format!("{value:.3e}")
        } else {
            format!("{value:.4}")
        };
        Metric {
            key,
            label,
            value,
            text,
        }
    }

    pub fn text(key: &'static str, label: &'static str, text: impl Into<String>) -> Self {
        Metric {
            key,
            label,
            value: f64::NAN,
            text: text.into(),
        }
    }
}

pub trait Demo {
    fn spec(&self) -> &'static DemoSpec;

    /// The smallest unit of work (one parameter update, one point of a curve). `--steps N` counts these.
    fn tick(&mut self) -> Progress;

    /// How many ticks one animation frame may take, so a run is watchable rather than instant.
    fn ticks_per_frame(&self) -> usize {
        usize::MAX
    }

    /// Ticks until `budget` is spent, the frame's share is done or the demo finishes.
    fn step(&mut self, budget: Duration) -> Progress {
        let start = Instant::now();
        let mut progress = Progress::Running;
        for _ in 0..self.ticks_per_frame() {
            progress = self.tick();
            if progress != Progress::Running || start.elapsed() >= budget {
                break;
            }
        }
        progress
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>;

    fn metrics(&self) -> Vec<Metric>;

    /// Whether the page starts running it as soon as it is mounted (quick, non-interactive demos).
    fn autoplay(&self) -> bool {
        false
    }

    /// A one-line message for the reader (e.g. divergence), shown above the plot.
    fn status(&self) -> Option<String> {
        None
    }

    /// A complete scikit-learn script doing what the demo does with its current parameters (the
    /// page's "Python equivalent" box and `mlplay python`); `None` where there is none.
    fn python(&self) -> Option<String> {
        None
    }

    /// Whether the demo trains a network that the reader can save and load (`model_json`,
    /// `load_model_json`).
    fn saves_model(&self) -> bool {
        false
    }

    /// The network as it is now, architecture and weights (`Sequential::to_json`).
    fn model_json(&self) -> Result<String> {
        Err(Error::Io(format!(
            "the {} demo has no network to save",
            self.spec().id
        )))
    }

    /// Carries on with a saved network (from `model_json`) in place of the demo's own; it must
    /// fit the demo's inputs and outputs.
    fn load_model_json(&mut self, _text: &str) -> Result<()> {
        Err(Error::Io(format!(
            "the {} demo has no network to load",
            self.spec().id
        )))
    }

    /// Canvas height for a given width: three panels side by side when wide, stacked when narrow.
    fn height_for_width(&self, width: u32) -> u32 {
        crate::viz::three_panel_height(width)
    }

    /// GPU results the page should start reading, each handed out once (`Tensor::read` in a
    /// spawned future); later steps or `poll` take them in.
    fn gpu_reads(&mut self) -> Vec<crate::tensor::Tensor> {
        Vec::new()
    }

    /// Takes in GPU results that have arrived, also while paused; true when that changed what
    /// the demo shows.
    fn poll(&mut self) -> bool {
        false
    }

    /// Lines to show under controls, by parameter key (e.g. why the GPU chosen is not in use).
    fn notes(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// Applies a changed parameter without starting over (the device a network trains on);
    /// false when the demo must be created afresh instead.
    fn set_live(&mut self, _key: &str, _params: &Params) -> bool {
        false
    }
}

/// Lists every demo once: generates [`AnyDemo`] (static dispatch over the demo types), [`create`]
/// and [`all_specs`].
macro_rules! registry {
    ($($variant:ident => $ty:path),* $(,)?) => {
        /// Boxed, so one large demo does not make every variant as large.
        pub enum AnyDemo { $($variant(Box<$ty>)),* }

        /// Every demo's spec, in registry order.
        pub fn all_specs() -> Vec<&'static DemoSpec> {
            vec![$(&<$ty>::SPEC),*]
        }

        /// Creates demo `id` with validated `params` and a seed.
        pub fn create(id: &str, params: &Params, seed: u64) -> Result<AnyDemo> {
            $(if id == <$ty>::SPEC.id { return Ok(AnyDemo::$variant(Box::new(<$ty>::new(params, seed)?))); })*
            Err(Error::UnknownDemo(id.to_string()))
        }

        impl Demo for AnyDemo {
            fn spec(&self) -> &'static DemoSpec { match self { $(AnyDemo::$variant(d) => d.spec()),* } }
            fn tick(&mut self) -> Progress { match self { $(AnyDemo::$variant(d) => d.tick()),* } }
            fn ticks_per_frame(&self) -> usize { match self { $(AnyDemo::$variant(d) => d.ticks_per_frame()),* } }
            fn step(&mut self, budget: Duration) -> Progress { match self { $(AnyDemo::$variant(d) => d.step(budget)),* } }
            fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
                match self { $(AnyDemo::$variant(d) => d.draw(area)),* }
            }
            fn metrics(&self) -> Vec<Metric> { match self { $(AnyDemo::$variant(d) => d.metrics()),* } }
            fn status(&self) -> Option<String> { match self { $(AnyDemo::$variant(d) => d.status()),* } }
            fn autoplay(&self) -> bool { match self { $(AnyDemo::$variant(d) => d.autoplay()),* } }
            fn python(&self) -> Option<String> { match self { $(AnyDemo::$variant(d) => d.python()),* } }
            fn height_for_width(&self, width: u32) -> u32 { match self { $(AnyDemo::$variant(d) => d.height_for_width(width)),* } }
            fn saves_model(&self) -> bool { match self { $(AnyDemo::$variant(d) => d.saves_model()),* } }
            fn model_json(&self) -> Result<String> { match self { $(AnyDemo::$variant(d) => d.model_json()),* } }
            fn load_model_json(&mut self, text: &str) -> Result<()> { match self { $(AnyDemo::$variant(d) => d.load_model_json(text)),* } }
            fn gpu_reads(&mut self) -> Vec<crate::tensor::Tensor> { match self { $(AnyDemo::$variant(d) => d.gpu_reads()),* } }
            fn poll(&mut self) -> bool { match self { $(AnyDemo::$variant(d) => d.poll()),* } }
            fn notes(&self) -> Vec<(&'static str, String)> { match self { $(AnyDemo::$variant(d) => d.notes()),* } }
            fn set_live(&mut self, key: &str, params: &Params) -> bool { match self { $(AnyDemo::$variant(d) => d.set_live(key, params)),* } }
        }
    };
}

registry! {
    GradientDescent => gradient_descent::GradientDescentDemo,
    PolynomialRegression => polynomial_regression::PolynomialRegressionDemo,
    RegularisationPaths => regularisation_paths::RegularisationPathsDemo,
    EarlyStopping => early_stopping::EarlyStoppingDemo,
    KMeans => kmeans::KMeansDemo,
    LogisticRegression => logistic_regression::LogisticRegressionDemo,
    Svm => svm::SvmDemo,
    Svr => svr::SvrDemo,
    Dbscan => dbscan::DbscanDemo,
    Silhouette => silhouette::SilhouetteDemo,
    ColourQuantisation => colour_quantisation::ColourQuantisationDemo,
    SemiSupervised => semi_supervised::SemiSupervisedDemo,
    GaussianMixture => gaussian_mixture::GaussianMixtureDemo,
    GmmSelection => gmm_selection::GmmSelectionDemo,
    DecisionTree => decision_tree::DecisionTreeDemo,
    RegressionTree => regression_tree::RegressionTreeDemo,
    GradientBoosting => gradient_boosting::GradientBoostingDemo,
    Bagging => bagging::BaggingDemo,
    ForestImportance => forest_importance::ForestImportanceDemo,
    AdaBoost => adaboost::AdaBoostDemo,
    Voting => voting::VotingDemo,
    Perceptron => perceptron::PerceptronDemo,
    ConfusionMatrix => confusion_matrix::ConfusionMatrixDemo,
    PrecisionRecall => precision_recall::PrecisionRecallDemo,
    Playground => playground::PlaygroundDemo,
    MnistMlp => mnist_mlp::MnistMlpDemo,
    PcaProjection => pca_projection::PcaProjectionDemo,
    PcaCompression => pca_compression::PcaCompressionDemo,
    RandomProjection => random_projection::RandomProjectionDemo,
    Manifold => manifold::ManifoldDemo,
    InstanceVsModel => instance_vs_model::InstanceVsModelDemo,
    KnnBoundary => knn_boundary::KnnBoundaryDemo,
    ExploreData => explore_data::ExploreDataDemo,
    EndToEnd => end_to_end::EndToEndDemo,
    GridSearch => grid_search::GridSearchDemo,
    AutodiffGraph => autodiff_graph::AutodiffGraphDemo,
    CustomLoss => custom_loss::CustomLossDemo,
    DeepSignals => deep_signals::DeepSignalsDemo,
    OptimizerRace => optimizer_race::OptimizerRaceDemo,
}

/// The spec of demo `id`.
pub fn spec(id: &str) -> Result<&'static DemoSpec> {
    all_specs()
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| Error::UnknownDemo(id.to_string()))
}

/// Default params of demo `id`, overridden by `key = value` pairs (a chapter block, CLI flags).
pub fn params_with(id: &str, pairs: &[(String, String)]) -> Result<Params> {
    let mut params = Params::defaults(spec(id)?.params);
    for (k, v) in pairs {
        params.set(k, v)?;
    }
    Ok(params)
}
