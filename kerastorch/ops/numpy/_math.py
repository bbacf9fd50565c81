"""``ops.numpy`` elementwise math beyond the basics: inverse trig, hyperbolic, bitwise, float tricks.

Dtype rules are Keras's torch backend's: unary float math on integers yields floatx (int64 gives
float64 where Keras says so), bitwise ops stay on integers, binary float ops promote with
Keras's lattice plus a weak ``float``.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch._core import config
from kerastorch.ops.core import wrap_public_ops
from kerastorch.ops.numpy._helpers import (
    Tensor,
    _cast,
    _is_int,
    _t,
    _tensors,
    result_type,
)

__all__ = [
    "allclose",
    "angle",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "cbrt",
    "conj",
    "conjugate",
    "cosh",
    "deg2rad",
    "exp2",
    "fabs",
    "fmax",
    "fmin",
    "fmod",
    "gcd",
    "heaviside",
    "hypot",
    "i0",
    "imag",
    "isclose",
    "isneginf",
    "isposinf",
    "isreal",
    "lcm",
    "ldexp",
    "left_shift",
    "logaddexp",
    "logaddexp2",
    "nextafter",
    "rad2deg",
    "real",
    "right_shift",
    "signbit",
    "sinc",
    "sinh",
    "trunc",
]

_FLOATX_INTS = (torch.int8, torch.int16, torch.int32, torch.uint8, torch.uint16, torch.uint32)


def _floatx() -> torch.dtype:
    return config.to_torch_dtype(config.floatx())


# ---------------------------------------------------------------- unary float math

def arccos(x: Any) -> Tensor:
    return torch.arccos(_t(x))


def arccosh(x: Any) -> Tensor:
    return torch.arccosh(_t(x))


def arcsin(x: Any) -> Tensor:
    return torch.arcsin(_t(x))


def arcsinh(x: Any) -> Tensor:
    return torch.arcsinh(_t(x))


def arctan(x: Any) -> Tensor:
    return torch.arctan(_t(x))


def arctanh(x: Any) -> Tensor:
    return torch.arctanh(_t(x))


def cosh(x: Any) -> Tensor:
    return torch.cosh(_t(x))


def sinh(x: Any) -> Tensor:
    return torch.sinh(_t(x))


def sinc(x: Any) -> Tensor:
    return torch.sinc(_t(x))


def exp2(x: Any) -> Tensor:
    x = _t(x)
    return torch.exp2(x if x.is_floating_point() or x.is_complex() else x.to(_floatx()))


def fabs(x: Any) -> Tensor:
    x = _t(x)
    return torch.abs(x if x.is_floating_point() or x.is_complex() else x.to(_floatx()))


def cbrt(x: Any) -> Tensor:
    x = _t(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    elif x.dtype == torch.int64:
        x = x.to(torch.float64)
    return torch.sign(x) * torch.abs(x) ** (1.0 / 3.0)


def deg2rad(x: Any) -> Tensor:
    x = _t(x)
    return torch.deg2rad(x.to(torch.float64) if x.dtype == torch.int64 else x)


def rad2deg(x: Any) -> Tensor:
    x = _t(x)
    return torch.rad2deg(x.to(torch.float64) if x.dtype == torch.int64 else x)


def i0(x: Any) -> Tensor:
    """The modified Bessel function of the first kind, order 0."""
    x = _t(x)
    if x.dtype in (torch.int64, torch.float64):
        dtype = torch.float64
    elif x.dtype in (torch.bfloat16, torch.float16):
        dtype = x.dtype
    else:
        dtype = _floatx()
    return torch.i0(_cast(x, dtype))


def trunc(x: Any) -> Tensor:
    x = _t(x)
    return x if x.dtype == torch.bool or _is_int(x) else torch.trunc(x)


def signbit(x: Any) -> Tensor:
    return torch.signbit(_t(x))


def isneginf(x: Any) -> Tensor:
    return torch.isneginf(_t(x))


def isposinf(x: Any) -> Tensor:
    return torch.isposinf(_t(x))


def isreal(x: Any) -> Tensor:
    return torch.isreal(_t(x))


# ---------------------------------------------------------------- complex parts

def _complex_ok(x: Any) -> Tensor:
    # NumPy complex arrays must keep their complex dtype (convert_to_tensor would keep it too).
    return _t(x)


def angle(x: Any) -> Tensor:
    x = _t(x)
    return torch.angle(x)


def real(x: Any) -> Tensor:
    return torch.real(_complex_ok(x))


def imag(x: Any) -> Tensor:
    return torch.imag(_complex_ok(x))


def conjugate(x: Any) -> Tensor:
    return torch.conj(_complex_ok(x)).resolve_conj()


conj = conjugate


# ---------------------------------------------------------------- binary float math

def _float_pair(x1: Any, x2: Any, *, int_to_float: bool) -> tuple[Tensor, Tensor, torch.dtype]:
    a, b = _t(x1), _t(x2)
    b = b.to(a.device)
    if int_to_float:
        dtype = result_type(a.dtype, b.dtype, float)
    else:
        dtype = result_type(a.dtype, b.dtype)
        if dtype in _FLOATX_INTS:
            dtype = _floatx()
        elif dtype == torch.int64:
            dtype = torch.float64
    return _cast(a, dtype), _cast(b, dtype), dtype


def arctan2(x1: Any, x2: Any) -> Tensor:
    a, b, dtype = _float_pair(x1, x2, int_to_float=True)
    if dtype == torch.float16:  # no half kernel on CPU
        return torch.arctan2(a.float(), b.float()).to(dtype)
    return torch.arctan2(a, b)


def hypot(x1: Any, x2: Any) -> Tensor:
    a, b, _ = _float_pair(x1, x2, int_to_float=False)
    return torch.hypot(a, b)


def heaviside(x1: Any, x2: Any) -> Tensor:
    a, b, _ = _float_pair(x1, x2, int_to_float=False)
    return torch.heaviside(a, b)


def logaddexp(x1: Any, x2: Any) -> Tensor:
    a, b, dtype = _float_pair(x1, x2, int_to_float=True)
    if dtype == torch.float16:
        return torch.logaddexp(a.float(), b.float()).to(dtype)
    return torch.logaddexp(a, b)


def logaddexp2(x1: Any, x2: Any) -> Tensor:
    a, b, _ = _float_pair(x1, x2, int_to_float=True)
    return torch.logaddexp2(a, b)


def nextafter(x1: Any, x2: Any) -> Tensor:
    a, b = _t(x1), _t(x2)
    dtype = result_type(a.dtype, b.dtype, float)
    # computed in float64 and cast back, as Keras does
    return torch.nextafter(a.to(torch.float64), b.to(a.device, torch.float64)).to(dtype)


def ldexp(x1: Any, x2: Any) -> Tensor:
    a, b = _t(x1), _t(x2)
    if not _is_int(b):
        raise TypeError(f"ldexp: the exponent `x2` must have an integer dtype. Received: x2.dtype={b.dtype}")
    dtype = result_type(a.dtype, b.dtype, float)
    return torch.ldexp(a, b.to(a.device)).to(dtype)


def fmod(x1: Any, x2: Any) -> Tensor:
    a, b = _t(x1), _t(x2)
    if a.dtype == torch.bool and b.dtype == torch.bool:
        a, b = a.to(torch.int32), b.to(torch.int32)
    return torch.fmod(a, b.to(a.device))


def _minmax_operands(x1: Any, x2: Any) -> tuple[Tensor, Tensor]:
    dtype = result_type(x1 if isinstance(x1, (int, float)) else _t(x1),
                        x2 if isinstance(x2, (int, float)) else _t(x2))
    a = _t(x1, dtype=dtype)
    return a, _t(x2, dtype=dtype, device=a.device)


def fmax(x1: Any, x2: Any) -> Tensor:
    """Elementwise maximum that ignores NaNs (a NaN only where both are NaN)."""
    return torch.fmax(*_minmax_operands(x1, x2))


def fmin(x1: Any, x2: Any) -> Tensor:
    return torch.fmin(*_minmax_operands(x1, x2))


def _close_operands(x1: Any, x2: Any) -> tuple[Tensor, Tensor]:
    a, b = _t(x1), _t(x2)
    dtype = result_type(a.dtype, b.dtype)
    return _cast(a, dtype), _cast(b.to(a.device), dtype)


def isclose(x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    a, b = _close_operands(x1, x2)
    if a.is_floating_point():
        return torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return torch.eq(a, b)


def allclose(x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    return torch.all(isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


# ---------------------------------------------------------------- integer math

def gcd(x1: Any, x2: Any) -> Tensor:
    return torch.gcd(*_tensors(x1, x2))


def lcm(x1: Any, x2: Any) -> Tensor:
    return torch.lcm(*_tensors(x1, x2))


def _check_integer(op: str, **tensors: Tensor) -> None:
    for name, t in tensors.items():
        if t.is_floating_point() or t.is_complex():
            raise TypeError(f"{op}: `{name}` must have an integer or bool dtype. Received: {name}.dtype={t.dtype}")


def bitwise_and(x: Any, y: Any) -> Tensor:
    a, b = _tensors(x, y)
    _check_integer("bitwise_and", x=a, y=b)
    return torch.bitwise_and(a, b)


def bitwise_or(x: Any, y: Any) -> Tensor:
    a, b = _tensors(x, y)
    _check_integer("bitwise_or", x=a, y=b)
    return torch.bitwise_or(a, b)


def bitwise_xor(x: Any, y: Any) -> Tensor:
    a, b = _tensors(x, y)
    _check_integer("bitwise_xor", x=a, y=b)
    return torch.bitwise_xor(a, b)


def bitwise_invert(x: Any) -> Tensor:
    x = _t(x)
    _check_integer("bitwise_invert", x=x)
    return torch.bitwise_not(x)


bitwise_not = bitwise_invert


def bitwise_left_shift(x: Any, y: Any) -> Tensor:
    x = _t(x)
    _check_integer("bitwise_left_shift", x=x)
    return torch.bitwise_left_shift(x, y if isinstance(y, int) else _t(y, device=x.device))


left_shift = bitwise_left_shift


def bitwise_right_shift(x: Any, y: Any) -> Tensor:
    x = _t(x)
    _check_integer("bitwise_right_shift", x=x)
    return torch.bitwise_right_shift(x, y if isinstance(y, int) else _t(y, device=x.device))


right_shift = bitwise_right_shift


wrap_public_ops(globals())
