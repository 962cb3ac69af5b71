//! The playground's data sets, in the spirit of TensorFlow Playground: points in the square
//! [-6, 6]², classification sets labelled 0 / 1 (or 0 to 3 for the multiclass sets), regression
//! sets with targets in [-1, 1]; and the reader's CSV (two to seven classes) mapped into the same
//! square.

use crate::data::upload::Upload;
use crate::error::Result;
use crate::rng::Rng;

/// Half the side of the square the points live in.
pub const EXTENT: f64 = 6.0;

/// Points and their targets: class indices 0, 1, ... or real values.
pub struct Points {
    pub xy: Vec<[f64; 2]>,
    pub target: Vec<f64>,
    /// How many classes the targets index; `None` for a regression set.
    pub classes: Option<usize>,
}

/// The data set `name` with `n` points; `noise` in [0, 0.5] blurs the classes (or targets).
pub fn generate(name: &str, n: usize, noise: f64, rng: &mut Rng) -> Points {
    let mut xy = Vec::with_capacity(n);
    let mut target = Vec::with_capacity(n);
    let mut classes = Some(2);
    match name {
        "xor" => {
            for _ in 0..n {
                // Keep points off the axes so the four quadrants are visibly apart.
                let pad = |v: f64| if v > 0.0 { v + 0.3 } else { v - 0.3 };
                let (x, y) = (
                    pad(rng.uniform_range(-5.0, 5.0)),
                    pad(rng.uniform_range(-5.0, 5.0)),
                );
                let label = f64::from(x * y >= 0.0);
                let (nx, ny) = jitter(noise, 5.0, rng);
                xy.push([x + nx, y + ny]);
                target.push(label);
            }
        }
        "gaussians" => {
            // Spread grows with the noise until the two clouds overlap.
            let std = 0.7 + 3.0 * noise;
            for i in 0..n {
                let label = (i % 2) as f64;
                let c = if label > 0.5 { 2.0 } else { -2.0 };
                xy.push([c + std * rng.normal(), c + std * rng.normal()]);
                target.push(label);
            }
        }
        "spiral" => {
            let half = n.div_ceil(2);
            for i in 0..n {
                let (k, label) = (i % half, (i / half) as f64);
                let delta = if label > 0.5 {
                    std::f64::consts::PI
                } else {
                    0.0
                };
                let r = k as f64 / half as f64 * 5.0;
                let t = 1.75 * k as f64 / half as f64 * 2.0 * std::f64::consts::PI + delta;
                let (nx, ny) = jitter(noise, 1.0, rng);
                xy.push([r * t.sin() + nx, r * t.cos() + ny]);
                target.push(label);
            }
        }
        "spiral-3" => {
            // Three arms a third of a turn apart, each a class.
            let third = n.div_ceil(3);
            for i in 0..n {
                let (k, label) = (i % third, i / third);
                let r = k as f64 / third as f64 * 5.0 + 0.3;
                let t = 1.25 * k as f64 / third as f64 * 2.0 * std::f64::consts::PI
                    + label as f64 * 2.0 * std::f64::consts::PI / 3.0;
                let (nx, ny) = jitter(noise, 1.0, rng);
                xy.push([r * t.sin() + nx, r * t.cos() + ny]);
                target.push(label as f64);
            }
            classes = Some(3);
        }
        "blobs-4" => {
            // One cloud per quadrant; they overlap as the noise grows.
            let std = 0.7 + 3.0 * noise;
            for i in 0..n {
                let label = i % 4;
                let (cx, cy) = ([-2.5, 2.5, 2.5, -2.5][label], [2.5, 2.5, -2.5, -2.5][label]);
                xy.push([cx + std * rng.normal(), cy + std * rng.normal()]);
                target.push(label as f64);
            }
            classes = Some(4);
        }
        "plane" | "multi-gaussian" => {
            classes = None;
            for _ in 0..n {
                let (x, y) = (
                    rng.uniform_range(-EXTENT, EXTENT),
                    rng.uniform_range(-EXTENT, EXTENT),
                );
                let (nx, ny) = jitter(noise, EXTENT, rng);
                xy.push([x + nx, y + ny]);
                target.push(regression_target(name, x, y));
            }
        }
        // "circle": an inner disc (class 1) inside a ring (class 0).
        _ => {
            let radius = 5.0;
            for i in 0..n {
                let inner = i % 2 == 0;
                let r = if inner {
                    rng.uniform_range(0.0, 0.5 * radius)
                } else {
                    rng.uniform_range(0.7 * radius, radius)
                };
                let angle = rng.uniform_range(0.0, 2.0 * std::f64::consts::PI);
                let (nx, ny) = jitter(noise, radius, rng);
                xy.push([r * angle.sin() + nx, r * angle.cos() + ny]);
                target.push(f64::from(inner));
            }
        }
    }
    Points {
        xy,
        target,
        classes,
    }
}

/// Half the side of the square an uploaded file's columns are mapped onto: the span of the
/// generated sets, so the inputs and the plot look as they do for them.
pub const UPLOAD_SPAN: f64 = 5.0;

/// The reader's file as playground points: each column mapped linearly from its smallest to its
/// largest value onto [-UPLOAD_SPAN, UPLOAD_SPAN] (whatever its units, the network then sees
/// inputs of the usual size), each point labelled with the index of its class among the sorted
/// labels; with the names of the classes in that order.
pub fn from_upload(upload: &Upload) -> Result<(Points, Vec<String>)> {
    let data = upload.dataset()?;
    let classes = crate::metrics::unique_labels([data.y.view()]);
    let names = upload.class_names();
    let map = |j: usize| {
        let (lo, hi) = data
            .x
            .column(j)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        // A constant column sits in the middle.
        let scale = if hi > lo {
            2.0 * UPLOAD_SPAN / (hi - lo)
        } else {
            0.0
        };
        move |v: f64| {
            if hi > lo {
                (v - lo) * scale - UPLOAD_SPAN
            } else {
                0.0
            }
        }
    };
    let (fx, fy) = (map(0), map(1));
    let index = |label: f64| classes.iter().position(|&c| c == label).unwrap_or(0) as f64;
    let points = Points {
        xy: data
            .x
            .rows()
            .into_iter()
            .map(|r| [fx(r[0]), fy(r[1])])
            .collect(),
        target: data.y.iter().map(|&v| index(v)).collect(),
        classes: Some(classes.len()),
    };
    Ok((points, classes.iter().map(|&c| names.name(c)).collect()))
}

/// The noise-free target of a regression set at (x, y), in [-1, 1].
fn regression_target(name: &str, x: f64, y: f64) -> f64 {
    if name == "plane" {
        return ((x + y) / (2.0 * EXTENT)).clamp(-1.0, 1.0);
    }
    // Six bumps of alternating sign.
    const BUMPS: [(f64, f64, f64); 6] = [
        (-4.0, 2.5, 1.0),
        (0.0, 2.5, -1.0),
        (4.0, 2.5, 1.0),
        (-4.0, -2.5, -1.0),
        (0.0, -2.5, 1.0),
        (4.0, -2.5, -1.0),
    ];
    BUMPS
        .iter()
        .map(|&(cx, cy, sign)| sign * (-((x - cx).powi(2) + (y - cy).powi(2)) / 3.0).exp())
        .sum::<f64>()
        .clamp(-1.0, 1.0)
}

/// A uniform shift of at most `noise * scale` on each coordinate.
fn jitter(noise: f64, scale: f64, rng: &mut Rng) -> (f64, f64) {
    (
        rng.uniform_range(-scale, scale) * noise,
        rng.uniform_range(-scale, scale) * noise,
    )
}

/// The input features a reader can switch on, in the order the network sees them.
pub const FEATURES: [(&str, &str); 7] = [
    ("x1", "x1"),
    ("x2", "x2"),
    ("x1_squared", "x1²"),
    ("x2_squared", "x2²"),
    ("x1_x2", "x1·x2"),
    ("sin_x1", "sin x1"),
    ("sin_x2", "sin x2"),
];

/// The value of feature `index` (of [`FEATURES`]) at (x, y). Coordinates are divided by 3 so
/// the inputs stay near [-2, 2]; the sines use the raw coordinates (two periods across the plot).
pub fn feature(index: usize, x: f64, y: f64) -> f64 {
    let (u, v) = (x / 3.0, y / 3.0);
    match index {
        0 => u,
        1 => v,
        2 => u * u,
        3 => v * v,
        4 => u * v,
        5 => x.sin(),
        _ => y.sin(),
    }
}
