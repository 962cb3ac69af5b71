//! Chapter 12: a small expression recorded on the real autodiff [`Tape`], drawn as its computation
//! graph and stepped through one node at a time: forward in tape order, then backward in reverse
//! order, each backward step showing the chain-rule product (upstream gradient times local
//! derivative) that the tape's own gradient rules give. A table compares every input's gradient
//! with a central finite difference of the forward pass.

use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::autodiff::{Op, Tape, Var};
use crate::error::{Error, Result};
use crate::estimator::Progress;
use crate::rng::Rng;
use crate::tensor::{Tensor, Unary};
use crate::viz;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use web_time::{Duration, Instant};

/// While playing, one node per this long: slow enough to read the step.
const PACE: Duration = Duration::from_millis(450);

/// The expressions of the menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expr {
    XyExp,
    Neuron,
    CrossEntropy,
    TanhNet,
}

impl Expr {
    fn parse(s: &str) -> Self {
        match s {
            "xy-exp" => Expr::XyExp,
            "cross-entropy" => Expr::CrossEntropy,
            "tanh-net" => Expr::TanhNet,
            _ => Expr::Neuron,
        }
    }

    fn formula(self) -> &'static str {
        match self {
            Expr::XyExp => "f = x·y + exp(x)",
            Expr::Neuron => "f = σ(w1·x1 + w2·x2 + b)",
            Expr::CrossEntropy => "f = log(exp(z1) + exp(z2)) − z1   (cross-entropy, true class 1)",
            Expr::TanhNet => "f = (v1·h1 + v2·h2 + c − t)²,  hj = tanh(wj1·x1 + wj2·x2 + bj)",
        }
    }

    /// The inputs that get gradients, in the order of [`Recorded::params`].
    fn param_names(self) -> &'static [&'static str] {
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
const PARAM_METRICS: &[(&str, &str, &str, &str)] = &[
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
struct Data {
    x1: f32,
    x2: f32,
    target: f32,
}

/// An expression on its tape: the output and the named leaves.
struct Recorded {
    tape: Tape,
    out: Var,
    /// The name of each node that has one (leaves), by tape index.
    names: Vec<Option<&'static str>>,
    /// The parameter leaves, in [`Expr::param_names`] order.
    params: Vec<Var>,
}

/// Records `expr` with parameter values `values` on a fresh tape.
fn record(expr: Expr, values: &[f32], data: Data) -> Result<Recorded> {
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
fn scalar(t: &Tensor) -> f32 {
    t.item().unwrap_or(f32::NAN)
}

/// What one node shows: its value, final gradient and what its backward step passes on.
#[derive(Debug, Clone)]
struct NodeView {
    label: String,
    value: f32,
    /// d f / d node from the tape's `backward`; `None` for constants.
    grad: Option<f32>,
    /// (input, local derivative, contribution = grad × local) from the tape's gradient rules.
    passes: Vec<(usize, f32, f32)>,
    inputs: Vec<usize>,
    is_param: bool,
    is_const: bool,
    /// Column and row of the drawing, and the row count of its column.
    layer: usize,
    row: f64,
}

/// One input's autodiff gradient against a central finite difference.
#[derive(Debug, Clone, Copy)]
struct Check {
    name: &'static str,
    value: f32,
    autodiff: f32,
    numerical: f64,
    rel_error: f64,
}

pub struct AutodiffGraphDemo {
    expr: Expr,
    nodes: Vec<NodeView>,
    f: f32,
    /// The nodes backward visits, from the output down (those that need a gradient).
    backward_order: Vec<usize>,
    checks: Vec<Check>,
    fd_step: f64,
    layers: usize,
    /// Forward steps shown so far (0..=nodes), then backward steps (0..=backward_order).
    forward_done: usize,
    backward_done: usize,
    last_tick: Option<Instant>,
}

impl AutodiffGraphDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "autodiff-graph",
        title: "Stepping through reverse-mode autodiff",
        chapter: "12-custom-models-and-autodiff",
        upload: None,
        params: &[
            ParamSpec {
                key: "expression",
                label: "Expression",
                help: "xy-exp: x·y + exp(x). neuron: σ(w1·x1 + w2·x2 + b) with random weights. \
                       cross-entropy: two logits, true class 1. tanh-net: a 2-2-1 tanh network \
                       with squared error, random weights.",
                kind: ParamKind::Choice {
                    options: &["xy-exp", "neuron", "cross-entropy", "tanh-net"],
                    default: "neuron",
                },
            },
            ParamSpec {
                key: "x1",
                label: "First input",
                help: "x in x·y + exp(x), x1 for the neuron and the network, z1 for cross-entropy.",
                kind: ParamKind::Float {
                    min: -3.0,
                    max: 3.0,
                    default: 1.0,
                    log: false,
                },
            },
            ParamSpec {
                key: "x2",
                label: "Second input",
                help: "y in x·y + exp(x), x2 for the neuron and the network, z2 for cross-entropy.",
                kind: ParamKind::Float {
                    min: -3.0,
                    max: 3.0,
                    default: -0.5,
                    log: false,
                },
            },
            ParamSpec {
                key: "target",
                label: "Target t",
                help: "The network's target output (tanh-net only).",
                kind: ParamKind::Float {
                    min: -2.0,
                    max: 2.0,
                    default: 1.0,
                    log: false,
                },
            },
            ParamSpec {
                key: "fd_step",
                label: "Finite-difference step h",
                help: "Each input is moved by ±h and the forward pass rerun (in f32). Too large: \
                       the curvature biases the slope. Too small: rounding dominates.",
                kind: ParamKind::Float {
                    min: 1e-5,
                    max: 1.0,
                    default: 1e-3,
                    log: true,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let expr = Expr::parse(params.choice("expression"));
        let data = Data {
            x1: params.f64("x1") as f32,
            x2: params.f64("x2") as f32,
            target: params.f64("target") as f32,
        };
        let mut rng = Rng::new(seed);
        let mut random = |std: f64| (rng.normal() * std) as f32;
        let values: Vec<f32> = match expr {
            Expr::XyExp | Expr::CrossEntropy => vec![data.x1, data.x2],
            Expr::Neuron => (0..3).map(|_| random(1.0)).collect(),
            Expr::TanhNet => (0..9).map(|_| random(0.8)).collect(),
        };
        let mut rec = record(expr, &values, data)?;
        rec.tape.backward(rec.out)?;
        let tape = rec.tape;
        let vars: Vec<Var> = tape.vars().collect();
        let mut nodes = Vec::with_capacity(vars.len());
        for &v in &vars {
            let i = v.index();
            let inputs: Vec<usize> = op_inputs(tape.op(v)).iter().map(|u| u.index()).collect();
            let grad = tape.grad(v).map(scalar);
            let mut passes = Vec::new();
            if let Some(g) = tape.grad(v) {
                let local = tape.local_grads(v, &Tensor::ones(g.shape()))?;
                let through = tape.local_grads(v, g)?;
                for ((input, l), (_, c)) in local.iter().zip(&through) {
                    passes.push((input.index(), scalar(l), scalar(c)));
                }
            }
            let label = match rec.names[i] {
                Some(name) => name.to_string(),
                None => format!("n{i} {}", op_symbol(tape.op(v))),
            };
            nodes.push(NodeView {
                label,
                value: scalar(tape.value(v)),
                grad,
                passes,
                inputs,
                is_param: rec.params.contains(&v),
                is_const: !tape.requires_grad(v),
                layer: 0,
                row: 0.0,
            });
        }
        let layers = lay_out(&mut nodes);
        let backward_order: Vec<usize> = (0..nodes.len())
            .rev()
            .filter(|&i| nodes[i].grad.is_some())
            .collect();
        let fd_step = params.f64("fd_step");
        let mut checks = Vec::new();
        for (k, &p) in rec.params.iter().enumerate() {
            let (plus, minus) = (values[k] + fd_step as f32, values[k] - fd_step as f32);
            let f_at = |v: f32| -> Result<f64> {
                let mut moved = values.clone();
                moved[k] = v;
                let r = record(expr, &moved, data)?;
                Ok(scalar(r.tape.value(r.out)) as f64)
            };
            // Divide by the step f32 really took, not the one asked for.
            let numerical = (f_at(plus)? - f_at(minus)?) / (plus as f64 - minus as f64);
            let autodiff = tape.grad(p).map(scalar).unwrap_or(0.0);
            let a = autodiff as f64;
            let rel_error = (a - numerical).abs() / a.abs().max(numerical.abs()).max(1e-3);
            checks.push(Check {
                name: expr.param_names()[k],
                value: values[k],
                autodiff,
                numerical,
                rel_error,
            });
        }
        Ok(AutodiffGraphDemo {
            expr,
            f: scalar(tape.value(rec.out)),
            nodes,
            backward_order,
            checks,
            fd_step,
            layers,
            forward_done: 0,
            backward_done: 0,
            last_tick: None,
        })
    }

    /// Steps in a whole run: one per node forward, one per node that gets a gradient backward.
    pub fn total_steps(&self) -> usize {
        self.nodes.len() + self.backward_order.len()
    }

    fn steps_done(&self) -> usize {
        self.forward_done + self.backward_done
    }

    /// The node of the latest step, and whether it was a backward one.
    fn current(&self) -> Option<(usize, bool)> {
        if self.backward_done > 0 {
            Some((self.backward_order[self.backward_done - 1], true))
        } else if self.forward_done > 0 {
            Some((self.forward_done - 1, false))
        } else {
            None
        }
    }

    /// Gradients as far as backward has got: final for visited nodes, partial sums for nodes
    /// that have received some of their contributions, `None` for the rest.
    fn partial_grads(&self) -> Vec<Option<f32>> {
        let mut g: Vec<Option<f32>> = vec![None; self.nodes.len()];
        for &i in &self.backward_order[..self.backward_done] {
            g[i] = self.nodes[i].grad;
            for &(input, _, c) in &self.nodes[i].passes {
                // Inputs come later in backward order, so their entry is still a running sum.
                g[input] = Some(g[input].unwrap_or(0.0) + c);
            }
        }
        g
    }

    fn max_rel_error(&self) -> f64 {
        self.checks.iter().map(|c| c.rel_error).fold(0.0, |m, e| {
            if e.is_nan() {
                f64::INFINITY
            } else {
                m.max(e)
            }
        })
    }

    fn name(&self, i: usize) -> String {
        self.nodes[i]
            .label
            .split_whitespace()
            .next()
            .unwrap_or("?")
            .to_string()
    }

    /// One line describing the latest step, with the numbers it used.
    fn step_text(&self) -> String {
        let Some((i, backward)) = self.current() else {
            return format!(
                "Press Step: {} forward steps, then {} backward.",
                self.nodes.len(),
                self.backward_order.len()
            );
        };
        let n = &self.nodes[i];
        if !backward {
            let args: Vec<String> = n.inputs.iter().map(|&j| num(self.nodes[j].value)).collect();
            let names: Vec<String> = n.inputs.iter().map(|&j| self.name(j)).collect();
            let op = op_word(&n.label);
            let what = match n.inputs.len() {
                0 if n.is_const => "a constant".to_string(),
                0 => "an input".to_string(),
                1 => format!("{op}({}) = {op}({})", names[0], args[0]),
                _ => format!(
                    "{} = {}",
                    names.join(&format!(" {op} ")),
                    args.join(&format!(" {op} "))
                ),
            };
            return format!(
                "Forward {}/{}: {} = {} = {}",
                self.forward_done,
                self.nodes.len(),
                self.name(i),
                what,
                num(n.value)
            );
        }
        let upstream = n.grad.unwrap_or(f32::NAN);
        let mut text = format!(
            "Backward {}/{}: ∂f/∂{} = {}",
            self.backward_done,
            self.backward_order.len(),
            self.name(i),
            num(upstream)
        );
        if self.backward_done == 1 {
            text.push_str(" (the seed)");
        }
        if n.passes.is_empty() {
            text.push_str(if n.is_param {
                ": final gradient of an input"
            } else {
                ""
            });
        }
        for &(j, local, c) in &n.passes {
            text.push_str(&format!(
                "; to {}: {} × {} = {}",
                self.name(j),
                num(upstream),
                num(local),
                num(c)
            ));
        }
        text
    }

    fn draw_graph<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (w, h) = area.dim_in_pixel();
        let fs = viz::font_size(area).min(14);
        let top = fs as i32 * 3 + 8;
        area.draw(&Text::new(
            self.expr.formula(),
            (6, 4),
            ("sans-serif", fs).into_font().color(&viz::GREY),
        ))?;
        area.draw(&Text::new(
            self.step_text(),
            (6, 8 + fs as i32),
            ("sans-serif", fs).into_font().color(&viz::INK),
        ))?;
        // Column width and box size follow the deepest layer and the busiest column.
        let col_w = (w as f64 - 12.0) / self.layers.max(1) as f64;
        let rows = self
            .nodes
            .iter()
            .map(|n| n.row.ceil() as usize + 1)
            .max()
            .unwrap_or(1)
            .max(1);
        let usable_h = (h as i32 - top - 4).max(20) as f64;
        let row_h = usable_h / rows as f64;
        let box_w = (col_w * 0.84).min(110.0);
        let box_h = (row_h * 0.84).min(62.0);
        let small = ((box_h / 3.6).min(box_w / 6.2).round() as u32).clamp(8, 14);
        let centre = |n: &NodeView| {
            (
                6.0 + col_w * (n.layer as f64 + 0.5),
                top as f64 + row_h * (n.row + 0.5),
            )
        };
        let grads = self.partial_grads();
        let current = self.current();
        let final_grad = |i: usize| self.backward_order[..self.backward_done].contains(&i);
        // Edges first, under the boxes.
        for (i, n) in self.nodes.iter().enumerate() {
            let (cx, cy) = centre(n);
            for (p, &j) in n.inputs.iter().enumerate() {
                let (px, py) = centre(&self.nodes[j]);
                // Two inputs arrive above and below the middle (so d·d shows two edges).
                let cy = if n.inputs.len() == 2 {
                    cy + (p as f64 - 0.5) * box_h * 0.4
                } else {
                    cy
                };
                let active = match current {
                    Some((k, false)) => k == i,
                    Some((k, true)) => k == i,
                    None => false,
                };
                let colour = if active {
                    if matches!(current, Some((_, true))) {
                        viz::RED
                    } else {
                        viz::BLUE
                    }
                } else {
                    RGBColor(170, 170, 170)
                };
                let (x0, y0) = ((px + box_w / 2.0) as i32, py as i32);
                let (x1, y1) = ((cx - box_w / 2.0) as i32, cy as i32);
                area.draw(&PathElement::new(
                    vec![(x0, y0), (x1, y1)],
                    colour.stroke_width(if active { 3 } else { 1 }),
                ))?;
                // Arrow head at the consumer's side.
                let (dx, dy) = ((x1 - x0) as f64, (y1 - y0) as f64);
                let len = (dx * dx + dy * dy).sqrt().max(1.0);
                let (ux, uy) = (dx / len, dy / len);
                let s = 7.0;
                let head = vec![
                    (x1, y1),
                    (
                        (x1 as f64 - s * ux + 0.5 * s * uy) as i32,
                        (y1 as f64 - s * uy - 0.5 * s * ux) as i32,
                    ),
                    (
                        (x1 as f64 - s * ux - 0.5 * s * uy) as i32,
                        (y1 as f64 - s * uy + 0.5 * s * ux) as i32,
                    ),
                ];
                area.draw(&Polygon::new(head, colour.filled()))?;
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            let (cx, cy) = centre(n);
            let (x0, y0) = ((cx - box_w / 2.0) as i32, (cy - box_h / 2.0) as i32);
            let (x1, y1) = ((cx + box_w / 2.0) as i32, (cy + box_h / 2.0) as i32);
            let fill = if n.is_param {
                RGBColor(214, 232, 246)
            } else if n.is_const {
                RGBColor(236, 236, 236)
            } else {
                WHITE
            };
            area.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()))?;
            let is_current = current.map(|c| c.0) == Some(i);
            let border = if is_current {
                viz::ORANGE.stroke_width(3)
            } else {
                viz::GREY.stroke_width(1)
            };
            area.draw(&Rectangle::new([(x0, y0), (x1, y1)], border))?;
            let line = |k: f64| (cx as i32, (cy - box_h / 2.0 + box_h * k / 6.0) as i32);
            let centred = |colour: &RGBColor| {
                ("sans-serif", small)
                    .into_font()
                    .color(colour)
                    .pos(Pos::new(HPos::Center, VPos::Center))
            };
            area.draw(&Text::new(n.label.clone(), line(1.0), centred(&viz::INK)))?;
            let value = if i < self.forward_done {
                num(n.value)
            } else {
                "·".to_string()
            };
            area.draw(&Text::new(value, line(3.0), centred(&viz::BLUE)))?;
            if let Some(g) = grads[i] {
                let (t, colour) = if final_grad(i) {
                    (format!("∂ {}", num(g)), viz::RED)
                } else {
                    (format!("∂ {}…", num(g)), viz::GREY)
                };
                area.draw(&Text::new(t, line(5.0), centred(&colour)))?;
            }
        }
        Ok(())
    }

    fn draw_table<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (w, h) = area.dim_in_pixel();
        let rows = self.checks.len() + 2;
        let fs = ((h as f64 / (rows as f64 + 0.5) * 0.62) as u32).clamp(9, 15);
        let row_h = (h as f64 / (rows as f64 + 0.5)).min(fs as f64 * 1.7);
        let cols = [0.02, 0.2, 0.38, 0.6, 0.82];
        let font = |colour: &RGBColor| ("sans-serif", fs).into_font().color(colour);
        let put = |s: String, col: usize, row: usize, colour: &RGBColor| {
            area.draw(&Text::new(
                s,
                (
                    (cols[col] * w as f64) as i32,
                    (row as f64 * row_h + 4.0) as i32,
                ),
                font(colour),
            ))
        };
        put(
            format!(
                "f = {}   gradients: autodiff vs central difference, h = {}",
                num(self.f),
                crate::demos::format_float(self.fd_step)
            ),
            0,
            0,
            &viz::INK,
        )?;
        for (c, head) in ["input", "value", "autodiff", "finite diff.", "rel. error"]
            .iter()
            .enumerate()
        {
            put(head.to_string(), c, 1, &viz::GREY)?;
        }
        let grads = self.partial_grads();
        for (r, check) in self.checks.iter().enumerate() {
            let row = r + 2;
            let node = self
                .nodes
                .iter()
                .position(|n| n.is_param && n.label == check.name);
            let reached = node.is_some_and(|i| {
                self.backward_order[..self.backward_done].contains(&i) && grads[i].is_some()
            });
            put(check.name.to_string(), 0, row, &viz::INK)?;
            put(num(check.value), 1, row, &viz::BLUE)?;
            let a = if reached {
                format!("{:.6}", check.autodiff)
            } else {
                "(not reached)".to_string()
            };
            put(a, 2, row, &viz::RED)?;
            put(format!("{:.6}", check.numerical), 3, row, &viz::INK)?;
            put(format!("{:.1e}", check.rel_error), 4, row, &viz::INK)?;
        }
        Ok(())
    }
}

/// The inputs of an op, in order (a `Mul(d, d)` lists `d` twice).
fn op_inputs(op: &Op) -> Vec<Var> {
    match op {
        Op::Leaf => vec![],
        Op::CrossEntropy { logits, .. } => vec![*logits],
        Op::Add(a, b) | Op::Sub(a, b) | Op::Mul(a, b) | Op::Div(a, b) | Op::MatMul(a, b) => {
            vec![*a, *b]
        }
        Op::Unary(a, _)
        | Op::Sum { x: a, .. }
        | Op::Mean { x: a, .. }
        | Op::Reshape(a)
        | Op::Transpose(a)
        | Op::Slice { x: a, .. }
        | Op::Softmax(a)
        | Op::LogSoftmax(a) => vec![*a],
        Op::Concat { xs, .. } => xs.clone(),
        Op::MseLoss { pred, target } => vec![*pred, *target],
    }
}

fn op_symbol(op: &Op) -> &'static str {
    match op {
        Op::Add(..) => "+",
        Op::Sub(..) => "−",
        Op::Mul(..) => "×",
        Op::Div(..) => "÷",
        Op::Unary(_, f) => match f {
            Unary::Exp => "exp",
            Unary::Log => "log",
            Unary::Tanh => "tanh",
            Unary::Sigmoid => "σ",
            Unary::Relu => "relu",
            Unary::Square => "sq",
            Unary::Neg => "neg",
            _ => "f",
        },
        _ => "op",
    }
}

/// The op part of a node label ("n5 ×" -> "×").
fn op_word(label: &str) -> &str {
    label.split_whitespace().nth(1).unwrap_or("?")
}

/// A value with four significant digits, compact.
fn num(v: f32) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e4).contains(&a) {
        format!("{v:.2e}")
    } else {
        let s = format!("{:.4}", viz::round_sig(v as f64, 4));
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" {
            "0".to_string()
        } else {
            s.to_string()
        }
    }
}

/// Places nodes in columns: an op one column right of its deepest input, a leaf just left of its
/// first consumer; rows ordered by the average row of neighbours, sweeping both ways. Returns the
/// number of columns.
fn lay_out(nodes: &mut [NodeView]) -> usize {
    let n = nodes.len();
    let mut layer = vec![0usize; n];
    for i in 0..n {
        layer[i] = nodes[i]
            .inputs
            .iter()
            .map(|&j| layer[j] + 1)
            .max()
            .unwrap_or(0);
    }
    let mut consumers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, node) in nodes.iter().enumerate() {
        for &j in &node.inputs {
            if !consumers[j].contains(&i) {
                consumers[j].push(i);
            }
        }
    }
    for i in 0..n {
        if nodes[i].inputs.is_empty() {
            if let Some(l) = consumers[i].iter().map(|&c| layer[c]).min() {
                layer[i] = l.saturating_sub(1);
            }
        }
    }
    let columns = layer.iter().max().map_or(1, |m| m + 1);
    // Initial order: tape order within each column.
    let mut pos = vec![0.0f64; n];
    let mut by_col: Vec<Vec<usize>> = vec![Vec::new(); columns];
    for (i, &l) in layer.iter().enumerate() {
        by_col[l].push(i);
    }
    let place = |by_col: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
        for col in by_col {
            for (r, &i) in col.iter().enumerate() {
                pos[i] = (r as f64 + 0.5) / col.len() as f64;
            }
        }
    };
    place(&by_col, &mut pos);
    for _ in 0..3 {
        for col in by_col.iter_mut() {
            let key = |i: usize, pos: &[f64]| {
                let nb: Vec<f64> = nodes[i]
                    .inputs
                    .iter()
                    .chain(&consumers[i])
                    .map(|&j| pos[j])
                    .collect();
                if nb.is_empty() {
                    pos[i]
                } else {
                    nb.iter().sum::<f64>() / nb.len() as f64
                }
            };
            let mut keyed: Vec<(f64, usize)> = col.iter().map(|&i| (key(i, &pos), i)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            *col = keyed.into_iter().map(|k| k.1).collect();
        }
        place(&by_col, &mut pos);
    }
    // Rows: columns with fewer nodes are spread over the tallest column's rows.
    let tallest = by_col.iter().map(Vec::len).max().unwrap_or(1).max(1);
    for (c, col) in by_col.iter().enumerate() {
        for &i in col {
            nodes[i].layer = c;
            nodes[i].row = pos[i] * tallest as f64 - 0.5;
        }
    }
    columns
}

impl Demo for AutodiffGraphDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One node: forward in tape order, then backward from the output down.
    fn tick(&mut self) -> Progress {
        if self.forward_done < self.nodes.len() {
            self.forward_done += 1;
        } else if self.backward_done < self.backward_order.len() {
            self.backward_done += 1;
        }
        if self.steps_done() == self.total_steps() {
            Progress::Done
        } else {
            Progress::Running
        }
    }

    /// While playing, one node every [`PACE`] so each step can be read.
    fn step(&mut self, _budget: Duration) -> Progress {
        let due = self.last_tick.is_none_or(|t| t.elapsed() >= PACE);
        if !due {
            return if self.steps_done() == self.total_steps() {
                Progress::Done
            } else {
                Progress::Running
            };
        }
        self.last_tick = Some(Instant::now());
        self.tick()
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let (_, h) = area.dim_in_pixel();
        let table_rows = self.checks.len() as f64 + 2.5;
        let table_h = (table_rows * 24.0).min(h as f64 * 0.45) as u32;
        let (graph, table) = area.split_vertically(h - table_h);
        self.draw_graph(&graph)?;
        self.draw_table(&table)
    }

    fn metrics(&self) -> Vec<Metric> {
        let mut m = vec![
            Metric::new("f", "f", self.f as f64),
            Metric::new("step", "Steps taken", self.steps_done() as f64),
            Metric::new("nodes", "Nodes on the tape", self.nodes.len() as f64),
            Metric::new(
                "backward_nodes",
                "Nodes backward visits",
                self.backward_order.len() as f64,
            ),
        ];
        for c in &self.checks {
            if let Some(&(name, value_key, grad_key, grad_label)) =
                PARAM_METRICS.iter().find(|p| p.0 == c.name)
            {
                m.push(Metric::new(value_key, name, c.value as f64));
                m.push(Metric::new(grad_key, grad_label, c.autodiff as f64));
            }
        }
        m.push(Metric::new(
            "max_rel_error",
            "Max relative error vs finite differences",
            self.max_rel_error(),
        ));
        m
    }

    fn height_for_width(&self, width: u32) -> u32 {
        if width >= 720 {
            (width as f64 * 0.78) as u32
        } else {
            (width as f64 * 1.5) as u32
        }
    }
}
