//! Fitting any estimator by name from CSV text with `key=value` overrides, returning one JSON
//! object (with `fit_ms`). Portable: `mlplay fit`/`transform` (src/cli.rs) and the wasm export
//! `fit_json` (src/web/mod.rs, used by `scripts/bench wasm`) both call it.

use crate::cluster::{
    DbscanParams, GaussianMixtureParams, KMeans, KMeansParams, MiniBatchKMeansParams,
};
use crate::data::{csv, Dataset};
use crate::decomposition::{
    GaussianRandomProjectionParams, IncrementalPcaParams, IsomapParams,
    LocallyLinearEmbeddingParams, PcaParams, SparseRandomProjectionParams,
};
use crate::ensemble::{
    BaggingClassifierParams, BaggingRegressorParams, BoostedTrees, ExtraTreesClassifierParams,
    ExtraTreesRegressorParams, ForestClassifier, ForestRegressor, GradientBoostingClassifierParams,
    GradientBoostingRegressorParams, RandomForestClassifierParams, RandomForestRegressorParams,
};
use crate::error::{Error, Result};
use crate::estimator::{Classifier, Fit, Regressor};
pub use crate::fit_curves::CURVES;
pub use crate::fit_preprocess::PREPROCESSORS;
use crate::fit_preprocess::{fit_pipeline, fit_preprocessor, transform_preprocessor};
pub use crate::fit_search::SPLITTERS;
use crate::fit_search::{search, split};
use crate::linear::{
    ElasticNetParams, LassoParams, LinearRegressionParams, LogisticRegressionParams, RidgeParams,
    SgdClassifierParams, SgdRegressorParams,
};
use crate::neighbors::{KNeighborsClassifierParams, KNeighborsRegressorParams};
use crate::svm::{LinearSvcParams, SvcParams, SvrParams};
use crate::tree::{DecisionTreeClassifierParams, DecisionTreeRegressorParams, Tree};
use ndarray::{Array1, Array2, ArrayView2};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value as Json};
use web_time::Instant;

/// Fits estimator `name` (supervised or not) on `data` (CSV text) and returns the JSON object
/// `mlplay fit` prints. Supervised estimators need `target`; unsupervised ones refuse a `target`
/// or `predict` (CSV text of rows to predict).
pub fn fit_csv(
    name: &str,
    data: &str,
    target: Option<&str>,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    check_fit_args(name, target.is_some(), predict.is_some())?;
    if PREPROCESSORS.contains(&name) {
        return fit_preprocessor(name, data, target, sets);
    }
    if SPLITTERS.contains(&name) {
        return split(name, data, target, sets);
    }
    match target {
        Some(target) if CURVES.contains(&name) => {
            crate::fit_curves::curve(name, data, target, sets)
        }
        Some(target) => fit(name, data, target, sets, predict),
        None => fit_unsupervised(name, data, sets),
    }
}

/// Whether `name` gets the arguments it needs (a target iff supervised, predictions only then);
/// the CLI asks before it reads any file.
pub fn check_fit_args(name: &str, has_target: bool, has_predict: bool) -> Result<()> {
    if PREPROCESSORS.contains(&name) || SPLITTERS.contains(&name) {
        // A target is optional: left out of the columns transformed, or the labels to stratify.
        if has_predict {
            return Err(Error::Io(format!(
                "{name} predicts nothing: it takes no --predict"
            )));
        }
    } else if CURVES.contains(&name) && has_predict {
        return Err(Error::Io(format!(
            "{name} scores an estimator across folds and keeps no model: it takes no --predict"
        )));
    } else if UNSUPERVISED.contains(&name) {
        if has_target || has_predict {
            return Err(Error::Io(format!(
                "{name} is unsupervised: it takes no --target or --predict"
            )));
        }
    } else if !has_target {
        return Err(Error::Io(format!(
            "{name} needs --target (the column to predict)"
        )));
    }
    Ok(())
}

/// Estimators reachable from `mlplay fit`, by kebab-case name.
pub const ESTIMATORS: &[&str] = &[
    "linear-regression",
    "ridge",
    "sgd-regressor",
    "lasso",
    "elastic-net",
    "logistic-regression",
    "svc",
    "svr",
    "linear-svc",
    "sgd-classifier",
    "decision-tree-classifier",
    "decision-tree-regressor",
    "k-neighbors-classifier",
    "k-neighbors-regressor",
    "gradient-boosting-classifier",
    "gradient-boosting-regressor",
    "bagging-classifier",
    "bagging-regressor",
    "random-forest-classifier",
    "random-forest-regressor",
    "extra-trees-classifier",
    "extra-trees-regressor",
    "ada-boost-classifier",
    "voting-classifier",
    "stacking-classifier",
    "pipeline",
    "grid-search-cv",
    "randomized-search-cv",
];

/// Every name `mlplay fit` takes, for error messages.
fn all_names() -> String {
    [ESTIMATORS, UNSUPERVISED, PREPROCESSORS, SPLITTERS, CURVES]
        .concat()
        .join(", ")
}

/// Fits estimator `name` on `data` (CSV text, `target` column) with `--set` overrides; with
/// `predict` (CSV text) also predicts those rows. Returns the JSON object the CLI prints.
pub fn fit(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    match name {
        "pipeline" => fit_pipeline(data, target, sets, predict),
        "grid-search-cv" | "randomized-search-cv" => search(name, data, target, sets, predict),
        "linear-regression" => {
            fit_regressor::<LinearRegressionParams>(name, data, target, sets, predict)
        }
        "ridge" => fit_regressor::<RidgeParams>(name, data, target, sets, predict),
        "sgd-regressor" => fit_regressor::<SgdRegressorParams>(name, data, target, sets, predict),
        "lasso" => fit_regressor::<LassoParams>(name, data, target, sets, predict),
        "elastic-net" => fit_regressor::<ElasticNetParams>(name, data, target, sets, predict),
        "logistic-regression" => fit_logistic_regression(name, data, target, sets, predict),
        "svc" => fit_svc(name, data, target, sets, predict),
        "svr" => fit_svr(name, data, target, sets, predict),
        "linear-svc" => fit_linear_svc(name, data, target, sets, predict),
        "sgd-classifier" => fit_sgd_classifier(name, data, target, sets, predict),
        "decision-tree-classifier" => fit_tree_classifier(name, data, target, sets, predict),
        "decision-tree-regressor" => fit_tree_regressor(name, data, target, sets, predict),
        "k-neighbors-classifier" => fit_k_neighbors_classifier(name, data, target, sets, predict),
        "k-neighbors-regressor" => fit_k_neighbors_regressor(name, data, target, sets, predict),
        "gradient-boosting-classifier" => {
            fit_gradient_boosting_classifier(name, data, target, sets, predict)
        }
        "ada-boost-classifier" => fit_combined::<crate::ensemble::AdaBoostClassifierParams>(
            name, data, target, sets, predict,
        ),
        "voting-classifier" => fit_combined::<crate::ensemble::VotingClassifierParams>(
            name, data, target, sets, predict,
        ),
        "stacking-classifier" => fit_combined::<crate::ensemble::StackingClassifierParams>(
            name, data, target, sets, predict,
        ),
        "gradient-boosting-regressor" => {
            fit_gradient_boosting_regressor(name, data, target, sets, predict)
        }
        "bagging-classifier" => {
            fit_forest_classifier::<BaggingClassifierParams>(name, data, target, sets, predict)
        }
        "random-forest-classifier" => {
            fit_forest_classifier::<RandomForestClassifierParams>(name, data, target, sets, predict)
        }
        "extra-trees-classifier" => {
            fit_forest_classifier::<ExtraTreesClassifierParams>(name, data, target, sets, predict)
        }
        "bagging-regressor" => {
            fit_forest_regressor::<BaggingRegressorParams>(name, data, target, sets, predict)
        }
        "random-forest-regressor" => {
            fit_forest_regressor::<RandomForestRegressorParams>(name, data, target, sets, predict)
        }
        "extra-trees-regressor" => {
            fit_forest_regressor::<ExtraTreesRegressorParams>(name, data, target, sets, predict)
        }
        _ => Err(Error::UnknownEstimator {
            name: name.to_string(),
            expected: all_names(),
        }),
    }
}

/// Builds `P` from `sets`, reads `data` with column `target` as y and fits, timing the fit alone.
/// Returns the summary every supervised fit prints (`estimator`, `params`, `fit_ms`,
/// `train_score` by `score`, `n_samples`, `features`), the model and the training data.
fn fit_supervised<P>(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    score: impl Fn(&P::Model, &Dataset) -> Result<f64>,
) -> Result<(Json, P::Model, Dataset)>
where
    P: Fit + Default + Serialize + DeserializeOwned,
{
    let params: P = params_from_sets(sets)?;
    let train = csv::read_dataset(data, target)?;
    let start = Instant::now();
    let model = params.fit(&train)?;
    let fit_ms = start.elapsed().as_secs_f64() * 1000.0;
    let out = json!({
        "estimator": name,
        "params": params,
        "fit_ms": fit_ms,
        "train_score": score(&model, &train)?,
        "n_samples": train.n_samples(),
        "features": &train.feature_names,
    });
    Ok((out, model, train))
}

fn fit_regressor<P>(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json>
where
    P: Fit + Default + Serialize + DeserializeOwned,
    P::Model: Regressor + Serialize,
{
    let (mut out, model, train) = fit_supervised::<P>(name, data, target, sets, |m, d| {
        m.score(d.x.view(), d.y.view())
    })?;
    // The fitted model's fields (coef, intercept, n_iter...) sit beside the summary.
    if let Json::Object(fields) =
        serde_json::to_value(&model).map_err(|e| Error::Io(e.to_string()))?
    {
        for (k, v) in fields.into_iter().filter(|(k, _)| k != "params") {
            match v {
                Json::Object(inner) if k == "model" => out
                    .as_object_mut()
                    .into_iter()
                    .for_each(|o| o.extend(inner.clone())),
                v => {
                    out[k] = v;
                }
            }
        }
    }
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
    }
    Ok(out)
}

/// Unsupervised estimators reachable from `mlplay fit`: they read every CSV column as a feature
/// and take no `--target`.
pub const UNSUPERVISED: &[&str] = &[
    "kmeans",
    "mini-batch-kmeans",
    "dbscan",
    "gaussian-mixture",
    "pca",
    "incremental-pca",
    "gaussian-random-projection",
    "sparse-random-projection",
    "locally-linear-embedding",
    "isomap",
];

/// Dimensionality reducers reachable from `mlplay transform` (and `mlplay fit`).
pub const TRANSFORMERS: &[&str] = &[
    "pca",
    "incremental-pca",
    "gaussian-random-projection",
    "sparse-random-projection",
    "locally-linear-embedding",
    "isomap",
];

/// Fits unsupervised estimator `name` on every column of `data` (CSV text) with `--set`
/// overrides. Returns the JSON object the CLI prints: `estimator`, `params`, `fit_ms` and the
/// fitted attributes (labels and centres, core samples, mixture weights/means/covariances with
/// BIC and AIC, or components and variance ratios).
pub fn fit_unsupervised(name: &str, data: &str, sets: &[(String, String)]) -> Result<Json> {
    let table = csv::read_table(data)?;
    let x = Array2::from_shape_fn((table.rows.len(), table.columns.len()), |(r, c)| {
        table.rows[r][c]
    });
    let start = Instant::now();
    let (params, fitted) = fit_unsupervised_x(name, x.view(), sets)?;
    let mut out = json!({
        "estimator": name,
        "params": params,
        "fit_ms": start.elapsed().as_secs_f64() * 1000.0,
        "n_samples": x.nrows(),
        "features": table.columns,
    });
    if let (Some(o), Json::Object(f)) = (out.as_object_mut(), fitted) {
        o.extend(f);
    }
    Ok(out)
}

fn fit_unsupervised_x(
    name: &str,
    x: ArrayView2<f64>,
    sets: &[(String, String)],
) -> Result<(Json, Json)> {
    Ok(match name {
        "kmeans" => {
            let p: KMeansParams = params_from_sets(sets)?;
            (to_json(&p)?, kmeans_json(&p.fit_x(x)?))
        }
        "mini-batch-kmeans" => {
            let p: MiniBatchKMeansParams = params_from_sets(sets)?;
            (to_json(&p)?, kmeans_json(&p.fit_x(x)?))
        }
        "dbscan" => {
            let p: DbscanParams = params_from_sets(sets)?;
            let m = p.fit_x(x)?;
            let fitted = json!({
                "labels": m.labels,
                "core_sample_indices": m.core_sample_indices,
                "n_clusters": m.n_clusters(),
                "n_noise": m.n_noise(),
            });
            (to_json(&p)?, fitted)
        }
        "gaussian-mixture" => {
            let p: GaussianMixtureParams = params_from_sets(sets)?;
            let m = p.fit_x(x)?;
            let fitted = json!({
                "weights": m.weights.to_vec(),
                "means": rows(&m.means),
                "covariances": m.covariances.to_json(),
                "converged": m.converged,
                "n_iter": m.n_iter,
                "lower_bound": m.lower_bound,
                "bic": m.bic(x)?,
                "aic": m.aic(x)?,
                "labels": m.predict(x)?,
            });
            (to_json(&p)?, fitted)
        }
        _ if TRANSFORMERS.contains(&name) => {
            // `mlplay fit` times the fit alone, as scikit-learn's `fit`: no transform.
            let (params, fitted, _) = reduce(name, x, sets, false)?;
            (params, fitted)
        }
        _ => {
            return Err(Error::UnknownEstimator {
                name: name.to_string(),
                expected: all_names(),
            })
        }
    })
}

/// Fits transformer `name` on `data` (CSV text) with `--set` overrides and returns the
/// transformed rows as CSV text. Reducers read every column (no `target`) and name their outputs
/// `c1..ck`; preprocessors name theirs as scikit-learn's `get_feature_names_out` and append the
/// `target` column when given.
pub fn transform(
    name: &str,
    data: &str,
    target: Option<&str>,
    sets: &[(String, String)],
) -> Result<String> {
    if PREPROCESSORS.contains(&name) {
        return transform_preprocessor(name, data, target, sets);
    }
    if !TRANSFORMERS.contains(&name) {
        return Err(Error::UnknownEstimator {
            name: name.to_string(),
            expected: TRANSFORMERS
                .iter()
                .chain(PREPROCESSORS)
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    if target.is_some() {
        return Err(Error::Io(format!(
            "{name} is unsupervised: it takes no --target"
        )));
    }
    let table = csv::read_table(data)?;
    let x = Array2::from_shape_fn((table.rows.len(), table.columns.len()), |(r, c)| {
        table.rows[r][c]
    });
    let (_, _, z) = reduce(name, x.view(), sets, true)?;
    let mut out = (1..=z.ncols())
        .map(|c| format!("c{c}"))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    for row in z.rows() {
        let cells: Vec<String> = row.iter().map(|v| v.to_string()).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    Ok(out)
}

/// Fits reducer `name` on `x`: its params, the fitted attributes for `mlplay fit`, and, when
/// `transformed`, `x` transformed (the manifold learners' training embedding comes with the fit;
/// the linear reducers' costs a product as large as the fit, so it is skipped when not wanted).
fn reduce(
    name: &str,
    x: ArrayView2<f64>,
    sets: &[(String, String)],
    transformed: bool,
) -> Result<(Json, Json, Array2<f64>)> {
    let embed = |f: &dyn Fn() -> Result<Array2<f64>>| {
        if transformed {
            f()
        } else {
            Ok(Array2::zeros((0, 0)))
        }
    };
    Ok(match name {
        "pca" => {
            let p: PcaParams = params_from_sets(sets)?;
            let m = p.fit_x(x)?;
            let mut fitted = pca_json(
                &m.components,
                &m.explained_variance,
                &m.explained_variance_ratio,
                &m.singular_values,
                &m.mean,
            );
            fitted["n_components"] = json!(m.n_components);
            fitted["svd_solver"] = to_json(&m.svd_solver)?;
            fitted["noise_variance"] = json!(m.noise_variance);
            (to_json(&p)?, fitted, embed(&|| m.transform(x))?)
        }
        "incremental-pca" => {
            let p: IncrementalPcaParams = params_from_sets(sets)?;
            let m = p.fit_x(x)?;
            let mut fitted = pca_json(
                &m.components,
                &m.explained_variance,
                &m.explained_variance_ratio,
                &m.singular_values,
                &m.mean,
            );
            fitted["batch_size"] = json!(m.batch_size);
            fitted["n_samples_seen"] = json!(m.n_samples_seen);
            (to_json(&p)?, fitted, embed(&|| m.transform(x))?)
        }
        "gaussian-random-projection" => {
            let p: GaussianRandomProjectionParams = params_from_sets(sets)?;
            let m = p.fit_x(x)?;
            let fitted = json!({ "n_components": m.n_components() });
            (to_json(&p)?, fitted, embed(&|| m.transform(x))?)
        }
        "sparse-random-projection" => {
            let p: SparseRandomProjectionParams = params_from_sets(sets)?;
            let m = p.fit_x(x)?;
            let fitted = json!({
                "n_components": m.n_components(),
                "density": m.density,
                "nonzero_fraction": m.nonzero_fraction(),
            });
            (to_json(&p)?, fitted, embed(&|| m.transform(x))?)
        }
        "locally-linear-embedding" => {
            let p: LocallyLinearEmbeddingParams = params_from_sets(sets)?;
            let m = p.fit_x(x)?;
            let fitted = json!({
                "embedding": rows(&m.embedding),
                "reconstruction_error": m.reconstruction_error,
            });
            (to_json(&p)?, fitted, m.embedding)
        }
        "isomap" => {
            let p: IsomapParams = params_from_sets(sets)?;
            let m = p.fit_x(x)?;
            let fitted = json!({
                "embedding": rows(&m.embedding),
                "reconstruction_error": m.reconstruction_error(),
            });
            (to_json(&p)?, fitted, m.embedding)
        }
        _ => {
            return Err(Error::UnknownEstimator {
                name: name.to_string(),
                expected: TRANSFORMERS.join(", "),
            })
        }
    })
}

/// What k-means and mini-batch k-means print (`n_iter` counts passes over the data).
fn kmeans_json(m: &KMeans) -> Json {
    json!({
        "labels": m.labels,
        "cluster_centers": rows(&m.cluster_centers),
        "inertia": m.inertia,
        "n_iter": m.n_iter,
    })
}

/// The attributes PCA and incremental PCA share, as JSON.
fn pca_json(
    components: &Array2<f64>,
    variance: &Array1<f64>,
    ratio: &Array1<f64>,
    singular_values: &Array1<f64>,
    mean: &Array1<f64>,
) -> Json {
    json!({
        "components": rows(components),
        "explained_variance": variance.to_vec(),
        "explained_variance_ratio": ratio.to_vec(),
        "singular_values": singular_values.to_vec(),
        "mean": mean.to_vec(),
    })
}

fn to_json<T: Serialize>(v: &T) -> Result<Json> {
    serde_json::to_value(v).map_err(|e| Error::Io(e.to_string()))
}

/// A matrix as a JSON array of rows (not ndarray's internal layout).
fn rows(a: &Array2<f64>) -> Vec<Vec<f64>> {
    a.rows().into_iter().map(|r| r.to_vec()).collect()
}

/// Fits a logistic regression (the target column holds class values) and reports `train_score` as
/// accuracy, `classes`, `coef` (one row per class; one row for two classes), `intercept`,
/// `n_iter`, and with `predict` the predicted classes and their `probabilities`.
fn fit_logistic_regression(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    let (mut out, model, train) =
        fit_supervised::<LogisticRegressionParams>(name, data, target, sets, |m, d| {
            m.score(d.x.view(), d.y.view())
        })?;
    out["classes"] = json!(model.classes);
    out["coef"] = json!(rows(&model.coef));
    out["intercept"] = json!(model.intercept.to_vec());
    out["n_iter"] = json!(model.n_iter);
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
        out["probabilities"] = json!(rows(&model.predict_proba(x.view())?));
    }
    Ok(out)
}

/// Fits a support vector classifier: `train_score` is accuracy; `classes`, the resolved `gamma`,
/// `support` (training rows), `n_support`, `dual_coef`, `intercept` (one per pair of classes),
/// `n_iter` (SMO pair updates per pair), `converged`, and with `predict` the predicted classes and
/// their `decision_function` values (one column per pair of classes).
fn fit_svc(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    let (mut out, model, train) = fit_supervised::<SvcParams>(name, data, target, sets, |m, d| {
        m.score(d.x.view(), d.y.view())
    })?;
    out["classes"] = json!(model.classes);
    out["gamma"] = json!(model.kernel.gamma);
    out["support"] = json!(model.support);
    out["n_support"] = json!(model.n_support);
    out["dual_coef"] = json!(rows(&model.dual_coef));
    out["intercept"] = json!(model.intercept);
    out["n_iter"] = json!(model.n_iter);
    out["converged"] = json!(model.converged);
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
        out["decision_function"] = json!(rows(&model.decision_function(x.view())?));
    }
    Ok(out)
}

/// Fits a linear SVC: `train_score` is accuracy; `classes`, `coef` (one row, or one per class),
/// `intercept`, `n_iter`, `converged`, and with `predict` the predicted classes and the
/// `decision_function` rows.
fn fit_linear_svc(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    let (mut out, model, train) =
        fit_supervised::<LinearSvcParams>(name, data, target, sets, |m, d| {
            m.score(d.x.view(), d.y.view())
        })?;
    out["classes"] = json!(model.classes);
    out["coef"] = json!(model.coef);
    out["intercept"] = json!(model.intercept);
    out["n_iter"] = json!(model.n_iter);
    out["converged"] = json!(model.converged);
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
        out["decision_function"] = json!(rows(&model.decision_function(x.view())?));
    }
    Ok(out)
}

/// Fits an SGD classifier: `train_score` is accuracy; `classes`, `coef` (one row, or one per
/// class), `intercept`, `n_iter`, with `early_stopping` the `validation_scores` (one list per
/// binary problem), and with `predict` the predicted classes and the `decision_function` rows.
fn fit_sgd_classifier(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    let (mut out, model, train) =
        fit_supervised::<SgdClassifierParams>(name, data, target, sets, |m, d| {
            m.score(d.x.view(), d.y.view())
        })?;
    out["classes"] = json!(model.classes);
    out["coef"] = json!(model.coef);
    out["intercept"] = json!(model.intercept);
    out["n_iter"] = json!(model.n_iter);
    if model.params.early_stopping {
        out["validation_scores"] = json!(model.validation_scores);
    }
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
        out["decision_function"] = json!(rows(&model.decision_function(x.view())?));
    }
    Ok(out)
}

/// Fits a support vector regressor: `train_score` is R²; the resolved `gamma`, `support`,
/// `dual_coef` (`a_i - a*_i` per support vector), `intercept`, `n_iter`, `converged`, and with
/// `predict` the predicted values.
fn fit_svr(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    let (mut out, model, train) = fit_supervised::<SvrParams>(name, data, target, sets, |m, d| {
        m.score(d.x.view(), d.y.view())
    })?;
    out["gamma"] = json!(model.kernel.gamma);
    out["support"] = json!(model.support);
    out["dual_coef"] = json!(model.dual_coef.to_vec());
    out["intercept"] = json!(model.intercept);
    out["n_iter"] = json!(model.n_iter);
    out["converged"] = json!(model.converged);
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
    }
    Ok(out)
}

/// The summary both trees share: size, depth, importances and the nodes themselves.
fn tree_summary(out: &mut Json, tree: &Tree, importances: &[f64]) -> Result<()> {
    out["node_count"] = json!(tree.node_count());
    out["depth"] = json!(tree.depth());
    out["n_leaves"] = json!(tree.n_leaves());
    out["feature_importances"] = json!(importances);
    out["nodes"] = to_json(&tree.nodes)?;
    Ok(())
}

/// What both boosted models report: `n_stages` (fewer than `n_estimators` after early stopping),
/// `init`, the training loss after each stage (`stage_losses`), `validation_losses` with early
/// stopping, `feature_importances` and the leaves of every tree, stage by stage.
fn boosting_summary(out: &mut Json, trees: &BoostedTrees) {
    out["n_stages"] = json!(trees.n_stages());
    out["init"] = json!(trees.init);
    out["stage_losses"] = json!(trees.train_score);
    out["validation_losses"] = json!(trees.validation_score);
    out["feature_importances"] = json!(trees.feature_importances);
    let leaves: Vec<Vec<usize>> = trees
        .stages
        .iter()
        .map(|s| s.iter().map(Tree::n_leaves).collect())
        .collect();
    out["leaves"] = json!(leaves);
}

/// Fits a gradient-boosting classifier: `train_score` is accuracy; `classes`, the boosting
/// summary, and with `predict` the predicted classes and their `probabilities`.
fn fit_gradient_boosting_classifier(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    let (mut out, model, train) =
        fit_supervised::<GradientBoostingClassifierParams>(name, data, target, sets, |m, d| {
            m.score(d.x.view(), d.y.view())
        })?;
    out["classes"] = json!(model.classes);
    boosting_summary(&mut out, &model.trees);
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
        out["probabilities"] = json!(rows(&model.predict_proba(x.view())?));
    }
    Ok(out)
}

/// A classifier that combines others (AdaBoost, voting, stacking) and has `predict_proba`.
pub trait CombinedClassifier: Classifier {
    fn classes(&self) -> &[f64];
    fn proba(&self, x: ndarray::ArrayView2<f64>) -> Result<ndarray::Array2<f64>>;
    /// Extra fields for the CLI's JSON.
    fn summary(&self, _out: &mut Json) {}
}

impl CombinedClassifier for crate::ensemble::AdaBoostClassifier {
    fn classes(&self) -> &[f64] {
        &self.classes
    }
    fn proba(&self, x: ndarray::ArrayView2<f64>) -> Result<ndarray::Array2<f64>> {
        self.predict_proba(x)
    }
    fn summary(&self, out: &mut Json) {
        out["n_trees"] = json!(self.estimators.len());
        out["estimator_weights"] = json!(self.estimator_weights);
        out["estimator_errors"] = json!(self.estimator_errors);
        out["feature_importances"] = json!(self.feature_importances());
    }
}

impl CombinedClassifier for crate::ensemble::VotingClassifier {
    fn classes(&self) -> &[f64] {
        &self.classes
    }
    fn proba(&self, x: ndarray::ArrayView2<f64>) -> Result<ndarray::Array2<f64>> {
        self.predict_proba(x)
    }
}

impl CombinedClassifier for crate::ensemble::StackingClassifier {
    fn classes(&self) -> &[f64] {
        &self.classes
    }
    fn proba(&self, x: ndarray::ArrayView2<f64>) -> Result<ndarray::Array2<f64>> {
        self.predict_proba(x)
    }
    fn summary(&self, out: &mut Json) {
        out["final_coef"] = json!(rows(&self.final_estimator.coef));
    }
}

/// Fits AdaBoost, voting or stacking: `train_score` is accuracy; `classes`, a summary, and with
/// `predict` the predicted classes and their `probabilities`.
fn fit_combined<P>(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json>
where
    P: Fit + Default + Serialize + DeserializeOwned,
    P::Model: CombinedClassifier,
{
    let (mut out, model, train) = fit_supervised::<P>(name, data, target, sets, |m, d| {
        m.score(d.x.view(), d.y.view())
    })?;
    out["classes"] = json!(model.classes());
    model.summary(&mut out);
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
        out["probabilities"] = json!(rows(&model.proba(x.view())?));
    }
    Ok(out)
}

/// Fits a gradient-boosting regressor: `train_score` is R²; the boosting summary, and with
/// `predict` the predicted values.
fn fit_gradient_boosting_regressor(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    let (mut out, model, train) =
        fit_supervised::<GradientBoostingRegressorParams>(name, data, target, sets, |m, d| {
            m.score(d.x.view(), d.y.view())
        })?;
    boosting_summary(&mut out, &model.trees);
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
    }
    Ok(out)
}

/// Fits a bagged ensemble of classification trees (bagging, random forest, extra trees):
/// `train_score` is accuracy; `classes`, `n_trees`, `feature_importances`, the leaves per tree,
/// `oob_score` and `oob_decision_function` (with `oob_score=true`), and with `predict` the
/// predicted classes and their `probabilities` (the mean of the trees').
fn fit_forest_classifier<P>(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json>
where
    P: Fit<Model = ForestClassifier> + Default + Serialize + DeserializeOwned,
{
    let (mut out, model, train) = fit_supervised::<P>(name, data, target, sets, |m, d| {
        m.score(d.x.view(), d.y.view())
    })?;
    out["classes"] = json!(model.classes);
    out["n_trees"] = json!(model.trees.len());
    out["leaves"] = json!(model.trees.iter().map(|t| t.n_leaves()).collect::<Vec<_>>());
    out["feature_importances"] = json!(model.feature_importances);
    out["oob_score"] = json!(model.oob_score);
    out["oob_decision_function"] = json!(model.oob_decision_function);
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
        out["probabilities"] = json!(rows(&model.predict_proba(x.view())?));
    }
    Ok(out)
}

/// Fits a bagged ensemble of regression trees: `train_score` is R²; `n_trees`,
/// `feature_importances`, the leaves per tree, `oob_score` and `oob_prediction` (with
/// `oob_score=true`), and with `predict` the predicted values (the mean of the trees').
fn fit_forest_regressor<P>(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json>
where
    P: Fit<Model = ForestRegressor> + Default + Serialize + DeserializeOwned,
{
    let (mut out, model, train) = fit_supervised::<P>(name, data, target, sets, |m, d| {
        m.score(d.x.view(), d.y.view())
    })?;
    out["n_trees"] = json!(model.trees.len());
    out["leaves"] = json!(model.trees.iter().map(|t| t.n_leaves()).collect::<Vec<_>>());
    out["feature_importances"] = json!(model.feature_importances);
    out["oob_score"] = json!(model.oob_score);
    out["oob_prediction"] = json!(model.oob_prediction);
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
    }
    Ok(out)
}

/// Fits a decision tree classifier: `train_score` is accuracy; `classes`, the tree (`node_count`,
/// `depth`, `n_leaves`, `nodes`), `feature_importances`, and with `predict` the predicted classes
/// and their `probabilities` (the class fractions of each row's leaf).
fn fit_tree_classifier(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    let (mut out, model, train) =
        fit_supervised::<DecisionTreeClassifierParams>(name, data, target, sets, |m, d| {
            m.score(d.x.view(), d.y.view())
        })?;
    out["classes"] = json!(model.classes);
    tree_summary(&mut out, &model.tree, &model.feature_importances)?;
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
        out["probabilities"] = json!(rows(&model.predict_proba(x.view())?));
    }
    Ok(out)
}

/// Fits a decision tree regressor: `train_score` is R²; the tree as for the classifier, and with
/// `predict` the predicted values (the mean target of each row's leaf).
fn fit_tree_regressor(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    let (mut out, model, train) =
        fit_supervised::<DecisionTreeRegressorParams>(name, data, target, sets, |m, d| {
            m.score(d.x.view(), d.y.view())
        })?;
    tree_summary(&mut out, &model.tree, &model.feature_importances)?;
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        out["predictions"] = json!(model.predict(x.view())?.to_vec());
    }
    Ok(out)
}

/// Fits a k-nearest-neighbours classifier: `train_score` is accuracy; `classes`, and with
/// `predict` the predicted classes, their `probabilities` (weighted neighbour shares) and each
/// row's `neighbors` (training row indices, nearest first) and their `distances`.
fn fit_k_neighbors_classifier(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    let (mut out, model, train) =
        fit_supervised::<KNeighborsClassifierParams>(name, data, target, sets, |m, d| {
            m.score(d.x.view(), d.y.view())
        })?;
    out["classes"] = json!(model.classes);
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        let start = Instant::now();
        let predictions = model.predict(x.view())?;
        // The neighbour search is where k-NN spends its time (`scripts/bench` reads this).
        out["predict_ms"] = json!(start.elapsed().as_secs_f64() * 1000.0);
        out["predictions"] = json!(predictions.to_vec());
        out["probabilities"] = json!(rows(&model.predict_proba(x.view())?));
        neighbours_json(&mut out, &model.neighbours, x.view())?;
    }
    Ok(out)
}

/// Fits a k-nearest-neighbours regressor: `train_score` is R²; with `predict` the predicted
/// values and each row's `neighbors` and `distances`, as for the classifier.
fn fit_k_neighbors_regressor(
    name: &str,
    data: &str,
    target: &str,
    sets: &[(String, String)],
    predict: Option<&str>,
) -> Result<Json> {
    let (mut out, model, train) =
        fit_supervised::<KNeighborsRegressorParams>(name, data, target, sets, |m, d| {
            m.score(d.x.view(), d.y.view())
        })?;
    if let Some(text) = predict {
        let x = csv::read_features(text, &train.feature_names)?;
        let start = Instant::now();
        let predictions = model.predict(x.view())?;
        out["predict_ms"] = json!(start.elapsed().as_secs_f64() * 1000.0);
        out["predictions"] = json!(predictions.to_vec());
        neighbours_json(&mut out, &model.neighbours, x.view())?;
    }
    Ok(out)
}

fn neighbours_json(
    out: &mut Json,
    neighbours: &crate::neighbors::Neighbours,
    x: ArrayView2<f64>,
) -> Result<()> {
    let (dist, ind) = neighbours.kneighbors(x, neighbours.search.n_neighbors)?;
    out["neighbors"] = json!(ind
        .rows()
        .into_iter()
        .map(|r| r.to_vec())
        .collect::<Vec<_>>());
    out["distances"] = json!(rows(&dist));
    Ok(())
}

/// Builds params from their defaults with `key=value` overrides, typed by the default's JSON type;
/// unknown keys and impossible values are errors naming the key.
pub fn params_from_sets<P: Default + Serialize + DeserializeOwned>(
    sets: &[(String, String)],
) -> Result<P> {
    let mut obj = serde_json::to_value(P::default()).map_err(|e| Error::Io(e.to_string()))?;
    let map = obj
        .as_object_mut()
        .ok_or_else(|| Error::Io("params are not an object".into()))?;
    for (key, text) in sets {
        let slot = map.get_mut(key).ok_or_else(|| Error::UnknownParam {
            key: key.clone(),
            expected: map_keys(&serde_json::to_value(P::default()).unwrap_or_default()),
        })?;
        *slot = typed_like(slot, key, text)?;
    }
    serde_json::from_value(obj).map_err(|e| {
        Error::invalid(
            "params",
            sets.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
            e.to_string(),
        )
    })
}

fn map_keys(v: &Json) -> String {
    v.as_object()
        .map(|m| m.keys().cloned().collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

fn typed_like(default: &Json, key: &str, text: &str) -> Result<Json> {
    let bad = |allowed: &str| Error::invalid(key, text, allowed);
    Ok(match default {
        Json::Bool(_) => Json::Bool(text.parse().map_err(|_| bad("true or false"))?),
        Json::Number(n) if n.is_u64() => json!(text
            .parse::<u64>()
            .map_err(|_| bad("a whole number >= 0"))?),
        Json::Number(_) => json!(text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad("a number"))?),
        // Optional values (`tol`, `penalty`): `none`/`null` clears them, numbers stay numbers.
        Json::Null | Json::String(_) if matches!(text, "none" | "None" | "null") => Json::Null,
        // Arrays (`feature_range`) and optional arrays (`means_init`) are written as JSON:
        // `[0, 1]`, `[[0, 1], [2, 3]]`.
        Json::Array(_) => {
            serde_json::from_str(text).map_err(|_| bad("a JSON array such as [0, 1]"))?
        }
        Json::Null if text.starts_with('[') => {
            serde_json::from_str(text).map_err(|_| bad("a JSON array such as [[0, 1], [2, 3]]"))?
        }
        // Whole numbers stay integers so optional counts (`n_components`) parse as well.
        Json::Null => text
            .parse::<u64>()
            .map(|v| json!(v))
            .or_else(|_| text.parse::<f64>().map(|v| json!(v)))
            .unwrap_or_else(|_| Json::String(text.to_string())),
        _ if default.is_string() || default.is_null() => Json::String(text.to_string()),
        Json::String(_) => Json::String(text.to_string()),
        _ => return Err(bad("a simple value")),
    })
}
