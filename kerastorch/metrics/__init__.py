"""``keras.metrics``: stateful metrics, metric functions and ``get/serialize/deserialize``."""
from __future__ import annotations

import inspect
import re
from typing import Any

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


def _snake(name: str) -> str:
    """Keras's ``to_snake_case`` (``"AUC"`` -> ``"auc"``, ``"TopKCategoricalAccuracy"`` -> ``"top_k_..."``)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


# As in Keras 3: class names and their snake_case map to classes (``get`` instantiates them).
ALL_OBJECTS_DICT: dict[str, Any] = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({_snake(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
    "MAPE": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError,
    "MSLE": MeanSquaredLogarithmicError,
})
# Names the trainer resolves from the data's shapes; `get` alone cannot.
_TRAINER_RESOLVED = ("accuracy", "acc")


def serialize(metric) -> dict[str, Any]:
    """Keras 3 form: ``{"module", "class_name", "config", "registered_name"}`` (functions by name)."""
    if isinstance(metric, Metric):
        cls = type(metric)
        builtin = ALL_OBJECTS_DICT.get(cls.__name__) is cls
        return {"module": "keras.metrics" if builtin else cls.__module__, "class_name": cls.__name__,
                "config": metric.get_config(), "registered_name": None if builtin else cls.__name__}
    if callable(metric) and hasattr(metric, "__name__"):
        return {"module": "keras.metrics", "class_name": "function", "config": metric.__name__,
                "registered_name": metric.__name__}
    raise TypeError(f"Cannot serialize {metric!r}: expected a Metric instance or a metric function.")


def _valid_names() -> list[str]:
    return sorted(set(ALL_OBJECTS_DICT) | set(_FUNCTIONS) | set(_TRAINER_RESOLVED))


def _lookup(name: str, custom_objects: dict | None):
    obj = (custom_objects or {}).get(name) or ALL_OBJECTS_DICT.get(name) or _FUNCTIONS.get(name)
    if obj is None:
        hint = (" 'accuracy'/'acc' are resolved by `model.compile` from the data's shapes; use "
                "`resolve_accuracy` or a concrete class such as 'binary_accuracy'."
                if name.lower() in _TRAINER_RESOLVED else "")
        raise ValueError(f"Could not interpret metric identifier: {name!r}.{hint} Valid names are: "
                         f"{_valid_names()}")
    return obj


def deserialize(config, custom_objects: dict | None = None):
    """Rebuild a metric from ``serialize`` output, a ``{"class_name", "config"}`` dict or a name."""
    if isinstance(config, str):
        return _lookup(config, custom_objects)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret metric config: {config!r}. Expected a dict with "
                         "'class_name' and 'config' keys, or a metric name.")
    if config["class_name"] == "function":
        return _lookup(config.get("registered_name") or config["config"], custom_objects)
    obj = _lookup(config["class_name"], custom_objects)
    if not inspect.isclass(obj):
        return obj
    return obj.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A metric from a name, config dict, class or callable.

    Names of classes or their snake_case (``"binary_accuracy"``, ``"mse"``,
    ``"AUC"``/``"auc"``, ``"precision"``) give a new instance with its default
    name, as ``keras.metrics.get`` does; plain functions are returned as is.
    ``"accuracy"``/``"acc"`` depend on the data and are resolved by the trainer
    with ``resolve_accuracy``.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _lookup(identifier, None)
    else:
        obj = identifier
    if inspect.isclass(obj):
        obj = obj()
    if callable(obj) or isinstance(obj, Metric):
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}. Valid names are: "
                     f"{_valid_names()}")


# Functions reachable by name only when no class owns the name (classes win, as in Keras).
_FUNCTIONS = {fn.__name__: fn for fn in (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy, huber, log_cosh, binary_focal_crossentropy,
    categorical_focal_crossentropy)}

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
]
