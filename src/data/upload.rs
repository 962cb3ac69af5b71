//! A CSV table the reader uploads in place of a demo's own data. The demo says what it can take
//! ([`UploadKind`]); [`Upload::read`] parses the file, picks columns a reader would expect and
//! checks them, and [`Upload::with_columns`] re-checks another choice. Every problem is a typed
//! error that names the column and says what to do, so the page can show it next to the upload
//! control while the demo keeps its old data.

mod table;

use super::frame::{read_frame, ColumnKind, Frame};
use super::Dataset;
use crate::error::{Error, Result};
use ndarray::{Array1, Axis};
use serde::Serialize;
pub use table::MAX_CATEGORIES;
use table::{table_features, TARGET_NAMES};

/// Most classes a 2-D classification demo colours apart.
pub const MAX_CLASSES: usize = 7;
/// Fewest rows any demo trains on: a quarter is held out, and both parts need several points.
pub const MIN_ROWS: usize = 8;
/// Largest file the page reads (checked before the text is parsed).
pub const MAX_BYTES: f64 = 5.0 * 1024.0 * 1024.0;

/// What a demo can take, and at most how many rows (so its steps stay quick in the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UploadKind {
    /// Two numeric columns for the axes and a column of 2 to `max_classes` class labels (text or
    /// numbers).
    Classes2d { max_rows: usize, max_classes: usize },
    /// One numeric feature and a numeric target.
    Regression1d { max_rows: usize },
    /// Two numeric columns for the axes and no target (clustering); other columns are ignored.
    Points2d { max_rows: usize },
    /// A whole table for a regression project: the reader picks a numeric target and every other
    /// column is a feature, numeric or text, with missing cells allowed (see [`Upload::left_out`]
    /// for the columns that are not used).
    Table { max_rows: usize },
}

impl UploadKind {
    pub fn max_rows(self) -> usize {
        match self {
            UploadKind::Classes2d { max_rows, .. }
            | UploadKind::Regression1d { max_rows }
            | UploadKind::Points2d { max_rows }
            | UploadKind::Table { max_rows } => max_rows,
        }
    }

    /// Whether the reader picks a target column besides the features.
    pub fn has_target(self) -> bool {
        !matches!(self, UploadKind::Points2d { .. })
    }

    /// How many feature columns the reader picks (none for a whole table: every column but the
    /// target is a feature).
    pub fn n_features(self) -> usize {
        match self {
            UploadKind::Classes2d { .. } | UploadKind::Points2d { .. } => 2,
            UploadKind::Regression1d { .. } => 1,
            UploadKind::Table { .. } => 0,
        }
    }

    /// One line for the page: what the file should hold.
    pub fn hint(self) -> String {
        match self {
            UploadKind::Classes2d {
                max_rows,
                max_classes,
            } => format!(
                "A CSV with a header row: two numeric columns for the axes and a column of class labels (up to {max_classes} classes, {max_rows} rows)."
            ),
            UploadKind::Regression1d { max_rows } => format!(
                "A CSV with a header row: a numeric column to predict from and a numeric column to predict (up to {max_rows} rows)."
            ),
            UploadKind::Points2d { max_rows } => format!(
                "A CSV with a header row: two numeric columns for the axes; other columns are ignored (up to {max_rows} rows)."
            ),
            UploadKind::Table { max_rows } => format!(
                "A CSV with a header row: a numeric column to predict, and any other columns (numbers or text, empty cells allowed) to predict it from (up to {max_rows} rows)."
            ),
        }
    }
}

/// The reader's table and the columns chosen from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// The file's name, for messages and the Python equivalent.
    pub file: String,
    pub kind: UploadKind,
    pub frame: Frame,
    /// Indices into `frame` of the feature columns, in axis order.
    pub features: Vec<usize>,
    /// The target column (`None` for [`UploadKind::Points2d`]).
    pub target: Option<usize>,
}

fn column_error(column: &str, message: impl Into<String>) -> Error {
    Error::Data {
        column: Some(column.to_string()),
        message: message.into(),
    }
}

fn data_error(message: impl Into<String>) -> Error {
    Error::Data {
        column: None,
        message: message.into(),
    }
}

impl Upload {
    /// Parses `text` and picks the columns: the last column that can hold the target, and the
    /// first numeric columns before it as features (for a whole table: a numeric column named
    /// like a target, else the last numeric one, and every usable other column as features).
    pub fn read(file: &str, text: &str, kind: UploadKind) -> Result<Upload> {
        // The page checks the size before reading the file; this catches other callers (the CLI).
        if text.len() as f64 > MAX_BYTES {
            return Err(data_error(format!(
                "the file is {:.1} MB; uploads are limited to {:.0} MB: upload a sample of the rows",
                text.len() as f64 / 1048576.0,
                MAX_BYTES / 1048576.0
            )));
        }
        // Lines less the header bound the rows from above (quoted cells may hold line breaks):
        // a file far too long is turned away before it is parsed.
        let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
        if lines > 2 * kind.max_rows() + 1 {
            return Err(data_error(format!(
                "the file has about {} rows; this demo takes at most {} so that it trains smoothly in the page: upload a sample of the rows",
                lines - 1,
                kind.max_rows()
            )));
        }
        let frame = read_frame(text)?;
        let n = frame.values.nrows();
        if n > kind.max_rows() {
            return Err(data_error(format!(
                "the file has {n} rows; this demo takes at most {} so that it trains smoothly in the page: upload a sample of the rows",
                kind.max_rows()
            )));
        }
        if n < MIN_ROWS {
            return Err(data_error(format!(
                "the file has {n} data rows; this demo needs at least {MIN_ROWS}{}",
                if kind.has_target() {
                    " (a quarter of them is held out for testing)"
                } else {
                    ""
                }
            )));
        }
        let p = frame.names.len();
        let numeric: Vec<usize> = (0..p)
            .filter(|&j| frame.kinds[j] == ColumnKind::Numeric)
            .collect();
        let target = match kind {
            UploadKind::Classes2d { .. } => Some(
                (0..p)
                    .rev()
                    .find(|&j| distinct(&frame, j) <= MAX_CLASSES)
                    .unwrap_or(p - 1),
            ),
            UploadKind::Regression1d { .. } => Some(numeric.last().copied().unwrap_or(p - 1)),
            UploadKind::Table { .. } => Some(
                numeric
                    .iter()
                    .copied()
                    .find(|&j| {
                        TARGET_NAMES
                            .iter()
                            .any(|t| frame.names[j].eq_ignore_ascii_case(t))
                    })
                    .or(numeric.last().copied())
                    .unwrap_or(p - 1),
            ),
            UploadKind::Points2d { .. } => None,
        };
        if let (UploadKind::Table { .. }, Some(target)) = (kind, target) {
            let upload = Upload {
                file: file.to_string(),
                kind,
                features: table_features(&frame, target),
                frame,
                target: Some(target),
            };
            upload.check()?;
            return Ok(upload);
        }
        let mut features: Vec<usize> = numeric
            .iter()
            .copied()
            .filter(|&j| Some(j) != target)
            .take(kind.n_features())
            .collect();
        if features.len() < kind.n_features() {
            let have = if numeric.is_empty() {
                "none".to_string()
            } else {
                numeric
                    .iter()
                    .map(|&j| format!("`{}`", frame.names[j]))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let need = match kind {
                UploadKind::Classes2d { .. } => {
                    "two numeric columns for the axes besides the class column"
                }
                UploadKind::Regression1d { .. } => "two numeric columns (a feature and a target)",
                UploadKind::Points2d { .. } | UploadKind::Table { .. } => {
                    "two numeric columns for the axes"
                }
            };
            return Err(data_error(format!(
                "this demo needs {need}; the numeric columns are: {have}"
            )));
        }
        features.truncate(kind.n_features());
        let upload = Upload {
            file: file.to_string(),
            kind,
            frame,
            features,
            target,
        };
        upload.check()?;
        Ok(upload)
    }

    /// The same table with other columns chosen (by name), checked; `target` is ignored where
    /// the demo takes none.
    pub fn with_columns(&self, features: &[String], target: &str) -> Result<Upload> {
        if let UploadKind::Table { .. } = self.kind {
            if let Some(f) = features.first() {
                return Err(column_error(
                    f,
                    "this demo uses every column except the target as a feature: pick only the target column",
                ));
            }
            let target = self.frame.column_index(target)?;
            let upload = Upload {
                features: table_features(&self.frame, target),
                target: Some(target),
                ..self.clone()
            };
            upload.check()?;
            return Ok(upload);
        }
        if features.len() != self.kind.n_features() {
            return Err(data_error(format!(
                "pick {} feature column(s), not {}",
                self.kind.n_features(),
                features.len()
            )));
        }
        let features = features
            .iter()
            .map(|f| self.frame.column_index(f))
            .collect::<Result<Vec<_>>>()?;
        let target = if self.kind.has_target() {
            Some(self.frame.column_index(target)?)
        } else {
            None
        };
        let upload = Upload {
            features,
            target,
            ..self.clone()
        };
        upload.check()?;
        Ok(upload)
    }

    pub fn feature_names(&self) -> Vec<String> {
        self.features
            .iter()
            .map(|&j| self.frame.names[j].clone())
            .collect()
    }

    /// The target column's name (empty where the demo takes no target).
    pub fn target_name(&self) -> &str {
        self.target.map_or("", |t| &self.frame.names[t])
    }

    pub fn n_rows(&self) -> usize {
        self.frame.values.nrows()
    }

    /// The columns the reader picks, in the page's picker order: the features, then the target
    /// (only the target for a whole table).
    pub fn picked(&self) -> Vec<usize> {
        let n = self.kind.n_features().min(self.features.len());
        self.features[..n]
            .iter()
            .copied()
            .chain(self.target)
            .collect()
    }

    /// Every rule the chosen columns must meet, in the order a reader would fix them.
    fn check(&self) -> Result<()> {
        if let UploadKind::Table { .. } = self.kind {
            return self.check_table();
        }
        let names = &self.frame.names;
        for (i, &j) in self.features.iter().enumerate() {
            if Some(j) == self.target {
                return Err(column_error(
                    &names[j],
                    "is both a feature and the target: pick another column for one of them",
                ));
            }
            if self.features[..i].contains(&j) {
                return Err(column_error(
                    &names[j],
                    "is picked for both axes: pick two different columns",
                ));
            }
            if let ColumnKind::Categorical(cats) = &self.frame.kinds[j] {
                return Err(column_error(
                    &names[j],
                    format!(
                        "holds text (e.g. `{}`), not numbers: a feature here must be numeric; pick a numeric column or encode the text as numbers first",
                        cats.first().map(String::as_str).unwrap_or("")
                    ),
                ));
            }
        }
        for &j in self.features.iter().chain(&self.target) {
            let col = self.frame.values.column(j);
            let missing: Vec<usize> = (0..col.len()).filter(|&r| col[r].is_nan()).collect();
            if let Some(&first) = missing.first() {
                return Err(column_error(
                    &names[j],
                    format!(
                        "{} missing value(s), the first on line {}: this demo needs every cell of its columns filled; remove those rows or fill them in",
                        missing.len(),
                        first + 2
                    ),
                ));
            }
        }
        let Some(target) = self.target else {
            return Ok(());
        };
        let t = self.target_name();
        match self.kind {
            UploadKind::Points2d { .. } | UploadKind::Table { .. } => {}
            UploadKind::Regression1d { .. } => self.check_numeric_target(target)?,
            UploadKind::Classes2d { max_classes, .. } => {
                let k = distinct(&self.frame, target);
                if k > MAX_CLASSES {
                    return Err(column_error(
                        t,
                        format!(
                            "has {k} different values: the target of a classifier is a column of class labels (at most {MAX_CLASSES} classes here); for a number to predict, use a regression demo"
                        ),
                    ));
                }
                if k > max_classes {
                    return Err(column_error(
                        t,
                        format!(
                            "has {k} classes: this demo separates {max_classes}; pick a column with {max_classes} classes or try the k-NN, decision tree or logistic regression demo"
                        ),
                    ));
                }
                let (labels, counts) = self.class_counts(target);
                if labels.len() < 2 {
                    return Err(column_error(
                        t,
                        format!(
                            "has only one class (`{}`): a classifier needs at least two",
                            labels.first().map(String::as_str).unwrap_or("")
                        ),
                    ));
                }
                if let Some(c) = counts.iter().position(|&c| c < 2) {
                    return Err(column_error(
                        t,
                        format!(
                            "class `{}` has only {} row: every class needs at least 2, so that the training and the test part can both hold it",
                            labels[c], counts[c]
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_numeric_target(&self, target: usize) -> Result<()> {
        match &self.frame.kinds[target] {
            ColumnKind::Categorical(cats) => Err(column_error(
                &self.frame.names[target],
                format!(
                    "holds text (e.g. `{}`), not numbers: a regression needs a numeric target; pick a numeric column (for class labels use a classification demo)",
                    cats.first().map(String::as_str).unwrap_or("")
                ),
            )),
            ColumnKind::Numeric => Ok(()),
        }
    }

    /// Column `target`'s class labels (sorted as the codes are) and how many rows each has.
    fn class_counts(&self, target: usize) -> (Vec<String>, Vec<usize>) {
        let y = self.frame.values.column(target);
        let mut values: Vec<f64> = y.iter().copied().collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        let counts = values
            .iter()
            .map(|v| y.iter().filter(|&&w| w == *v).count())
            .collect();
        let labels = values
            .iter()
            .map(|&v| self.frame.label(target, v))
            .collect();
        (labels, counts)
    }

    /// The chosen columns as a dataset: features in axis order, the target as numbers (class
    /// codes for a text target; zeros where the demo takes no target).
    pub fn dataset(&self) -> Result<Dataset> {
        let y = match self.target {
            Some(t) => Array1::from_iter(self.frame.values.column(t).iter().copied()),
            None => Array1::zeros(self.n_rows()),
        };
        Dataset::with_names(
            self.frame.values.select(Axis(1), &self.features),
            y,
            self.feature_names(),
            self.target_name().to_string(),
        )
    }

    /// The legend's names of the target's classes.
    pub fn class_names(&self) -> ClassNames {
        match self.target.map(|t| &self.frame.kinds[t]) {
            Some(ColumnKind::Categorical(cats)) => ClassNames(Some(cats.clone())),
            _ => ClassNames(None),
        }
    }

    /// Python (with pandas imported as `pd`) that reads the file into `X` and `y` as
    /// [`Upload::dataset`] does (a text target stays text in scikit-learn, which sorts its
    /// classes the same way); only `X` where the demo takes no target.
    pub fn python(&self) -> String {
        let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let features: Vec<String> = self.feature_names().iter().map(|f| quote(f)).collect();
        let mut out = format!(
            "# Your file, read as mlplay read it (put it next to this script).\ndata = pd.read_csv({})\nX = data[[{}]].to_numpy()",
            quote(&self.file),
            features.join(", "),
        );
        if self.target.is_some() {
            out.push_str(&format!(
                "\ny = data[{}].to_numpy()",
                quote(self.target_name())
            ));
        }
        out
    }
}

/// Legend names of class labels: a text target's texts (the labels are their codes), otherwise
/// "class 3" for label 3.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassNames(Option<Vec<String>>);

impl ClassNames {
    /// The names for the data a demo runs on: the upload's, or numbered ones.
    pub fn of(upload: Option<&Upload>) -> ClassNames {
        upload.map(Upload::class_names).unwrap_or_default()
    }

    pub fn name(&self, label: f64) -> String {
        match &self.0 {
            Some(texts) if label >= 0.0 && (label as usize) < texts.len() => {
                texts[label as usize].clone()
            }
            _ => format!("class {}", crate::viz::tick_label(label)),
        }
    }
}

/// How many different present values column `j` holds.
fn distinct(frame: &Frame, j: usize) -> usize {
    match &frame.kinds[j] {
        ColumnKind::Categorical(cats) => cats.len(),
        ColumnKind::Numeric => {
            let mut v: Vec<f64> = frame
                .values
                .column(j)
                .iter()
                .copied()
                .filter(|v| !v.is_nan())
                .collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v.len()
        }
    }
}
