//! Chapter 2's project on a table the reader uploads (`UploadKind::Table`): a table with text
//! columns, missing numbers and a numeric target runs the whole pipeline; each way a table can
//! be unfit gets its own message; and the bundled Auto MPG table fed in as an upload gives the
//! built-in demo's numbers, since both go through the same code.

use mlplay::data::bundled;
use mlplay::data::upload::{Upload, UploadKind, MIN_ROWS};
use mlplay::demos::{self, Demo};
use mlplay::error::Error;
use mlplay::estimator::Progress;
use std::collections::HashMap;
use std::sync::Arc;

const TABLE: UploadKind = UploadKind::Table { max_rows: 1000 };
const SEED: u64 = 42;

/// 40 houses, made without randomness: size (two cells missing), rooms, a town (one cell
/// missing), a garden yes/no, a note unique to each row, the price (two cells missing) and the
/// year it was sold, after the price, so that the last numeric column is not the target.
fn houses() -> String {
    let mut t = String::from("size,rooms,town,garden,note,price,year\n");
    for i in 0..40 {
        let size = 50 + (i * 37) % 100;
        let rooms = 1 + i % 5;
        let town = ["Oslo", "Lima", "Pune"][i % 3];
        let garden = if i % 4 == 0 { "yes" } else { "no" };
        let price = 1000 + 12 * size + 300 * rooms + 500 * (i % 3) + 7 * (i % 11);
        let size = if i == 5 || i == 17 {
            String::new()
        } else {
            size.to_string()
        };
        let town = if i == 8 { "" } else { town };
        let price = if i == 3 || i == 30 {
            "?".to_string()
        } else {
            price.to_string()
        };
        t.push_str(&format!(
            "{size},{rooms},{town},{garden},house {i},{price},{}\n",
            2000 + i % 7
        ));
    }
    t
}

fn run(id: &str, params: &demos::Params) -> demos::AnyDemo {
    let mut d = demos::create(id, params, SEED).unwrap();
    while d.tick() == Progress::Running {}
    assert_eq!(d.status(), None, "{id} stopped with an error");
    d
}

fn metrics(d: &demos::AnyDemo) -> HashMap<&'static str, (f64, String)> {
    d.metrics()
        .into_iter()
        .map(|m| (m.key, (m.value, m.text)))
        .collect()
}

fn on_file(id: &str, sets: &[(&str, &str)], file: &str, text: &str) -> demos::Params {
    let pairs: Vec<(String, String)> = sets
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    demos::params_on_file(id, &pairs, file, text).unwrap()
}

fn refused(text: &str) -> (Option<String>, String) {
    match Upload::read("mine.csv", text, TABLE).expect_err("should be refused") {
        Error::Data { column, message } => (column, message),
        other => panic!("expected a data error, got {other:?}"),
    }
}

#[test]
fn a_table_with_text_and_missing_cells_runs_the_whole_project() {
    let u = Upload::read("houses.csv", &houses(), TABLE).unwrap();
    // The column named like a target wins over the last numeric one; the note, different on
    // every row, is left out and names the rows instead.
    assert_eq!(u.target_name(), "price");
    assert_eq!(
        u.feature_names(),
        ["size", "rooms", "town", "garden", "year"]
    );
    assert_eq!(
        u.left_out(),
        [("note".to_string(), "40 different texts".to_string())]
    );
    assert_eq!(u.row_names().as_deref(), Some("note"));
    assert_eq!(u.missing_targets(), 2);
    assert_eq!(
        u.notes(),
        "Left out: `note` (40 different texts). 2 row(s) without `price` dropped."
    );
    // The page's picker shows only the target.
    assert_eq!(u.picked(), [5]);

    for model in ["linear-regression", "random-forest", "k-neighbors"] {
        for origin in ["one-hot", "ordinal"] {
            let params = on_file(
                "end-to-end",
                &[("model", model), ("origin", origin)],
                "houses.csv",
                &houses(),
            );
            let m = metrics(&run("end-to-end", &params));
            for key in ["cv_rmse", "cv_std", "train_rmse", "test_rmse"] {
                assert!(
                    m[key].0.is_finite(),
                    "{model}/{origin}: {key} = {:?}",
                    m[key]
                );
            }
            assert_eq!(m["dropped"].0, 2.0);
            // The worst miss is named by its note and measured in the target's units.
            assert!(
                m["worst"].1.starts_with("house ") && m["worst"].1.ends_with(" price)"),
                "{:?}",
                m["worst"]
            );
        }
    }
    // The price follows size and rooms closely: the line does far better than predicting the
    // mean would (the prices spread over more than 1000).
    let m = metrics(&run(
        "end-to-end",
        &on_file("end-to-end", &[], "houses.csv", &houses()),
    ));
    assert!(m["cv_rmse"].0 < 300.0, "{:?}", m["cv_rmse"]);

    // Grid search takes the same table.
    let g = metrics(&run(
        "grid-search",
        &on_file("grid-search", &[("max_k", "4")], "houses.csv", &houses()),
    ));
    assert_eq!(g["tried"].0, 8.0);
    assert!(g["best_cv_rmse"].0.is_finite() && g["test_rmse"].0.is_finite());

    // The Python equivalent reads the reader's file and names the target and the columns.
    let d = demos::create(
        "end-to-end",
        &on_file("end-to-end", &[], "houses.csv", &houses()),
        SEED,
    )
    .unwrap();
    let py = d.python().unwrap();
    for expected in [
        "pd.read_csv(\"houses.csv\", na_values=[\"?\"])",
        "Columns left out: note.",
        "data = data.dropna(subset=[\"price\"])",
        "numeric = [\"size\", \"rooms\", \"year\"]",
        "categorical = [\"town\", \"garden\"]",
        "SimpleImputer(strategy=\"most_frequent\")",
        "name = X_test[\"note\"].iloc[worst]",
        "print(\"rows dropped (no target):\", dropped)",
    ] {
        assert!(py.contains(expected), "no `{expected}` in:\n{py}");
    }
    assert!(!py.contains("auto_mpg"), "{py}");
}

#[test]
fn another_target_and_a_table_without_row_names() {
    let u = Upload::read("houses.csv", &houses(), TABLE).unwrap();
    let by_year = u.with_columns(&[], "year").unwrap();
    assert_eq!(by_year.target_name(), "year");
    assert!(by_year.feature_names().contains(&"price".to_string()));
    // Without the note column the rows are named by their line in the file.
    let text: String = houses()
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            format!("{},{}\n", cells[..4].join(","), cells[5..].join(","))
        })
        .collect();
    let params = on_file("end-to-end", &[], "plain.csv", &text);
    assert_eq!(params.upload().unwrap().row_names(), None);
    let m = metrics(&run("end-to-end", &params));
    assert!(m["worst"].1.starts_with("line "), "{:?}", m["worst"]);
    let py = demos::create("end-to-end", &params, SEED)
        .unwrap()
        .python()
        .unwrap();
    assert!(
        py.contains("name = f\"line {X_test.index[worst] + 2}\""),
        "{py}"
    );
    assert!(py.contains("Columns left out: none."), "{py}");
}

#[test]
fn each_unfit_table_gets_its_own_message() {
    let u = Upload::read("houses.csv", &houses(), TABLE).unwrap();
    // A text target.
    let e = u.with_columns(&[], "town").unwrap_err();
    assert!(
        e.to_string().starts_with(
            "column `town`: holds text (e.g. `Lima`), not numbers: a regression needs a numeric target"
        ),
        "{e}"
    );
    // Features are not picked for a whole table.
    let e = u.with_columns(&["size".into()], "price").unwrap_err();
    assert!(e.to_string().contains("pick only the target column"), "{e}");
    let e = u.with_columns(&[], "cost").unwrap_err();
    assert!(e.to_string().contains("no such column"), "{e}");

    // A target missing on so many rows that too few are left.
    let sparse: String = "x,town,y\n".to_string()
        + &(0..12)
            .map(|i| {
                let y = if i % 3 == 0 {
                    i.to_string()
                } else {
                    String::new()
                };
                format!("{i},{},{y}\n", ["a", "b"][i % 2])
            })
            .collect::<String>();
    let (column, message) = refused(&sparse);
    assert_eq!(column.as_deref(), Some("y"));
    assert!(
        message.starts_with(&format!(
            "has a value in only 4 of 12 rows; this demo needs at least {MIN_ROWS} rows with a target"
        )),
        "{message}"
    );

    // Too few rows, too many rows, too many bytes, ragged rows.
    let few: String = houses().lines().take(6).map(|l| format!("{l}\n")).collect();
    let (_, message) = refused(&few);
    assert!(
        message.contains("5 data rows; this demo needs at least 8"),
        "{message}"
    );
    let (_, message) =
        match Upload::read("houses.csv", &houses(), UploadKind::Table { max_rows: 30 }) {
            Err(Error::Data { column, message }) => (column, message),
            other => panic!("expected a data error, got {other:?}"),
        };
    assert!(
        message.contains("has 40 rows; this demo takes at most 30"),
        "{message}"
    );
    let big = "a,b\n".to_string() + &"1,2\n".repeat(1_400_000);
    let (_, message) = refused(&big);
    assert!(
        message.starts_with("the file is 5.3 MB; uploads are limited to 5 MB"),
        "{message}"
    );
    let e = Upload::read("mine.csv", "a,b,c\n1,2,3\n4,5\n", TABLE).unwrap_err();
    assert!(
        e.to_string().contains("line 3") && e.to_string().contains("2 cells but the header has 3"),
        "{e}"
    );

    // No feature left: only ids beside the target, or nothing at all beside it.
    let ids: String = "id,price\n".to_string()
        + &(0..10)
            .map(|i| format!("x{i},{}\n", i * 3))
            .collect::<String>();
    let (column, message) = refused(&ids);
    assert_eq!(column, None);
    assert!(
        message.starts_with(
            "no feature column is left besides the target `price`: `id` (10 different texts) cannot be used"
        ),
        "{message}"
    );
    let alone: String =
        "price\n".to_string() + &(0..10).map(|i| format!("{i}\n")).collect::<String>();
    let (_, message) = refused(&alone);
    assert!(
        message.contains("no column besides the target `price`"),
        "{message}"
    );
    // No numeric column at all: the default target is text, which is refused as such.
    let text_only: String = "town,kind\n".to_string()
        + &(0..10)
            .map(|i| format!("{},{}\n", ["a", "b"][i % 2], ["p", "q"][i % 2]))
            .collect::<String>();
    let (column, message) = refused(&text_only);
    assert_eq!(column.as_deref(), Some("kind"));
    assert!(
        message.contains("a regression needs a numeric target"),
        "{message}"
    );
    // An empty column is left out, and said so.
    let empty_col = houses().replace("\n", ",\n").replacen(",\n", ",blank\n", 1);
    let u = Upload::read("houses.csv", &empty_col, TABLE).unwrap();
    assert!(
        u.left_out()
            .contains(&("blank".to_string(), "no values".to_string())),
        "{:?}",
        u.left_out()
    );

    // The demo's own refusals: text columns dropped with nothing else left, more folds than
    // training rows.
    let towns: String = "town,price\n".to_string()
        + &(0..12)
            .map(|i| format!("{},{}\n", ["a", "b", "c"][i % 3], i * 2))
            .collect::<String>();
    let params = on_file("end-to-end", &[("origin", "drop")], "towns.csv", &towns);
    let e = demos::create("end-to-end", &params, SEED).err().unwrap();
    assert!(
        e.to_string()
            .contains("with the text columns dropped, no feature is left to predict `price` from"),
        "{e}"
    );
    let ten: String = houses()
        .lines()
        .take(11)
        .map(|l| format!("{l}\n"))
        .collect();
    let params = on_file("end-to-end", &[("folds", "10")], "ten.csv", &ten);
    let e = demos::create("end-to-end", &params, SEED).err().unwrap();
    assert!(e.to_string().contains("into 10 folds"), "{e}");
}

#[test]
fn auto_mpg_as_an_upload_gives_the_built_in_numbers() {
    let text = bundled::auto_mpg_csv().unwrap();
    let read = Upload::read("auto_mpg.csv", &text, TABLE).unwrap();
    // No column is named like a target: the last numeric one is picked, and the reader picks mpg.
    assert_eq!(read.target_name(), "model_year");
    let upload = read.with_columns(&[], "mpg").unwrap();
    assert_eq!(
        upload.feature_names().join(" "),
        "cylinders displacement horsepower weight acceleration model_year origin"
    );
    assert_eq!(upload.row_names().as_deref(), Some("name"));
    let upload = Arc::new(upload);
    for (id, sets) in [
        ("end-to-end", vec![]),
        (
            "end-to-end",
            vec![("model", "k-neighbors"), ("origin", "ordinal")],
        ),
        (
            "end-to-end",
            vec![("model", "decision-tree"), ("imputer", "mean")],
        ),
        ("grid-search", vec![("max_k", "4")]),
    ] {
        let pairs: Vec<(String, String)> = sets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let built_in = demos::params_with(id, &pairs).unwrap();
        let mut uploaded = built_in.clone();
        uploaded.set_upload(Some(upload.clone()));
        let (a, b) = (metrics(&run(id, &built_in)), metrics(&run(id, &uploaded)));
        for (key, (value, text)) in &a {
            let (v, t) = &b[key];
            if value.is_nan() {
                assert_eq!(text, t, "{id} {sets:?}: {key}");
            } else {
                assert!(
                    (value - v).abs() < 1e-9,
                    "{id} {sets:?}: {key} {value} vs {v}"
                );
            }
        }
        assert!(a.contains_key("best_cv_rmse") || a["cv_rmse"].0.is_finite());
    }
}
