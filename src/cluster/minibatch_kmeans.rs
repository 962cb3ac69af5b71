//! Mini-batch k-means (Sculley 2010), as scikit-learn's `MiniBatchKMeans`: each step draws
//! `batch_size` samples, assigns them to their closest centre and moves every centre towards the
//! mean of its batch members with a step of (batch members) / (all members seen so far), so early
//! batches move the centres a lot and later ones fine-tune them. Centres that attract almost
//! nothing are moved onto random batch samples (`reassignment_ratio`). Training stops after
//! `max_iter` passes over the data or when a smoothed batch inertia has not improved for
//! `max_no_improvement` steps. Each [`Iterative::step`] is one mini-batch.

use super::{nearest, InitMethod, KMeans, KMeansInit, KMeansParams};
use crate::data::{check_x_fit, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Fit, Iterative, Progress};
use crate::rng::Rng;
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// scikit-learn's names and defaults (`n_init` = 1, as its `"auto"` for k-means++; `init_size`
/// `None` means 3 x `batch_size`, at least 3 x `n_clusters`, at most `n_samples`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MiniBatchKMeansParams {
    pub n_clusters: usize,
    pub init: InitMethod,
    pub max_iter: usize,
    pub batch_size: usize,
    pub max_no_improvement: usize,
    pub init_size: Option<usize>,
    pub reassignment_ratio: f64,
    pub random_state: u64,
}

impl Default for MiniBatchKMeansParams {
    fn default() -> Self {
        MiniBatchKMeansParams {
            n_clusters: 8,
            init: InitMethod::KMeansPlusPlus,
            max_iter: 100,
            batch_size: 1024,
            max_no_improvement: 10,
            init_size: None,
            reassignment_ratio: 0.01,
            random_state: 0,
        }
    }
}

impl MiniBatchKMeansParams {
    pub fn n_clusters(mut self, k: usize) -> Self {
        self.n_clusters = k;
        self
    }
    pub fn init(mut self, method: InitMethod) -> Self {
        self.init = method;
        self
    }
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = n;
        self
    }
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    pub fn random_state(mut self, seed: u64) -> Self {
        self.random_state = seed;
        self
    }

    pub fn fit_x(&self, x: ArrayView2<f64>) -> Result<KMeans> {
        let mut run = self.start(x)?;
        while run.step()? == Progress::Running {}
        Ok(run.model())
    }

    /// Seeds the centres on a random subset of `init_size` samples (with our k-means
    /// initialisation) and returns a run that takes one mini-batch per [`Iterative::step`].
    pub fn start(&self, x: ArrayView2<f64>) -> Result<MiniBatchKMeansRun> {
        self.validate()?;
        check_x_fit(x)?;
        let n = x.nrows();
        let k = self.n_clusters;
        if k > n {
            return Err(Error::invalid(
                "n_clusters",
                k,
                format!("at most the number of samples ({n})"),
            ));
        }
        let mut rng = Rng::new(self.random_state);
        let init_size = self
            .init_size
            .unwrap_or(3 * self.batch_size)
            .max(3 * k)
            .min(n);
        let subset = rng.permutation(n);
        let init_rows = x.select(Axis(0), &subset[..init_size]);
        let seeding = KMeansParams {
            n_clusters: k,
            init: KMeansInit::Method(self.init),
            random_state: rng.next_u64(),
            ..KMeansParams::default()
        };
        let centers = seeding.start(init_rows.view())?.centers().clone();
        let batch = self.batch_size.min(n);
        Ok(MiniBatchKMeansRun {
            params: self.clone(),
            x: x.to_owned(),
            centers,
            counts: vec![0.0; k],
            rng,
            batch,
            max_steps: (self.max_iter * n).div_ceil(batch),
            steps: 0,
            ewa_inertia: None,
            best_ewa: f64::INFINITY,
            no_improvement: 0,
            batch_inertias: Vec::new(),
            done: false,
        })
    }
}

impl Fit for MiniBatchKMeansParams {
    type Model = KMeans;

    fn validate(&self) -> Result<()> {
        if self.n_clusters == 0 {
            return Err(Error::invalid("n_clusters", 0, "at least 1"));
        }
        if self.max_iter == 0 {
            return Err(Error::invalid("max_iter", 0, "at least 1"));
        }
        if self.batch_size == 0 {
            return Err(Error::invalid("batch_size", 0, "at least 1"));
        }
        if self.init_size == Some(0) {
            return Err(Error::invalid("init_size", 0, "at least 1"));
        }
        if !(self.reassignment_ratio >= 0.0 && self.reassignment_ratio.is_finite()) {
            return Err(Error::invalid(
                "reassignment_ratio",
                self.reassignment_ratio,
                "a finite number >= 0",
            ));
        }
        Ok(())
    }

    fn fit(&self, data: &Dataset) -> Result<KMeans> {
        self.fit_x(data.x.view())
    }
}

/// A mini-batch k-means fit in progress.
#[derive(Debug, Clone)]
pub struct MiniBatchKMeansRun {
    params: MiniBatchKMeansParams,
    x: Array2<f64>,
    centers: Array2<f64>,
    /// How many samples each centre has absorbed so far (its learning rate is batch / count).
    counts: Vec<f64>,
    rng: Rng,
    batch: usize,
    max_steps: usize,
    steps: usize,
    ewa_inertia: Option<f64>,
    best_ewa: f64,
    no_improvement: usize,
    /// Mean squared distance of each batch's samples to their centre, before the update.
    batch_inertias: Vec<f64>,
    done: bool,
}

impl MiniBatchKMeansRun {
    pub fn centers(&self) -> &Array2<f64> {
        &self.centers
    }
    pub fn steps(&self) -> usize {
        self.steps
    }
    /// Passes over the data so far (steps x batch size / samples).
    pub fn epochs(&self) -> f64 {
        (self.steps * self.batch) as f64 / self.x.nrows() as f64
    }
    pub fn batch_inertias(&self) -> &[f64] {
        &self.batch_inertias
    }
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Moves centres that have absorbed fewer than `reassignment_ratio` x the largest count onto
    /// random samples of the batch, and gives them the smallest count of the others (scikit-learn).
    fn reassign(&mut self, batch: &[usize]) {
        let most = self.counts.iter().fold(0.0_f64, |m, &c| m.max(c));
        let limit = self.params.reassignment_ratio * most;
        let low: Vec<usize> = (0..self.counts.len())
            .filter(|&j| self.counts[j] < limit)
            .collect();
        if low.is_empty() || low.len() == self.counts.len() {
            return;
        }
        let floor = (0..self.counts.len())
            .filter(|j| !low.contains(j))
            .map(|j| self.counts[j])
            .fold(f64::INFINITY, f64::min);
        for j in low {
            let pick = batch[self.rng.below(batch.len())];
            self.centers.row_mut(j).assign(&self.x.row(pick));
            self.counts[j] = floor;
        }
    }
}

impl Iterative for MiniBatchKMeansRun {
    type Model = KMeans;

    fn step(&mut self) -> Result<Progress> {
        if self.done {
            return Ok(Progress::Done);
        }
        let n = self.x.nrows();
        let batch: Vec<usize> = (0..self.batch).map(|_| self.rng.below(n)).collect();
        let (k, p) = self.centers.dim();
        let mut sums = Array2::<f64>::zeros((k, p));
        let mut members = vec![0.0_f64; k];
        let mut inertia = 0.0;
        for &i in &batch {
            let (j, d) = nearest(self.x.row(i), self.centers.view());
            sums.row_mut(j).scaled_add(1.0, &self.x.row(i));
            members[j] += 1.0;
            inertia += d;
        }
        for (j, &m) in members.iter().enumerate() {
            if m > 0.0 {
                let total = self.counts[j] + m;
                let keep = self.counts[j] / total;
                let mut row = self.centers.row_mut(j);
                row.mapv_inplace(|v| v * keep);
                row.scaled_add(1.0 / total, &sums.row(j));
                self.counts[j] = total;
            }
        }
        self.steps += 1;
        if self.params.reassignment_ratio > 0.0 && self.steps.is_multiple_of(10) {
            self.reassign(&batch);
        }
        let batch_inertia = inertia / self.batch as f64;
        self.batch_inertias.push(batch_inertia);
        // Early stopping on an exponentially weighted average of the batch inertia, as
        // scikit-learn does: stop when it has not improved for `max_no_improvement` batches.
        let alpha = (2.0 * self.batch as f64 / (n as f64 + 1.0)).min(1.0);
        let ewa = match self.ewa_inertia {
            None => batch_inertia,
            Some(prev) => prev * (1.0 - alpha) + batch_inertia * alpha,
        };
        self.ewa_inertia = Some(ewa);
        if ewa < self.best_ewa {
            self.best_ewa = ewa;
            self.no_improvement = 0;
        } else {
            self.no_improvement += 1;
        }
        if !ewa.is_finite() || self.centers.iter().any(|v| !v.is_finite()) {
            self.done = true;
            return Ok(Progress::Diverged);
        }
        self.done = self.steps >= self.max_steps
            || (self.params.max_no_improvement > 0
                && self.no_improvement >= self.params.max_no_improvement);
        Ok(if self.done {
            Progress::Done
        } else {
            Progress::Running
        })
    }

    /// The centres so far, with every sample assigned to its closest one.
    fn model(&self) -> KMeans {
        let mut labels = Vec::with_capacity(self.x.nrows());
        let mut inertia = 0.0;
        for row in self.x.rows() {
            let (j, d) = nearest(row, self.centers.view());
            labels.push(j);
            inertia += d;
        }
        KMeans {
            cluster_centers: self.centers.clone(),
            labels,
            inertia,
            n_iter: self.epochs().ceil() as usize,
            params: KMeansParams {
                n_clusters: self.params.n_clusters,
                init: KMeansInit::Method(self.params.init),
                max_iter: self.params.max_iter,
                random_state: self.params.random_state,
                ..KMeansParams::default()
            },
        }
    }
}
