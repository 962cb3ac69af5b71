//! The "Python equivalent" scripts of the Part I demos: each writes one, names its scikit-learn
//! class, follows a changed parameter, and, where scikit-learn is installed, runs without error.
#![cfg(not(target_arch = "wasm32"))]

use mlplay::demos::{self, Demo};
use std::process::Command;

/// `key = value` changes to a demo's defaults.
type Sets = &'static [(&'static str, &'static str)];

/// Demo id, the scikit-learn name its script must call, parameters to change and a piece of
/// text the changed script must then hold.
const CASES: [(&str, &str, Sets, &str); 19] = [
    (
        "instance-vs-model",
        "KNeighborsRegressor",
        &[("k", "7")],
        "n_neighbors=7",
    ),
    (
        "knn-boundary",
        "KNeighborsClassifier",
        &[("k", "9"), ("dataset", "halves")],
        "n_neighbors=9",
    ),
    (
        "explore-data",
        "train_test_split",
        &[("x", "horsepower")],
        "x, y, bins = \"horsepower\"",
    ),
    (
        "end-to-end",
        "LinearRegression",
        &[("model", "ridge"), ("origin", "ordinal")],
        "Ridge(alpha=1.0)",
    ),
    (
        "grid-search",
        "GridSearchCV",
        &[("max_k", "5")],
        "range(1, 5 + 1)",
    ),
    (
        "precision-recall",
        "LogisticRegression",
        &[("digit", "3")],
        "y_train == 3",
    ),
    (
        "confusion-matrix",
        "LogisticRegression",
        &[("strategy", "one-vs-rest"), ("normalise", "errors")],
        "OneVsRestClassifier(",
    ),
    (
        "gradient-descent",
        "LinearRegression",
        &[("method", "stochastic"), ("learning_rate", "0.05")],
        "SGDRegressor(penalty=None, learning_rate=\"constant\", eta0=2 * 0.05",
    ),
    (
        "polynomial-regression",
        "Ridge",
        &[("degree", "10")],
        "PolynomialFeatures(degree=10",
    ),
    (
        "regularisation-paths",
        "Lasso",
        &[("model", "elastic-net"), ("l1_ratio", "0.2")],
        "l1_ratio=0.2",
    ),
    (
        "early-stopping",
        "SGDRegressor",
        &[("patience", "20"), ("degree", "10")],
        "n_iter_no_change=20",
    ),
    (
        "logistic-regression",
        "LogisticRegression",
        &[("dataset", "iris"), ("C", "0.05")],
        "LogisticRegression(C=0.05",
    ),
    ("svm", "SVC", &[("kernel", "poly")], "kernel=\"poly\""),
    ("svr", "SVR", &[("epsilon", "0.3")], "epsilon=0.3"),
    (
        "decision-tree",
        "DecisionTreeClassifier",
        &[("max_depth", "3"), ("rotation", "30")],
        "max_depth=3",
    ),
    (
        "regression-tree",
        "DecisionTreeRegressor",
        &[("min_samples_leaf", "5")],
        "min_samples_leaf=5",
    ),
    (
        "bagging",
        "RandomForestClassifier",
        &[("model", "bagging"), ("max_samples", "0.5")],
        "max_samples=0.5",
    ),
    (
        "forest-importance",
        "RandomForestClassifier",
        &[("n_estimators", "20"), ("max_features", "all")],
        "n_estimators=20, max_features=None",
    ),
    (
        "gradient-boosting",
        "GradientBoostingRegressor",
        &[("learning_rate", "0.5"), ("subsample", "0.5")],
        "learning_rate=0.5",
    ),
];

fn script(id: &str, sets: &[(&str, &str)]) -> String {
    let pairs: Vec<(String, String)> = sets
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = demos::params_with(id, &pairs).unwrap();
    demos::create(id, &params, 42)
        .unwrap()
        .python()
        .unwrap_or_else(|| panic!("{id} has no Python equivalent"))
}

/// Every listed demo's script with its default parameters and with the changed ones.
fn all_scripts() -> Vec<(String, String)> {
    CASES
        .iter()
        .flat_map(|(id, _, sets, _)| {
            [
                (format!("{id} (defaults)"), script(id, &[])),
                (format!("{id} (changed)"), script(id, sets)),
            ]
        })
        .collect()
}

#[test]
fn part_one_demos_name_their_estimator_and_follow_their_parameters() {
    for (id, class, sets, expected) in CASES {
        let default = script(id, &[]);
        assert!(
            default.contains(&format!("{class}(")),
            "{id}: the script never calls {class}:\n{default}"
        );
        assert!(
            !default.contains(expected),
            "{id}: the default script already holds `{expected}`"
        );
        let changed = script(id, sets);
        assert!(
            changed.contains(expected),
            "{id}: after {sets:?} the script lacks `{expected}`:\n{changed}"
        );
    }
}

#[test]
fn the_cli_prints_the_same_script() {
    let params = mlplay::cli::demo_params("svm", &[("kernel".into(), "poly".into())], None);
    let out = mlplay::cli::python("svm", &params.unwrap(), 42).unwrap();
    assert_eq!(out, script("svm", &[("kernel", "poly")]));
    let err = mlplay::cli::demo_params("svm", &[("kernel".into(), "cubic".into())], None);
    assert!(err.unwrap_err().to_string().contains("kernel"));
}

/// Runs every script in one Python process (each in its own namespace, stdout captured) with
/// the bundled Auto MPG table written where the scripts read it.
#[test]
fn the_scripts_run_under_scikit_learn() {
    let have = Command::new("python3")
        .args(["-c", "import sklearn, numpy, pandas"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        println!("skipped: no scikit-learn (python3 with sklearn, numpy and pandas not found)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("mlplay-python-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("auto_mpg.csv"),
        mlplay::data::bundled::auto_mpg_csv().unwrap(),
    )
    .unwrap();
    let scripts = serde_json::to_string(&all_scripts()).unwrap();
    std::fs::write(dir.join("scripts.json"), scripts).unwrap();
    let runner = r#"
import contextlib, io, json, sys, time, traceback
failed = []
for name, code in json.load(open("scripts.json")):
    out, start = io.StringIO(), time.time()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, name, "exec"), {"__name__": "__main__"})
        if not out.getvalue().strip():
            raise RuntimeError("printed nothing")
        print(f"ok {name} ({time.time() - start:.1f} s)")
    except Exception:
        failed.append(name)
        print(f"FAILED {name}\n{traceback.format_exc()}\n{code}")
sys.exit(1 if failed else 0)
"#;
    let out = Command::new("python3")
        .args(["-c", runner])
        .current_dir(&dir)
        // One BLAS thread: on a small shared machine more threads only slow every fit down.
        .env("OMP_NUM_THREADS", "1")
        .env("OPENBLAS_NUM_THREADS", "1")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(
        out.status.success(),
        "some scripts failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ran = text.lines().filter(|l| l.starts_with("ok ")).count();
    assert_eq!(ran, 2 * CASES.len(), "not every script ran:\n{text}");
}
