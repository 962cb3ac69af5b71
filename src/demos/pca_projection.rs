//! Chapter 8: PCA on a 3-D cloud that lies near a tilted plane. The principal axes are found by the
//! power method, one multiplication by the covariance matrix per tick (deflating after each axis),
//! and checked against the SVD that `Pca` fits; then every point is dropped onto the subspace.
//! Panels: the cloud in 3-D with the axes found so far and the projection plane, the projected
//! coordinates, and the power method's angle to the SVD axis per iteration.

use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::decomposition::Pca;
use crate::error::Result;
use crate::estimator::Progress;
use crate::rng::Rng;
use crate::viz;
use ndarray::{Array1, Array2, Axis};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The power method stops on an axis once its direction moves less than this (radians) per step.
const ANGLE_TOL: f64 = 1e-7;
/// ... or after this many multiplications.
const MAX_POWER_STEPS: usize = 200;
const AXIS_COLOURS: [RGBColor; 3] = [viz::RED, viz::PURPLE, viz::GREEN];

pub struct PcaProjectionDemo {
    x: Array2<f64>,
    /// The reference fit (full SVD): the axes the power method should find.
    pca: Pca,
    n_components: usize,
    /// The covariance with the axes found so far removed (deflation).
    cov: Array2<f64>,
    /// The current estimate of the next axis.
    v: Array1<f64>,
    found: Vec<Array1<f64>>,
    /// Angle (degrees) between the estimate and the SVD axis, per power step, per axis.
    angles: Vec<Vec<f64>>,
    yaw: f64,
    pitch: f64,
    progress: Progress,
}

impl PcaProjectionDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "pca-projection",
        title: "PCA: finding the principal axes and projecting onto them",
        chapter: "08-dimensionality-reduction",
        upload: None,
        params: &[
            ParamSpec {
                key: "n_components",
                label: "Components kept",
                help: "How many principal axes to find and project onto (1 = a line, 2 = a plane).",
                kind: ParamKind::Int {
                    min: 1,
                    max: 3,
                    default: 2,
                },
            },
            ParamSpec {
                key: "samples",
                label: "Samples",
                help: "Number of generated points.",
                kind: ParamKind::Int {
                    min: 20,
                    max: 2000,
                    default: 300,
                },
            },
            ParamSpec {
                key: "stretch",
                label: "Stretch",
                help: "How much longer the cloud is along its first axis than along its second.",
                kind: ParamKind::Float {
                    min: 1.0,
                    max: 6.0,
                    default: 2.0,
                    log: false,
                },
            },
            ParamSpec {
                key: "thickness",
                label: "Thickness",
                help: "Spread of the points off the plane (the third axis).",
                kind: ParamKind::Float {
                    min: 0.02,
                    max: 2.0,
                    default: 0.3,
                    log: true,
                },
            },
            ParamSpec {
                key: "yaw",
                label: "View: turn",
                help: "Turns the 3-D view around the vertical axis (degrees).",
                kind: ParamKind::Int {
                    min: 0,
                    max: 360,
                    default: 40,
                },
            },
            ParamSpec {
                key: "pitch",
                label: "View: tilt",
                help: "How far above the floor the 3-D view looks from (degrees).",
                kind: ParamKind::Int {
                    min: -80,
                    max: 80,
                    default: 25,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let n = params.usize("samples");
        let spreads = [params.f64("stretch"), 1.0, params.f64("thickness")];
        // Points with independent spreads along three axes, then turned by a fixed rotation so that
        // no principal axis lines up with a coordinate axis.
        let local = Array2::from_shape_fn((n, 3), |(_, j)| spreads[j] * rng.normal());
        let x = local.dot(&rotation(0.6, -0.5, 0.35)) + &Array1::from(vec![1.0, 0.5, -0.5]);
        let n_components = params.usize("n_components");
        let pca = Pca::params().n_components(n_components).fit_x(x.view())?;
        let centred = &x - &pca.mean;
        let cov = centred.t().dot(&centred) / (n.max(2) - 1) as f64;
        let v = unit(Array1::from_shape_fn(3, |_| rng.normal()));
        Ok(PcaProjectionDemo {
            x,
            pca,
            n_components,
            cov,
            v,
            found: Vec::new(),
            angles: vec![Vec::new()],
            yaw: params.f64("yaw"),
            pitch: params.f64("pitch"),
            progress: Progress::Running,
        })
    }

    /// Angle in degrees between the estimate and the SVD's axis (axes have no sign).
    fn angle_to_svd(&self, axis: usize, v: &Array1<f64>) -> f64 {
        let cos = self.pca.components.row(axis).dot(v).abs().min(1.0);
        cos.acos().to_degrees()
    }

    /// The axes to draw: those found, then the current estimate while it is still moving.
    fn axes(&self) -> impl Iterator<Item = (usize, &Array1<f64>, bool)> {
        let running = (self.progress == Progress::Running).then_some(&self.v);
        self.found
            .iter()
            .enumerate()
            .map(|(i, a)| (i, a, true))
            .chain(running.map(|v| (self.found.len(), v, false)))
    }

    /// Each point moved onto the subspace of the axes found so far (the mean when none).
    fn projected(&self) -> Array2<f64> {
        let centred = &self.x - &self.pca.mean;
        let mut out = Array2::zeros(self.x.dim());
        for a in &self.found {
            let scores = centred.dot(a);
            for (mut row, s) in out.rows_mut().into_iter().zip(scores.iter()) {
                row.scaled_add(*s, a);
            }
        }
        out + &self.pca.mean
    }

    fn draw_space<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let half = self
            .x
            .iter()
            .zip(self.pca.mean.iter().cycle())
            .map(|(v, m)| (v - m).abs())
            .fold(0.0_f64, f64::max)
            * 1.05;
        let m = &self.pca.mean;
        let range = |j: usize| (m[j] - half)..(m[j] + half);
        // Plotters' second axis is vertical: draw (x1, x3, x2) so x3 points up.
        let at = |p: ndarray::ArrayView1<f64>| (p[0], p[2], p[1]);
        let title = if self.progress == Progress::Done {
            "The points dropped onto the subspace"
        } else {
            "The cloud and the axes found so far"
        };
        let mut chart = viz::chart_3d(
            area,
            title,
            [range(0), range(2), range(1)],
            self.yaw,
            self.pitch,
        )?;
        let done = self.progress == Progress::Done;
        if done && self.n_components == 2 {
            // The plane through the mean spanned by the two axes, as a translucent square.
            let (a, b) = (&self.found[0], &self.found[1]);
            let r = half * 0.9;
            let corners: Vec<(f64, f64, f64)> =
                [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
                    .iter()
                    .map(|&(p, q)| {
                        let c = m + &(a * (p * r)) + &(b * (q * r));
                        at(c.view())
                    })
                    .collect();
            chart.draw_series(std::iter::once(Polygon::new(
                corners,
                viz::GREEN.mix(0.12).filled(),
            )))?;
        }
        if done && self.n_components < 3 {
            let projected = self.projected();
            chart.draw_series(
                self.x
                    .rows()
                    .into_iter()
                    .zip(projected.rows())
                    .map(|(p, q)| PathElement::new(vec![at(p), at(q)], viz::GREY.mix(0.35))),
            )?;
            chart.draw_series(
                projected
                    .rows()
                    .into_iter()
                    .map(|q| Circle::new(at(q), 2, viz::INK.filled())),
            )?;
        }
        chart.draw_series(
            self.x
                .rows()
                .into_iter()
                .map(|p| Circle::new(at(p), 2, viz::BLUE.mix(0.7).filled())),
        )?;
        for (i, axis, settled) in self.axes() {
            let sd = self
                .pca
                .explained_variance
                .get(i)
                .copied()
                .unwrap_or(1.0)
                .sqrt();
            let tip = m + &(axis * (2.0 * sd));
            let tail = m - &(axis * (2.0 * sd));
            let colour = AXIS_COLOURS[i % 3];
            let style = if settled {
                colour.stroke_width(3)
            } else {
                viz::INK.stroke_width(2)
            };
            chart.draw_series(std::iter::once(PathElement::new(
                vec![at(tail.view()), at(tip.view())],
                style,
            )))?;
        }
        Ok(())
    }

    fn draw_scores<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        if self.progress != Progress::Done {
            return viz::centered_text(area, "The projection appears once the axes are found");
        }
        let z = self.pca.transform(self.x.view())?;
        let z1 = z.column(0);
        let (lo, hi) = viz::extent(z1.iter().copied());
        if self.n_components == 1 {
            let mut chart = viz::chart(
                area,
                "Coordinates along the first axis",
                viz::padded(lo, hi, 0.05),
                -1.0..1.0,
                "z1",
                "",
            )?;
            chart.draw_series(
                z1.iter()
                    .map(|&v| Circle::new((v, 0.0), 3, viz::INK.mix(0.6).filled())),
            )?;
            return Ok(());
        }
        let z2 = z.column(1);
        // The same scale on both axes, so the picture is the plane seen from straight above.
        let (lo2, hi2) = viz::extent(z2.iter().copied());
        let half = (hi - lo).max(hi2 - lo2) / 2.0 * 1.08;
        let (c1, c2) = ((lo + hi) / 2.0, (lo2 + hi2) / 2.0);
        let mut chart = viz::chart(
            area,
            "Coordinates in the plane of the first two axes",
            (c1 - half)..(c1 + half),
            (c2 - half)..(c2 + half),
            "z1",
            "z2",
        )?;
        chart.draw_series(
            z1.iter()
                .zip(z2.iter())
                .map(|(&a, &b)| Circle::new((a, b), 3, viz::INK.mix(0.6).filled())),
        )?;
        Ok(())
    }

    fn draw_convergence<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let longest = self.angles.iter().map(Vec::len).max().unwrap_or(0).max(5);
        let mut chart = viz::chart_log_y(
            area,
            "Power method: angle to the SVD's axis",
            0.0..longest as f64,
            1e-6..100.0,
            "multiplications by the covariance",
            "degrees",
        )?;
        for (i, series) in self.angles.iter().enumerate() {
            let pts: Vec<(f64, f64)> = series
                .iter()
                .enumerate()
                .map(|(k, &a)| ((k + 1) as f64, a.max(1e-6)))
                .collect();
            if pts.is_empty() {
                continue;
            }
            let colour = AXIS_COLOURS[i % 3];
            chart
                .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)))?
                .label(format!("axis {}", i + 1))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }
}

/// A rotation matrix from three angles (radians) about the z, y and x axes.
fn rotation(a: f64, b: f64, c: f64) -> Array2<f64> {
    let rz = ndarray::arr2(&[
        [a.cos(), -a.sin(), 0.0],
        [a.sin(), a.cos(), 0.0],
        [0.0, 0.0, 1.0],
    ]);
    let ry = ndarray::arr2(&[
        [b.cos(), 0.0, b.sin()],
        [0.0, 1.0, 0.0],
        [-b.sin(), 0.0, b.cos()],
    ]);
    let rx = ndarray::arr2(&[
        [1.0, 0.0, 0.0],
        [0.0, c.cos(), -c.sin()],
        [0.0, c.sin(), c.cos()],
    ]);
    rz.dot(&ry).dot(&rx)
}

fn unit(v: Array1<f64>) -> Array1<f64> {
    let norm = v.dot(&v).sqrt();
    if norm > 0.0 {
        v / norm
    } else {
        Array1::from(vec![1.0, 0.0, 0.0])
    }
}

impl Demo for PcaProjectionDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One power-method step: v <- C v / |C v|. When v stops turning, the axis is kept, its
    /// variance is removed from C (deflation) and the next axis starts from a fresh direction.
    fn tick(&mut self) -> Progress {
        if self.progress != Progress::Running {
            return self.progress;
        }
        let axis = self.found.len();
        let next = unit(self.cov.dot(&self.v));
        let turn = next.dot(&self.v).abs().min(1.0).acos();
        self.v = next;
        let angle = self.angle_to_svd(axis, &self.v);
        self.angles[axis].push(angle);
        if turn < ANGLE_TOL || self.angles[axis].len() >= MAX_POWER_STEPS {
            let lambda = self.v.dot(&self.cov.dot(&self.v));
            let vv = self
                .v
                .view()
                .insert_axis(Axis(1))
                .dot(&self.v.view().insert_axis(Axis(0)));
            self.cov = &self.cov - &(vv * lambda);
            self.found.push(self.v.clone());
            if self.found.len() == self.n_components {
                self.progress = Progress::Done;
            } else {
                // A start orthogonal to the axes found, so rounding cannot bring the old axis back.
                let mut start = Array1::from(vec![0.3, -0.7, 0.65]);
                for a in &self.found {
                    let d = start.dot(a);
                    start.scaled_add(-d, a);
                }
                self.v = unit(start);
                self.angles.push(Vec::new());
            }
        }
        self.progress
    }

    fn ticks_per_frame(&self) -> usize {
        1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_space(&panels[0])?;
        self.draw_scores(&panels[1])?;
        self.draw_convergence(&panels[2])?;
        Ok(())
    }

    fn metrics(&self) -> Vec<Metric> {
        let ratio = &self.pca.explained_variance_ratio;
        let kept: f64 = ratio.iter().sum();
        let last_angle = self
            .angles
            .last()
            .and_then(|a| a.last())
            .copied()
            .unwrap_or(f64::NAN);
        let mut out = vec![
            Metric::new("axes_found", "Axes found", self.found.len() as f64),
            Metric::new("angle", "Angle to the SVD axis (degrees)", last_angle),
            Metric::new(
                "power_steps",
                "Power steps so far",
                self.angles.iter().map(Vec::len).sum::<usize>() as f64,
            ),
        ];
        for (i, key) in ["evr1", "evr2", "evr3"]
            .iter()
            .enumerate()
            .take(ratio.len())
        {
            let label = [
                "Variance on axis 1",
                "Variance on axis 2",
                "Variance on axis 3",
            ][i];
            out.push(Metric::new(key, label, ratio[i]));
        }
        out.push(Metric::new("variance_kept", "Variance kept", kept));
        // Only the final subspace's distances are reported, so nothing is projected before then.
        let mse = if self.progress == Progress::Done {
            (&self.x - &self.projected())
                .mapv(|v| v * v)
                .sum_axis(Axis(1))
                .mean()
                .unwrap_or(f64::NAN)
        } else {
            f64::NAN
        };
        out.push(Metric::new(
            "reconstruction_error",
            "Mean squared distance to the subspace",
            mse,
        ));
        out
    }

    fn status(&self) -> Option<String> {
        (self.progress == Progress::Done).then(|| {
            format!(
                "Found {} {} with {} power steps; they match the SVD's to {:.1e} degrees.",
                self.found.len(),
                if self.found.len() == 1 {
                    "axis"
                } else {
                    "axes"
                },
                self.angles.iter().map(Vec::len).sum::<usize>(),
                self.angles
                    .iter()
                    .filter_map(|a| a.last())
                    .fold(0.0_f64, |m, &v| m.max(v))
            )
        })
    }
}
