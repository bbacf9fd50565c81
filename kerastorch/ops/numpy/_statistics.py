"""``ops.numpy`` statistics: NaN-aware reductions, quantiles, histograms, correlation, searching.

Quantiles follow NumPy's methods (``linear``, ``lower``, ``higher``, ``midpoint``, ``nearest``) and
are computed in at least float32; the result takes Keras's ``result_type(x, float)``.
"""
from __future__ import annotations

import builtins
import math
from typing import Any

import torch

from kerastorch._core import config
from kerastorch.ops.core import wrap_public_ops
from kerastorch.ops.numpy._helpers import (
    Tensor,
    _axes,
    _cast,
    _int_accumulator,
    _norm_axis,
    _reduce_each,
    _t,
    result_type,
)
from kerastorch.ops.numpy._reductions import argmax, argmin, cumprod, cumsum, prod

__all__ = [
    "argpartition", "bincount", "corrcoef", "correlate", "digitize", "histogram", "median",
    "nanargmax", "nanargmin", "nancumprod", "nancumsum", "nanmax", "nanmean", "nanmedian", "nanmin",
    "nanpercentile", "nanprod", "nanquantile", "nanstd", "nansum", "nanvar", "percentile", "ptp",
    "quantile", "searchsorted", "trapezoid",
]

_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _empty_axis(axis: Any) -> bool:
    return isinstance(axis, (tuple, list)) and len(axis) == 0


# ---------------------------------------------------------------- quantiles

def _quantile(op: str, x: Any, q: Any, axis: Any, method: str, keepdims: bool, nan: bool) -> Tensor:
    if method not in _QUANTILE_METHODS:
        raise ValueError(f"{op}: `method` must be one of {_QUANTILE_METHODS}. Received: method={method!r}")
    x = _t(x)
    compute = result_type(x.dtype, "float32")
    out_dtype = result_type(x.dtype, float)
    x = _cast(x, compute)
    q = _t(q, device=x.device).to(compute)
    if axis is None:
        axes = list(range(x.ndim))
        y = x.reshape(-1)
    else:
        axes = [_norm_axis(a, x.ndim) for a in ((axis,) if isinstance(axis, int) else axis)]
        rest = [d for d in range(x.ndim) if d not in axes]
        y = x.permute(*(rest + axes)).reshape([x.shape[d] for d in rest] + [-1])
    fn = torch.nanquantile if nan else torch.quantile
    y = fn(y, q, dim=-1, interpolation=method)
    if keepdims:
        offset = 1 if q.ndim > 0 else 0
        for a in sorted(axes):
            y = y.unsqueeze(a + offset)
    return y.to(out_dtype)


def quantile(x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False) -> Tensor:
    return _quantile("quantile", x, q, axis, method, keepdims, nan=False)


def nanquantile(x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False) -> Tensor:
    return _quantile("nanquantile", x, q, axis, method, keepdims, nan=True)


def percentile(x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False) -> Tensor:
    q = _t(q, dtype=config.floatx()) / 100.0
    return _quantile("percentile", x, q, axis, method, keepdims, nan=False)


def nanpercentile(x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False) -> Tensor:
    q = _t(q, dtype=config.floatx()) / 100.0
    return _quantile("nanpercentile", x, q, axis, method, keepdims, nan=True)


def median(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """NumPy's median: the mean of the two middle values for even sizes (torch takes the lower)."""
    return _quantile("median", x, 0.5, axis, "linear", keepdims, nan=False)


def nanmedian(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _t(x)
    if _empty_axis(axis):
        return x
    return _quantile("nanmedian", x, 0.5, axis, "linear", keepdims, nan=True)


def ptp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Peak to peak: ``max - min`` along ``axis``."""
    x = _t(x)
    if _empty_axis(axis):
        return torch.zeros_like(x)
    dim = () if axis is None else _axes(axis)
    if axis is None and not keepdims:
        return x.max() - x.min()
    return torch.amax(x, dim=dim, keepdim=keepdims) - torch.amin(x, dim=dim, keepdim=keepdims)


# ---------------------------------------------------------------- NaN-aware reductions

def _nan_mask_all(x: Tensor, axis: Any, keepdims: bool) -> Tensor:
    isnan = torch.isnan(x)
    if axis is None:
        out = isnan.all()
        return out.reshape((1,) * x.ndim) if keepdims else out
    return isnan.all(dim=_axes(axis), keepdim=keepdims)


def _nan_extreme(x: Any, axis: Any, keepdims: bool, largest: bool) -> Tensor:
    x = _t(x)
    reduce = torch.amax if largest else torch.amin
    dim = () if axis is None else _axes(axis)
    if not x.is_floating_point():
        return reduce(x, dim=dim, keepdim=keepdims)
    if _empty_axis(axis):
        return x
    fill = float("-inf") if largest else float("inf")
    out = reduce(torch.where(torch.isnan(x), fill, x), dim=dim, keepdim=keepdims)
    return torch.where(_nan_mask_all(x, axis, keepdims), torch.full_like(out, float("nan")), out)


def nanmax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _nan_extreme(x, axis, keepdims, largest=True)


def nanmin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _nan_extreme(x, axis, keepdims, largest=False)


def _nan_arg(x: Any, axis: Any, keepdims: bool, largest: bool) -> Tensor:
    x = _t(x)
    arg = argmax if largest else argmin
    if not x.is_floating_point():
        return arg(x, axis=axis, keepdims=keepdims)
    clean = torch.where(torch.isnan(x), float("-inf") if largest else float("inf"), x)
    out = arg(clean, axis=axis, keepdims=keepdims)
    return torch.where(_nan_mask_all(x, axis, keepdims), torch.full_like(out, -1), out)


def nanargmax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``argmax`` ignoring NaNs; -1 where a slice is all NaN."""
    return _nan_arg(x, axis, keepdims, largest=True)


def nanargmin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _nan_arg(x, axis, keepdims, largest=False)


def nansum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _t(x)
    dtype = _int_accumulator(x) or x.dtype
    if _empty_axis(axis):
        return torch.nan_to_num(x, nan=0).to(dtype)
    if axis is None:
        out = torch.nansum(x) if x.is_floating_point() else torch.sum(x)
        return (out.reshape((1,) * x.ndim) if keepdims else out).to(dtype)
    if not x.is_floating_point():
        return torch.sum(x, dim=_axes(axis), keepdim=keepdims).to(dtype)
    return torch.nansum(x, dim=_axes(axis), keepdim=keepdims).to(dtype)


def nanprod(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _t(x)
    if _empty_axis(axis):
        return torch.nan_to_num(x, nan=1)
    if x.is_floating_point():
        x = torch.where(torch.isnan(x), torch.ones((), dtype=x.dtype, device=x.device), x)
    return prod(x, axis=axis, keepdims=keepdims)


def nanmean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _t(x)
    if _empty_axis(axis):
        return x
    x = _cast(x, result_type(x.dtype, float))
    if axis is None:
        out = torch.nanmean(x)
        return out.reshape((1,) * x.ndim) if keepdims else out
    return torch.nanmean(x, dim=_axes(axis), keepdim=keepdims)


def nanvar(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _t(x)
    x = _cast(x, result_type(x.dtype, float))
    if _empty_axis(axis):
        return torch.where(torch.isnan(x), x, torch.zeros((), dtype=x.dtype, device=x.device))
    dim = tuple(range(x.ndim)) if axis is None else _axes(axis)
    valid = ~torch.isnan(x)
    count = valid.sum(dim=dim, keepdim=True)
    centre = torch.where(valid, x, 0).sum(dim=dim, keepdim=True) / count
    dev = torch.where(valid, x - centre, 0)
    dev = dev.real ** 2 + dev.imag ** 2 if dev.is_complex() else dev ** 2
    return dev.sum(dim=dim, keepdim=keepdims) / valid.sum(dim=dim, keepdim=keepdims)


def nanstd(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return torch.sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def nancumsum(x: Any, axis: Any = None, dtype: Any = None) -> Tensor:
    x = _t(x)
    return cumsum(torch.nan_to_num(x, nan=0.0) if x.is_floating_point() else x, axis=axis, dtype=dtype)


def nancumprod(x: Any, axis: Any = None, dtype: Any = None) -> Tensor:
    x = _t(x)
    return cumprod(torch.nan_to_num(x, nan=1.0) if x.is_floating_point() else x, axis=axis, dtype=dtype)


# ---------------------------------------------------------------- counting and searching

def bincount(x: Any, weights: Any = None, minlength: int = 0, sparse: bool = False) -> Tensor:
    """Occurrences of each non-negative int in ``x`` (per row for 2-D ``x``), optionally weighted."""
    if sparse:
        raise ValueError("bincount: `sparse=True` is not supported (torch has no sparse output here). "
                         "Received: sparse=True")
    x = _t(x)
    if x.is_floating_point() or x.is_complex():
        raise TypeError(f"bincount: `x` must have an integer dtype. Received: x.dtype={x.dtype}")
    if weights is None:
        dtype = torch.int32
    else:
        weights = _t(weights, device=x.device)
        dtype = result_type(x.dtype, weights.dtype)
    if x.ndim == 2:
        if weights is None:
            rows = [torch.bincount(r, minlength=minlength) for r in x]
        else:
            rows = [torch.bincount(r, weights=w, minlength=minlength) for r, w in zip(x, weights)]
        width = builtins.max(r.shape[0] for r in rows)
        rows = [torch.nn.functional.pad(r, (0, width - r.shape[0])) for r in rows]
        return torch.stack(rows).to(dtype)
    return torch.bincount(x, weights, minlength).to(dtype)


def digitize(x: Any, bins: Any) -> Tensor:
    """Index of the bin each value falls in (NumPy's ``right=False`` convention), int32."""
    x = _t(x)
    bins = _t(bins, device=x.device)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    return torch.bucketize(x, bins, right=True).to(torch.int32)


def searchsorted(sorted_sequence: Any, values: Any, side: str = "left") -> Tensor:
    seq = _t(sorted_sequence)
    if seq.ndim != 1:
        raise ValueError("searchsorted: `sorted_sequence` must be 1-D (use ops.vectorized_map for N-D). "
                         f"Received: sorted_sequence.shape={tuple(seq.shape)}")
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: `side` must be 'left' or 'right'. Received: side={side!r}")
    values = _t(values, device=seq.device)
    return torch.searchsorted(seq, values, side=side, out_int32=seq.shape[0] < 2**31)


def histogram(x: Any, bins: int = 10, range: Any = None) -> tuple[Tensor, Tensor]:
    """Counts of ``x`` in ``bins`` equal-width bins over ``range`` (default: min to max), and edges."""
    x = _t(x)
    if x.ndim != 1:
        raise ValueError(f"histogram: `x` must be 1-D. Received: x.shape={tuple(x.shape)}")
    if not isinstance(bins, int) or bins < 1:
        raise ValueError(f"histogram: `bins` must be a positive int. Received: bins={bins!r}")
    out = torch.histogram(x, bins=bins, range=None if range is None else tuple(float(r) for r in range))
    return out.hist, out.bin_edges


def argpartition(x: Any, kth: int, axis: int = -1) -> Tensor:
    """Indices that partition ``x`` around its ``kth`` smallest entry (int32).

    The order inside each side is the one Keras's torch backend produces: the ``kth + 1`` smallest
    in ascending order, then the rest in ascending index order.
    """
    x = _t(x, dtype="int32")
    if axis is None:
        x, axis, restore = x.reshape(-1), 0, False
    else:
        restore = True
    x = torch.transpose(x, axis, -1)
    n = x.shape[-1]
    if not 0 <= kth < n:
        raise ValueError(f"argpartition: `kth` must be in [0, {n}). Received: kth={kth}")
    bottom = torch.topk(-x, kth + 1).indices
    proxy = torch.ones_like(x).scatter(-1, bottom, 0)
    top = torch.topk(proxy, n - kth - 1).indices
    out = torch.cat([bottom, top], dim=-1)
    return (torch.transpose(out, -1, axis) if restore else out).to(torch.int32)


# ---------------------------------------------------------------- correlation and integration

def corrcoef(x: Any) -> Tensor:
    x = _t(x)
    if x.dtype == torch.bool:
        x = x.to(config.to_torch_dtype(config.floatx()))
    elif x.dtype == torch.int64:
        x = x.to(torch.float64)
    return torch.corrcoef(x)


def correlate(x1: Any, x2: Any, mode: str = "valid") -> Tensor:
    """NumPy's 1-D cross-correlation with modes ``valid``, ``same`` and ``full``."""
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"correlate: `mode` must be 'valid', 'same' or 'full'. Received: mode={mode!r}")
    a, b = _t(x1), _t(x2)
    dtype = result_type(a.dtype, b.dtype)
    if dtype == torch.int64:
        dtype = torch.float64
    elif dtype not in (torch.bfloat16, torch.float16, torch.float64):
        dtype = torch.float32
    a, b = a.to(dtype), b.to(a.device, dtype)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"correlate: both inputs must be 1-D. Received shapes {tuple(a.shape)} and {tuple(b.shape)}")
    n, m = a.shape[0], b.shape[0]
    full = torch.nn.functional.conv1d(a.reshape(1, 1, n), b.reshape(1, 1, m), padding=m - 1).reshape(-1)
    if mode == "valid":
        length = builtins.max(n, m) - builtins.min(n, m) + 1
        start = (full.shape[0] - length) // 2
        return full[start:start + length]
    if mode == "same":
        start = (full.shape[0] - n) // 2
        return full[start:start + n]
    return full


def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> Tensor:
    y = _t(y)
    if y.dtype == torch.bool:
        y = y.to(config.to_torch_dtype(config.floatx()))
    if x is not None:
        return torch.trapezoid(y, x=_t(x, device=y.device), dim=axis)
    return torch.trapezoid(y, dx=_t(dx, device=y.device) if isinstance(dx, Tensor) else dx, dim=axis)


_ = (math, _reduce_each)  # shared helper imports kept for the section's siblings
wrap_public_ops(globals())
