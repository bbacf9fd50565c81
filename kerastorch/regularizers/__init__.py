"""``keras.regularizers``: weight penalties added to the training loss.

``regularizer(weight)`` returns a scalar tensor on the weight's device; layers sum these
into ``model.losses``. Names resolve like Keras: ``"l1"``, ``"l2"``, ``"l1_l2"``,
``"L1L2"``, ``"orthogonal_regularizer"``.
"""
from __future__ import annotations

import math
from typing import Any

import torch

from kerastorch._core.config import epsilon
from kerastorch._core.identifiers import Identifiers
from kerastorch._core.naming import to_snake_case


def _non_negative(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) \
            or math.isinf(value) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value!r}")
    return float(value)


class Regularizer:
    """Base class: ``__call__(x)`` gives the penalty for weight tensor ``x``."""

    def __call__(self, x: torch.Tensor) -> Any:
        return 0.0

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__} does not implement `get_config()`.")

    @classmethod
    def from_config(cls, config: dict) -> "Regularizer":
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x^2)``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _non_negative(0.0 if l1 is None else l1, "l1")
        self.l2 = _non_negative(0.0 if l2 is None else l2, "l2")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        penalty = x.new_zeros(())
        if self.l1:
            penalty = penalty + self.l1 * torch.sum(torch.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * torch.sum(torch.square(x))
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(|x|)``."""

    def __init__(self, l1: float = 0.01):
        self.l1 = _non_negative(0.01 if l1 is None else l1, "l1")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.l1 * torch.sum(torch.abs(x))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x^2)`` (no factor 1/2, unlike torch's weight decay)."""

    def __init__(self, l2: float = 0.01):
        self.l2 = _non_negative(0.01 if l2 is None else l2, "l2")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.l2 * torch.sum(torch.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Penalizes non-orthogonal rows (or columns) of a 2D kernel.

    ``factor * 0.5 * sum(|off-diagonal of U U^T|) / num_pairs`` with ``U`` the L2-normalized
    rows (``mode="rows"``) or columns (``mode="columns"``).
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _non_negative(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError(f"Invalid value for argument `mode`. Expected one of {{'rows', 'columns'}}. "
                             f"Received: mode={mode!r}")
        self.mode = mode

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2. Received: shape={tuple(x.shape)}")
        axis = 1 if self.mode == "rows" else 0
        norms = torch.linalg.vector_norm(x, dim=axis, keepdim=True)
        units = x / torch.clamp(norms, min=epsilon())
        product = units @ units.T if self.mode == "rows" else units.T @ units
        size = product.shape[0]
        off_diagonal = product * (1.0 - torch.eye(size, dtype=x.dtype, device=x.device))
        num_pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * torch.sum(torch.abs(off_diagonal)) / num_pairs

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


# Keras's lowercase aliases (`l1_l2` is the L1L2 class in Keras 3, defaults 0.0)
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer

_CLASSES = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)
ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({"l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer})


_IDENTIFIERS = Identifiers("regularizer", "keras.regularizers", ALL_OBJECTS_DICT, example="l2")
get = _IDENTIFIERS.get


def serialize(regularizer: Any) -> Any:
    """Keras's config dict for ``regularizer`` (the name of the argument is Keras's)."""
    return _IDENTIFIERS.serialize(regularizer)


deserialize = _IDENTIFIERS.deserialize


__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
           "orthogonal_regularizer", "get", "serialize", "deserialize", "ALL_OBJECTS_DICT"]
