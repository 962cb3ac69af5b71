//! Categorical encoders, as scikit-learn's `OneHotEncoder` and `OrdinalEncoder` on numeric
//! categories: each column's categories are its sorted distinct values. Text columns reach them
//! as category codes (`data::frame` numbers a text column's sorted values 0, 1, ...), so the
//! codes' order is the text's order, as in scikit-learn. Missing values are NaN: the one-hot
//! encoder treats NaN as one more category (last, as scikit-learn), the ordinal encoder keeps it.

use super::min_max_scaler::check_missing_ok;
use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// Each column's distinct values, sorted, NaN last when `with_nan` and present.
fn learn_categories(x: ArrayView2<f64>, with_nan: bool) -> Vec<Vec<f64>> {
    x.axis_iter(Axis(1))
        .map(|col| {
            let mut cats: Vec<f64> = col.iter().copied().filter(|v| !v.is_nan()).collect();
            cats.sort_by(f64::total_cmp);
            cats.dedup();
            if with_nan && col.iter().any(|v| v.is_nan()) {
                cats.push(f64::NAN);
            }
            cats
        })
        .collect()
}

/// Where `v` sits among `cats` (NaN matches a NaN category).
fn position(cats: &[f64], v: f64) -> Option<usize> {
    if v.is_nan() {
        cats.iter().position(|c| c.is_nan())
    } else {
        cats.binary_search_by(|c| {
            if c.is_nan() {
                std::cmp::Ordering::Greater
            } else {
                c.total_cmp(&v)
            }
        })
        .ok()
    }
}

fn unknown(column: usize, v: f64) -> Error {
    Error::invalid(
        "handle_unknown",
        format!("\"error\" and column {column} has the value {v}, unseen while fitting"),
        "\"ignore\" (one-hot) or an unknown_value (ordinal) to accept new categories",
    )
}

/// How a category written as a number reads in a column name: whole numbers without ".0".
pub fn category_label(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else {
        format!("{v}")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandleUnknown {
    Error,
    Ignore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropCategory {
    First,
    IfBinary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OneHotEncoderParams {
    pub handle_unknown: HandleUnknown,
    /// Leave out one column per feature (`first`), or only for two-category features (`if_binary`).
    pub drop: Option<DropCategory>,
}

impl Default for OneHotEncoderParams {
    fn default() -> Self {
        OneHotEncoderParams {
            handle_unknown: HandleUnknown::Error,
            drop: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneHotEncoder {
    /// Per input column, its categories in output order (NaN serialises as null).
    pub categories: Vec<Vec<f64>>,
    /// Per input column, the category left out (index into `categories`), if any.
    pub dropped: Vec<Option<usize>>,
    pub handle_unknown: HandleUnknown,
}

impl OneHotEncoderParams {
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<OneHotEncoder> {
        check_missing_ok(x, None)?;
        let categories = learn_categories(x, true);
        let dropped = categories
            .iter()
            .map(|c| match self.drop {
                Some(DropCategory::First) => Some(0),
                Some(DropCategory::IfBinary) if c.len() == 2 => Some(0),
                _ => None,
            })
            .collect();
        Ok(OneHotEncoder {
            categories,
            dropped,
            handle_unknown: self.handle_unknown,
        })
    }
}

impl OneHotEncoder {
    pub fn params() -> OneHotEncoderParams {
        OneHotEncoderParams::default()
    }

    /// (input column, category index) of each output column.
    fn outputs(&self) -> Vec<(usize, usize)> {
        self.categories
            .iter()
            .enumerate()
            .flat_map(|(j, cats)| {
                (0..cats.len())
                    .filter(move |&k| self.dropped[j] != Some(k))
                    .map(move |k| (j, k))
            })
            .collect()
    }

    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_missing_ok(x, Some(self.categories.len()))?;
        let outputs = self.outputs();
        let mut out = Array2::zeros((x.nrows(), outputs.len()));
        // Output column of (input column, category), None for the dropped one.
        let mut column_of: Vec<Vec<Option<usize>>> = self
            .categories
            .iter()
            .map(|c| vec![None; c.len()])
            .collect();
        for (o, &(j, k)) in outputs.iter().enumerate() {
            column_of[j][k] = Some(o);
        }
        for (r, row) in x.rows().into_iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                match position(&self.categories[j], v) {
                    Some(k) => {
                        if let Some(o) = column_of[j][k] {
                            out[[r, o]] = 1.0;
                        }
                    }
                    None if self.handle_unknown == HandleUnknown::Ignore => {}
                    None => return Err(unknown(j, v)),
                }
            }
        }
        Ok(out)
    }

    /// `NAME_LABEL` per output column; `label(column, value)` names a category.
    pub fn feature_names_out(
        &self,
        names: &[String],
        label: &dyn Fn(usize, f64) -> String,
    ) -> Vec<String> {
        self.outputs()
            .into_iter()
            .map(|(j, k)| format!("{}_{}", names[j], label(j, self.categories[j][k])))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct OrdinalEncoderParams {
    /// The code for a category unseen while fitting; `None` makes such a value an error.
    pub unknown_value: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrdinalEncoder {
    pub categories: Vec<Vec<f64>>,
    pub unknown_value: Option<f64>,
}

impl OrdinalEncoderParams {
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<OrdinalEncoder> {
        check_missing_ok(x, None)?;
        Ok(OrdinalEncoder {
            categories: learn_categories(x, false),
            unknown_value: self.unknown_value,
        })
    }
}

impl OrdinalEncoder {
    pub fn params() -> OrdinalEncoderParams {
        OrdinalEncoderParams::default()
    }

    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_missing_ok(x, Some(self.categories.len()))?;
        let mut out = x.to_owned();
        for ((_, j), v) in out.indexed_iter_mut() {
            if v.is_nan() {
                continue;
            }
            *v = match (position(&self.categories[j], *v), self.unknown_value) {
                (Some(k), _) => k as f64,
                (None, Some(u)) => u,
                (None, None) => return Err(unknown(j, *v)),
            };
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn one_hot_puts_missing_last_and_drops_if_binary() {
        let x = array![[2.0, 1.0], [0.0, f64::NAN], [2.0, 0.0]];
        let enc = OneHotEncoderParams {
            drop: Some(DropCategory::IfBinary),
            ..Default::default()
        }
        .fit(x.view())
        .unwrap();
        // Column 0 has two categories (one output), column 1 three (0, 1, NaN).
        let t = enc.transform(x.view()).unwrap();
        assert_eq!(
            t,
            array![
                [1.0, 0.0, 1.0, 0.0],
                [0.0, 0.0, 0.0, 1.0],
                [1.0, 1.0, 0.0, 0.0]
            ]
        );
        let err = enc.transform(array![[5.0, 0.0]].view()).unwrap_err();
        assert!(err.to_string().contains("unseen"), "{err}");
    }

    #[test]
    fn ordinal_keeps_missing_and_codes_unknowns() {
        let x = array![[10.0], [f64::NAN], [-3.0]];
        let enc = OrdinalEncoderParams {
            unknown_value: Some(-1.0),
        }
        .fit(x.view())
        .unwrap();
        let t = enc.transform(array![[10.0], [7.0], [-3.0]].view()).unwrap();
        assert_eq!(t, array![[1.0], [-1.0], [0.0]]);
        assert!(enc.transform(x.view()).unwrap()[[1, 0]].is_nan());
    }
}
