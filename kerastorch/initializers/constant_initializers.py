"""Deterministic initializers: ``Zeros``, ``Ones``, ``Constant`` and ``Identity``."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch._core import config
from kerastorch.initializers.initializer import Initializer, finish, standardize_shape


class Zeros(Initializer):
    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        return torch.zeros(standardize_shape(shape), dtype=config.to_torch_dtype(dtype))


class Ones(Initializer):
    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        return torch.ones(standardize_shape(shape), dtype=config.to_torch_dtype(dtype))


class Constant(Initializer):
    """Fills with ``value``, a scalar or anything broadcastable to the requested shape."""

    def __init__(self, value: Any = 0.0):
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        dt = config.to_torch_dtype(dtype)
        value = self.value
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu()
        value = torch.as_tensor(np.asarray(value), dtype=dt)
        return finish(torch.broadcast_to(value, standardize_shape(shape)).clone(), dt)

    def get_config(self) -> dict:
        value = self.value
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        if isinstance(value, np.ndarray):
            value = value.tolist()
        return {"value": value}


class Identity(Initializer):
    """``gain * eye(rows, cols)``; only for 2D shapes."""

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        shape = standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        dt = config.to_torch_dtype(dtype)
        return finish(self.gain * torch.eye(*shape), dt)

    def get_config(self) -> dict:
        return {"gain": self.gain}


IdentityInitializer = Identity
