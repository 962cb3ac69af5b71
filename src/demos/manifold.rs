//! Chapter 8: a swiss roll unrolled by locally linear embedding and by Isomap, beside the roll in
//! 3-D and its PCA projection for contrast. Points are coloured by their position along the roll,
//! so a good embedding shows the colours as a smooth gradient. The fits are spread over ticks:
//! neighbour search in chunks of rows, LLE's weights in chunks of points, the Cholesky
//! factorisation column by column, one inverse iteration per tick, shortest paths a few sources
//! per tick, one subspace iteration per tick.

use super::manifold_solvers::{LargestEigen, SmallestEigen};
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::{generators, Dataset};
use crate::decomposition::isomap::{check_connected, shortest_paths, symmetric_graph};
use crate::decomposition::locally_linear::{barycenter_weights, cost_matrix};
use crate::decomposition::neighbors::{nearest, Neighbours};
use crate::decomposition::PcaParams;
use crate::error::Result;
use crate::estimator::Progress;
use crate::rng::Rng;
use crate::viz;
use ndarray::{Array1, Array2, ArrayView1, Axis};
use plotters::coord::Shift;
use plotters::prelude::*;

const REG: f64 = 1e-3;
/// Rows per tick in the neighbour search, points per tick for weights, sources per tick for
/// shortest paths, multiply-adds per tick for the factorisation (each a few ms natively).
const KNN_ROWS: usize = 100;
const WEIGHT_ROWS: usize = 200;
const PATH_SOURCES: usize = 40;
const CHOLESKY_FLOPS: usize = 3_000_000;
const MAX_ITER: usize = 200;
const TOL: f64 = 1e-9;
/// Iterations to keep going once the eigenvalues have settled: eigenvectors converge only as the
/// square root of eigenvalues, and these polish them to the dense solver's accuracy.
const POLISH: usize = 5;

enum Stage {
    Neighbours,
    Weights,
    Factorise,
    LleIterate,
    Paths,
    IsomapIterate,
    Done,
    Failed(String),
}

pub struct ManifoldDemo {
    data: Dataset,
    k: usize,
    seed: u64,
    stage: Stage,
    knn: Vec<Neighbours>,
    weights: Vec<Vec<f64>>,
    lle: Option<SmallestEigen>,
    lle_embedding: Option<Array2<f64>>,
    dist: Vec<Vec<f64>>,
    graph: Vec<Neighbours>,
    isomap: Option<LargestEigen>,
    isomap_embedding: Option<Array2<f64>>,
    pca: Array2<f64>,
    /// Iterations since the current solver's eigenvalues settled.
    settled: usize,
}

impl ManifoldDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "manifold",
        title: "Unrolling a swiss roll: LLE and Isomap against PCA",
        chapter: "08-dimensionality-reduction",
        upload: None,
        params: &[
            ParamSpec {
                key: "points",
                label: "Points",
                help: "How many points are drawn on the roll.",
                kind: ParamKind::Int {
                    min: 200,
                    max: 1200,
                    default: 800,
                },
            },
            ParamSpec {
                key: "neighbors",
                label: "Neighbours",
                help: "How many nearest neighbours each point is connected to.",
                kind: ParamKind::Int {
                    min: 3,
                    max: 40,
                    default: 10,
                },
            },
            ParamSpec {
                key: "noise",
                label: "Noise",
                help: "Standard deviation of Gaussian noise added to each coordinate.",
                kind: ParamKind::Float {
                    min: 0.0,
                    max: 2.0,
                    default: 0.0,
                    log: false,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let n = params.usize("points");
        let data = generators::swiss_roll(n, params.f64("noise"), &mut Rng::new(seed));
        let k = params.usize("neighbors").min(n - 1);
        let pca = PcaParams::default()
            .n_components(2)
            .fit_x(data.x.view())?
            .transform(data.x.view())?;
        Ok(ManifoldDemo {
            data,
            k,
            seed,
            stage: Stage::Neighbours,
            knn: Vec::with_capacity(n),
            weights: Vec::with_capacity(n),
            lle: None,
            lle_embedding: None,
            dist: Vec::with_capacity(n),
            graph: vec![],
            isomap: None,
            isomap_embedding: None,
            pca,
            settled: 0,
        })
    }

    fn n(&self) -> usize {
        self.data.n_samples()
    }

    fn advance(&mut self) -> std::result::Result<(), String> {
        let n = self.n();
        let x = self.data.x.view();
        match self.stage {
            Stage::Neighbours => {
                let start = self.knn.len();
                for i in start..(start + KNN_ROWS).min(n) {
                    self.knn.push(nearest(x, x.row(i), self.k, Some(i)));
                }
                if self.knn.len() == n {
                    self.stage = Stage::Weights;
                }
            }
            Stage::Weights => {
                let start = self.weights.len();
                for i in start..(start + WEIGHT_ROWS).min(n) {
                    let w = barycenter_weights(x.row(i), x, &self.knn[i], REG)
                        .map_err(|e| e.to_string())?;
                    self.weights.push(w);
                }
                if self.weights.len() == n {
                    let m = cost_matrix(&self.knn, &self.weights);
                    self.lle = Some(SmallestEigen::new(m, 2, self.seed));
                    self.stage = Stage::Factorise;
                }
            }
            Stage::Factorise => {
                let s = self.lle.as_mut().ok_or("no LLE state")?;
                if !s.factorise(CHOLESKY_FLOPS) {
                    return Err("LLE's matrix could not be factorised".into());
                }
                if s.factorised() {
                    self.stage = Stage::LleIterate;
                }
            }
            Stage::LleIterate => {
                let s = self.lle.as_mut().ok_or("no LLE state")?;
                let change = s.iterate();
                self.settled += usize::from(change < TOL || self.settled > 0);
                if self.settled > POLISH || s.iterations >= MAX_ITER || change.is_nan() {
                    self.settled = 0;
                    // Unit-variance coordinates (the eigenvectors have unit length).
                    self.lle_embedding = Some(s.vectors() * (n as f64).sqrt());
                    self.graph = symmetric_graph(&self.knn);
                    self.stage = Stage::Paths;
                }
            }
            Stage::Paths => {
                let start = self.dist.len();
                for i in start..(start + PATH_SOURCES).min(n) {
                    let row = shortest_paths(&self.graph, i);
                    check_connected(&row, self.k).map_err(|e| e.to_string())?;
                    self.dist.push(row);
                }
                if self.dist.len() == n {
                    let kernel = centred_kernel(&self.dist);
                    self.isomap = Some(LargestEigen::new(kernel, 2, self.seed));
                    self.stage = Stage::IsomapIterate;
                }
            }
            Stage::IsomapIterate => {
                let s = self.isomap.as_mut().ok_or("no Isomap state")?;
                let change = s.iterate();
                self.settled += usize::from(change < TOL || self.settled > 0);
                if self.settled > POLISH || s.iterations >= MAX_ITER || change.is_nan() {
                    self.settled = 0;
                    self.isomap_embedding = Some(s.embedding());
                    self.stage = Stage::Done;
                }
            }
            Stage::Done | Stage::Failed(_) => {}
        }
        Ok(())
    }

    fn stage_text(&self) -> String {
        let n = self.n();
        match &self.stage {
            Stage::Neighbours => format!("finding neighbours ({}/{n})", self.knn.len()),
            Stage::Weights => format!("LLE weights ({}/{n})", self.weights.len()),
            Stage::Factorise => "LLE: factorising M".into(),
            Stage::LleIterate => format!(
                "LLE: inverse iteration {}",
                self.lle.as_ref().map_or(0, |s| s.iterations)
            ),
            Stage::Paths => format!("Isomap: shortest paths ({}/{n})", self.dist.len()),
            Stage::IsomapIterate => format!(
                "Isomap: subspace iteration {}",
                self.isomap.as_ref().map_or(0, |s| s.iterations)
            ),
            Stage::Done => "done".into(),
            Stage::Failed(e) => format!("failed: {e}"),
        }
    }

    /// The position along the roll, 0 to 1 (the colour of every panel).
    fn along(&self, i: usize) -> f64 {
        let t = self.data.y[i];
        (t - 1.5 * std::f64::consts::PI) / (3.0 * std::f64::consts::PI)
    }

    fn draw_points<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title: &str,
        points: Option<(ArrayView1<f64>, ArrayView1<f64>)>,
    ) -> Result<()> {
        let Some((a, b)) = points else {
            return viz::centered_text(area, &format!("{title}: {}", self.stage_text()));
        };
        let (x0, x1) = viz::extent(a.iter().copied());
        let (y0, y1) = viz::extent(b.iter().copied());
        let mut chart = viz::chart(
            area,
            title,
            viz::padded(x0, x1, 0.05),
            viz::padded(y0, y1, 0.05),
            "",
            "",
        )?;
        chart.draw_series(
            a.iter()
                .zip(b.iter())
                .enumerate()
                .map(|(i, (&u, &v))| Circle::new((u, v), 2, roll_colour(self.along(i)).filled())),
        )?;
        Ok(())
    }

    /// |correlation| of the embedding's best coordinate with the position along the roll.
    fn unrolled(&self, e: Option<&Array2<f64>>) -> f64 {
        let Some(e) = e else { return f64::NAN };
        let t = &self.data.y;
        let mt = t.mean().unwrap_or(0.0);
        e.columns()
            .into_iter()
            .map(|c| {
                let mc = c.mean().unwrap_or(0.0);
                let cov: f64 = c.iter().zip(t).map(|(a, b)| (a - mc) * (b - mt)).sum();
                (cov / (c.var(0.0).sqrt() * t.var(0.0).sqrt() * c.len() as f64)).abs()
            })
            .fold(0.0, f64::max)
    }
}

/// Double-centred `-D²/2`: the kernel whose top eigenvectors are Isomap's coordinates.
fn centred_kernel(dist: &[Vec<f64>]) -> Array2<f64> {
    let n = dist.len();
    let mut k = Array2::from_shape_fn((n, n), |(i, j)| -0.5 * dist[i][j] * dist[i][j]);
    let col = k.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(n));
    let all = col.mean().unwrap_or(0.0);
    k -= &col;
    k -= &col.insert_axis(Axis(1));
    k += all;
    k
}

/// Position along the roll as a colour: orange, through green, to blue.
fn roll_colour(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let (a, b, f) = if t < 0.5 {
        (viz::ORANGE, viz::GREEN, t * 2.0)
    } else {
        (viz::GREEN, viz::BLUE, t * 2.0 - 1.0)
    };
    let mix = |p: u8, q: u8| (p as f64 + f * (q as f64 - p as f64)).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Demo for ManifoldDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        match self.stage {
            Stage::Done => return Progress::Done,
            Stage::Failed(_) => return Progress::Diverged,
            _ => {}
        }
        if let Err(e) = self.advance() {
            self.stage = Stage::Failed(e);
            return Progress::Diverged;
        }
        match self.stage {
            Stage::Done => Progress::Done,
            _ => Progress::Running,
        }
    }

    fn autoplay(&self) -> bool {
        true
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let (w, h) = area.dim_in_pixel();
        let panels = if w as f64 >= h as f64 * 1.2 {
            area.split_evenly((1, 4))
        } else {
            area.split_evenly((2, 2))
        };
        // Oblique projection of the 3-D roll: x to the right, height receding up and right.
        let x = &self.data.x;
        let u = &x.column(0) + &(x.column(1).mapv(|v| 0.45 * v));
        let v = &x.column(2) + &(x.column(1).mapv(|v| 0.3 * v));
        self.draw_points(&panels[0], "Swiss roll (3-D)", Some((u.view(), v.view())))?;
        let cols = |e: &Array2<f64>| (e.column(0).to_owned(), e.column(1).to_owned());
        let pca = cols(&self.pca);
        self.draw_points(&panels[1], "PCA", Some((pca.0.view(), pca.1.view())))?;
        let lle = self.lle_embedding.as_ref().map(cols);
        self.draw_points(
            &panels[2],
            "LLE",
            lle.as_ref().map(|(a, b)| (a.view(), b.view())),
        )?;
        let iso = self.isomap_embedding.as_ref().map(cols);
        self.draw_points(
            &panels[3],
            "Isomap",
            iso.as_ref().map(|(a, b)| (a.view(), b.view())),
        )?;
        Ok(())
    }

    fn height_for_width(&self, width: u32) -> u32 {
        if width >= 720 {
            (width as f64 * 0.3) as u32
        } else {
            (width as f64 * 1.15) as u32
        }
    }

    fn metrics(&self) -> Vec<Metric> {
        let mean_nb = if self.knn.is_empty() {
            f64::NAN
        } else {
            let (s, c) = self
                .knn
                .iter()
                .flatten()
                .fold((0.0, 0), |(s, c), &(_, d)| (s + d, c + 1));
            s / c as f64
        };
        let lle_err = match (&self.lle, &self.lle_embedding) {
            (Some(s), Some(_)) => s.values.iter().take(2).sum(),
            _ => f64::NAN,
        };
        vec![
            Metric::text("stage", "Stage", self.stage_text()),
            Metric::new(
                "mean_neighbour_distance",
                "Mean neighbour distance",
                mean_nb,
            ),
            Metric::new(
                "pca_unrolled",
                "PCA: |corr| with roll position",
                self.unrolled(Some(&self.pca)),
            ),
            Metric::new(
                "lle_unrolled",
                "LLE: |corr| with roll position",
                self.unrolled(self.lle_embedding.as_ref()),
            ),
            Metric::new(
                "isomap_unrolled",
                "Isomap: |corr| with roll position",
                self.unrolled(self.isomap_embedding.as_ref()),
            ),
            Metric::new("lle_error", "LLE reconstruction error", lle_err),
        ]
    }

    fn status(&self) -> Option<String> {
        match &self.stage {
            Stage::Failed(e) => Some(e.clone()),
            _ => None,
        }
    }
}
