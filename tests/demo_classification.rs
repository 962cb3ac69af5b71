//! Chapter 3's demos on the bundled digits: the precision/recall numbers agree with each other and
//! with the threshold, and the multiclass strategies give what independent fits give. Also two
//! chapter 4 demos: softmax regression on iris and early stopping.
#![cfg(not(target_arch = "wasm32"))]

use mlplay::data::{bundled, Dataset};
use mlplay::demos::{self, AnyDemo, Demo};
use mlplay::estimator::{Classifier, Fit, Progress};
use mlplay::linear::LogisticRegression;
use mlplay::rng::Rng;
use mlplay::viz::render_rgb;
use ndarray::{Array1, Array2, Axis};

const SEED: u64 = 42;

fn finished(id: &str, pairs: &[(&str, &str)]) -> AnyDemo {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut demo = demos::create(id, &demos::params_with(id, &pairs).unwrap(), SEED).unwrap();
    let mut ticks = 0;
    loop {
        match demo.tick() {
            Progress::Running => ticks += 1,
            Progress::Done => break,
            other => panic!("{id}: {other:?} after {ticks} ticks"),
        }
        assert!(ticks < 5000, "{id}: no end");
    }
    demo
}

fn metric(demo: &AnyDemo, key: &str) -> f64 {
    demo.metrics()
        .into_iter()
        .find(|m| m.key == key)
        .unwrap_or_else(|| panic!("no metric {key}"))
        .value
}

#[test]
fn precision_and_recall_follow_the_threshold() {
    let run = |threshold: f64| {
        let t = threshold.to_string();
        finished("precision-recall", &[("threshold", t.as_str())])
    };
    let default = run(0.0);
    let positives = (1.0 - metric(&default, "baseline_accuracy")) * 397.0;
    assert!(
        (metric(&default, "tp") + metric(&default, "fn") - positives).abs() < 1e-9,
        "every positive is either found or missed"
    );
    assert!(metric(&default, "auc") > 0.95, "the ranking is good");

    // Lowering the threshold can only find more eights; here it also lets in more false alarms.
    let low = run(-2.0);
    assert!(metric(&low, "recall") > metric(&default, "recall"));
    assert!(metric(&low, "fp") > metric(&default, "fp"));
    assert!(metric(&low, "precision") < metric(&default, "precision"));

    // The threshold reported for 90 % precision delivers it.
    let t90 = metric(&default, "threshold_90");
    assert!(t90.is_finite());
    assert!(metric(&run(t90), "precision") >= 0.9);
    // Above every score nothing is predicted positive: accuracy falls back to the baseline.
    let high = run(15.0);
    assert_eq!(metric(&high, "tp") + metric(&high, "fp"), 0.0);
    assert_eq!(
        metric(&high, "accuracy"),
        metric(&high, "baseline_accuracy")
    );
}

/// One-vs-rest by hand: ten independent logistic regressions, the highest score wins.
fn one_vs_rest_accuracy(train: &Dataset, test: &Dataset) -> f64 {
    let mut scores = Array2::<f64>::zeros((test.n_samples(), 10));
    for k in 0..10 {
        let y = train.y.mapv(|v| f64::from(u8::from(v == k as f64)));
        let model = LogisticRegression::params()
            .max_iter(300)
            .fit(&Dataset { y, ..train.clone() })
            .unwrap();
        let s = model.decision_function(test.x.view()).unwrap();
        scores.column_mut(k).assign(&s.column(0));
    }
    let predicted: Array1<f64> = scores
        .axis_iter(Axis(0))
        .map(|row| {
            row.iter()
                .enumerate()
                .fold(
                    (0, f64::NEG_INFINITY),
                    |b, (k, &v)| if v > b.1 { (k, v) } else { b },
                )
                .0 as f64
        })
        .collect();
    let right = predicted
        .iter()
        .zip(&test.y)
        .filter(|(p, t)| p == t)
        .count();
    right as f64 / test.n_samples() as f64
}

#[test]
fn multiclass_strategies_train_every_model_and_match_independent_fits() {
    let softmax = finished("confusion-matrix", &[]);
    assert_eq!(metric(&softmax, "models"), 1.0);
    assert!(metric(&softmax, "accuracy") > 0.95);
    // The softmax demo's model is scikit-learn's multinomial LogisticRegression, fitted in one go.
    let (train, test) = bundled::digits_split(&mut Rng::new(SEED), 1400).unwrap();
    let direct = LogisticRegression::params()
        .max_iter(300)
        .fit(&train)
        .unwrap()
        .score(test.x.view(), test.y.view())
        .unwrap();
    assert_eq!(metric(&softmax, "accuracy"), direct);

    let ovr = finished("confusion-matrix", &[("strategy", "one-vs-rest")]);
    assert_eq!(metric(&ovr, "models_trained"), 10.0);
    assert_eq!(
        metric(&ovr, "accuracy"),
        one_vs_rest_accuracy(&train, &test)
    );

    let ovo = finished("confusion-matrix", &[("strategy", "one-vs-one")]);
    assert_eq!(metric(&ovo, "models_trained"), 45.0);
    assert!(metric(&ovo, "accuracy") > 0.95);
    assert_eq!(
        metric(&ovo, "errors"),
        ((1.0 - metric(&ovo, "accuracy")) * 397.0).round()
    );
}

#[test]
fn the_matrix_view_changes_the_picture_not_the_numbers() {
    let counts = finished("confusion-matrix", &[]);
    let errors = finished("confusion-matrix", &[("normalise", "errors")]);
    let texts = |d: &AnyDemo| d.metrics().into_iter().map(|m| m.text).collect::<Vec<_>>();
    assert_eq!(texts(&counts), texts(&errors));
    assert_ne!(
        render_rgb(&counts, 900).unwrap().0,
        render_rgb(&errors, 900).unwrap().0
    );
}

/// Chapter 4's softmax regression on iris: the demo's converged model is the library's softmax
/// fit on the same standardised petal measurements, and it separates setosa perfectly.
#[test]
fn softmax_on_iris_is_the_library_fit() {
    let demo = finished("logistic-regression", &[("dataset", "iris")]);
    let (train_acc, test_acc) = (
        metric(&demo, "train_accuracy"),
        metric(&demo, "test_accuracy"),
    );
    assert!(train_acc > 0.93 && test_acc > 0.9, "{train_acc} {test_acc}");

    // The same split and features by hand: all 150 flowers, 25% held out, standardised.
    let iris = bundled::iris().unwrap();
    let x = iris.x.select(Axis(1), &[2, 3]);
    let mut rng = Rng::new(SEED);
    let (tr, te) = mlplay::model_selection::train_test_split(150, 0.25, &mut rng).unwrap();
    let scaler = mlplay::preprocessing::StandardScalerParams::default()
        .fit(x.select(Axis(0), &tr).view())
        .unwrap();
    let scale = |rows: &[usize]| scaler.transform(x.select(Axis(0), rows).view()).unwrap();
    let train = Dataset::new(scale(&tr), iris.y.select(Axis(0), &tr)).unwrap();
    let model = LogisticRegression::params()
        .max_iter(1000)
        .fit(&train)
        .unwrap();
    let acc = model
        .score(scale(&te).view(), iris.y.select(Axis(0), &te).view())
        .unwrap();
    assert!(
        (acc - test_acc).abs() < 1e-12,
        "demo {test_acc}, library {acc}"
    );
    let setosa: Vec<usize> = (0..150).filter(|&i| iris.y[i] == 0.0).collect();
    let all = scaler.transform(x.view()).unwrap();
    let pred = model.predict(all.select(Axis(0), &setosa).view()).unwrap();
    assert!(pred.iter().all(|&p| p == 0.0), "every setosa found");
}

/// Polynomial regression and early stopping on an uploaded CSV whose x is in the thousands: each
/// ends where the library's fit of the same pipeline (x standardised, its powers standardised,
/// then ridge or SGD) on the same split of the file's rows ends, and the Python reads the file.
#[test]
fn polynomial_demos_on_an_uploaded_file_are_the_library_fits() {
    use mlplay::data::frame::read_frame;
    use mlplay::estimator::Regressor;
    use mlplay::linear::{LearningRate, RidgeParams, SgdRegressorParams};
    use mlplay::metrics::root_mean_squared_error;
    use mlplay::preprocessing::{PolynomialFeatures, StandardScalerParams};
    let mut text = String::from("flat,area_ft2,rent\n");
    for i in 0..120 {
        let area = 400.0 + 37.0 * ((i * 53) % 120) as f64;
        let rent = 300.0 + 0.8 * area - 6e-5 * area * area + 90.0 * (i as f64 * 1.7).sin();
        text.push_str(&format!("f{i},{area},{rent}\n"));
    }
    let on_file = |id: &str, pairs: &[(&str, &str)]| {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let params = demos::params_on_file(id, &pairs, "rents.csv", &text).unwrap();
        let mut demo = demos::create(id, &params, SEED).unwrap();
        while demo.tick() == Progress::Running {}
        demo
    };
    let frame = read_frame(&text).unwrap();
    let (x, y) = (frame.values.select(Axis(1), &[1]), frame.values.column(2));
    let mut rng = Rng::new(SEED);
    let (tr, va) = mlplay::model_selection::train_test_split(120, 0.25, &mut rng).unwrap();
    let part =
        |rows: &[usize]| Dataset::new(x.select(Axis(0), rows), y.select(Axis(0), rows)).unwrap();
    let (train, val) = (part(&tr), part(&va));
    let features = |degree: usize| {
        let x_scaler = StandardScalerParams::default().fit(train.x.view()).unwrap();
        let poly = PolynomialFeatures::new(degree, false);
        let expand = move |d: &Dataset| {
            poly.transform(x_scaler.transform(d.x.view()).unwrap().view())
                .unwrap()
        };
        let scaler = StandardScalerParams::default()
            .fit(expand(&train).view())
            .unwrap();
        move |d: &Dataset| {
            Dataset::new(scaler.transform(expand(d).view()).unwrap(), d.y.clone()).unwrap()
        }
    };
    let rmse = |m: &dyn Fn(&Dataset) -> Array1<f64>, d: &Dataset| {
        root_mean_squared_error(d.y.view(), m(d).view())
    };
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);

    let demo = on_file("polynomial-regression", &[("degree", "3")]);
    let f = features(3);
    let ridge = RidgeParams::default().alpha(1e-8).fit(&f(&train)).unwrap();
    let predict = |d: &Dataset| ridge.predict(f(d).x.view()).unwrap();
    let (train_rmse, val_rmse) = (rmse(&predict, &train), rmse(&predict, &val));
    assert!(
        close(metric(&demo, "train_rmse"), train_rmse),
        "{train_rmse}"
    );
    assert!(close(metric(&demo, "val_rmse"), val_rmse), "{val_rmse}");
    assert!(val_rmse < 120.0, "a cubic follows the rents: {val_rmse}");
    let script = demo.python().unwrap();
    assert!(script.contains("pd.read_csv(\"rents.csv\")"), "{script}");
    assert!(
        script.contains("StandardScaler(), PolynomialFeatures(degree=3"),
        "{script}"
    );
    assert!(!script.contains("rng.uniform"), "{script}");

    let demo = on_file(
        "early-stopping",
        &[("degree", "5"), ("epochs", "60"), ("eta0", "0.01")],
    );
    let f = features(5);
    let sgd = SgdRegressorParams::default()
        .penalty(None)
        .learning_rate(LearningRate::Constant)
        .eta0(0.01)
        .tol(None)
        .max_iter(60)
        .random_state(SEED)
        .fit(&f(&train))
        .unwrap();
    let predict = |d: &Dataset| sgd.predict(f(d).x.view()).unwrap();
    assert_eq!(metric(&demo, "epoch"), 60.0);
    let val_rmse = rmse(&predict, &val);
    assert!(close(metric(&demo, "val_rmse"), val_rmse), "{val_rmse}");
    assert!(close(metric(&demo, "train_rmse"), rmse(&predict, &train)));
    assert!(val_rmse < 200.0, "SGD learns the rents: {val_rmse}");
    assert!(demo
        .python()
        .unwrap()
        .contains("pd.read_csv(\"rents.csv\")"));
}

/// The early-stopping demo: one SGD epoch per tick; the validation error has its minimum before
/// the end (the demo's point), the best epoch is that minimum, and the stopping rule fires after
/// the patience has run out past the last improvement.
#[test]
fn early_stopping_marks_the_validation_minimum() {
    let demo = finished("early-stopping", &[]);
    let epochs = metric(&demo, "epoch") as usize;
    assert_eq!(epochs, 500, "one epoch per tick, to the end");
    let best = metric(&demo, "best_epoch") as usize;
    let (best_val, last_val) = (metric(&demo, "best_val_rmse"), metric(&demo, "val_rmse"));
    assert!(best > 1 && best < epochs / 2, "best epoch {best}");
    assert!(
        last_val > best_val * 1.03,
        "validation error turns up: {best_val} -> {last_val}"
    );
    assert!(
        metric(&demo, "train_rmse") < 1.0,
        "training keeps fitting the noise"
    );
    let stopped = metric(&demo, "stopped_at");
    assert!(
        stopped >= 10.0 && stopped < epochs as f64,
        "rule fires at {stopped}"
    );

    // A run with a longer patience stops no earlier, and the same seed gives the same run.
    let patient = finished("early-stopping", &[("patience", "40")]);
    assert!(metric(&patient, "stopped_at") >= stopped);
    let again = finished("early-stopping", &[]);
    assert_eq!(metric(&again, "best_val_rmse"), best_val);

    // Too large a step: the demo calls the run diverged instead of drawing overflowing numbers.
    let params = demos::params_with(
        "early-stopping",
        &[
            ("eta0".to_string(), "0.01".to_string()),
            ("epochs".to_string(), "2000".to_string()),
        ],
    )
    .unwrap();
    let mut wild = demos::create("early-stopping", &params, SEED).unwrap();
    let mut last = Progress::Running;
    for _ in 0..2000 {
        last = wild.tick();
        if last != Progress::Running {
            break;
        }
    }
    assert_eq!(last, Progress::Diverged);
    assert!(wild.status().unwrap().contains("lower the learning rate"));
}

/// Chapter 4's logistic regression on an uploaded CSV (three text classes): the demo's converged
/// model scores as the library's fit of the same pipeline (degree-2 features, standardised) on
/// the same split of the file's rows; the legend and the Python use the file's names.
#[test]
fn logistic_regression_on_an_uploaded_file_is_the_library_fit() {
    use mlplay::data::frame::read_frame;
    use mlplay::metrics::log_loss;
    use mlplay::preprocessing::{PolynomialFeatures, StandardScalerParams};
    let mut text = String::from("height,weight,group\n");
    for i in 0..90 {
        let (group, cx, cy) = [("low", 0.0, 0.0), ("mid", 2.5, 1.0), ("high", 0.5, 3.0)][i % 3];
        let a = 150.0 + 10.0 * (cx + (i as f64 * 0.73).sin());
        let b = 50.0 + 5.0 * (cy + (i as f64 * 1.37).cos());
        text.push_str(&format!("{a},{b},{group}\n"));
    }
    let id = "logistic-regression";
    let pairs = [("degree".to_string(), "2".to_string())];
    let params = demos::params_on_file(id, &pairs, "groups.csv", &text).unwrap();
    let mut demo = demos::create(id, &params, SEED).unwrap();
    while demo.tick() == Progress::Running {}

    let frame = read_frame(&text).unwrap();
    let x = frame.values.select(Axis(1), &[0, 1]);
    let y = frame.values.column(2).to_owned();
    let mut rng = Rng::new(SEED);
    let (tr, te) = mlplay::model_selection::train_test_split(90, 0.25, &mut rng).unwrap();
    let poly = PolynomialFeatures::new(2, false);
    let expand = |rows: &[usize]| poly.transform(x.select(Axis(0), rows).view()).unwrap();
    let scaler = StandardScalerParams::default()
        .fit(expand(&tr).view())
        .unwrap();
    let features = |rows: &[usize]| scaler.transform(expand(rows).view()).unwrap();
    let train = Dataset::new(features(&tr), y.select(Axis(0), &tr)).unwrap();
    let model = LogisticRegression::params()
        .max_iter(1000)
        .fit(&train)
        .unwrap();
    let y_test = y.select(Axis(0), &te);
    let test_x = features(&te);
    let proba = model.predict_proba(test_x.view()).unwrap();
    let expected = [
        (
            "train_accuracy",
            model.score(train.x.view(), train.y.view()).unwrap(),
        ),
        (
            "test_accuracy",
            model.score(test_x.view(), y_test.view()).unwrap(),
        ),
        (
            "test_log_loss",
            log_loss(y_test.view(), proba.view(), &model.classes).unwrap(),
        ),
    ];
    for (key, library) in expected {
        let ours = metric(&demo, key);
        assert!(
            (ours - library).abs() < 1e-9,
            "{key}: demo {ours}, library {library}"
        );
    }
    assert!(metric(&demo, "test_accuracy") > 0.8);
    let script = demo.python().unwrap();
    assert!(script.contains("pd.read_csv(\"groups.csv\")"), "{script}");
    assert!(script.contains("y = data[\"group\"]"), "{script}");
    assert!(!script.contains("make_blobs"), "{script}");
}
