"""The ``Initializer`` base class and the tensor-making helpers its subclasses share.

Initializers return CPU tensors: a seed then gives the same weights on every machine, and
``Layer.add_weight`` moves the value to the layer's device (converting the layout) itself,
so creating it on a GPU first would only add a round trip.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch._core import config


class Initializer:
    """Callable ``(shape, dtype=None) -> tensor`` with a JSON-able config."""

    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement `__call__(shape, dtype=None)`.")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        config = dict(config)
        config.pop("dtype", None)  # TF1-era Keras configs carried a dtype the constructor never took
        return cls(**config)

    def clone(self) -> "Initializer":
        return self.__class__.from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def standardize_shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int):
        return (shape,)
    try:
        return tuple(int(d) for d in shape)
    except TypeError:
        raise ValueError(f"An initializer needs a fully defined shape of ints. Received: shape={shape!r}") from None


def float_dtype(dtype: Any, who: str) -> torch.dtype:
    dt = config.to_torch_dtype(dtype)
    if not dt.is_floating_point:
        raise ValueError(f"{who} only generates floating point values. Received: dtype={dtype!r}")
    return dt


def finish(values: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Freshly generated CPU values in the requested dtype."""
    return values.to(dtype=dtype)
