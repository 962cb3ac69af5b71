//! A fitted (or growing) decision tree drawn as a node-link diagram: leaves spread evenly left to
//! right, each split centred over its children, one row per depth. Boxes carry the split test and
//! the sample count while they have room; deep trees fall back to coloured dots.

use super::{font_size, GREY, INK, RED};
use crate::error::Result;
use crate::tree::{Node, Snapshot, Tree};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// How to colour and label the nodes of one tree.
pub struct TreeStyle<'a> {
    pub feature_names: &'a [String],
    /// The fill of a node (its majority class, or its predicted value on a colour map).
    pub fill: &'a dyn Fn(&Node) -> RGBColor,
    /// What a leaf predicts, e.g. `class 1` or `ŷ = 0.42`.
    pub describe: &'a dyn Fn(&Node) -> String,
    /// Per node: whether its split is still pending (drawn paler, with a grey outline).
    pub pending: &'a [bool],
    /// The node split by the latest step (outlined in red).
    pub highlight: Option<usize>,
}

/// Horizontal position (0..1) of every node: leaves evenly spaced in left-to-right order.
fn layout(tree: &Tree) -> Vec<f64> {
    let n_leaves = tree.n_leaves().max(1) as f64;
    let mut x = vec![0.0; tree.node_count()];
    let mut next_leaf = 0.0;
    // Post-order without recursion: a node is placed once both children are.
    let mut stack = vec![(0usize, false)];
    while let Some((id, children_done)) = stack.pop() {
        match tree.nodes[id].split {
            Some(s) if !children_done => {
                stack.push((id, true));
                stack.push((s.right, false));
                stack.push((s.left, false));
            }
            Some(s) => x[id] = (x[s.left] + x[s.right]) / 2.0,
            None => {
                x[id] = (next_leaf + 0.5) / n_leaves;
                next_leaf += 1.0;
            }
        }
    }
    x
}

/// Draws a tree still growing: the snapshot after `splits` splits, pending nodes paler and the
/// latest split outlined, titled with its size. Shared by the decision- and regression-tree demos.
pub fn draw_growing_tree<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    snapshot: &Snapshot,
    splits: usize,
    feature_names: &[String],
    fill: &dyn Fn(&Node) -> RGBColor,
    describe: &dyn Fn(&Node) -> String,
) -> Result<()> {
    let pending: Vec<bool> = snapshot.pending.iter().map(Option::is_some).collect();
    let title = format!("The tree: {splits} splits, depth {}", snapshot.tree.depth());
    let style = TreeStyle {
        feature_names,
        fill,
        describe,
        pending: &pending,
        highlight: snapshot.last_split,
    };
    draw_tree(area, &title, &snapshot.tree, &style)
}

/// Draws `tree` into `area` under `title`.
pub fn draw_tree<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    tree: &Tree,
    style: &TreeStyle,
) -> Result<()> {
    let fs = font_size(area);
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as f64, h as f64);
    let centre = |size: u32| {
        ("sans-serif", size)
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Center, VPos::Center))
    };
    area.draw(&Text::new(
        title.to_string(),
        ((w / 2.0) as i32, (fs as f64 * 0.9) as i32),
        centre(fs + 2),
    ))?;
    if tree.nodes.is_empty() {
        return Ok(());
    }
    let xs = layout(tree);
    let depth = tree.depth() as f64;
    let margin = fs as f64 * 0.6;
    let top = fs as f64 * 2.2;
    let n_leaves = tree.n_leaves().max(1) as f64;
    let row_gap = if depth > 0.0 {
        (h - top - margin) / (depth + 1.0)
    } else {
        h - top - margin
    };
    let small = (fs - 2).max(9);
    let box_h = (row_gap * 0.72).min(small as f64 * 2.8);
    let with_text = box_h >= small as f64 * 2.2;
    let px = |id: usize| margin + xs[id] * (w - 2.0 * margin);
    let py = |d: usize| top + d as f64 * row_gap + box_h / 2.0;
    // Edges first, so boxes sit on top of them.
    for (id, node) in tree.nodes.iter().enumerate() {
        if let Some(s) = node.split {
            for child in [s.left, s.right] {
                area.draw(&PathElement::new(
                    vec![
                        (px(id) as i32, py(node.depth) as i32),
                        (px(child) as i32, py(node.depth + 1) as i32),
                    ],
                    GREY.mix(0.8).stroke_width(1),
                ))?;
            }
        }
    }
    let leaf_span = (w - 2.0 * margin) / n_leaves;
    for (id, node) in tree.nodes.iter().enumerate() {
        let (cx, cy) = (px(id), py(node.depth));
        let pending = style.pending.get(id).copied().unwrap_or(false);
        // Pending nodes are paler: they are leaves for now, but the next steps will split them.
        let fill = (style.fill)(node).mix(if pending { 0.45 } else { 1.0 });
        let outline = if style.highlight == Some(id) {
            RED.stroke_width(3)
        } else if pending {
            GREY.stroke_width(1)
        } else {
            INK.mix(0.7).stroke_width(1)
        };
        let lines: Vec<String> = match node.split {
            Some(s) => vec![
                format!(
                    "{} ≤ {}",
                    style
                        .feature_names
                        .get(s.feature)
                        .map_or("?", String::as_str),
                    super::tick_label(super::round_sig(s.threshold, 3))
                ),
                format!("n = {}", node.samples),
            ],
            None => vec![(style.describe)(node), format!("n = {}", node.samples)],
        };
        // A split's box may use the width of the leaves below it; a leaf only its own slot. The
        // text shrinks to fit, down to a legible minimum, then the node becomes a dot.
        let chars = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64;
        let room = match node.split {
            Some(_) => leaf_span * 1.9,
            None => leaf_span * 0.96,
        };
        let size = (small as f64).min(((room - 6.0) / (chars * 0.56)).floor());
        if with_text && size >= 9.0 {
            let size = size as u32;
            let want = chars * size as f64 * 0.56 + 6.0;
            let (x0, x1) = (cx - want / 2.0, cx + want / 2.0);
            let (y0, y1) = (cy - box_h / 2.0, cy + box_h / 2.0);
            area.draw(&Rectangle::new(
                [(x0 as i32, y0 as i32), (x1 as i32, y1 as i32)],
                fill.filled(),
            ))?;
            area.draw(&Rectangle::new(
                [(x0 as i32, y0 as i32), (x1 as i32, y1 as i32)],
                outline,
            ))?;
            for (k, line) in lines.iter().enumerate() {
                let ly = cy + (k as f64 - 0.5) * size as f64 * 1.15;
                area.draw(&Text::new(
                    line.clone(),
                    (cx as i32, ly as i32),
                    centre(size),
                ))?;
            }
        } else {
            let r = (box_h / 2.0).min(leaf_span * 0.45).clamp(2.0, 9.0) as i32;
            area.draw(&Circle::new((cx as i32, cy as i32), r, fill.filled()))?;
            area.draw(&Circle::new((cx as i32, cy as i32), r, outline))?;
        }
    }
    Ok(())
}
