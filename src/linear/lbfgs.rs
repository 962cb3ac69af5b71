//! Limited-memory BFGS for smooth unconstrained minimisation, one iteration per [`Lbfgs::step`] so
//! the estimators built on it can be watched. Its stopping rules are those scikit-learn gets from
//! scipy's L-BFGS-B: the largest gradient component below `gtol`, or a relative decrease of the
//! objective below `ftol`; 10 correction pairs and at most 50 evaluations per line search.

use ndarray::Array1;
use std::collections::VecDeque;

/// Correction pairs kept (scipy's `maxcor` default).
const MEMORY: usize = 10;
/// Function evaluations allowed in one line search (scikit-learn passes `maxls=50`).
const MAX_LINE_SEARCH: usize = 50;
/// Sufficient decrease and curvature constants of the strong Wolfe conditions (as L-BFGS-B).
const C1: f64 = 1e-3;
const C2: f64 = 0.9;

/// What an iteration did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LbfgsStatus {
    /// Took a step; not converged yet.
    Running,
    /// The gradient or the decrease fell below its tolerance.
    Converged,
    /// No step along the search direction lowers the objective any more (at the limit of precision).
    LineSearchFailed,
    /// The objective or gradient became NaN or infinite.
    NonFinite,
}

/// The state of an L-BFGS minimisation: the current point, its value and gradient, the history.
#[derive(Debug, Clone)]
pub struct Lbfgs {
    pub x: Array1<f64>,
    pub f: f64,
    pub g: Array1<f64>,
    gtol: f64,
    ftol: f64,
    pairs: VecDeque<(Array1<f64>, Array1<f64>, f64)>,
    iterations: usize,
}

fn max_abs(v: &Array1<f64>) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

impl Lbfgs {
    /// Starts at `x` with its objective value `f` and gradient `g`.
    pub fn new(x: Array1<f64>, f: f64, g: Array1<f64>, gtol: f64, ftol: f64) -> Self {
        Lbfgs {
            x,
            f,
            g,
            gtol,
            ftol,
            pairs: VecDeque::new(),
            iterations: 0,
        }
    }

    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// Whether the starting point (or the current one) already satisfies the gradient test.
    pub fn gradient_small(&self) -> bool {
        max_abs(&self.g) <= self.gtol
    }

    /// `-H g` by the two-loop recursion, with `H0 = (s'y / y'y) I` from the newest pair.
    fn direction(&self) -> Array1<f64> {
        let mut q = -&self.g;
        let mut alphas = Vec::with_capacity(self.pairs.len());
        for (s, y, rho) in self.pairs.iter().rev() {
            let a = rho * s.dot(&q);
            q.scaled_add(-a, y);
            alphas.push(a);
        }
        if let Some((s, y, _)) = self.pairs.back() {
            q *= s.dot(y) / y.dot(y);
        }
        for ((s, y, rho), a) in self.pairs.iter().zip(alphas.into_iter().rev()) {
            let b = rho * y.dot(&q);
            q.scaled_add(a - b, s);
        }
        q
    }

    /// One iteration: a search direction, a line search along it, the memory update and the
    /// convergence tests. `objective` returns the value and gradient at a point.
    pub fn step(
        &mut self,
        objective: &mut impl FnMut(&Array1<f64>) -> (f64, Array1<f64>),
    ) -> LbfgsStatus {
        if self.gradient_small() {
            return LbfgsStatus::Converged;
        }
        let mut d = self.direction();
        let mut slope = self.g.dot(&d);
        if slope >= 0.0 || slope.is_nan() {
            // Not a descent direction (rounding in the memory): restart from steepest descent.
            self.pairs.clear();
            d = -&self.g;
            slope = self.g.dot(&d);
        }
        // The first step is scaled to unit length, later ones start from the quasi-Newton step 1.
        let first = if self.pairs.is_empty() {
            1.0 / d.dot(&d).sqrt()
        } else {
            1.0
        };
        let Some((alpha, f_new, g_new)) = self.line_search(objective, &d, slope, first) else {
            return if self.f.is_finite() {
                LbfgsStatus::LineSearchFailed
            } else {
                LbfgsStatus::NonFinite
            };
        };
        let s = &d * alpha;
        let y = &g_new - &self.g;
        let sy = s.dot(&y);
        // Skip pairs with (almost) no curvature, as L-BFGS-B does, so H stays positive definite.
        if sy > f64::EPSILON * y.dot(&y) {
            if self.pairs.len() == MEMORY {
                self.pairs.pop_front();
            }
            self.pairs.push_back((s.clone(), y, 1.0 / sy));
        }
        let f_old = self.f;
        self.x += &s;
        self.f = f_new;
        self.g = g_new;
        self.iterations += 1;
        if !self.f.is_finite() || self.g.iter().any(|v| !v.is_finite()) {
            return LbfgsStatus::NonFinite;
        }
        let scale = f_old.abs().max(f_new.abs()).max(1.0);
        if (f_old - f_new) / scale <= self.ftol || self.gradient_small() {
            LbfgsStatus::Converged
        } else {
            LbfgsStatus::Running
        }
    }

    /// A step length satisfying the strong Wolfe conditions (bracketing, then zooming with
    /// safeguarded cubic interpolation). Falls back to the best decrease seen when the evaluation
    /// budget runs out; `None` when nothing lowered the objective.
    fn line_search(
        &self,
        objective: &mut impl FnMut(&Array1<f64>) -> (f64, Array1<f64>),
        d: &Array1<f64>,
        slope0: f64,
        first: f64,
    ) -> Option<(f64, f64, Array1<f64>)> {
        let f0 = self.f;
        let mut evals = 0;
        let mut eval = |a: f64| {
            let point = &self.x + &(d * a);
            let (f, g) = objective(&point);
            let slope = g.dot(d);
            (f, g, slope)
        };
        let armijo = |a: f64, f: f64| f <= f0 + C1 * a * slope0;
        let curvature = |slope: f64| slope.abs() <= -C2 * slope0;
        let mut best: Option<(f64, f64, Array1<f64>)> = None;
        let remember =
            |a: f64, f: f64, g: &Array1<f64>, best: &mut Option<(f64, f64, Array1<f64>)>| {
                if f.is_finite() && f < f0 && best.as_ref().is_none_or(|b| f < b.1) {
                    *best = Some((a, f, g.clone()));
                }
            };

        // Bracketing: grow the step until the minimum along d is enclosed.
        let (mut lo, mut f_lo, mut slope_lo) = (0.0, f0, slope0);
        let mut a = first;
        let (mut hi, mut f_hi, mut slope_hi);
        loop {
            let (f, g, slope) = eval(a);
            evals += 1;
            remember(a, f, &g, &mut best);
            if !f.is_finite() {
                // Overshot into overflow: shrink towards the last good point.
                (hi, f_hi, slope_hi) = (a, f64::INFINITY, f64::NAN);
                break;
            }
            if !armijo(a, f) || (evals > 1 && f >= f_lo) {
                (hi, f_hi, slope_hi) = (a, f, slope);
                break;
            }
            if curvature(slope) {
                return Some((a, f, g));
            }
            if slope >= 0.0 {
                (hi, f_hi, slope_hi) = (lo, f_lo, slope_lo);
                (lo, f_lo, slope_lo) = (a, f, slope);
                break;
            }
            (lo, f_lo, slope_lo) = (a, f, slope);
            a *= 4.0;
            if evals >= MAX_LINE_SEARCH {
                return best;
            }
        }

        // Zoom: shrink [lo, hi] (not necessarily ordered) keeping the Wolfe point inside.
        while evals < MAX_LINE_SEARCH {
            let width = hi - lo;
            let cubic = cubic_minimiser(lo, f_lo, slope_lo, hi, f_hi, slope_hi);
            let inside = |t: f64| {
                let (a0, a1) = if lo < hi { (lo, hi) } else { (hi, lo) };
                let guard = 0.1 * width.abs();
                t.is_finite() && t > a0 + guard && t < a1 - guard
            };
            a = match cubic {
                Some(t) if inside(t) => t,
                _ => lo + 0.5 * width,
            };
            let (f, g, slope) = eval(a);
            evals += 1;
            remember(a, f, &g, &mut best);
            if !f.is_finite() || !armijo(a, f) || f >= f_lo {
                (hi, f_hi, slope_hi) = (a, f, slope);
            } else {
                if curvature(slope) {
                    return Some((a, f, g));
                }
                if slope * (hi - lo) >= 0.0 {
                    (hi, f_hi, slope_hi) = (lo, f_lo, slope_lo);
                }
                (lo, f_lo, slope_lo) = (a, f, slope);
            }
            if (hi - lo).abs() <= f64::EPSILON * lo.abs().max(1e-300) {
                break;
            }
        }
        best
    }
}

/// The minimiser of the cubic through `(a, fa)`, `(b, fb)` with slopes `da`, `db`, if it exists.
fn cubic_minimiser(a: f64, fa: f64, da: f64, b: f64, fb: f64, db: f64) -> Option<f64> {
    if !(fa.is_finite() && fb.is_finite() && da.is_finite() && db.is_finite()) || a == b {
        return None;
    }
    let d1 = da + db - 3.0 * (fa - fb) / (a - b);
    let disc = d1 * d1 - da * db;
    if disc < 0.0 {
        return None;
    }
    let d2 = (b - a).signum() * disc.sqrt();
    let t = b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2);
    t.is_finite().then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn minimises_the_rosenbrock_function() {
        let mut rosen = |v: &Array1<f64>| {
            let (x, y) = (v[0], v[1]);
            let f = (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2);
            let g = array![
                -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
                200.0 * (y - x * x)
            ];
            (f, g)
        };
        let x0 = array![-1.2, 1.0];
        let (f0, g0) = rosen(&x0);
        let mut opt = Lbfgs::new(x0, f0, g0, 1e-10, 0.0);
        let mut status = LbfgsStatus::Running;
        while status == LbfgsStatus::Running && opt.iterations() < 200 {
            status = opt.step(&mut rosen);
        }
        assert_eq!(status, LbfgsStatus::Converged, "after {}", opt.iterations());
        assert!(
            (opt.x[0] - 1.0).abs() < 1e-8 && (opt.x[1] - 1.0).abs() < 1e-8,
            "{}",
            opt.x
        );
    }
}
