//! Chapter 7: four different classifiers (logistic regression, an RBF SVC, a decision tree and
//! k-nearest neighbours) combined by hard voting, soft voting or stacking on 2-D two-class data.
//! Left, each member's decision regions; middle, the ensemble's; right, every model's test
//! accuracy. The work is split over ticks: one member fit, one band of a map, or stacking's final
//! classifier per tick.

use super::decision_tree::classification_data_python;
use super::decision_tree::{
    class_colour, classification_data, draw_class_points, tint, NOISE_PARAM, TWO_CLASSES_UPLOAD,
    TWO_CLASS_DATASET_PARAM,
};
use super::python::{self, Script};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::upload::ClassNames;
use crate::data::Dataset;
use crate::ensemble::{
    FittedMember, Member, StackingClassifierParams, StackingClassifierRun, Voting,
    VotingClassifier, VotingClassifierParams,
};
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Progress};
use crate::linear::LogisticRegressionParams;
use crate::model_selection::train_test_split;
use crate::neighbors::KNeighborsClassifierParams;
use crate::rng::Rng;
use crate::svm::SvcParams;
use crate::tree::DecisionTreeClassifierParams;
use crate::viz::{self, ClassGrid};
use ndarray::{concatenate, s, Array2, ArrayView2, Axis};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Cells per axis of the grid the regions are kept on.
const GRID: usize = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Hard,
    Soft,
    Stacking,
}

/// Grid rows are scored in this many bands, one per tick (k-NN on 750 training points scores
/// the whole grid in tens of milliseconds).
const BANDS: usize = 8;

/// A map of the grid being scored one band of rows per call.
#[derive(Default)]
struct Bands {
    done: Vec<Array2<f64>>,
}

impl Bands {
    /// Scores the next band; returns the whole map (and starts over) after the last one.
    fn next(
        &mut self,
        grid: &ClassGrid,
        score: impl Fn(ArrayView2<f64>) -> Result<Array2<f64>>,
    ) -> Result<Option<Array2<f64>>> {
        let n = grid.points.nrows();
        let b = self.done.len();
        let rows = grid
            .points
            .slice(s![b * n / BANDS..(b + 1) * n / BANDS, ..]);
        self.done.push(score(rows)?);
        if self.done.len() < BANDS {
            return Ok(None);
        }
        let views: Vec<_> = self.done.iter().map(|a| a.view()).collect();
        let map = concatenate(Axis(0), &views).map_err(|e| Error::Shape(e.to_string()))?;
        self.done.clear();
        Ok(Some(map))
    }
}

/// Points generated, a quarter held out; at most 500, so one SVC fit stays within a frame's
/// budget (about 30 ms on 750 noisy training points natively, under 15 ms on 375).
const SAMPLES_PARAM: ParamSpec = ParamSpec {
    key: "samples",
    label: "Samples",
    help: "Points generated; a quarter is held out as the test set.",
    kind: ParamKind::Int {
        min: 20,
        max: 500,
        default: 200,
    },
};

/// The combined model, once fitted.
enum Ensemble {
    Voting(VotingClassifier),
    Stacking(Box<crate::ensemble::StackingClassifier>),
}

pub struct VotingDemo {
    train: Dataset,
    test: Dataset,
    members: Vec<Member>,
    method: Method,
    /// Hard and soft voting fit the members here; stacking fits them (with their out-of-fold
    /// probabilities) in its run.
    fitted: Vec<FittedMember>,
    stack: Option<Box<StackingClassifierRun>>,
    member_maps: Vec<Array2<f64>>,
    member_accuracy: Vec<f64>,
    ensemble: Option<Ensemble>,
    ensemble_map: Option<Array2<f64>>,
    ensemble_accuracy: f64,
    grid: ClassGrid,
    band: Bands,
    progress: Progress,
    error: Option<String>,
    class_names: ClassNames,
    python: String,
}

impl VotingDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "voting",
        title: "Voting and stacking: four different classifiers combined",
        chapter: "07-ensemble-learning",
        upload: TWO_CLASSES_UPLOAD,
        params: &[
            ParamSpec {
                key: "method",
                label: "Combine by",
                help: "Hard voting: the label most members predict (a 2-2 tie goes to the first class). Soft voting: the class with the highest average probability. Stacking: a logistic regression fitted on the members' out-of-fold probabilities (5 folds).",
                kind: ParamKind::Choice {
                    options: &["soft-voting", "hard-voting", "stacking"],
                    default: "soft-voting",
                },
            },
            ParamSpec {
                key: "max_depth",
                label: "Tree max_depth",
                help: "Depth of the decision tree member; deep trees follow the noise.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 12,
                    default: 5,
                },
            },
            ParamSpec {
                key: "n_neighbors",
                label: "k-NN neighbours",
                help: "Neighbours the k-NN member looks at; 1 follows every training point.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 40,
                    default: 5,
                },
            },
            TWO_CLASS_DATASET_PARAM,
            SAMPLES_PARAM,
            NOISE_PARAM,
        ],
    };

    /// The members, in drawing order: logistic regression, RBF SVC (probabilities by Platt
    /// scaling), a decision tree and k-NN.
    pub fn members(params: &Params) -> Vec<Member> {
        vec![
            Member::LogisticRegression(LogisticRegressionParams::default()),
            Member::Svc(SvcParams::default()),
            Member::DecisionTree(
                DecisionTreeClassifierParams::default().max_depth(Some(params.usize("max_depth"))),
            ),
            Member::KNeighbors(KNeighborsClassifierParams {
                n_neighbors: params.usize("n_neighbors"),
                ..KNeighborsClassifierParams::default()
            }),
        ]
    }

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let data = classification_data(params, &mut rng)?;
        let (train_idx, test_idx) = train_test_split(data.n_samples(), 0.25, &mut rng)?;
        let (train, test) = (data.select(&train_idx), data.select(&test_idx));
        let members = Self::members(params);
        let method = match params.choice("method") {
            "hard-voting" => Method::Hard,
            "stacking" => Method::Stacking,
            _ => Method::Soft,
        };
        let stack = match method {
            Method::Stacking => Some(Box::new(
                StackingClassifierParams::default()
                    .estimators(members.clone())
                    .start(&train)?,
            )),
            _ => None,
        };
        Ok(VotingDemo {
            grid: ClassGrid::around_data(&data, GRID),
            train,
            test,
            members,
            method,
            fitted: Vec::new(),
            stack,
            member_maps: Vec::new(),
            member_accuracy: Vec::new(),
            ensemble: None,
            ensemble_map: None,
            ensemble_accuracy: f64::NAN,
            band: Bands::default(),
            progress: Progress::Running,
            error: None,
            class_names: ClassNames::of(params.upload()),
            python: python_script(params, seed),
        })
    }

    pub fn train(&self) -> &Dataset {
        &self.train
    }
    pub fn test(&self) -> &Dataset {
        &self.test
    }

    /// The members fitted so far.
    fn fitted_members(&self) -> &[FittedMember] {
        match &self.stack {
            Some(run) => run.members(),
            None => &self.fitted,
        }
    }

    /// One unit of work: member i's fit, then its map a band of grid rows at a time (its test
    /// accuracy with the last band), the members one after another; then stacking's final
    /// classifier, then the ensemble's map by bands and its test accuracy.
    fn advance(&mut self) -> Result<Progress> {
        let m = self.members.len();
        let i = self.member_maps.len();
        if i < m {
            if self.fitted_members().len() == i {
                match &mut self.stack {
                    Some(run) => {
                        run.step()?;
                    }
                    None => self.fitted.push(self.members[i].fit(&self.train)?),
                }
                return Ok(Progress::Running);
            }
            // Borrowed field by field, so the bands can be filled meanwhile.
            let member = match &self.stack {
                Some(run) => &run.members()[i],
                None => &self.fitted[i],
            };
            if let Some(map) = self.band.next(&self.grid, |x| member.predict_proba(x))? {
                let accuracy = member.score(self.test.x.view(), self.test.y.view())?;
                self.member_maps.push(map);
                self.member_accuracy.push(accuracy);
            }
            return Ok(Progress::Running);
        }
        let Some(ensemble) = &self.ensemble else {
            self.ensemble = Some(match self.stack.as_mut() {
                Some(run) => {
                    run.step()?;
                    match run.fitted() {
                        Some(model) => Ensemble::Stacking(Box::new(model.clone())),
                        None => return Ok(Progress::Running),
                    }
                }
                None => {
                    let voting = if self.method == Method::Hard {
                        Voting::Hard
                    } else {
                        Voting::Soft
                    };
                    // The members are already fitted on these rows: assemble the ensemble
                    // `VotingClassifierParams::fit` would build, rather than fit them again.
                    let params = VotingClassifierParams::default()
                        .estimators(self.members.clone())
                        .voting(voting);
                    Ensemble::Voting(VotingClassifier {
                        classes: crate::metrics::unique_labels([self.train.y.view()]),
                        members: std::mem::take(&mut self.fitted),
                        params,
                    })
                }
            });
            return Ok(Progress::Running);
        };
        let method = self.method;
        let scores = |x: ArrayView2<f64>| match ensemble {
            Ensemble::Voting(v) if method == Method::Hard => v.vote_counts(x),
            Ensemble::Voting(v) => v.predict_proba(x),
            Ensemble::Stacking(s) => s.predict_proba(x),
        };
        let Some(map) = self.band.next(&self.grid, scores)? else {
            return Ok(Progress::Running);
        };
        let (x, y) = (self.test.x.view(), self.test.y.view());
        self.ensemble_accuracy = match ensemble {
            Ensemble::Voting(v) => v.score(x, y)?,
            Ensemble::Stacking(s) => s.score(x, y)?,
        };
        self.ensemble_map = Some(map);
        Ok(Progress::Done)
    }

    fn method_name(&self) -> &'static str {
        match self.method {
            Method::Hard => "Hard voting",
            Method::Soft => "Soft voting",
            Method::Stacking => "Stacking",
        }
    }

    fn region_colour(c: usize, sure: f64) -> RGBColor {
        tint(class_colour(c), 0.1 + 0.4 * sure)
    }

    fn draw_member<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        i: usize,
    ) -> Result<()> {
        let name = self.members[i].name();
        let (map, title) = match (self.member_maps.get(i), self.member_accuracy.get(i)) {
            (Some(map), Some(a)) => (map.clone(), format!("{name}: {a:.3}")),
            _ => (Array2::zeros((0, 0)), format!("{name} (fitting)")),
        };
        let mut chart = self.grid.draw(area, &title, &map, Self::region_colour)?;
        let classes = crate::metrics::unique_labels([self.train.y.view()]);
        let class_of = |v: f64| classes.iter().position(|&c| c == v).unwrap_or(0);
        chart.draw_series(
            self.train
                .x
                .rows()
                .into_iter()
                .zip(&self.train.y)
                .map(|(r, &y)| Circle::new((r[0], r[1]), 2, class_colour(class_of(y)).filled())),
        )?;
        Ok(())
    }

    fn draw_ensemble<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let title = match self.ensemble_map {
            Some(_) => format!("{}: test {:.3}", self.method_name(), self.ensemble_accuracy),
            None => format!("{} (waiting for the members)", self.method_name()),
        };
        let empty = Array2::zeros((0, 0));
        let map = self.ensemble_map.as_ref().unwrap_or(&empty);
        let mut chart = self.grid.draw(area, &title, map, Self::region_colour)?;
        let classes = crate::metrics::unique_labels([self.train.y.view()]);
        draw_class_points(
            &mut chart,
            &self.train,
            &self.test,
            &classes,
            &self.class_names,
        )?;
        viz::legend(&mut chart, area, SeriesLabelPosition::LowerRight)
    }

    fn draw_bars<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let mut bars: Vec<(String, f64, RGBColor)> = self
            .members
            .iter()
            .zip(&self.member_accuracy)
            .map(|(m, &a)| (m.name().to_string(), a, viz::GREY))
            .collect();
        if self.ensemble_map.is_some() {
            bars.push((
                self.method_name().to_lowercase(),
                self.ensemble_accuracy,
                viz::RED,
            ));
        }
        let lo = bars.iter().map(|b| b.1).fold(1.0_f64, f64::min);
        let lo = ((lo - 0.1) * 20.0).floor().max(0.0) / 20.0;
        let fs = viz::font_size(area);
        let slots = (self.members.len() + 1) as f64;
        let mut chart = ChartBuilder::on(area)
            .caption(
                "Test accuracy",
                ("sans-serif", fs + 2).into_font().color(&viz::INK),
            )
            .margin(fs / 2 + 4)
            .x_label_area_size(fs * 3)
            .y_label_area_size(4)
            .build_cartesian_2d(lo..1.0, 0.0..slots)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(5)
            .x_desc("accuracy on the test points")
            .label_style(("sans-serif", fs).into_font().color(&viz::INK))
            .axis_desc_style(("sans-serif", fs).into_font().color(&viz::INK))
            .light_line_style(RGBColor(235, 235, 235))
            .x_label_formatter(&|v| viz::tick_label(*v))
            .draw()?;
        // The first member at the top, the ensemble at the bottom.
        let top = |i: usize| slots - i as f64 - 0.15;
        chart.draw_series(bars.iter().enumerate().map(|(i, (_, a, c))| {
            Rectangle::new([(lo, top(i)), (*a, top(i) - 0.7)], c.mix(0.8).filled())
        }))?;
        chart.draw_series(bars.iter().enumerate().map(|(i, (name, a, _))| {
            Text::new(
                format!("{name}  {a:.3}"),
                (lo + (1.0 - lo) * 0.02, top(i) - 0.2),
                ("sans-serif", fs).into_font().color(&viz::INK),
            )
        }))?;
        Ok(())
    }
}

impl Demo for VotingDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        self.progress = match self.advance() {
            Ok(p) => p,
            Err(e) => {
                self.error = Some(e.to_string());
                Progress::Diverged
            }
        };
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        // A fit or a band takes a few milliseconds; the frame's time budget stops it earlier.
        4
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        for (i, small) in panels[0].split_evenly((2, 2)).iter().enumerate() {
            if i < self.members.len() {
                self.draw_member(small, i)?;
            }
        }
        self.draw_ensemble(&panels[1])?;
        self.draw_bars(&panels[2])
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        const KEYS: [(&str, &str); 4] = [
            ("logistic_accuracy", "Logistic regression, test accuracy"),
            ("svc_accuracy", "SVC, test accuracy"),
            ("tree_accuracy", "Decision tree, test accuracy"),
            ("knn_accuracy", "k-NN, test accuracy"),
        ];
        let mut out: Vec<Metric> = KEYS
            .iter()
            .enumerate()
            .map(|(i, &(key, label))| {
                Metric::new(
                    key,
                    label,
                    self.member_accuracy.get(i).copied().unwrap_or(f64::NAN),
                )
            })
            .collect();
        out.push(Metric::new(
            "ensemble_accuracy",
            "Ensemble, test accuracy",
            self.ensemble_accuracy,
        ));
        out
    }

    fn status(&self) -> Option<String> {
        self.error
            .as_ref()
            .map(|e| format!("The ensemble could not be fitted: {e}"))
    }
}

/// The members and the ensemble in scikit-learn.
fn python_script(params: &Params, seed: u64) -> String {
    let seed = python::seed(seed);
    let method = params.choice("method");
    let mut s = Script::new();
    classification_data_python(&mut s, params, seed);
    s.split(0.25, seed)
        .import("from sklearn.linear_model import LogisticRegression")
        .import("from sklearn.neighbors import KNeighborsClassifier")
        .import("from sklearn.svm import SVC")
        .import("from sklearn.tree import DecisionTreeClassifier");
    let svc = if method == "hard-voting" {
        "SVC()".to_string()
    } else {
        // Platt scaling in both; scikit-learn fits the sigmoid on 5-fold cross-validated
        // decision values, mlplay on the SVC's own training decision values.
        s.import("from sklearn.calibration import CalibratedClassifierCV");
        "CalibratedClassifierCV(SVC(), ensemble=False)".to_string()
    };
    let ensemble = match method {
        "stacking" => {
            s.import("from sklearn.ensemble import StackingClassifier");
            "StackingClassifier(members, final_estimator=LogisticRegression(), cv=5)".to_string()
        }
        _ => {
            s.import("from sklearn.ensemble import VotingClassifier");
            format!(
                "VotingClassifier(members, voting=\"{}\")",
                if method == "hard-voting" {
                    "hard"
                } else {
                    "soft"
                }
            )
        }
    };
    s.push(&format!(
        "\nmembers = [\n\
         \x20   (\"Logistic regression\", LogisticRegression()),\n\
         \x20   (\"SVC\", {svc}),\n\
         \x20   (\"Decision tree\", DecisionTreeClassifier(max_depth={}, random_state={seed})),\n\
         \x20   (\"k-NN\", KNeighborsClassifier(n_neighbors={})),\n\
         ]\n\
         for name, model in members:\n\
         \x20   model.fit(X_train, y_train)\n\
         \x20   print(f\"{{name}}, test accuracy:\", model.score(X_test, y_test))\n\
         ensemble = {ensemble}\n\
         ensemble.fit(X_train, y_train)\n\
         print(\"Ensemble, test accuracy:\", ensemble.score(X_test, y_test))",
        params.usize("max_depth"),
        params.usize("n_neighbors"),
    ));
    s.finish()
}
