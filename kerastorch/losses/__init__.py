"""``keras.losses``: loss functions, ``Loss`` classes and ``get/serialize/deserialize``."""
from __future__ import annotations

import inspect
from typing import Any

from kerastorch.losses.loss import Loss, reduce_weighted_values
from kerastorch.losses.losses import (
    CTC,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    Circle,
    Dice,
    Tversky,
    categorical_generalized_cross_entropy,
    circle,
    ctc,
    dice,
    tversky,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    cosine_similarity,
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

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

ALL_OBJECTS = (
    Loss, LossFunctionWrapper, KLDivergence, Poisson, BinaryCrossentropy, BinaryFocalCrossentropy,
    CategoricalCrossentropy, CategoricalFocalCrossentropy, SparseCategoricalCrossentropy, MeanSquaredError,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, LogCosh,
    Huber, Hinge, SquaredHinge, CategoricalHinge,
    kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, sparse_categorical_crossentropy, mean_squared_error, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_logarithmic_error, cosine_similarity, log_cosh, huber,
    hinge, squared_hinge, categorical_hinge,
    CTC, Dice, Tversky, Circle, CategoricalGeneralizedCrossEntropy,
    ctc, dice, tversky, circle, categorical_generalized_cross_entropy,
)
ALL_OBJECTS_DICT: dict[str, Any] = {obj.__name__: obj for obj in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({
    "bce": binary_crossentropy, "BCE": binary_crossentropy, "kld": kl_divergence, "KLD": kl_divergence,
    "mae": mean_absolute_error, "MAE": mean_absolute_error, "mse": mean_squared_error,
    "MSE": mean_squared_error, "mape": mean_absolute_percentage_error,
    "MAPE": mean_absolute_percentage_error, "msle": mean_squared_logarithmic_error,
    "MSLE": mean_squared_logarithmic_error,
    # Keras 2 spellings found in old configs.
    "logcosh": log_cosh, "huber_loss": huber, "kullback_leibler_divergence": kl_divergence,
})


def serialize(loss) -> dict[str, Any] | str:
    """Keras 3 form: classes as ``{"module", "class_name", "config", ...}``, functions by name."""
    if isinstance(loss, Loss):
        cls = type(loss)
        builtin = ALL_OBJECTS_DICT.get(cls.__name__) is cls
        return {"module": "keras.losses" if builtin else cls.__module__, "class_name": cls.__name__,
                "config": loss.get_config(), "registered_name": None if builtin else cls.__name__}
    if callable(loss) and hasattr(loss, "__name__"):
        return {"module": "keras.losses", "class_name": "function", "config": loss.__name__,
                "registered_name": loss.__name__}
    raise TypeError(f"Cannot serialize {loss!r}: expected a Loss instance or a loss function.")


def _lookup(name: str, custom_objects: dict | None):
    obj = (custom_objects or {}).get(name) or ALL_OBJECTS_DICT.get(name)
    if obj is None:
        raise ValueError(f"Could not interpret loss identifier: {name!r}. Valid names are: "
                         f"{sorted(ALL_OBJECTS_DICT)}; or pass a Loss instance or a callable.")
    return obj


def deserialize(config, custom_objects: dict | None = None):
    """Rebuild a loss from ``serialize`` output, a Keras 2 ``{"class_name", "config"}`` dict or a name."""
    if isinstance(config, str):
        return _lookup(config, custom_objects)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret loss config: {config!r}. Expected a dict with 'class_name' "
                         "and 'config' keys, or a loss name.")
    if config["class_name"] == "function":
        return _lookup(config.get("registered_name") or config["config"], custom_objects)
    obj = _lookup(config["class_name"], custom_objects)
    if not inspect.isclass(obj):
        return obj
    return obj.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A loss from a name (function or class name), a config dict, a class, or a callable.

    Function names (``"mse"``, ``"sparse_categorical_crossentropy"``) return the function, class
    names (``"SparseCategoricalCrossentropy"``) an instance, as in Keras.  Unknown names raise
    ValueError listing the valid ones.
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
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}. Valid names are: "
                     f"{sorted(ALL_OBJECTS_DICT)}; or pass a Loss instance or a callable.")


__all__ = sorted(set(ALL_OBJECTS_DICT) - {"bce", "BCE"} | {
    "Loss", "LossFunctionWrapper", "deserialize", "get", "serialize", "reduce_weighted_values", "mse",
    "mae", "mape", "msle", "kld", "logcosh"})
