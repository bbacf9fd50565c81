"""Argument normalization and axis bookkeeping shared by the padding/cropping/upsampling layers."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def normalize_pairs(value, rank: int, name: str) -> tuple[tuple[int, int], ...]:
    """``int`` | ``rank`` ints (symmetric) | ``rank`` pairs -> ``rank`` ``(before, after)`` pairs."""
    def bad():
        return ValueError(f"`{name}` should be an int, a tuple of {rank} ints (symmetric), or a tuple of {rank} "
                          f"tuples of 2 ints ((before, after) per spatial axis). Received: {name}={value!r}")
    if isinstance(value, int) and not isinstance(value, bool):
        pairs = ((value, value),) * rank
    else:
        try:
            items = list(value)
        except TypeError:
            raise bad() from None
        if len(items) != rank:
            raise bad()
        pairs = []
        for item in items:
            if isinstance(item, int) and not isinstance(item, bool):
                pairs.append((item, item))
            else:
                try:
                    pair = tuple(item)
                except TypeError:
                    raise bad() from None
                if len(pair) != 2 or not all(isinstance(p, int) and not isinstance(p, bool) for p in pair):
                    raise bad()
                pairs.append(pair)
        pairs = tuple(pairs)
    if any(p < 0 for pair in pairs for p in pair):
        raise ValueError(f"`{name}` entries must be non-negative. Received: {name}={value!r}")
    return tuple(tuple(pair) for pair in pairs)


def normalize_pair_1d(value, name: str) -> tuple[int, int]:
    """``int`` (symmetric) | ``(before, after)`` for the 1D layers."""
    if isinstance(value, int) and not isinstance(value, bool):
        pair = (value, value)
    else:
        try:
            pair = tuple(value)
        except TypeError:
            pair = ()
        if len(pair) != 2 or not all(isinstance(p, int) and not isinstance(p, bool) for p in pair):
            raise ValueError(f"`{name}` should be an int or a tuple of 2 ints (before, after). "
                             f"Received: {name}={value!r}")
    if min(pair) < 0:
        raise ValueError(f"`{name}` entries must be non-negative. Received: {name}={value!r}")
    return pair


def spatial_axes(data_format: str, rank: int) -> tuple[int, ...]:
    first = 1 if data_format == "channels_last" else 2
    return tuple(range(first, first + rank))


def pad_axes(x: torch.Tensor, axes, pairs, value: float = 0.0) -> torch.Tensor:
    """Pad each axis in ``axes`` by its ``(before, after)`` pair with ``F.pad``."""
    by_axis = dict(zip(axes, pairs))
    flat = []
    for axis in range(x.ndim - 1, min(axes) - 1, -1):
        flat.extend(by_axis.get(axis, (0, 0)))
    return F.pad(x, flat, value=value)


def crop_axes(x: torch.Tensor, axes, pairs) -> torch.Tensor:
    """Slice ``(before, after)`` off each axis in ``axes`` (a view)."""
    for axis, (before, after) in zip(axes, pairs):
        if before or after:
            x = x.narrow(axis, before, x.shape[axis] - before - after)
    return x


def repeat_axes(x: torch.Tensor, axes, factors) -> torch.Tensor:
    """Repeat every element ``factor`` times along each axis in ``axes`` (nearest upsampling), one copy."""
    factor_of = dict(zip(axes, factors))
    view, expanded, final = [], [], []
    for axis, size in enumerate(x.shape):
        f = factor_of.get(axis, 1)
        if f == 1:
            view.append(size)
            expanded.append(size)
        else:
            view += [size, 1]
            expanded += [size, f]
        final.append(size * f)
    return x.reshape(view).expand(expanded).reshape(final)
