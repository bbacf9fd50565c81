"""``keras.ops.rearrange``: einops-style axis rearrangement as reshape -> permute -> reshape.

Supported pattern grammar (Keras's): named axes and parenthesised groups on either side,
e.g. ``"b (h w) c -> b h w c"`` with ``h=...`` given; one axis per input group may be inferred.
"""
from __future__ import annotations

import math
import re
from typing import Any

import torch

from kerastorch.ops.core import convert_to_tensor, wrap_public_ops

Tensor = torch.Tensor
_TOKEN = re.compile(r"\w+|\([\w\s]*\)")


def _groups(side: str) -> list[list[str]]:
    tokens = _TOKEN.findall(side)
    if "".join(t.replace(" ", "") for t in tokens) != side.replace(" ", ""):
        raise ValueError(f"rearrange: cannot parse pattern side {side!r}. Use names and (grouped names) only.")
    return [t[1:-1].split() if t.startswith("(") else [t] for t in tokens]


def rearrange(tensor: Any, pattern: str, **axes_lengths: int) -> Tensor:
    """Reorder, split and merge axes of ``tensor`` as ``pattern`` (``"in -> out"``) says."""
    x = convert_to_tensor(tensor)
    if pattern.count("->") != 1:
        raise ValueError(f"rearrange: `pattern` must contain exactly one '->'. Received: pattern={pattern!r}")
    left, right = (_groups(side) for side in pattern.split("->"))
    if len(left) != x.ndim:
        raise ValueError(f"rearrange: the pattern's input side has {len(left)} axes but the tensor has rank "
                         f"{x.ndim} (shape {tuple(x.shape)}).")
    sizes = dict(axes_lengths)
    for group, dim in zip(left, x.shape):
        unknown = [a for a in group if a not in sizes]
        if len(unknown) > 1:
            raise ValueError(f"rearrange: cannot infer the sizes of {unknown} in group {group}; pass them as "
                             "keyword arguments.")
        known = math.prod(sizes[a] for a in group if a in sizes)
        if unknown:
            sizes[unknown[0]] = dim // known
        elif len(group) == 1:
            sizes[group[0]] = dim
    flat_in = [a for g in left for a in g]
    flat_out = [a for g in right for a in g]
    if sorted(flat_in) != sorted(flat_out):
        raise ValueError(f"rearrange: both sides must name the same axes. Received {flat_in} -> {flat_out}")
    x = x.reshape([sizes[a] for a in flat_in])
    x = x.permute([flat_in.index(a) for a in flat_out])
    return x.reshape([math.prod(sizes[a] for a in g) for g in right])


wrap_public_ops(globals())
