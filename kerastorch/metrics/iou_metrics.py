"""Intersection-over-union metrics (Keras 3 ``IoU`` family) from one accumulated confusion matrix.

As in Keras the state is an integer ``(num_classes, num_classes)`` matrix (rows: true class,
columns: predicted class) in the metric's dtype, ``int32`` by default, so float sample
weights are truncated to integers unless a float ``dtype`` is given.
"""
from __future__ import annotations

import warnings
from typing import Any

import torch

from kerastorch._core import config
from kerastorch.losses.loss import to_tensor
from kerastorch.metrics.base import Metric


class _IoUBase(Metric):
    def __init__(self, num_classes: int, name: str | None = None, dtype=None, ignore_class: int | None = None,
                 sparse_y_true: bool = True, sparse_y_pred: bool = True, axis: int = -1):
        # Keras's default dtype is "int", which it standardises to int32.
        super().__init__(name=name, dtype="int32" if dtype in (None, "int") else dtype)
        self._direction = "up"
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(shape=(num_classes, num_classes), name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = to_tensor(y_pred)
        y_true = to_tensor(y_true, device=y_pred.device)
        self._follow(y_pred)
        dtype = self._torch_dtype
        with torch.no_grad():
            if not self.sparse_y_true:
                y_true = torch.argmax(y_true, dim=self.axis)
            if not self.sparse_y_pred:
                y_pred = torch.argmax(y_pred, dim=self.axis)
            y_true = y_true.to(dtype).reshape(-1)
            y_pred = y_pred.to(dtype).reshape(-1)
            if sample_weight is None:
                weights = torch.ones_like(y_true)
            else:
                weights = to_tensor(sample_weight, device=y_pred.device)
                if weights.is_floating_point() and not dtype.is_floating_point:
                    warnings.warn("You are passing weight as `float`, but dtype is `int`. This may result in an "
                                  "incorrect weight due to type casting Consider using integer weights.",
                                  stacklevel=2)
                weights = torch.broadcast_to(weights.to(dtype).reshape(-1) if weights.dim() > 1
                                             else weights.to(dtype), y_true.shape)
            in_bounds = (y_true >= 0) & (y_true < self.num_classes) & (y_pred >= 0) & (y_pred < self.num_classes)
            if self.ignore_class is not None:
                in_bounds &= y_true != self.ignore_class
            zero = torch.zeros((), dtype=dtype, device=y_true.device)
            y_true = torch.where(in_bounds, y_true, zero).long()
            y_pred = torch.where(in_bounds, y_pred, zero).long()
            weights = torch.where(in_bounds, weights, zero)
            cells = torch.zeros(self.num_classes * self.num_classes, dtype=dtype, device=y_true.device)
            cells.index_add_(0, y_true * self.num_classes + y_pred, weights)
            self.total_cm.add_(cells.reshape(self.num_classes, self.num_classes))

    def reset_state(self) -> None:
        with torch.no_grad():
            self.total_cm.zero_()


class IoU(_IoUBase):
    """Mean of ``TP / (TP + FP + FN)`` over ``target_class_ids`` (classes never seen are left out)."""

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_true: bool = True, sparse_y_pred: bool = True,
                 axis: int = -1):
        super().__init__(name=name, num_classes=num_classes, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis, dtype=dtype)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is "
                             f"[0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self) -> torch.Tensor:
        cm = self.total_cm.as_subclass(torch.Tensor)
        true_positives = torch.diagonal(cm)
        denominator = cm.sum(dim=0) + cm.sum(dim=1) - true_positives
        ids = torch.as_tensor(self.target_class_ids, dtype=torch.long, device=cm.device)
        denominator = denominator[ids].to(torch.float32)
        true_positives = true_positives[ids].to(torch.float32)
        valid = denominator > 1e-9
        iou = torch.where(valid, true_positives / (denominator + config.epsilon()), 0.0)
        return iou.sum(dim=self.axis) / (valid.to(torch.float32).sum() + config.epsilon())

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class BinaryIoU(IoU):
    """IoU for binary labels; predictions ``>= threshold`` count as class 1."""

    def __init__(self, target_class_ids=(0, 1), threshold: float = 0.5, name: str | None = None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = to_tensor(y_pred, dtype=torch.float32)
        super().update_state(y_true, (y_pred >= self.threshold).to(self._torch_dtype), sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over every class."""

    def __init__(self, num_classes: int, name: str | None = None, dtype=None, ignore_class: int | None = None,
                 sparse_y_true: bool = True, sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(name=name, num_classes=num_classes, target_class_ids=list(range(num_classes)), axis=axis,
                         dtype=dtype, ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred)

    def get_config(self) -> dict[str, Any]:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU for one-hot ``y_true`` (arg-max taken) and probability ``y_pred``."""

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict[str, Any]:
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """MeanIoU for one-hot ``y_true`` and probability ``y_pred``."""

    def __init__(self, num_classes: int, name: str | None = None, dtype=None, ignore_class: int | None = None,
                 sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes=num_classes, axis=axis, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred)

    def get_config(self) -> dict[str, Any]:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
