"""Shared helpers of the ``ops.numpy`` sections: operand conversion and Keras's dtype rules.

``result_type`` is Keras's type-promotion lattice (the JAX-like one, with Python ``int`` and
``float`` as weak types and 64-bit results narrowed to 32 bits as Keras does off TensorFlow);
the sections call it where Keras's torch backend casts explicitly instead of relying on
torch's own promotion.
"""
from __future__ import annotations

import builtins
import functools
from typing import Any

import numpy as np
import torch

from kerastorch._core import config
from kerastorch.ops.core import convert_to_tensor

Tensor = torch.Tensor
_PY_SCALARS = (bool, int, float)
_t = convert_to_tensor


# ---------------------------------------------------------------- helpers

def _operand(x: Any, ref: Tensor | None) -> Any:
    """Tensors and Python scalars pass (torch promotes scalars weakly); the rest become tensors."""
    if isinstance(x, int) and not isinstance(x, bool) and ref is not None and ref.dtype == torch.bool:
        # torch would widen bool + int to int64; Keras converts the int to an int32 tensor first
        return _t(x, device=ref.device)
    if isinstance(x, (Tensor,) + _PY_SCALARS):
        return x
    return _t(x, device=None if ref is None else ref.device)


def _binary(x1: Any, x2: Any) -> tuple[Any, Any]:
    """Operands ready for a torch binary operator: at least one tensor, same device."""
    ref = x1 if isinstance(x1, Tensor) else x2 if isinstance(x2, Tensor) else None
    if ref is None:
        x1 = _t(x1)
        ref = x1
    return _operand(x1, ref), _operand(x2, ref)


def _tensors(x1: Any, x2: Any) -> tuple[Tensor, Tensor]:
    """Both operands as tensors, Python scalars taking the dtype torch would promote them to."""
    a, b = _binary(x1, x2)
    if not isinstance(a, Tensor):
        a = torch.tensor(a, dtype=torch.result_type(b, a), device=b.device)
    if not isinstance(b, Tensor):
        b = torch.tensor(b, dtype=torch.result_type(a, b), device=a.device)
    return a, b


def _promoted(*tensors: Tensor) -> list[Tensor]:
    """Tensors cast to one dtype, for torch functions that refuse mixed dtypes."""
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    return [t if t.dtype == dtype else t.to(dtype) for t in tensors]


def _float(x: Any) -> Tensor:
    """``x`` as a tensor, integers and booleans cast to floatx (Keras's rule for float math)."""
    x = _t(x)
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(config.to_torch_dtype(config.floatx()))
    return x


def _axes(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _norm_axis(axis: int, ndim: int) -> int:
    if not -ndim <= axis < builtins.max(ndim, 1):
        raise ValueError(f"axis {axis} is out of bounds for a tensor of rank {ndim}.")
    return axis % builtins.max(ndim, 1)


def _shape_tuple(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(s) for s in shape)


def _reduce_each(fn, x: Tensor, axis: Any, keepdims: bool) -> Tensor:
    """Apply a torch reduction that takes a single ``dim`` over several axes (or all)."""
    if axis is None:
        out = fn(x.reshape(-1), 0)
        return out.reshape((1,) * x.ndim) if keepdims else out
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = sorted((_norm_axis(a, x.ndim) for a in axes), reverse=True)
    for a in axes:
        x = fn(x, a, keepdim=True) if keepdims else fn(x, a)
    return x


def _int_accumulator(x: Tensor) -> torch.dtype | None:
    # Keras keeps int32 (and widens bool/int8/int16/uint8 to int32) where torch would go int64.
    if x.dtype == torch.bool or x.dtype in (torch.int8, torch.int16, torch.uint8):
        return torch.int32
    if x.dtype == torch.int32:
        return torch.int32
    return None


# ---------------------------------------------------------------- Keras's dtype lattice

# Each dtype and the dtypes directly above it; "int"/"float" are the weak Python types.
_LATTICE: dict[str, tuple[str, ...]] = {
    "bool": ("int",), "int": ("uint8", "int8", "complex64"),
    "uint8": ("int16", "uint16"), "uint16": ("int32", "uint32"), "uint32": ("int64", "uint64"),
    "uint64": ("float",), "int8": ("int16",), "int16": ("int32",), "int32": ("int64",),
    "int64": ("float",), "float": ("bfloat16", "float16"), "bfloat16": ("float32",),
    "float16": ("float32",), "float32": ("float64", "complex64"), "float64": ("complex128",),
    "complex64": ("complex128",), "complex128": (),
}
_NARROW_64 = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}


def _upper_bounds() -> dict[str, frozenset[str]]:
    bounds = {}
    for node in _LATTICE:
        seen, todo = {node}, [node]
        while todo:
            for up in _LATTICE[todo.pop()]:
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        bounds[node] = frozenset(seen)
    return bounds


_UPPER = _upper_bounds()


def _dtype_key(value: Any) -> tuple[str, bool]:
    """(Keras dtype name, is-weak) of a dtype, a tensor or a Python type/scalar."""
    if value is None:
        return config.floatx(), False
    if value is bool or isinstance(value, bool):
        return "bool", False
    if value is int or isinstance(value, int):
        return "int32", True
    if value is float or isinstance(value, float):
        return "float32", True
    if isinstance(value, Tensor):
        value = value.dtype
    if isinstance(value, torch.dtype):
        return config.dtype_name(value), False
    if isinstance(value, (np.dtype, np.generic)) or (isinstance(value, type) and issubclass(value, np.generic)):
        return np.dtype(value).name, False
    return str(value), False


@functools.lru_cache(256)
def _join(keys: tuple[tuple[str, bool], ...]) -> str:
    names = {n for n, _ in keys}
    if len(keys) == 1:
        out, weak = keys[0]
    elif len(names) == 1 and not builtins.all(w for _, w in keys):
        out, weak = next(iter(names)), False
    else:
        all_weak = builtins.all(w for _, w in keys)
        nodes = set()
        for name, weak in keys:
            if weak and not all_weak and name != "bool":
                name = "float" if "float" in name else "int" if "int" in name else name
            nodes.add(name)
        common = frozenset.intersection(*(_UPPER[n] for n in nodes))
        least = set(common & nodes) or {c for c in common if common <= _UPPER[c]}
        if len(least) != 1:
            raise ValueError(f"Input dtypes {tuple(names)} have no implicit dtype promotion path. "
                             "Cast the inputs explicitly to one dtype.")
        out = least.pop()
        weak = all_weak or out in ("int", "float")
    if weak and out != "bool":
        bits = config.floatx()[-2:]
        out = "bool" if out == "bool" else f"uint{bits}" if out.startswith("u") else \
            f"int{bits}" if out.startswith("i") else f"float{bits}"
    return _NARROW_64.get(out, out)


def result_type(*values: Any) -> torch.dtype:
    """Keras's promoted dtype of ``values`` (dtypes, tensors, Python types or scalars)."""
    if not values:
        return config.to_torch_dtype(config.floatx())
    return config.to_torch_dtype(_join(tuple(_dtype_key(v) for v in values)))


def _cast(x: Tensor, dtype: torch.dtype) -> Tensor:
    return x if x.dtype == dtype else x.to(dtype)


def _is_int(x: Tensor) -> bool:
    return not (x.is_floating_point() or x.is_complex()) and x.dtype != torch.bool


def _float_of(x: Tensor) -> torch.dtype:
    """Keras's float dtype for float math on ``x``: int64 goes to float64, other ints to floatx."""
    if x.is_floating_point() or x.is_complex():
        return x.dtype
    if x.dtype == torch.int64:
        return torch.float64
    return config.to_torch_dtype(config.floatx())
