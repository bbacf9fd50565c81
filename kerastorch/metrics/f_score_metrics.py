"""F-beta and F1 scores (Keras 3 ``FBetaScore`` / ``F1Score``).

State is per-class TP/FP/FN plus the per-class label weight, created on the first
update from ``y_pred``'s number of classes (one scalar each for ``average="micro"``).
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch._core import config
from kerastorch.losses.loss import to_tensor
from kerastorch.metrics.base import Metric


class FBetaScore(Metric):
    """``(1 + beta^2) * P * R / (beta^2 * P + R)`` from counts accumulated over all batches.

    Args:
        average: None (one score per class), "micro" (global counts), "macro" (mean of the
            per-class scores) or "weighted" (mean weighted by each class's label count).
        beta: weight of recall relative to precision (a float > 0).
        threshold: predictions above it are positive; None means the arg-max of each row.
    """

    def __init__(self, average: str | None = None, beta: float = 1.0, threshold: float | None = None,
                 name: str = "fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                             f"'weighted'}}. Received: average={average!r}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta!r} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python float. "
                                 f"Received: threshold={threshold!r} of type '{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                                 f"Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        self.true_positives = self.add_variable(shape=shape, name="true_positives")
        self.false_positives = self.add_variable(shape=shape, name="false_positives")
        self.false_negatives = self.add_variable(shape=shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape=shape, name="intermediate_weights")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = to_tensor(y_pred, dtype=self._torch_dtype)
        y_true = to_tensor(y_true, dtype=self._torch_dtype, device=y_pred.device)
        self._follow(y_pred)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        with torch.no_grad():
            if self.threshold is None:
                row_max = torch.amax(y_pred, dim=-1, keepdim=True)
                positive = (y_pred >= row_max) & (torch.abs(y_pred) > 1e-9)
            else:
                positive = y_pred > self.threshold
            y_pred = positive.to(self._torch_dtype)
            weights = None
            if sample_weight is not None:
                weights = to_tensor(sample_weight, dtype=self._torch_dtype, device=y_pred.device).unsqueeze(1)

            def weighted_sum(values: torch.Tensor) -> torch.Tensor:
                if weights is not None:
                    values = values * weights
                return values.sum() if self.axis is None else values.sum(dim=self.axis)

            self.true_positives.add_(weighted_sum(y_pred * y_true))
            self.false_positives.add_(weighted_sum(y_pred * (1 - y_true)))
            self.false_negatives.add_(weighted_sum((1 - y_pred) * y_true))
            self.intermediate_weights.add_(weighted_sum(y_true))

    def result(self) -> torch.Tensor:
        if not self._built:
            raise ValueError(f"{type(self).__name__} has no result before its first `update_state` call "
                             "(its state is shaped by the number of classes).")
        eps = config.epsilon()
        tp = self.true_positives.as_subclass(torch.Tensor)
        precision = tp / (tp + self.false_positives.as_subclass(torch.Tensor) + eps)
        recall = tp / (tp + self.false_negatives.as_subclass(torch.Tensor) + eps)
        score = precision * recall / (self.beta ** 2 * precision + recall + eps) * (1 + self.beta ** 2)
        if self.average == "weighted":
            weights = self.intermediate_weights.as_subclass(torch.Tensor)
            return torch.sum(score * weights / (weights.sum() + eps))
        if self.average is not None:
            return score.mean()
        return score

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """``2 * P * R / (P + R)``: ``FBetaScore`` with ``beta=1``."""

    def __init__(self, average: str | None = None, threshold: float | None = None, name: str = "f1_score",
                 dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config_ = super().get_config()
        del config_["beta"]
        return config_
