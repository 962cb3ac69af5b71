//! Malformed CSV input gets an error naming the line (and the column where one is at fault).

// The same tests run natively and, under `wasm-pack test`, compiled to wasm in the browser.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

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
