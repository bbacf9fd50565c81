"""Regression metrics: running means of the Keras regression losses, plus RMSE and cosine similarity."""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.losses import losses as _losses
from kerastorch.losses.loss import squeeze_or_expand_to_same_rank, to_tensor
from kerastorch.metrics.base import Mean, MeanMetricWrapper


class _LossMean(MeanMetricWrapper):
    """Mean of a Keras loss function; config is just name and dtype."""

    _fn_static = None
    _default_name = ""

    def __init__(self, name: str | None = None, dtype=None):
        super().__init__(type(self)._fn_static, name=name or self._default_name, dtype=dtype)
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config_: dict[str, Any]):
        return cls(**config_)


def _loss_mean(class_name: str, fn, default_name: str, doc: str) -> type:
    return type(class_name, (_LossMean,), {"_fn_static": staticmethod(fn), "_default_name": default_name,
                                           "__doc__": doc, "__module__": __name__})


MeanSquaredError = _loss_mean("MeanSquaredError", _losses.mean_squared_error, "mean_squared_error",
                              "Running mean of ``mean(square(y_true - y_pred), axis=-1)``.")
MeanAbsoluteError = _loss_mean("MeanAbsoluteError", _losses.mean_absolute_error, "mean_absolute_error",
                               "Running mean of ``mean(abs(y_true - y_pred), axis=-1)``.")
MeanAbsolutePercentageError = _loss_mean("MeanAbsolutePercentageError",
                                         _losses.mean_absolute_percentage_error,
                                         "mean_absolute_percentage_error",
                                         "Running mean of the mean absolute percentage error.")
MeanSquaredLogarithmicError = _loss_mean("MeanSquaredLogarithmicError",
                                         _losses.mean_squared_logarithmic_error,
                                         "mean_squared_logarithmic_error",
                                         "Running mean of the mean squared logarithmic error.")
LogCoshError = _loss_mean("LogCoshError", _losses.log_cosh, "logcosh",
                          "Running mean of ``log(cosh(y_pred - y_true))``.")


class RootMeanSquaredError(Mean):
    """``sqrt`` of the (weighted) mean of squared errors over everything seen."""

    def __init__(self, name: str = "root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = to_tensor(y_pred, dtype=self._torch_dtype)
        y_true = to_tensor(y_true, dtype=self._torch_dtype, device=y_pred.device)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(torch.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> torch.Tensor:
        return torch.sqrt(super().result())


def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """``sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` (the metric, not the negated loss)."""
    return -_losses.cosine_similarity(y_true, y_pred, axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """Running mean of the cosine similarity between labels and predictions."""

    def __init__(self, name: str = "cosine_similarity", dtype=None, axis: int = -1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}
