//! Chapter 1: k-nearest-neighbour classification of 2-D moons, blobs, circles or halves. Left, the
//! decision regions for the chosen k over the points; right, train and test accuracy for every k
//! from 1 to 50, one k per tick: k = 1 fits the training set perfectly (overfitting), large k
//! blurs the classes together (underfitting). Metrics: train and test accuracy at the chosen k.

use super::decision_tree::{
    class_colour, classification_data, classification_data_python, draw_class_points, tint,
    CLASSES_UPLOAD, DATASET_PARAM, NOISE_PARAM, SAMPLES_PARAM,
};
use super::python::Script;
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::upload::ClassNames;
use crate::data::Dataset;
use crate::error::Result;
use crate::estimator::{Classifier, Fit, Progress};
use crate::model_selection::train_test_split;
use crate::neighbors::{KNeighborsClassifier, KNeighborsClassifierParams, Weights};
use crate::rng::Rng;
use crate::viz::{self, raster_field_cached, RasterCache};
use ndarray::Array2;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The largest k on the accuracy curve (and the slider).
pub(crate) const MAX_K: usize = 50;
/// The decision field is evaluated on a GRID x GRID lattice and interpolated between, so a frame
/// costs one search per lattice point rather than one per pixel.
const GRID: usize = 80;

/// Uniform or distance weights, shared with the instance-vs-model demo.
pub(crate) const WEIGHTS_PARAM: ParamSpec = ParamSpec {
    key: "weights",
    label: "Weights",
    help: "Uniform: every neighbour has one vote. Distance: closer neighbours count more (1 / distance).",
    kind: ParamKind::Choice {
        options: &["uniform", "distance"],
        default: "uniform",
    },
};

pub(crate) fn weights_of(params: &Params) -> Weights {
    match params.choice("weights") {
        "distance" => Weights::Distance,
        _ => Weights::Uniform,
    }
}

/// One point of a curve against k: (k, train score, test score).
pub(crate) type KPoint = (f64, f64, f64);

/// Train and test scores for k = 1, 2, ... `max_k`, one k per tick (shared with the
/// instance-vs-model demo).
pub(crate) struct KCurve {
    pub points: Vec<KPoint>,
    pub max_k: usize,
}

impl KCurve {
    pub fn new(max_k: usize) -> Self {
        KCurve {
            points: Vec::new(),
            max_k,
        }
    }

    /// Scores the next k with `score(k) -> (train, test)` (NaN where that fails).
    pub fn advance(&mut self, score: impl FnOnce(usize) -> Result<(f64, f64)>) -> Progress {
        if self.points.len() < self.max_k {
            let k = self.points.len() + 1;
            let (train, test) = score(k).unwrap_or((f64::NAN, f64::NAN));
            self.points.push((k as f64, train, test));
        }
        if self.points.len() >= self.max_k {
            Progress::Done
        } else {
            Progress::Running
        }
    }
}

/// Train and test scores against k (shared with the instance-vs-model demo), with a grey line at
/// the chosen k.
pub(crate) fn draw_k_curve<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    y_label: &str,
    y: std::ops::Range<f64>,
    curve: &KCurve,
    k: usize,
    legend: SeriesLabelPosition,
) -> Result<()> {
    let mut chart = viz::chart(
        area,
        title,
        0.0..curve.max_k as f64 + 1.0,
        y.clone(),
        "k",
        y_label,
    )?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(k as f64, y.start), (k as f64, y.end)],
        viz::GREY.mix(0.6).stroke_width(2),
    )))?;
    for (colour, label, pick) in [(viz::BLUE, "train", 1), (viz::ORANGE, "test", 2)] {
        let value = |p: &KPoint| if pick == 1 { p.1 } else { p.2 };
        chart
            .draw_series(
                LineSeries::new(
                    curve
                        .points
                        .iter()
                        .map(|p| (p.0, value(p).clamp(y.start, y.end))),
                    colour.stroke_width(2),
                )
                .point_size(2),
            )?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
            });
    }
    viz::legend(&mut chart, area, legend)
}

pub struct KnnBoundaryDemo {
    train: Dataset,
    test: Dataset,
    k: usize,
    weights: Weights,
    model: KNeighborsClassifier,
    train_accuracy: f64,
    test_accuracy: f64,
    /// Class probabilities at the lattice points, row-major from (x_range.start, y_range.start).
    field: Array2<f64>,
    curve: KCurve,
    /// The k asked for exceeds the training points.
    capped: bool,
    x_range: std::ops::Range<f64>,
    y_range: std::ops::Range<f64>,
    cache: RasterCache,
    class_names: ClassNames,
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl KnnBoundaryDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "knn-boundary",
        title: "k-nearest neighbours: from overfitting to underfitting",
        chapter: "01-the-machine-learning-landscape",
        upload: CLASSES_UPLOAD,
        params: &[
            DATASET_PARAM,
            SAMPLES_PARAM,
            NOISE_PARAM,
            ParamSpec {
                key: "k",
                label: "k (neighbours)",
                help: "How many of the closest training points vote on each prediction (at most the number of training points).",
                kind: ParamKind::Int {
                    min: 1,
                    max: MAX_K as i64,
                    default: 15,
                },
            },
            WEIGHTS_PARAM,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let data = classification_data(params, &mut rng)?;
        let (train_idx, test_idx) = train_test_split(data.n_samples(), 0.25, &mut rng)?;
        let (train, test) = (data.select(&train_idx), data.select(&test_idx));
        let max_k = MAX_K.min(train.n_samples());
        let k = params.usize("k").clamp(1, max_k);
        let capped = params.usize("k") > max_k;
        let weights = weights_of(params);
        let model = KNeighborsClassifierParams::default()
            .n_neighbors(k)
            .weights(weights)
            .fit(&train)?;
        let (x0, x1) = viz::extent(data.x.column(0).iter().copied());
        let (y0, y1) = viz::extent(data.x.column(1).iter().copied());
        let (x_range, y_range) = (viz::padded(x0, x1, 0.06), viz::padded(y0, y1, 0.06));
        let at = |r: &std::ops::Range<f64>, i: usize| {
            r.start + (r.end - r.start) * i as f64 / (GRID - 1) as f64
        };
        let lattice = Array2::from_shape_fn((GRID * GRID, 2), |(i, c)| {
            if c == 0 {
                at(&x_range, i % GRID)
            } else {
                at(&y_range, i / GRID)
            }
        });
        let field = model.predict_proba(lattice.view())?;
        Ok(KnnBoundaryDemo {
            train_accuracy: model.score(train.x.view(), train.y.view())?,
            test_accuracy: model.score(test.x.view(), test.y.view())?,
            train,
            test,
            k,
            weights,
            model,
            field,
            curve: KCurve::new(max_k),
            capped,
            x_range,
            y_range,
            cache: RasterCache::default(),
            class_names: ClassNames::of(params.upload()),
            python: python_script(params, seed, k, max_k),
        })
    }

    /// The class probabilities at (x, y), interpolated between the four lattice points around it.
    fn proba_at(&self, x: f64, y: f64) -> Vec<f64> {
        let cell = |v: f64, r: &std::ops::Range<f64>| {
            let f = ((v - r.start) / (r.end - r.start) * (GRID - 1) as f64)
                .clamp(0.0, (GRID - 1) as f64);
            let i = (f.floor() as usize).min(GRID - 2);
            (i, f - i as f64)
        };
        let ((i, tx), (j, ty)) = (cell(x, &self.x_range), cell(y, &self.y_range));
        let corner = |di: usize, dj: usize| self.field.row((j + dj) * GRID + i + di);
        (0..self.field.ncols())
            .map(|c| {
                (1.0 - ty) * ((1.0 - tx) * corner(0, 0)[c] + tx * corner(1, 0)[c])
                    + ty * ((1.0 - tx) * corner(0, 1)[c] + tx * corner(1, 1)[c])
            })
            .collect()
    }

    fn draw_regions<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let title = format!("Decision regions, k = {}", self.k);
        let mut chart = viz::chart(
            area,
            &title,
            self.x_range.clone(),
            self.y_range.clone(),
            &self.train.feature_names[0],
            &self.train.feature_names[1],
        )?;
        let best = |p: &[f64]| {
            (0..p.len()).fold((0, f64::NEG_INFINITY), |b, c| {
                if p[c] > b.1 {
                    (c, p[c])
                } else {
                    b
                }
            })
        };
        let (px, py) = chart.plotting_area().get_pixel_range();
        let dx = (self.x_range.end - self.x_range.start) / (px.end - px.start).max(1) as f64;
        let dy = (self.y_range.end - self.y_range.start) / (py.end - py.start).max(1) as f64;
        let k = self.field.ncols().max(2) as f64;
        raster_field_cached(&mut chart, 1, &self.cache, |x, y| {
            let (class, p) = best(&self.proba_at(x, y));
            // The boundary: the predicted class changes one pixel to the right or above.
            if best(&self.proba_at(x + dx, y)).0 != class
                || best(&self.proba_at(x, y + dy)).0 != class
            {
                return viz::INK;
            }
            let sure = ((p - 1.0 / k) / (1.0 - 1.0 / k)).clamp(0.0, 1.0);
            tint(class_colour(class), 0.12 + 0.33 * sure)
        })?;
        draw_class_points(
            &mut chart,
            &self.train,
            &self.test,
            &self.model.classes,
            &self.class_names,
        )?;
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperLeft)
    }
}

impl Demo for KnnBoundaryDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One more k on the accuracy curve (a fit and two scorings).
    fn tick(&mut self) -> Progress {
        let (train, test, weights) = (&self.train, &self.test, self.weights);
        self.curve.advance(|k| {
            let m = KNeighborsClassifierParams::default()
                .n_neighbors(k)
                .weights(weights)
                .fit(train)?;
            Ok((
                m.score(train.x.view(), train.y.view())?,
                m.score(test.x.view(), test.y.view())?,
            ))
        })
    }

    fn ticks_per_frame(&self) -> usize {
        2
    }

    fn autoplay(&self) -> bool {
        true
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 2);
        self.draw_regions(&panels[0])?;
        let low = self
            .curve
            .points
            .iter()
            .flat_map(|p| [p.1, p.2])
            .fold(1.0_f64, f64::min);
        draw_k_curve(
            &panels[1],
            "Accuracy vs k",
            "accuracy",
            (low - 0.05).clamp(0.0, 0.9)..1.02,
            &self.curve,
            self.k,
            SeriesLabelPosition::UpperRight,
        )
    }

    fn height_for_width(&self, width: u32) -> u32 {
        viz::two_panel_height(width)
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        vec![
            Metric::new("k", "k", self.k as f64),
            Metric::new("train_accuracy", "Train accuracy", self.train_accuracy),
            Metric::new("test_accuracy", "Test accuracy", self.test_accuracy),
        ]
    }

    fn status(&self) -> Option<String> {
        self.capped.then(|| {
            format!(
                "k is capped at the {} training points.",
                self.train.n_samples()
            )
        })
    }
}

/// The classifier the demo draws, in scikit-learn (`k` as used: capped at the training points).
fn python_script(params: &Params, seed: u64, k: usize, max_k: usize) -> String {
    let mut s = Script::new();
    classification_data_python(&mut s, params, seed);
    s.split(0.25, seed)
        .import("from sklearn.neighbors import KNeighborsClassifier")
        .push(&format!(
            "\nknn = KNeighborsClassifier(n_neighbors={k}, weights=\"{}\")\n\
             knn.fit(X_train, y_train)\n\
             print(\"k:\", knn.n_neighbors)\n\
             print(\"Train accuracy:\", knn.score(X_train, y_train))\n\
             print(\"Test accuracy:\", knn.score(X_test, y_test))\n\
             \n\
             # The curve on the right: train and test accuracy for every k.\n\
             for k in range(1, {} + 1):\n\
             \x20   m = KNeighborsClassifier(n_neighbors=k, weights=\"{}\").fit(X_train, y_train)\n\
             \x20   print(k, m.score(X_train, y_train), m.score(X_test, y_test))",
            params.choice("weights"),
            max_k,
            params.choice("weights"),
        ));
    s.finish()
}
