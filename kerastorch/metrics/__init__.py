"""``keras.metrics``: stateful metrics, metric functions and ``get/serialize/deserialize``."""
from __future__ import annotations

from typing import Any

from kerastorch._core.identifiers import Identifiers
from kerastorch._core.naming import to_snake_case
from kerastorch.losses.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from kerastorch.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    resolve_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from kerastorch.metrics.base import Mean, MeanMetricWrapper, Metric, MetricVariable, Sum
from kerastorch.metrics.confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from kerastorch.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from kerastorch.metrics.f_score_metrics import F1Score, FBetaScore
from kerastorch.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from kerastorch.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from kerastorch.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from kerastorch.metrics.torchmetrics_metric import TorchMetricsWrapper, is_torchmetrics_metric

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error

ALL_OBJECTS = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError,
    AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives,
    Hinge, SquaredHinge, CategoricalHinge,
    KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    R2Score, PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity,
    F1Score, FBetaScore, IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU, PearsonCorrelation,
    ConcordanceCorrelation,
)


# As in Keras 3: class names and their snake_case map to classes (``get`` instantiates them).
ALL_OBJECTS_DICT: dict[str, Any] = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
    "MAPE": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError,
    "MSLE": MeanSquaredLogarithmicError,
})
# Names the trainer resolves from the data's shapes; `get` alone cannot.
_TRAINER_RESOLVED = ("accuracy", "acc")


# Functions reachable by name only when no class owns the name (classes win, as in Keras).
_FUNCTIONS = {fn.__name__: fn for fn in (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy, huber, log_cosh, binary_focal_crossentropy,
    categorical_focal_crossentropy)}


def _hint(name: str) -> str:
    if name.lower() in _TRAINER_RESOLVED:
        return ("'accuracy'/'acc' are resolved by `model.compile` from the data's shapes; use "
                "`resolve_accuracy` or a concrete class such as 'binary_accuracy'.")
    return ""


# The one identifier rule (kerastorch._core.identifiers); names give classes or functions.
_IDENTIFIERS = Identifiers("metric", "keras.metrics", ALL_OBJECTS_DICT, example="binary_accuracy",
                           functions=_FUNCTIONS, hint=_hint, extra_valid_names=_TRAINER_RESOLVED,
                           base_class=Metric, instantiate_names=False)


def serialize(metric) -> dict[str, Any]:
    """Keras 3 form: ``{"module", "class_name", "config", "registered_name"}`` (functions by name)."""
    if not isinstance(metric, Metric) and not callable(metric):
        raise TypeError(f"Cannot serialize {metric!r}: expected a Metric instance or a metric function.")
    return _IDENTIFIERS.serialize(metric)


def deserialize(config, custom_objects: dict | None = None):
    """Rebuild a metric from ``serialize`` output, a ``{"class_name", "config"}`` dict or a name."""
    return _IDENTIFIERS.deserialize(config, custom_objects)


def get(identifier):
    """A metric from a name, config dict, class or callable.

    Names of classes or their snake_case (``"binary_accuracy"``, ``"mse"``,
    ``"AUC"``/``"auc"``, ``"precision"``) give a new instance with its default
    name, as ``keras.metrics.get`` does; plain functions are returned as is.
    ``"accuracy"``/``"acc"`` depend on the data and are resolved by the trainer
    with ``resolve_accuracy``. A ``torchmetrics.Metric`` comes back in a ``TorchMetricsWrapper``.
    """
    if is_torchmetrics_metric(identifier):
        return TorchMetricsWrapper(identifier)
    return _IDENTIFIERS.get(identifier)


__all__ = [
    "AUC", "Accuracy", "BinaryAccuracy", "BinaryCrossentropy", "CategoricalAccuracy", "CategoricalCrossentropy",
    "CategoricalHinge", "CosineSimilarity", "FalseNegatives", "FalsePositives", "Hinge", "KLDivergence",
    "LogCoshError", "Mean", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanMetricWrapper",
    "MeanSquaredError", "MeanSquaredLogarithmicError", "Metric", "MetricVariable", "Poisson", "Precision",
    "Recall", "RootMeanSquaredError", "SparseCategoricalAccuracy", "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy", "SquaredHinge", "Sum", "TopKCategoricalAccuracy", "TrueNegatives",
    "TruePositives", "accuracy", "binary_accuracy", "binary_crossentropy", "categorical_accuracy",
    "categorical_crossentropy", "categorical_hinge", "deserialize", "get", "hinge", "kl_divergence",
    "mae", "mape", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "mse", "msle", "poisson", "resolve_accuracy", "serialize",
    "sparse_categorical_accuracy", "sparse_categorical_crossentropy", "sparse_top_k_categorical_accuracy",
    "squared_hinge", "top_k_categorical_accuracy",
    "R2Score", "PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity",
    "F1Score", "FBetaScore", "IoU", "BinaryIoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU", "PearsonCorrelation",
    "ConcordanceCorrelation", "pearson_correlation", "concordance_correlation",
    "TorchMetricsWrapper",
]
