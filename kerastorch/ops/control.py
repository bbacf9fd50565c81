"""``keras.ops`` core extras: scans, ``switch``, ``custom_gradient`` and ``saturate_cast``.

Kept apart from ``ops/core.py`` (the tensor converter's home) and re-exported from there, so
``ops.core`` and the flat ``ops`` namespace carry them as Keras's do. Everything runs eagerly,
so the loops are plain Python loops over the leading (or given) axis.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from kerastorch._core import config, tree
from kerastorch.ops.core import convert_to_tensor, wrap_public_ops

Tensor = torch.Tensor


def saturate_cast(x: Any, dtype: Any) -> Tensor:
    """Cast with values clipped to the target dtype's range first (no wrap-around, inf saturates)."""
    x = convert_to_tensor(x)
    target = config.to_torch_dtype(dtype)

    def limits(dt: torch.dtype) -> tuple[float, float]:
        if dt == torch.bool:
            return 0, 1
        info = torch.finfo(dt) if dt.is_floating_point else torch.iinfo(dt)
        return info.min, info.max

    (in_lo, in_hi), (out_lo, out_hi) = limits(x.dtype), limits(target)
    np_in = np.dtype(config.dtype_name(x.dtype)) if x.dtype != torch.bfloat16 else np.dtype("float32")
    lo, hi = np.asarray(max(in_lo, out_lo)).astype(np_in), np.asarray(min(in_hi, out_hi)).astype(np_in)
    # the bound may round outside the target range in the input dtype; step back inside it
    if lo < out_lo:
        lo = np.nextafter(lo, np.asarray(0, dtype=np_in))
    if hi > out_hi:
        hi = np.nextafter(hi, np.asarray(0, dtype=np_in))
    if x.dtype == torch.bool:
        return x.to(target)
    return torch.clamp(x, lo.item(), hi.item()).to(target)


def switch(index: Any, branches: list[Callable], *operands: Any) -> Any:
    """Call ``branches[index](*operands)``; out-of-range indices clamp to the first/last branch."""
    if not branches:
        raise ValueError("switch: `branches` must not be empty.")
    i = int(convert_to_tensor(index, dtype="int32").item())
    return branches[min(max(i, 0), len(branches) - 1)](*operands)


def scan(f: Callable, init: Any, xs: Any = None, length: int | None = None, reverse: bool = False,
         unroll: Any = 1) -> tuple[Any, Any]:
    """``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns the final carry and stacked ys."""
    if not callable(f):
        raise TypeError(f"scan: `f` must be callable. Received: f={f!r}")
    if not isinstance(unroll, bool) and (not isinstance(unroll, int) or unroll < 1):
        raise ValueError(f"scan: `unroll` must be a positive int or a bool. Received: unroll={unroll!r}")
    if xs is None and length is None:
        raise ValueError("scan: pass `xs` to scan over or a `length`. Received neither.")
    xs_flat = [] if xs is None else [convert_to_tensor(v) for v in tree.flatten(xs)]
    n = int(length) if length is not None else int(xs_flat[0].shape[0])
    init_flat = [convert_to_tensor(v) for v in tree.flatten(init)]
    carry = tree.pack_sequence_as(init, init_flat) if tree.is_nested(init) else init_flat[0]
    ys = []
    steps = range(n - 1, -1, -1) if reverse else range(n)
    for i in steps:
        x = None
        if xs_flat:
            parts = [v[i] for v in xs_flat]
            x = tree.pack_sequence_as(xs, parts) if tree.is_nested(xs) else parts[0]
        carry, y = f(carry, x)
        ys.append(y if y is not None else [torch.zeros_like(v) for v in init_flat])
    if reverse:
        ys.reverse()
    if not ys:
        return carry, None
    flat_ys = [tree.flatten(y) for y in ys]
    stacked = [torch.stack([convert_to_tensor(step[j]) for step in flat_ys]) for j in range(len(flat_ys[0]))]
    return carry, tree.pack_sequence_as(ys[0], stacked) if tree.is_nested(ys[0]) else stacked[0]


def associative_scan(f: Callable, elems: Any, reverse: bool = False, axis: int = 0) -> Any:
    """Inclusive scan with the associative ``f`` along ``axis`` (so ``add`` gives ``cumsum``)."""
    if not callable(f):
        raise TypeError(f"associative_scan: `f` must be callable. Received: f={f!r}")
    flat = [convert_to_tensor(e) for e in tree.flatten(elems)]
    n = int(flat[0].shape[axis])
    if any(int(e.shape[axis]) != n for e in flat[1:]):
        raise ValueError("associative_scan: all inputs must have the same size along `axis`. Received shapes "
                         f"{[tuple(e.shape) for e in flat]}")
    if reverse:
        flat = [torch.flip(e, (axis,)) for e in flat]

    def pack(parts: list[Tensor]) -> Any:
        return tree.pack_sequence_as(elems, parts) if tree.is_nested(elems) else parts[0]

    outputs = [[e.select(axis, 0)] for e in flat]
    running = [e.select(axis, 0) for e in flat]
    for i in range(1, n):
        step = f(pack(running), pack([e.select(axis, i) for e in flat]))
        running = [convert_to_tensor(v) for v in tree.flatten(step)]
        for out, value in zip(outputs, running):
            out.append(value)
    result = [torch.stack(out, dim=axis) for out in outputs]
    if reverse:
        result = [torch.flip(r, (axis,)) for r in result]
    return pack(result)


class _CustomGradient(torch.autograd.Function):
    """Runs ``forward_fn`` (which returns ``(output, grad_fn)``) and calls ``grad_fn`` on backward."""

    @staticmethod
    def forward(ctx: Any, forward_fn: Callable, *args: Any) -> Any:
        ctx.save_for_backward(*args)
        output, ctx.grad_fn = forward_fn(*args)
        return output

    @staticmethod
    def backward(ctx: Any, upstream: Tensor) -> tuple:
        grads = ctx.grad_fn(*ctx.saved_tensors, upstream=upstream)
        return (None,) + (grads if isinstance(grads, tuple) else (grads,))


def custom_gradient(f: Callable) -> Callable:
    """Decorator: ``f(*args)`` returns ``(output, grad)``; ``grad(*args, upstream=g)`` gives input grads.

    As with Keras on torch, ``grad`` receives the upstream gradient as the ``upstream`` keyword.
    """
    def wrapper(*args: Any) -> Any:
        return _CustomGradient.apply(f, *args)

    wrapper.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapper.__doc__ = f.__doc__
    return wrapper


# Only saturate_cast is data-in/data-out; the callable-taking ops run eagerly on what they get.
wrap_public_ops(globals(), exclude=("switch", "scan", "associative_scan", "custom_gradient"))
