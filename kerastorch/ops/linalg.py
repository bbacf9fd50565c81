"""``keras.ops.linalg``: norms and the common matrix decompositions."""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.ops.core import convert_to_tensor, wrap_public_ops
from kerastorch.ops.numpy import _float

Tensor = torch.Tensor


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A002
    """``numpy.linalg.norm`` semantics: vector norms over one axis, matrix norms over two."""
    x = _float(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    return torch.linalg.norm(x, ord=ord, dim=axis, keepdim=keepdims)


def qr(x: Any, mode: str = "reduced") -> tuple[Tensor, Tensor]:
    return tuple(torch.linalg.qr(_float(x), mode=mode))


def inv(x: Any) -> Tensor:
    return torch.linalg.inv(_float(x))


def det(x: Any) -> Tensor:
    return torch.linalg.det(_float(x))


def solve(a: Any, b: Any) -> Tensor:
    a = _float(a)
    return torch.linalg.solve(a, convert_to_tensor(b, device=a.device).to(a.dtype))


def cholesky(x: Any) -> Tensor:
    return torch.linalg.cholesky(_float(x))


wrap_public_ops(globals())
