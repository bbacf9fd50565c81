"""``keras.constraints``: projections applied to weights after each optimizer step.

``constraint(w)`` returns the projected tensor (it does not modify ``w``); the optimizer
copies it back. Formulas follow Keras, including ``epsilon()`` in the denominators so a
zero column stays zero instead of becoming NaN.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch._core.config import epsilon
from kerastorch._core.identifiers import Identifiers
from kerastorch._core.naming import to_snake_case
from kerastorch.ops.core import convert_to_tensor


def _norms(w: torch.Tensor, axis: Any) -> torch.Tensor:
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return torch.sqrt(torch.sum(torch.square(w), dim=axis, keepdim=True))


class Constraint:
    """Base class: ``__call__(w)`` returns the projected weight; the identity here."""

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Constraint":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Rescales slices along ``axis`` whose L2 norm exceeds ``max_value``."""

    def __init__(self, max_value: float = 2, axis: Any = 0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w: Any) -> torch.Tensor:
        w = convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = torch.clamp(norms, 0, self.max_value)
        return w * (desired / (epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Zeroes negative weights."""

    def __call__(self, w: Any) -> torch.Tensor:
        w = convert_to_tensor(w)
        return w * (w >= 0).to(w.dtype)


class UnitNorm(Constraint):
    """Divides slices along ``axis`` by their L2 norm (plus epsilon)."""

    def __init__(self, axis: Any = 0):
        self.axis = axis

    def __call__(self, w: Any) -> torch.Tensor:
        w = convert_to_tensor(w)
        return w / (epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves slice norms into ``[min_value, max_value]``; ``rate`` < 1 only goes part of the way."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w: Any) -> torch.Tensor:
        w = convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = self.rate * torch.clamp(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (epsilon() + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


# Keras's lowercase aliases, plus the Keras 1 spellings still found in old configs
max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
maxnorm, nonneg, unitnorm = MaxNorm, NonNeg, UnitNorm

_CLASSES = (Constraint, MaxNorm, NonNeg, UnitNorm, MinMaxNorm)
ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
                         "min_max_norm": MinMaxNorm, "maxnorm": MaxNorm, "nonneg": NonNeg,
                         "unitnorm": UnitNorm})


_IDENTIFIERS = Identifiers("constraint", "keras.constraints", ALL_OBJECTS_DICT, example="max_norm")
get = _IDENTIFIERS.get


def serialize(constraint: Any) -> Any:
    """Keras's config dict for ``constraint`` (the name of the argument is Keras's)."""
    return _IDENTIFIERS.serialize(constraint)


deserialize = _IDENTIFIERS.deserialize


__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "max_norm", "non_neg",
           "unit_norm", "min_max_norm", "get", "serialize", "deserialize", "ALL_OBJECTS_DICT"]
