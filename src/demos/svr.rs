//! Chapter 5: support vector regression solved live by SMO on a noisy sine. Left, the fitted curve
//! with its ε-tube over the points, support vectors circled (points on or outside the tube);
//! right, each training point's dual coefficient `a_i - a*_i`, boxed in `[-C, C]`.

use super::python::{self, Script, RANDOM_NOTE};
use super::regression_1d::{data_python, regression_upload, Split1d};
use super::svm::{
    draw_support_vectors, kernel_python, rescore, smo_ticks_per_frame, svm_params, COEF0_PARAM,
    C_PARAM, DEGREE_PARAM, GAMMA_PARAM, KERNEL_PARAM,
};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::Dataset;
use crate::error::Result;
use crate::estimator::{Iterative, Progress, Regressor};
use crate::metrics::root_mean_squared_error;
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
    split: Split1d,
    train: Dataset,
    test: Dataset,
    /// Mean and standard deviation of x and of y: the solver sees a file's data standardised,
    /// so that gamma, epsilon and C mean what they mean on the sine; (0, 1) for the sine.
    x_scale: (f64, f64),
    y_scale: (f64, f64),
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
        upload: regression_upload(500),
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
        let split = Split1d::new(params, &mut rng, (-X_MAX, X_MAX), |rng| {
            let x = Array2::from_shape_fn((n, 1), |_| X_MAX * (2.0 * rng.uniform() - 1.0));
            let y: Array1<f64> =
                x.column(0).mapv(f64::sin) + Array1::from_shape_fn(n, |_| noise * rng.normal());
            Dataset::with_names(x, y, vec!["x".into()], "y".into())
        })?;
        let (train, test) = (split.train.clone(), split.test.clone());
        let (x_scale, y_scale) = split.unit_scales();
        let scaled = Dataset::new(
            train.x.mapv(|v| (v - x_scale.0) / x_scale.1),
            train.y.mapv(|v| (v - y_scale.0) / y_scale.1),
        )?;
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
        let run = svr.start(&scaled)?;
        let y_span = viz::extent(train.y.iter().chain(&test.y).copied());
        let mut demo = SvrDemo {
            split,
            x_scale,
            y_scale,
            train,
            test,
            model: Box::new(run.model()),
            run: Box::new(run),
            epsilon: svr.epsilon,
            c: svr.c,
            train_rmse: f64::NAN,
            test_rmse: f64::NAN,
            progress: Progress::Running,
            y_span,
            python: python_script(params, seed),
        };
        demo.record()?;
        Ok(demo)
    }

    /// The model's prediction at `x`, in the data's units.
    fn predict(&self, x: &Array2<f64>) -> Result<Array1<f64>> {
        let (xm, xs) = self.x_scale;
        let (ym, ys) = self.y_scale;
        let p = self.model.predict(x.mapv(|v| (v - xm) / xs).view())?;
        Ok(p.mapv(|v| v * ys + ym))
    }

    fn record(&mut self) -> Result<()> {
        *self.model = self.run.model();
        let rmse = |d: &Dataset| -> Result<f64> {
            Ok(root_mean_squared_error(
                d.y.view(),
                self.predict(&d.x)?.view(),
            ))
        };
        let (train, test) = (rmse(&self.train)?, rmse(&self.test)?);
        self.train_rmse = train;
        self.test_rmse = test;
        Ok(())
    }

    fn draw_fit<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = self.y_span;
        let title = format!(
            "Fit and ε-tube: {} support vectors",
            self.model.support.len()
        );
        // The sine's axis always shows -1..1; a file's follows its values.
        let (lo, hi) = if self.split.generated {
            (lo.min(-1.0), hi.max(1.0))
        } else {
            (lo, hi)
        };
        let mut chart = viz::chart(
            area,
            &title,
            self.split.x_axis(),
            viz::padded(lo, hi, 0.1),
            self.split.x_name(),
            self.split.y_name(),
        )?;
        let xs = self.split.grid(CURVE_POINTS);
        let grid = Array2::from_shape_vec((xs.len(), 1), xs.clone())
            .map_err(|e| crate::Error::Shape(e.to_string()))?;
        let fit = self.predict(&grid)?;
        // The tube is epsilon wide in the standardised y the solver saw.
        let epsilon = self.epsilon * self.y_scale.1;
        let curve = |shift: f64| -> Vec<(f64, f64)> {
            grid.column(0)
                .iter()
                .zip(fit.iter())
                .map(|(&x, &f)| (x, f + shift))
                .collect()
        };
        // The tube first, so the points and the curve are drawn over it.
        let mut band = curve(epsilon);
        band.extend(curve(-epsilon).into_iter().rev());
        let tube = if self.split.generated {
            format!("ε-tube (ε = {})", viz::tick_label(self.epsilon))
        } else {
            format!("ε-tube (ε = {} sd of y)", viz::tick_label(self.epsilon))
        };
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                viz::RED.mix(0.12).filled(),
            )))?
            .label(tube)
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], viz::RED.mix(0.2).filled())
            });
        viz::draw_truth_and_samples(
            &mut chart,
            &self.split.truth(&xs, f64::sin),
            "sin(x)",
            (self.train.x.column(0), self.train.y.view()),
            (self.test.x.column(0), self.test.y.view()),
            "test",
        )?;
        for shift in [-epsilon, epsilon] {
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
        viz::legend(
            &mut chart,
            area,
            self.split.legend_corner(SeriesLabelPosition::UpperLeft),
        )
    }

    fn draw_coefficients<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let x_label = format!("{} of the training point", self.split.x_name());
        let mut chart = viz::chart(
            area,
            "Dual coefficients a - a*",
            self.split.x_axis(),
            viz::padded(-self.c, self.c, 0.1),
            &x_label,
            "a - a*",
        )?;
        let (x0, x1) = self.split.x_range;
        for bound in [-self.c, self.c] {
            chart.draw_series(LineSeries::new(
                [(x0, bound), (x1, bound)],
                viz::GREY.stroke_width(2),
            ))?;
        }
        chart
            .draw_series(LineSeries::new([(x0, self.c)], viz::GREY.stroke_width(2)))?
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
        .import("from sklearn.svm import SVR");
    data_python(&mut s, params, |s| {
        s.push(RANDOM_NOTE).push(&format!(
            "rng = np.random.default_rng({})\n\
             X = rng.uniform(-np.pi, np.pi, ({n}, 1))\n\
             y = np.sin(X[:, 0]) + {} * rng.normal(size={n})",
            python::seed(seed),
            python::float(params.f64("noise"))
        ));
    });
    s.split(0.25, seed);
    let svr = format!(
        "SVR({}, epsilon={})",
        kernel_python(params),
        python::float(params.f64("epsilon"))
    );
    // A file's x and y are standardised for the solver (as mlplay does), so that gamma, epsilon
    // and C mean the same as on the sine; predictions come back in y's units.
    let (fit, model) = if params.upload().is_some() {
        s.import("from sklearn.compose import TransformedTargetRegressor")
            .import("from sklearn.pipeline import make_pipeline")
            .import("from sklearn.preprocessing import StandardScaler");
        let fit = format!(
            "\n# x and y standardised for the solver, as mlplay does: epsilon and C are in standard\n\
             # deviations of y.\n\
             model = TransformedTargetRegressor(make_pipeline(StandardScaler(), {svr}),\n\
             \x20                                  transformer=StandardScaler())\n\
             model.fit(X_train, y_train)\n\
             svr = model.regressor_[-1]"
        );
        (fit, "model")
    } else {
        (format!("\nsvr = {svr}\nsvr.fit(X_train, y_train)"), "svr")
    };
    s.push(&format!(
        "{fit}\n\
         print(\"Support vectors:\", len(svr.support_))\n\
         print(\"of them at +-C:\", np.sum(np.isclose(np.abs(svr.dual_coef_), svr.C)))\n\
         print(\"Train RMSE:\", root_mean_squared_error(y_train, {model}.predict(X_train)))\n\
         print(\"Test RMSE:\", root_mean_squared_error(y_test, {model}.predict(X_test)))\n\
         print(\"SMO iterations:\", svr.n_iter_)"
    ));
    s.finish()
}
