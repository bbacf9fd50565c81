"""``ops.numpy`` shape manipulation (reshape, transpose, joins, splits, tiling, padding) and
indexing and sorting (``take``, ``sort``, ``argsort``, ``unique``, ``size``, ``ndim``, ``copy``).

Joins move every operand to the device of the first tensor among them. ``size`` and ``ndim``
are left unwrapped for symbolic tensors: they answer from ``.shape`` directly (a Python int), so
they work on symbolic inputs without building an op.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from kerastorch._core import config
from kerastorch.ops.core import wrap_public_ops
from kerastorch.ops.numpy._helpers import Tensor, _norm_axis, _promoted, _shape_tuple, _t

__all__ = [
    "append", "argsort", "broadcast_to", "concatenate", "copy", "expand_dims", "flip", "hstack",
    "moveaxis", "ndim", "pad", "ravel", "repeat", "reshape", "roll", "size", "sort", "split",
    "squeeze", "stack", "swapaxes", "take", "take_along_axis", "tile", "transpose", "unique",
    "vstack",
]


# ---------------------------------------------------------------- shape manipulation

def reshape(x: Any, newshape: Any) -> Tensor:
    return torch.reshape(_t(x), _shape_tuple(newshape))


def transpose(x: Any, axes: Any = None) -> Tensor:
    x = _t(x)
    if axes is None:
        axes = tuple(range(x.ndim - 1, -1, -1))
    return x.permute(*axes)


def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    return torch.swapaxes(_t(x), axis1, axis2)


def moveaxis(x: Any, source: Any, destination: Any) -> Tensor:
    return torch.movedim(_t(x), source, destination)


def expand_dims(x: Any, axis: Any) -> Tensor:
    x = _t(x)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out_ndim = x.ndim + len(axes)
    for a in sorted(_norm_axis(a, out_ndim) for a in axes):
        x = torch.unsqueeze(x, a)
    return x


def squeeze(x: Any, axis: Any = None) -> Tensor:
    x = _t(x)
    if axis is None:
        return torch.squeeze(x)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(f"Cannot squeeze axis {a} of a tensor of shape {tuple(x.shape)}: "
                             "its size is not 1.")
    return torch.squeeze(x, dim=axes)


def ravel(x: Any) -> Tensor:
    return torch.ravel(_t(x))


def broadcast_to(x: Any, shape: Any) -> Tensor:
    return torch.broadcast_to(_t(x), _shape_tuple(shape))


def _same_device(xs: Any) -> list[Tensor]:
    ref = next((x for x in xs if isinstance(x, Tensor)), None)
    device = None if ref is None else ref.device
    return [_t(x, device=device) for x in xs]


def concatenate(xs: Any, axis: int = 0) -> Tensor:
    return torch.cat(_same_device(xs), dim=axis)


def append(x1: Any, x2: Any, axis: int | None = None) -> Tensor:
    a, b = _same_device([x1, x2])
    if axis is None:
        return torch.cat([a.reshape(-1), b.reshape(-1)])
    return torch.cat([a, b], dim=axis)


def stack(x: Any, axis: int = 0) -> Tensor:
    return torch.stack(_promoted(*_same_device(x)), dim=axis)


def hstack(xs: Any) -> Tensor:
    return torch.hstack(_same_device(xs))


def vstack(xs: Any) -> Tensor:
    return torch.vstack(_same_device(xs))


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """NumPy ``split``: an int means that many equal parts, a list means split points."""
    x = _t(x)
    if isinstance(indices_or_sections, int):
        size = x.shape[axis]
        if size % indices_or_sections:
            raise ValueError(f"Cannot split an axis of size {size} into {indices_or_sections} equal parts.")
        return list(torch.tensor_split(x, indices_or_sections, dim=axis))
    points = [int(i) for i in indices_or_sections]
    return list(torch.tensor_split(x, points, dim=axis))


def tile(x: Any, repeats: Any) -> Tensor:
    return torch.tile(_t(x), _shape_tuple(repeats))


def repeat(x: Any, repeats: Any, axis: int | None = None) -> Tensor:
    x = _t(x)
    if not isinstance(repeats, int):
        repeats = _t(repeats, device=x.device).long()
    return torch.repeat_interleave(x, repeats, dim=axis)


def flip(x: Any, axis: Any = None) -> Tensor:
    x = _t(x)
    if axis is None:
        axis = tuple(range(x.ndim))
    elif isinstance(axis, int):
        axis = (axis,)
    return torch.flip(x, dims=tuple(axis))


def roll(x: Any, shift: Any, axis: Any = None) -> Tensor:
    return torch.roll(_t(x), shifts=shift, dims=axis)


def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> Tensor:
    """NumPy-style ``pad``; ``pad_width`` is ``((before, after), ...)`` per axis."""
    x = _t(x)
    widths = np.asarray(pad_width, dtype=np.int64)
    widths = np.broadcast_to(widths.reshape(-1, 2) if widths.ndim else widths, (x.ndim, 2))
    if mode == "constant":
        flat = [int(v) for pair in reversed(widths.tolist()) for v in pair]  # F.pad wants last axis first
        value = 0 if constant_values is None else constant_values
        return torch.nn.functional.pad(x, flat, mode="constant", value=value)
    if constant_values is not None:
        raise ValueError(f"`constant_values` can only be set with mode='constant'. Received: mode={mode!r}")
    if mode not in ("reflect", "symmetric", "edge", "wrap"):
        raise ValueError(f"Unsupported pad mode {mode!r}. Expected one of "
                         "'constant', 'reflect', 'symmetric', 'edge', 'wrap'.")
    # Gather along each axis with NumPy's own index pattern, so every mode matches numpy exactly.
    for axis, (before, after) in enumerate(widths.tolist()):
        if before or after:
            index = np.pad(np.arange(x.shape[axis]), (before, after), mode=mode)
            x = torch.index_select(x, axis, torch.as_tensor(index, device=x.device))
    return x


# ---------------------------------------------------------------- indexing and sorting

def take(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = _norm_axis(axis, x.ndim)
    idx = _t(indices, device=x.device).long()
    idx = torch.where(idx < 0, idx + x.shape[axis], idx)
    out = torch.index_select(x, axis, idx.reshape(-1))
    return out.reshape(x.shape[:axis] + idx.shape + x.shape[axis + 1:])


def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    x = _t(x)
    idx = _t(indices, device=x.device).long()
    if axis is None:
        x, idx, axis = x.reshape(-1), idx.reshape(-1), 0
    idx = torch.where(idx < 0, idx + x.shape[axis], idx)
    return torch.take_along_dim(x, idx, dim=axis)


def sort(x: Any, axis: int = -1) -> Tensor:
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis, stable=True).values


def argsort(x: Any, axis: int = -1) -> Tensor:
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


def unique(x: Any, sorted: bool = True, return_index: bool = False, return_inverse: bool = False,
           return_counts: bool = False, axis: int | None = None, size: int | None = None,
           fill_value: Any = None) -> Any:
    """Unique values (``sorted``), plus first indices / inverse / counts as asked.

    ``size`` truncates or pads the result to a fixed length (values padded with
    ``fill_value`` or 0, counts with 0, indices with 1, as Keras's torch backend does).
    """
    x = _t(x)
    outs = torch.unique(x, sorted=sorted, return_inverse=return_inverse or return_index,
                        return_counts=return_counts, dim=axis)
    outs = list(outs) if isinstance(outs, tuple) else [outs]
    values = outs[0]
    dim = 0 if axis is None else _norm_axis(axis, x.ndim)
    first = None
    if return_index:
        inverse = outs[1]
        positions = torch.arange(inverse.shape[0], dtype=inverse.dtype, device=inverse.device)
        first = inverse.new_empty(values.shape[dim]).scatter_reduce_(0, inverse, positions, reduce="min",
                                                                    include_self=False)
    if size is not None:
        count = values.shape[dim]
        if count > size:
            values = values.narrow(dim, 0, size)
            if return_counts:
                outs[-1] = outs[-1][:size]
            if first is not None:
                first = first[:size]
        elif count < size:
            widths = [0, 0] * values.ndim
            widths[(values.ndim - 1 - dim) * 2 + 1] = size - count
            values = torch.nn.functional.pad(values, widths, value=0 if fill_value is None else fill_value)
            if return_counts:
                outs[-1] = torch.nn.functional.pad(outs[-1], (0, size - count), value=0)
            if first is not None:
                first = torch.nn.functional.pad(first, (0, size - count), value=1)
    outs[0] = values
    if first is not None:
        if return_inverse:
            outs.insert(1, first)
        else:
            outs[1] = first
    return outs[0] if len(outs) == 1 else tuple(outs)


def size(x: Any) -> Any:
    """The number of elements, as a scalar int64 tensor like Keras on torch (an int for symbolic tensors)."""
    if hasattr(x, "shape") and not isinstance(x, (Tensor, np.ndarray)):
        return int(math.prod(x.shape))
    return torch.tensor(int(math.prod(_t(x).shape)), dtype=torch.int64, device=config.get_device())


def ndim(x: Any) -> int:
    return len(x.shape) if hasattr(x, "shape") else int(_t(x).ndim)


def copy(x: Any) -> Tensor:
    return _t(x).clone()


wrap_public_ops(globals(), exclude=("size", "ndim"))
