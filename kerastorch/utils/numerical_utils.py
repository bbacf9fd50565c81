"""``to_categorical`` and ``normalize``: label and array helpers that work on NumPy first."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch.ops.nn import normalize as _normalize
from kerastorch.ops.nn import one_hot


def to_categorical(x: Any, num_classes: int | None = None, dtype: str = "float32") -> Any:
    """One-hot encode integer labels: shape ``(..., )`` or ``(..., 1)`` -> ``(..., num_classes)``.

    NumPy/list input gives a NumPy array (``dtype`` is Keras 2's argument; Keras 3 returns
    float64); a torch tensor gives a torch tensor.
    """
    if isinstance(x, torch.Tensor):
        labels = x.long()
        if labels.ndim > 1 and labels.shape[-1] == 1:
            labels = labels.squeeze(-1)
        n = int(labels.max().item()) + 1 if num_classes is None else int(num_classes)
        return one_hot(labels, n, dtype=dtype)
    labels = np.asarray(x, dtype="int64")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:  # (N, 1) column labels encode like (N,)
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(labels)) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"Labels must be in [0, num_classes={num_classes}). Received labels in "
                         f"[{labels.min()}, {labels.max()}].")
    categorical = np.zeros((labels.shape[0], num_classes), dtype=dtype)
    categorical[np.arange(labels.shape[0]), labels] = 1
    return categorical.reshape(shape + (num_classes,))


def normalize(x: Any, axis: int = -1, order: int = 2) -> Any:
    """Scale ``x`` to unit ``order``-norm along ``axis`` (zero vectors are left as zero)."""
    if isinstance(x, torch.Tensor):
        return _normalize(x, axis=axis, order=order)
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis if axis is not None else -1)
