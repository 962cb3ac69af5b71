//! The menu of expressions and how each is recorded on a fresh [`Tape`].

use crate::autodiff::{Tape, Var};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// The expressions of the menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expr {
    XyExp,
    Neuron,
    CrossEntropy,
    TanhNet,
}

impl Expr {
    pub(super) fn parse(s: &str) -> Self {
        match s {
            "xy-exp" => Expr::XyExp,
            "cross-entropy" => Expr::CrossEntropy,
            "tanh-net" => Expr::TanhNet,
            _ => Expr::Neuron,
        }
    }

    pub(super) fn formula(self) -> &'static str {
        match self {
            Expr::XyExp => "f = x·y + exp(x)",
            Expr::Neuron => "f = σ(w1·x1 + w2·x2 + b)",
            Expr::CrossEntropy => "f = log(exp(z1) + exp(z2)) − z1   (cross-entropy, true class 1)",
            Expr::TanhNet => "f = (v1·h1 + v2·h2 + c − t)²,  hj = tanh(wj1·x1 + wj2·x2 + bj)",
        }
    }

    /// The inputs that get gradients, in the order of [`Recorded::params`].
    pub(super) fn param_names(self) -> &'static [&'static str] {
        match self {
            Expr::XyExp => &["x", "y"],
            Expr::Neuron => &["w1", "w2", "b"],
            Expr::CrossEntropy => &["z1", "z2"],
            Expr::TanhNet => &["w11", "w12", "b1", "w21", "w22", "b2", "v1", "v2", "c"],
        }
    }
}

/// Metric keys and labels of every input that can get a gradient: (name, value key, gradient key,
/// gradient label).
pub(super) const PARAM_METRICS: &[(&str, &str, &str, &str)] = &[
    ("x", "value_x", "grad_x", "∂f/∂x"),
    ("y", "value_y", "grad_y", "∂f/∂y"),
    ("w1", "value_w1", "grad_w1", "∂f/∂w1"),
    ("w2", "value_w2", "grad_w2", "∂f/∂w2"),
    ("b", "value_b", "grad_b", "∂f/∂b"),
    ("z1", "value_z1", "grad_z1", "∂f/∂z1"),
    ("z2", "value_z2", "grad_z2", "∂f/∂z2"),
    ("w11", "value_w11", "grad_w11", "∂f/∂w11"),
    ("w12", "value_w12", "grad_w12", "∂f/∂w12"),
    ("b1", "value_b1", "grad_b1", "∂f/∂b1"),
    ("w21", "value_w21", "grad_w21", "∂f/∂w21"),
    ("w22", "value_w22", "grad_w22", "∂f/∂w22"),
    ("b2", "value_b2", "grad_b2", "∂f/∂b2"),
    ("v1", "value_v1", "grad_v1", "∂f/∂v1"),
    ("v2", "value_v2", "grad_v2", "∂f/∂v2"),
    ("c", "value_c", "grad_c", "∂f/∂c"),
];

/// The data an expression reads besides its parameters.
#[derive(Debug, Clone, Copy)]
pub(super) struct Data {
    pub(super) x1: f32,
    pub(super) x2: f32,
    pub(super) target: f32,
}

/// An expression on its tape: the output and the named leaves.
pub(super) struct Recorded {
    pub(super) tape: Tape,
    pub(super) out: Var,
    /// The name of each node that has one (leaves), by tape index.
    pub(super) names: Vec<Option<&'static str>>,
    /// The parameter leaves, in [`Expr::param_names`] order.
    pub(super) params: Vec<Var>,
}

/// Records `expr` with parameter values `values` on a fresh tape.
pub(super) fn record(expr: Expr, values: &[f32], data: Data) -> Result<Recorded> {
    let names_of = expr.param_names();
    if values.len() != names_of.len() {
        return Err(Error::Shape(format!(
            "{} parameter values for an expression with {}",
            values.len(),
            names_of.len()
        )));
    }
    let mut tape = Tape::new();
    let mut names: Vec<Option<&'static str>> = Vec::new();
    let mut params = Vec::new();
    // Leaves are named; `param` also remembers them as inputs that want gradients.
    let mut param = |tape: &mut Tape, names: &mut Vec<Option<&'static str>>, k: usize| {
        let v = tape.leaf(Tensor::scalar(values[k]));
        names.resize(tape.len(), None);
        names[v.index()] = Some(names_of[k]);
        params.push(v);
        v
    };
    let constant = |tape: &mut Tape, names: &mut Vec<Option<&'static str>>, name, value| {
        let v = tape.constant(Tensor::scalar(value));
        names.resize(tape.len(), None);
        names[v.index()] = Some(name);
        v
    };
    let out = match expr {
        Expr::XyExp => {
            let x = param(&mut tape, &mut names, 0);
            let y = param(&mut tape, &mut names, 1);
            let xy = tape.mul(x, y)?;
            let ex = tape.exp(x);
            tape.add(xy, ex)?
        }
        Expr::Neuron => {
            let w1 = param(&mut tape, &mut names, 0);
            let x1 = constant(&mut tape, &mut names, "x1", data.x1);
            let w2 = param(&mut tape, &mut names, 1);
            let x2 = constant(&mut tape, &mut names, "x2", data.x2);
            let b = param(&mut tape, &mut names, 2);
            let a = tape.mul(w1, x1)?;
            let c = tape.mul(w2, x2)?;
            let s = tape.add(a, c)?;
            let z = tape.add(s, b)?;
            tape.sigmoid(z)
        }
        Expr::CrossEntropy => {
            let z1 = param(&mut tape, &mut names, 0);
            let z2 = param(&mut tape, &mut names, 1);
            let e1 = tape.exp(z1);
            let e2 = tape.exp(z2);
            let s = tape.add(e1, e2)?;
            let lse = tape.log(s);
            tape.sub(lse, z1)?
        }
        Expr::TanhNet => {
            let x1 = constant(&mut tape, &mut names, "x1", data.x1);
            let x2 = constant(&mut tape, &mut names, "x2", data.x2);
            let mut hidden = Vec::new();
            for j in 0..2 {
                let wa = param(&mut tape, &mut names, 3 * j);
                let wb = param(&mut tape, &mut names, 3 * j + 1);
                let bj = param(&mut tape, &mut names, 3 * j + 2);
                let p = tape.mul(wa, x1)?;
                let q = tape.mul(wb, x2)?;
                let s = tape.add(p, q)?;
                let z = tape.add(s, bj)?;
                hidden.push(tape.tanh(z));
            }
            let v1 = param(&mut tape, &mut names, 6);
            let v2 = param(&mut tape, &mut names, 7);
            let c = param(&mut tape, &mut names, 8);
            let p = tape.mul(v1, hidden[0])?;
            let q = tape.mul(v2, hidden[1])?;
            let s = tape.add(p, q)?;
            let out = tape.add(s, c)?;
            let t = constant(&mut tape, &mut names, "t", data.target);
            let d = tape.sub(out, t)?;
            // d·d rather than square(d): node d then receives two contributions that add up.
            tape.mul(d, d)?
        }
    };
    names.resize(tape.len(), None);
    Ok(Recorded {
        tape,
        out,
        names,
        params,
    })
}

/// The value of a scalar node as f32 (NaN if it is not one value).
pub(super) fn scalar(t: &Tensor) -> f32 {
    t.item().unwrap_or(f32::NAN)
}
