//! Drawing the graph (nodes in columns, edges, the current step) and the gradient table, and
//! the small helpers that name ops and lay the graph out.

use super::{AutodiffGraphDemo, NodeView};
use crate::autodiff::{Op, Var};
use crate::error::Result;
use crate::tensor::Unary;
use crate::viz;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

impl AutodiffGraphDemo {
    pub(super) fn draw_graph<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
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

    pub(super) fn draw_table<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
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
pub(super) fn op_inputs(op: &Op) -> Vec<Var> {
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

pub(super) fn op_symbol(op: &Op) -> &'static str {
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
pub(super) fn op_word(label: &str) -> &str {
    label.split_whitespace().nth(1).unwrap_or("?")
}

/// A value with four significant digits, compact.
pub(super) fn num(v: f32) -> String {
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
pub(super) fn lay_out(nodes: &mut [NodeView]) -> usize {
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
