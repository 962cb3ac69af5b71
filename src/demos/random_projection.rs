//! Chapter 8: how much random projections distort distances, against the target dimension k.
//! Points in a high-dimensional space are projected by Gaussian and sparse random matrices; each
//! tick adds ten more projected coordinates from both estimators (rows of a bigger random matrix
//! are themselves a smaller random projection, so sums of squared differences accumulate), and
//! records the min / median / max of projected over original pairwise distance. The
//! Johnson-Lindenstrauss guarantee for each k is drawn alongside.

use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::decomposition::{
    johnson_lindenstrauss_min_dim, GaussianRandomProjectionParams, SparseRandomProjectionParams,
};
use crate::error::Result;
use crate::estimator::Progress;
use crate::rng::Rng;
use crate::viz;
use ndarray::{Array2, ArrayView2};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Projected coordinates added per tick (per projection type).
const BLOCK: usize = 10;

/// min / median / max of the distance ratio at one target dimension.
#[derive(Debug, Clone, Copy)]
struct Spread {
    k: usize,
    min: f64,
    median: f64,
    max: f64,
}

pub struct RandomProjectionDemo {
    x: Array2<f64>,
    /// Squared original distance of each pair (i < j), in pair order.
    original: Vec<f64>,
    /// Running sums of squared projected differences per pair: Gaussian, sparse.
    sums: [Vec<f64>; 2],
    curves: [Vec<Spread>; 2],
    /// The latest ratios (for the histogram).
    latest: [Vec<f64>; 2],
    k: usize,
    max_k: usize,
    eps: f64,
    seed: u64,
    density: f64,
}

impl RandomProjectionDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "random-projection",
        title: "Random projections: distance distortion against target dimension",
        chapter: "08-dimensionality-reduction",
        upload: None,
        params: &[
            ParamSpec {
                key: "points",
                label: "Points",
                help: "How many points are projected (distortion is measured on every pair).",
                kind: ParamKind::Int {
                    min: 20,
                    max: 300,
                    default: 150,
                },
            },
            ParamSpec {
                key: "dims",
                label: "Original dimension",
                help: "The dimension of the space the points start in.",
                kind: ParamKind::Int {
                    min: 100,
                    max: 2000,
                    default: 1000,
                },
            },
            ParamSpec {
                key: "max_k",
                label: "Largest target dimension",
                help: "Projections are grown ten coordinates per step up to this dimension.",
                kind: ParamKind::Int {
                    min: 50,
                    max: 1000,
                    default: 600,
                },
            },
            ParamSpec {
                key: "eps",
                label: "JL eps",
                help: "The distortion the Johnson-Lindenstrauss bound is drawn for.",
                kind: ParamKind::Float {
                    min: 0.05,
                    max: 0.9,
                    default: 0.3,
                    log: true,
                },
            },
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let (n, p) = (params.usize("points"), params.usize("dims"));
        let mut rng = Rng::new(seed);
        // Points with unequal spreads per axis, so distances vary.
        let x = Array2::from_shape_fn((n, p), |(_, j)| rng.normal() * (1.0 + (j % 7) as f64 * 0.3));
        let mut original = Vec::with_capacity(n * (n - 1) / 2);
        for i in 0..n {
            for j in 0..i {
                let d: f64 = x
                    .row(i)
                    .iter()
                    .zip(x.row(j))
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum();
                original.push(d);
            }
        }
        let pairs = original.len();
        Ok(RandomProjectionDemo {
            x,
            original,
            sums: [vec![0.0; pairs], vec![0.0; pairs]],
            curves: [vec![], vec![]],
            latest: [vec![], vec![]],
            k: 0,
            max_k: params.usize("max_k").min(p),
            eps: params.f64("eps"),
            seed,
            density: 1.0 / (p as f64).sqrt(),
        })
    }

    fn accumulate(&mut self, which: usize, z: ArrayView2<f64>) {
        let n = z.nrows();
        let mut idx = 0;
        for i in 0..n {
            for j in 0..i {
                let d: f64 = z
                    .row(i)
                    .iter()
                    .zip(z.row(j))
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum();
                self.sums[which][idx] += d;
                idx += 1;
            }
        }
        // Each block was scaled for BLOCK components; k of them together: divide by blocks.
        let blocks = (self.k / BLOCK) as f64;
        let mut ratios: Vec<f64> = self.sums[which]
            .iter()
            .zip(&self.original)
            .map(|(s, o)| (s / blocks / o).sqrt())
            .collect();
        ratios.sort_by(f64::total_cmp);
        let spread = Spread {
            k: self.k,
            min: ratios.first().copied().unwrap_or(f64::NAN),
            median: ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN),
            max: ratios.last().copied().unwrap_or(f64::NAN),
        };
        self.curves[which].push(spread);
        self.latest[which] = ratios;
    }

    /// The distortion the JL bound guarantees for `k` dimensions and these many points: the eps
    /// solving `k = 4 ln n / (eps²/2 - eps³/3)` (None when it would be 1 or more).
    fn jl_eps(&self, k: usize) -> Option<f64> {
        let n = self.x.nrows() as f64;
        let target = 4.0 * n.ln() / k as f64;
        if target >= 1.0 / 6.0 {
            return None;
        }
        let (mut lo, mut hi) = (0.0, 1.0);
        for _ in 0..60 {
            let mid: f64 = 0.5 * (lo + hi);
            if mid * mid / 2.0 - mid.powi(3) / 3.0 < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(0.5 * (lo + hi))
    }

    fn draw_curves<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let mut chart = viz::chart(
            area,
            "Projected / original distance (min, median, max)",
            0.0..self.max_k as f64,
            0.0..2.0,
            "target dimension k",
            "distance ratio",
        )?;
        // The JL guarantee: distances within sqrt(1 ± eps(k)), dashed.
        let guarantee: Vec<(f64, f64, f64)> = (1..=self.max_k)
            .filter_map(|k| {
                self.jl_eps(k)
                    .map(|e| (k as f64, (1.0 - e).sqrt(), (1.0 + e).sqrt()))
            })
            .collect();
        for upper in [false, true] {
            let s = chart.draw_series(DashedLineSeries::new(
                guarantee
                    .iter()
                    .map(|&(k, lo, hi)| (k, if upper { hi } else { lo })),
                6,
                4,
                viz::GREY.stroke_width(2),
            ))?;
            if upper {
                s.label("JL guarantee sqrt(1 ± eps(k))").legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], viz::GREY.stroke_width(2))
                });
            }
        }
        if let Ok(k_min) = johnson_lindenstrauss_min_dim(self.x.nrows(), self.eps) {
            if k_min <= self.max_k {
                let x = k_min as f64;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x, 0.0), (x, 2.0)],
                        viz::GREEN.stroke_width(2),
                    )))?
                    .label(format!("JL min dim for eps = {} ({k_min})", self.eps))
                    .legend(|(x, y)| {
                        PathElement::new(vec![(x, y), (x + 16, y)], viz::GREEN.stroke_width(2))
                    });
            }
        }
        for (which, (colour, name)) in [(viz::BLUE, "Gaussian"), (viz::ORANGE, "sparse")]
            .into_iter()
            .enumerate()
        {
            let curve = &self.curves[which];
            let at = |f: fn(&Spread) -> f64| curve.iter().map(move |s| (s.k as f64, f(s)));
            chart
                .draw_series(LineSeries::new(at(|s| s.median), colour.stroke_width(3)))?
                .label(format!("{name} (median, min-max)"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(3))
                });
            for f in [|s: &Spread| s.min, |s: &Spread| s.max] {
                chart.draw_series(LineSeries::new(at(f), colour.mix(0.7).stroke_width(1)))?;
            }
        }
        viz::legend(&mut chart, area, SeriesLabelPosition::UpperRight)
    }

    fn draw_histogram<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        const BINS: usize = 40;
        let (lo, hi) = (0.5, 1.5);
        let width = (hi - lo) / BINS as f64;
        let counts: Vec<Vec<f64>> = self
            .latest
            .iter()
            .map(|r| {
                let mut c = vec![0.0; BINS];
                for v in r {
                    let b = ((v - lo) / width).floor();
                    if b >= 0.0 && (b as usize) < BINS {
                        c[b as usize] += 1.0 / r.len() as f64;
                    }
                }
                c
            })
            .collect();
        let top = counts.iter().flatten().copied().fold(0.05, f64::max);
        let mut chart = viz::chart(
            area,
            &format!("Distance ratios of all pairs at k = {}", self.k),
            lo..hi,
            0.0..top * 1.1,
            "projected / original distance",
            "fraction of pairs",
        )?;
        for (which, colour) in [viz::BLUE, viz::ORANGE].into_iter().enumerate() {
            chart.draw_series(counts[which].iter().enumerate().map(|(b, &c)| {
                let x0 = lo + b as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width, c)], colour.mix(0.45).filled())
            }))?;
        }
        Ok(())
    }
}

impl Demo for RandomProjectionDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        if self.k + BLOCK > self.max_k {
            return Progress::Done;
        }
        let block = (self.k / BLOCK) as u64;
        // Fresh rows for every block: the estimators seeded per block.
        let seed = self.seed.wrapping_mul(1000).wrapping_add(block);
        let x = self.x.view();
        let g = GaussianRandomProjectionParams::default()
            .n_components(BLOCK)
            .random_state(seed)
            .fit_x(x)
            .and_then(|m| m.transform(x));
        let s = SparseRandomProjectionParams::default()
            .n_components(BLOCK)
            .random_state(seed)
            .fit_x(x)
            .and_then(|m| m.transform(x));
        let (Ok(g), Ok(s)) = (g, s) else {
            return Progress::Diverged;
        };
        self.k += BLOCK;
        self.accumulate(0, g.view());
        self.accumulate(1, s.view());
        if self.k + BLOCK > self.max_k {
            Progress::Done
        } else {
            Progress::Running
        }
    }

    fn ticks_per_frame(&self) -> usize {
        2
    }

    fn autoplay(&self) -> bool {
        true
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 2);
        self.draw_curves(&panels[0])?;
        self.draw_histogram(&panels[1])?;
        Ok(())
    }

    fn height_for_width(&self, width: u32) -> u32 {
        viz::two_panel_height(width)
    }

    fn metrics(&self) -> Vec<Metric> {
        let last = |w: usize| self.curves[w].last().copied();
        let get = |w: usize, f: fn(Spread) -> f64| last(w).map_or(f64::NAN, f);
        vec![
            Metric::new("k", "Target dimension k", self.k as f64),
            Metric::new("gauss_min", "Gaussian: smallest ratio", get(0, |s| s.min)),
            Metric::new("gauss_max", "Gaussian: largest ratio", get(0, |s| s.max)),
            Metric::new("sparse_min", "Sparse: smallest ratio", get(1, |s| s.min)),
            Metric::new("sparse_max", "Sparse: largest ratio", get(1, |s| s.max)),
            Metric::new("density", "Sparse density", self.density),
            Metric::new(
                "jl_min_dim",
                "JL min dim for eps",
                johnson_lindenstrauss_min_dim(self.x.nrows(), self.eps)
                    .map_or(f64::NAN, |v| v as f64),
            ),
        ]
    }
}
