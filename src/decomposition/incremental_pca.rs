//! Incremental PCA, as scikit-learn's `IncrementalPCA` (Ross et al. 2008): the data arrive in
//! batches; each batch is stacked under the current components (scaled by their singular values)
//! plus one row correcting for the moved mean, and a small SVD of that stack updates the
//! components. Memory grows with the batch, not the data set, and the result matches PCA closely.

use super::pca::{project, reconstruct};
use super::randomized_svd::svd_flip_rows;
use crate::data::{check_x, check_x_fit, Dataset};
use crate::error::{Error, Result};
use crate::estimator::Fit;
use crate::linalg;
use ndarray::{concatenate, s, Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// scikit-learn's `IncrementalPCA` parameters; `n_components: None` keeps `min(batch, features)`
/// on the first batch, `batch_size: None` is `5 * n_features`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IncrementalPcaParams {
    pub n_components: Option<usize>,
    pub whiten: bool,
    pub batch_size: Option<usize>,
}

impl IncrementalPcaParams {
    pub fn n_components(mut self, n: usize) -> Self {
        self.n_components = Some(n);
        self
    }
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = Some(n);
        self
    }
    pub fn whiten(mut self, whiten: bool) -> Self {
        self.whiten = whiten;
        self
    }

    /// Fits batch by batch: `batch_size` rows at a time, the last batch taking the remainder
    /// (a remainder smaller than `n_components` joins the batch before it, as scikit-learn's
    /// `gen_batches`).
    pub fn fit_x(&self, x: ArrayView2<f64>) -> Result<IncrementalPca> {
        self.validate()?;
        check_x_fit(x)?;
        let (n, p) = x.dim();
        let batch = self.batch_size.unwrap_or(5 * p).max(1);
        let min_batch = self.n_components.unwrap_or(0);
        let mut model: Option<IncrementalPca> = None;
        let mut start = 0;
        let mut feed = |rows: ArrayView2<f64>| -> Result<()> {
            match model.as_mut() {
                Some(m) => m.partial_fit(rows),
                None => {
                    model = Some(self.partial_fit(rows)?);
                    Ok(())
                }
            }
        };
        for _ in 0..n / batch {
            let end = start + batch;
            if end + min_batch > n {
                continue;
            }
            feed(x.slice(s![start..end, ..]))?;
            start = end;
        }
        if start < n {
            feed(x.slice(s![start..n, ..]))?;
        }
        model
            .map(|mut m| {
                m.batch_size = batch;
                m
            })
            .ok_or_else(|| Error::EmptyData("no samples to fit".into()))
    }

    /// Starts a model from its first batch; later batches go to [`IncrementalPca::partial_fit`].
    pub fn partial_fit(&self, x: ArrayView2<f64>) -> Result<IncrementalPca> {
        self.validate()?;
        check_x_fit(x)?;
        let (n, p) = x.dim();
        let mut model = IncrementalPca {
            components: Array2::zeros((0, p)),
            explained_variance: Array1::zeros(0),
            explained_variance_ratio: Array1::zeros(0),
            singular_values: Array1::zeros(0),
            mean: Array1::zeros(p),
            var: Array1::zeros(p),
            noise_variance: 0.0,
            n_samples_seen: 0,
            batch_size: self.batch_size.unwrap_or(5 * p),
            params: self.clone(),
        };
        if let Some(k) = self.n_components {
            if k > p {
                return Err(Error::invalid(
                    "n_components",
                    k,
                    format!("at most n_features = {p}"),
                ));
            }
            if k > n {
                return Err(Error::invalid(
                    "n_components",
                    k,
                    format!("at most the first batch's number of samples ({n})"),
                ));
            }
        }
        model.update(x)?;
        Ok(model)
    }
}

impl Fit for IncrementalPcaParams {
    type Model = IncrementalPca;

    fn validate(&self) -> Result<()> {
        if self.n_components == Some(0) {
            return Err(Error::invalid("n_components", 0, "at least 1, or null"));
        }
        if self.batch_size == Some(0) {
            return Err(Error::invalid("batch_size", 0, "at least 1, or null"));
        }
        Ok(())
    }

    /// Fits on `data.x`; the target is ignored.
    fn fit(&self, data: &Dataset) -> Result<IncrementalPca> {
        self.fit_x(data.x.view())
    }
}

/// A fitted (or partly fitted) incremental PCA, with scikit-learn's attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncrementalPca {
    pub components: Array2<f64>,
    pub explained_variance: Array1<f64>,
    pub explained_variance_ratio: Array1<f64>,
    pub singular_values: Array1<f64>,
    pub mean: Array1<f64>,
    /// Per-feature variance of all samples seen (divided by the count).
    pub var: Array1<f64>,
    pub noise_variance: f64,
    pub n_samples_seen: usize,
    /// The batch size `fit_x` used.
    pub batch_size: usize,
    pub params: IncrementalPcaParams,
}

impl IncrementalPca {
    pub fn params() -> IncrementalPcaParams {
        IncrementalPcaParams::default()
    }

    /// Folds another batch into the components.
    pub fn partial_fit(&mut self, x: ArrayView2<f64>) -> Result<()> {
        check_x(x, self.mean.len())?;
        if x.nrows() == 0 {
            return Err(Error::EmptyData("no samples in this batch".into()));
        }
        self.update(x)
    }

    fn update(&mut self, x: ArrayView2<f64>) -> Result<()> {
        let (n, p) = x.dim();
        let keep = match self.params.n_components {
            Some(k) => k,
            None if self.n_samples_seen == 0 => n.min(p),
            None => self.components.nrows(),
        };
        let (col_mean, col_var, total) =
            incremental_mean_and_var(x, &self.mean, &self.var, self.n_samples_seen);
        let batch_mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(p));
        let stacked = if self.n_samples_seen == 0 {
            &x - &col_mean
        } else {
            let centred = &x - &batch_mean;
            let factor = ((self.n_samples_seen as f64 / total) * n as f64).sqrt();
            let correction = ((&self.mean - &batch_mean) * factor).insert_axis(Axis(0));
            let previous = &self.components * &self.singular_values.view().insert_axis(Axis(1));
            concatenate(
                Axis(0),
                &[previous.view(), centred.view(), correction.view()],
            )
            .map_err(|e| Error::Shape(e.to_string()))?
        };
        let (sv, mut vt) = linalg::svd_vt(stacked.view())?;
        svd_flip_rows(&mut vt, None);
        let keep = keep.min(sv.len());
        let variance = sv.mapv(|v| v * v / (total - 1.0).max(1.0));
        let denom = col_var.sum() * total;
        let ratio = sv.mapv(|v| if denom > 0.0 { v * v / denom } else { 0.0 });
        self.n_samples_seen = total as usize;
        self.components = vt.slice(s![..keep, ..]).to_owned();
        self.singular_values = sv.slice(s![..keep]).to_owned();
        self.mean = col_mean;
        self.var = col_var;
        self.explained_variance = variance.slice(s![..keep]).to_owned();
        self.explained_variance_ratio = ratio.slice(s![..keep]).to_owned();
        self.noise_variance = if keep != n && keep != p {
            variance.slice(s![keep..]).mean().unwrap_or(0.0)
        } else {
            0.0
        };
        Ok(())
    }

    /// Coordinates along the components (whitened if asked), as [`super::Pca::transform`].
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let whiten = self.params.whiten.then_some(&self.explained_variance);
        project(x, &self.mean, &self.components, whiten)
    }

    pub fn inverse_transform(&self, z: ArrayView2<f64>) -> Result<Array2<f64>> {
        let whiten = self.params.whiten.then_some(&self.explained_variance);
        reconstruct(z, &self.mean, &self.components, whiten)
    }
}

/// scikit-learn's `_incremental_mean_and_var` (Chan, Golub & LeVeque's pairwise update with the
/// corrected two-pass sum for the new batch): the mean, variance and count of everything seen.
fn incremental_mean_and_var(
    x: ArrayView2<f64>,
    last_mean: &Array1<f64>,
    last_var: &Array1<f64>,
    last_count: usize,
) -> (Array1<f64>, Array1<f64>, f64) {
    let n_new = x.nrows() as f64;
    let last_n = last_count as f64;
    let total = last_n + n_new;
    let last_sum = last_mean * last_n;
    let new_sum = x.sum_axis(Axis(0));
    let mean = (&last_sum + &new_sum) / total;
    let t = &new_sum / n_new;
    let temp = &x - &t;
    let correction = temp.sum_axis(Axis(0));
    let new_unnorm = temp.mapv(|v| v * v).sum_axis(Axis(0)) - correction.mapv(|c| c * c / n_new);
    let var = if last_count == 0 {
        new_unnorm / total
    } else {
        let ratio = last_n / n_new;
        let last_unnorm = last_var * last_n;
        let cross = (&last_sum / ratio - &new_sum).mapv(|d| d * d) * (ratio / total);
        (last_unnorm + new_unnorm + cross) / total
    };
    (mean, var, total)
}
