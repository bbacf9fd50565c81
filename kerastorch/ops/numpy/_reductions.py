"""``ops.numpy`` reductions (sums, means, extrema, cumulative ops, arg-extrema) and linear algebra.

Dtypes are Keras's on its torch backend: small ints and bools accumulate in int32, 64-bit
results narrow to 32 bits where Keras's ``result_type`` says so, means and deviations of integers
are floats (``std``/``var`` are population statistics, numpy's ``ddof=0``), arg-extrema are int32.
The products (``matmul``, ``dot``, ``tensordot``) compute in float where torch has no integer or
half kernel and cast back to the lattice result.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch._core import config
from kerastorch.ops.core import wrap_public_ops
from kerastorch.ops.numpy._arithmetic import maximum, minimum
from kerastorch.ops.numpy._helpers import (
    Tensor,
    _axes,
    _float,
    _int_accumulator,
    _promoted,
    _reduce_each,
    _t,
    _tensors,
)
from kerastorch.ops.numpy._helpers import result_type as _result_type

__all__ = [
    "all", "amax", "amin", "any", "argmax", "argmin", "average", "count_nonzero", "cumprod",
    "cumsum", "diag", "diagonal", "dot", "einsum", "matmul", "max", "mean", "min", "outer", "prod",
    "std", "sum", "tensordot", "trace", "tril", "triu", "var",
]


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


wrap_public_ops(globals())
