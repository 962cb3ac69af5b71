//! Chapter 5: a support vector classifier solved live by SMO on 2-D moons, blobs, circles, a
//! linearly separable set or the reader's own two-class CSV. Left, the decision field with the
//! boundary (decision = 0), the two margin lines (decision = ±1) and the support vectors circled;
//! right, the largest KKT violation per pair update, which the solver drives below `tol`. Shares
//! its kernel controls with `svr`.

use super::decision_tree::{
    draw_class_points, tint, CLASS_COLOURS, NOISE_PARAM, SAMPLES_PARAM, TWO_CLASSES_UPLOAD,
};
use super::python::{self, Script, RANDOM_NOTE};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::upload::ClassNames;
use crate::data::{generators, Dataset};
use crate::error::Result;
use crate::estimator::{Classifier, Iterative, Progress};
use crate::model_selection::train_test_split;
use crate::preprocessing::StandardScalerParams;
use crate::rng::Rng;
use crate::svm::{KernelKind, Svc, SvcParams, SvcRun};
use crate::viz::{self, raster_field};
use ndarray::{Array2, Axis};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::cell::RefCell;

pub(crate) const C_PARAM: ParamSpec = ParamSpec {
    key: "C",
    label: "C (log scale)",
    help: "How much each margin violation costs: small C gives a wide, tolerant margin; large C fits the training points hard.",
    kind: ParamKind::Float {
        min: 0.01,
        max: 1000.0,
        default: 1.0,
        log: true,
    },
};

pub(crate) const KERNEL_PARAM: ParamSpec = ParamSpec {
    key: "kernel",
    label: "Kernel",
    help: "linear: x·z; poly: (gamma x·z + coef0)^degree; rbf: exp(-gamma |x - z|²).",
    kind: ParamKind::Choice {
        options: &["rbf", "poly", "linear"],
        default: "rbf",
    },
};

pub(crate) const GAMMA_PARAM: ParamSpec = ParamSpec {
    key: "gamma",
    label: "gamma (log scale)",
    help: "The reach of one training point in the rbf and poly kernels: large gamma, short reach and wiggly boundaries.",
    kind: ParamKind::Float {
        min: 0.01,
        max: 100.0,
        default: 1.0,
        log: true,
    },
};

pub(crate) const DEGREE_PARAM: ParamSpec = ParamSpec {
    key: "degree",
    label: "degree (poly)",
    help: "The polynomial kernel's degree.",
    kind: ParamKind::Int {
        min: 1,
        max: 6,
        default: 3,
    },
};

pub(crate) const COEF0_PARAM: ParamSpec = ParamSpec {
    key: "coef0",
    label: "coef0 (poly)",
    help:
        "The polynomial kernel's constant: how much the low-degree terms weigh against the highest.",
    kind: ParamKind::Float {
        min: 0.0,
        max: 5.0,
        default: 1.0,
        log: false,
    },
};

/// The SVM parameters the shared controls describe (tol and max_iter stay at scikit-learn's).
pub(crate) fn svm_params(params: &Params) -> SvcParams {
    let kernel = match params.choice("kernel") {
        "linear" => KernelKind::Linear,
        "poly" => KernelKind::Poly,
        _ => KernelKind::Rbf,
    };
    SvcParams::default()
        .c(params.f64("C"))
        .kernel(kernel)
        .gamma_value(params.f64("gamma"))
        .degree(params.usize("degree") as u32)
        .coef0(params.f64("coef0"))
}

/// The kernel arguments of `SVC`/`SVR` the shared controls describe, e.g.
/// `kernel="rbf", C=1.0, gamma=1.0`.
pub(crate) fn kernel_python(params: &Params) -> String {
    let kernel = params.choice("kernel");
    let c = python::float(params.f64("C"));
    let gamma = python::float(params.f64("gamma"));
    match kernel {
        "linear" => format!("kernel=\"linear\", C={c}"),
        "poly" => format!(
            "kernel=\"poly\", C={c}, gamma={gamma}, degree={}, coef0={}",
            params.usize("degree"),
            python::float(params.f64("coef0"))
        ),
        _ => format!("kernel=\"rbf\", C={c}, gamma={gamma}"),
    }
}

/// Pair updates per frame: a few at first so the first moves can be followed, then more, so that
/// a long run (large C) still ends in seconds.
pub(crate) fn smo_ticks_per_frame(iterations: usize) -> usize {
    2 + iterations / 16
}

/// Whether a demo re-scores its model after pair update `iterations`: every one at first, then
/// every eighth (scoring costs more than an update), and always at the end.
pub(crate) fn rescore(iterations: usize, done: bool) -> bool {
    done || iterations < 64 || iterations.is_multiple_of(8)
}

/// Rings around the support vectors (`support`, training rows placed by `at`): dark for those on
/// the margin (0 < a < C), coloured for those at the bound C; `labels` name the two in the legend.
pub(crate) fn draw_support_vectors<DB: DrawingBackend>(
    chart: &mut viz::Chart<'_, DB>,
    support: &[usize],
    at_bound: &[usize],
    at: impl Fn(usize) -> (f64, f64),
    labels: [&str; 2],
) -> Result<()> {
    for (bounded, colour, label) in [(false, viz::INK, labels[0]), (true, viz::PURPLE, labels[1])] {
        let rows = support.iter().filter(|r| at_bound.contains(r) == bounded);
        chart
            .draw_series(rows.map(|&r| Circle::new(at(r), 8, colour.stroke_width(2))))?
            .label(label)
            .legend(move |(x, y)| Circle::new((x + 8, y), 6, colour.stroke_width(2)));
    }
    Ok(())
}

/// Grid resolution of the decision field; pixels interpolate between grid points.
const GRID: usize = 96;

/// The points: two moons, two overlapping blobs, a ring around a disc, or two blobs a clear
/// gap apart (linearly separable unless the noise is large); or the reader's file.
fn data(params: &Params, rng: &mut Rng) -> Result<Dataset> {
    if let Some(upload) = params.upload() {
        return upload.dataset();
    }
    let n = params.usize("samples");
    let noise = params.f64("noise");
    Ok(match params.choice("dataset") {
        "blobs" => {
            let centres = ndarray::array![[-1.0, -0.5], [1.0, 0.5]];
            generators::blobs(n, &centres, 0.3 + 1.5 * noise, rng)
        }
        "separable" => {
            let centres = ndarray::array![[-1.6, -1.0], [1.6, 1.0]];
            generators::blobs(n, &centres, 0.2 + noise, rng)
        }
        "circles" => generators::circles(n, 0.5, noise * 0.5, rng),
        _ => generators::moons(n, noise, rng),
    })
}

pub struct SvmDemo {
    train: Dataset,
    test: Dataset,
    run: Box<SvcRun>,
    model: Box<Svc>,
    /// (pair updates, largest KKT violation) after each update.
    violations: Vec<(f64, f64)>,
    tol: f64,
    train_accuracy: f64,
    test_accuracy: f64,
    progress: Progress,
    x_range: std::ops::Range<f64>,
    y_range: std::ops::Range<f64>,
    /// The decision values on the grid, with the pair-update count they were computed at.
    field: RefCell<Option<(usize, Array2<f64>)>>,
    class_names: ClassNames,
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl SvmDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "svm",
        title: "A support vector machine finds its margin, one SMO step at a time",
        chapter: "05-support-vector-machines",
        upload: TWO_CLASSES_UPLOAD,
        params: &[
            ParamSpec {
                key: "dataset",
                label: "Dataset",
                help: "Two moons, two overlapping blobs, a ring around a disc, or two blobs a clear gap apart.",
                kind: ParamKind::Choice {
                    options: &["moons", "blobs", "circles", "separable"],
                    default: "moons",
                },
            },
            SAMPLES_PARAM,
            NOISE_PARAM,
            C_PARAM,
            KERNEL_PARAM,
            GAMMA_PARAM,
            DEGREE_PARAM,
            COEF0_PARAM,
            ParamSpec {
                key: "stretch",
                label: "Stretch x2 (log scale)",
                help: "Multiplies the second feature: the kernel then measures distances mostly along it.",
                kind: ParamKind::Float {
                    min: 0.1,
                    max: 10.0,
                    default: 1.0,
                    log: true,
                },
            },
            ParamSpec {
                key: "standardize",
                label: "Standardize features",
                help: "Rescales both features to mean 0 and variance 1 (fitted on the training set) before the SVM sees them.",
                kind: ParamKind::Bool { default: false },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let mut all = data(params, &mut rng)?;
        all.x
            .column_mut(1)
            .mapv_inplace(|v| v * params.f64("stretch"));
        let (train_idx, test_idx) = train_test_split(all.n_samples(), 0.25, &mut rng)?;
        let (mut train, mut test) = (all.select(&train_idx), all.select(&test_idx));
        if params.bool("standardize") {
            let scaler = StandardScalerParams::default().fit(train.x.view())?;
            train.x = scaler.transform(train.x.view())?;
            test.x = scaler.transform(test.x.view())?;
        }
        let svc = svm_params(params);
        let run = svc.start(&train)?;
        let both = ndarray::concatenate(Axis(0), &[train.x.view(), test.x.view()])
            .unwrap_or_else(|_| train.x.clone());
        let (x0, x1) = viz::extent(both.column(0).iter().copied());
        let (y0, y1) = viz::extent(both.column(1).iter().copied());
        let mut demo = SvmDemo {
            train,
            test,
            model: Box::new(run.model()),
            run: Box::new(run),
            violations: Vec::new(),
            tol: svc.tol,
            train_accuracy: f64::NAN,
            test_accuracy: f64::NAN,
            progress: Progress::Running,
            x_range: viz::padded(x0, x1, 0.06),
            y_range: viz::padded(y0, y1, 0.06),
            field: RefCell::new(None),
            class_names: ClassNames::of(params.upload()),
            python: python_script(params, seed),
        };
        demo.record()?;
        Ok(demo)
    }

    fn record(&mut self) -> Result<()> {
        *self.model = self.run.model();
        self.train_accuracy = self.model.score(self.train.x.view(), self.train.y.view())?;
        self.test_accuracy = self.model.score(self.test.x.view(), self.test.y.view())?;
        Ok(())
    }

    /// Decision values on a GRID × GRID lattice over the plot, recomputed when the model changed.
    fn grid(&self) -> Result<Array2<f64>> {
        let version = self.run.iterations();
        if let Some((v, g)) = &*self.field.borrow() {
            if *v == version {
                return Ok(g.clone());
            }
        }
        let at = |r: &std::ops::Range<f64>, i: usize| {
            r.start + (r.end - r.start) * i as f64 / (GRID - 1) as f64
        };
        let points = Array2::from_shape_fn((GRID * GRID, 2), |(k, c)| {
            if c == 0 {
                at(&self.x_range, k % GRID)
            } else {
                at(&self.y_range, k / GRID)
            }
        });
        let values = self.model.decision_function(points.view())?;
        let g = Array2::from_shape_fn((GRID, GRID), |(j, i)| values[[j * GRID + i, 0]]);
        *self.field.borrow_mut() = Some((version, g.clone()));
        Ok(g)
    }

    fn draw_field<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let title = format!(
            "Decision function: {} support vectors",
            self.model.support.len()
        );
        let mut chart = viz::chart(
            area,
            &title,
            self.x_range.clone(),
            self.y_range.clone(),
            &self.train.feature_names[0],
            &self.train.feature_names[1],
        )?;
        let g = self.grid()?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let (xr, yr) = (self.x_range.clone(), self.y_range.clone());
        // Grid cells per pixel, to draw the 0 and ±1 level lines about two pixels wide.
        let per_px_x = (GRID - 1) as f64 / (px.end - px.start).max(1) as f64;
        let per_px_y = (GRID - 1) as f64 / (py.end - py.start).max(1) as f64;
        raster_field(&mut chart, 1, |x, y| {
            let u = ((x - xr.start) / (xr.end - xr.start) * (GRID - 1) as f64)
                .clamp(0.0, (GRID - 1) as f64 - 1e-9);
            let v = ((y - yr.start) / (yr.end - yr.start) * (GRID - 1) as f64)
                .clamp(0.0, (GRID - 1) as f64 - 1e-9);
            let (i, j) = (u as usize, v as usize);
            let (fu, fv) = (u - i as f64, v - j as f64);
            let (a, b, c, d) = (g[[j, i]], g[[j, i + 1]], g[[j + 1, i]], g[[j + 1, i + 1]]);
            let f = a * (1.0 - fu) * (1.0 - fv)
                + b * fu * (1.0 - fv)
                + c * (1.0 - fu) * fv
                + d * fu * fv;
            let dfu = (b - a) * (1.0 - fv) + (d - c) * fv;
            let dfv = (c - a) * (1.0 - fu) + (d - b) * fu;
            let width = dfu.abs() * per_px_x + dfv.abs() * per_px_y;
            if f.abs() < width {
                return viz::INK;
            }
            if (f.abs() - 1.0).abs() < 0.7 * width {
                return viz::GREY;
            }
            let strength = 0.1 + 0.35 * (f.abs() / 2.0).min(1.0);
            tint(CLASS_COLOURS[usize::from(f >= 0.0)], strength)
        })?;
        draw_class_points(
            &mut chart,
            &self.train,
            &self.test,
            &self.model.classes,
            &self.class_names,
        )?;
        let at = |r: usize| (self.train.x[[r, 0]], self.train.x[[r, 1]]);
        draw_support_vectors(
            &mut chart,
            &self.model.support,
            &self.model.at_bound,
            at,
            [
                "support vector on the margin",
                "support vector at C (inside or beyond)",
            ],
        )?;
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperLeft)
    }

    fn draw_violations<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let last = self.violations.last().map_or(1.0, |p| p.0).max(1.0);
        let (lo, hi) = self
            .violations
            .iter()
            .fold((self.tol, self.tol), |(lo, hi), p| {
                (lo.min(p.1), hi.max(p.1))
            });
        let mut chart = viz::chart_log_y(
            area,
            "SMO: largest KKT violation",
            0.0..last,
            (lo * 0.5)..(hi * 2.0),
            "pair updates",
            "violation",
        )?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, self.tol), (last, self.tol)],
                viz::GREY.stroke_width(2),
            ))?
            .label(format!("tol = {}", viz::tick_label(self.tol)))
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], viz::GREY.stroke_width(2))
            });
        chart
            .draw_series(LineSeries::new(
                self.violations.iter().copied(),
                viz::BLUE.stroke_width(2),
            ))?
            .label("violation before each update")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], viz::BLUE.stroke_width(2))
            });
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }
}

impl Demo for SvmDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One SMO pair update of the real solver.
    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        self.progress = self.run.step().unwrap_or(Progress::Diverged);
        let violation = self.run.violation();
        if violation.is_finite() {
            self.violations
                .push((self.run.iterations() as f64, violation.max(1e-12)));
        }
        let done = self.progress != Progress::Running;
        if rescore(self.run.iterations(), done) && self.record().is_err() {
            self.progress = Progress::Diverged;
        }
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        smo_ticks_per_frame(self.run.iterations())
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 2);
        self.draw_field(&panels[0])?;
        self.draw_violations(&panels[1])?;
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
            Metric::new(
                "support_vectors",
                "Support vectors",
                self.model.support.len() as f64,
            ),
            Metric::new("at_bound", "of them at C", self.model.at_bound.len() as f64),
            Metric::new("train_accuracy", "Train accuracy", self.train_accuracy),
            Metric::new("test_accuracy", "Test accuracy", self.test_accuracy),
            Metric::new(
                "iterations",
                "SMO pair updates",
                self.run.iterations() as f64,
            ),
            Metric::text(
                "converged",
                "Converged",
                if self.model.converged {
                    "yes"
                } else {
                    "not yet"
                },
            ),
        ]
    }

    fn status(&self) -> Option<String> {
        match self.progress {
            Progress::Done => Some(format!(
                "Converged after {} pair updates: every KKT condition holds to within tol = {}.",
                self.run.iterations(),
                viz::tick_label(self.tol)
            )),
            Progress::Diverged => Some("The solver failed on this data.".into()),
            Progress::Running => None,
        }
    }
}

/// The classifier in scikit-learn (libsvm's SMO solves the same problem to the same tolerance).
fn python_script(params: &Params, seed: u64) -> String {
    let n = params.usize("samples");
    let noise = params.f64("noise");
    let mut s = Script::new();
    if let Some(upload) = params.upload() {
        s.upload(upload);
    } else {
        s.push(RANDOM_NOTE);
        match params.choice("dataset") {
            "blobs" => s.blobs(n, &[[-1.0, -0.5], [1.0, 0.5]], 0.3 + 1.5 * noise, seed),
            "separable" => s.blobs(n, &[[-1.6, -1.0], [1.6, 1.0]], 0.2 + noise, seed),
            "circles" => s.circles(n, 0.5, noise * 0.5, seed),
            _ => s.moons(n, noise, seed),
        };
    }
    let stretch = params.f64("stretch");
    if stretch != 1.0 {
        s.push(&format!(
            "X = X * [1, {}]  # stretch the second feature (a float array even for integer columns)",
            python::float(stretch)
        ));
    }
    s.split(0.25, seed);
    if params.bool("standardize") {
        s.import("from sklearn.preprocessing import StandardScaler")
            .push(
                "scaler = StandardScaler().fit(X_train)\n\
             X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)",
            );
    }
    s.import("import numpy as np")
        .import("from sklearn.svm import SVC")
        .push(&format!(
            "\nsvc = SVC({})\n\
             svc.fit(X_train, y_train)\n\
             print(\"Support vectors:\", len(svc.support_))\n\
             print(\"of them at C:\", np.sum(np.isclose(np.abs(svc.dual_coef_), svc.C)))\n\
             print(\"Train accuracy:\", svc.score(X_train, y_train))\n\
             print(\"Test accuracy:\", svc.score(X_test, y_test))\n\
             print(\"SMO iterations:\", svc.n_iter_[0])",
            kernel_python(params)
        ));
    s.finish()
}
