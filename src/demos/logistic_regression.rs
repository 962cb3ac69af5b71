//! Chapter 4: logistic (and softmax) regression on 2-D blobs, moons, circles, iris or the reader's
//! own CSV, with polynomial features. Each tick is one L-BFGS iteration of the real solver, so the
//! reader watches the probability field and the decision boundary settle; beside it, the log-loss
//! per iteration and the ROC curve on held-out points.

use super::decision_tree::{class_colour, CLASSES_UPLOAD};
use super::python::{self, Script, RANDOM_NOTE};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::upload::{ClassNames, MAX_CLASSES};
use crate::data::{bundled, generators, Dataset};
use crate::error::Result;
use crate::estimator::{Classifier, Iterative, Progress};
use crate::linear::{LogisticRegression, LogisticRegressionParams, LogisticRun};
use crate::metrics::{log_loss, roc_auc_score, roc_curve, RocCurve};
use crate::model_selection::train_test_split;
use crate::preprocessing::{PolynomialFeatures, StandardScaler, StandardScalerParams};
use crate::rng::Rng;
use crate::viz::{self, raster_field};
use ndarray::Array2;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Logistic regression's inverse regularisation strength, shared by the demos that train one.
pub(crate) const C_PARAM: ParamSpec = ParamSpec {
    key: "C",
    label: "C (inverse regularisation)",
    help: "Small C pulls the weights towards 0 (soft, wide boundaries); large C barely penalises them.",
    kind: ParamKind::Float {
        min: 1e-3,
        max: 1e3,
        default: 1.0,
        log: true,
    },
};

/// Grid cells per side on which the probability field is evaluated, then interpolated per pixel.
const FIELD_GRID: usize = 120;
/// Enough for every setting to converge at scikit-learn's `tol`; the animation stops earlier.
const MAX_ITER: usize = 1000;

/// PolynomialFeatures -> StandardScaler, fitted on the training points; the model sees its output.
struct Features {
    poly: PolynomialFeatures,
    scaler: StandardScaler,
}

impl Features {
    fn transform(&self, x: &Array2<f64>) -> Result<Array2<f64>> {
        self.scaler.transform(self.poly.transform(x.view())?.view())
    }
}

/// Scores of one fitted model on the train and test points.
#[derive(Debug, Clone, Copy)]
struct Scores {
    train_log_loss: f64,
    test_log_loss: f64,
    train_accuracy: f64,
    test_accuracy: f64,
}

pub struct LogisticRegressionDemo {
    train: Dataset,
    test: Dataset,
    /// The same points after the feature pipeline.
    train_features: Array2<f64>,
    test_features: Array2<f64>,
    features: Features,
    degree: usize,
    c: f64,
    // Boxed: the registry's enum is as large as its largest demo.
    run: Box<LogisticRun>,
    model: Box<LogisticRegression>,
    /// Train and test log-loss before the first iteration and after each.
    history: Vec<(f64, f64)>,
    scores: Scores,
    progress: Progress,
    x_range: std::ops::Range<f64>,
    y_range: std::ops::Range<f64>,
    /// The "Python equivalent" of these parameters.
    python: String,
    /// Axis titles, and the class names for the legend (iris species, an uploaded file's
    /// labels; otherwise "class k").
    axes: (String, String),
    iris_names: Option<[&'static str; 3]>,
    class_names: ClassNames,
}

impl LogisticRegressionDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "logistic-regression",
        title: "Logistic regression: probabilities and decision boundaries",
        chapter: "04-training-linear-models",
        upload: CLASSES_UPLOAD,
        params: &[
            ParamSpec {
                key: "dataset",
                label: "Dataset",
                help: "Blobs are (nearly) linearly separable; moons and circles need curved boundaries. Iris is Fisher's 150 flowers by petal length and width, three species (samples, noise and classes do not apply).",
                kind: ParamKind::Choice {
                    options: &["blobs", "moons", "circles", "iris"],
                    default: "blobs",
                },
            },
            ParamSpec {
                key: "classes",
                label: "Classes (blobs)",
                help: "Two classes use the sigmoid; three use softmax regression.",
                kind: ParamKind::Int {
                    min: 2,
                    max: 3,
                    default: 2,
                },
            },
            C_PARAM,
            ParamSpec {
                key: "degree",
                label: "Polynomial degree",
                help: "Features x1, x2 expanded to every monomial up to this degree, then standardised.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 6,
                    default: 1,
                },
            },
            ParamSpec {
                key: "samples",
                label: "Samples",
                help: "Points generated; a quarter is held out as the test set.",
                kind: ParamKind::Int {
                    min: 20,
                    max: 1000,
                    default: 200,
                },
            },
            ParamSpec {
                key: "noise",
                label: "Noise",
                help: "Spread of the points: more noise makes the classes overlap.",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 1.0,
                    default: 0.3,
                    log: false,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let n = params.usize("samples");
        let noise = params.f64("noise");
        let upload = params.upload();
        let iris = upload.is_none() && params.choice("dataset") == "iris";
        let data = match upload {
            Some(u) => u.dataset()?,
            None => match params.choice("dataset") {
                "iris" => {
                    let all = bundled::iris()?;
                    // Petal length and width: the two measurements that tell the species apart.
                    Dataset::new(all.x.select(ndarray::Axis(1), &[2, 3]), all.y)?
                }
                "moons" => generators::moons(n, noise, &mut rng),
                "circles" => generators::circles(n, 0.5, noise, &mut rng),
                _ => {
                    let centres = if params.usize("classes") >= 3 {
                        ndarray::array![[-2.0, -1.2], [2.0, -1.2], [0.0, 2.0]]
                    } else {
                        ndarray::array![[-1.5, -1.0], [1.5, 1.0]]
                    };
                    generators::blobs(n, &centres, 0.4 + 2.0 * noise, &mut rng)
                }
            },
        };
        let (train_idx, test_idx) = train_test_split(data.n_samples(), 0.25, &mut rng)?;
        let (train, test) = (data.select(&train_idx), data.select(&test_idx));
        let degree = params.usize("degree");
        let poly = PolynomialFeatures::new(degree, false);
        let scaler = StandardScalerParams::default().fit(poly.transform(train.x.view())?.view())?;
        let features = Features { poly, scaler };
        let train_features = features.transform(&train.x)?;
        let test_features = features.transform(&test.x)?;
        let c = params.f64("C");
        let run = LogisticRegressionParams::default()
            .c(c)
            .max_iter(MAX_ITER)
            .start(&Dataset::new(train_features.clone(), train.y.clone())?)?;
        let model = Box::new(run.model());
        let run = Box::new(run);
        let (x0, x1) = viz::extent(data.x.column(0).iter().copied());
        let (y0, y1) = viz::extent(data.x.column(1).iter().copied());
        let mut demo = LogisticRegressionDemo {
            train,
            test,
            train_features,
            test_features,
            features,
            degree,
            c,
            run,
            model,
            history: Vec::new(),
            scores: Scores {
                train_log_loss: f64::NAN,
                test_log_loss: f64::NAN,
                train_accuracy: f64::NAN,
                test_accuracy: f64::NAN,
            },
            progress: Progress::Running,
            x_range: viz::padded(x0, x1, 0.08),
            y_range: viz::padded(y0, y1, 0.08),
            python: python_script(params, seed),
            axes: if iris {
                ("petal length (cm)".into(), "petal width (cm)".into())
            } else {
                (data.feature_names[0].clone(), data.feature_names[1].clone())
            },
            iris_names: iris.then_some(bundled::IRIS_SPECIES),
            class_names: ClassNames::of(upload),
        };
        demo.record()?;
        Ok(demo)
    }

    /// Scores the current model and appends its losses to the history.
    fn record(&mut self) -> Result<()> {
        let m = &self.model;
        let train_proba = m.predict_proba(self.train_features.view())?;
        let test_proba = m.predict_proba(self.test_features.view())?;
        self.scores = Scores {
            train_log_loss: log_loss(self.train.y.view(), train_proba.view(), &m.classes)?,
            // A test set can miss a class the model knows of; log_loss then still works per row.
            test_log_loss: log_loss(self.test.y.view(), test_proba.view(), &m.classes)?,
            train_accuracy: m.score(self.train_features.view(), self.train.y.view())?,
            test_accuracy: m.score(self.test_features.view(), self.test.y.view())?,
        };
        self.history
            .push((self.scores.train_log_loss, self.scores.test_log_loss));
        Ok(())
    }

    /// The legend's name of class index `c`: the species for iris, the label of an uploaded
    /// file, else "class LABEL".
    fn class_name(&self, c: usize) -> String {
        match self.iris_names {
            Some(names) => names[c].to_string(),
            None => self.class_names.name(self.model.classes[c]),
        }
    }

    fn n_classes(&self) -> usize {
        self.model.classes.len()
    }

    /// One-vs-rest ROC curves on the test set (one curve for two classes) with their AUCs.
    fn roc_curves(&self) -> Vec<(usize, RocCurve, f64)> {
        let Ok(proba) = self.model.predict_proba(self.test_features.view()) else {
            return Vec::new();
        };
        let k = self.n_classes();
        let positives: Vec<usize> = if k == 2 { vec![1] } else { (0..k).collect() };
        positives
            .into_iter()
            .filter_map(|c| {
                let label = self.model.classes[c];
                // One class against the rest: relabel to 1 / 0 and score by its probability.
                let y = self.test.y.mapv(|v| f64::from(v == label));
                let score = proba.column(c).to_owned();
                let roc = roc_curve(y.view(), score.view(), 1.0).ok()?;
                let auc = roc_auc_score(y.view(), score.view()).ok()?;
                Some((c, roc, auc))
            })
            .collect()
    }

    /// The AUC (macro average of the one-vs-rest AUCs with three classes), NaN if undefined.
    fn auc(&self) -> f64 {
        let curves = self.roc_curves();
        if curves.is_empty() {
            return f64::NAN;
        }
        curves.iter().map(|c| c.2).sum::<f64>() / curves.len() as f64
    }

    /// Class probabilities on a regular grid over the plot, row `i * FIELD_GRID + j` at
    /// `(x_j, y_i)`: one batched prediction instead of one per pixel.
    fn field(&self) -> Result<Array2<f64>> {
        let g = FIELD_GRID;
        let (xr, yr) = (&self.x_range, &self.y_range);
        let points = Array2::from_shape_fn((g * g, 2), |(r, c)| {
            let (i, j) = (r / g, r % g);
            if c == 0 {
                xr.start + (xr.end - xr.start) * j as f64 / (g - 1) as f64
            } else {
                yr.start + (yr.end - yr.start) * i as f64 / (g - 1) as f64
            }
        });
        self.model
            .predict_proba(self.features.transform(&points)?.view())
    }

    fn draw_field<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let title = format!(
            "P(class), degree {}, C = {}",
            self.degree,
            viz::tick_label(self.c)
        );
        let mut chart = viz::chart(
            area,
            &title,
            self.x_range.clone(),
            self.y_range.clone(),
            &self.axes.0,
            &self.axes.1,
        )?;
        let field = self.field()?;
        let k = self.n_classes();
        let g = FIELD_GRID;
        let (xr, yr) = (self.x_range.clone(), self.y_range.clone());
        // Bilinear interpolation of the grid's probabilities at a data point.
        let proba_at = |x: f64, y: f64| -> [f64; MAX_CLASSES] {
            let fx =
                ((x - xr.start) / (xr.end - xr.start) * (g - 1) as f64).clamp(0.0, (g - 1) as f64);
            let fy =
                ((y - yr.start) / (yr.end - yr.start) * (g - 1) as f64).clamp(0.0, (g - 1) as f64);
            let (j, i) = ((fx as usize).min(g - 2), (fy as usize).min(g - 2));
            let (tx, ty) = (fx - j as f64, fy - i as f64);
            let mut out = [0.0; MAX_CLASSES];
            for (c, o) in out.iter_mut().enumerate().take(k) {
                let v = |ii: usize, jj: usize| field[[ii * g + jj, c]];
                *o = (1.0 - ty) * ((1.0 - tx) * v(i, j) + tx * v(i, j + 1))
                    + ty * ((1.0 - tx) * v(i + 1, j) + tx * v(i + 1, j + 1));
            }
            out
        };
        let argmax = |p: &[f64; MAX_CLASSES]| crate::metrics::argmax(&p[..k]);
        // A pixel is on the boundary when the winning class differs half a pixel to its right or above.
        let (px, py) = chart.plotting_area().get_pixel_range();
        let dx = (xr.end - xr.start) / (px.end - px.start).max(1) as f64;
        let dy = (yr.end - yr.start) / (py.end - py.start).max(1) as f64;
        raster_field(&mut chart, 1, |x, y| {
            let p = proba_at(x, y);
            let best = argmax(&p);
            let right = argmax(&proba_at(x + dx, y));
            let up = argmax(&proba_at(x, y + dy));
            if best != right || best != up {
                return viz::INK;
            }
            // Stronger colour for more confident regions: white at 1/k, 65% of the class colour at 1.
            let confidence = ((p[best] - 1.0 / k as f64) / (1.0 - 1.0 / k as f64)).clamp(0.0, 1.0);
            let col = class_colour(best);
            let mix = |a: u8| (255.0 + 0.65 * confidence * (a as f64 - 255.0)).round() as u8;
            RGBColor(mix(col.0), mix(col.1), mix(col.2))
        })?;
        let class_of = |v: f64| self.model.classes.iter().position(|&c| c == v).unwrap_or(0);
        for c in 0..k {
            let colour = class_colour(c);
            let train = self
                .train
                .x
                .rows()
                .into_iter()
                .zip(self.train.y.iter())
                .filter(|(_, &y)| class_of(y) == c)
                .map(|(r, _)| (r[0], r[1]));
            chart
                .draw_series(train.map(|p| {
                    EmptyElement::at(p)
                        + Circle::new((0, 0), 4, colour.filled())
                        + Circle::new((0, 0), 4, WHITE.stroke_width(1))
                }))?
                .label(self.class_name(c))
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, colour.filled()));
            let test = self
                .test
                .x
                .rows()
                .into_iter()
                .zip(self.test.y.iter())
                .filter(|(_, &y)| class_of(y) == c)
                .map(|(r, _)| (r[0], r[1]));
            chart.draw_series(test.map(|p| Circle::new(p, 4, colour.stroke_width(2))))?;
        }
        // Filled dots are the training points, rings the held-out test points.
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
            .label("test (rings)")
            .legend(|(x, y)| Circle::new((x + 8, y), 4, viz::INK.stroke_width(2)));
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperLeft)
    }

    fn draw_loss<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        // A linear axis from 0: log-losses here span less than a decade, too little for log ticks.
        let (_, top) = viz::extent(self.history.iter().flat_map(|h| [h.0, h.1]));
        let (lo, hi) = (0.0, top * 1.1);
        let iterations = (self.history.len().saturating_sub(1)).max(10) as f64;
        let mut chart = viz::chart(
            area,
            "Log-loss per L-BFGS iteration",
            0.0..iterations,
            lo..hi,
            "iteration",
            "mean log-loss",
        )?;
        let clip = |v: f64| if v.is_finite() { v.clamp(lo, hi) } else { hi };
        for (which, colour, label) in [(0, viz::BLUE, "train"), (1, viz::ORANGE, "test")] {
            chart
                .draw_series(
                    LineSeries::new(
                        self.history
                            .iter()
                            .enumerate()
                            .map(|(i, h)| (i as f64, clip(if which == 0 { h.0 } else { h.1 }))),
                        colour.stroke_width(2),
                    )
                    .point_size(if self.history.len() < 60 { 2 } else { 0 }),
                )?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }

    fn draw_roc<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let curves = self.roc_curves();
        let title = if self.n_classes() == 2 {
            format!("ROC on the test set, AUC = {:.3}", self.auc())
        } else {
            format!("ROC, one class vs rest, mean AUC = {:.3}", self.auc())
        };
        let mut chart = viz::roc_chart(area, &title)?;
        for (c, roc, auc) in &curves {
            let colour = if curves.len() == 1 {
                viz::RED
            } else {
                class_colour(*c)
            };
            let label = if curves.len() == 1 {
                format!("AUC {auc:.3}")
            } else {
                format!("{} AUC {auc:.3}", self.class_name(*c))
            };
            let points: Vec<(f64, f64)> = roc
                .fpr
                .iter()
                .zip(&roc.tpr)
                .filter(|(a, b)| a.is_finite() && b.is_finite())
                .map(|(&a, &b)| (a, b))
                .collect();
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        if curves.is_empty() {
            viz::centered_text(area, "the test set holds one class only")?;
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::LowerRight)
    }
}

impl Demo for LogisticRegressionDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One L-BFGS iteration, then the new model is scored.
    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        self.progress = self.run.step().unwrap_or(Progress::Diverged);
        if self.progress != Progress::Diverged {
            *self.model = self.run.model();
            if self.record().is_err() {
                self.progress = Progress::Diverged;
            }
        }
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        // One iteration per frame: the boundary visibly moves, and a fit takes a second or two.
        1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_field(&panels[0])?;
        self.draw_loss(&panels[1])?;
        self.draw_roc(&panels[2])?;
        Ok(())
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        vec![
            Metric::new(
                "iteration",
                "L-BFGS iterations",
                self.run.iterations() as f64,
            ),
            Metric::new("log_loss", "Train log-loss", self.scores.train_log_loss),
            Metric::new("test_log_loss", "Test log-loss", self.scores.test_log_loss),
            Metric::new(
                "train_accuracy",
                "Train accuracy",
                self.scores.train_accuracy,
            ),
            Metric::new("test_accuracy", "Test accuracy", self.scores.test_accuracy),
            Metric::new("auc", "Test ROC AUC", self.auc()),
        ]
    }

    fn status(&self) -> Option<String> {
        match self.progress {
            Progress::Diverged => Some(
                "The solver hit a numerical problem; lower C or the polynomial degree.".into(),
            ),
            Progress::Done if self.run.converged() => Some(format!(
                "Converged after {} L-BFGS iterations (largest gradient component below 1e-4).",
                self.run.iterations()
            )),
            Progress::Done => Some(format!(
                "Stopped after {} iterations without meeting the tolerance: the classes are (almost) separable and C is large, so the weights keep growing.",
                self.run.iterations()
            )),
            Progress::Running => None,
        }
    }
}

/// The model in scikit-learn: polynomial features, scaled, then logistic regression (L-BFGS).
fn python_script(params: &Params, seed: u64) -> String {
    let mut s = Script::new();
    if let Some(upload) = params.upload() {
        s.upload(upload);
    } else {
        python_data(&mut s, params, seed);
    }
    s.split(0.25, seed)
        .import("from sklearn.linear_model import LogisticRegression")
        .import("from sklearn.metrics import log_loss, roc_auc_score")
        .import("from sklearn.pipeline import make_pipeline")
        .import("from sklearn.preprocessing import PolynomialFeatures, StandardScaler")
        .push(&format!(
            "\nmodel = make_pipeline(PolynomialFeatures(degree={}, include_bias=False), StandardScaler(),\n\
             \x20                     LogisticRegression(C={}, max_iter={MAX_ITER}))\n\
             model.fit(X_train, y_train)\n\
             proba_train, proba_test = model.predict_proba(X_train), model.predict_proba(X_test)\n\
             classes = model.classes_\n\
             print(\"L-BFGS iterations:\", model[-1].n_iter_[0])\n\
             print(\"Train log-loss:\", log_loss(y_train, proba_train, labels=classes))\n\
             print(\"Test log-loss:\", log_loss(y_test, proba_test, labels=classes))\n\
             print(\"Train accuracy:\", model.score(X_train, y_train))\n\
             print(\"Test accuracy:\", model.score(X_test, y_test))\n\
             if len(classes) == 2:\n\
             \x20   print(\"Test ROC AUC:\", roc_auc_score(y_test, proba_test[:, 1]))\n\
             else:  # one class against the rest, averaged\n\
             \x20   print(\"Test ROC AUC:\", roc_auc_score(y_test, proba_test, multi_class=\"ovr\", labels=classes))",
            params.usize("degree"),
            python::float(params.f64("C")),
        ));
    s.finish()
}

/// Appends the Python that makes the demo's own points (`X`, `y`).
fn python_data(s: &mut Script, params: &Params, seed: u64) {
    let n = params.usize("samples");
    let noise = params.f64("noise");
    s.push(RANDOM_NOTE);
    match params.choice("dataset") {
        "iris" => s
            .import("from sklearn.datasets import load_iris")
            .push("iris = load_iris()  # the same 150 flowers; only the split's shuffle differs\nX, y = iris.data[:, 2:], iris.target  # petal length and width (cm)"),
        "moons" => s.moons(n, noise, seed),
        "circles" => s.circles(n, 0.5, noise, seed),
        _ if params.usize("classes") >= 3 => s.blobs(
            n,
            &[[-2.0, -1.2], [2.0, -1.2], [0.0, 2.0]],
            0.4 + 2.0 * noise,
            seed,
        ),
        _ => s.blobs(n, &[[-1.5, -1.0], [1.5, 1.0]], 0.4 + 2.0 * noise, seed),
    };
}
