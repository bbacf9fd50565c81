"""Regression metrics: running means of the Keras regression losses, plus RMSE and cosine similarity."""
from __future__ import annotations

import warnings
from typing import Any

import torch

from kerastorch.losses import losses as _losses
from kerastorch.losses.loss import squeeze_or_expand_to_same_rank, to_tensor
from kerastorch.metrics.base import Mean, MeanMetricWrapper, Metric


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
    # A real __init__ per class so that inspect.signature shows Keras's default name.
    def __init__(self, name: str | None = default_name, dtype=None):
        _LossMean.__init__(self, name=name, dtype=dtype)

    return type(class_name, (_LossMean,), {"_fn_static": staticmethod(fn), "_default_name": default_name,
                                           "__init__": __init__, "__doc__": doc, "__module__": __name__})


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
        # Keras 3 leaves `axis` out of this config (a non-default axis is lost on reload there too).
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config_: dict[str, Any]) -> CosineSimilarity:
        return cls(**config_)


class R2Score(Metric):
    """Coefficient of determination ``1 - SS_res / SS_tot`` per output column, over everything seen.

    Args:
        class_aggregation: "uniform_average" (mean over columns), "variance_weighted_average"
            (weighted by each column's total sum of squares) or None (one score per column).
        num_regressors: p > 0 gives the adjusted R2 ``1 - (1 - R2) * (n - 1) / (n - p - 1)``.
    """

    def __init__(self, class_aggregation: str | None = "uniform_average", num_regressors: int = 0,
                 name: str = "r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of {valid}. "
                             f"Received: class_aggregation={class_aggregation!r}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value >= 0. "
                             f"Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), name="num_samples")
        self._built = False

    def _build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        columns = y_pred_shape[-1]
        self.squared_sum = self.add_variable(shape=(columns,), name="squared_sum")
        self.sum = self.add_variable(shape=(columns,), name="sum")
        self.total_mse = self.add_variable(shape=(columns,), name="residual")
        self.count = self.add_variable(shape=(columns,), name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = to_tensor(y_pred, dtype=self._torch_dtype)
        y_true = to_tensor(y_true, dtype=self._torch_dtype, device=y_pred.device)
        self._follow(y_pred)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        with torch.no_grad():
            weights = to_tensor(1.0 if sample_weight is None else sample_weight, dtype=self._torch_dtype,
                                device=y_pred.device)
            if weights.dim() == 1:
                weights = weights.unsqueeze(1)
            weights = torch.broadcast_to(weights, y_true.shape)
            weighted = y_true * weights
            self.sum.add_(weighted.sum(dim=0))
            self.squared_sum.add_((y_true * weighted).sum(dim=0))
            self.total_mse.add_((torch.square(y_true - y_pred) * weights).sum(dim=0))
            self.count.add_(weights.sum(dim=0))
            self.num_samples.add_(y_true.numel())

    def result(self) -> torch.Tensor:
        if not self._built:
            raise ValueError("R2Score has no result before its first `update_state` call (its state is "
                             "shaped by the number of output columns).")
        total_sum = self.sum.as_subclass(torch.Tensor)
        mean = total_sum / self.count.as_subclass(torch.Tensor)
        total = self.squared_sum.as_subclass(torch.Tensor) - total_sum * mean
        raw = 1 - self.total_mse.as_subclass(torch.Tensor) / total
        raw = torch.where(torch.isinf(raw), torch.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = raw.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = torch.sum(total * raw) / torch.sum(total)
        else:
            score = raw
        if self.num_regressors != 0:
            n = float(self.num_samples)
            if self.num_regressors > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 score. Falling back "
                              "to standard R2 score.", stacklevel=2)
            elif self.num_regressors == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.",
                              stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - self.num_regressors - 1.0)
        return score

    def reset_state(self) -> None:
        with torch.no_grad():
            for var in self.variables:
                var.zero_()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
