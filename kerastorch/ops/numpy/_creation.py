"""``ops.numpy`` tensor creation: ``zeros``/``ones``/``full`` and their ``_like``, ``eye``, ranges, grids.

New tensors are made on ``config.get_device()``. Dtypes default as in Keras: floatx for the
filled shapes, int32 for an all-integer ``arange`` and floatx as soon as one bound is a float.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np
import torch

from kerastorch._core import config
from kerastorch.ops.core import wrap_public_ops
from kerastorch.ops.numpy._helpers import _PY_SCALARS, Tensor, _float, _shape_tuple, _t

__all__ = [
    "arange", "eye", "full", "full_like", "identity", "linspace", "meshgrid", "ones", "ones_like",
    "zeros", "zeros_like",
]


# ---------------------------------------------------------------- creation


def zeros(shape: Any, dtype: Any = None) -> Tensor:
    return torch.zeros(_shape_tuple(shape), dtype=config.to_torch_dtype(dtype), device=config.get_device())


def ones(shape: Any, dtype: Any = None) -> Tensor:
    return torch.ones(_shape_tuple(shape), dtype=config.to_torch_dtype(dtype), device=config.get_device())


def full(shape: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    dtype = config.to_torch_dtype(dtype)
    if isinstance(fill_value, _PY_SCALARS):
        return torch.full(_shape_tuple(shape), fill_value, dtype=dtype, device=config.get_device())
    return torch.broadcast_to(_t(fill_value, dtype=dtype), _shape_tuple(shape)).clone()


def zeros_like(x: Any, dtype: Any = None) -> Tensor:
    x = _t(x)
    return torch.zeros_like(x, dtype=None if dtype is None else config.to_torch_dtype(dtype))


def ones_like(x: Any, dtype: Any = None) -> Tensor:
    x = _t(x)
    return torch.ones_like(x, dtype=None if dtype is None else config.to_torch_dtype(dtype))


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    x = _t(x)
    dtype = x.dtype if dtype is None else config.to_torch_dtype(dtype)
    if isinstance(fill_value, _PY_SCALARS):
        return torch.full_like(x, fill_value, dtype=dtype)
    return torch.broadcast_to(_t(fill_value, dtype=dtype, device=x.device), x.shape).clone()


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:
    M = N if M is None else M
    device = config.get_device()
    rows = torch.arange(N, device=device)[:, None]
    cols = torch.arange(M, device=device)[None, :]
    return (cols - rows == k).to(config.to_torch_dtype(dtype))


def identity(n: int, dtype: Any = None) -> Tensor:
    return eye(n, dtype=dtype)


def _scalar_dtype(*values: Any) -> torch.dtype:
    # Keras infers int32 for all-integer ranges and floatx as soon as one bound is a float.
    for v in values:
        if isinstance(v, float) or (isinstance(v, Tensor) and v.is_floating_point()) \
                or isinstance(v, np.floating):
            return config.to_torch_dtype(config.floatx())
    return torch.int32


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> Tensor:
    step = 1 if step is None else step
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        dtype = _scalar_dtype(start, stop, step)
    else:
        dtype = config.to_torch_dtype(dtype)
    start, stop, step = (v.item() if isinstance(v, Tensor) else v for v in (start, stop, step))
    return torch.arange(start, stop, step, dtype=dtype, device=config.get_device())


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype: Any = None, axis: int = 0) -> Any:
    dtype = config.to_torch_dtype(dtype)
    start_t = _float(start)
    stop_t = _float(stop).to(start_t.device)
    div = (num - 1) if endpoint else num
    step = (stop_t - start_t) / builtins.max(div, 1)
    positions = torch.arange(num, dtype=step.dtype, device=start_t.device)
    positions = positions.reshape((num,) + (1,) * step.ndim)
    out = start_t + positions * step
    if endpoint and num > 1:
        out[-1] = stop_t  # exact endpoint, as numpy guarantees
    out = torch.movedim(out, 0, axis).to(dtype)
    return (out, step) if retstep else out


def meshgrid(*x: Any, indexing: str = "xy") -> list[Tensor]:
    return list(torch.meshgrid(*[_t(v) for v in x], indexing=indexing))


wrap_public_ops(globals())
