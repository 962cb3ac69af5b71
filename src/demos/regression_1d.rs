//! The data of the 1-D regression demos (polynomial regression, early stopping, SVR, regression
//! tree, gradient boosting, instance against model): the demo's own noisy curve, or the reader's
//! uploaded CSV, split 75/25 the same way. The x range drawn, the axis names and whether a true
//! curve exists follow the data actually used.

use super::python::Script;
use super::Params;
use crate::data::upload::UploadKind;
use crate::data::Dataset;
use crate::error::Result;
use crate::model_selection::train_test_split;
use crate::rng::Rng;
use crate::viz;
use plotters::chart::SeriesLabelPosition;

/// A one-feature, numeric-target upload of at most `max_rows` rows.
pub(crate) const fn regression_upload(max_rows: usize) -> Option<UploadKind> {
    Some(UploadKind::Regression1d { max_rows })
}

/// Training and held-out rows of a 1-D regression demo.
pub(crate) struct Split1d {
    pub train: Dataset,
    pub test: Dataset,
    /// The x span to draw: the generated data's domain, or the file's smallest to largest x.
    pub x_range: (f64, f64),
    /// True when the demo made the data itself, so its true curve can be drawn.
    pub generated: bool,
}

impl Split1d {
    /// The reader's file, or `generate(rng)` on `domain`, then a quarter held out with `rng`
    /// (the same draws as before uploads existed, so a seed gives the same generated run).
    pub fn new(
        params: &Params,
        rng: &mut Rng,
        domain: (f64, f64),
        generate: impl FnOnce(&mut Rng) -> Result<Dataset>,
    ) -> Result<Split1d> {
        let (data, x_range, generated) = match params.upload() {
            Some(upload) => {
                let data = upload.dataset()?;
                let span = viz::extent(data.x.column(0).iter().copied());
                (data, span, false)
            }
            None => (generate(rng)?, domain, true),
        };
        let (train_idx, test_idx) = train_test_split(data.n_samples(), 0.25, rng)?;
        Ok(Split1d {
            train: data.select(&train_idx),
            test: data.select(&test_idx),
            x_range,
            generated,
        })
    }

    /// `points + 1` evenly spaced x values over the drawn range.
    pub fn grid(&self, points: usize) -> Vec<f64> {
        let (lo, hi) = self.x_range;
        (0..=points)
            .map(|i| lo + (hi - lo) * i as f64 / points as f64)
            .collect()
    }

    /// The x axis with a little room at both ends.
    pub fn x_axis(&self) -> std::ops::Range<f64> {
        viz::padded(self.x_range.0, self.x_range.1, 0.02)
    }

    pub fn x_name(&self) -> &str {
        &self.train.feature_names[0]
    }

    pub fn y_name(&self) -> &str {
        &self.train.target_name
    }

    /// `truth` on `grid` for generated data; nothing for a file, whose true curve is unknown.
    pub fn truth(&self, grid: &[f64], truth: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
        if self.generated {
            grid.iter().map(|&x| (x, truth(x))).collect()
        } else {
            Vec::new()
        }
    }

    /// Where a legend covers fewest points: `own` for the demo's own data (chosen for it), and
    /// for a file the upper corner that a rising (upper left) or falling (upper right) cloud
    /// leaves empty.
    pub fn legend_corner(&self, own: SeriesLabelPosition) -> SeriesLabelPosition {
        if self.generated {
            return own;
        }
        let (x, y) = (self.train.x.column(0), self.train.y.view());
        let (mx, my) = (x.mean().unwrap_or(0.0), y.mean().unwrap_or(0.0));
        let covariance: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
        if covariance >= 0.0 {
            SeriesLabelPosition::UpperLeft
        } else {
            SeriesLabelPosition::UpperRight
        }
    }

    /// Mean and standard deviation of the training x and y (for demos whose parameters assume
    /// data of unit scale); `(0, 1)` each for generated data, which has that scale already.
    pub fn unit_scales(&self) -> ((f64, f64), (f64, f64)) {
        if self.generated {
            return ((0.0, 1.0), (0.0, 1.0));
        }
        let scale = |v: ndarray::ArrayView1<f64>| {
            let mean = v.mean().unwrap_or(0.0);
            let sd = v
                .mapv(|a| (a - mean) * (a - mean))
                .mean()
                .unwrap_or(0.0)
                .sqrt();
            // A constant column stays as it is, as scikit-learn's StandardScaler leaves it.
            (mean, if sd > 0.0 { sd } else { 1.0 })
        };
        (scale(self.train.x.column(0)), scale(self.train.y.view()))
    }
}

/// Appends the Python for `X` and `y`: reading the reader's file, or `generated` otherwise.
pub(crate) fn data_python(s: &mut Script, params: &Params, generated: impl FnOnce(&mut Script)) {
    match params.upload() {
        Some(upload) => {
            s.upload(upload);
        }
        None => generated(s),
    }
}
