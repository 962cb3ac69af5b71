//! Every test file under `tests/`, as modules of one test target: one link natively and one wasm
//! module under `wasm-pack test`, instead of one per file. Files that only make sense natively
//! start with `#![cfg(not(target_arch = "wasm32"))]`. Run one file's tests with
//! `cargo test --test suite FILE::` (e.g. `cargo test --test suite csv_errors::`).

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "common/mod.rs"]
mod common;

#[path = "autodiff_gradcheck.rs"]
mod autodiff_gradcheck;
#[path = "cli.rs"]
mod cli;
#[path = "cli_classification.rs"]
mod cli_classification;
#[path = "cli_ensemble.rs"]
mod cli_ensemble;
#[path = "cli_neighbors.rs"]
mod cli_neighbors;
#[path = "cli_svm.rs"]
mod cli_svm;
#[path = "cli_tools.rs"]
mod cli_tools;
#[path = "cli_transform.rs"]
mod cli_transform;
#[path = "cli_unsupervised.rs"]
mod cli_unsupervised;
#[path = "cluster_dbscan.rs"]
mod cluster_dbscan;
#[path = "cluster_gaussian_mixture.rs"]
mod cluster_gaussian_mixture;
#[path = "cluster_kmeans.rs"]
mod cluster_kmeans;
#[path = "cluster_minibatch_kmeans.rs"]
mod cluster_minibatch_kmeans;
#[path = "csv_errors.rs"]
mod csv_errors;
#[path = "decomposition_conformance.rs"]
mod decomposition_conformance;
#[path = "decomposition_eigen_solver.rs"]
mod decomposition_eigen_solver;
#[path = "decomposition_fixtures.rs"]
mod decomposition_fixtures;
#[path = "decomposition_pca.rs"]
mod decomposition_pca;
#[path = "demo_autodiff.rs"]
mod demo_autodiff;
#[path = "demo_classification.rs"]
mod demo_classification;
#[path = "demo_deep_training.rs"]
mod demo_deep_training;
#[path = "demo_dimensionality_reduction.rs"]
mod demo_dimensionality_reduction;
#[path = "demo_end_to_end.rs"]
mod demo_end_to_end;
#[path = "demo_end_to_end_upload.rs"]
mod demo_end_to_end_upload;
#[path = "demo_ensembles.rs"]
mod demo_ensembles;
#[path = "demo_gradient_boosting.rs"]
mod demo_gradient_boosting;
#[path = "demo_mnist.rs"]
mod demo_mnist;
#[path = "demo_neighbors.rs"]
mod demo_neighbors;
#[path = "demo_perceptron.rs"]
mod demo_perceptron;
#[path = "demo_playground.rs"]
mod demo_playground;
#[path = "demo_python.rs"]
mod demo_python;
#[path = "demo_svm.rs"]
mod demo_svm;
#[path = "device_conformance.rs"]
mod device_conformance;
#[path = "device_demos.rs"]
mod device_demos;
#[path = "ensemble_boosting_voting.rs"]
mod ensemble_boosting_voting;
#[path = "ensemble_forest.rs"]
mod ensemble_forest;
#[path = "ensemble_gradient_boosting.rs"]
mod ensemble_gradient_boosting;
#[path = "linear_conformance.rs"]
mod linear_conformance;
#[path = "linear_coordinate_descent.rs"]
mod linear_coordinate_descent;
#[path = "linear_fixtures.rs"]
mod linear_fixtures;
#[path = "linear_logistic_regression.rs"]
mod linear_logistic_regression;
#[path = "metrics_classification.rs"]
mod metrics_classification;
#[path = "model_selection.rs"]
mod model_selection;
#[path = "neighbors_k_neighbors.rs"]
mod neighbors_k_neighbors;
#[path = "nn_model.rs"]
mod nn_model;
#[path = "nn_reference.rs"]
mod nn_reference;
#[path = "preprocessing.rs"]
mod preprocessing;
#[path = "svm_fixtures.rs"]
mod svm_fixtures;
#[path = "tensor_ops.rs"]
mod tensor_ops;
#[path = "tree_decision_tree.rs"]
mod tree_decision_tree;
#[path = "web.rs"]
mod web;
#[path = "web_gpu.rs"]
mod web_gpu;
