//! Chapter 8: PCA as compression on the bundled 8x8 digits. One tick fits `Pca` on all 1797 images
//! (64 pixels each); the demo then keeps the first `n_components` coordinates of every image and
//! maps them back (`inverse_transform`). Panels: originals over their reconstructions, the
//! cumulative explained variance with the 95% line, and the first principal components as images.

use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::data::{bundled, Dataset};
use crate::decomposition::Pca;
use crate::error::Result;
use crate::estimator::Progress;
use crate::rng::Rng;
use crate::viz;
use ndarray::{s, Array2, ArrayView1, Axis};
use plotters::coord::Shift;
use plotters::prelude::*;

/// How many digits are shown, and how many components are drawn as images.
const SHOWN: usize = 8;
const COMPONENT_IMAGES: usize = 8;
/// The share of variance the curve marks with a dashed line.
const TARGET_VARIANCE: f64 = 0.95;

pub struct PcaCompressionDemo {
    digits: Dataset,
    /// Rows of `digits` shown in the left panel.
    shown: Vec<usize>,
    n_components: usize,
    /// Fitted with every component; the first `n_components` are the compressed code.
    pca: Option<Pca>,
    /// Reconstructions of the shown digits from `n_components` coordinates.
    reconstructed: Option<Array2<f64>>,
    /// Mean squared pixel error over all 1797 images.
    mse: f64,
}

impl PcaCompressionDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "pca-compression",
        title: "PCA as compression: digits rebuilt from a few components",
        chapter: "08-dimensionality-reduction",
        upload: None,
        params: &[ParamSpec {
            key: "n_components",
            label: "Components kept",
            help: "How many principal components each 64-pixel image is reduced to.",
            kind: ParamKind::Int {
                min: 1,
                max: 64,
                default: 10,
            },
        }],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let digits = bundled::digits()?;
        // One random example of each of the first SHOWN digit classes, picked by the seed.
        let mut rng = Rng::new(seed);
        let order = rng.permutation(digits.n_samples());
        let shown = (0..SHOWN)
            .filter_map(|class| order.iter().copied().find(|&i| digits.y[i] == class as f64))
            .collect();
        Ok(PcaCompressionDemo {
            digits,
            shown,
            n_components: params.usize("n_components"),
            pca: None,
            reconstructed: None,
            mse: f64::NAN,
        })
    }

    /// Keeps the first `k` coordinates of each row and maps them back to pixels.
    fn rebuild(pca: &Pca, x: ndarray::ArrayView2<f64>, k: usize) -> Result<Array2<f64>> {
        let z = pca.transform(x)?;
        let basis = pca.components.slice(s![..k, ..]);
        Ok(z.slice(s![.., ..k]).dot(&basis) + &pca.mean)
    }

    fn fit(&mut self) -> Result<()> {
        let pca = Pca::params().fit_x(self.digits.x.view())?;
        let k = self.n_components.min(pca.components.nrows());
        let all = Self::rebuild(&pca, self.digits.x.view(), k)?;
        self.mse = (&all - &self.digits.x)
            .mapv(|v| v * v)
            .mean()
            .unwrap_or(f64::NAN);
        self.reconstructed = Some(all.select(Axis(0), &self.shown));
        self.pca = Some(pca);
        Ok(())
    }

    fn cumulative(&self) -> Vec<f64> {
        let Some(pca) = &self.pca else {
            return Vec::new();
        };
        pca.explained_variance_ratio
            .iter()
            .scan(0.0, |acc, &r| {
                *acc += r;
                Some(*acc)
            })
            .collect()
    }

    fn shown_mse(&self) -> f64 {
        let Some(rebuilt) = &self.reconstructed else {
            return f64::NAN;
        };
        let originals = self.digits.x.select(Axis(0), &self.shown);
        (rebuilt - &originals)
            .mapv(|v| v * v)
            .mean()
            .unwrap_or(f64::NAN)
    }

    /// Components needed to keep [`TARGET_VARIANCE`] of the variance.
    fn needed_for_target(&self) -> Option<usize> {
        self.cumulative()
            .iter()
            .position(|&c| c >= TARGET_VARIANCE)
            .map(|i| i + 1)
    }

    fn draw_digits<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let Some(rebuilt) = &self.reconstructed else {
            return viz::centered_text(area, "Fitting PCA on 1797 digits…");
        };
        let fs = viz::font_size(area);
        let cols = SHOWN / 2;
        let Grid {
            top,
            cell,
            block,
            left,
        } = Grid::fit(area, cols, 36, 3 * fs as i32);
        let label = |text: String, y: i32| -> Result<()> {
            area.draw(&Text::new(
                text,
                (left, y),
                ("sans-serif", fs).into_font().color(&viz::INK),
            ))?;
            Ok(())
        };
        let plural = if self.n_components == 1 { "" } else { "s" };
        label(
            format!(
                "Upper: original; lower: from {} component{plural}",
                self.n_components
            ),
            top - fs as i32 - 4,
        )?;
        for (half, row_top) in [(0, top), (1, top + 2 * block + fs as i32)] {
            for c in 0..cols {
                let i = half * cols + c;
                let x0 = left + c as i32 * block;
                let original = self.digits.x.row(self.shown[i]);
                draw_image(area, (x0, row_top), cell, original, 0.0, 16.0, false)?;
                draw_image(
                    area,
                    (x0, row_top + block),
                    cell,
                    rebuilt.row(i),
                    0.0,
                    16.0,
                    false,
                )?;
            }
        }
        Ok(())
    }

    fn draw_variance<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let cumulative = self.cumulative();
        let mut chart = viz::chart(
            area,
            "Variance kept against components",
            0.0..64.0,
            0.0..1.02,
            "components kept",
            "share of variance",
        )?;
        if cumulative.is_empty() {
            return Ok(());
        }
        let pts: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
            .chain(
                cumulative
                    .iter()
                    .enumerate()
                    .map(|(i, &c)| ((i + 1) as f64, c)),
            )
            .collect();
        chart.draw_series(LineSeries::new(pts, viz::BLUE.stroke_width(2)))?;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, TARGET_VARIANCE), (64.0, TARGET_VARIANCE)],
                6,
                4,
                viz::GREY.stroke_width(1),
            ))?
            .label(match self.needed_for_target() {
                Some(d) => format!("95% of the variance: {d} components"),
                None => "95% of the variance".to_string(),
            })
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], viz::GREY.stroke_width(1))
            });
        let k = self.n_components.min(cumulative.len());
        chart
            .draw_series(std::iter::once(Circle::new(
                (k as f64, cumulative[k - 1]),
                7,
                viz::RED.stroke_width(3),
            )))?
            .label(format!("kept now: {k}"))
            .legend(|(x, y)| Circle::new((x + 8, y), 5, viz::RED.stroke_width(3)));
        viz::legend(&mut chart, area, SeriesLabelPosition::LowerRight)
    }

    fn draw_components<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let Some(pca) = &self.pca else {
            return Ok(());
        };
        let fs = viz::font_size(area);
        let cols = COMPONENT_IMAGES / 2;
        let Grid {
            top,
            cell,
            block,
            left,
        } = Grid::fit(area, cols, 20, 2 * fs as i32);
        area.draw(&Text::new(
            "The first components (blue -, red +)",
            (left, top - fs as i32 - 4),
            ("sans-serif", fs).into_font().color(&viz::INK),
        ))?;
        let shown = COMPONENT_IMAGES.min(pca.components.nrows());
        for i in 0..shown {
            let c = pca.components.row(i);
            let scale = c.iter().fold(0.0_f64, |m, v| m.max(v.abs())).max(1e-12);
            let x0 = left + (i % cols) as i32 * block;
            let y0 = top + (i / cols) as i32 * (block + fs as i32);
            draw_image(area, (x0, y0), cell, c, -scale, scale, true)?;
            area.draw(&Text::new(
                format!("{}", i + 1),
                (x0, y0 + cell * 8 + 1),
                ("sans-serif", (fs - 2).max(9))
                    .into_font()
                    .color(&viz::GREY),
            ))?;
        }
        Ok(())
    }
}

/// Where a grid of 8x8 images goes in a panel: below a caption line, `cols` images a row, centred.
struct Grid {
    top: i32,
    /// Pixels per image pixel; an image plus its gap is `block` = 9 cells wide.
    cell: i32,
    block: i32,
    left: i32,
}

impl Grid {
    /// The largest cell for which `cols` images fit the width and `rows_cells` cells (plus
    /// `spare` pixels of labels) fit the height.
    fn fit<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        cols: usize,
        rows_cells: i32,
        spare: i32,
    ) -> Self {
        let (w, h) = area.dim_in_pixel();
        let top = (viz::font_size(area) * 2) as i32;
        let cell = ((w as i32 - 8) / (cols as i32 * 9))
            .min((h as i32 - top - spare) / rows_cells)
            .max(1);
        let block = cell * 9;
        let left = (w as i32 - block * cols as i32) / 2;
        Grid {
            top,
            cell,
            block,
            left,
        }
    }
}

/// An 8x8 image (see [`viz::draw_patch`]) with a thin grey frame.
fn draw_image<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    cell: i32,
    values: ArrayView1<f64>,
    lo: f64,
    hi: f64,
    diverging: bool,
) -> Result<()> {
    viz::draw_patch(area, at, cell, values, lo, hi, diverging)?;
    area.draw(&Rectangle::new(
        [at, (at.0 + 8 * cell, at.1 + 8 * cell)],
        viz::GREY.mix(0.6).stroke_width(1),
    ))?;
    Ok(())
}

impl Demo for PcaCompressionDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        if self.pca.is_some() {
            return Progress::Done;
        }
        match self.fit() {
            Ok(()) => Progress::Done,
            Err(_) => Progress::Diverged,
        }
    }

    fn autoplay(&self) -> bool {
        true
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 3);
        self.draw_digits(&panels[0])?;
        self.draw_variance(&panels[1])?;
        self.draw_components(&panels[2])?;
        Ok(())
    }

    fn metrics(&self) -> Vec<Metric> {
        let cumulative = self.cumulative();
        let kept = cumulative
            .get(self.n_components.saturating_sub(1))
            .copied()
            .unwrap_or(f64::NAN);
        vec![
            Metric::new("n_components", "Components kept", self.n_components as f64),
            Metric::new("variance_kept", "Variance kept", kept),
            Metric::new(
                "for_95",
                "Components for 95% of the variance",
                self.needed_for_target().map_or(f64::NAN, |d| d as f64),
            ),
            Metric::new(
                "compression",
                "Numbers stored per image (of 64)",
                self.n_components as f64,
            ),
            Metric::new("mse", "Mean squared pixel error (0-16 scale)", self.mse),
            Metric::new("shown_mse", "... on the digits shown", self.shown_mse()),
        ]
    }
}
