//! k-means by Lloyd's algorithm, following scikit-learn's `KMeans(algorithm="lloyd")` step for step:
//! the same k-means++ / random / explicit initialisations, the same empty-cluster relocation, the
//! same stopping rule (labels unchanged, or squared centre shift below `tol` scaled by the data's
//! mean variance). Each [`Iterative::step`] is one assignment plus one centre update, which the
//! chapter 9 demo animates.

use super::sq_dist;
use crate::data::{check_x, check_x_fit, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Fit, Iterative, Progress};
use crate::rng::Rng;
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// How the first centres are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InitMethod {
    /// Spread-out seeding (Arthur & Vassilvitskii), greedy with `2 + ln k` trials, as scikit-learn.
    #[serde(rename = "k-means++")]
    KMeansPlusPlus,
    /// `k` distinct samples drawn at random.
    #[serde(rename = "random")]
    Random,
}

/// `init`: a method name, or the starting centres themselves (one row per cluster), like passing
/// an array to scikit-learn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KMeansInit {
    Method(InitMethod),
    Centers(Vec<Vec<f64>>),
}

/// Parameters with scikit-learn's names and defaults, except `n_init`: scikit-learn's `"auto"`
/// means 1 run for k-means++ and explicit centres but 10 for `random`; here it is always 1 unless
/// set. `random_state` is a number (scikit-learn's `None` draws a fresh seed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KMeansParams {
    pub n_clusters: usize,
    pub init: KMeansInit,
    pub n_init: usize,
    pub max_iter: usize,
    pub tol: f64,
    pub random_state: u64,
}

impl Default for KMeansParams {
    fn default() -> Self {
        KMeansParams {
            n_clusters: 8,
            init: KMeansInit::Method(InitMethod::KMeansPlusPlus),
            n_init: 1,
            max_iter: 300,
            tol: 1e-4,
            random_state: 0,
        }
    }
}

impl KMeansParams {
    pub fn n_clusters(mut self, k: usize) -> Self {
        self.n_clusters = k;
        self
    }
    pub fn init(mut self, method: InitMethod) -> Self {
        self.init = KMeansInit::Method(method);
        self
    }
    pub fn init_centers(mut self, centers: Vec<Vec<f64>>) -> Self {
        self.init = KMeansInit::Centers(centers);
        self
    }
    pub fn n_init(mut self, n: usize) -> Self {
        self.n_init = n;
        self
    }
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    pub fn random_state(mut self, seed: u64) -> Self {
        self.random_state = seed;
        self
    }

    /// Fits on a feature matrix (k-means needs no target).
    pub fn fit_x(&self, x: ArrayView2<f64>) -> Result<KMeans> {
        self.validate()?;
        self.check_data(x)?;
        let mut rng = Rng::new(self.random_state);
        let mut best: Option<KMeans> = None;
        for _ in 0..self.n_init {
            let mut run = self.start_with(x, &mut rng)?;
            while run.step()? == Progress::Running {}
            let model = run.model();
            // Keep the first of equally good runs, as scikit-learn does.
            if best.as_ref().is_none_or(|b| model.inertia < b.inertia) {
                best = Some(model);
            }
        }
        best.ok_or_else(|| Error::invalid("n_init", 0, "at least 1"))
    }

    /// Starts one run (one initialisation, seeded by `random_state`) that advances one Lloyd
    /// iteration per [`Iterative::step`].
    pub fn start(&self, x: ArrayView2<f64>) -> Result<KMeansRun> {
        self.validate()?;
        self.check_data(x)?;
        self.start_with(x, &mut Rng::new(self.random_state))
    }

    fn check_data(&self, x: ArrayView2<f64>) -> Result<()> {
        check_x_fit(x)?;
        if self.n_clusters > x.nrows() {
            return Err(Error::invalid(
                "n_clusters",
                self.n_clusters,
                format!("at most the number of samples ({})", x.nrows()),
            ));
        }
        if let KMeansInit::Centers(c) = &self.init {
            if c.len() != self.n_clusters || c.iter().any(|row| row.len() != x.ncols()) {
                return Err(Error::Shape(format!(
                    "init has {} centres of {} values, but n_clusters is {} and x has {} features",
                    c.len(),
                    c.first().map_or(0, Vec::len),
                    self.n_clusters,
                    x.ncols()
                )));
            }
        }
        Ok(())
    }

    fn start_with(&self, x: ArrayView2<f64>, rng: &mut Rng) -> Result<KMeansRun> {
        let k = self.n_clusters;
        let centers = match &self.init {
            KMeansInit::Centers(c) => Array2::from_shape_fn((k, x.ncols()), |(i, j)| c[i][j]),
            KMeansInit::Method(InitMethod::Random) => {
                let picks = rng.permutation(x.nrows());
                x.select(Axis(0), &picks[..k])
            }
            KMeansInit::Method(InitMethod::KMeansPlusPlus) => {
                x.select(Axis(0), &kmeans_plusplus(x, k, rng))
            }
        };
        // scikit-learn compares the squared centre shift with tol times the mean feature variance.
        let tol = x.var_axis(Axis(0), 0.0).mean().unwrap_or(0.0) * self.tol;
        let labels = assign(x, &centers);
        let inertia = inertia(x, &centers, &labels);
        Ok(KMeansRun {
            params: self.clone(),
            x: x.to_owned(),
            history: vec![centers.clone()],
            centers,
            labels,
            previous: None,
            tol,
            n_iter: 0,
            inertias: vec![inertia],
            shift: f64::NAN,
            done: false,
        })
    }
}

impl Fit for KMeansParams {
    type Model = KMeans;

    fn validate(&self) -> Result<()> {
        if self.n_clusters == 0 {
            return Err(Error::invalid("n_clusters", 0, "at least 1"));
        }
        if self.n_init == 0 {
            return Err(Error::invalid("n_init", 0, "at least 1"));
        }
        if self.max_iter == 0 {
            return Err(Error::invalid("max_iter", 0, "at least 1"));
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(Error::invalid("tol", self.tol, "a finite number >= 0"));
        }
        if let KMeansInit::Centers(c) = &self.init {
            if c.iter().flatten().any(|v| !v.is_finite()) {
                return Err(Error::NonFinite("init centres".into()));
            }
        }
        Ok(())
    }

    /// Fits on `data.x`; the target is ignored.
    fn fit(&self, data: &Dataset) -> Result<KMeans> {
        self.fit_x(data.x.view())
    }
}

/// A fitted k-means model (scikit-learn's trailing-underscore attributes without the underscore).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KMeans {
    pub cluster_centers: Array2<f64>,
    pub labels: Vec<usize>,
    /// Sum of squared distances of the samples to their closest centre.
    pub inertia: f64,
    pub n_iter: usize,
    pub params: KMeansParams,
}

impl KMeans {
    pub fn params() -> KMeansParams {
        KMeansParams::default()
    }

    /// The index of the closest centre for each row.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Vec<usize>> {
        check_x(x, self.cluster_centers.ncols())?;
        Ok(assign(x, &self.cluster_centers))
    }

    /// Euclidean distance from each row to each centre (`n_samples x n_clusters`).
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_x(x, self.cluster_centers.ncols())?;
        let c = &self.cluster_centers;
        Ok(Array2::from_shape_fn((x.nrows(), c.nrows()), |(i, j)| {
            sq_dist(x.row(i), c.row(j)).sqrt()
        }))
    }

    /// Minus the inertia of `x` under this model, as scikit-learn's `score`.
    pub fn score(&self, x: ArrayView2<f64>) -> Result<f64> {
        let labels = self.predict(x)?;
        Ok(-inertia(x, &self.cluster_centers, &labels))
    }
}

/// Index of the closest centre for every row (the first one on ties, as scikit-learn).
/// The closest centre of every row; ties go to the first centre. With many centres and features,
/// distances come, as in scikit-learn, from one matrix product per block of rows,
/// `|c|^2 - 2 x.c` (the row's own `|x|^2` does not change which centre wins): on the digits
/// (64 features, 50 centres) that is about twice as fast as row-by-row differences.
fn assign(x: ArrayView2<f64>, centers: &Array2<f64>) -> Vec<usize> {
    const BLOCK: usize = 256;
    // With few centres and features the product's set-up costs more than it saves.
    if centers.len() < 256 {
        // Over contiguous slices; the same sums as `cluster::nearest`, first centre on ties.
        let (x, centers) = (x.as_standard_layout(), centers.as_standard_layout());
        let width = x.ncols().max(1);
        let c = centers.as_slice().unwrap_or_default();
        return x
            .as_slice()
            .unwrap_or_default()
            .chunks_exact(width)
            .map(|row| {
                let mut best = (0, f64::INFINITY);
                for (j, centre) in c.chunks_exact(width).enumerate() {
                    let d = sq_dist(row, centre);
                    if d < best.1 {
                        best = (j, d);
                    }
                }
                best.0
            })
            .collect();
    }
    let norms: Vec<f64> = centers.rows().into_iter().map(|c| c.dot(&c)).collect();
    let mut labels = Vec::with_capacity(x.nrows());
    for block in x.axis_chunks_iter(Axis(0), BLOCK) {
        let products = block.dot(&centers.t());
        for row in products.rows() {
            let mut best = (0, f64::INFINITY);
            for (j, (&p, &n)) in row.iter().zip(&norms).enumerate() {
                let d = n - 2.0 * p;
                if d < best.1 {
                    best = (j, d);
                }
            }
            labels.push(best.0);
        }
    }
    labels
}

fn inertia(x: ArrayView2<f64>, centers: &Array2<f64>, labels: &[usize]) -> f64 {
    let (x, centers) = (x.as_standard_layout(), centers.as_standard_layout());
    let width = x.ncols().max(1);
    let c = centers.as_slice().unwrap_or_default();
    x.as_slice()
        .unwrap_or_default()
        .chunks_exact(width)
        .zip(labels)
        .map(|(row, &l)| sq_dist(row, &c[l * width..(l + 1) * width]))
        .sum()
}

/// Greedy k-means++: each new centre is the best (lowest total squared distance) of
/// `2 + ln k` candidates drawn with probability proportional to the squared distance to the
/// centres chosen so far. Returns the indices of the chosen rows (the Gaussian mixture's
/// `k-means++` initialisation uses them, as scikit-learn does).
pub(crate) fn kmeans_plusplus(x: ArrayView2<f64>, k: usize, rng: &mut Rng) -> Vec<usize> {
    let n = x.nrows();
    let trials = 2 + (k as f64).ln() as usize;
    // Contiguous rows, so the distance loops below run over plain slices.
    let x = x.as_standard_layout();
    let width = x.ncols().max(1);
    let rows = x.as_slice().unwrap_or_default();
    let row = |i: usize| &rows[i * width..(i + 1) * width];
    let first = rng.below(n);
    let mut picks = Vec::with_capacity(k);
    picks.push(first);
    let mut closest: Vec<f64> = rows
        .chunks_exact(width)
        .map(|r| sq_dist(r, row(first)))
        .collect();
    let mut potential: f64 = closest.iter().sum();
    let (mut cumulative, mut best_dists, mut dists) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 1..k {
        cumulative.clear();
        cumulative.extend(closest.iter().scan(0.0, |acc, d| {
            *acc += d;
            Some(*acc)
        }));
        let mut best: Option<(f64, usize)> = None;
        for _ in 0..trials {
            let target = rng.uniform() * potential;
            // First index whose running sum reaches the target (numpy's searchsorted, side left).
            let candidate = cumulative.partition_point(|&s| s < target).min(n - 1);
            let c = row(candidate);
            dists.clear();
            dists.extend(
                rows.chunks_exact(width)
                    .zip(&closest)
                    .map(|(r, &d)| d.min(sq_dist(r, c))),
            );
            let pot: f64 = dists.iter().sum();
            if best.is_none_or(|b| pot < b.0) {
                best = Some((pot, candidate));
                std::mem::swap(&mut best_dists, &mut dists);
            }
        }
        if let Some((pot, candidate)) = best {
            picks.push(candidate);
            potential = pot;
            std::mem::swap(&mut closest, &mut best_dists);
        }
    }
    picks
}

/// A k-means fit in progress. `labels` always hold the assignment to the current `centers`
/// (scikit-learn's final E-step), so the model can be read after any step.
#[derive(Debug, Clone)]
pub struct KMeansRun {
    params: KMeansParams,
    x: Array2<f64>,
    centers: Array2<f64>,
    labels: Vec<usize>,
    /// The assignment one step earlier, for the "labels unchanged" convergence test.
    previous: Option<Vec<usize>>,
    tol: f64,
    n_iter: usize,
    inertias: Vec<f64>,
    history: Vec<Array2<f64>>,
    shift: f64,
    done: bool,
}

impl KMeansRun {
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }
    pub fn centers(&self) -> &Array2<f64> {
        &self.centers
    }
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }
    /// Inertia before the first step and after each step.
    pub fn inertias(&self) -> &[f64] {
        &self.inertias
    }
    /// The centres before the first step and after each step (the trails in the demo).
    pub fn history(&self) -> &[Array2<f64>] {
        &self.history
    }
    /// The largest distance a centre moved in the last step (NaN before the first).
    pub fn max_shift(&self) -> f64 {
        self.shift
    }
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// New centres: the mean of each cluster; an empty cluster takes the point farthest from its
    /// own centre, which leaves its old cluster (scikit-learn's relocation).
    fn update_centers(&self) -> Array2<f64> {
        let (k, p) = self.centers.dim();
        let mut sums = Array2::<f64>::zeros((k, p));
        let mut counts = vec![0.0_f64; k];
        for (row, &l) in self.x.rows().into_iter().zip(&self.labels) {
            sums.row_mut(l).scaled_add(1.0, &row);
            counts[l] += 1.0;
        }
        let empty: Vec<usize> = (0..k).filter(|&j| counts[j] == 0.0).collect();
        if !empty.is_empty() {
            let mut far: Vec<(f64, usize)> = self
                .x
                .rows()
                .into_iter()
                .zip(&self.labels)
                .enumerate()
                .map(|(i, (row, &l))| (sq_dist(row, self.centers.row(l)), i))
                .collect();
            far.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for (&j, &(_, i)) in empty.iter().zip(&far) {
                let old = self.labels[i];
                let row = self.x.row(i);
                sums.row_mut(old).scaled_add(-1.0, &row);
                sums.row_mut(j).assign(&row);
                counts[old] -= 1.0;
                counts[j] = 1.0;
            }
        }
        for (j, &c) in counts.iter().enumerate() {
            if c > 0.0 {
                // Multiply by the reciprocal, as scikit-learn does, to match it bit for bit.
                let scale = 1.0 / c;
                sums.row_mut(j).mapv_inplace(|v| v * scale);
            }
        }
        sums
    }
}

impl Iterative for KMeansRun {
    type Model = KMeans;

    fn step(&mut self) -> Result<Progress> {
        if self.done {
            return Ok(Progress::Done);
        }
        let new_centers = self.update_centers();
        let shifts: Vec<f64> = (0..new_centers.nrows())
            .map(|j| sq_dist(new_centers.row(j), self.centers.row(j)))
            .collect();
        self.shift = shifts.iter().fold(0.0_f64, |m, &s| m.max(s)).sqrt();
        let total_shift: f64 = shifts.iter().sum();
        self.centers = new_centers;
        self.n_iter += 1;
        if self.previous.as_deref() == Some(&self.labels[..]) {
            // Strict convergence: the assignment did not change, so these centres are final.
            self.done = true;
        } else {
            let labels = assign(self.x.view(), &self.centers);
            self.previous = Some(std::mem::replace(&mut self.labels, labels));
            self.done = total_shift <= self.tol || self.n_iter >= self.params.max_iter;
        }
        self.inertias
            .push(inertia(self.x.view(), &self.centers, &self.labels));
        self.history.push(self.centers.clone());
        if self.centers.iter().any(|v| !v.is_finite()) {
            self.done = true;
            return Ok(Progress::Diverged);
        }
        Ok(if self.done {
            Progress::Done
        } else {
            Progress::Running
        })
    }

    fn model(&self) -> KMeans {
        KMeans {
            cluster_centers: self.centers.clone(),
            labels: self.labels.clone(),
            inertia: self.inertias.last().copied().unwrap_or(f64::NAN),
            n_iter: self.n_iter,
            params: self.params.clone(),
        }
    }
}
