//! Chapter 12: a small expression recorded on the real autodiff [`Tape`](crate::autodiff::Tape),
//! drawn as its computation graph and stepped through one node at a time: forward in tape order,
//! then backward in reverse order, each backward step showing the chain-rule product (upstream
//! gradient times local derivative) that the tape's own gradient rules give. A table compares
//! every input's gradient with a central finite difference of the forward pass. `expr.rs` records
//! the menu's expressions; `draw.rs` lays out and draws the graph and the table.

mod draw;
mod expr;

use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::autodiff::Var;
use crate::error::Result;
use crate::estimator::Progress;
use crate::rng::Rng;
use crate::tensor::Tensor;
use draw::{lay_out, num, op_inputs, op_symbol, op_word};
use expr::{record, scalar, Data, Expr, PARAM_METRICS};
use plotters::coord::Shift;
use plotters::prelude::*;
use web_time::{Duration, Instant};

/// While playing, one node per this long: slow enough to read the step.
const PACE: Duration = Duration::from_millis(450);

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
