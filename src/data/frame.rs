//! Reading CSV tables with text columns and missing values, for the end-to-end project and
//! uploads that are not all numbers. A column is numeric when every present cell is a number;
//! otherwise it is categorical and its distinct texts, sorted, become the codes 0, 1, ... (so the
//! codes sort as the texts do, as scikit-learn orders string categories). Missing cells (empty,
//! `NA`, `N/A`, `NaN`, `null`, `?`) become NaN in either kind; the preprocessing imputers and
//! encoders know what to do with them.

use super::Dataset;
use crate::error::{Error, Result};
use ndarray::{Array1, Array2, Axis};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Numeric,
    /// The category texts; a cell's value is its index here.
    Categorical(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub names: Vec<String>,
    pub kinds: Vec<ColumnKind>,
    /// Row-major values: numbers, category codes, NaN for missing.
    pub values: Array2<f64>,
}

fn csv_err(line: u64, column: Option<String>, message: String) -> Error {
    Error::Csv {
        line,
        column,
        message,
    }
}

fn is_missing(cell: &str) -> bool {
    cell.is_empty()
        || ["na", "n/a", "nan", "null", "?"]
            .iter()
            .any(|m| cell.eq_ignore_ascii_case(m))
}

/// The header and the cells of every row, as text.
fn read_cells(text: &str) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let (names, mut reader) = super::csv::open(text)?;
    let mut cells: Vec<Vec<String>> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(super::csv::csv_error)?;
        cells.push(record.iter().map(str::to_string).collect());
    }
    if cells.is_empty() {
        return Err(csv_err(
            2,
            None,
            "the file has a header but no data rows".into(),
        ));
    }
    Ok((names, cells))
}

/// Parses CSV text with a header row into typed columns.
pub fn read_frame(text: &str) -> Result<Frame> {
    let (names, cells) = read_cells(text)?;
    let (n, p) = (cells.len(), names.len());
    let mut values = Array2::from_elem((n, p), f64::NAN);
    let mut kinds = Vec::with_capacity(p);
    for (j, name) in names.iter().enumerate() {
        let numbers: Option<Vec<f64>> = cells
            .iter()
            .map(|row| {
                let c = row[j].as_str();
                if is_missing(c) {
                    Some(f64::NAN)
                } else {
                    c.parse::<f64>().ok()
                }
            })
            .collect();
        match numbers {
            Some(col) => {
                if let Some(r) = col.iter().position(|v| v.is_infinite()) {
                    return Err(csv_err(
                        r as u64 + 2,
                        Some(name.clone()),
                        format!("`{}` is not a finite number", cells[r][j]),
                    ));
                }
                values.column_mut(j).assign(&Array1::from(col));
                kinds.push(ColumnKind::Numeric);
            }
            None => {
                let mut cats: Vec<String> = cells
                    .iter()
                    .map(|row| row[j].clone())
                    .filter(|c| !is_missing(c))
                    .collect();
                cats.sort();
                cats.dedup();
                for (r, row) in cells.iter().enumerate() {
                    if let Ok(k) = cats.binary_search(&row[j]) {
                        values[[r, j]] = k as f64;
                    }
                }
                kinds.push(ColumnKind::Categorical(cats));
            }
        }
    }
    Ok(Frame {
        names,
        kinds,
        values,
    })
}

impl Frame {
    pub fn column_index(&self, name: &str) -> Result<usize> {
        self.names
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| Error::Csv {
                line: 1,
                column: Some(name.to_string()),
                message: format!("no such column; the header has: {}", self.names.join(", ")),
            })
    }

    /// The text of category `code` in column `j` (the number itself for numeric columns).
    pub fn label(&self, j: usize, code: f64) -> String {
        match &self.kinds[j] {
            ColumnKind::Categorical(cats) if code >= 0.0 && (code as usize) < cats.len() => {
                cats[code as usize].clone()
            }
            _ => crate::preprocessing::category_label(code),
        }
    }

    /// Each text column's category texts by column name (for `ColumnTransformerParams`).
    pub fn category_names(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        self.names
            .iter()
            .zip(&self.kinds)
            .filter_map(|(n, k)| match k {
                ColumnKind::Categorical(c) => Some((n.clone(), c.clone())),
                ColumnKind::Numeric => None,
            })
            .collect()
    }

    /// Rows to predict (CSV text) in the layout of `features`, columns of this frame: numbers
    /// read as numbers, texts coded with this frame's categories (a text never seen here gets
    /// code -1, which encoders treat as unknown), missing cells as NaN.
    pub fn rows_like(&self, text: &str, features: &[String]) -> Result<Array2<f64>> {
        let (names, cells) = read_cells(text)?;
        let mut out = Array2::from_elem((cells.len(), features.len()), f64::NAN);
        for (o, f) in features.iter().enumerate() {
            let kind = &self.kinds[self.column_index(f)?];
            let j = names
                .iter()
                .position(|n| n == f)
                .ok_or_else(|| Error::Csv {
                    line: 1,
                    column: Some(f.clone()),
                    message: format!(
                        "the rows to predict need this column; they have: {}",
                        names.join(", ")
                    ),
                })?;
            for (r, row) in cells.iter().enumerate() {
                let cell = row[j].as_str();
                if is_missing(cell) {
                    continue;
                }
                out[[r, o]] = match kind {
                    ColumnKind::Numeric => cell.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                        Error::Csv {
                            line: r as u64 + 2,
                            column: Some(f.clone()),
                            message: format!("`{cell}` is not a number, but this column held numbers in training"),
                        }
                    })?,
                    ColumnKind::Categorical(cats) => cats
                        .binary_search_by(|c| c.as_str().cmp(cell))
                        .map_or(-1.0, |k| k as f64),
                };
            }
        }
        Ok(out)
    }

    /// Names of the text columns.
    pub fn categorical(&self) -> Vec<String> {
        self.names
            .iter()
            .zip(&self.kinds)
            .filter(|(_, k)| matches!(k, ColumnKind::Categorical(_)))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Names of the numeric columns.
    pub fn numeric(&self) -> Vec<String> {
        self.names
            .iter()
            .zip(&self.kinds)
            .filter(|(_, k)| **k == ColumnKind::Numeric)
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Column `target` as y, the others as features (which may hold NaN and category codes).
    /// A regression target must be numeric and complete: the error says which rows miss it.
    pub fn regression_dataset(&self, target: &str) -> Result<Dataset> {
        let t = self.column_index(target)?;
        if let ColumnKind::Categorical(cats) = &self.kinds[t] {
            return Err(Error::Csv {
                line: 1,
                column: Some(target.to_string()),
                message: format!(
                    "the target holds text (e.g. `{}`), not numbers: regression needs a numeric target",
                    cats.first().map(String::as_str).unwrap_or("")
                ),
            });
        }
        self.labelled_dataset(target)
    }

    /// Column `target` as y (a text column as its category codes, for classification), the
    /// others as features. The target must be complete: the error says which rows miss it.
    pub fn labelled_dataset(&self, target: &str) -> Result<Dataset> {
        let t = self.column_index(target)?;
        let y = self.values.column(t).to_owned();
        let missing: Vec<String> = (0..y.len())
            .filter(|&r| y[r].is_nan())
            .take(5)
            .map(|r| (r + 2).to_string())
            .collect();
        if !missing.is_empty() {
            return Err(Error::Csv {
                line: missing[0].parse().unwrap_or(2),
                column: Some(target.to_string()),
                message: format!(
                    "the target is missing on line(s) {}: drop those rows or pick another target",
                    missing.join(", ")
                ),
            });
        }
        let cols: Vec<usize> = (0..self.names.len()).filter(|&c| c != t).collect();
        if cols.is_empty() {
            return Err(Error::Csv {
                line: 1,
                column: None,
                message: "need at least one feature column beside the target".into(),
            });
        }
        Dataset::with_names(
            self.values.select(Axis(1), &cols),
            y,
            cols.iter().map(|&c| self.names[c].clone()).collect(),
            target.to_string(),
        )
    }
}
