"""``ops.numpy`` elementwise basics: arithmetic, rounding, exp/log/trig, comparison and logic.

Binary operators take their operands through ``_helpers._binary``/``_tensors`` (Python scalars
stay weak, as in Keras); where Keras's result dtype differs from torch's (``divide_no_nan``,
``floor_divide``, ``maximum``/``minimum``, rounding) it is taken from ``_helpers.result_type``.
Float math on integers and booleans computes in floatx; torch's refusals of bool arithmetic
(``subtract``, ``mod``, ``square``, ``clip``) are answered by casting the bool side first.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch._core import config
from kerastorch.ops.core import wrap_public_ops
from kerastorch.ops.numpy._helpers import Tensor, _binary, _float, _t, _tensors
from kerastorch.ops.numpy._helpers import result_type as _result_type

__all__ = [
    "abs", "absolute", "add", "ceil", "clip", "cos", "divide", "divide_no_nan", "equal", "exp",
    "expm1", "floor", "floor_divide", "greater", "greater_equal", "isfinite", "isinf", "isnan",
    "less", "less_equal", "log", "log10", "log1p", "log2", "logical_and", "logical_not",
    "logical_or", "logical_xor", "maximum", "minimum", "mod", "multiply", "nan_to_num", "negative",
    "not_equal", "power", "reciprocal", "round", "sign", "sin", "sqrt", "square", "subtract", "tan",
    "tanh", "true_divide", "where",
]


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


wrap_public_ops(globals())
