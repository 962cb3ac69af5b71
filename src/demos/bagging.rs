//! Chapter 7: one deep tree against an ensemble of trees (bagging, a random forest or extra trees)
//! on noisy moons or the reader's own CSV, one tree added per tick. Left, the single tree's
//! decision regions; middle, the ensemble's (shaded by how sure the vote is); right, the ensemble's
//! train, test and out-of-bag accuracy after each tree. Metrics: both models' accuracies and the
//! mean accuracy of one ensemble tree alone.

use super::decision_tree::{
    class_colour, draw_class_points, tint, CLASSES_UPLOAD, NOISE_PARAM, SAMPLES_PARAM,
};
use super::python::{self, Script};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::upload::ClassNames;
use crate::data::{generators, Dataset};
use crate::ensemble::{
    BaggingClassifierParams, ExtraTreesClassifierParams, ForestClassifierRun, Portion,
    RandomForestClassifierParams,
};
use crate::error::Result;
use crate::estimator::{Classifier, Fit, Iterative, Progress};
use crate::metrics::argmax_labels;
use crate::model_selection::train_test_split;
use crate::rng::Rng;
use crate::tree::{DecisionTreeClassifierParams, MaxFeatures};
use crate::viz::{self, ClassGrid};
use ndarray::{Array1, Array2, ArrayView2};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Cells per axis of the grid the ensemble's vote is kept on for drawing.
const GRID: usize = 90;

/// Running sums of class probabilities over some rows, and of how many trees voted on each.
struct Votes {
    sum: Array2<f64>,
    count: Vec<usize>,
}

impl Votes {
    fn new(n: usize, k: usize) -> Self {
        Votes {
            sum: Array2::zeros((n, k)),
            count: vec![0; n],
        }
    }

    /// Adds one tree's probabilities on the rows `use_row` allows.
    fn add(&mut self, p: &Array2<f64>, use_row: impl Fn(usize) -> bool) {
        for i in 0..self.count.len() {
            if use_row(i) {
                self.sum.row_mut(i).scaled_add(1.0, &p.row(i));
                self.count[i] += 1;
            }
        }
    }

    /// Accuracy of the majority vote on the rows with at least one vote (NaN if none has).
    fn accuracy(&self, y: &Array1<f64>, classes: &[f64]) -> f64 {
        let pred = argmax_labels(self.sum.view(), classes);
        let (mut right, mut n) = (0usize, 0usize);
        for i in 0..self.count.len() {
            if self.count[i] > 0 {
                n += 1;
                right += usize::from(pred[i] == y[i]);
            }
        }
        if n == 0 {
            f64::NAN
        } else {
            right as f64 / n as f64
        }
    }
}

pub struct BaggingDemo {
    train: Dataset,
    test: Dataset,
    classes: Vec<f64>,
    run: Box<ForestClassifierRun>,
    n_estimators: usize,
    bootstrap: bool,
    /// The single deep tree: its class probabilities on the grid and its test accuracy.
    tree_grid: Array2<f64>,
    tree_test_accuracy: f64,
    grid: ClassGrid,
    grid_votes: Votes,
    train_votes: Votes,
    test_votes: Votes,
    oob_votes: Votes,
    /// Sum over the ensemble's trees of each one's own test accuracy.
    tree_accuracy_sum: f64,
    /// Train, test and out-of-bag accuracy after each tree.
    history: Vec<(f64, f64, f64)>,
    progress: Progress,
    model_name: &'static str,
    class_names: ClassNames,
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl BaggingDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "bagging",
        title: "One deep tree against a forest of them",
        chapter: "07-ensemble-learning",
        upload: CLASSES_UPLOAD,
        params: &[
            ParamSpec {
                key: "model",
                label: "Ensemble",
                help: "Bagging: every split sees both features. Random forest: each split sees max_features random features. Extra trees: as the forest, with one random threshold per feature.",
                kind: ParamKind::Choice {
                    options: &["random-forest", "bagging", "extra-trees"],
                    default: "random-forest",
                },
            },
            ParamSpec {
                key: "n_estimators",
                label: "n_estimators",
                help: "Trees in the ensemble; one is added per frame.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 300,
                    default: 100,
                },
            },
            ParamSpec {
                key: "max_samples",
                label: "max_samples",
                help: "Fraction of the training points each tree draws (the forests ignore it without bootstrap, as scikit-learn does).",
                kind: ParamKind::Float {
                    min: 0.05,
                    max: 1.0,
                    default: 1.0,
                    log: false,
                },
            },
            ParamSpec {
                key: "bootstrap",
                label: "bootstrap",
                help: "Draw with replacement (then about a third of the points are out of bag for each tree); off, each tree draws without replacement.",
                kind: ParamKind::Bool { default: true },
            },
            ParamSpec {
                key: "max_features",
                label: "max_features",
                help: "Features each split may look at (random forest and extra trees; bagging always looks at both).",
                kind: ParamKind::Int {
                    min: 1,
                    max: 2,
                    default: 1,
                },
            },
            SAMPLES_PARAM,
            NOISE_PARAM,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let data = match params.upload() {
            Some(upload) => upload.dataset()?,
            None => generators::moons(params.usize("samples"), params.f64("noise"), &mut rng),
        };
        let (train_idx, test_idx) = train_test_split(data.n_samples(), 0.25, &mut rng)?;
        let (train, test) = (data.select(&train_idx), data.select(&test_idx));
        let n_estimators = params.usize("n_estimators");
        let bootstrap = params.bool("bootstrap");
        let frac = params.f64("max_samples");
        // Without bootstrap and with every row, each bagged tree would be the same tree.
        let max_samples = (frac < 1.0).then_some(Portion::Fraction(frac));
        let max_features = Some(MaxFeatures::Count(params.usize("max_features")));
        let tree_seed = rng.next_u64();
        let (run, model_name) = match params.choice("model") {
            "bagging" => (
                BaggingClassifierParams::default()
                    .n_estimators(n_estimators)
                    .max_samples(max_samples)
                    .bootstrap(bootstrap)
                    .random_state(tree_seed)
                    .start(&train)?,
                "Bagged trees",
            ),
            "extra-trees" => (
                ExtraTreesClassifierParams::default()
                    .n_estimators(n_estimators)
                    .max_samples(max_samples)
                    .bootstrap(bootstrap)
                    .max_features(max_features)
                    .random_state(tree_seed)
                    .start(&train)?,
                "Extra trees",
            ),
            _ => (
                RandomForestClassifierParams::default()
                    .n_estimators(n_estimators)
                    .max_samples(max_samples)
                    .bootstrap(bootstrap)
                    .max_features(max_features)
                    .random_state(tree_seed)
                    .start(&train)?,
                "Random forest",
            ),
        };
        // scikit-learn ignores max_samples for forests without bootstrap; so do we (the
        // forest params drop it), while bagging draws a subset.
        let classes = run.classes().to_vec();
        let k = classes.len();
        let tree = DecisionTreeClassifierParams::default().fit(&train)?;
        let grid = ClassGrid::around_data(&data, GRID);
        let tree_grid = tree.predict_proba(grid.points.view())?;
        let tree_test_accuracy = tree.score(test.x.view(), test.y.view())?;
        Ok(BaggingDemo {
            grid_votes: Votes::new(GRID * GRID, k),
            train_votes: Votes::new(train.n_samples(), k),
            test_votes: Votes::new(test.n_samples(), k),
            oob_votes: Votes::new(train.n_samples(), k),
            train,
            test,
            classes,
            run: Box::new(run),
            n_estimators,
            bootstrap,
            tree_grid,
            tree_test_accuracy,
            grid,
            tree_accuracy_sum: 0.0,
            history: Vec::new(),
            progress: Progress::Running,
            model_name,
            class_names: ClassNames::of(params.upload()),
            python: python_script(params, seed),
        })
    }

    /// Folds the newest tree into every running vote.
    fn absorb_newest(&mut self) -> Result<()> {
        let proba = |x: ArrayView2<f64>| -> Result<Array2<f64>> {
            Ok(self.run.newest_proba(x)?.unwrap_or_default())
        };
        let (pg, ptr, pte) = (
            proba(self.grid.points.view())?,
            proba(self.train.x.view())?,
            proba(self.test.x.view())?,
        );
        let mut in_bag = vec![false; self.train.n_samples()];
        for &i in self.run.newest_samples().unwrap_or(&[]) {
            in_bag[i] = true;
        }
        self.grid_votes.add(&pg, |_| true);
        self.train_votes.add(&ptr, |_| true);
        self.test_votes.add(&pte, |_| true);
        if self.bootstrap {
            self.oob_votes.add(&ptr, |i| !in_bag[i]);
        }
        let alone = argmax_labels(pte.view(), &self.classes);
        let right = alone
            .iter()
            .zip(&self.test.y)
            .filter(|(a, b)| a == b)
            .count();
        self.tree_accuracy_sum += right as f64 / self.test.n_samples().max(1) as f64;
        self.history.push((
            self.train_votes.accuracy(&self.train.y, &self.classes),
            self.test_votes.accuracy(&self.test.y, &self.classes),
            if self.bootstrap {
                self.oob_accuracy()
            } else {
                f64::NAN
            },
        ));
        Ok(())
    }

    /// Out-of-bag accuracy over the training rows at least one tree has not seen (while the
    /// forest is small some rows have no out-of-bag vote yet; after tens of trees all have).
    fn oob_accuracy(&self) -> f64 {
        self.oob_votes.accuracy(&self.train.y, &self.classes)
    }

    /// Decision regions from class probabilities on the grid, shaded by the winning share.
    fn draw_field<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title: &str,
        grid: &Array2<f64>,
    ) -> Result<()> {
        let mut chart = self.grid.draw(area, title, grid, |c, sure| {
            tint(class_colour(c), 0.08 + 0.4 * sure)
        })?;
        draw_class_points(
            &mut chart,
            &self.train,
            &self.test,
            &self.classes,
            &self.class_names,
        )?;
        Ok(())
    }

    fn draw_accuracy<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let n = self.n_estimators.max(2) as f64;
        let lo = self
            .history
            .iter()
            .flat_map(|&(a, b, c)| [a, b, c])
            .chain(std::iter::once(self.tree_test_accuracy))
            .filter(|v| v.is_finite())
            .fold(1.0_f64, f64::min);
        let mut chart = viz::chart(
            area,
            "Accuracy as trees are added",
            0.0..n,
            (lo - 0.03).max(0.0)..1.005,
            "trees",
            "accuracy",
        )?;
        let series = [
            ("train", 0usize, viz::BLUE),
            ("test", 1, viz::ORANGE),
            ("out-of-bag", 2, viz::GREEN),
        ];
        for (name, pick, colour) in series {
            let points: Vec<(f64, f64)> = self
                .history
                .iter()
                .enumerate()
                .map(|(i, &(a, b, c))| ((i + 1) as f64, [a, b, c][pick]))
                .filter(|p| p.1.is_finite())
                .collect();
            if points.is_empty() {
                continue;
            }
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        let t = self.tree_test_accuracy;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, t), (n, t)],
                6,
                4,
                viz::INK.stroke_width(1),
            ))?
            .label("one deep tree, test")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::INK.stroke_width(1)));
        viz::legend(&mut chart, area, SeriesLabelPosition::LowerRight)
    }
}

impl Demo for BaggingDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One more tree, folded into the votes.
    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        self.progress = self.run.step().unwrap_or(Progress::Diverged);
        if self.progress != Progress::Diverged && self.absorb_newest().is_err() {
            self.progress = Progress::Diverged;
        }
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_field(&panels[0], "One deep tree", &self.tree_grid)?;
        let title = format!("{}: {} trees", self.model_name, self.history.len());
        self.draw_field(&panels[1], &title, &self.grid_votes.sum)?;
        self.draw_accuracy(&panels[2])
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        let last = self
            .history
            .last()
            .copied()
            .unwrap_or((f64::NAN, f64::NAN, f64::NAN));
        let trees = self.history.len();
        vec![
            Metric::new("trees", "Trees", trees as f64),
            Metric::new("train_accuracy", "Ensemble train accuracy", last.0),
            Metric::new("test_accuracy", "Ensemble test accuracy", last.1),
            Metric::new("oob_accuracy", "Out-of-bag accuracy", last.2),
            Metric::new(
                "mean_tree_test_accuracy",
                "One ensemble tree alone, test (mean)",
                self.tree_accuracy_sum / trees.max(1) as f64,
            ),
            Metric::new(
                "tree_test_accuracy",
                "One deep tree on all points, test",
                self.tree_test_accuracy,
            ),
        ]
    }

    fn status(&self) -> Option<String> {
        match self.progress {
            Progress::Diverged => Some("The ensemble could not be grown on this data.".into()),
            _ => None,
        }
    }
}

/// The single tree and the ensemble in scikit-learn.
fn python_script(params: &Params, seed: u64) -> String {
    let n_estimators = params.usize("n_estimators");
    let bootstrap = params.bool("bootstrap");
    let frac = params.f64("max_samples");
    let seed = python::seed(seed);
    let mut s = Script::new();
    match params.upload() {
        Some(upload) => s.upload(upload),
        None => {
            s.push(python::RANDOM_NOTE)
                .moons(params.usize("samples"), params.f64("noise"), seed)
        }
    };
    s.split(0.25, seed)
        .import("import numpy as np")
        .import("from sklearn.tree import DecisionTreeClassifier");
    let py_bool = |b: bool| if b { "True" } else { "False" };
    // scikit-learn refuses max_samples on a forest without bootstrap (mlplay ignores it there).
    let max_samples = |forest: bool| {
        if frac < 1.0 && (bootstrap || !forest) {
            format!(", max_samples={}", python::float(frac))
        } else {
            String::new()
        }
    };
    let common = format!(
        "bootstrap={}, oob_score={}, random_state={seed}",
        py_bool(bootstrap),
        py_bool(bootstrap)
    );
    let max_features = params.usize("max_features");
    let ensemble = match params.choice("model") {
        "bagging" => {
            s.import("from sklearn.ensemble import BaggingClassifier");
            format!(
                "BaggingClassifier(DecisionTreeClassifier(), n_estimators={n_estimators}{},\n\
                 \x20                            {common})",
                max_samples(false)
            )
        }
        "extra-trees" => {
            s.import("from sklearn.ensemble import ExtraTreesClassifier");
            format!(
                "ExtraTreesClassifier(n_estimators={n_estimators}, max_features={max_features}{},\n\
                 \x20                               {common})",
                max_samples(true)
            )
        }
        _ => {
            s.import("from sklearn.ensemble import RandomForestClassifier");
            format!(
                "RandomForestClassifier(n_estimators={n_estimators}, max_features={max_features}{},\n\
                 \x20                                 {common})",
                max_samples(true)
            )
        }
    };
    s.push(&format!(
        "\ntree = DecisionTreeClassifier(random_state={seed}).fit(X_train, y_train)\n\
         ensemble = {ensemble}\n\
         ensemble.fit(X_train, y_train)\n\
         print(\"Trees:\", len(ensemble.estimators_))\n\
         print(\"Ensemble train accuracy:\", ensemble.score(X_train, y_train))\n\
         print(\"Ensemble test accuracy:\", ensemble.score(X_test, y_test))\n\
         {}\n\
         print(\"One ensemble tree alone, test (mean):\",\n\
         \x20     np.mean([t.score(X_test, y_test) for t in ensemble.estimators_]))\n\
         print(\"One deep tree on all points, test:\", tree.score(X_test, y_test))",
        if bootstrap {
            "print(\"Out-of-bag accuracy:\", ensemble.oob_score_)"
        } else {
            "# Out-of-bag accuracy needs bootstrap: without it no point is left out of every tree."
        }
    ));
    s.finish()
}
