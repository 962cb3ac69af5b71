//! The whole-table upload ([`UploadKind::Table`]): which columns are features, which are left
//! out and why, and the rules such a table must meet.

use super::{column_error, data_error, Upload, UploadKind, MIN_ROWS};
use crate::data::frame::{ColumnKind, Frame};
use crate::error::Result;

/// Most different texts a text feature of a whole table may hold: more (or more than half the
/// rows) reads as names or ids, which one-hot encoding would turn into a column per row.
pub const MAX_CATEGORIES: usize = 30;
/// Column names read as the target of a whole table when one of them is numeric (compared
/// without case); otherwise the last numeric column is.
pub(super) const TARGET_NAMES: [&str; 8] = [
    "target", "y", "label", "price", "value", "outcome", "output", "response",
];

impl Upload {
    /// Rows whose target cell is empty (a whole table's demo drops them).
    pub fn missing_targets(&self) -> usize {
        self.target.map_or(0, |t| {
            self.frame
                .values
                .column(t)
                .iter()
                .filter(|v| v.is_nan())
                .count()
        })
    }

    /// The columns of a whole table that are neither the target nor a feature, each with the
    /// reason (empty for the other kinds, which pick their columns).
    pub fn left_out(&self) -> Vec<(String, String)> {
        if !matches!(self.kind, UploadKind::Table { .. }) {
            return Vec::new();
        }
        (0..self.frame.names.len())
            .filter(|&j| Some(j) != self.target && !self.features.contains(&j))
            .map(|j| {
                let why = left_out_reason(&self.frame, j).unwrap_or_else(|| "not used".to_string());
                (self.frame.names[j].clone(), why)
            })
            .collect()
    }

    /// The first text column left out of a whole table: its cells (names, ids) label rows in
    /// an error analysis.
    pub fn row_names(&self) -> Option<String> {
        self.left_out()
            .into_iter()
            .map(|(name, _)| name)
            .find(|name| {
                self.frame
                    .column_index(name)
                    .is_ok_and(|j| matches!(self.frame.kinds[j], ColumnKind::Categorical(_)))
            })
    }

    /// What the page says about the file beyond its size: the columns left out and the rows
    /// dropped for want of a target (empty where there is nothing to say).
    pub fn notes(&self) -> String {
        let mut notes = Vec::new();
        let left = self.left_out();
        if !left.is_empty() {
            let list: Vec<String> = left
                .iter()
                .map(|(name, why)| format!("`{name}` ({why})"))
                .collect();
            notes.push(format!("Left out: {}.", list.join(", ")));
        }
        let missing = self.missing_targets();
        if missing > 0 && matches!(self.kind, UploadKind::Table { .. }) {
            notes.push(format!(
                "{missing} row(s) without `{}` dropped.",
                self.target_name()
            ));
        }
        notes.join(" ")
    }
    /// A whole table's rules: a numeric target with enough rows that have it, and at least one
    /// feature left. Text and missing cells in the features are the pipeline's job.
    pub(super) fn check_table(&self) -> Result<()> {
        let Some(target) = self.target else {
            return Err(data_error("pick the column to predict"));
        };
        self.check_numeric_target(target)?;
        let t = self.target_name();
        let n = self.n_rows();
        let have = n - self.missing_targets();
        if have < MIN_ROWS {
            return Err(column_error(
                t,
                format!(
                    "has a value in only {have} of {n} rows; this demo needs at least {MIN_ROWS} rows with a target (rows without one are dropped): pick another column or fill in the missing values"
                ),
            ));
        }
        if self.features.is_empty() {
            let left = self.left_out();
            if left.is_empty() {
                return Err(data_error(format!(
                    "the file has no column besides the target `{t}`: add the columns to predict it from"
                )));
            }
            let list: Vec<String> = left
                .iter()
                .map(|(name, why)| format!("`{name}` ({why})"))
                .collect();
            return Err(data_error(format!(
                "no feature column is left besides the target `{t}`: {} cannot be used (a text column needs at most {MAX_CATEGORIES} different texts, and no more than half as many as rows); add numeric columns or text columns whose values repeat",
                list.join(", ")
            )));
        }
        Ok(())
    }
}

/// The features of a whole table with target `target`: every other column that
/// [`left_out_reason`] keeps.
pub(super) fn table_features(frame: &Frame, target: usize) -> Vec<usize> {
    (0..frame.names.len())
        .filter(|&j| j != target && left_out_reason(frame, j).is_none())
        .collect()
}

/// Why column `j` cannot be a feature of a whole table: it is empty, or it is text with so many
/// different values (names, ids) that one-hot encoding would make a column for nearly every row.
fn left_out_reason(frame: &Frame, j: usize) -> Option<String> {
    let col = frame.values.column(j);
    if col.iter().all(|v| v.is_nan()) {
        return Some("no values".to_string());
    }
    match &frame.kinds[j] {
        ColumnKind::Categorical(cats)
            if cats.len() > MAX_CATEGORIES || 2 * cats.len() > col.len() =>
        {
            Some(format!("{} different texts", cats.len()))
        }
        _ => None,
    }
}
