//! Reading numeric CSV files (a header row, then one sample per line). Every error names the
//! 1-based line of the file and, when one cell is at fault, its column.

use super::Dataset;
use crate::error::{Error, Result};
use ndarray::{Array1, Array2};

/// A parsed numeric table: column names and row-major values.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<f64>>,
}

impl Table {
    fn column_index(&self, name: &str) -> Result<usize> {
        self.columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| Error::Csv {
                line: 1,
                column: Some(name.to_string()),
                message: format!(
                    "no such column; the header has: {}",
                    self.columns.join(", ")
                ),
            })
    }

    fn matrix(&self, cols: &[usize]) -> Array2<f64> {
        Array2::from_shape_fn((self.rows.len(), cols.len()), |(r, c)| {
            self.rows[r][cols[c]]
        })
    }
}

/// Opens CSV text: checks the header (every column named, no name twice) and returns it with
/// the reader positioned at the first data record. Shared with `frame::read_frame`.
pub(super) fn open(text: &str) -> Result<(Vec<String>, ::csv::Reader<&[u8]>)> {
    if text.trim().is_empty() {
        return Err(Error::Csv {
            line: 1,
            column: None,
            message: "the file is empty".into(),
        });
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let columns: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(str::to_string)
        .collect();
    if let Some(dup) = columns
        .iter()
        .enumerate()
        .find(|(i, c)| columns[..*i].contains(c))
        .map(|(_, c)| c)
    {
        return Err(Error::Csv {
            line: 1,
            column: Some(dup.clone()),
            message: "column name appears twice".into(),
        });
    }
    if let Some(i) = columns.iter().position(|c| c.is_empty()) {
        return Err(Error::Csv {
            line: 1,
            column: None,
            message: format!("column {} has no name", i + 1),
        });
    }
    Ok((columns, reader))
}

/// Parses CSV text whose cells are all numbers.
pub fn read_table(text: &str) -> Result<Table> {
    let (columns, mut reader) = open(text)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        let row = record
            .iter()
            .zip(&columns)
            .map(|(cell, col)| parse_cell(cell, col, line))
            .collect::<Result<Vec<f64>>>()?;
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(Error::Csv {
            line: 2,
            column: None,
            message: "the file has a header but no data rows".into(),
        });
    }
    Ok(Table { columns, rows })
}

fn parse_cell(cell: &str, column: &str, line: u64) -> Result<f64> {
    let err = |message: String| Error::Csv {
        line,
        column: Some(column.to_string()),
        message,
    };
    if cell.is_empty() {
        return Err(err(
            "empty cell (a missing value); fill it in or drop the row".into(),
        ));
    }
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(err(format!("`{cell}` is not a finite number"))),
        Err(_) => Err(err(format!("`{cell}` is not a number"))),
    }
}

pub(super) fn csv_error(e: ::csv::Error) -> Error {
    let line = e.position().map_or(1, |p| p.line());
    let message = match e.kind() {
        ::csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("this row has {len} cells but the header has {expected_len}")
        }
        ::csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8 text".into(),
        _ => e.to_string(),
    };
    Error::Csv {
        line,
        column: None,
        message,
    }
}

/// Reads a training set: `target` is the y column, every other column is a feature.
pub fn read_dataset(text: &str, target: &str) -> Result<Dataset> {
    let table = read_table(text)?;
    let t = table.column_index(target)?;
    if table.columns.len() < 2 {
        return Err(Error::Csv {
            line: 1,
            column: None,
            message: "need at least one feature column beside the target".into(),
        });
    }
    let feature_cols: Vec<usize> = (0..table.columns.len()).filter(|&c| c != t).collect();
    let x = table.matrix(&feature_cols);
    let y = Array1::from_iter(table.rows.iter().map(|r| r[t]));
    let names = feature_cols
        .iter()
        .map(|&c| table.columns[c].clone())
        .collect();
    Dataset::with_names(x, y, names, target.to_string())
}

/// Reads rows to predict: the named feature columns, in the order given (other columns are ignored).
pub fn read_features(text: &str, features: &[String]) -> Result<Array2<f64>> {
    let table = read_table(text)?;
    let cols = features
        .iter()
        .map(|f| table.column_index(f))
        .collect::<Result<Vec<_>>>()?;
    Ok(table.matrix(&cols))
}

/// The header and the data records at `rows` (0-based, in that order) of CSV text, written back
/// as CSV (quoted where needed), so a subset reads exactly as the same rows of the whole file.
pub fn subset(text: &str, rows: &[usize]) -> Result<String> {
    let (columns, mut reader) = open(text)?;
    let records = reader
        .records()
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(csv_error)?;
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let io = |e: ::csv::Error| Error::Io(e.to_string());
    writer.write_record(&columns).map_err(io)?;
    for &r in rows {
        let record = records.get(r).ok_or_else(|| {
            Error::Shape(format!("row {r} asked for, the file has {}", records.len()))
        })?;
        writer.write_record(record).map_err(io)?;
    }
    let bytes = writer.into_inner().map_err(|e| Error::Io(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Io(e.to_string()))
}

/// A numeric matrix as CSV text under header `names` (quoted where needed); numbers are written
/// so they read back exactly.
pub fn write_matrix(names: &[String], x: ndarray::ArrayView2<f64>) -> Result<String> {
    if names.len() != x.ncols() {
        return Err(Error::Shape(format!(
            "{} column names for {} columns",
            names.len(),
            x.ncols()
        )));
    }
    let io = |e: ::csv::Error| Error::Io(e.to_string());
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer.write_record(names).map_err(io)?;
    for row in x.rows() {
        writer
            .write_record(row.iter().map(|v| v.to_string()))
            .map_err(io)?;
    }
    let bytes = writer.into_inner().map_err(|e| Error::Io(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Io(e.to_string()))
}
