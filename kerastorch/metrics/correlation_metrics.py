"""Correlation metrics: Pearson and concordance correlation along an axis, averaged over batches."""
from __future__ import annotations

from typing import Any

import torch

from kerastorch._core import config
from kerastorch.losses.loss import squeeze_or_expand_to_same_rank, to_tensor
from kerastorch.metrics.base import MeanMetricWrapper


def _pair(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor]:
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(config.to_torch_dtype(None))
    return squeeze_or_expand_to_same_rank(to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device), y_pred)


def pearson_correlation(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Pearson correlation along ``axis``: mean of the product of the standardised values
    (population standard deviation)."""
    y_true, y_pred = _pair(y_true, y_pred)
    t = y_true - y_true.mean(dim=axis, keepdim=True)
    p = y_pred - y_pred.mean(dim=axis, keepdim=True)
    t = t / torch.std(t, dim=axis, keepdim=True, correction=0)
    p = p / torch.std(p, dim=axis, keepdim=True, correction=0)
    return torch.mean(t * p, dim=axis)


def concordance_correlation(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Lin's concordance correlation along ``axis``, with Keras 3's exact formula.

    Keras centres *both* factors of the covariance term on the mean of ``y_pred``; kept as is so
    the values equal Keras's.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    true_mean = y_true.mean(dim=axis, keepdim=True)
    pred_mean = y_pred.mean(dim=axis, keepdim=True)
    true_var = torch.var(y_true - true_mean, dim=axis, keepdim=True, correction=0)
    pred_var = torch.var(y_pred - pred_mean, dim=axis, keepdim=True, correction=0)
    covar = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + torch.square(true_mean - pred_mean)
    return torch.mean(2 * covar / (norm + config.epsilon()), dim=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """Running mean of ``pearson_correlation`` per sample."""

    def __init__(self, name: str = "pearson_correlation", dtype=None, axis: int = -1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}

    @classmethod
    def from_config(cls, config_: dict[str, Any]) -> PearsonCorrelation:
        return cls(**config_)


class ConcordanceCorrelation(MeanMetricWrapper):
    """Running mean of ``concordance_correlation`` per sample."""

    def __init__(self, name: str = "concordance_correlation", dtype=None, axis: int = -1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}

    @classmethod
    def from_config(cls, config_: dict[str, Any]) -> ConcordanceCorrelation:
        return cls(**config_)
