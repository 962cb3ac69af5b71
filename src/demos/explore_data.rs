//! Chapter 2: looking at the Auto MPG training set before modelling it. Left, a histogram of one
//! column (missing cells counted, not drawn); middle, one column against another, coloured by
//! origin; right, the Pearson correlation of every pair of numeric columns (each pair over the
//! cars that have both values), with the chosen pair outlined. Only the training rows are shown:
//! the test set stays unseen, so nothing it holds can steer the choices that follow.

use super::auto_mpg_data::{auto_mpg, load_python, ProjectTable, NUMERIC, ORIGINS};
use super::decision_tree::CLASS_COLOURS;
use super::python::Script;
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::error::Result;
use crate::estimator::Progress;
use crate::viz;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The columns the reader can pick: the target first, then the numeric features.
const COLUMNS: [&str; 7] = [
    "mpg",
    "cylinders",
    "displacement",
    "horsepower",
    "weight",
    "acceleration",
    "model_year",
];
const SHORT: [&str; 7] = ["mpg", "cyl", "disp", "hp", "weight", "accel", "year"];

/// Pearson correlation over the rows where both values are present (NaN with fewer than 3).
fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(&x, &y)| (x, y))
        .collect();
    let n = pairs.len() as f64;
    if pairs.len() < 3 {
        return f64::NAN;
    }
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    sxy / (sxx * syy).sqrt()
}

pub struct ExploreDataDemo {
    /// The columns of `COLUMNS`, training rows only (NaN = missing).
    columns: Vec<Vec<f64>>,
    origin: Vec<usize>,
    x: usize,
    y: usize,
    bins: usize,
    corr: Vec<Vec<f64>>,
    done: bool,
    /// The "Python equivalent" of these parameters.
    python: String,
}

const fn column_param(key: &'static str, label: &'static str, default: &'static str) -> ParamSpec {
    ParamSpec {
        key,
        label,
        help: "A column of the training set: mpg is the target, the rest are features.",
        kind: ParamKind::Choice {
            options: &COLUMNS,
            default,
        },
    }
}

impl ExploreDataDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "explore-data",
        title: "Exploring the Auto MPG training set",
        chapter: "02-end-to-end-project",
        upload: None,
        params: &[
            column_param("x", "Column (histogram, x axis)", "weight"),
            column_param("y", "Against (y axis)", "mpg"),
            ParamSpec {
                key: "bins",
                label: "Histogram bins",
                help: "How many equal-width bins the histogram uses.",
                kind: ParamKind::Int {
                    min: 3,
                    max: 60,
                    default: 20,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let cars = auto_mpg(seed)?;
        let d = &cars.train;
        let mut columns = vec![d.y.to_vec()];
        for (j, _) in NUMERIC.iter().enumerate() {
            columns.push(d.x.column(j).to_vec());
        }
        let origin_col = d.n_features() - 1;
        let origin =
            d.x.column(origin_col)
                .iter()
                .map(|&v| (v as usize).min(2))
                .collect();
        let corr = columns
            .iter()
            .map(|a| columns.iter().map(|b| pearson(a, b)).collect())
            .collect();
        let pick = |key: &str| {
            COLUMNS
                .iter()
                .position(|c| *c == params.choice(key))
                .unwrap_or(0)
        };
        Ok(ExploreDataDemo {
            columns,
            origin,
            x: pick("x"),
            y: pick("y"),
            bins: params.usize("bins").max(1),
            corr,
            done: false,
            python: python_script(&cars, params, seed),
        })
    }

    fn missing(&self, c: usize) -> usize {
        self.columns[c].iter().filter(|v| v.is_nan()).count()
    }

    fn draw_histogram<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let values: Vec<f64> = self.columns[self.x]
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .collect();
        let (lo, hi) = viz::extent(values.iter().copied());
        let width = ((hi - lo) / self.bins as f64).max(1e-9);
        let mut counts = vec![0usize; self.bins];
        for v in &values {
            counts[(((v - lo) / width) as usize).min(self.bins - 1)] += 1;
        }
        let top = *counts.iter().max().unwrap_or(&1) as f64 * 1.1;
        let missing = self.missing(self.x);
        let title = if missing > 0 {
            format!(
                "{} ({} cars, {missing} missing)",
                COLUMNS[self.x],
                values.len()
            )
        } else {
            format!("{} ({} cars)", COLUMNS[self.x], values.len())
        };
        let mut chart = viz::chart(
            area,
            &title,
            lo - width * 0.5..hi + width * 0.5,
            0.0..top.max(1.0),
            COLUMNS[self.x],
            "cars",
        )?;
        chart.draw_series(counts.iter().enumerate().map(|(i, &c)| {
            let x0 = lo + i as f64 * width;
            Rectangle::new(
                [(x0, 0.0), (x0 + width, c as f64)],
                viz::BLUE.mix(0.8).filled(),
            )
        }))?;
        Ok(())
    }

    fn draw_scatter<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (xs, ys) = (&self.columns[self.x], &self.columns[self.y]);
        let both = |r: &usize| !xs[*r].is_nan() && !ys[*r].is_nan();
        let (x_lo, x_hi) = viz::extent(xs.iter().copied());
        let (y_lo, y_hi) = viz::extent(ys.iter().copied());
        let r = self.corr[self.x][self.y];
        let mut chart = viz::chart(
            area,
            &format!("{} vs {} (r = {r:.2})", COLUMNS[self.y], COLUMNS[self.x]),
            viz::padded(x_lo, x_hi, 0.05),
            viz::padded(y_lo, y_hi, 0.05),
            COLUMNS[self.x],
            COLUMNS[self.y],
        )?;
        for (o, colour) in CLASS_COLOURS.iter().enumerate().take(ORIGINS.len()) {
            chart
                .draw_series(
                    (0..xs.len())
                        .filter(both)
                        .filter(|&r| self.origin[r] == o)
                        .map(|r| Circle::new((xs[r], ys[r]), 3, colour.mix(0.7).filled())),
                )?
                .label(ORIGINS[o])
                .legend(move |(x, y)| Circle::new((x + 6, y), 4, colour.filled()));
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }

    fn draw_correlations<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (w, h) = area.dim_in_pixel();
        let fs = viz::font_size(area);
        let k = COLUMNS.len() as i32;
        let title_h = fs as i32 * 2 + 6;
        let label_w = fs as i32 * 4;
        let cell = ((w as i32 - label_w - 8) / k)
            .min((h as i32 - title_h - fs as i32 * 2) / k)
            .max(8);
        let x0 = label_w + ((w as i32 - label_w - cell * k) / 2).max(0);
        let y0 = title_h;
        let ink = ("sans-serif", fs).into_font().color(&viz::INK);
        area.draw(&Text::new(
            "Correlations (Pearson r)",
            (w as i32 / 2, 4),
            ("sans-serif", fs + 2)
                .into_font()
                .color(&viz::INK)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        for (i, short) in SHORT.iter().enumerate() {
            let yi = y0 + i as i32 * cell;
            area.draw(&Text::new(
                *short,
                (x0 - 4, yi + cell / 2),
                ink.clone().pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            area.draw(&Text::new(
                *short,
                (x0 + i as i32 * cell + cell / 2, y0 + k * cell + 4),
                ink.clone().pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
            for j in 0..COLUMNS.len() {
                let r = self.corr[i][j];
                // Blue for positive, orange for negative, paler towards 0.
                let base = if r >= 0.0 { viz::BLUE } else { viz::ORANGE };
                let colour = super::decision_tree::tint(base, r.abs() * 0.85);
                let xj = x0 + j as i32 * cell;
                area.draw(&Rectangle::new(
                    [(xj, yi), (xj + cell, yi + cell)],
                    colour.filled(),
                ))?;
                if cell >= fs as i32 * 2 {
                    let text_colour = if r.abs() > 0.6 { WHITE } else { viz::INK };
                    area.draw(&Text::new(
                        format!("{r:.2}"),
                        (xj + cell / 2, yi + cell / 2),
                        ("sans-serif", fs - 2)
                            .into_font()
                            .color(&text_colour)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    ))?;
                }
            }
        }
        for (i, j) in [(self.y, self.x), (self.x, self.y)] {
            let (xj, yi) = (x0 + j as i32 * cell, y0 + i as i32 * cell);
            area.draw(&Rectangle::new(
                [(xj + 1, yi + 1), (xj + cell - 1, yi + cell - 1)],
                viz::RED.stroke_width(3),
            ))?;
        }
        Ok(())
    }
}

impl Demo for ExploreDataDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// Everything is computed when the demo is created; one tick marks it done.
    fn tick(&mut self) -> Progress {
        self.done = true;
        Progress::Done
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_histogram(&panels[0])?;
        self.draw_scatter(&panels[1])?;
        self.draw_correlations(&panels[2])
    }

    fn python(&self) -> Option<String> {
        Some(self.python.clone())
    }

    fn metrics(&self) -> Vec<Metric> {
        // The feature most correlated with mpg, by |r|.
        let best = (1..COLUMNS.len())
            .max_by(|&a, &b| self.corr[0][a].abs().total_cmp(&self.corr[0][b].abs()))
            .unwrap_or(1);
        vec![
            Metric::new("r", "r(x, y)", self.corr[self.x][self.y]),
            Metric::new("rows", "training cars", self.columns[0].len() as f64),
            Metric::new("missing_x", "missing in x", self.missing(self.x) as f64),
            Metric::text(
                "strongest",
                "strongest link with mpg",
                format!("{} (r = {:.2})", COLUMNS[best], self.corr[0][best]),
            ),
        ]
    }

    fn autoplay(&self) -> bool {
        true
    }
}

/// The same look at the training set with pandas and NumPy.
fn python_script(cars: &ProjectTable, params: &Params, seed: u64) -> String {
    let mut s = Script::new();
    load_python(&mut s, cars, seed);
    s.import("import numpy as np").push(&format!(
        "\ntrain_set = X_train.assign(mpg=y_train)  # the test set stays unseen\n\
         x, y, bins = \"{}\", \"{}\", {}\n\
         columns = {COLUMNS:?}\n\
         corr = train_set[columns].corr()  # each pair over the cars that have both values\n\
         print(\"r(x, y):\", corr.loc[x, y])\n\
         print(\"training cars:\", len(train_set))\n\
         print(\"missing in x:\", train_set[x].isna().sum())\n\
         with_mpg = corr[\"mpg\"].drop(\"mpg\")\n\
         best = with_mpg.abs().idxmax()\n\
         print(f\"strongest link with mpg: {{best}} (r = {{with_mpg[best]:.2f}})\")\n\
         counts, edges = np.histogram(train_set[x].dropna(), bins=bins)\n\
         print(\"histogram of x:\", counts)",
        params.choice("x"),
        params.choice("y"),
        params.usize("bins").max(1),
    ));
    s.finish()
}
