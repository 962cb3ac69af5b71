//! The dual solver shared by `SVC` and `SVR`: sequential minimal optimisation as in libsvm
//! (Fan, Chen & Lin 2005). It minimises `½ aᵀQa + pᵀa` subject to `yᵀa = const` and `0 ≤ a ≤ C`,
//! where `Q_st = y_s y_t K(x_s, x_t)`, changing one pair of variables per [`Smo::step`]. The pair is
//! chosen by libsvm's second-order rule (WSS3) and the solver stops at the same test: the maximal
//! violation `m(a) - M(a)` below `tol`. libsvm also shrinks the active set; that only changes how
//! fast it gets there, not the stopping test, so solutions agree to within `tol`.

use super::kernel::KernelRows;
use crate::estimator::Progress;

/// libsvm's floor for a non-positive curvature `K_ii + K_jj - 2K_ij`.
const TAU: f64 = 1e-12;

#[derive(Debug, Clone)]
pub(crate) struct Smo {
    rows: KernelRows,
    /// Variable t reads kernel row `base[t]` (SVR has two variables per training point).
    base: Vec<usize>,
    y: Vec<f64>,
    c: f64,
    alpha: Vec<f64>,
    grad: Vec<f64>,
    tol: f64,
    max_iter: usize,
    iter: usize,
    done: Option<bool>,
    violation: f64,
    last_pair: Option<(usize, usize)>,
}

impl Smo {
    /// Starts at `a = 0`, where the gradient is `p`.
    pub fn new(
        rows: KernelRows,
        base: Vec<usize>,
        y: Vec<f64>,
        p: Vec<f64>,
        c: f64,
        tol: f64,
        max_iter: usize,
    ) -> Self {
        let l = y.len();
        Smo {
            rows,
            base,
            y,
            c,
            alpha: vec![0.0; l],
            grad: p,
            tol,
            max_iter,
            iter: 0,
            done: None,
            violation: f64::INFINITY,
            last_pair: None,
        }
    }

    fn upper(&self, t: usize) -> bool {
        self.alpha[t] >= self.c
    }
    fn lower(&self, t: usize) -> bool {
        self.alpha[t] <= 0.0
    }

    /// Pair updates made so far.
    pub fn iterations(&self) -> usize {
        self.iter
    }
    /// `None` while running; `Some(true)` when the violation fell below `tol`, `Some(false)` when
    /// `max_iter` stopped it first.
    pub fn finished(&self) -> Option<bool> {
        self.done
    }
    /// The largest KKT violation `m(a) - M(a)` at the last selection (infinite before the first).
    pub fn violation(&self) -> f64 {
        self.violation
    }
    /// The two variables the latest step changed.
    pub fn last_pair(&self) -> Option<(usize, usize)> {
        self.last_pair
    }
    pub fn alpha(&self) -> &[f64] {
        &self.alpha
    }
    pub fn y(&self) -> &[f64] {
        &self.y
    }
    pub fn c(&self) -> f64 {
        self.c
    }

    /// WSS3: `i` maximises the violation, `j` the second-order decrease of the objective with `i`.
    /// `None` when the violation is below `tol` (optimal).
    fn select(&mut self) -> Option<(usize, usize)> {
        let l = self.y.len();
        let (mut gmax, mut gmax2) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        let mut best_i = None;
        for t in 0..l {
            if self.y[t] > 0.0 {
                if !self.upper(t) && -self.grad[t] >= gmax {
                    gmax = -self.grad[t];
                    best_i = Some(t);
                }
            } else if !self.lower(t) && self.grad[t] >= gmax {
                gmax = self.grad[t];
                best_i = Some(t);
            }
        }
        let i = best_i?;
        let ki = self.rows.row(self.base[i]);
        let qd_i = self.rows.diag(self.base[i]);
        let mut best_j = None;
        let mut obj_min = f64::INFINITY;
        for t in 0..l {
            let kit = ki[self.base[t]];
            let (grad_diff, quad) = if self.y[t] > 0.0 {
                if self.lower(t) {
                    continue;
                }
                gmax2 = gmax2.max(self.grad[t]);
                (
                    gmax + self.grad[t],
                    qd_i + self.rows.diag(self.base[t]) - 2.0 * self.y[i] * kit,
                )
            } else {
                if self.upper(t) {
                    continue;
                }
                gmax2 = gmax2.max(-self.grad[t]);
                (
                    gmax - self.grad[t],
                    qd_i + self.rows.diag(self.base[t]) + 2.0 * self.y[i] * kit,
                )
            };
            if grad_diff > 0.0 {
                let obj = -(grad_diff * grad_diff) / if quad > 0.0 { quad } else { TAU };
                if obj <= obj_min {
                    obj_min = obj;
                    best_j = Some(t);
                }
            }
        }
        self.violation = gmax + gmax2;
        if self.violation < self.tol {
            return None;
        }
        best_j.map(|j| (i, j))
    }

    /// One pair update, or the end of the run.
    pub fn step(&mut self) -> Progress {
        if self.done.is_some() {
            return Progress::Done;
        }
        if self.iter >= self.max_iter {
            self.done = Some(false);
            return Progress::Done;
        }
        let Some((i, j)) = self.select() else {
            self.done = Some(true);
            return Progress::Done;
        };
        self.update(i, j);
        self.iter += 1;
        self.last_pair = Some((i, j));
        Progress::Running
    }

    /// libsvm's analytic two-variable update, clipped to the box, then the gradient refresh.
    fn update(&mut self, i: usize, j: usize) {
        let ki = self.rows.row(self.base[i]);
        let kj = self.rows.row(self.base[j]);
        let (yi, yj, c) = (self.y[i], self.y[j], self.c);
        let q_ij = yi * yj * ki[self.base[j]];
        let qd = self.rows.diag(self.base[i]) + self.rows.diag(self.base[j]);
        let (old_i, old_j) = (self.alpha[i], self.alpha[j]);
        let (mut ai, mut aj) = (old_i, old_j);
        if yi != yj {
            let quad = if qd + 2.0 * q_ij > 0.0 {
                qd + 2.0 * q_ij
            } else {
                TAU
            };
            let delta = (-self.grad[i] - self.grad[j]) / quad;
            let diff = ai - aj;
            ai += delta;
            aj += delta;
            if diff > 0.0 {
                if aj < 0.0 {
                    aj = 0.0;
                    ai = diff;
                }
            } else if ai < 0.0 {
                ai = 0.0;
                aj = -diff;
            }
            if diff > 0.0 {
                if ai > c {
                    ai = c;
                    aj = c - diff;
                }
            } else if aj > c {
                aj = c;
                ai = c + diff;
            }
        } else {
            let quad = if qd - 2.0 * q_ij > 0.0 {
                qd - 2.0 * q_ij
            } else {
                TAU
            };
            let delta = (self.grad[i] - self.grad[j]) / quad;
            let sum = ai + aj;
            ai -= delta;
            aj += delta;
            if sum > c {
                if ai > c {
                    ai = c;
                    aj = sum - c;
                }
            } else if aj < 0.0 {
                aj = 0.0;
                ai = sum;
            }
            if sum > c {
                if aj > c {
                    aj = c;
                    ai = sum - c;
                }
            } else if ai < 0.0 {
                ai = 0.0;
                aj = sum;
            }
        }
        self.alpha[i] = ai;
        self.alpha[j] = aj;
        let (di, dj) = ((ai - old_i) * yi, (aj - old_j) * yj);
        for t in 0..self.y.len() {
            let b = self.base[t];
            self.grad[t] += self.y[t] * (ki[b] * di + kj[b] * dj);
        }
    }

    /// The offset `rho` (decision = Σ y_t a_t K - rho): the mean of `y_t ∇_t` over free variables,
    /// else the middle of the feasible interval, as libsvm.
    pub fn rho(&self) -> f64 {
        let (mut ub, mut lb) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut n_free, mut sum_free) = (0usize, 0.0);
        for t in 0..self.y.len() {
            let yg = self.y[t] * self.grad[t];
            if self.upper(t) {
                if self.y[t] < 0.0 {
                    ub = ub.min(yg);
                } else {
                    lb = lb.max(yg);
                }
            } else if self.lower(t) {
                if self.y[t] > 0.0 {
                    ub = ub.min(yg);
                } else {
                    lb = lb.max(yg);
                }
            } else {
                n_free += 1;
                sum_free += yg;
            }
        }
        if n_free > 0 {
            sum_free / n_free as f64
        } else {
            (ub + lb) / 2.0
        }
    }
}
