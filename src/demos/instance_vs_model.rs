//! Chapter 1: instance-based against model-based learning on a small synthetic table shaped like
//! "life satisfaction against GDP per capita" (made up here, not real data). A straight line
//! (`LinearRegression`) and k-nearest neighbours (`KNeighborsRegressor`) are fitted to the same
//! rows; both predict at a query x, whose k neighbours are ringed. Right, both models' test error
//! against k, one k per tick. Metrics: both predictions at the query, train and test RMSE.

use super::knn_boundary::{draw_k_curve, weights_of, KCurve, MAX_K, WEIGHTS_PARAM};
use super::python::{self, Script, RANDOM_NOTE};
use super::regression_1d::{data_python, regression_upload, Split1d};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::estimator::{Fit, Progress, Regressor};
use crate::linear::{LinearRegression, LinearRegressionParams};
use crate::metrics::root_mean_squared_error;
use crate::neighbors::{KNeighborsRegressor, KNeighborsRegressorParams, Weights};
use crate::rng::Rng;
use crate::viz;
use ndarray::{Array1, Array2};
use plotters::coord::Shift;
use plotters::prelude::*;

/// GDP per capita, in thousands of dollars, spans this range in the made-up table.
const GDP: (f64, f64) = (5.0, 110.0);
/// The query control's range, and the made-up table's x axis.
const QUERY_RANGE: (f64, f64) = (0.0, 120.0);
/// The made-up table's y axis.
const Y_AXIS: (f64, f64) = (2.0, 9.0);

/// The curve the table is drawn around: satisfaction rises quickly at first, then levels off.
fn satisfaction(gdp: f64) -> f64 {
    4.0 + 3.4 * (1.0 - (-gdp / 28.0).exp())
}

/// `n` countries: GDP spread more densely at the low end (as real incomes are), satisfaction on
/// the curve plus Gaussian noise, clipped to the 0-10 scale of such surveys.
fn table(n: usize, noise: f64, rng: &mut Rng) -> Result<Dataset> {
    let gdp: Vec<f64> = (0..n)
        .map(|_| GDP.0 + (GDP.1 - GDP.0) * rng.uniform_range(0.0, 1.0).powf(1.6))
        .collect();
    let y = Array1::from_iter(
        gdp.iter()
            .map(|&g| (satisfaction(g) + noise * rng.normal()).clamp(0.0, 10.0)),
    );
    let x = Array2::from_shape_vec((n, 1), gdp).map_err(|e| Error::Shape(e.to_string()))?;
    Dataset::new(x, y)
}

pub struct InstanceVsModelDemo {
    split: Split1d,
    train: Dataset,
    test: Dataset,
    k: usize,
    weights: Weights,
    /// The x predicted at: the control's value on the made-up table; on a file, the control's
    /// 0-120 spread over the file's x range (its own units can be anything).
    query: f64,
    x_axis: std::ops::Range<f64>,
    y_axis: std::ops::Range<f64>,
    linear: LinearRegression,
    knn: KNeighborsRegressor,
    /// The query's k nearest training rows.
    neighbours: Vec<usize>,
    /// (k, kNN train RMSE, kNN test RMSE) for k = 1, 2, ...
    curve: KCurve,
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl InstanceVsModelDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "instance-vs-model",
        title: "Instance-based or model-based: k-nearest neighbours against a straight line",
        chapter: "01-the-machine-learning-landscape",
        upload: regression_upload(500),
        params: &[
            ParamSpec {
                key: "k",
                label: "k (neighbours)",
                help: "How many of the closest countries' values are averaged for a prediction.",
                kind: ParamKind::Int {
                    min: 1,
                    max: 30,
                    default: 3,
                },
            },
            WEIGHTS_PARAM,
            ParamSpec {
                key: "query",
                label: "Query GDP per capita (k$)",
                help: "The new country to predict for.",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 120.0,
                    default: 45.0,
                    log: false,
                },
            },
            ParamSpec {
                key: "samples",
                label: "Countries",
                help: "Rows in the made-up table; a quarter is held out as the test set.",
                kind: ParamKind::Int {
                    min: 8,
                    max: 200,
                    default: 40,
                },
            },
            ParamSpec {
                key: "noise",
                label: "Noise",
                help: "Standard deviation of the scatter around the underlying curve (satisfaction points).",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 1.5,
                    default: 0.4,
                    log: false,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let n = params.usize("samples");
        let noise = params.f64("noise");
        let split = Split1d::new(params, &mut rng, QUERY_RANGE, |rng| table(n, noise, rng))?;
        let (train, test) = (split.train.clone(), split.test.clone());
        let max_k = MAX_K.min(train.n_samples());
        let k = params.usize("k").clamp(1, max_k);
        let weights = weights_of(params);
        let query = query_x(&split, params.f64("query"));
        let (x_axis, y_axis) = if split.generated {
            (QUERY_RANGE.0..QUERY_RANGE.1, Y_AXIS.0..Y_AXIS.1)
        } else {
            let (y0, y1) = viz::extent(train.y.iter().chain(&test.y).copied());
            (split.x_axis(), viz::padded(y0, y1, 0.1))
        };
        let linear = LinearRegressionParams::default().fit(&train)?;
        let knn = KNeighborsRegressorParams::default()
            .n_neighbors(k)
            .weights(weights)
            .fit(&train)?;
        let (_, ind) = knn.kneighbors(ndarray::array![[query]].view(), k)?;
        let python = python_script(params, seed, k, query);
        Ok(InstanceVsModelDemo {
            neighbours: ind.row(0).to_vec(),
            split,
            x_axis,
            y_axis,
            train,
            test,
            k,
            weights,
            query,
            linear,
            knn,
            curve: KCurve::new(max_k),
            python,
        })
    }

    fn predict_at(model: &impl Regressor, x: f64) -> f64 {
        model
            .predict(ndarray::array![[x]].view())
            .map_or(f64::NAN, |p| p[0])
    }

    fn rmse(model: &impl Regressor, data: &Dataset) -> f64 {
        model.predict(data.x.view()).map_or(f64::NAN, |p| {
            root_mean_squared_error(data.y.view(), p.view())
        })
    }

    fn draw_fit<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = (self.y_axis.start, self.y_axis.end);
        let mut chart = if self.split.generated {
            viz::chart(
                area,
                "Life satisfaction against GDP per capita (made-up table)",
                self.x_axis.clone(),
                self.y_axis.clone(),
                "GDP per capita (thousands of $)",
                "life satisfaction (0-10)",
            )?
        } else {
            let title = format!("{} against {}", self.split.y_name(), self.split.x_name());
            viz::chart(
                area,
                &title,
                self.x_axis.clone(),
                self.y_axis.clone(),
                self.split.x_name(),
                self.split.y_name(),
            )?
        };
        let grid = self.split.grid(480);
        let xs = Array2::from_shape_vec((grid.len(), 1), grid.clone())
            .map_err(|e| Error::Shape(e.to_string()))?;
        viz::draw_truth_and_samples(
            &mut chart,
            &self.split.truth(&grid, satisfaction),
            "curve the table was drawn around",
            (self.train.x.column(0), self.train.y.view()),
            (self.test.x.column(0), self.test.y.view()),
            "test",
        )?;
        let clip = |v: f64| v.clamp(lo, hi);
        let lines = [
            (self.linear.predict(xs.view())?, viz::RED, "linear model"),
            (
                self.knn.predict(xs.view())?,
                viz::GREEN,
                "k nearest neighbours",
            ),
        ];
        for (model, colour, label) in lines {
            chart
                .draw_series(LineSeries::new(
                    grid.iter().zip(model.iter()).map(|(&x, &y)| (x, clip(y))),
                    colour.stroke_width(2),
                ))?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        // The query: a vertical line, its neighbours ringed, both predictions marked.
        let query_line = chart.draw_series(std::iter::once(PathElement::new(
            vec![(self.query, lo), (self.query, hi)],
            viz::GREY.mix(0.7).stroke_width(1),
        )))?;
        if !self.split.generated {
            // Say where the control's 0-120 put the query on this file's x.
            query_line
                .label(format!(
                    "query x = {} (control's 0-120 across x)",
                    viz::tick_label(self.query)
                ))
                .legend(|(x, y)| {
                    PathElement::new(
                        vec![(x + 8, y - 6), (x + 8, y + 6)],
                        viz::GREY.stroke_width(2),
                    )
                });
        }
        chart
            .draw_series(self.neighbours.iter().map(|&j| {
                Circle::new(
                    (self.train.x[[j, 0]], self.train.y[j]),
                    7,
                    viz::INK.stroke_width(2),
                )
            }))?
            .label(format!("the query's {} neighbours", self.k))
            .legend(|(x, y)| Circle::new((x + 8, y), 6, viz::INK.stroke_width(2)));
        for (value, colour) in [
            (Self::predict_at(&self.linear, self.query), viz::RED),
            (Self::predict_at(&self.knn, self.query), viz::GREEN),
        ] {
            chart.draw_series(std::iter::once(TriangleMarker::new(
                (self.query, clip(value)),
                8,
                colour.filled(),
            )))?;
        }
        let corner = self.split.legend_corner(SeriesLabelPosition::LowerRight);
        viz::legend(&mut chart, area, corner)
    }
}

impl Demo for InstanceVsModelDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One more k on the error curve.
    fn tick(&mut self) -> Progress {
        let (train, test, weights) = (&self.train, &self.test, self.weights);
        self.curve.advance(|k| {
            let m = KNeighborsRegressorParams::default()
                .n_neighbors(k)
                .weights(weights)
                .fit(train)?;
            Ok((Self::rmse(&m, train), Self::rmse(&m, test)))
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
        self.draw_fit(&panels[0])?;
        let line = Self::rmse(&self.linear, &self.test);
        let high = self
            .curve
            .points
            .iter()
            .flat_map(|p| [p.1, p.2])
            .chain([line])
            .filter(|v| v.is_finite())
            .fold(0.1_f64, f64::max);
        let title = format!("k-NN error vs k (line's test RMSE {line:.2})");
        draw_k_curve(
            &panels[1],
            &title,
            "RMSE",
            0.0..high * 1.1,
            &self.curve,
            self.k,
            SeriesLabelPosition::UpperLeft,
        )
    }

    fn height_for_width(&self, width: u32) -> u32 {
        viz::two_panel_height(width)
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        let mut metrics = vec![
            Metric::new(
                "linear_prediction",
                "Linear model at the query",
                Self::predict_at(&self.linear, self.query),
            ),
            Metric::new(
                "knn_prediction",
                "k-NN at the query",
                Self::predict_at(&self.knn, self.query),
            ),
            Metric::new(
                "linear_train_rmse",
                "Linear train RMSE",
                Self::rmse(&self.linear, &self.train),
            ),
            Metric::new(
                "linear_test_rmse",
                "Linear test RMSE",
                Self::rmse(&self.linear, &self.test),
            ),
            Metric::new(
                "knn_train_rmse",
                "k-NN train RMSE",
                Self::rmse(&self.knn, &self.train),
            ),
            Metric::new(
                "knn_test_rmse",
                "k-NN test RMSE",
                Self::rmse(&self.knn, &self.test),
            ),
        ];
        if !self.split.generated {
            metrics.insert(0, Metric::new("query_x", "Query x", self.query));
        }
        metrics
    }
}

/// Where the query control's value `at` (0-120) puts the query: there on the made-up table, and
/// the same fraction of the way across the x range of a file.
fn query_x(split: &Split1d, at: f64) -> f64 {
    if split.generated {
        return at;
    }
    let t = (at - QUERY_RANGE.0) / (QUERY_RANGE.1 - QUERY_RANGE.0);
    split.x_range.0 + t.clamp(0.0, 1.0) * (split.x_range.1 - split.x_range.0)
}

/// Both models in scikit-learn, on a table made the way `table` makes it or the reader's file
/// (`k` and the query `x` as used).
fn python_script(params: &Params, seed: u64, k: usize, query: f64) -> String {
    let n = params.usize("samples");
    let mut s = Script::new();
    s.import("import numpy as np")
        .import("from sklearn.linear_model import LinearRegression")
        .import("from sklearn.neighbors import KNeighborsRegressor")
        .import("from sklearn.metrics import root_mean_squared_error");
    data_python(&mut s, params, |s| {
        s.push(RANDOM_NOTE).push(&format!(
            "# A made-up table: GDP per capita (thousands of dollars) against life satisfaction.\n\
             rng = np.random.default_rng({seed})\n\
             gdp = 5 + 105 * rng.uniform(size={n}) ** 1.6\n\
             satisfaction = 4 + 3.4 * (1 - np.exp(-gdp / 28)) + {noise} * rng.normal(size={n})\n\
             X, y = gdp.reshape(-1, 1), np.clip(satisfaction, 0, 10)",
            seed = python::seed(seed),
            noise = python::float(params.f64("noise")),
        ));
    });
    s.split(0.25, seed).push(&format!(
            "\nlinear = LinearRegression().fit(X_train, y_train)\n\
             knn = KNeighborsRegressor(n_neighbors={k}, weights=\"{}\").fit(X_train, y_train)\n\
             query = [[{}]]\n\
             print(\"Linear model at the query:\", linear.predict(query)[0])\n\
             print(\"k-NN at the query:\", knn.predict(query)[0])\n\
             for name, model in [(\"Linear\", linear), (\"k-NN\", knn)]:\n\
             \x20   print(name, \"train RMSE:\", root_mean_squared_error(y_train, model.predict(X_train)))\n\
             \x20   print(name, \"test RMSE:\", root_mean_squared_error(y_test, model.predict(X_test)))",
            params.choice("weights"),
            python::float(query),
        ));
    s.finish()
}
