//! Lasso and elastic net by cyclic coordinate descent, as scikit-learn's `Lasso`/`ElasticNet`:
//! minimise `1/(2n) ||y - Xw - b||² + alpha * l1_ratio * ||w||₁ + ½ alpha (1 - l1_ratio) ||w||²`.
//! The intercept comes from centring; the solver stops on the duality gap (`tol * y·y` on the
//! n-scaled objective), checked only after a sweep whose largest update is small relative to the
//! largest weight, and drops features the gap-safe rule proves to be zero, like scikit-learn's.
//! One [`Iterative::step`] is one sweep over the coordinates; the chapter 4 demo
//! `regularisation-paths` walks a path of alphas with warm starts ([`enet_path`]).

use super::{center, LinearModel};
use crate::data::{check_xy, Dataset};
use crate::error::{Error, Result};
use crate::estimator::{Fit, Iterative, Progress, Regressor};
use crate::rng::Rng;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// How each sweep picks its coordinates: in order, or drawn uniformly with replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    Cyclic,
    Random,
}

/// Elastic-net parameters with scikit-learn's names and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ElasticNetParams {
    pub alpha: f64,
    pub l1_ratio: f64,
    pub fit_intercept: bool,
    pub max_iter: usize,
    pub tol: f64,
    pub positive: bool,
    pub selection: Selection,
    /// Seeds our own generator for `selection = "random"` (scikit-learn's numpy stream differs).
    pub random_state: u64,
}

impl Default for ElasticNetParams {
    fn default() -> Self {
        ElasticNetParams {
            alpha: 1.0,
            l1_ratio: 0.5,
            fit_intercept: true,
            max_iter: 1000,
            tol: 1e-4,
            positive: false,
            selection: Selection::Cyclic,
            random_state: 0,
        }
    }
}

/// Lasso parameters: an elastic net with `l1_ratio = 1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LassoParams {
    pub alpha: f64,
    pub fit_intercept: bool,
    pub max_iter: usize,
    pub tol: f64,
    pub positive: bool,
    pub selection: Selection,
    pub random_state: u64,
}

impl Default for LassoParams {
    fn default() -> Self {
        let e = ElasticNetParams::default();
        LassoParams {
            alpha: e.alpha,
            fit_intercept: e.fit_intercept,
            max_iter: e.max_iter,
            tol: e.tol,
            positive: e.positive,
            selection: e.selection,
            random_state: e.random_state,
        }
    }
}

macro_rules! shared_setters {
    ($t:ty) => {
        impl $t {
            pub fn alpha(mut self, alpha: f64) -> Self {
                self.alpha = alpha;
                self
            }
            pub fn fit_intercept(mut self, yes: bool) -> Self {
                self.fit_intercept = yes;
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
            pub fn positive(mut self, yes: bool) -> Self {
                self.positive = yes;
                self
            }
            pub fn selection(mut self, selection: Selection) -> Self {
                self.selection = selection;
                self
            }
            pub fn random_state(mut self, seed: u64) -> Self {
                self.random_state = seed;
                self
            }
        }
    };
}
shared_setters!(ElasticNetParams);
shared_setters!(LassoParams);

impl ElasticNetParams {
    pub fn l1_ratio(mut self, r: f64) -> Self {
        self.l1_ratio = r;
        self
    }

    /// Starts a fit from zero coefficients; each [`Iterative::step`] is one sweep.
    pub fn start(&self, data: &Dataset) -> Result<EnetRun> {
        self.start_from(data, None)
    }

    /// Starts a fit from `coef_init` (scikit-learn's `warm_start` with a previous `coef_`).
    pub fn start_from(
        &self,
        data: &Dataset,
        coef_init: Option<ArrayView1<f64>>,
    ) -> Result<EnetRun> {
        self.validate()?;
        check_xy(data.x.view(), data.y.view())?;
        let (xc, yc, x_mean, y_mean) = center(data.x.view(), data.y.view(), self.fit_intercept);
        let n = xc.nrows() as f64;
        let solver = CdSolver::new(
            xc.view(),
            yc,
            coef_init,
            self.alpha * self.l1_ratio * n,
            self.alpha * (1.0 - self.l1_ratio) * n,
            self.tol,
            self.positive,
            (self.selection == Selection::Random).then(|| Rng::new(self.random_state)),
        )?;
        Ok(EnetRun {
            solver,
            max_iter: self.max_iter,
            x_mean,
            y_mean,
            params: self.clone(),
        })
    }

    /// Fits from `coef_init` instead of zeros.
    pub fn fit_from(&self, data: &Dataset, coef_init: ArrayView1<f64>) -> Result<ElasticNet> {
        run_to_end(self.start_from(data, Some(coef_init))?)
    }
}

impl LassoParams {
    /// The same problem as an elastic net with `l1_ratio = 1`.
    pub fn as_elastic_net(&self) -> ElasticNetParams {
        ElasticNetParams {
            alpha: self.alpha,
            l1_ratio: 1.0,
            fit_intercept: self.fit_intercept,
            max_iter: self.max_iter,
            tol: self.tol,
            positive: self.positive,
            selection: self.selection,
            random_state: self.random_state,
        }
    }

    pub fn start(&self, data: &Dataset) -> Result<EnetRun> {
        self.as_elastic_net().start(data)
    }
}

fn run_to_end(mut run: EnetRun) -> Result<ElasticNet> {
    while run.step()? == Progress::Running {}
    let model = run.model();
    if !model.model.intercept.is_finite() || model.model.coef.iter().any(|v| !v.is_finite()) {
        return Err(Error::Numerical(
            "coordinate descent produced non-finite coefficients; scale the features".into(),
        ));
    }
    Ok(model)
}

fn validate_common(alpha: f64, max_iter: usize, tol: f64) -> Result<()> {
    if !(alpha >= 0.0 && alpha.is_finite()) {
        return Err(Error::invalid("alpha", alpha, "a finite number >= 0"));
    }
    if max_iter == 0 {
        return Err(Error::invalid("max_iter", 0, "at least 1"));
    }
    if !(tol >= 0.0 && tol.is_finite()) {
        return Err(Error::invalid("tol", tol, "a finite number >= 0"));
    }
    Ok(())
}

/// A fitted elastic net. `n_iter` counts sweeps; `dual_gap` is on the 1/(2n) objective's scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElasticNet {
    pub model: LinearModel,
    pub n_iter: usize,
    pub dual_gap: f64,
    pub params: ElasticNetParams,
}

/// A fitted lasso.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lasso {
    pub model: LinearModel,
    pub n_iter: usize,
    pub dual_gap: f64,
    pub params: LassoParams,
}

impl ElasticNet {
    pub fn params() -> ElasticNetParams {
        ElasticNetParams::default()
    }
    pub fn coef(&self) -> &Array1<f64> {
        &self.model.coef
    }
    pub fn intercept(&self) -> f64 {
        self.model.intercept
    }
}

impl Lasso {
    pub fn params() -> LassoParams {
        LassoParams::default()
    }
    pub fn coef(&self) -> &Array1<f64> {
        &self.model.coef
    }
    pub fn intercept(&self) -> f64 {
        self.model.intercept
    }
}

impl Fit for ElasticNetParams {
    type Model = ElasticNet;

    fn validate(&self) -> Result<()> {
        validate_common(self.alpha, self.max_iter, self.tol)?;
        if !(0.0..=1.0).contains(&self.l1_ratio) {
            return Err(Error::invalid("l1_ratio", self.l1_ratio, "between 0 and 1"));
        }
        Ok(())
    }

    fn fit(&self, data: &Dataset) -> Result<ElasticNet> {
        run_to_end(self.start(data)?)
    }
}

impl Fit for LassoParams {
    type Model = Lasso;

    fn validate(&self) -> Result<()> {
        validate_common(self.alpha, self.max_iter, self.tol)
    }

    fn fit(&self, data: &Dataset) -> Result<Lasso> {
        let e = self.as_elastic_net().fit(data)?;
        Ok(Lasso {
            model: e.model,
            n_iter: e.n_iter,
            dual_gap: e.dual_gap,
            params: self.clone(),
        })
    }
}

impl Regressor for ElasticNet {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        self.model.predict(x)
    }
}

impl Regressor for Lasso {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        self.model.predict(x)
    }
}

/// An elastic-net fit in progress: one sweep per step, until the gap is small or `max_iter` sweeps.
#[derive(Debug, Clone)]
pub struct EnetRun {
    solver: CdSolver,
    max_iter: usize,
    x_mean: Array1<f64>,
    y_mean: f64,
    params: ElasticNetParams,
}

impl EnetRun {
    /// Sweeps done so far.
    pub fn n_iter(&self) -> usize {
        self.solver.n_iter
    }
    /// The last duality gap computed, on the 1/(2n) objective's scale.
    pub fn dual_gap(&self) -> f64 {
        self.solver.gap / self.solver.n_samples() as f64
    }
    pub fn converged(&self) -> bool {
        self.solver.converged
    }
}

impl Iterative for EnetRun {
    type Model = ElasticNet;

    fn step(&mut self) -> Result<Progress> {
        Ok(self.solver.sweep(self.max_iter))
    }

    fn model(&self) -> ElasticNet {
        let coef = self.solver.w.clone();
        let intercept = if self.params.fit_intercept {
            self.y_mean - self.x_mean.dot(&coef)
        } else {
            0.0
        };
        ElasticNet {
            model: LinearModel { coef, intercept },
            n_iter: self.solver.n_iter,
            dual_gap: self.dual_gap(),
            params: self.params.clone(),
        }
    }
}

/// The n-scaled problem `½||y - Xw||² + l1 ||w||₁ + ½ l2 ||w||²` on centred data, columns stored
/// one after another so each coordinate update reads contiguous memory.
#[derive(Debug, Clone)]
struct CdSolver {
    cols: Vec<Array1<f64>>,
    norm2: Vec<f64>,
    y: Array1<f64>,
    /// Residual `y - Xw`, kept up to date.
    r: Array1<f64>,
    w: Array1<f64>,
    l1: f64,
    l2: f64,
    /// `tol * y·y`, the gap's threshold; `d_w_tol` is the unscaled tol for the update check.
    tol: f64,
    d_w_tol: f64,
    positive: bool,
    rng: Option<Rng>,
    screening: bool,
    /// Features still updated; `excluded[j]` once the gap-safe rule proves `w[j] = 0`.
    active: Vec<usize>,
    excluded: Vec<bool>,
    /// `X'R - l2 w` at the last gap check.
    xta: Array1<f64>,
    gap: f64,
    n_iter: usize,
    converged: bool,
    done: bool,
}

impl CdSolver {
    #[allow(clippy::too_many_arguments)]
    fn new(
        x: ArrayView2<f64>,
        y: Array1<f64>,
        coef_init: Option<ArrayView1<f64>>,
        l1: f64,
        l2: f64,
        tol: f64,
        positive: bool,
        rng: Option<Rng>,
    ) -> Result<CdSolver> {
        let p = x.ncols();
        let w = match coef_init {
            Some(c) if c.len() != p => {
                return Err(Error::Shape(format!(
                    "coef_init has {} values but x has {p} features",
                    c.len()
                )))
            }
            Some(c) if c.iter().any(|v| !v.is_finite()) => {
                return Err(Error::NonFinite("coef_init".into()))
            }
            Some(c) => c.to_owned(),
            None => Array1::zeros(p),
        };
        let cols: Vec<Array1<f64>> = x.columns().into_iter().map(|c| c.to_owned()).collect();
        let norm2 = cols.iter().map(|c| c.dot(c)).collect();
        let r = &y - &x.dot(&w);
        let mut s = CdSolver {
            cols,
            norm2,
            tol: tol * y.dot(&y),
            d_w_tol: tol,
            y,
            r,
            w,
            l1,
            l2,
            positive,
            rng,
            // Without an L1 penalty no feature is provably zero.
            screening: l1 != 0.0,
            active: (0..p).collect(),
            excluded: vec![false; p],
            xta: Array1::zeros(p),
            gap: 0.0,
            n_iter: 0,
            converged: false,
            done: false,
        };
        s.gap = s.duality_gap().0;
        if s.gap <= s.tol {
            s.converged = true;
            s.done = true;
        } else if s.screening {
            s.screen(true);
        }
        Ok(s)
    }

    fn n_samples(&self) -> usize {
        self.y.len()
    }

    /// The duality gap and the dual norm of `X'R - l2 w` (which it leaves in `xta`): formulation A
    /// with an L1 penalty, formulation B for pure ridge, the gradient norm for plain least squares.
    fn duality_gap(&mut self) -> (f64, f64) {
        let (l1, l2) = (self.l1, self.l2);
        let w_l2 = if l2 > 0.0 { self.w.dot(&self.w) } else { 0.0 };
        let r_norm2 = self.r.dot(&self.r);
        let ry = self.r.dot(&self.y);
        for (j, c) in self.cols.iter().enumerate() {
            self.xta[j] = c.dot(&self.r) - if l1 == 0.0 { 0.0 } else { l2 * self.w[j] };
        }
        if l1 == 0.0 {
            let norm = self.xta.dot(&self.xta);
            if l2 == 0.0 {
                return (norm, norm);
            }
            return (r_norm2 + 0.5 * l2 * w_l2 - ry + norm / (2.0 * l2), norm);
        }
        let dual_norm = if self.positive {
            self.xta.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        } else {
            self.xta.iter().fold(0.0, |m: f64, v| m.max(v.abs()))
        };
        let w_l1: f64 = self.w.iter().map(|v| v.abs()).sum();
        let primal = 0.5 * (r_norm2 + l2 * w_l2) + l1 * w_l1;
        // Scale the residual back into the dual feasible set |X'v| <= l1.
        let scale = if dual_norm > l1 { l1 / dual_norm } else { 1.0 };
        let dual = -0.5 * scale * scale * (r_norm2 + l2 * w_l2) + scale * ry;
        (primal - dual, dual_norm)
    }

    /// Gap-safe screening (Ndiaye et al. 2017, eq. 11): drop features whose dual constraint the
    /// gap ball keeps strictly inactive, zeroing their weights.
    fn screen(&mut self, first: bool) {
        let dual_norm = if self.positive {
            self.xta.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        } else {
            self.xta.iter().fold(0.0, |m: f64, v| m.max(v.abs()))
        };
        let radius = (2.0 * self.gap).sqrt() / self.l1;
        self.active.clear();
        for j in 0..self.w.len() {
            if first && self.norm2[j] == 0.0 {
                self.w[j] = 0.0;
                self.excluded[j] = true;
                continue;
            }
            if !first && self.excluded[j] {
                continue;
            }
            let xj_theta = self.xta[j] / self.l1.max(dual_norm);
            let d_j = (1.0 - xj_theta.abs()) / (self.norm2[j] + self.l2).sqrt();
            if d_j <= radius {
                self.active.push(j);
                self.excluded[j] = false;
            } else {
                if self.w[j] != 0.0 {
                    self.r.scaled_add(self.w[j], &self.cols[j]);
                    self.w[j] = 0.0;
                }
                self.excluded[j] = true;
            }
        }
    }

    /// One sweep over the active coordinates, then the stopping checks.
    fn sweep(&mut self, max_iter: usize) -> Progress {
        if self.done {
            return Progress::Done;
        }
        let (mut w_max, mut d_w_max) = (0.0f64, 0.0f64);
        let n_active = self.active.len();
        for k in 0..n_active {
            let pick = match self.rng.as_mut() {
                Some(rng) => rng.below(n_active),
                None => k,
            };
            let j = self.active[pick];
            if self.norm2[j] == 0.0 {
                continue;
            }
            let w_j = self.w[j];
            let tmp = self.cols[j].dot(&self.r) + w_j * self.norm2[j];
            let new = if self.positive && tmp < 0.0 {
                0.0
            } else {
                tmp.signum() * (tmp.abs() - self.l1).max(0.0) / (self.norm2[j] + self.l2)
            };
            if new != w_j {
                self.r.scaled_add(w_j - new, &self.cols[j]);
                self.w[j] = new;
            }
            d_w_max = d_w_max.max((new - w_j).abs());
            w_max = w_max.max(new.abs());
        }
        self.n_iter += 1;
        if w_max == 0.0 || d_w_max / w_max <= self.d_w_tol || self.n_iter >= max_iter {
            self.gap = self.duality_gap().0;
            if self.gap <= self.tol {
                self.converged = true;
                self.done = true;
                return Progress::Done;
            }
            if self.screening {
                self.screen(false);
            }
        }
        if self.n_iter >= max_iter {
            self.done = true;
            return Progress::Done;
        }
        if self.w.iter().any(|v| !v.is_finite()) {
            self.done = true;
            return Progress::Diverged;
        }
        Progress::Running
    }
}

/// Settings of a regularisation path (scikit-learn's `enet_path`/`lasso_path` keywords).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PathParams {
    pub l1_ratio: f64,
    pub eps: f64,
    pub n_alphas: usize,
    /// Explicit alphas (sorted largest first before use); `None` builds the grid from `alpha_max`.
    pub alphas: Option<Vec<f64>>,
    /// scikit-learn's path functions take the data as given (no intercept); `true` centres first.
    pub fit_intercept: bool,
    pub max_iter: usize,
    pub tol: f64,
    pub positive: bool,
}

impl Default for PathParams {
    fn default() -> Self {
        PathParams {
            l1_ratio: 0.5,
            eps: 1e-3,
            n_alphas: 100,
            alphas: None,
            fit_intercept: false,
            max_iter: 1000,
            tol: 1e-4,
            positive: false,
        }
    }
}

/// Coefficients along a path: row `i` of `coefs` belongs to `alphas[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub alphas: Vec<f64>,
    pub coefs: Array2<f64>,
    pub intercepts: Vec<f64>,
    pub dual_gaps: Vec<f64>,
    pub n_iters: Vec<usize>,
}

/// The smallest alpha at which every coefficient is zero: `max_j |x_j·y| / (n l1_ratio)` on the
/// (centred, if `fit_intercept`) data, only positive correlations counting when `positive`.
pub fn alpha_max(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    l1_ratio: f64,
    fit_intercept: bool,
    positive: bool,
) -> f64 {
    let (xc, yc, _, _) = center(x, y, fit_intercept);
    let xy = xc.t().dot(&yc);
    let top = if positive {
        xy.iter().copied().fold(0.0, f64::max)
    } else {
        xy.iter().fold(0.0, |m: f64, v| m.max(v.abs()))
    };
    top / (xc.nrows() as f64 * l1_ratio)
}

/// `n` alphas spaced evenly in log scale from `alpha_max` down to `alpha_max * eps`.
pub fn alpha_grid(alpha_max: f64, eps: f64, n: usize) -> Vec<f64> {
    if alpha_max <= f64::EPSILON {
        // numpy's float64 resolution, as scikit-learn uses for an all-zero correlation.
        return vec![1e-15; n];
    }
    if n == 1 {
        return vec![alpha_max];
    }
    let (hi, lo) = (alpha_max.ln(), (alpha_max * eps).ln());
    (0..n)
        .map(|i| (hi + (lo - hi) * i as f64 / (n - 1) as f64).exp())
        .collect()
}

/// Fits the elastic net at each alpha, largest first, each fit starting from the previous one's
/// coefficients (scikit-learn's `enet_path`).
pub fn enet_path(data: &Dataset, p: &PathParams) -> Result<Path> {
    if !(0.0..=1.0).contains(&p.l1_ratio) {
        return Err(Error::invalid("l1_ratio", p.l1_ratio, "between 0 and 1"));
    }
    let alphas = match &p.alphas {
        Some(a) => {
            if a.is_empty() || a.iter().any(|v| !(*v >= 0.0 && v.is_finite())) {
                return Err(Error::invalid(
                    "alphas",
                    format!("{a:?}"),
                    "finite numbers >= 0",
                ));
            }
            let mut a = a.clone();
            a.sort_by(|u, v| v.total_cmp(u));
            a
        }
        None => {
            if p.l1_ratio == 0.0 {
                return Err(Error::invalid(
                    "l1_ratio",
                    0,
                    "> 0 for an automatic alpha grid",
                ));
            }
            if !(p.eps > 0.0 && p.eps.is_finite()) {
                return Err(Error::invalid("eps", p.eps, "a finite number > 0"));
            }
            if p.n_alphas == 0 {
                return Err(Error::invalid("n_alphas", 0, "at least 1"));
            }
            check_xy(data.x.view(), data.y.view())?;
            let top = alpha_max(
                data.x.view(),
                data.y.view(),
                p.l1_ratio,
                p.fit_intercept,
                p.positive,
            );
            alpha_grid(top, p.eps, p.n_alphas)
        }
    };
    let mut coef = Array1::zeros(data.n_features());
    let mut coefs = Array2::zeros((alphas.len(), data.n_features()));
    let (mut intercepts, mut gaps, mut iters) = (vec![], vec![], vec![]);
    for (i, &alpha) in alphas.iter().enumerate() {
        let params = ElasticNetParams {
            alpha,
            l1_ratio: p.l1_ratio,
            fit_intercept: p.fit_intercept,
            max_iter: p.max_iter,
            tol: p.tol,
            positive: p.positive,
            ..Default::default()
        };
        let fit = params.fit_from(data, coef.view())?;
        coefs.row_mut(i).assign(&fit.model.coef);
        intercepts.push(fit.model.intercept);
        gaps.push(fit.dual_gap);
        iters.push(fit.n_iter);
        coef = fit.model.coef;
    }
    Ok(Path {
        alphas,
        coefs,
        intercepts,
        dual_gaps: gaps,
        n_iters: iters,
    })
}

/// [`enet_path`] with `l1_ratio = 1`.
pub fn lasso_path(data: &Dataset, p: &PathParams) -> Result<Path> {
    enet_path(
        data,
        &PathParams {
            l1_ratio: 1.0,
            ..p.clone()
        },
    )
}
