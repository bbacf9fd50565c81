"""``keras.losses``: loss functions, ``Loss`` classes and ``get/serialize/deserialize``."""
from __future__ import annotations

from typing import Any

from kerastorch._core.identifiers import Identifiers
from kerastorch.losses.loss import Loss, reduce_weighted_values
from kerastorch.losses.losses import (
    CTC,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    CategoricalHinge,
    Circle,
    CosineSimilarity,
    Dice,
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
    Tversky,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    categorical_hinge,
    circle,
    cosine_similarity,
    ctc,
    dice,
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
    tversky,
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


# The one identifier rule (kerastorch._core.identifiers): function names give the function,
# class names the class (an instance from `get`), as in Keras.
_IDENTIFIERS = Identifiers("loss", "keras.losses", ALL_OBJECTS_DICT, example="mean_squared_error",
                           base_class=Loss, instantiate_names=False)


def serialize(loss) -> dict[str, Any]:
    """Keras 3 form: classes as ``{"module", "class_name", "config", ...}``, functions by name."""
    if not isinstance(loss, Loss) and not callable(loss):
        raise TypeError(f"Cannot serialize {loss!r}: expected a Loss instance or a loss function.")
    return _IDENTIFIERS.serialize(loss)


def deserialize(config, custom_objects: dict | None = None):
    """Rebuild a loss from ``serialize`` output, a Keras 2 ``{"class_name", "config"}`` dict or a name."""
    return _IDENTIFIERS.deserialize(config, custom_objects)


def get(identifier):
    """A loss from a name (function or class name), a config dict, a class, or a callable.

    Function names (``"mse"``, ``"sparse_categorical_crossentropy"``) return the function, class
    names (``"SparseCategoricalCrossentropy"``) an instance, as in Keras.  Unknown names raise
    ValueError listing the valid ones.
    """
    return _IDENTIFIERS.get(identifier)


__all__ = sorted(set(ALL_OBJECTS_DICT) - {"bce", "BCE"} | {
    "Loss", "LossFunctionWrapper", "deserialize", "get", "serialize", "reduce_weighted_values", "mse",
    "mae", "mape", "msle", "kld", "logcosh"})
