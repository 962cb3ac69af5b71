//! Polynomial feature expansion with scikit-learn's column order: bias, then every monomial of
//! degree 1, 2, ... as combinations with replacement of the input columns in lexicographic order.

use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolynomialFeatures {
    pub degree: usize,
    pub include_bias: bool,
}

impl Default for PolynomialFeatures {
    fn default() -> Self {
        PolynomialFeatures {
            degree: 2,
            include_bias: true,
        }
    }
}

impl PolynomialFeatures {
    pub fn new(degree: usize, include_bias: bool) -> Self {
        PolynomialFeatures {
            degree,
            include_bias,
        }
    }

    /// The monomials as lists of input-column indices (an empty list is the bias).
    pub fn powers(&self, n_features: usize) -> Vec<Vec<usize>> {
        let mut out: Vec<Vec<usize>> = if self.include_bias {
            vec![vec![]]
        } else {
            vec![]
        };
        let mut level: Vec<Vec<usize>> = vec![vec![]];
        for _ in 0..self.degree {
            level = level
                .iter()
                .flat_map(|combo| {
                    let start = combo.last().copied().unwrap_or(0);
                    (start..n_features).map(move |j| {
                        let mut c = combo.clone();
                        c.push(j);
                        c
                    })
                })
                .collect();
            out.extend(level.iter().cloned());
        }
        out
    }

    /// Stateless: the expansion depends only on the number of columns.
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if self.degree == 0 && !self.include_bias {
            return Err(Error::invalid(
                "degree",
                0,
                "at least 1 when include_bias is false",
            ));
        }
        let powers = self.powers(x.ncols());
        Ok(Array2::from_shape_fn(
            (x.nrows(), powers.len()),
            |(r, c)| powers[c].iter().map(|&j| x[[r, j]]).product(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn order_matches_scikit_learn() {
        // PolynomialFeatures(2).fit_transform([[2, 3]]) == [[1, 2, 3, 4, 6, 9]]
        let out = PolynomialFeatures::new(2, true)
            .transform(array![[2.0, 3.0]].view())
            .unwrap();
        assert_eq!(out, array![[1.0, 2.0, 3.0, 4.0, 6.0, 9.0]]);
        let cubic = PolynomialFeatures::new(3, false)
            .transform(array![[2.0]].view())
            .unwrap();
        assert_eq!(cubic, array![[2.0, 4.0, 8.0]]);
    }
}
