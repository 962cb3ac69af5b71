//! The Auto MPG table as chapter 2's demos use it: read with text columns and missing cells kept,
//! cars without a target (mpg) dropped, the `name` column set aside for error analysis, and a
//! seeded 80/20 train/test split made once, before anything is learned from the data.

use super::python::{self, Script};
use crate::data::frame::{read_frame, ColumnKind, Frame};
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

/// The numeric feature columns, in table order.
pub(crate) const NUMERIC: [&str; 6] = [
    "cylinders",
    "displacement",
    "horsepower",
    "weight",
    "acceleration",
    "model_year",
];
pub(crate) const ORIGINS: [&str; 3] = ["Europe", "Japan", "USA"];

pub(crate) struct Cars {
    pub frame: Frame,
    /// Features (the numeric columns and `origin` as a code) and mpg, for cars that have an mpg.
    pub train: Dataset,
    pub test: Dataset,
    pub test_names: Vec<String>,
    /// Cars dropped because their mpg is missing.
    pub dropped: usize,
}

/// Loads the table and splits it with `seed` (20 % held out).
pub(crate) fn cars(seed: u64) -> Result<Cars> {
    let frame = read_frame(&bundled::auto_mpg_csv()?)?;
    let mpg = frame.values.column(frame.column_index("mpg")?).to_owned();
    let keep: Vec<usize> = (0..mpg.len()).filter(|&r| !mpg[r].is_nan()).collect();
    let features: Vec<usize> = NUMERIC
        .iter()
        .chain(&["origin"])
        .map(|c| frame.column_index(c))
        .collect::<Result<_>>()?;
    let x = frame
        .values
        .select(Axis(0), &keep)
        .select(Axis(1), &features);
    let y = mpg.select(Axis(0), &keep);
    let names_col = frame.column_index("name")?;
    let names: Vec<String> = keep
        .iter()
        .map(|&r| frame.label(names_col, frame.values[[r, names_col]]))
        .collect();
    let feature_names = features.iter().map(|&c| frame.names[c].clone()).collect();
    let all = Dataset::with_names(x, y, feature_names, "mpg".into())?;
    let (train, test) = train_test_split(all.n_samples(), 0.2, &mut Rng::new(seed))?;
    match &frame.kinds[frame.column_index("origin")?] {
        ColumnKind::Categorical(c) if c.iter().map(String::as_str).eq(ORIGINS) => {}
        _ => {
            return Err(Error::Io(
                "bundled auto_mpg: unexpected origin values".into(),
            ))
        }
    }
    Ok(Cars {
        train: all.select(&train),
        test: all.select(&test),
        test_names: test.iter().map(|&r| names[r].clone()).collect(),
        dropped: mpg.len() - keep.len(),
        frame,
    })
}

/// The preprocessing the reader picks: how to fill missing numbers, how to scale them, how to
/// encode `origin`.
pub(crate) fn preprocessing(
    frame: &Frame,
    imputer: &str,
    scaler: &str,
    origin: &str,
) -> ColumnTransformerParams {
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
    let mut groups = vec![ColumnGroup {
        name: "num".into(),
        columns: NUMERIC.iter().map(|c| c.to_string()).collect(),
        chain: TransformerChain::new(numeric),
    }];
    let encode = match origin {
        "one-hot" => Some(Step::OneHotEncoder(OneHotEncoderParams {
            handle_unknown: HandleUnknown::Ignore,
            drop: None,
        })),
        "ordinal" => Some(Step::OrdinalEncoder(OrdinalEncoderParams::default())),
        _ => None,
    };
    if let Some(step) = encode {
        groups.push(ColumnGroup {
            name: "cat".into(),
            columns: vec!["origin".into()],
            chain: TransformerChain::new(vec![step]),
        });
    }
    ColumnTransformerParams {
        groups,
        remainder: Remainder::Drop,
        category_names: frame.category_names(),
    }
}

/// Appends the Python that reads the table, drops cars without mpg (`dropped` counts them) and
/// splits it as [`cars`] does: `X_train, X_test, y_train, y_test` (X keeps every other column).
pub(crate) fn load_python(s: &mut Script, seed: u64) {
    s.import("import pandas as pd")
        .import("from sklearn.model_selection import train_test_split")
        .push(&format!(
            "# The Auto MPG table (UCI Machine Learning Repository), read from auto_mpg.csv next to this\n\
             # script: download it first, nothing here goes online. Its columns are name, mpg, origin\n\
             # (Europe, Japan or USA) and {}.\n\
             # The split differs from mlplay's (another random generator), so the numbers match in\n\
             # kind, not digit for digit.\n\
             cars = pd.read_csv(\"auto_mpg.csv\")\n\
             dropped = cars[\"mpg\"].isna().sum()\n\
             cars = cars.dropna(subset=[\"mpg\"])  # no target, nothing to learn from\n\
             X, y = cars.drop(columns=\"mpg\"), cars[\"mpg\"]\n\
             X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state={})\n\
             numeric = {:?}",
            NUMERIC.join(", "),
            python::seed(seed),
            NUMERIC
        ));
}

/// Appends the Python for [`preprocessing`]'s choices: `preprocess`, a `ColumnTransformer`.
pub(crate) fn preprocessing_python(s: &mut Script, imputer: &str, scaler: &str, origin: &str) {
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
    let encoder = match origin {
        "one-hot" => {
            s.import("from sklearn.preprocessing import OneHotEncoder");
            "\n    (\"cat\", OneHotEncoder(handle_unknown=\"ignore\"), [\"origin\"]),"
        }
        "ordinal" => {
            s.import("from sklearn.preprocessing import OrdinalEncoder");
            "\n    (\"cat\", OrdinalEncoder(), [\"origin\"]),"
        }
        _ => "",
    };
    s.push(&format!(
        "\n# Refitted inside every fold by the pipeline; the columns not listed (name{}) are dropped.\n\
         preprocess = ColumnTransformer([\n\
         \x20   (\"num\", Pipeline([{}]), numeric),{encoder}\n\
         ])",
        if encoder.is_empty() { ", origin" } else { "" },
        steps.join(", ")
    ));
}
