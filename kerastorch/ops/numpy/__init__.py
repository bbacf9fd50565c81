"""NumPy-style ``keras.ops`` (``keras.ops.numpy``) on torch tensors.

Argument names and defaults follow Keras (``axis``/``keepdims``, ``x1``/``x2``), and so
do its dtype rules where they differ from torch's: the results are the dtypes Keras 3.15.1
gives on its torch backend (its promotion lattice in ``_helpers.result_type``, which also
narrows 64-bit results to 32 bits for many ops; means and roots of integers are floats;
small-int sums accumulate in int32; index results are int32).

The package is split by section: this file holds the basics (arithmetic, comparison,
reductions, linear algebra, creation, shapes, indexing); ``_math`` the further elementwise
math (inverse trig, hyperbolic, bitwise ...), ``_statistics`` NaN-aware reductions,
quantiles and searching, ``_arrays`` splits/stacks/windows/products and ``vectorize``. All
are re-exported here, so ``ops.numpy`` is one namespace as in Keras. These modules shadow
builtins (``sum``, ``max``, ``abs`` ...), so inside them builtins are spelled ``builtins.x``.
"""
from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np
import torch

from kerastorch._core import config
from kerastorch.ops.core import wrap_public_ops
from kerastorch.ops.numpy._helpers import (  # noqa: F401 - sibling modules import them from here too
    _PY_SCALARS,
    Tensor,
    _axes,
    _binary,
    _float,
    _int_accumulator,
    _norm_axis,
    _operand,
    _promoted,
    _reduce_each,
    _t,
    _tensors,
)
from kerastorch.ops.numpy._helpers import result_type as _result_type


def _dtype_of(x: Any) -> Any:
    """What Keras feeds its ``result_type``: a tensor's dtype, or the Python type of a scalar."""
    if isinstance(x, (bool, int, float)):
        return type(x)
    return _t(x).dtype

# ---------------------------------------------------------------- arithmetic

def add(x1: Any, x2: Any) -> Tensor:
    a, b = _binary(x1, x2)
    return a + b


def subtract(x1: Any, x2: Any) -> Tensor:
    a, b = _tensors(x1, x2)
    # torch refuses to subtract booleans; Keras casts a bool side to the other side's dtype
    if a.dtype == torch.bool:
        a = a.to(b.dtype)
    if b.dtype == torch.bool:
        b = b.to(a.dtype)
    return a - b


def multiply(x1: Any, x2: Any) -> Tensor:
    a, b = _binary(x1, x2)
    return a * b


def divide(x1: Any, x2: Any) -> Tensor:
    a, b = _binary(x1, x2)
    return a / b


true_divide = divide


def divide_no_nan(x1: Any, x2: Any) -> Tensor:
    """``x1 / x2`` with 0 where ``x2 == 0``, in Keras's ``result_type(x1, x2, float)``."""
    dtype = _result_type(_dtype_of(x1), _dtype_of(x2), float)
    a = _t(x1, dtype=dtype)
    b = _t(x2, dtype=dtype, device=a.device)
    safe = torch.where(b == 0, torch.ones_like(b), b)
    return torch.where(b == 0, torch.zeros((), dtype=dtype, device=a.device), a / safe)


def floor_divide(x1: Any, x2: Any) -> Tensor:
    dtype = _result_type(_dtype_of(x1), _dtype_of(x2))
    a, b = _tensors(x1, x2)
    return torch.floor_divide(a, b).to(dtype)


def mod(x1: Any, x2: Any) -> Tensor:
    a, b = _tensors(x1, x2)
    if a.dtype == torch.bool and b.dtype == torch.bool:
        a, b = a.to(torch.int32), b.to(torch.int32)
    return torch.remainder(a, b)


def power(x1: Any, x2: Any) -> Tensor:
    a, b = _binary(x1, x2)
    return a ** b


def negative(x: Any) -> Tensor:
    return torch.neg(_t(x))


def abs(x: Any) -> Tensor:
    x = _t(x)
    return x if x.dtype == torch.bool else torch.abs(x)


absolute = abs


def sign(x: Any) -> Tensor:
    return torch.sign(_t(x))


def square(x: Any) -> Tensor:
    x = _t(x)
    return torch.square(x.to(torch.int32) if x.dtype == torch.bool else x)


def sqrt(x: Any) -> Tensor:
    return torch.sqrt(_float(x))


def exp(x: Any) -> Tensor:
    return torch.exp(_float(x))


def expm1(x: Any) -> Tensor:
    return torch.expm1(_float(x))


def log(x: Any) -> Tensor:
    return torch.log(_float(x))


def log1p(x: Any) -> Tensor:
    return torch.log1p(_float(x))


def log2(x: Any) -> Tensor:
    return torch.log2(_float(x))


def log10(x: Any) -> Tensor:
    return torch.log10(_float(x))


def reciprocal(x: Any) -> Tensor:
    return torch.reciprocal(_float(x))


def sin(x: Any) -> Tensor:
    return torch.sin(_float(x))


def cos(x: Any) -> Tensor:
    return torch.cos(_float(x))


def tan(x: Any) -> Tensor:
    return torch.tan(_float(x))


def tanh(x: Any) -> Tensor:
    return torch.tanh(_float(x))


def _rounding_dtype(x: Tensor) -> torch.dtype:
    # Keras: int64 gives floatx, everything else result_type(x, float) (so float64 narrows too)
    return config.to_torch_dtype(config.floatx()) if x.dtype == torch.int64 else _result_type(x.dtype, float)


def floor(x: Any) -> Tensor:
    x = _t(x)
    return torch.floor(x.to(_rounding_dtype(x)))


def ceil(x: Any) -> Tensor:
    x = _t(x)
    return torch.ceil(x.to(_rounding_dtype(x)))


def round(x: Any, decimals: int = 0) -> Tensor:
    x = _t(x)
    if not x.is_floating_point():
        return x  # integers are already round for decimals >= 0
    return torch.round(x, decimals=decimals)


def _lattice_pair(x1: Any, x2: Any) -> tuple[Tensor, Tensor]:
    """Both operands cast to Keras's ``result_type`` (Python scalars count as weak types)."""
    dtype = _result_type(_dtype_of(x1), _dtype_of(x2))
    ref = x1 if isinstance(x1, Tensor) else x2 if isinstance(x2, Tensor) else None
    device = None if ref is None else ref.device
    return _t(x1, dtype=dtype, device=device), _t(x2, dtype=dtype, device=device)


def maximum(x1: Any, x2: Any) -> Tensor:
    return torch.maximum(*_lattice_pair(x1, x2))


def minimum(x1: Any, x2: Any) -> Tensor:
    return torch.minimum(*_lattice_pair(x1, x2))


def clip(x: Any, x_min: Any, x_max: Any) -> Tensor:
    x = _t(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    return torch.clamp(x, x_min, x_max)


# ---------------------------------------------------------------- comparison and logic

def equal(x1: Any, x2: Any) -> Tensor:
    a, b = _binary(x1, x2)
    return a == b


def not_equal(x1: Any, x2: Any) -> Tensor:
    a, b = _binary(x1, x2)
    return a != b


def less(x1: Any, x2: Any) -> Tensor:
    a, b = _binary(x1, x2)
    return a < b


def less_equal(x1: Any, x2: Any) -> Tensor:
    a, b = _binary(x1, x2)
    return a <= b


def greater(x1: Any, x2: Any) -> Tensor:
    a, b = _binary(x1, x2)
    return a > b


def greater_equal(x1: Any, x2: Any) -> Tensor:
    a, b = _binary(x1, x2)
    return a >= b


def logical_and(x1: Any, x2: Any) -> Tensor:
    return torch.logical_and(*_tensors(x1, x2))


def logical_or(x1: Any, x2: Any) -> Tensor:
    return torch.logical_or(*_tensors(x1, x2))


def logical_xor(x1: Any, x2: Any) -> Tensor:
    return torch.logical_xor(*_tensors(x1, x2))


def logical_not(x: Any) -> Tensor:
    return torch.logical_not(_t(x))


def isnan(x: Any) -> Tensor:
    return torch.isnan(_t(x))


def isinf(x: Any) -> Tensor:
    return torch.isinf(_t(x))


def isfinite(x: Any) -> Tensor:
    return torch.isfinite(_t(x))


def nan_to_num(x: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
    return torch.nan_to_num(_t(x), nan=nan, posinf=posinf, neginf=neginf)


def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """``x1`` where ``condition`` else ``x2``; with neither given, the (ndim, count) indices of true entries."""
    condition = _t(condition)
    if condition.dtype != torch.bool:
        condition = condition != 0
    if x1 is None and x2 is None:
        # Keras on torch stacks the per-axis index vectors into one (ndim, count) int64 tensor
        return torch.stack(torch.nonzero(condition, as_tuple=True), dim=0)
    if x1 is None or x2 is None:
        raise ValueError("`x1` and `x2` must either both be None or both be given. "
                         f"Received: x1={x1!r}, x2={x2!r}")
    a, b = _tensors(x1, x2)
    return torch.where(condition.to(a.device), a, b)


# ---------------------------------------------------------------- reductions

def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _t(x)
    return torch.sum(x, dim=_axes(axis), keepdim=keepdims, dtype=_int_accumulator(x))


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return torch.mean(_float(x), dim=_axes(axis), keepdim=keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Tensor:
    x = _t(x)
    out = torch.amax(x, dim=() if axis is None else _axes(axis), keepdim=keepdims)
    return out if initial is None else maximum(out, initial)


def min(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Tensor:
    x = _t(x)
    out = torch.amin(x, dim=() if axis is None else _axes(axis), keepdim=keepdims)
    return out if initial is None else minimum(out, initial)


def amax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return torch.amax(_t(x), dim=() if axis is None else _axes(axis), keepdim=keepdims)


def amin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return torch.amin(_t(x), dim=() if axis is None else _axes(axis), keepdim=keepdims)


def prod(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Tensor:
    x = _t(x)
    if dtype is not None:
        out_dtype = config.to_torch_dtype(dtype)
    else:  # Keras: narrow 64-bit, accumulate small ints and bools in int32
        out_dtype = _int_accumulator(x) or _result_type(x.dtype)
    x = x.to(out_dtype)
    out = _reduce_each(torch.prod, x, axis, keepdims)
    return out.to(out_dtype)  # torch widens integer products to int64


def std(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Population standard deviation (numpy's ``ddof=0``), unlike torch's default."""
    return torch.std(_float(x), dim=_axes(axis), correction=0, keepdim=keepdims)


def var(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _t(x)
    out_dtype = _result_type(x.dtype, float)
    x = x.to(_result_type(x.dtype, "float32"))
    return torch.var(x, dim=_axes(axis), correction=0, keepdim=keepdims).to(out_dtype)


def all(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _t(x)
    if axis is None:
        out = torch.all(x)
        return out.reshape((1,) * x.ndim) if keepdims else out
    return torch.all(x, dim=_axes(axis), keepdim=keepdims)


def any(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _t(x)
    if axis is None:
        out = torch.any(x)
        return out.reshape((1,) * x.ndim) if keepdims else out
    return torch.any(x, dim=_axes(axis), keepdim=keepdims)


def count_nonzero(x: Any, axis: Any = None) -> Tensor:
    return torch.count_nonzero(_t(x), dim=_axes(axis)).to(torch.int32)


def _arg(fn, x: Any, axis: int | None, keepdims: bool) -> Tensor:
    x = _t(x)
    if x.dtype == torch.bool:  # torch's argmax/argmin reject bool
        x = x.to(torch.uint8)
    if axis is None and keepdims:
        return fn(x.reshape(-1), dim=0).reshape((1,) * x.ndim).to(torch.int32)
    return fn(x, dim=axis, keepdim=keepdims).to(torch.int32)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    return _arg(torch.argmax, x, axis, keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    return _arg(torch.argmin, x, axis, keepdims)


def _cumulative_dtype(x: Tensor, dtype: Any) -> torch.dtype:
    # Keras: result_type of the given (or input) dtype, with bool accumulated in int32
    out = _result_type(config.to_torch_dtype(dtype) if dtype is not None else x.dtype)
    return torch.int32 if out == torch.bool else out


def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    out_dtype = _cumulative_dtype(x, dtype)
    if out_dtype == torch.float16:  # no half cumsum on CPU
        return torch.cumsum(x, dim=axis, dtype=torch.float32).to(out_dtype)
    return torch.cumsum(x, dim=axis, dtype=out_dtype)


def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    out_dtype = _cumulative_dtype(x, dtype)
    if out_dtype == torch.float16:
        return torch.cumprod(x, dim=axis, dtype=torch.float32).to(out_dtype)
    return torch.cumprod(x, dim=axis, dtype=out_dtype)


def average(x: Any, axis: int | None = None, weights: Any = None) -> Tensor:
    x = _t(x)
    w = None if weights is None else _t(weights, device=x.device)
    dtype = _result_type(x.dtype, float) if w is None else _result_type(x.dtype, float, w.dtype)
    x = x.to(dtype)
    if w is None:
        return mean(x, axis=axis)
    w = w.to(dtype)
    if axis is not None and w.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        w = w.reshape(shape)
    return torch.sum(x * w, dim=axis) / torch.sum(w.expand_as(x), dim=axis)


# ---------------------------------------------------------------- linear algebra

def _product_dtypes(a: Tensor, b: Tensor) -> tuple[torch.dtype, torch.dtype]:
    """(result, compute) dtypes of Keras's dot/tensordot: the lattice result, computed in float."""
    out = _result_type(a.dtype, b.dtype)
    compute = _result_type(out, float)
    return out, torch.float32 if compute == torch.float16 else compute


def matmul(x1: Any, x2: Any) -> Tensor:
    a, b = _tensors(x1, x2)
    if a.dtype == torch.int8 and b.dtype == torch.int8:
        out = torch.int32
    else:
        out = _result_type(a.dtype, b.dtype)
    compute = config.to_torch_dtype(config.floatx()) if out == torch.bool else out
    if compute == torch.float16:  # no half matmul on CPU
        compute = torch.float32
    return torch.matmul(a.to(compute), b.to(compute)).to(out)


def dot(x1: Any, x2: Any) -> Tensor:
    """NumPy ``dot``: sum over the last axis of ``x1`` and the second-to-last of ``x2``."""
    a = _t(x1)
    b = _t(x2, device=a.device)  # scalars convert by Keras's rules (int32 / floatx), not weakly
    out, compute = _product_dtypes(a, b)
    a, b = a.to(compute), b.to(compute)
    if a.ndim == 0 or b.ndim == 0:
        return (a * b).to(out)
    if b.ndim == 1:
        return torch.matmul(a, b).to(out)
    return torch.tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 2])).to(out)


def tensordot(x1: Any, x2: Any, axes: Any = 2) -> Tensor:
    a, b = _tensors(x1, x2)
    out, compute = _product_dtypes(a, b)
    if not isinstance(axes, int):
        axes = [list(ax) if isinstance(ax, (list, tuple)) else [ax] for ax in axes]
    return torch.tensordot(a.to(compute), b.to(compute), dims=axes).to(out)


def einsum(subscripts: str, *operands: Any, **kwargs: Any) -> Tensor:
    """``torch.einsum``; extra keywords (Keras passes backend hints such as ``optimize``) are ignored."""
    tensors = [_t(op) for op in operands]
    return torch.einsum(subscripts, *_promoted(*tensors))


def outer(x1: Any, x2: Any) -> Tensor:
    a = _t(x1)
    b = _t(x2, device=a.device)
    return torch.outer(*_promoted(a.reshape(-1), b.reshape(-1)))


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    x = _t(x)
    dtype = _int_accumulator(x) or x.dtype
    return torch.sum(torch.diagonal(x, offset=offset, dim1=axis1, dim2=axis2), dim=-1, dtype=dtype)


def diag(x: Any, k: int = 0) -> Tensor:
    return torch.diag(_t(x), diagonal=k)


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    return torch.diagonal(_t(x), offset=offset, dim1=axis1, dim2=axis2)


def tril(x: Any, k: int = 0) -> Tensor:
    return torch.tril(_t(x), diagonal=k)


def triu(x: Any, k: int = 0) -> Tensor:
    return torch.triu(_t(x), diagonal=k)


# ---------------------------------------------------------------- creation

def _shape_tuple(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(s) for s in shape)


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


# ---------------------------------------------------------------- further sections (own modules)
# Each section module wraps its own functions for symbolic tensors; they are re-exported here so
# ``ops.numpy`` stays the one namespace, as in Keras.
from kerastorch.ops.numpy._arrays import *  # noqa: E402, F403 - a section's public names
from kerastorch.ops.numpy._math import *  # noqa: E402, F403 - a section's public names
from kerastorch.ops.numpy._statistics import *  # noqa: E402, F403 - a section's public names
