//! Preprocessing against scikit-learn 1.9.1 (tests/fixtures/preprocessing.json, written by
//! scripts/fixtures.d/preprocessing.py): MinMaxScaler, SimpleImputer, OneHotEncoder and
//! OrdinalEncoder on data with missing values to 1e-12 (NaN where scikit-learn has NaN), and two
//! ColumnTransformer + Ridge pipelines on a CSV with text columns and missing cells: output column
//! names exactly, transformed rows, coefficients, predictions and cross-validated R² to 1e-9.

use crate::common;

use common::assert_close;
use mlplay::data::frame::{read_frame, ColumnKind};
use mlplay::estimator::{Fit, Regressor};
use mlplay::linear::RidgeParams;
use mlplay::model_selection::{cross_val_score, GridSearchCv, KFold};
use mlplay::preprocessing::*;
use ndarray::Array2;
use serde_json::{json, Value as Json};

fn fixture() -> Json {
    serde_json::from_str(include_str!("fixtures/preprocessing.json")).expect("fixture parses")
}

/// A fixture matrix with null as NaN.
fn matrix(v: &Json) -> Array2<f64> {
    let rows = v.as_array().expect("rows");
    let p = rows[0].as_array().unwrap().len();
    Array2::from_shape_fn((rows.len(), p), |(i, j)| {
        rows[i][j].as_f64().unwrap_or(f64::NAN)
    })
}

/// Equal within `rel` (relative to max(|b|, 1)), NaN exactly where scikit-learn has NaN.
fn assert_matrix(what: &str, ours: &Array2<f64>, theirs: &Json, rel: f64) {
    let t = matrix(theirs);
    assert_eq!(ours.dim(), t.dim(), "{what}: shape");
    for ((idx, a), b) in ours.indexed_iter().zip(t.iter()) {
        if b.is_nan() {
            assert!(a.is_nan(), "{what}{idx:?}: ours {a}, scikit-learn NaN");
        } else {
            assert!(
                (a - b).abs() <= rel * b.abs().max(1.0),
                "{what}{idx:?}: ours {a}, scikit-learn {b}"
            );
        }
    }
}

fn row(v: &Json) -> Json {
    json!([v.clone()])
}

#[test]
fn min_max_scaler_matches_scikit_learn() {
    let fx = fixture();
    let x = matrix(&fx["x"]);
    for case in fx["min_max_scaler"].as_array().unwrap() {
        let params: MinMaxScalerParams = serde_json::from_value(case["params"].clone()).unwrap();
        let m = params.fit(x.view()).unwrap();
        let name = case["name"].as_str().unwrap();
        assert_matrix(
            name,
            &m.scale.clone().insert_axis(ndarray::Axis(0)),
            &row(&case["scale"]),
            1e-12,
        );
        assert_matrix(
            name,
            &m.min.clone().insert_axis(ndarray::Axis(0)),
            &row(&case["min"]),
            1e-12,
        );
        assert_matrix(
            name,
            &m.transform(x.view()).unwrap(),
            &case["transform"],
            1e-12,
        );
        let test = matrix(&case["x_test"]);
        assert_matrix(
            name,
            &m.transform(test.view()).unwrap(),
            &case["transform_test"],
            1e-12,
        );
        // inverse_transform undoes transform (clipping aside).
        if !params.clip {
            let back = m
                .inverse_transform(m.transform(test.view()).unwrap().view())
                .unwrap();
            assert_matrix("inverse", &back, &case["x_test"], 1e-12);
        }
    }
}

#[test]
fn simple_imputer_matches_scikit_learn() {
    let fx = fixture();
    let x = matrix(&fx["x_all_missing"]);
    for case in fx["simple_imputer"].as_array().unwrap() {
        let params: SimpleImputerParams = serde_json::from_value(case["params"].clone()).unwrap();
        let m = params.fit(x.view()).unwrap();
        let name = case["name"].as_str().unwrap();
        assert_matrix(
            name,
            &m.statistics.clone().insert_axis(ndarray::Axis(0)),
            &row(&case["statistics"]),
            1e-12,
        );
        assert_matrix(
            name,
            &m.transform(x.view()).unwrap(),
            &case["transform"],
            1e-12,
        );
    }
    let err = SimpleImputerParams::default()
        .fit(ndarray::array![[1.0, f64::INFINITY]].view())
        .unwrap_err();
    assert!(err.to_string().contains("infinite"), "{err}");
}

#[test]
fn encoders_match_scikit_learn() {
    let fx = fixture();
    let cats = matrix(&fx["cats"]);
    for case in fx["one_hot_encoder"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let params: OneHotEncoderParams = serde_json::from_value(case["params"].clone()).unwrap();
        let (fit_on, test) = match name {
            "if-binary" => (
                cats.select(ndarray::Axis(1), &[1]),
                cats.select(ndarray::Axis(1), &[1]),
            ),
            "ignore" => (cats.clone(), matrix(&fx["cats_test"])),
            _ => (cats.clone(), cats.clone()),
        };
        let m = params.fit(fit_on.view()).unwrap();
        for (ours, theirs) in m
            .categories
            .iter()
            .zip(case["categories"].as_array().unwrap())
        {
            let o = Array2::from_shape_vec((1, ours.len()), ours.clone()).unwrap();
            assert_matrix(name, &o, &row(theirs), 0.0);
        }
        assert_matrix(
            name,
            &m.transform(test.view()).unwrap(),
            &case["transform"],
            0.0,
        );
    }
    // The default refuses a category it never saw, naming the column and value.
    let m = OneHotEncoderParams::default().fit(cats.view()).unwrap();
    let err = m.transform(matrix(&fx["cats_test"]).view()).unwrap_err();
    assert!(
        err.to_string().contains("column 0 has the value 4"),
        "{err}"
    );

    let ord = OrdinalEncoderParams {
        unknown_value: Some(-1.0),
    }
    .fit(cats.view())
    .unwrap();
    let t = ord.transform(matrix(&fx["cats_test"]).view()).unwrap();
    assert_matrix("ordinal", &t, &fx["ordinal_encoder"]["transform"], 0.0);
}

fn pipeline(name: &str, frame: &mlplay::data::frame::Frame) -> PipelineParams<RidgeParams> {
    let text_names = frame.category_names();
    let chain = |steps: Vec<Step>| TransformerChain::new(steps);
    let group = |name: &str, cols: &[&str], steps| ColumnGroup {
        name: name.into(),
        columns: cols.iter().map(|c| c.to_string()).collect(),
        chain: chain(steps),
    };
    let preprocess = match name {
        "median-standard-onehot" => ColumnTransformerParams {
            groups: vec![
                group(
                    "num",
                    &["area", "rooms"],
                    vec![
                        Step::SimpleImputer(SimpleImputerParams {
                            strategy: ImputeStrategy::Median,
                            ..Default::default()
                        }),
                        Step::StandardScaler(StandardScalerParams::default()),
                    ],
                ),
                group(
                    "cat",
                    &["town", "garden"],
                    vec![Step::OneHotEncoder(OneHotEncoderParams {
                        handle_unknown: HandleUnknown::Ignore,
                        drop: None,
                    })],
                ),
            ],
            remainder: Remainder::Drop,
            category_names: text_names,
        },
        _ => ColumnTransformerParams {
            groups: vec![
                group(
                    "area",
                    &["area"],
                    vec![
                        Step::SimpleImputer(SimpleImputerParams::default()),
                        Step::MinMaxScaler(MinMaxScalerParams::default()),
                    ],
                ),
                group(
                    "cat",
                    &["town", "garden"],
                    vec![
                        Step::SimpleImputer(SimpleImputerParams {
                            strategy: ImputeStrategy::MostFrequent,
                            ..Default::default()
                        }),
                        Step::OneHotEncoder(OneHotEncoderParams {
                            handle_unknown: HandleUnknown::Error,
                            drop: Some(DropCategory::First),
                        }),
                    ],
                ),
            ],
            remainder: Remainder::Passthrough,
            category_names: text_names,
        },
    };
    PipelineParams {
        preprocess,
        estimator: RidgeParams::default(),
    }
}

#[test]
fn pipelines_on_a_mixed_table_match_scikit_learn() {
    let fx = fixture();
    let text = include_str!("fixtures/data/mixed_small.csv");
    let frame = read_frame(text).unwrap();
    assert_eq!(frame.categorical(), vec!["town", "garden"]);
    assert!(matches!(&frame.kinds[2], ColumnKind::Categorical(c) if c.len() == 4));
    let data = frame.regression_dataset("price").unwrap();
    for case in fx["pipelines"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let params = pipeline(name, &frame);
        let model = params.fit(&data).unwrap();
        assert_eq!(
            json!(model.preprocess.feature_names_out),
            case["feature_names_out"],
            "{name}"
        );
        let head = model.transform(data.x.slice(ndarray::s![..5, ..])).unwrap();
        assert_matrix(name, &head, &case["transformed_head"], 1e-9);
        assert_close(
            "coef",
            &json!(model.model.coef().to_vec()),
            &case["coef"],
            1e-9,
        );
        assert_close(
            "intercept",
            &json!(model.model.intercept()),
            &case["intercept"],
            1e-9,
        );
        let pred = model.predict(data.x.view()).unwrap();
        assert_close(
            "predictions",
            &json!(pred.to_vec()),
            &case["predictions"],
            1e-9,
        );
        // Cross-validation refits the imputer, scaler and encoder inside every fold.
        let folds = KFold::new(5).split(data.n_samples()).unwrap();
        let scores = cross_val_score(&params, &data, &folds, |m, d| {
            m.score(d.x.view(), d.y.view())
        })
        .unwrap();
        assert_close("cv r2", &json!(scores), &case["cv_r2"], 1e-9);
        if let Some(expected) = case.get("predict_rows") {
            // An unseen town ("harbour") and a missing one both one-hot to zeros or `town_nan`.
            let rows = frame
                .rows_like(
                    include_str!("fixtures/data/mixed_small_predict.csv"),
                    &data.feature_names,
                )
                .unwrap();
            let pred = model.predict(rows.view()).unwrap();
            assert_close("predict rows", &json!(pred.to_vec()), expected, 1e-9);
        }
    }
}

#[test]
fn grid_search_reaches_into_the_pipeline() {
    let text = include_str!("fixtures/data/mixed_small.csv");
    let frame = read_frame(text).unwrap();
    let data = frame.regression_dataset("price").unwrap();
    let folds = KFold::new(5).split(data.n_samples()).unwrap();
    let search = GridSearchCv::new(vec![(
        "estimator__alpha".into(),
        vec![json!(0.01), json!(1.0), json!(100.0)],
    )]);
    let result = search
        .fit(
            &pipeline("median-standard-onehot", &frame),
            &data,
            &folds,
            |m, d| m.score(d.x.view(), d.y.view()),
        )
        .unwrap();
    assert_eq!(result.candidates.len(), 3);
    // Heavy shrinkage (alpha = 100) costs accuracy on this nearly linear table.
    assert!(result.candidates[2].mean_score < result.best().mean_score);
}

#[test]
fn mixed_csv_problems_get_specific_messages() {
    let frame = read_frame("a,b,label\n1,x,yes\n2,y,no\n").unwrap();
    let err = frame.regression_dataset("label").unwrap_err().to_string();
    assert!(err.contains("holds text") && err.contains("label"), "{err}");
    let frame = read_frame("a,b,y\n1,x,3\n2,y,\n4,z,NA\n").unwrap();
    let err = frame.regression_dataset("y").unwrap_err().to_string();
    assert!(err.contains("missing on line(s) 3, 4"), "{err}");
    let err = read_frame("a,b\n1,2\n3\n").unwrap_err().to_string();
    assert!(err.contains("line 3") && err.contains("1 cells"), "{err}");
    let frame = read_frame("a,t,y\n1,x,3\n2,y,4\n").unwrap();
    let err = frame
        .rows_like("a,t\nbig,x\n", &["a".to_string(), "t".to_string()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("`big` is not a number"), "{err}");
}

#[test]
fn the_bundled_auto_mpg_table_reads_as_a_frame() {
    let frame = read_frame(&mlplay::data::bundled::auto_mpg_csv().unwrap()).unwrap();
    assert_eq!(frame.values.nrows(), 406);
    assert_eq!(frame.categorical(), vec!["name", "origin"]);
    let missing = |c: &str| {
        let j = frame.column_index(c).unwrap();
        frame.values.column(j).iter().filter(|v| v.is_nan()).count()
    };
    assert_eq!(
        (missing("mpg"), missing("horsepower"), missing("weight")),
        (8, 6, 0)
    );
    assert!(
        matches!(&frame.kinds[8], ColumnKind::Categorical(c) if c == &["Europe", "Japan", "USA"])
    );
    // The target is missing for 8 cars: the error lists where.
    let err = frame.regression_dataset("mpg").unwrap_err().to_string();
    assert!(err.contains("missing on line(s)"), "{err}");
}

#[test]
fn bundled_iris_is_fishers_table() {
    let iris = mlplay::data::bundled::iris().unwrap();
    assert_eq!(iris.x.dim(), (150, 4));
    assert_eq!(iris.feature_names[2], "petal_length");
    for class in 0..3 {
        assert_eq!(iris.y.iter().filter(|&&y| y == class as f64).count(), 50);
    }
    // The first flower (setosa) and the column means of the classic table.
    assert_eq!(iris.x.row(0).to_vec(), [5.1, 3.5, 1.4, 0.2]);
    let means = iris.x.mean_axis(ndarray::Axis(0)).unwrap();
    for (m, want) in means.iter().zip([5.8433, 3.0573, 3.7580, 1.1993]) {
        assert!((m - want).abs() < 1e-4, "{m} vs {want}");
    }
}
