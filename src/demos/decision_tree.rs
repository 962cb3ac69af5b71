//! Chapter 6: a classification tree grown one split per tick on 2-D moons, blobs or circles
//! (optionally rotated). Left, the decision regions of the tree so far over the points; right, the
//! tree itself with the latest split outlined. Metrics: depth, leaves, train and test accuracy.

use super::python::{self, Script, RANDOM_NOTE};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::upload::{ClassNames, UploadKind, MAX_CLASSES};
use crate::data::{generators, Dataset};
use crate::error::Result;
use crate::estimator::{Classifier, Iterative, Progress};
use crate::model_selection::train_test_split;
use crate::rng::Rng;
use crate::tree::{
    ClassificationCriterion, DecisionTreeClassifier, DecisionTreeClassifierParams,
    DecisionTreeClassifierRun, GrowthOrder, Node, Snapshot,
};
use crate::viz::{self, raster_field};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One colour per class (Okabe-Ito, as the rest of the site), enough for an uploaded file's
/// classes (at most `upload::MAX_CLASSES`).
pub(crate) const CLASS_COLOURS: [RGBColor; MAX_CLASSES] = [
    viz::BLUE,
    viz::ORANGE,
    viz::GREEN,
    viz::RED,
    viz::PURPLE,
    RGBColor(86, 180, 233),
    RGBColor(140, 86, 75),
];

/// The 2-D classification upload the demos sharing [`classification_data`] take.
pub(crate) const CLASSES_UPLOAD: Option<UploadKind> = Some(UploadKind::Classes2d {
    max_rows: 1000,
    max_classes: MAX_CLASSES,
});

/// The same for demos that separate two classes.
pub(crate) const TWO_CLASSES_UPLOAD: Option<UploadKind> = Some(UploadKind::Classes2d {
    max_rows: 1000,
    max_classes: 2,
});

/// The colour of the class at index `c` of the sorted labels.
pub(crate) fn class_colour(c: usize) -> RGBColor {
    CLASS_COLOURS[c % CLASS_COLOURS.len()]
}

/// `c` blended towards white: `strength` 0 is white, 1 the colour itself.
pub(crate) fn tint(c: RGBColor, strength: f64) -> RGBColor {
    let mix = |v: u8| (255.0 + strength.clamp(0.0, 1.0) * (v as f64 - 255.0)).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// The majority class of a node and how sure it is (0 at a uniform mix, 1 when pure).
fn majority(node: &Node) -> (usize, f64) {
    let k = node.value.len().max(1);
    let best = crate::metrics::argmax(&node.value);
    let p = node.value.get(best).copied().unwrap_or(1.0);
    let purity = if k > 1 {
        ((p - 1.0 / k as f64) / (1.0 - 1.0 / k as f64)).clamp(0.0, 1.0)
    } else {
        1.0
    };
    (best, purity)
}

/// Points spread evenly over a square, labelled by which side of the vertical line x1 = 0 they
/// fall (the line moved by `noise`-sized Gaussian jitter per point), with a thin empty gap.
fn halves(n: usize, noise: f64, rng: &mut Rng) -> Result<Dataset> {
    let mut x = ndarray::Array2::zeros((n, 2));
    let mut y = ndarray::Array1::zeros(n);
    for i in 0..n {
        let mut a = rng.uniform_range(-2.0, 2.0);
        if a.abs() < 0.1 {
            a = 0.1_f64.copysign(a);
        }
        x[[i, 0]] = a;
        x[[i, 1]] = rng.uniform_range(-2.0, 2.0);
        y[i] = f64::from(a + noise * rng.normal() > 0.0);
    }
    Dataset::new(x, y)
}

/// The 2-D classification data sets (shared with the k-NN boundary demo).
pub(crate) const DATASET_PARAM: ParamSpec = ParamSpec {
    key: "dataset",
    label: "Dataset",
    help: "Two moons, three Gaussian blobs, a ring around a disc, or a square cut in two halves by a straight line.",
    kind: ParamKind::Choice {
        options: &["moons", "blobs", "circles", "halves"],
        default: "moons",
    },
};

/// The two-class data sets of [`DATASET_PARAM`] (the AdaBoost and voting demos).
pub(crate) const TWO_CLASS_DATASET_PARAM: ParamSpec = ParamSpec {
    key: "dataset",
    label: "Dataset",
    help: "Two moons, a ring around a disc, or a square cut in two halves by a straight line.",
    kind: ParamKind::Choice {
        options: &["moons", "circles", "halves"],
        default: "moons",
    },
};

/// Points generated, a quarter held out (shared with the k-NN boundary demo).
pub(crate) const SAMPLES_PARAM: ParamSpec = ParamSpec {
    key: "samples",
    label: "Samples",
    help: "Points generated; a quarter is held out as the test set.",
    kind: ParamKind::Int {
        min: 20,
        max: 1000,
        default: 200,
    },
};

/// The points' spread (shared with the k-NN boundary demo).
pub(crate) const NOISE_PARAM: ParamSpec = ParamSpec {
    key: "noise",
    label: "Noise",
    help: "Spread of the points: more noise makes the classes overlap.",
    kind: ParamKind::Float {
        min: 0.0,
        max: 1.0,
        default: 0.3,
        log: false,
    },
};

/// The points `DATASET_PARAM`, `SAMPLES_PARAM` and `NOISE_PARAM` describe, or the reader's
/// uploaded file.
pub(crate) fn classification_data(params: &Params, rng: &mut Rng) -> Result<Dataset> {
    if let Some(upload) = params.upload() {
        return upload.dataset();
    }
    let n = params.usize("samples");
    let noise = params.f64("noise");
    Ok(match params.choice("dataset") {
        "blobs" => {
            let centres = ndarray::array![[-2.0, -1.2], [2.0, -1.2], [0.0, 2.0]];
            generators::blobs(n, &centres, 0.4 + 2.0 * noise, rng)
        }
        "circles" => generators::circles(n, 0.5, noise * 0.5, rng),
        "halves" => halves(n, noise, rng)?,
        _ => generators::moons(n, noise, rng),
    })
}

/// Appends the Python that makes the points `classification_data` makes (`X`, `y`).
pub(crate) fn classification_data_python(s: &mut Script, params: &Params, seed: u64) {
    if let Some(upload) = params.upload() {
        s.upload(upload);
        return;
    }
    let n = params.usize("samples");
    let noise = params.f64("noise");
    s.push(RANDOM_NOTE);
    match params.choice("dataset") {
        "blobs" => s.blobs(
            n,
            &[[-2.0, -1.2], [2.0, -1.2], [0.0, 2.0]],
            0.4 + 2.0 * noise,
            seed,
        ),
        "circles" => s.circles(n, 0.5, noise * 0.5, seed),
        "halves" => s.import("import numpy as np").push(&format!(
            "# A square cut in two by the line x1 = 0, moved by Gaussian jitter per point.\n\
             rng = np.random.default_rng({})\n\
             a = rng.uniform(-2, 2, {n})\n\
             a = np.where(np.abs(a) < 0.1, np.copysign(0.1, a), a)  # a thin empty gap\n\
             X = np.c_[a, rng.uniform(-2, 2, {n})]\n\
             y = (a + {} * rng.normal(size={n}) > 0).astype(int)",
            python::seed(seed),
            python::float(noise)
        )),
        _ => s.moons(n, noise, seed),
    };
}

/// The tree the demo grows, in scikit-learn.
fn python_script(params: &Params, seed: u64) -> String {
    let mut s = Script::new();
    classification_data_python(&mut s, params, seed);
    let rotation = params.f64("rotation");
    if rotation != 0.0 {
        s.import("import numpy as np").push(&format!(
            "\n# Turn every point by {} degrees about the centre of the data.\n\
             a = np.radians({})\n\
             centre = X.mean(axis=0)\n\
             X = (X - centre) @ np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]]) + centre",
            python::float(rotation),
            python::float(rotation)
        ));
    }
    let max_depth = match params.usize("max_depth") {
        0 => "None".to_string(),
        d => d.to_string(),
    };
    s.split(0.25, seed)
        .import("from sklearn.tree import DecisionTreeClassifier")
        .push(&format!(
            "\n# mlplay grows the tree {} one split at a time; the finished tree is the same.\n\
             tree = DecisionTreeClassifier(criterion=\"{}\", max_depth={max_depth}, min_samples_leaf={},\n\
             \x20                             random_state={})\n\
             tree.fit(X_train, y_train)\n\
             print(\"Splits:\", tree.get_n_leaves() - 1)\n\
             print(\"Depth:\", tree.get_depth())\n\
             print(\"Leaves:\", tree.get_n_leaves())\n\
             print(\"Train accuracy:\", tree.score(X_train, y_train))\n\
             print(\"Test accuracy:\", tree.score(X_test, y_test))",
            params.choice("growth"),
            params.choice("criterion"),
            params.usize("min_samples_leaf"),
            python::seed(seed)
        ));
    s.finish()
}

/// Training points filled and test points as rings, one colour per class, with legend entries
/// (shared with the k-NN boundary demo); `classes` are the sorted labels, `names` their legend
/// texts.
pub(crate) fn draw_class_points<DB: DrawingBackend>(
    chart: &mut viz::Chart<'_, DB>,
    train: &Dataset,
    test: &Dataset,
    classes: &[f64],
    names: &ClassNames,
) -> Result<()> {
    let class_of = |v: f64| classes.iter().position(|&c| c == v).unwrap_or(0);
    for (c, colour) in CLASS_COLOURS.iter().enumerate().take(classes.len()) {
        let pts = |d: &Dataset| -> Vec<(f64, f64)> {
            d.x.rows()
                .into_iter()
                .zip(d.y.iter())
                .filter(|(_, &y)| class_of(y) == c)
                .map(|(r, _)| (r[0], r[1]))
                .collect()
        };
        chart
            .draw_series(pts(train).into_iter().map(|p| {
                EmptyElement::at(p)
                    + Circle::new((0, 0), 4, colour.filled())
                    + Circle::new((0, 0), 4, WHITE.stroke_width(1))
            }))?
            .label(names.name(classes[c]))
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, colour.filled()));
        chart.draw_series(
            pts(test)
                .into_iter()
                .map(|p| Circle::new(p, 4, colour.stroke_width(2))),
        )?;
    }
    chart
        .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
        .label("test (rings)")
        .legend(|(x, y)| Circle::new((x + 8, y), 4, viz::INK.stroke_width(2)));
    Ok(())
}

pub struct DecisionTreeDemo {
    train: Dataset,
    test: Dataset,
    run: Box<DecisionTreeClassifierRun>,
    snapshot: Snapshot,
    model: Box<DecisionTreeClassifier>,
    train_accuracy: f64,
    test_accuracy: f64,
    progress: Progress,
    rotation: f64,
    x_range: std::ops::Range<f64>,
    y_range: std::ops::Range<f64>,
    class_names: ClassNames,
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl DecisionTreeDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "decision-tree",
        title: "A decision tree grows, one split at a time",
        chapter: "06-decision-trees",
        upload: CLASSES_UPLOAD,
        params: &[
            DATASET_PARAM,
            SAMPLES_PARAM,
            NOISE_PARAM,
            ParamSpec {
                key: "rotation",
                label: "Rotation (degrees)",
                help: "Turns the whole data set; the tree can only cut parallel to the axes.",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 90.0,
                    default: 0.0,
                    log: false,
                },
            },
            ParamSpec {
                key: "criterion",
                label: "Criterion",
                help: "The impurity each split lowers: Gini or entropy.",
                kind: ParamKind::Choice {
                    options: &["gini", "entropy"],
                    default: "gini",
                },
            },
            ParamSpec {
                key: "max_depth",
                label: "max_depth (0 = no limit)",
                help: "No node deeper than this is split.",
                kind: ParamKind::Int {
                    min: 0,
                    max: 15,
                    default: 0,
                },
            },
            ParamSpec {
                key: "min_samples_leaf",
                label: "min_samples_leaf",
                help: "Every leaf keeps at least this many training points.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 50,
                    default: 1,
                },
            },
            ParamSpec {
                key: "growth",
                label: "Growth order",
                help: "Best-first splits the node that lowers impurity most; depth-first follows scikit-learn's order. The finished tree is the same.",
                kind: ParamKind::Choice {
                    options: &["best-first", "depth-first"],
                    default: "best-first",
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let mut data = classification_data(params, &mut rng)?;
        let n = data.n_samples();
        // Turn every point about the centre of the data.
        let rotation = params.f64("rotation");
        let (s, c) = rotation.to_radians().sin_cos();
        let (mx, my) = (
            data.x.column(0).mean().unwrap_or(0.0),
            data.x.column(1).mean().unwrap_or(0.0),
        );
        for mut row in data.x.rows_mut() {
            let (a, b) = (row[0] - mx, row[1] - my);
            row[0] = mx + c * a - s * b;
            row[1] = my + s * a + c * b;
        }
        let (train_idx, test_idx) = train_test_split(n, 0.25, &mut rng)?;
        let (train, test) = (data.select(&train_idx), data.select(&test_idx));
        let criterion = match params.choice("criterion") {
            "entropy" => ClassificationCriterion::Entropy,
            _ => ClassificationCriterion::Gini,
        };
        let max_depth = Some(params.usize("max_depth")).filter(|d| *d > 0);
        let mut run = DecisionTreeClassifierParams::default()
            .criterion(criterion)
            .max_depth(max_depth)
            .min_samples_leaf(params.usize("min_samples_leaf"))
            .start(&train)?;
        run.set_order(match params.choice("growth") {
            "depth-first" => GrowthOrder::DepthFirst,
            _ => GrowthOrder::BestFirst,
        });
        let (x0, x1) = viz::extent(data.x.column(0).iter().copied());
        let (y0, y1) = viz::extent(data.x.column(1).iter().copied());
        let mut demo = DecisionTreeDemo {
            train,
            test,
            snapshot: run.snapshot(),
            model: Box::new(run.model()),
            run: Box::new(run),
            train_accuracy: f64::NAN,
            test_accuracy: f64::NAN,
            progress: Progress::Running,
            rotation,
            x_range: viz::padded(x0, x1, 0.06),
            y_range: viz::padded(y0, y1, 0.06),
            class_names: ClassNames::of(params.upload()),
            python: python_script(params, seed),
        };
        demo.record()?;
        Ok(demo)
    }

    fn record(&mut self) -> Result<()> {
        self.snapshot = self.run.snapshot();
        *self.model = self.run.model();
        self.train_accuracy = self.model.score(self.train.x.view(), self.train.y.view())?;
        self.test_accuracy = self.model.score(self.test.x.view(), self.test.y.view())?;
        Ok(())
    }

    fn draw_regions<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let title = if self.rotation != 0.0 {
            format!(
                "Decision regions (data turned {}°)",
                viz::tick_label(self.rotation)
            )
        } else {
            "Decision regions".to_string()
        };
        let mut chart = viz::chart(
            area,
            &title,
            self.x_range.clone(),
            self.y_range.clone(),
            &self.train.feature_names[0],
            &self.train.feature_names[1],
        )?;
        let tree = &self.snapshot.tree;
        let leaf = |x: f64, y: f64| tree.leaf_of(ndarray::aview1(&[x, y]));
        let (px, py) = chart.plotting_area().get_pixel_range();
        let dx = (self.x_range.end - self.x_range.start) / (px.end - px.start).max(1) as f64;
        let dy = (self.y_range.end - self.y_range.start) / (py.end - py.start).max(1) as f64;
        raster_field(&mut chart, 1, |x, y| {
            let here = majority(&tree.nodes[leaf(x, y)]);
            // The boundary: the predicted class changes one pixel to the right or above.
            let right = majority(&tree.nodes[leaf(x + dx, y)]).0;
            let up = majority(&tree.nodes[leaf(x, y + dy)]).0;
            if here.0 != right || here.0 != up {
                return viz::INK;
            }
            tint(class_colour(here.0), 0.12 + 0.33 * here.1)
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

    fn draw_tree<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let classes = &self.model.classes;
        let names = &self.train.feature_names;
        let fill = |n: &Node| {
            let (c, purity) = majority(n);
            tint(class_colour(c), 0.2 + 0.6 * purity)
        };
        let describe = |n: &Node| {
            let (c, _) = majority(n);
            self.class_names
                .name(classes.get(c).copied().unwrap_or(0.0))
        };
        viz::draw_growing_tree(
            area,
            &self.snapshot,
            self.run.splits(),
            names,
            &fill,
            &describe,
        )
    }
}

impl Demo for DecisionTreeDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One split of the real tree, then the new tree is scored.
    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        self.progress = self.run.step().unwrap_or(Progress::Diverged);
        if self.record().is_err() {
            self.progress = Progress::Diverged;
        }
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        // One split per frame would be a blur; the page calls step about 60 times a second.
        1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 2);
        self.draw_regions(&panels[0])?;
        self.draw_tree(&panels[1])?;
        Ok(())
    }

    fn height_for_width(&self, width: u32) -> u32 {
        viz::two_panel_height(width)
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        vec![
            Metric::new("splits", "Splits", self.run.splits() as f64),
            Metric::new("depth", "Depth", self.snapshot.tree.depth() as f64),
            Metric::new("leaves", "Leaves", self.snapshot.tree.n_leaves() as f64),
            Metric::new("train_accuracy", "Train accuracy", self.train_accuracy),
            Metric::new("test_accuracy", "Test accuracy", self.test_accuracy),
        ]
    }

    fn status(&self) -> Option<String> {
        match self.progress {
            Progress::Done => Some(format!(
                "Finished: {} leaves, depth {}. No leaf can be split further under these limits.",
                self.snapshot.tree.n_leaves(),
                self.snapshot.tree.depth()
            )),
            Progress::Diverged => Some("The tree could not be grown on this data.".into()),
            Progress::Running => None,
        }
    }
}
