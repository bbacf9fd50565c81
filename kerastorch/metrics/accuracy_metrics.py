"""Accuracy metrics (functions and ``MeanMetricWrapper`` classes), Keras 3 semantics."""
from __future__ import annotations

from typing import Any

import torch

from kerastorch._core import config
from kerastorch.losses.loss import squeeze_or_expand_to_same_rank, to_tensor
from kerastorch.metrics.base import MeanMetricWrapper


def _floatx() -> torch.dtype:
    return config.to_torch_dtype(None)


def _tensors(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor]:
    y_pred = to_tensor(y_pred)
    return to_tensor(y_true, device=y_pred.device), y_pred


def accuracy(y_true, y_pred) -> torch.Tensor:
    """``y_pred == y_true`` per element as floatx (Keras 3 does not average here; ``Accuracy``'s
    running mean reduces extra axes per sample)."""
    y_true, y_pred = _tensors(y_true, y_pred)
    y_true = y_true.to(y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return (y_true == y_pred).to(_floatx())


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> torch.Tensor:
    """How often ``(y_pred > threshold)`` matches the 0/1 labels, averaged over the last axis."""
    y_true, y_pred = _tensors(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = (y_pred > threshold).to(y_true.dtype)
    return torch.mean((y_true == y_pred).to(_floatx()), dim=-1)


def categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """Whether ``argmax(y_pred)`` equals ``argmax(y_true)`` (one-hot labels), per sample."""
    y_true, y_pred = _tensors(y_true, y_pred)
    if y_true.dtype == torch.bool:  # one-hot targets built as bool arrays (torch's argmax rejects bool)
        y_true = y_true.to(torch.uint8)
    y_true = torch.argmax(y_true, dim=-1)
    original_shape = y_true.shape
    reshape = False
    if y_true.dim() == y_pred.dim():
        y_true = y_true.squeeze(-1)
        reshape = True
    matches = (y_true == torch.argmax(y_pred, dim=-1)).to(_floatx())
    return matches.reshape(original_shape) if reshape else matches


def sparse_categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """Whether ``argmax(y_pred)`` equals the integer label, per sample (labels ``(N,)`` or ``(N, 1)``)."""
    y_true, y_pred = _tensors(y_true, y_pred)
    original_shape = y_true.shape
    reshape = False
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
        reshape = True
    y_pred = torch.argmax(y_pred, dim=-1)
    if y_pred.dtype != y_true.dtype:
        y_pred = y_pred.to(y_true.dtype)
    matches = (y_true == y_pred).to(_floatx())
    if reshape:
        matches = matches.reshape(original_shape)
    if matches.dim() > 1 and matches.shape[-1] == 1:
        matches = matches.squeeze(-1)
    return matches


def _in_top_k(targets: torch.Tensor, predictions: torch.Tensor, k: int) -> torch.Tensor:
    """True where the target's score is >= the k-th largest score (ties count as hits, like Keras)."""
    k = min(k, predictions.shape[-1])
    kth = torch.topk(predictions, k, dim=-1).values[..., -1:]
    target_values = torch.take_along_dim(predictions, targets.long().unsqueeze(-1), dim=-1)
    return (target_values >= kth).squeeze(-1)


def _top_k(y_true: torch.Tensor, y_pred: torch.Tensor, k: int) -> torch.Tensor:
    original_shape = y_true.shape
    if y_pred.dim() > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    if y_true.dim() > 1:
        y_true = y_true.reshape(-1)
    matches = _in_top_k(y_true, y_pred, k).to(_floatx())
    return matches.reshape(original_shape)


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    """Whether the one-hot target is among the ``k`` highest predictions."""
    y_true, y_pred = _tensors(y_true, y_pred)
    return _top_k(torch.argmax(y_true, dim=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5, from_sorted_ids: bool = False) -> torch.Tensor:
    """Whether the integer target is among the ``k`` highest predictions.

    With ``from_sorted_ids=True``, ``y_pred`` already holds class ids sorted by score (best first),
    and a hit is the target among its first ``k`` columns.
    """
    y_true, y_pred = _tensors(y_true, y_pred)
    if from_sorted_ids:
        original_shape = y_true.shape
        ids = y_pred.reshape(-1, y_pred.shape[-1]) if y_pred.dim() > 2 else y_pred
        targets = y_true.reshape(-1).to(ids.dtype)
        matches = torch.any(targets.unsqueeze(1) == ids[:, :k], dim=1).to(_floatx())
        return matches.reshape(original_shape) if y_true.dim() > 1 else matches
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:  # (N, 1) labels
        y_true = y_true.squeeze(-1)
    return _top_k(y_true, y_pred, k)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly."""

    def __init__(self, name: str = "accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches binary labels."""

    def __init__(self, name: str = "binary_accuracy", dtype=None, threshold: float = 0.5):
        if threshold is not None and (threshold <= 0 or threshold >= 1):
            raise ValueError("Invalid value for argument `threshold`. Expected a value in interval (0, 1). "
                             f"Received: threshold={threshold}")
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches one-hot labels."""

    def __init__(self, name: str = "categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches integer labels."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is in the top ``k`` predictions."""

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is in the top ``k`` predictions."""

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids: bool = False):
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        config_ = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:  # Keras writes the key only when set
            config_["from_sorted_ids"] = True
        return config_


def resolve_accuracy(loss, y_true_shape, y_pred_shape, name: str = "accuracy") -> MeanMetricWrapper:
    """The metric Keras 3 picks for ``metrics=["accuracy"]`` (``compile_utils.get_metric``).

    Decided from the shapes only, like Keras 3: ``BinaryAccuracy`` when the
    prediction's last dim is 1; ``SparseCategoricalAccuracy`` when the labels
    have lower rank than the predictions, or a last dim of 1 while predictions
    have more; else ``CategoricalAccuracy``.  The metric keeps the user's
    spelling as its name (``"accuracy"`` / ``"acc"``), which becomes the History
    key.  ``loss`` is only consulted when a shape is unknown (``None``): a
    binary crossentropy loss then means binary, a sparse one sparse.
    """
    if y_true_shape is None or y_pred_shape is None:
        loss_name = str(getattr(loss, "name", None) or getattr(loss, "__name__", None) or loss or "").lower()
        if "binary" in loss_name or loss_name in ("bce", "hinge", "squared_hinge"):
            return BinaryAccuracy(name=name)
        if "sparse" in loss_name:
            return SparseCategoricalAccuracy(name=name)
        return CategoricalAccuracy(name=name)
    y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
    y_t_last = y_true_shape[-1] if y_true_shape else None
    y_p_last = y_pred_shape[-1] if y_pred_shape else None
    if y_p_last == 1:
        return BinaryAccuracy(name=name)
    if len(y_true_shape) < len(y_pred_shape) or (y_t_last == 1 and (y_p_last or 0) > 1):
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)
