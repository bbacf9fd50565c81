"""Core ``keras.ops``: tensor conversion, casting, shapes, slicing and control flow.

Every other op module funnels its inputs through :func:`convert_to_tensor`, so the
Keras dtype rules for Python values live here in one place: Python floats become
``floatx()``, Python ints become int32, NumPy arrays keep their dtype.
"""
from __future__ import annotations

import builtins
import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from kerastorch._core import config

Tensor = torch.Tensor
_PY_SCALARS = (bool, int, float)


def _symbolic_arg(value: Any) -> Any:
    """A symbolic tensor (the functional API's KerasTensor) in ``value`` or one level inside it."""
    if isinstance(value, Tensor):
        return None
    if isinstance(value, (list, tuple)):
        return next((v for v in value if not isinstance(v, Tensor)
                     and hasattr(type(v), "__torch_function__")), None)
    return value if hasattr(type(value), "__torch_function__") else None


def symbolic_op(fn: Callable) -> Callable:
    """Let ``fn`` accept KerasTensors: then the call is recorded as a functional-graph node.

    Symbolic tensors implement ``__torch_function__``; handing them the whole op (instead of
    converting them, which is impossible) records it exactly like a torch function applied to
    them, so ``keras.ops.concatenate([x, y])`` works while building a functional model.
    """
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not kwargs and len(args) == 1 and type(args[0]) is torch.Tensor:
            return fn(args[0])  # the common eager case, without scanning for symbolic tensors
        for value in args:
            symbolic = _symbolic_arg(value)
            if symbolic is not None:
                return type(symbolic).__torch_function__(fn, (type(symbolic),), args, kwargs)
        for value in kwargs.values():
            symbolic = _symbolic_arg(value)
            if symbolic is not None:
                return type(symbolic).__torch_function__(fn, (type(symbolic),), args, kwargs)
        return fn(*args, **kwargs)

    wrapper.__wrapped_op__ = fn
    return wrapper


def wrap_public_ops(namespace: dict, exclude: Sequence[str] = ()) -> None:
    """Apply :func:`symbolic_op` to every public function defined in a module's ``namespace``.

    Aliases (``absolute = abs``) keep pointing at one shared wrapper.
    """
    wrapped: dict[int, Callable] = {}
    module = namespace["__name__"]
    # A section module (``ops.numpy._math``) is private: its ops say the namespace they are public in,
    # which is what a serialized function config names.
    parts = module.split(".")
    while parts[-1].startswith("_"):
        parts.pop()
    public_module = ".".join(parts)
    for name, value in list(namespace.items()):
        if name.startswith("_") or name in exclude or not callable(value) or isinstance(value, type):
            continue
        if getattr(value, "__module__", None) != module or hasattr(value, "__wrapped_op__"):
            continue
        if id(value) not in wrapped:
            wrapped[id(value)] = symbolic_op(value)
            wrapped[id(value)].__module__ = public_module
        namespace[name] = wrapped[id(value)]


def _infer_dtype(x: Any) -> torch.dtype | None:
    """The Keras default dtype for a Python value, or None to keep NumPy's."""
    if isinstance(x, bool):
        return torch.bool
    if isinstance(x, int):
        # Keras's int32 default, widened only when the value would not fit
        return torch.int32 if -2**31 <= x < 2**31 else torch.int64
    if isinstance(x, float):
        return config.to_torch_dtype(config.floatx())
    if isinstance(x, complex):
        return torch.complex64
    return None


def _list_dtype(x: Sequence, arr: np.ndarray) -> torch.dtype | None:
    # Nested Python numbers follow the Python-scalar rules; lists of NumPy values keep NumPy's dtype.
    if any(isinstance(item, (np.ndarray, np.generic)) for item in x):
        return None
    if arr.dtype == np.float64:
        return config.to_torch_dtype(config.floatx())
    if arr.dtype == np.int64:
        return torch.int32
    return None


def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None,
                      ragged: bool | None = None, device: Any = None) -> Tensor:
    """Turn ``x`` (tensor, NumPy array, Python scalar or nested list) into a torch tensor.

    Tensors pass through untouched unless ``dtype`` asks for a cast or ``device`` (an
    extension of Keras's signature, used to line an operand up with another) names a
    different device. New tensors go to ``device`` or, by default,
    ``backend.config.get_device()`` like Keras's torch backend.
    """
    if isinstance(x, Tensor):
        if device is not None and x.device != torch.device(device):
            x = x.to(device)
        if dtype is None:
            return x
        target = config.to_torch_dtype(dtype)
        return x if x.dtype == target else x.to(target)
    target = None if dtype is None else config.to_torch_dtype(dtype)
    device = config.get_device() if device is None else device
    if isinstance(x, (list, tuple)) and x and any(isinstance(item, Tensor) for item in x):
        parts = [convert_to_tensor(item, dtype=dtype, device=device) for item in x]
        return torch.stack(parts)
    if target is None:
        target = _infer_dtype(x)
    if target is not None and isinstance(x, (_PY_SCALARS, complex)):
        return torch.tensor(x, dtype=target, device=device)
    value = getattr(x, "value", None)
    if isinstance(value, Tensor):  # variable-like wrappers expose their tensor as `.value`
        return convert_to_tensor(value, dtype=dtype, device=device)
    arr = np.asarray(x)
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise TypeError(f"Cannot convert {type(x).__name__} of dtype {arr.dtype} to a tensor. "
                        "Expected numbers, booleans or arrays of them.")
    if target is None and isinstance(x, (list, tuple)):
        target = _list_dtype(x, arr)
    if arr.dtype == np.uint32:  # torch has no full uint32 support
        arr = arr.astype(np.int64)
    if not arr.flags.writeable or builtins.any(s < 0 for s in arr.strides):
        arr = np.array(arr)  # torch refuses negative strides and warns on read-only memory
    return torch.as_tensor(arr, dtype=target, device=device)


def convert_to_numpy(x: Any) -> np.ndarray:
    """A NumPy copy of ``x`` (detached from autograd, moved to the CPU)."""
    if isinstance(x, Tensor):
        x = x.detach()
        if x.dtype == torch.bfloat16:  # NumPy has no bfloat16
            x = x.float()
        return x.cpu().numpy()
    return np.asarray(x)


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def cast(x: Any, dtype: Any) -> Tensor:
    return convert_to_tensor(x).to(config.to_torch_dtype(dtype))


def dtype(x: Any) -> str:
    """The Keras name of ``x``'s dtype, e.g. ``"float32"``."""
    return config.dtype_name(convert_to_tensor(x).dtype)


def shape(x: Any) -> tuple:
    """The static shape of ``x`` as a tuple of Python ints (None where unknown)."""
    if hasattr(x, "shape"):
        return tuple(x.shape)
    return tuple(convert_to_tensor(x).shape)


def stop_gradient(variable: Any) -> Tensor:
    return convert_to_tensor(variable).detach()


def _as_int_list(values: Any) -> list[int]:
    if isinstance(values, Tensor):
        return [int(v) for v in values.reshape(-1).tolist()]
    return [int(v) for v in values]


def slice(inputs: Any, start_indices: Any, shape: Any) -> Tensor:
    """``inputs[start[0]:start[0]+shape[0], ...]`` like ``keras.ops.slice``."""
    x = convert_to_tensor(inputs)
    starts, sizes = _as_int_list(start_indices), _as_int_list(shape)
    index = tuple(builtins.slice(s, s + n) for s, n in zip(starts, sizes))
    return x[index]


def slice_update(inputs: Any, start_indices: Any, updates: Any) -> Tensor:
    """A copy of ``inputs`` with the block at ``start_indices`` replaced by ``updates``."""
    x = convert_to_tensor(inputs).clone()
    updates = convert_to_tensor(updates).to(dtype=x.dtype, device=x.device)
    starts = _as_int_list(start_indices)
    index = tuple(builtins.slice(s, s + n) for s, n in zip(starts, updates.shape))
    x[index] = updates
    return x


def scatter(indices: Any, values: Any, shape: Any) -> Tensor:
    """A zeros tensor of ``shape`` with ``values`` added at ``indices`` (duplicates accumulate)."""
    values = convert_to_tensor(values)
    idx = convert_to_tensor(indices).long().to(values.device)
    out = torch.zeros(tuple(_as_int_list(shape)), dtype=values.dtype, device=values.device)
    out.index_put_(tuple(idx.unbind(-1)), values, accumulate=True)
    return out


def scatter_update(inputs: Any, indices: Any, updates: Any, reduction: str | None = None) -> Tensor:
    """A copy of ``inputs`` with ``updates`` written at ``indices`` (last write wins).

    ``reduction`` ("add", "max", "min", "mul") combines each update with the value already there.
    """
    x = convert_to_tensor(inputs).clone()
    idx = convert_to_tensor(indices).long().to(x.device)
    updates = convert_to_tensor(updates).to(dtype=x.dtype, device=x.device)
    where = tuple(idx.unbind(-1))
    if reduction is None:
        x[where] = updates
    elif reduction == "add":
        x.index_put_(where, updates, accumulate=True)
    elif reduction in ("max", "min", "mul"):
        combine = {"max": torch.maximum, "min": torch.minimum, "mul": torch.mul}[reduction]
        for row, update in zip(idx, updates):  # sequential, so repeated indices compound
            at = tuple(row.tolist())
            x[at] = combine(x[at], update)
    else:
        raise ValueError("scatter_update: `reduction` must be None, 'add', 'max', 'min' or 'mul'. "
                         f"Received: reduction={reduction!r}")
    return x


def unstack(x: Any, num: int | None = None, axis: int = 0) -> list[Tensor]:
    return list(torch.unbind(convert_to_tensor(x), dim=axis))


def cond(pred: Any, true_fn: Callable, false_fn: Callable) -> Any:
    """Eager ``if``: everything runs eagerly here, so this is plain Python control flow."""
    return true_fn() if bool(pred) else false_fn()


def while_loop(cond: Callable, body: Callable, loop_vars: Any, maximum_iterations: int | None = None) -> Any:
    is_tuple = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if is_tuple else (loop_vars,)
    step = 0
    while bool(cond(*state)) and (maximum_iterations is None or step < maximum_iterations):
        state = body(*state)
        state = tuple(state) if is_tuple else (state,)
        step += 1
    return state if is_tuple else state[0]


def fori_loop(lower: int, upper: int, body_fun: Callable, init_val: Any) -> Any:
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


def map(f: Callable, xs: Any) -> Any:
    """Apply ``f`` to each slice of ``xs`` along axis 0 and stack the results."""
    return torch.stack([f(item) for item in convert_to_tensor(xs)])


def vectorized_map(function: Callable, elements: Any) -> Any:
    if isinstance(elements, (list, tuple)):
        rows = zip(*[convert_to_tensor(e) for e in elements])
        return torch.stack([function(type(elements)(row)) for row in rows])
    return map(function, elements)


# Conversion, introspection and control flow must see symbolic tensors as they are.
wrap_public_ops(globals(), exclude=(
    "convert_to_tensor", "convert_to_numpy", "is_tensor", "dtype", "shape", "symbolic_op",
    "wrap_public_ops", "cond", "while_loop", "fori_loop", "map", "vectorized_map",
))

# Scans, switch, custom_gradient and saturate_cast live in ops/control.py; ops.core carries them as Keras's does.
from kerastorch.ops.control import (  # noqa: E402, F401 - after the wrapping above, which must not rewrap them
    associative_scan,
    custom_gradient,
    saturate_cast,
    scan,
    switch,
)
