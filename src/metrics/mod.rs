//! Model evaluation metrics: regression (MSE, MAE, R²) and classification (accuracy, precision /
//! recall / F1, confusion matrix, ROC and precision-recall curves, log-loss).

mod classification;
mod regression;

pub use classification::{
    accuracy_score, argmax, argmax_labels, auc, confusion_matrix, f1_score, log_loss,
    precision_recall_curve, precision_recall_f1, precision_score, recall_score, roc_auc_score,
    roc_curve, unique_labels, Average, ConfusionMatrix, PrecisionRecallCurve, PrecisionRecallF1,
    RocCurve,
};
pub use regression::{mean_absolute_error, mean_squared_error, r2_score, root_mean_squared_error};
