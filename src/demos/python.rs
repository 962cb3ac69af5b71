//! The "Python equivalent" box: each demo's `python()` writes a runnable scikit-learn script for
//! its current parameters with [`Script`] and the data snippets here (shared by several demos).

use super::params::format_float;

/// Said once in every script whose data is random: the points cannot be ours.
pub(crate) const RANDOM_NOTE: &str =
    "# NumPy and scikit-learn draw other random numbers than mlplay, so the points (and the\n\
     # numbers printed) match the demo in kind, not digit for digit.\n";

/// A float as Python reads it: `format_float`'s text, with `.0` where it would read as an int
/// (scikit-learn treats `max_samples=1` and `max_samples=1.0` differently).
pub(crate) fn float(v: f64) -> String {
    let text = format_float(v);
    if text.contains(['.', 'e', 'i', 'N']) {
        text
    } else {
        format!("{text}.0")
    }
}

/// A seed scikit-learn accepts as `random_state` (it must be below 2**32).
pub(crate) fn seed(seed: u64) -> u64 {
    seed % (1 << 32)
}

/// A script under construction: imports gathered (deduplicated, sorted) above the code.
#[derive(Default)]
pub(crate) struct Script {
    imports: Vec<String>,
    body: String,
}

impl Script {
    pub fn new() -> Self {
        Script::default()
    }

    pub fn import(&mut self, line: &str) -> &mut Self {
        if !self.imports.iter().any(|l| l == line) {
            self.imports.push(line.to_string());
        }
        self
    }

    /// Appends `code`, ending it with a newline.
    pub fn push(&mut self, code: &str) -> &mut Self {
        self.body.push_str(code);
        if !code.ends_with('\n') {
            self.body.push('\n');
        }
        self
    }

    pub fn finish(&self) -> String {
        let mut plain: Vec<&String> = self
            .imports
            .iter()
            .filter(|l| l.starts_with("import "))
            .collect();
        let mut from: Vec<&String> = self
            .imports
            .iter()
            .filter(|l| !l.starts_with("import "))
            .collect();
        plain.sort();
        from.sort();
        let mut out = String::new();
        for line in plain.into_iter().chain(from) {
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.body);
        out
    }

    /// `X, y = make_moons(...)`, as `generators::moons` makes them.
    /// The reader's uploaded file as `X` and `y`.
    pub fn upload(&mut self, upload: &crate::data::upload::Upload) -> &mut Self {
        self.import("import pandas as pd").push(&upload.python())
    }

    pub fn moons(&mut self, n: usize, noise: f64, seed_: u64) -> &mut Self {
        self.import("from sklearn.datasets import make_moons")
            .push(&format!(
                "X, y = make_moons(n_samples={n}, noise={}, random_state={})",
                float(noise),
                seed(seed_)
            ))
    }

    /// `X, y = make_circles(...)`, as `generators::circles` makes them.
    pub fn circles(&mut self, n: usize, factor: f64, noise: f64, seed_: u64) -> &mut Self {
        self.import("from sklearn.datasets import make_circles")
            .push(&format!(
                "X, y = make_circles(n_samples={n}, factor={}, noise={}, random_state={})",
                float(factor),
                float(noise),
                seed(seed_)
            ))
    }

    /// `X, y = make_blobs(...)` around fixed 2-D centres, as `generators::blobs` makes them.
    pub fn blobs(&mut self, n: usize, centres: &[[f64; 2]], std: f64, seed_: u64) -> &mut Self {
        let centres: Vec<String> = centres
            .iter()
            .map(|c| format!("[{}, {}]", float(c[0]), float(c[1])))
            .collect();
        self.import("from sklearn.datasets import make_blobs")
            .push(&format!(
                "X, y = make_blobs(n_samples={n}, centers=[{}], cluster_std={}, random_state={})",
                centres.join(", "),
                float(std),
                seed(seed_)
            ))
    }

    /// The seeded train/test split the demos make (`test_size` a fraction, e.g. 0.25).
    pub fn split(&mut self, test_size: f64, seed_: u64) -> &mut Self {
        self.import("from sklearn.model_selection import train_test_split")
            .push(&format!(
                "X_train, X_test, y_train, y_test = train_test_split(\n    X, y, test_size={}, random_state={})",
                float(test_size),
                seed(seed_)
            ))
    }

    /// The bundled digits as the digit demos use them: pixels scaled to 0..1, `n_train` images
    /// to train on and the rest held out.
    pub fn digits(&mut self, n_train: usize, seed_: u64) -> &mut Self {
        self.import("from sklearn.datasets import load_digits")
            .import("from sklearn.model_selection import train_test_split")
            .push(&format!(
                "# The 1797 8x8 digits, grey levels scaled from 0-16 to 0-1. The split differs from\n\
                 # mlplay's (another random generator), so the numbers match in kind, not digit for digit.\n\
                 X, y = load_digits(return_X_y=True)\n\
                 X = X / 16.0\n\
                 X_train, X_test, y_train, y_test = train_test_split(\n    X, y, train_size={n_train}, random_state={})",
                seed(seed_)
            ))
    }
}
