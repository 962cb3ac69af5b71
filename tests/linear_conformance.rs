//! The checks every estimator must pass (in the spirit of scikit-learn's `check_estimator`):
//! typed errors for bad parameters and bad data, predict on the wrong shape, refit, determinism,
//! and a serde round trip of the parameters. Run here over the linear family and the decision trees
//! (regressors through `conformance`, classifiers through `classifier_conformance`).

// The same tests run natively and, under `wasm-pack test`, compiled to wasm in the browser.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mlplay::data::{generators, Dataset};
use mlplay::error::Error;
use mlplay::estimator::{Classifier, Fit, Regressor};
use mlplay::linear::{
    GdMethod, GradientDescentParams, LinearRegressionParams, LogisticRegressionParams, RidgeParams,
    SgdRegressorParams,
};
use mlplay::tree::{
    ClassificationCriterion, DecisionTreeClassifierParams, DecisionTreeRegressorParams,
};
use ndarray::{array, Array1, Array2, ArrayView2};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;

fn data() -> Dataset {
    let mut rng = mlplay::rng::Rng::new(3);
    generators::linear_regression(40, &[1.5, -2.0, 0.7], 4.0, 0.3, &mut rng)
}

/// The bad-data checks every estimator shares: x/y length mismatch, predict on the wrong number of
/// features, NaN and infinity in x, y and the rows to predict, no samples, no features. Returns
/// the model fitted on `good`; `predict` is the model's own (regressor or classifier).
fn data_checks<P>(
    name: &str,
    params: &P,
    good: &Dataset,
    predict: impl Fn(&P::Model, ArrayView2<f64>) -> mlplay::error::Result<Array1<f64>>,
) -> P::Model
where
    P: Fit,
    P::Model: Debug,
{
    let model = params
        .fit(good)
        .unwrap_or_else(|e| panic!("{name}: fit: {e}"));

    // Shapes: y shorter than x, predict with a different number of features.
    let bad = Dataset {
        y: good.y.slice(ndarray::s![..10]).to_owned(),
        ..good.clone()
    };
    assert!(
        matches!(params.fit(&bad), Err(Error::Shape(_))),
        "{name}: x/y length mismatch"
    );
    let wrong = Array2::<f64>::zeros((4, good.n_features() + 1));
    assert!(
        matches!(predict(&model, wrong.view()), Err(Error::Shape(_))),
        "{name}: predict with the wrong number of features"
    );

    // NaN and infinity, in x, y and the rows to predict.
    let mut nan_x = good.clone();
    nan_x.x[[5, 1]] = f64::NAN;
    match params.fit(&nan_x) {
        Err(Error::NonFinite(at)) => assert!(at.contains("row 5"), "{name}: {at}"),
        other => panic!("{name}: NaN in x gave {other:?}"),
    }
    let mut inf_y = good.clone();
    inf_y.y[2] = f64::INFINITY;
    assert!(
        matches!(params.fit(&inf_y), Err(Error::NonFinite(_))),
        "{name}: inf in y"
    );
    let mut nan_rows = good.x.clone();
    nan_rows[[0, 0]] = f64::NAN;
    assert!(
        matches!(predict(&model, nan_rows.view()), Err(Error::NonFinite(_))),
        "{name}: NaN in predict"
    );

    // Empty data.
    let empty = Dataset::new(Array2::zeros((0, 3)), Array1::zeros(0)).unwrap();
    assert!(
        matches!(params.fit(&empty), Err(Error::EmptyData(_))),
        "{name}: no samples"
    );
    let no_features = Dataset::new(Array2::zeros((5, 0)), Array1::zeros(5)).unwrap();
    assert!(
        matches!(params.fit(&no_features), Err(Error::EmptyData(_))),
        "{name}: no features"
    );
    model
}

/// The data checks, shared by every regressor.
fn conformance<P>(name: &str, params: P)
where
    P: Fit + Serialize + DeserializeOwned + PartialEq + Debug,
    P::Model: Regressor + Debug,
{
    let good = data();
    let model = data_checks(name, &params, &good, |m, x| m.predict(x));

    // Refit and determinism: the same params on the same data give the same predictions.
    let again = params.fit(&good).unwrap();
    assert_eq!(
        model.predict(good.x.view()).unwrap(),
        again.predict(good.x.view()).unwrap(),
        "{name}: refit"
    );
    // A refit on other data forgets the first one.
    let other = {
        let mut d = good.clone();
        d.y.mapv_inplace(|v| -v);
        d
    };
    let flipped = params.fit(&other).unwrap();
    assert_ne!(
        model.predict(good.x.view()).unwrap(),
        flipped.predict(good.x.view()).unwrap(),
        "{name}: refit on new data"
    );

    // A well-specified problem is learned.
    let r2 = model.score(good.x.view(), good.y.view()).unwrap();
    assert!(r2 > 0.9, "{name}: R² {r2}");

    // Params survive JSON (the CLI and the URL use it).
    let json = serde_json::to_string(&params).unwrap();
    let back: P = serde_json::from_str(&json).unwrap();
    assert_eq!(back, params, "{name}: serde round trip");
    assert!(
        serde_json::from_str::<P>(r#"{"no_such_param": 1}"#).is_err(),
        "{name}: unknown keys are refused"
    );
}

#[test]
fn k_neighbors_conformance() {
    use mlplay::neighbors::{KNeighborsClassifierParams, KNeighborsRegressorParams, Weights};
    // Distance weights reproduce the training targets; one neighbour too, whatever the distance.
    conformance(
        "KNeighborsRegressor distance",
        KNeighborsRegressorParams::default().weights(Weights::Distance),
    );
    conformance(
        "KNeighborsRegressor k=1, p=1",
        KNeighborsRegressorParams::default().n_neighbors(1).p(1),
    );
    // One class is no error: every neighbour votes for it, as in scikit-learn.
    classifier_conformance(
        "KNeighborsClassifier",
        KNeighborsClassifierParams::default(),
        false,
    );
    classifier_conformance(
        "KNeighborsClassifier k=1, distance, p=1",
        KNeighborsClassifierParams::default()
            .n_neighbors(1)
            .weights(Weights::Distance)
            .p(1),
        false,
    );
    invalid(
        KNeighborsClassifierParams::default().n_neighbors(0),
        "n_neighbors",
    );
    invalid(KNeighborsRegressorParams::default().p(3), "p");
}

#[test]
fn linear_regression_conformance() {
    conformance("LinearRegression", LinearRegressionParams::default());
}

#[test]
fn ridge_conformance() {
    conformance("Ridge", RidgeParams::default().alpha(0.3));
}

#[test]
fn sgd_regressor_conformance() {
    conformance("SGDRegressor", SgdRegressorParams::default());
    // With shuffling on, the seed decides the run.
    let d = data();
    let p = SgdRegressorParams::default().random_state(5);
    let a = p.fit(&d).unwrap();
    let b = p.fit(&d).unwrap();
    assert_eq!(a.coef(), b.coef());
    let c = p.clone().random_state(6).fit(&d).unwrap();
    assert_ne!(a.coef(), c.coef(), "another seed shuffles differently");
}

#[test]
fn lasso_and_elastic_net_conformance() {
    use mlplay::linear::{ElasticNetParams, LassoParams, Selection};
    conformance("Lasso", LassoParams::default().alpha(0.05));
    conformance("ElasticNet", ElasticNetParams::default().alpha(0.05));
    conformance(
        "ElasticNet random selection, positive=false",
        ElasticNetParams::default()
            .alpha(0.01)
            .l1_ratio(0.9)
            .selection(Selection::Random)
            .random_state(4),
    );
    invalid(LassoParams::default().alpha(-1.0), "alpha");
    invalid(LassoParams::default().max_iter(0), "max_iter");
    invalid(ElasticNetParams::default().tol(f64::NAN), "tol");
    invalid(ElasticNetParams::default().l1_ratio(1.5), "l1_ratio");
}

#[test]
fn gradient_descent_conformance() {
    for method in [GdMethod::Batch, GdMethod::MiniBatch, GdMethod::Stochastic] {
        conformance(
            &format!("GradientDescent {method:?}"),
            GradientDescentParams::default().method(method).epochs(200),
        );
    }
}

#[test]
fn decision_tree_regressor_conformance() {
    conformance(
        "DecisionTreeRegressor",
        DecisionTreeRegressorParams::default(),
    );
    conformance(
        "DecisionTreeRegressor max_depth=6",
        DecisionTreeRegressorParams::default().max_depth(Some(6)),
    );
}

fn classification_data() -> Dataset {
    let mut rng = mlplay::rng::Rng::new(5);
    let centers = generators::random_centers(3, 3, 4.0, &mut rng);
    generators::blobs(60, &centers, 1.0, &mut rng)
}

/// The data checks for classifiers: the regressor checks, plus one class only and relabelling.
fn classifier_conformance<P>(name: &str, params: P, one_class_is_an_error: bool)
where
    P: Fit + Serialize + DeserializeOwned + PartialEq + Debug,
    P::Model: Classifier + Debug + PartialEq,
{
    let good = classification_data();
    let model = data_checks(name, &params, &good, |m, x| m.predict(x));
    // One class: an error naming y, or (trees, as in scikit-learn) a model predicting that class.
    let mut one = good.clone();
    one.y.fill(2.0);
    match params.fit(&one) {
        Err(Error::InvalidParam { param, .. }) if one_class_is_an_error => {
            assert_eq!(param, "y", "{name}")
        }
        Ok(m) if !one_class_is_an_error => assert!(
            m.predict(good.x.view()).unwrap().iter().all(|&v| v == 2.0),
            "{name}: one class"
        ),
        other => panic!("{name}: one class gave {other:?}"),
    }
    // Refit and determinism; a refit on relabelled data forgets the first fit.
    assert_eq!(params.fit(&good).unwrap(), model, "{name}: refit");
    let mut other = good.clone();
    other.y.mapv_inplace(|v| (v + 1.0) % 3.0);
    assert_ne!(
        params.fit(&other).unwrap().predict(good.x.view()).unwrap(),
        model.predict(good.x.view()).unwrap(),
        "{name}: refit on new labels"
    );
    let acc = model.score(good.x.view(), good.y.view()).unwrap();
    assert!(acc > 0.8, "{name}: accuracy {acc}");
    let json = serde_json::to_string(&params).unwrap();
    let back: P = serde_json::from_str(&json).unwrap();
    assert_eq!(back, params, "{name}: serde round trip");
    assert!(
        serde_json::from_str::<P>(r#"{"no_such_param": 1}"#).is_err(),
        "{name}: unknown keys are refused"
    );
}

#[test]
fn classifier_conformance_logistic_regression_and_decision_tree() {
    classifier_conformance(
        "LogisticRegression",
        LogisticRegressionParams::default(),
        true,
    );
    classifier_conformance(
        "DecisionTreeClassifier",
        DecisionTreeClassifierParams::default(),
        false,
    );
    classifier_conformance(
        "DecisionTreeClassifier entropy, max_depth=3, max_features=1",
        DecisionTreeClassifierParams::default()
            .criterion(ClassificationCriterion::Entropy)
            .max_depth(Some(3))
            .max_features(Some(mlplay::tree::MaxFeatures::Count(1)))
            .random_state(3),
        false,
    );
}

fn invalid<P: Fit>(params: P, param: &str) {
    match params.validate() {
        Err(Error::InvalidParam {
            param: p, allowed, ..
        }) => {
            assert_eq!(p, param);
            assert!(!allowed.is_empty());
        }
        other => panic!("{param}: expected InvalidParam, got {other:?}"),
    }
}

#[test]
fn bad_parameters_name_themselves_and_their_range() {
    invalid(RidgeParams::default().alpha(-1.0), "alpha");
    invalid(RidgeParams::default().alpha(f64::NAN), "alpha");
    invalid(SgdRegressorParams::default().alpha(-0.1), "alpha");
    invalid(SgdRegressorParams::default().eta0(0.0), "eta0");
    invalid(SgdRegressorParams::default().max_iter(0), "max_iter");
    invalid(
        SgdRegressorParams {
            l1_ratio: 1.5,
            ..Default::default()
        },
        "l1_ratio",
    );
    invalid(
        GradientDescentParams::default().learning_rate(0.0),
        "learning_rate",
    );
    invalid(GradientDescentParams::default().batch_size(0), "batch_size");
    invalid(GradientDescentParams::default().epochs(0), "epochs");

    invalid(
        DecisionTreeRegressorParams::default().min_samples_leaf(0),
        "min_samples_leaf",
    );
    invalid(
        DecisionTreeClassifierParams::default().max_depth(Some(0)),
        "max_depth",
    );

    let e = RidgeParams::default().alpha(-1.0).fit(&data()).unwrap_err();
    assert_eq!(e.to_string(), "alpha must be a finite number >= 0 (got -1)");
}

#[test]
fn gradient_descent_that_blows_up_says_what_to_do() {
    let d = Dataset::new(array![[1e3], [2e3], [3e3]], array![1.0, 2.0, 3.0]).unwrap();
    let e = GradientDescentParams::default()
        .learning_rate(1.0)
        .epochs(500)
        .fit(&d)
        .unwrap_err();
    assert!(matches!(e, Error::Numerical(_)), "{e:?}");
    assert!(e.to_string().contains("lower the learning rate"), "{e}");
}

#[test]
fn svm_conformance() {
    use mlplay::svm::{Gamma, GammaRule, KernelKind, SvcParams, SvrParams};
    classifier_conformance("SVC", SvcParams::default(), true);
    classifier_conformance(
        "SVC linear C=0.1",
        SvcParams::default().kernel(KernelKind::Linear).c(0.1),
        true,
    );
    // A linear target with values up to ~10: the box C bounds each coefficient, so give it room.
    conformance(
        "SVR linear",
        SvrParams::default().kernel(KernelKind::Linear).c(10.0),
    );
    conformance(
        "SVR poly",
        SvrParams::default()
            .kernel(KernelKind::Poly)
            .degree(1)
            .coef0(1.0)
            .gamma(Gamma::Rule(GammaRule::Auto))
            .c(30.0),
    );
    invalid(SvcParams::default().c(0.0), "C");
    invalid(SvcParams::default().tol(-1.0), "tol");
    invalid(SvcParams::default().gamma_value(0.0), "gamma");
    invalid(SvcParams::default().max_iter(Some(0)), "max_iter");
    invalid(SvrParams::default().epsilon(-0.1), "epsilon");
    invalid(SvrParams::default().degree(11), "degree");
}

#[test]
fn linear_svc_conformance() {
    use mlplay::svm::{LinearSvcParams, SvcLoss};
    classifier_conformance("LinearSVC", LinearSvcParams::default(), true);
    classifier_conformance(
        "LinearSVC hinge, C=0.1",
        LinearSvcParams::default().loss(SvcLoss::Hinge).c(0.1),
        true,
    );
    invalid(LinearSvcParams::default().c(0.0), "C");
    invalid(LinearSvcParams::default().tol(0.0), "tol");
    invalid(LinearSvcParams::default().max_iter(0), "max_iter");
}

#[test]
fn sgd_classifier_conformance() {
    use mlplay::linear::{SgdClassifierLoss, SgdClassifierParams};
    classifier_conformance("SGDClassifier", SgdClassifierParams::default(), true);
    classifier_conformance(
        "SGDClassifier log_loss, no shuffle",
        SgdClassifierParams::default()
            .loss(SgdClassifierLoss::LogLoss)
            .shuffle(false),
        true,
    );
    // With shuffling on, the seed decides the run.
    let d = classification_data();
    let p = SgdClassifierParams::default().random_state(5);
    assert_eq!(p.fit(&d).unwrap(), p.fit(&d).unwrap());
    assert_ne!(
        p.fit(&d).unwrap().coef,
        p.clone().random_state(6).fit(&d).unwrap().coef,
        "another seed shuffles differently"
    );
    invalid(SgdClassifierParams::default().alpha(0.0), "alpha");
    invalid(SgdClassifierParams::default().max_iter(0), "max_iter");
}

#[test]
fn gradient_boosting_conformance() {
    use mlplay::ensemble::{GradientBoostingClassifierParams, GradientBoostingRegressorParams};
    // Few stages keep the wasm run short; the checks do not depend on how many.
    conformance(
        "GradientBoostingRegressor",
        GradientBoostingRegressorParams::default()
            .n_estimators(20)
            .learning_rate(0.3),
    );
    conformance(
        "GradientBoostingRegressor subsample=0.5, early stopping",
        GradientBoostingRegressorParams::default()
            .n_estimators(20)
            .learning_rate(0.3)
            .subsample(0.5)
            .n_iter_no_change(Some(3))
            .random_state(4),
    );
    classifier_conformance(
        "GradientBoostingClassifier",
        GradientBoostingClassifierParams::default().n_estimators(10),
        true,
    );
    invalid(
        GradientBoostingRegressorParams::default().learning_rate(0.0),
        "learning_rate",
    );
    invalid(
        GradientBoostingClassifierParams::default().validation_fraction(1.0),
        "validation_fraction",
    );
    invalid(GradientBoostingClassifierParams::default().tol(-1.0), "tol");
}

#[test]
fn forest_conformance() {
    use mlplay::ensemble::{
        BaggingClassifierParams, BaggingRegressorParams, ExtraTreesClassifierParams,
        ExtraTreesRegressorParams, Portion, RandomForestClassifierParams,
        RandomForestRegressorParams,
    };
    // Few trees keep the wasm run short; the checks do not depend on how many.
    conformance(
        "RandomForestRegressor oob_score",
        RandomForestRegressorParams::default()
            .n_estimators(15)
            .oob_score(true)
            .random_state(1),
    );
    conformance(
        "ExtraTreesRegressor",
        ExtraTreesRegressorParams::default().n_estimators(15),
    );
    conformance(
        "BaggingRegressor max_samples=0.8",
        BaggingRegressorParams::default().max_samples(Some(Portion::Fraction(0.8))),
    );
    classifier_conformance(
        "RandomForestClassifier oob_score",
        RandomForestClassifierParams::default()
            .n_estimators(15)
            .oob_score(true),
        false,
    );
    classifier_conformance(
        "ExtraTreesClassifier",
        ExtraTreesClassifierParams::default().n_estimators(15),
        false,
    );
    classifier_conformance(
        "BaggingClassifier bootstrap_features",
        BaggingClassifierParams::default()
            .max_features(Some(Portion::Count(2)))
            .bootstrap_features(true),
        false,
    );
    invalid(
        RandomForestClassifierParams::default().n_estimators(0),
        "n_estimators",
    );
    invalid(
        ExtraTreesClassifierParams::default().oob_score(true),
        "oob_score",
    );
    invalid(
        BaggingClassifierParams::default().max_samples(Some(Portion::Fraction(0.0))),
        "max_samples",
    );
}

#[test]
fn adaboost_voting_stacking_conformance() {
    use mlplay::ensemble::{
        AdaBoostClassifierParams, StackingClassifierParams, Voting, VotingClassifierParams,
    };
    classifier_conformance(
        "AdaBoostClassifier",
        AdaBoostClassifierParams::default().n_estimators(10),
        false,
    );
    classifier_conformance(
        "VotingClassifier soft",
        VotingClassifierParams::default().voting(Voting::Soft),
        true,
    );
    classifier_conformance(
        "StackingClassifier cv=3",
        StackingClassifierParams::default().cv(3),
        true,
    );
    invalid(
        AdaBoostClassifierParams::default().learning_rate(0.0),
        "learning_rate",
    );
    invalid(
        VotingClassifierParams::default().weights(Some(vec![1.0])),
        "weights",
    );
    invalid(StackingClassifierParams::default().cv(1), "cv");
}
