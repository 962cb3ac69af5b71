//! Malformed CSV input gets an error naming the line (and the column where one is at fault).

// The same tests run natively and, under `wasm-pack test`, compiled to wasm in the browser.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mlplay::data::csv::{read_dataset, read_features};
use mlplay::error::Error;

fn error(text: &str, target: &str) -> Error {
    read_dataset(text, target).expect_err("should be refused")
}

fn assert_at(e: &Error, line: u64, column: Option<&str>, words: &str) {
    match e {
        Error::Csv {
            line: l,
            column: c,
            message,
        } => {
            assert_eq!(*l, line, "line of {e}");
            assert_eq!(c.as_deref(), column, "column of {e}");
            assert!(
                message.contains(words),
                "`{message}` should mention `{words}`"
            );
        }
        other => panic!("expected a CSV error, got {other:?}"),
    }
}

#[test]
fn ragged_row_names_its_line() {
    let e = error("x1,x2,y\n1,2,3\n4,5\n7,8,9\n", "y");
    assert_at(&e, 3, None, "2 cells but the header has 3");
    assert!(e.to_string().starts_with("CSV line 3"), "{e}");
}

#[test]
fn non_numeric_cell_names_line_and_column() {
    let e = error("x1,x2,y\n1,2,3\n4,five,6\n", "y");
    assert_at(&e, 3, Some("x2"), "`five` is not a number");
    assert_eq!(
        e.to_string(),
        "CSV line 3, column `x2`: `five` is not a number"
    );
}

#[test]
fn empty_cell_is_a_missing_value() {
    let e = error("x1,y\n1,2\n,3\n", "y");
    assert_at(&e, 3, Some("x1"), "missing value");
}

#[test]
fn infinite_value_is_refused() {
    let e = error("x1,y\n1,2\ninf,3\n", "y");
    assert_at(&e, 3, Some("x1"), "not a finite number");
}

#[test]
fn missing_target_column_lists_the_columns() {
    let e = error("x1,x2,y\n1,2,3\n", "price");
    let text = e.to_string();
    assert!(text.contains("price"), "{text}");
    assert!(text.contains("x1") && text.contains("y"), "{text}");
}

#[test]
fn empty_file_and_header_only() {
    assert_at(&error("", "y"), 1, None, "empty");
    assert_at(&error("  \n\n", "y"), 1, None, "empty");
    assert_at(&error("x,y\n", "y"), 2, None, "no data rows");
}

#[test]
fn duplicate_and_unnamed_columns() {
    assert_at(&error("x,x,y\n1,2,3\n", "y"), 1, Some("x"), "twice");
    assert_at(&error("x,,y\n1,2,3\n", "y"), 1, None, "no name");
}

#[test]
fn only_the_target_column() {
    assert_at(&error("y\n1\n2\n", "y"), 1, None, "feature column");
}

#[test]
fn well_formed_file_reads_with_names() {
    let d = read_dataset("a, b ,y\n1,2,3\n4,5,6\n", "y").unwrap();
    assert_eq!(d.feature_names, vec!["a", "b"]);
    assert_eq!(d.x.shape(), &[2, 2]);
    assert_eq!(d.y.to_vec(), vec![3.0, 6.0]);
    // Prediction files may order or add columns freely; missing ones are named.
    let x = read_features("b,extra,a\n20,0,10\n", &["a".into(), "b".into()]).unwrap();
    assert_eq!(x.row(0).to_vec(), vec![10.0, 20.0]);
    let e = read_features("b\n1\n", &["a".into(), "b".into()]).unwrap_err();
    assert!(e.to_string().contains('a'), "{e}");
}

// ---- Uploads: a reader's CSV in place of a demo's data -------------------------------------

use mlplay::data::upload::{Upload, UploadKind};

const CLASSES: UploadKind = UploadKind::Classes2d {
    max_rows: 50,
    max_classes: 7,
};
const TWO_CLASSES: UploadKind = UploadKind::Classes2d {
    max_rows: 50,
    max_classes: 2,
};
const REGRESSION: UploadKind = UploadKind::Regression1d { max_rows: 50 };

/// A table of `n` rows: numbers a and b, a text column `town`, a text label and a numeric price.
fn table(n: usize) -> String {
    let mut t = String::from("a,town,b,label,price\n");
    for i in 0..n {
        let label = ["cat", "dog", "owl"][i % 3];
        let town = ["Oslo", "Lima"][i % 2];
        t.push_str(&format!(
            "{i},{town},{},{label},{}.5\n",
            i * i % 7,
            100 + 3 * i
        ));
    }
    t
}

fn refused(text: &str, kind: UploadKind) -> (Option<String>, String) {
    match Upload::read("mine.csv", text, kind).expect_err("should be refused") {
        Error::Data { column, message } => (column, message),
        other => panic!("expected a data error, got {other:?}"),
    }
}

#[test]
fn upload_picks_numeric_axes_and_the_last_label_column() {
    let u = Upload::read("mine.csv", &table(12), CLASSES).unwrap();
    assert_eq!(u.feature_names(), ["a", "b"]);
    assert_eq!(u.target_name(), "label");
    let d = u.dataset().unwrap();
    assert_eq!(d.x.dim(), (12, 2));
    assert_eq!(d.x[[3, 1]], 2.0);
    // Text labels become codes in sorted order; the legend shows the texts.
    assert_eq!(&d.y.to_vec()[..4], &[0.0, 1.0, 2.0, 0.0]);
    assert_eq!(u.class_names().name(2.0), "owl");
    let r = Upload::read("mine.csv", &table(12), REGRESSION).unwrap();
    assert_eq!(
        (r.feature_names(), r.target_name()),
        (vec!["a".into()], "price")
    );
    assert!(r.python().contains("pd.read_csv(\"mine.csv\")"));
    assert!(r.python().contains("X = data[[\"a\"]]"));
}

#[test]
fn upload_refuses_a_text_axis_and_a_text_regression_target() {
    let u = Upload::read("mine.csv", &table(12), CLASSES).unwrap();
    let e = u
        .with_columns(&["a".into(), "town".into()], "label")
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("column `town`: holds text (e.g. `Lima`)"),
        "{e}"
    );
    let r = Upload::read("mine.csv", &table(12), REGRESSION).unwrap();
    let e = r.with_columns(&["a".into()], "label").unwrap_err();
    assert!(
        e.to_string()
            .contains("a regression needs a numeric target"),
        "{e}"
    );
    let e = u
        .with_columns(&["a".into(), "a".into()], "label")
        .unwrap_err();
    assert!(e.to_string().contains("both axes"), "{e}");
    let e = u
        .with_columns(&["a".into(), "label".into()], "label")
        .unwrap_err();
    assert!(
        e.to_string().contains("both a feature and the target"),
        "{e}"
    );
    let e = u
        .with_columns(&["a".into(), "b".into()], "colour")
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("no such column; the header has: a, town"),
        "{e}"
    );
}

#[test]
fn upload_refuses_missing_values_with_their_line() {
    let text = table(12).replacen("\n4,Oslo,2,", "\n4,Oslo,,", 1);
    let (column, message) = refused(&text, CLASSES);
    assert_eq!(column.as_deref(), Some("b"));
    assert!(
        message.starts_with("1 missing value(s), the first on line 6"),
        "{message}"
    );
    // A missing value in a column the demo does not use is fine.
    let text = table(12).replacen("\n4,Oslo,", "\n4,,", 1);
    assert!(Upload::read("mine.csv", &text, CLASSES).is_ok());
}

#[test]
fn upload_refuses_one_class_lonely_classes_and_too_many() {
    let one = "x,y,c\n".to_string()
        + &(0..10)
            .map(|i| format!("{i},{},a\n", i * 2))
            .collect::<String>();
    let (column, message) = refused(&one, CLASSES);
    assert_eq!(column.as_deref(), Some("c"));
    assert!(message.contains("only one class (`a`)"), "{message}");
    let lonely = one
        .replacen("\n3,6,a", "\n3,6,b", 1)
        .replacen("\n5,10,a", "\n5,10,z", 1);
    let lonely = lonely.replacen("\n4,8,a", "\n4,8,b", 1);
    let (_, message) = refused(&lonely, CLASSES);
    assert!(message.contains("class `z` has only 1 row"), "{message}");
    let (_, message) = refused(&table(12), TWO_CLASSES);
    assert!(
        message.contains("has 3 classes: this demo separates 2"),
        "{message}"
    );
    // Ten different numbers are not class labels: the default target is the last column with
    // few values, and picking the other one is refused.
    let many = "x,y,v\n".to_string()
        + &(0..10)
            .map(|i| format!("{i},{},{i}\n", i % 3))
            .collect::<String>();
    let u = Upload::read("mine.csv", &many, CLASSES).unwrap();
    assert_eq!(
        (u.feature_names(), u.target_name()),
        (vec!["x".into(), "v".into()], "y")
    );
    let e = u.with_columns(&["x".into(), "y".into()], "v").unwrap_err();
    assert!(
        e.to_string()
            .contains("column `v`: has 10 different values"),
        "{e}"
    );
}

#[test]
fn upload_refuses_too_few_and_too_many_rows_and_bad_csv() {
    let (_, message) = refused(&table(5), CLASSES);
    assert!(
        message.contains("5 data rows; this demo needs at least 8"),
        "{message}"
    );
    let (_, message) = refused(&table(51), CLASSES);
    assert!(
        message.contains("has 51 rows; this demo takes at most 50"),
        "{message}"
    );
    let (_, message) = refused(&table(500), CLASSES);
    assert!(message.contains("about 500 rows"), "{message}");
    let e = Upload::read("mine.csv", "a,b,c\n1,2\n", CLASSES).unwrap_err();
    assert_at(&e, 2, None, "2 cells but the header has 3");
    let text = "name,town\n".to_string()
        + &(0..10)
            .map(|i| format!("n{i},t{}\n", i % 2))
            .collect::<String>();
    let (_, message) = refused(&text, CLASSES);
    assert!(
        message.contains("the numeric columns are: none"),
        "{message}"
    );
    let text = "name,label\n".to_string()
        + &(0..10)
            .map(|i| format!("n{i},{}\n", i % 2))
            .collect::<String>();
    let (_, message) = refused(&text, REGRESSION);
    assert!(
        message.contains(
            "two numeric columns (a feature and a target); the numeric columns are: `label`"
        ),
        "{message}"
    );
}

#[test]
fn points_upload_takes_two_numeric_columns_and_no_target() {
    let kind = UploadKind::Points2d { max_rows: 50 };
    assert!(!kind.has_target() && CLASSES.has_target());
    // The first two numeric columns; the text and the later numeric columns are ignored.
    let u = Upload::read("mine.csv", &table(12), kind).unwrap();
    assert_eq!(
        (u.feature_names(), u.target_name()),
        (vec!["a".into(), "b".into()], "")
    );
    assert_eq!(u.target, None);
    let d = u.dataset().unwrap();
    assert_eq!(d.x.dim(), (12, 2));
    assert_eq!(d.x[[3, 1]], 2.0);
    assert!(
        u.python().ends_with("X = data[[\"a\", \"b\"]].to_numpy()"),
        "{}",
        u.python()
    );
    // Another pair, with the target argument ignored; a text or repeated column is refused.
    let other = u.with_columns(&["price".into(), "a".into()], "").unwrap();
    assert_eq!(other.feature_names(), ["price", "a"]);
    let e = u
        .with_columns(&["a".into(), "town".into()], "")
        .unwrap_err();
    assert!(
        e.to_string().starts_with("column `town`: holds text"),
        "{e}"
    );
    let e = u.with_columns(&["a".into(), "a".into()], "").unwrap_err();
    assert!(e.to_string().contains("both axes"), "{e}");
    // A missing value in a used column is refused with its line; one numeric column is not
    // enough.
    let text = table(12).replacen("\n4,Oslo,2,", "\n4,Oslo,,", 1);
    let (column, message) = refused(&text, kind);
    assert_eq!(column.as_deref(), Some("b"));
    assert!(message.contains("first on line 6"), "{message}");
    let one = "x,name\n".to_string() + &(0..10).map(|i| format!("{i},n{i}\n")).collect::<String>();
    let (_, message) = refused(&one, kind);
    assert!(
        message.contains("needs two numeric columns for the axes; the numeric columns are: `x`"),
        "{message}"
    );
}
