//! The table chapter 2's project runs on: the bundled Auto MPG table, or a whole table the reader
//! uploads ([`UploadKind::Table`]). Either way it is read with text columns and missing cells
//! kept, rows without a target are dropped, a column of row names is set aside for error
//! analysis, and a seeded 80/20 train/test split is made once, before anything is learned from
//! the data. Both go through [`ProjectTable::new`], so the demos treat them alike.

use super::python::{self, Script};
use super::Params;
use crate::data::frame::{read_frame, ColumnKind, Frame};
use crate::data::upload::{Upload, UploadKind};
use crate::data::{bundled, Dataset};
use crate::error::{Error, Result};
use crate::model_selection::train_test_split;
use crate::preprocessing::{
    ColumnGroup, ColumnTransformerParams, HandleUnknown, ImputeStrategy, MinMaxScalerParams,
    OneHotEncoderParams, OrdinalEncoderParams, Remainder, SimpleImputerParams,
    StandardScalerParams, Step, TransformerChain,
};
use crate::rng::Rng;
use ndarray::Axis;

/// Auto MPG's numeric feature columns, in table order.
pub(crate) const NUMERIC: [&str; 6] = [
    "cylinders",
    "displacement",
    "horsepower",
    "weight",
    "acceleration",
    "model_year",
];
pub(crate) const ORIGINS: [&str; 3] = ["Europe", "Japan", "USA"];

/// The whole table the end-to-end and grid-search demos take: up to 500 rows, about as many as
/// Auto MPG, since one tick fits a whole cross-validation fold.
pub(crate) const TABLE_UPLOAD: Option<UploadKind> = Some(UploadKind::Table { max_rows: 500 });

pub(crate) struct ProjectTable {
    pub frame: Frame,
    /// The column to predict.
    pub target: String,
    /// The feature columns: numeric ones, then text ones; the datasets' columns in this order.
    pub numeric: Vec<String>,
    pub categorical: Vec<String>,
    /// Features (numbers, text as codes, NaN where missing) and target, for rows that have one.
    pub train: Dataset,
    pub test: Dataset,
    /// A name for each test row: its cell in the row-names column, else its line in the file.
    pub test_names: Vec<String>,
    /// Rows dropped because their target is missing.
    pub dropped: usize,
    /// The reader's file name; `None` for the bundled Auto MPG table.
    pub file: Option<String>,
    /// The column whose cells name rows (`name` for Auto MPG).
    pub row_names: Option<String>,
}

impl ProjectTable {
    /// `frame` with `target` to predict from the `numeric` and `categorical` columns, split with
    /// `seed` (20 % held out).
    pub fn new(
        frame: Frame,
        target: &str,
        numeric: Vec<String>,
        categorical: Vec<String>,
        row_names: Option<String>,
        file: Option<String>,
        seed: u64,
    ) -> Result<ProjectTable> {
        let y_all = frame.values.column(frame.column_index(target)?).to_owned();
        let keep: Vec<usize> = (0..y_all.len()).filter(|&r| !y_all[r].is_nan()).collect();
        let features: Vec<usize> = numeric
            .iter()
            .chain(&categorical)
            .map(|c| frame.column_index(c))
            .collect::<Result<_>>()?;
        let x = frame
            .values
            .select(Axis(0), &keep)
            .select(Axis(1), &features);
        let y = y_all.select(Axis(0), &keep);
        let names_col = row_names
            .as_deref()
            .map(|c| frame.column_index(c))
            .transpose()?;
        let names: Vec<String> = keep
            .iter()
            .map(|&r| match names_col {
                Some(c) if !frame.values[[r, c]].is_nan() => frame.label(c, frame.values[[r, c]]),
                _ => format!("line {}", r + 2),
            })
            .collect();
        let feature_names = features.iter().map(|&c| frame.names[c].clone()).collect();
        let all = Dataset::with_names(x, y, feature_names, target.to_string())?;
        let (train, test) = train_test_split(all.n_samples(), 0.2, &mut Rng::new(seed))?;
        Ok(ProjectTable {
            train: all.select(&train),
            test: all.select(&test),
            test_names: test.iter().map(|&r| names[r].clone()).collect(),
            dropped: y_all.len() - keep.len(),
            frame,
            target: target.to_string(),
            numeric,
            categorical,
            file,
            row_names,
        })
    }

    /// The reader's whole-table upload: its numeric features, then its text features.
    pub fn from_upload(upload: &Upload, seed: u64) -> Result<ProjectTable> {
        let frame = &upload.frame;
        let (numeric, categorical): (Vec<usize>, Vec<usize>) = upload
            .features
            .iter()
            .partition(|&&j| frame.kinds[j] == ColumnKind::Numeric);
        let names = |cols: Vec<usize>| cols.iter().map(|&j| frame.names[j].clone()).collect();
        ProjectTable::new(
            frame.clone(),
            upload.target_name(),
            names(numeric),
            names(categorical),
            upload.row_names(),
            Some(upload.file.clone()),
            seed,
        )
    }

    /// What the rows are, for labels: cars in Auto MPG, rows in a reader's table.
    pub fn rows_word(&self) -> &'static str {
        if self.file.is_some() {
            "rows"
        } else {
            "cars"
        }
    }
}

/// The bundled Auto MPG table: mpg from the numeric columns and `origin`, split with `seed`.
pub(crate) fn auto_mpg(seed: u64) -> Result<ProjectTable> {
    let frame = read_frame(&bundled::auto_mpg_csv()?)?;
    match &frame.kinds[frame.column_index("origin")?] {
        ColumnKind::Categorical(c) if c.iter().map(String::as_str).eq(ORIGINS) => {}
        _ => {
            return Err(Error::Io(
                "bundled auto_mpg: unexpected origin values".into(),
            ))
        }
    }
    let strings = |cols: &[&str]| cols.iter().map(|c| c.to_string()).collect();
    ProjectTable::new(
        frame,
        "mpg",
        strings(&NUMERIC),
        strings(&["origin"]),
        Some("name".into()),
        None,
        seed,
    )
}

/// The table a chapter 2 demo runs on: the reader's upload if there is one, else Auto MPG.
pub(crate) fn project_table(params: &Params, seed: u64) -> Result<ProjectTable> {
    match params.upload() {
        Some(upload) => ProjectTable::from_upload(upload, seed),
        None => auto_mpg(seed),
    }
}

/// The preprocessing the reader picks: how to fill missing numbers, how to scale them, how to
/// encode the text columns (`origin` in Auto MPG; a text column's missing cells are filled with
/// its most frequent text first). `None` when nothing would be left to learn from.
pub(crate) fn preprocessing(
    table: &ProjectTable,
    imputer: &str,
    scaler: &str,
    encode: &str,
) -> Result<ColumnTransformerParams> {
    let strategy = match imputer {
        "mean" => ImputeStrategy::Mean,
        "most_frequent" => ImputeStrategy::MostFrequent,
        _ => ImputeStrategy::Median,
    };
    let mut numeric = vec![Step::SimpleImputer(SimpleImputerParams {
        strategy,
        ..Default::default()
    })];
    match scaler {
        "standard" => numeric.push(Step::StandardScaler(StandardScalerParams::default())),
        "min-max" => numeric.push(Step::MinMaxScaler(MinMaxScalerParams::default())),
        _ => {}
    }
    let mut groups = Vec::new();
    if !table.numeric.is_empty() {
        groups.push(ColumnGroup {
            name: "num".into(),
            columns: table.numeric.clone(),
            chain: TransformerChain::new(numeric),
        });
    }
    let encoder = match encode {
        "one-hot" => Some(Step::OneHotEncoder(OneHotEncoderParams {
            handle_unknown: HandleUnknown::Ignore,
            drop: None,
        })),
        "ordinal" => Some(Step::OrdinalEncoder(OrdinalEncoderParams::default())),
        _ => None,
    };
    if let (Some(step), false) = (encoder, table.categorical.is_empty()) {
        let fill = Step::SimpleImputer(SimpleImputerParams {
            strategy: ImputeStrategy::MostFrequent,
            ..Default::default()
        });
        groups.push(ColumnGroup {
            name: "cat".into(),
            columns: table.categorical.clone(),
            chain: TransformerChain::new(vec![fill, step]),
        });
    }
    if groups.is_empty() {
        return Err(Error::Data {
            column: None,
            message: format!(
                "with the text columns dropped, no feature is left to predict `{}` from: encode them one-hot or ordinal",
                table.target
            ),
        });
    }
    Ok(ColumnTransformerParams {
        groups,
        remainder: Remainder::Drop,
        category_names: table.frame.category_names(),
    })
}

/// A string as a Python literal.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A list of strings as a Python literal.
fn quote_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", items.join(", "))
}

/// Appends the Python that reads the table, drops rows without a target (`dropped` counts them)
/// and splits it as [`ProjectTable::new`] does: `X_train, X_test, y_train, y_test` (X keeps every
/// other column), with the feature columns listed in `numeric` and `categorical`.
pub(crate) fn load_python(s: &mut Script, table: &ProjectTable, seed: u64) {
    s.import("import pandas as pd")
        .import("from sklearn.model_selection import train_test_split");
    let read = match &table.file {
        None => format!(
            "# The Auto MPG table (UCI Machine Learning Repository), read from auto_mpg.csv next to this\n\
             # script: download it first, nothing here goes online. Its columns are name, mpg, origin\n\
             # (Europe, Japan or USA) and {}.\n\
             data = pd.read_csv(\"auto_mpg.csv\")",
            NUMERIC.join(", "),
        ),
        Some(file) => format!(
            "# Your file, read as mlplay read it (put it next to this script; \"?\" marks a missing cell\n\
             # too). Columns left out: {}.\n\
             data = pd.read_csv({}, na_values=[\"?\"])",
            left_out(table).join(", "),
            quote(file)
        ),
    };
    let target = quote(&table.target);
    s.push(&format!(
        "{read}\n\
         # The split differs from mlplay's (another random generator), so the numbers match in\n\
         # kind, not digit for digit.\n\
         dropped = data[{target}].isna().sum()\n\
         data = data.dropna(subset=[{target}])  # no target, nothing to learn from\n\
         X, y = data.drop(columns={target}), data[{target}]\n\
         X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state={})\n\
         numeric = {}\n\
         categorical = {}",
        python::seed(seed),
        quote_list(&table.numeric),
        quote_list(&table.categorical),
    ));
}

/// The table's columns that are neither the target nor a feature (`none` if every one is used).
fn left_out(table: &ProjectTable) -> Vec<String> {
    let used: Vec<&String> = table
        .numeric
        .iter()
        .chain(&table.categorical)
        .chain(std::iter::once(&table.target))
        .collect();
    let rest: Vec<String> = table
        .frame
        .names
        .iter()
        .filter(|n| !used.contains(n))
        .cloned()
        .collect();
    if rest.is_empty() {
        vec!["none".into()]
    } else {
        rest
    }
}

/// A Python expression naming test row `worst` of `X_test` as [`ProjectTable`] names it (its
/// cell in the row-names column, or its line in the file: pandas keeps the rows' numbers).
pub(crate) fn row_name_python(table: &ProjectTable) -> String {
    match &table.row_names {
        Some(c) => format!("X_test[{}].iloc[worst]", quote(c)),
        None => "f\"line {X_test.index[worst] + 2}\"".into(),
    }
}

/// Appends the Python for [`preprocessing`]'s choices: `preprocess`, a `ColumnTransformer`.
pub(crate) fn preprocessing_python(
    s: &mut Script,
    table: &ProjectTable,
    imputer: &str,
    scaler: &str,
    encode: &str,
) {
    s.import("from sklearn.compose import ColumnTransformer")
        .import("from sklearn.impute import SimpleImputer")
        .import("from sklearn.pipeline import Pipeline");
    let strategy = match imputer {
        "mean" | "most_frequent" => imputer,
        _ => "median",
    };
    let mut steps = vec![format!(
        "(\"imputer\", SimpleImputer(strategy=\"{strategy}\"))"
    )];
    match scaler {
        "standard" => {
            s.import("from sklearn.preprocessing import StandardScaler");
            steps.push("(\"scaler\", StandardScaler())".into());
        }
        "min-max" => {
            s.import("from sklearn.preprocessing import MinMaxScaler");
            steps.push("(\"scaler\", MinMaxScaler())".into());
        }
        _ => {}
    }
    let encoder = match encode {
        "one-hot" => {
            s.import("from sklearn.preprocessing import OneHotEncoder");
            "OneHotEncoder(handle_unknown=\"ignore\")"
        }
        "ordinal" => {
            s.import("from sklearn.preprocessing import OrdinalEncoder");
            "OrdinalEncoder()"
        }
        _ => "",
    };
    let mut groups = String::new();
    if !table.numeric.is_empty() {
        groups.push_str(&format!(
            "\n    (\"num\", Pipeline([{}]), numeric),",
            steps.join(", ")
        ));
    }
    if !encoder.is_empty() && !table.categorical.is_empty() {
        groups.push_str(&format!(
            "\n    (\"cat\", Pipeline([(\"imputer\", SimpleImputer(strategy=\"most_frequent\")), (\"encoder\", {encoder})]),\n     categorical),"
        ));
    }
    let mut dropped: Vec<String> = left_out(table)
        .into_iter()
        .filter(|c| c != "none")
        .collect();
    if encoder.is_empty() {
        dropped.extend(table.categorical.iter().cloned());
    }
    let dropped = if dropped.is_empty() {
        String::new()
    } else {
        format!(
            "; the columns not listed ({}) are dropped",
            dropped.join(", ")
        )
    };
    s.push(&format!(
        "\n# Refitted inside every fold by the pipeline{dropped}.\n\
         preprocess = ColumnTransformer([{groups}\n\
         ])"
    ));
}
