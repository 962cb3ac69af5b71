//! The race's 2-D loss surfaces, evaluated on the tape so the optimizers see real gradients.

use crate::autodiff::{Tape, Var};
use crate::error::Result;

/// The 2-D test surfaces, each with its minimum value 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Surface {
    /// `0.05 x^2 + 2 y^2`: curvatures 40x apart.
    Valley,
    /// `(1 - x)^2 + 10 (y - x^2)^2`: a curved valley, minimum at (1, 1).
    Rosenbrock,
    /// `x^2 / 2 + y^4 / 4 - y^2 / 2 + 1/4`: a saddle at the origin, minima at (0, ±1).
    Saddle,
}

impl Surface {
    pub fn named(name: &str) -> Self {
        match name {
            "rosenbrock" => Surface::Rosenbrock,
            "saddle" => Surface::Saddle,
            _ => Surface::Valley,
        }
    }

    /// The value at (x, y).
    pub fn value(self, x: f64, y: f64) -> f64 {
        match self {
            Surface::Valley => 0.05 * x * x + 2.0 * y * y,
            Surface::Rosenbrock => (1.0 - x).powi(2) + 10.0 * (y - x * x).powi(2),
            Surface::Saddle => 0.5 * x * x + 0.25 * y.powi(4) - 0.5 * y * y + 0.25,
        }
    }

    /// The common starting point of every racer.
    pub fn start(self) -> [f32; 2] {
        match self {
            Surface::Valley => [-4.5, 1.5],
            Surface::Rosenbrock => [-1.5, 2.5],
            Surface::Saddle => [-3.0, 0.01],
        }
    }

    /// The start moved by `jitter` (each in [-1, 1]) times 0.05, or 0.005 across the saddle's
    /// ridge so that the start stays on the same side of it.
    pub fn start_near(self, jitter: [f64; 2]) -> [f32; 2] {
        let [x, y] = self.start();
        let dy = if self == Surface::Saddle { 0.005 } else { 0.05 };
        [x + (0.05 * jitter[0]) as f32, y + (dy * jitter[1]) as f32]
    }

    /// The plotted window (x range, y range).
    pub(super) fn window(self) -> ((f64, f64), (f64, f64)) {
        match self {
            Surface::Valley => ((-5.0, 5.0), (-2.0, 2.0)),
            Surface::Rosenbrock => ((-2.0, 2.0), (-1.0, 3.0)),
            Surface::Saddle => ((-3.5, 3.5), (-1.75, 1.75)),
        }
    }

    pub(super) fn minima(self) -> Vec<(f64, f64)> {
        match self {
            Surface::Valley => vec![(0.0, 0.0)],
            Surface::Rosenbrock => vec![(1.0, 1.0)],
            Surface::Saddle => vec![(0.0, 1.0), (0.0, -1.0)],
        }
    }

    /// Records the surface at the (2,) parameter `p` on the tape: a scalar.
    pub fn forward(self, tape: &mut Tape, p: Var) -> Result<Var> {
        let x = tape.slice(p, 0, 0, 1)?;
        let y = tape.slice(p, 0, 1, 2)?;
        let f = match self {
            Surface::Valley => {
                let x2 = tape.square(x);
                let y2 = tape.square(y);
                let a = tape.scale(x2, 0.05);
                let b = tape.scale(y2, 2.0);
                tape.add(a, b)?
            }
            Surface::Rosenbrock => {
                let one_minus = tape.neg(x);
                let one_minus = tape.add_scalar(one_minus, 1.0);
                let a = tape.square(one_minus);
                let x2 = tape.square(x);
                let d = tape.sub(y, x2)?;
                let d2 = tape.square(d);
                let b = tape.scale(d2, 10.0);
                tape.add(a, b)?
            }
            Surface::Saddle => {
                let x2 = tape.square(x);
                let a = tape.scale(x2, 0.5);
                let y2 = tape.square(y);
                let y4 = tape.square(y2);
                let b = tape.scale(y4, 0.25);
                let c = tape.scale(y2, -0.5);
                let s = tape.add(a, b)?;
                let s = tape.add(s, c)?;
                tape.add_scalar(s, 0.25)
            }
        };
        Ok(tape.sum(f))
    }
}
