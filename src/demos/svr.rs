//! Chapter 5: support vector regression solved live by SMO on a noisy sine. Left, the fitted curve
//! with its ε-tube over the points, support vectors circled (points on or outside the tube);
//! right, each training point's dual coefficient `a_i - a*_i`, boxed in `[-C, C]`.

use super::python::{self, Script, RANDOM_NOTE};
use super::svm::{
    draw_support_vectors, kernel_python, rescore, smo_ticks_per_frame, svm_params, COEF0_PARAM,
    C_PARAM, DEGREE_PARAM, GAMMA_PARAM, KERNEL_PARAM,
};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::Dataset;
use crate::error::Result;
use crate::estimator::{Iterative, Progress, Regressor};
use crate::metrics::root_mean_squared_error;
use crate::model_selection::train_test_split;
use crate::rng::Rng;
use crate::svm::{Svr, SvrParams, SvrRun};
use crate::viz;
use ndarray::{Array1, Array2};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The inputs are drawn from [-π, π]: one full period of the sine, centred so that the polynomial
/// kernel's values stay moderate (on [0, 2π] libsvm needs ~700 000 pair updates at degree 3).
const X_MAX: f64 = std::f64::consts::PI;
const CURVE_POINTS: usize = 300;

pub struct SvrDemo {
    train: Dataset,
    test: Dataset,
    run: Box<SvrRun>,
    model: Box<Svr>,
    epsilon: f64,
    c: f64,
    train_rmse: f64,
    test_rmse: f64,
    progress: Progress,
    y_span: (f64, f64),
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl SvrDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "svr",
        title: "Support vector regression fits a tube around the data",
        chapter: "05-support-vector-machines",
        upload: None,
        params: &[
            ParamSpec {
                key: "samples",
                label: "Samples",
                help: "Points on one period of a sine; a quarter is held out as the test set.",
                kind: ParamKind::Int {
                    min: 20,
                    max: 400,
                    default: 80,
                },
            },
            ParamSpec {
                key: "noise",
                label: "Noise",
                help: "Standard deviation of the noise added to y = sin(x).",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 1.0,
                    default: 0.15,
                    log: false,
                },
            },
            ParamSpec {
                key: "epsilon",
                label: "epsilon (tube half-width)",
                help: "Errors smaller than epsilon cost nothing: points inside the tube do not shape the curve.",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 1.0,
                    default: 0.1,
                    log: false,
                },
            },
            C_PARAM,
            KERNEL_PARAM,
            GAMMA_PARAM,
            DEGREE_PARAM,
            COEF0_PARAM,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let n = params.usize("samples");
        let noise = params.f64("noise");
        let x = Array2::from_shape_fn((n, 1), |_| X_MAX * (2.0 * rng.uniform() - 1.0));
        let y: Array1<f64> =
            x.column(0).mapv(f64::sin) + Array1::from_shape_fn(n, |_| noise * rng.normal());
        let data = Dataset::with_names(x, y, vec!["x".into()], "y".into())?;
        let (train_idx, test_idx) = train_test_split(n, 0.25, &mut rng)?;
        let (train, test) = (data.select(&train_idx), data.select(&test_idx));
        let svc = svm_params(params);
        let svr = SvrParams {
            epsilon: params.f64("epsilon"),
            c: svc.c,
            kernel: svc.kernel,
            gamma: svc.gamma,
            degree: svc.degree,
            coef0: svc.coef0,
            ..SvrParams::default()
        };
        let run = svr.start(&train)?;
        let mut demo = SvrDemo {
            train,
            test,
            model: Box::new(run.model()),
            run: Box::new(run),
            epsilon: svr.epsilon,
            c: svr.c,
            train_rmse: f64::NAN,
            test_rmse: f64::NAN,
            progress: Progress::Running,
            y_span: viz::extent(data.y.iter().copied()),
            python: python_script(params, seed),
        };
        demo.record()?;
        Ok(demo)
    }

    fn record(&mut self) -> Result<()> {
        *self.model = self.run.model();
        let rmse = |d: &Dataset, m: &Svr| -> Result<f64> {
            Ok(root_mean_squared_error(
                d.y.view(),
                m.predict(d.x.view())?.view(),
            ))
        };
        self.train_rmse = rmse(&self.train, &self.model)?;
        self.test_rmse = rmse(&self.test, &self.model)?;
        Ok(())
    }

    fn draw_fit<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = self.y_span;
        let title = format!(
            "Fit and ε-tube: {} support vectors",
            self.model.support.len()
        );
        let mut chart = viz::chart(
            area,
            &title,
            viz::padded(-X_MAX, X_MAX, 0.02),
            viz::padded(lo.min(-1.0), hi.max(1.0), 0.1),
            "x",
            "y",
        )?;
        let grid = Array2::from_shape_fn((CURVE_POINTS + 1, 1), |(i, _)| {
            X_MAX * (2.0 * i as f64 / CURVE_POINTS as f64 - 1.0)
        });
        let fit = self.model.predict(grid.view())?;
        let curve = |shift: f64| -> Vec<(f64, f64)> {
            grid.column(0)
                .iter()
                .zip(fit.iter())
                .map(|(&x, &f)| (x, f + shift))
                .collect()
        };
        // The tube first, so the points and the curve are drawn over it.
        let mut band = curve(self.epsilon);
        band.extend(curve(-self.epsilon).into_iter().rev());
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                viz::RED.mix(0.12).filled(),
            )))?
            .label(format!("ε-tube (ε = {})", viz::tick_label(self.epsilon)))
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], viz::RED.mix(0.2).filled())
            });
        viz::draw_truth_and_samples(
            &mut chart,
            curve(0.0).into_iter().map(|(x, _)| (x, x.sin())),
            "sin(x)",
            (self.train.x.column(0), self.train.y.view()),
            (self.test.x.column(0), self.test.y.view()),
            "test",
        )?;
        for shift in [-self.epsilon, self.epsilon] {
            chart.draw_series(LineSeries::new(
                curve(shift),
                viz::RED.mix(0.5).stroke_width(1),
            ))?;
        }
        chart
            .draw_series(LineSeries::new(curve(0.0), viz::RED.stroke_width(3)))?
            .label("SVR")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], viz::RED.stroke_width(3)));
        draw_support_vectors(
            &mut chart,
            &self.model.support,
            &self.model.at_bound,
            |r| (self.train.x[[r, 0]], self.train.y[r]),
            [
                "support vector on the tube's edge",
                "support vector at ±C (outside)",
            ],
        )?;
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperLeft)
    }

    fn draw_coefficients<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let mut chart = viz::chart(
            area,
            "Dual coefficients a - a*",
            viz::padded(-X_MAX, X_MAX, 0.02),
            viz::padded(-self.c, self.c, 0.1),
            "x of the training point",
            "a - a*",
        )?;
        for bound in [-self.c, self.c] {
            chart.draw_series(LineSeries::new(
                [(-X_MAX, bound), (X_MAX, bound)],
                viz::GREY.stroke_width(2),
            ))?;
        }
        chart
            .draw_series(LineSeries::new(
                [(-X_MAX, self.c)],
                viz::GREY.stroke_width(2),
            ))?
            .label(format!("±C = ±{}", viz::tick_label(self.c)))
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], viz::GREY.stroke_width(2))
            });
        let stems = self.model.support.iter().zip(self.model.dual_coef.iter());
        chart.draw_series(stems.clone().map(|(&r, &a)| {
            let x = self.train.x[[r, 0]];
            PathElement::new(vec![(x, 0.0), (x, a)], viz::BLUE.stroke_width(2))
        }))?;
        chart
            .draw_series(
                stems.map(|(&r, &a)| Circle::new((self.train.x[[r, 0]], a), 3, viz::BLUE.filled())),
            )?
            .label("support vector")
            .legend(|(x, y)| Circle::new((x + 8, y), 3, viz::BLUE.filled()));
        viz::legend(&mut chart, area, SeriesLabelPosition::LowerRight)
    }
}

impl Demo for SvrDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One SMO pair update of the real solver.
    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        self.progress = self.run.step().unwrap_or(Progress::Diverged);
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
        self.draw_fit(&panels[0])?;
        self.draw_coefficients(&panels[1])?;
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
            Metric::new(
                "at_bound",
                "of them at ±C",
                self.model.at_bound.len() as f64,
            ),
            Metric::new("train_rmse", "Train RMSE", self.train_rmse),
            Metric::new("test_rmse", "Test RMSE", self.test_rmse),
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
        (self.progress == Progress::Done).then(|| {
            format!(
                "Converged after {} pair updates: {} of {} training points are support vectors.",
                self.run.iterations(),
                self.model.support.len(),
                self.train.n_samples()
            )
        })
    }
}

/// The regressor in scikit-learn, on a noisy sine made as `new` makes it.
fn python_script(params: &Params, seed: u64) -> String {
    let n = params.usize("samples");
    let mut s = Script::new();
    s.import("import numpy as np")
        .import("from sklearn.metrics import root_mean_squared_error")
        .import("from sklearn.svm import SVR")
        .push(RANDOM_NOTE)
        .push(&format!(
            "rng = np.random.default_rng({})\n\
             X = rng.uniform(-np.pi, np.pi, ({n}, 1))\n\
             y = np.sin(X[:, 0]) + {} * rng.normal(size={n})",
            python::seed(seed),
            python::float(params.f64("noise"))
        ))
        .split(0.25, seed)
        .push(&format!(
            "\nsvr = SVR({}, epsilon={})\n\
             svr.fit(X_train, y_train)\n\
             print(\"Support vectors:\", len(svr.support_))\n\
             print(\"of them at +-C:\", np.sum(np.isclose(np.abs(svr.dual_coef_), svr.C)))\n\
             print(\"Train RMSE:\", root_mean_squared_error(y_train, svr.predict(X_train)))\n\
             print(\"Test RMSE:\", root_mean_squared_error(y_test, svr.predict(X_test)))\n\
             print(\"SMO iterations:\", svr.n_iter_)",
            kernel_python(params),
            python::float(params.f64("epsilon"))
        ));
    s.finish()
}
