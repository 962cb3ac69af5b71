//! Chapter 2: tuning k-nearest neighbours on the Auto MPG training set (or a table the reader
//! uploads) by grid search. The grid is
//! every number of neighbours from 1 to `max_k` with uniform and distance weights; each setting
//! is cross-validated (the preprocessing refitted in every fold) in one tick, using the same
//! settings order, parameter paths (`estimator__n_neighbors`) and pipeline as `GridSearchCv`.
//! Left, the cross-validated RMSE of every setting so far; right, the best settings ranked, and
//! once the grid is done, the best one refitted on the whole training set and scored on the test set.

use super::auto_mpg_data::{
    load_python, preprocessing, preprocessing_python, project_table, ProjectTable, TABLE_UPLOAD,
};
use super::end_to_end::{FOLDS_PARAM, IMPUTER_PARAM, SCALER_PARAM};
use super::python::Script;
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::Dataset;
use crate::error::Result;
use crate::estimator::{Fit, Progress, Regressor};
use crate::metrics::root_mean_squared_error;
use crate::model_selection::{cross_val_score, with_params, Fold, GridSearchCv, KFold, Scoring};
use crate::neighbors::KNeighborsRegressorParams;
use crate::preprocessing::PipelineParams;
use crate::viz;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde_json::{json, Value as Json};

type Setting = Vec<(String, Json)>;

pub struct GridSearchDemo {
    table: ProjectTable,
    base: PipelineParams<KNeighborsRegressorParams>,
    folds: Vec<Fold>,
    settings: Vec<Setting>,
    /// (k, distance weights?, mean CV RMSE) of every setting tried so far, in grid order.
    results: Vec<(usize, bool, f64)>,
    test_rmse: Option<f64>,
    max_k: usize,
    error: Option<String>,
    /// The "Python equivalent" of these parameters.
    python: String,
}

impl GridSearchDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "grid-search",
        title: "Grid search over k-nearest neighbours",
        chapter: "02-end-to-end-project",
        upload: TABLE_UPLOAD,
        params: &[
            ParamSpec {
                key: "max_k",
                label: "Largest k tried",
                help: "The grid holds every k from 1 to this, each with uniform and with distance weights.",
                kind: ParamKind::Int {
                    min: 2,
                    max: 40,
                    default: 20,
                },
            },
            SCALER_PARAM,
            IMPUTER_PARAM,
            FOLDS_PARAM,
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let table = project_table(params, seed)?;
        let max_k = params.usize("max_k");
        let base = PipelineParams {
            preprocess: preprocessing(
                &table,
                params.choice("imputer"),
                params.choice("scaler"),
                "one-hot",
            )?,
            estimator: KNeighborsRegressorParams::default(),
        };
        let grid = GridSearchCv::new(vec![
            (
                "estimator__n_neighbors".into(),
                (1..=max_k).map(|k| json!(k)).collect(),
            ),
            (
                "estimator__weights".into(),
                vec![json!("uniform"), json!("distance")],
            ),
        ]);
        let folds = KFold::new(params.usize("folds")).split(table.train.n_samples())?;
        Ok(GridSearchDemo {
            settings: grid.settings()?,
            python: python_script(&table, params, seed),
            table,
            base,
            folds,
            results: Vec::new(),
            test_rmse: None,
            max_k,
            error: None,
        })
    }

    fn score(model: &dyn Regressor, d: &Dataset) -> Result<f64> {
        Scoring::NegRootMeanSquaredError
            .of_predictions(d.y.view(), model.predict(d.x.view())?.view())
    }

    fn try_setting(&self, s: &Setting) -> Result<(usize, bool, f64)> {
        let p = with_params(&self.base, s)?;
        let scores = cross_val_score(&p, &self.table.train, &self.folds, |m, d| Self::score(m, d))?;
        let rmse = -scores.iter().sum::<f64>() / scores.len() as f64;
        Ok((p.estimator.n_neighbors, s[1].1 == json!("distance"), rmse))
    }

    /// Indices into `results`, best (lowest RMSE) first; ties keep grid order, as scikit-learn.
    fn ranked(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.results.len()).collect();
        idx.sort_by(|&a, &b| self.results[a].2.total_cmp(&self.results[b].2));
        idx
    }

    fn draw_curves<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = viz::extent(self.results.iter().map(|r| r.2));
        let mut chart = viz::chart(
            area,
            "Cross-validated RMSE of each setting",
            0.5..self.max_k as f64 + 0.5,
            viz::padded(lo, hi, 0.1),
            "k (neighbours)",
            &format!("CV RMSE ({})", self.table.target),
        )?;
        for (distance, colour, label) in [
            (false, viz::BLUE, "uniform"),
            (true, viz::ORANGE, "distance"),
        ] {
            let pts: Vec<(f64, f64)> = self
                .results
                .iter()
                .filter(|r| r.1 == distance)
                .map(|r| (r.0 as f64, r.2))
                .collect();
            chart
                .draw_series(LineSeries::new(pts, colour.stroke_width(2)).point_size(3))?
                .label(format!("weights = {label}"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        if let Some(&b) = self.ranked().first() {
            let (k, _, rmse) = self.results[b];
            chart
                .draw_series(std::iter::once(Circle::new(
                    (k as f64, rmse),
                    8,
                    viz::RED.stroke_width(3),
                )))?
                .label("best so far")
                .legend(|(x, y)| Circle::new((x + 6, y), 5, viz::RED.stroke_width(2)));
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }

    fn draw_ranking<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let fs = viz::font_size(area) as i32;
        let (w, _) = area.dim_in_pixel();
        let style = |size: i32, colour: RGBColor| ("sans-serif", size).into_font().color(&colour);
        let mut y = fs;
        area.draw(&Text::new(
            format!(
                "Ranking ({} of {} settings tried)",
                self.results.len(),
                self.settings.len()
            ),
            (w as i32 / 2, y),
            style(fs + 2, viz::INK).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        y += fs * 3;
        for (rank, &i) in self.ranked().iter().take(8).enumerate() {
            let (k, distance, rmse) = self.results[i];
            let colour = if rank == 0 { viz::RED } else { viz::INK };
            area.draw(&Text::new(
                format!(
                    "{}. k = {k:>2}, {} weights: RMSE {rmse:.3}",
                    rank + 1,
                    if distance { "distance" } else { "uniform" }
                ),
                (fs * 2, y),
                style(fs, colour),
            ))?;
            y += fs * 3 / 2 + 4;
        }
        if let Some(t) = self.test_rmse {
            y += fs;
            area.draw(&Text::new(
                format!(
                    "1. refitted on all training {}: test RMSE {t:.3}",
                    self.table.rows_word()
                ),
                (fs * 2, y),
                style(fs, viz::BLUE),
            ))?;
        }
        Ok(())
    }
}

impl Demo for GridSearchDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn ticks_per_frame(&self) -> usize {
        1
    }

    /// One setting (all its folds) per tick; after the last, the best is refitted and tested.
    fn tick(&mut self) -> Progress {
        if self.error.is_some() || self.test_rmse.is_some() {
            return Progress::Done;
        }
        let result = if self.results.len() < self.settings.len() {
            self.try_setting(&self.settings[self.results.len()])
                .map(|r| self.results.push(r))
        } else {
            let best = self.ranked()[0];
            let s = self.settings[best].clone();
            with_params(&self.base, &s)
                .and_then(|p| p.fit(&self.table.train))
                .and_then(|m| m.predict(self.table.test.x.view()))
                .map(|pred| {
                    self.test_rmse = Some(root_mean_squared_error(
                        self.table.test.y.view(),
                        pred.view(),
                    ))
                })
        };
        match result {
            Err(e) => {
                self.error = Some(e.to_string());
                Progress::Done
            }
            Ok(()) if self.test_rmse.is_some() => Progress::Done,
            Ok(()) => Progress::Running,
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 2);
        self.draw_curves(&panels[0])?;
        self.draw_ranking(&panels[1])
    }

    fn height_for_width(&self, width: u32) -> u32 {
        viz::two_panel_height(width)
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        let best = self.ranked().first().map(|&i| self.results[i]);
        vec![
            Metric::new("tried", "settings tried", self.results.len() as f64),
            Metric::new("best_k", "best k", best.map_or(f64::NAN, |b| b.0 as f64)),
            Metric::text(
                "best_weights",
                "best weights",
                best.map_or("—", |b| if b.1 { "distance" } else { "uniform" }),
            ),
            Metric::new(
                "best_cv_rmse",
                "best CV RMSE",
                best.map_or(f64::NAN, |b| b.2),
            ),
            Metric::new(
                "test_rmse",
                "test RMSE of the best",
                self.test_rmse.unwrap_or(f64::NAN),
            ),
        ]
    }

    fn status(&self) -> Option<String> {
        self.error.clone()
    }

    fn autoplay(&self) -> bool {
        true
    }
}

/// The same search with scikit-learn's `GridSearchCV`.
fn python_script(table: &ProjectTable, params: &Params, seed: u64) -> String {
    let mut s = Script::new();
    load_python(&mut s, table, seed);
    preprocessing_python(
        &mut s,
        table,
        params.choice("imputer"),
        params.choice("scaler"),
        "one-hot",
    );
    s.import("from sklearn.metrics import root_mean_squared_error")
        .import("from sklearn.model_selection import GridSearchCV, KFold")
        .import("from sklearn.neighbors import KNeighborsRegressor")
        .push(&format!(
            "model = Pipeline([(\"preprocess\", preprocess), (\"estimator\", KNeighborsRegressor())])\n\
             grid = GridSearchCV(model, {{\"estimator__n_neighbors\": list(range(1, {} + 1)),\n\
             \x20                           \"estimator__weights\": [\"uniform\", \"distance\"]}},\n\
             \x20                   cv=KFold(n_splits={}), scoring=\"neg_root_mean_squared_error\")\n\
             grid.fit(X_train, y_train)  # then refits the best setting on the whole training set\n\
             print(\"settings tried:\", len(grid.cv_results_[\"params\"]))\n\
             print(\"best k:\", grid.best_params_[\"estimator__n_neighbors\"])\n\
             print(\"best weights:\", grid.best_params_[\"estimator__weights\"])\n\
             print(\"best CV RMSE:\", -grid.best_score_)\n\
             print(\"test RMSE of the best:\", root_mean_squared_error(y_test, grid.predict(X_test)))",
            params.usize("max_k"),
            params.usize("folds")
        ));
    s.finish()
}
