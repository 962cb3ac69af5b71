//! `mlplay fit` / `mlplay transform` for the preprocessing, pipeline, search, splitter and curve
//! names, against scikit-learn 1.9.1 (tests/fixtures/cli_tools.json, from
//! scripts/fixtures.d/cli_tools.py): transformed rows and output names to 1e-9, search scores
//! and ranks to 1e-9, splitter folds exactly, learning/validation curve scores to 1e-9. Also the
//! errors a reader meets first.
#![cfg(not(target_arch = "wasm32"))]

use crate::common;

use common::{assert_close, fit_json, mlplay};
use serde_json::Value as Json;

const TOL: f64 = 1e-9;

fn fixture() -> Json {
    serde_json::from_str(include_str!("fixtures/cli_tools.json")).unwrap()
}

fn data(case: &Json) -> String {
    format!("tests/fixtures/data/{}", case["data"].as_str().unwrap())
}

/// `mlplay CMD NAME --data F [--target T] --set ...` as arguments.
fn args<'a>(cmd: &'a str, name: &'a str, data: &'a str, case: &'a Json) -> Vec<&'a str> {
    let mut a = vec![cmd, name, "--data", data];
    if let Some(t) = case["target"].as_str() {
        a.extend(["--target", t]);
    }
    for s in case["sets"].as_array().unwrap() {
        a.extend(["--set", s.as_str().unwrap()]);
    }
    a
}

/// Cells of CSV text after the header, NaN as None.
fn cells(csv: &str) -> (Vec<String>, Vec<Vec<Option<f64>>>) {
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| {
            rec.unwrap()
                .iter()
                .map(|c| Some(c.parse::<f64>().unwrap()).filter(|v| !v.is_nan()))
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn transformers_give_scikit_learns_rows_names_and_attributes() {
    let fx = fixture();
    for case in fx["transform"].as_array().unwrap() {
        let name = case["estimator"].as_str().unwrap();
        let file = data(case);
        let (ok, out, err) = mlplay(&args("transform", name, &file, case));
        assert!(ok, "{name}: {err}");
        let (header, rows) = cells(&out);
        let target = case["target"].as_str().unwrap();
        let names: Vec<String> = serde_json::from_value(case["names"].clone()).unwrap();
        assert_eq!(
            header[..header.len() - 1],
            names[..],
            "{name}: output names"
        );
        assert_eq!(
            header.last().map(String::as_str),
            Some(target),
            "{name}: target last"
        );
        let theirs = case["rows"].as_array().unwrap();
        assert_eq!(rows.len(), theirs.len(), "{name}: rows");
        for (r, (ours, theirs)) in rows.iter().zip(theirs).enumerate() {
            for (c, theirs) in theirs.as_array().unwrap().iter().enumerate() {
                match (ours[c], theirs.as_f64()) {
                    (None, None) => {}
                    (Some(a), Some(b)) => assert!(
                        (a - b).abs() <= TOL * b.abs().max(1.0),
                        "{name} [{r},{c}]: ours {a}, scikit-learn {b}"
                    ),
                    (a, b) => panic!("{name} [{r},{c}]: ours {a:?}, scikit-learn {b:?}"),
                }
            }
        }
        // `mlplay fit` prints the same names and what was learned.
        let fitted = fit_json(&args("fit", name, &file, case));
        assert_eq!(fitted["feature_names_out"], case["names"], "{name}");
        for attr in ["mean", "scale", "data_min", "statistics"] {
            if !case[attr].is_null() {
                assert_close(&format!("{name} {attr}"), &fitted[attr], &case[attr], TOL);
            }
        }
    }
}

#[test]
fn one_hot_fit_lists_categories_as_text() {
    let out = fit_json(&[
        "fit",
        "one-hot-encoder",
        "--data",
        "tests/fixtures/data/mixed_text.csv",
        "--target",
        "price",
    ]);
    let towns: Vec<Json> = out["categories"][0].as_array().unwrap().clone();
    assert_eq!(
        towns,
        ["east", "north", "old town", "riverside"]
            .iter()
            .map(|t| Json::from(*t))
            .chain([Json::Null])
            .collect::<Vec<_>>(),
        "sorted texts, then missing"
    );
}

#[test]
fn searches_rank_candidates_as_scikit_learn() {
    let fx = fixture();
    for case in fx["search"].as_array().unwrap() {
        let file = data(case);
        let out = fit_json(&args("fit", "grid-search-cv", &file, case));
        let what = format!("{:?}", case["sets"]);
        let cands = out["candidates"].as_array().unwrap();
        let theirs = case["params"].as_array().unwrap();
        assert_eq!(cands.len(), theirs.len(), "{what}");
        for (c, p) in cands.iter().zip(theirs) {
            for (k, v) in p.as_object().unwrap() {
                assert_close(&format!("{what} {k}"), &c["params"][k], v, 0.0);
            }
        }
        for key in ["mean_test_score", "std_test_score"] {
            let ours: Vec<Json> = cands.iter().map(|c| c[key].clone()).collect();
            assert_close(&format!("{what} {key}"), &Json::from(ours), &case[key], TOL);
        }
        let ranks: Vec<Json> = cands.iter().map(|c| c["rank_test_score"].clone()).collect();
        assert_eq!(Json::from(ranks), case["rank_test_score"], "{what}");
        assert_eq!(out["best_index"], case["best_index"], "{what}");
        assert!(
            out["best_estimator"]["train_score"].is_number(),
            "{what}: refitted"
        );
    }
}

#[test]
fn randomized_search_draws_within_its_distributions() {
    let run = |seed: &str| {
        fit_json(&[
            "fit",
            "randomized-search-cv",
            "--data",
            "tests/fixtures/data/ridge_small.csv",
            "--target",
            "y",
            "--set",
            "estimator=ridge",
            "--set",
            "dist.alpha=loguniform(0.001,100)",
            "--set",
            "n_iter=6",
            "--set",
            &format!("random_state={seed}"),
        ])
    };
    let out = run("3");
    let alphas: Vec<f64> = out["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["params"]["alpha"].as_f64().unwrap())
        .collect();
    assert_eq!(alphas.len(), 6);
    assert!(
        alphas.iter().all(|a| (0.001..100.0).contains(a)),
        "{alphas:?}"
    );
    assert_eq!(
        run("3")["candidates"],
        out["candidates"],
        "same seed, same draws"
    );
    assert_ne!(
        run("4")["candidates"],
        out["candidates"],
        "another seed, other draws"
    );
    let best = out["best_index"].as_u64().unwrap() as usize;
    let means: Vec<f64> = out["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["mean_test_score"].as_f64().unwrap())
        .collect();
    assert!(
        means.iter().all(|m| *m <= means[best]),
        "best has the top mean"
    );
}

#[test]
fn splitters_print_scikit_learns_folds() {
    let fx = fixture();
    for case in fx["split"].as_array().unwrap() {
        let name = case["estimator"].as_str().unwrap();
        let file = data(case);
        let out = fit_json(&args("fit", name, &file, case));
        let tests: Vec<Json> = out["folds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["test"].clone())
            .collect();
        assert_eq!(Json::from(tests), case["test"], "{name}");
    }
    let out = fit_json(&[
        "fit",
        "train-test-split",
        "--data",
        "tests/fixtures/data/logistic_small.csv",
        "--target",
        "species",
        "--set",
        "test_size=0.2",
        "--set",
        "stratify=true",
    ]);
    let (train, test) = (
        out["train"].as_array().unwrap(),
        out["test"].as_array().unwrap(),
    );
    assert_eq!((train.len(), test.len()), (120, 30));
}

#[test]
fn pipeline_cv_refits_the_preprocessing_in_every_fold() {
    // The same numbers as tests/preprocessing.rs checks through the library, now by name.
    let fx: Json = serde_json::from_str(include_str!("fixtures/preprocessing.json")).unwrap();
    let case = &fx["pipelines"][0];
    assert_eq!(case["name"], "median-standard-onehot");
    let out = fit_json(&[
        "fit",
        "pipeline",
        "--data",
        "tests/fixtures/data/mixed_small.csv",
        "--target",
        "price",
        "--set",
        "estimator=ridge",
        "--predict",
        "tests/fixtures/data/mixed_small_predict.csv",
        "--cv",
        "5",
    ]);
    assert_eq!(out["feature_names_out"], case["feature_names_out"]);
    assert_close(
        "predictions",
        &out["predictions"],
        &case["predict_rows"],
        TOL,
    );
    assert_close("cv", &out["cv"]["scores"], &case["cv_r2"], TOL);
    assert_close("coef", &out["model"]["coef"], &case["coef"], TOL);
}

#[test]
fn wrong_use_gets_a_message_that_says_what_to_do() {
    let run = |extra: &[&str]| {
        let mut a = vec![
            "fit",
            "--data",
            "tests/fixtures/data/mixed_small.csv",
            "--target",
            "price",
        ];
        a.splice(1..1, extra[..1].iter().copied());
        a.extend(&extra[1..]);
        let (ok, _, err) = mlplay(&a);
        assert!(!ok, "{extra:?} should fail");
        err
    };
    assert!(run(&["pipeline"]).contains("--set estimator=NAME"));
    assert!(run(&["standard-scaler"]).contains("holds text"));
    assert!(run(&["grid-search-cv", "--set", "estimator=ridge"]).contains("grid.KEY"));
    let err = run(&[
        "pipeline",
        "--set",
        "estimator=ridge",
        "--set",
        "numeric_imputer=none",
    ]);
    assert!(err.contains("set numeric_imputer"), "{err}");
    let err = run(&[
        "pipeline",
        "--set",
        "estimator=ridge",
        "--set",
        "encoder=ordinal",
    ]);
    assert!(err.contains("still has missing values"), "{err}");
    let err = run(&[
        "randomized-search-cv",
        "--set",
        "estimator=ridge",
        "--set",
        "dist.alpha=loguniform(0,1)",
    ]);
    assert!(err.contains("log-uniform"), "{err}");
    let err = run(&["k-fold", "--predict", "x.csv"]);
    assert!(err.contains("no --predict"), "{err}");
}

/// Mean and population standard deviation of each row, as NumPy's `mean(axis=1)`/`std(axis=1)`.
fn row_stats(rows: &Json) -> (Json, Json) {
    let (mut means, mut stds) = (Vec::new(), Vec::new());
    for r in rows.as_array().unwrap() {
        let v: Vec<f64> = serde_json::from_value(r.clone()).unwrap();
        let m = v.iter().sum::<f64>() / v.len() as f64;
        means.push(m);
        stds.push((v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt());
    }
    (Json::from(means), Json::from(stds))
}

#[test]
fn learning_and_validation_curves_score_as_scikit_learn() {
    let fx = fixture();
    let cases = fx["curve"].as_array().unwrap();
    assert!(cases.len() >= 4);
    for case in cases {
        let name = case["estimator"].as_str().unwrap();
        let file = data(case);
        let out = fit_json(&args("fit", name, &file, case));
        let what = format!("{name} {:?}", case["sets"]);
        let axis = if name == "learning-curve" {
            "train_sizes"
        } else {
            "values"
        };
        assert_close(&format!("{what} {axis}"), &out[axis], &case["axis"], 0.0);
        for part in ["train_scores", "test_scores"] {
            assert_close(&format!("{what} {part}"), &out[part], &case[part], TOL);
            let (mean, std) = row_stats(&case[part]);
            assert_close(
                &format!("{what} {part}_mean"),
                &out[format!("{part}_mean")],
                &mean,
                TOL,
            );
            assert_close(
                &format!("{what} {part}_std"),
                &out[format!("{part}_std")],
                &std,
                TOL,
            );
        }
    }
}

#[test]
fn curves_say_what_is_missing_or_out_of_range() {
    let run = |extra: &[&str]| {
        let mut a = vec![
            "fit",
            extra[0],
            "--data",
            "tests/fixtures/data/ridge_small.csv",
            "--target",
            "y",
        ];
        a.extend(&extra[1..]);
        let (ok, _, err) = mlplay(&a);
        assert!(!ok, "{extra:?} should fail");
        err
    };
    let ridge = ["--set", "estimator=ridge"];
    let with = |name: &'static str, more: &[&'static str]| {
        let mut a = vec![name];
        a.extend(ridge);
        a.extend(more);
        run(&a)
    };
    assert!(run(&["learning-curve"]).contains("--set estimator=NAME"));
    let err = with("validation-curve", &[]);
    assert!(err.contains("--set param=KEY"), "{err}");
    let err = with("validation-curve", &["--set", "param=alpha"]);
    assert!(err.contains("--set values=V1,V2"), "{err}");
    let err = with(
        "validation-curve",
        &["--set", "param=nope", "--set", "values=1"],
    );
    assert!(err.contains("unknown parameter `nope`"), "{err}");
    let err = with("learning-curve", &["--set", "train_sizes=0,0.5"]);
    assert!(err.contains("fractions in (0, 1]"), "{err}");
    // 40 rows in 5 folds: the first fold trains on 32.
    let err = with("learning-curve", &["--set", "train_sizes=10,33"]);
    assert!(err.contains("row counts in 1..=32"), "{err}");
    let err = with("learning-curve", &["--predict", "x.csv"]);
    assert!(err.contains("no --predict"), "{err}");
    let err = with("learning-curve", &["--cv", "5"]);
    assert!(err.contains("--set cv=K"), "{err}");
    // Iris sorted by species: the first rows of every fold are one class.
    let (ok, _, err) = mlplay(&[
        "fit",
        "learning-curve",
        "--data",
        "tests/fixtures/data/logistic_small.csv",
        "--target",
        "species",
        "--set",
        "estimator=logistic-regression",
    ]);
    assert!(
        !ok && err.contains("first 12 training rows of fold 0"),
        "{err}"
    );
}
