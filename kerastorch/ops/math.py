"""``keras.ops.math``: top-k, log-sum-exp, error functions and segment reductions."""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.ops.core import convert_to_tensor, wrap_public_ops
from kerastorch.ops.numpy import _float

Tensor = torch.Tensor


def top_k(x: Any, k: int, sorted: bool = True) -> tuple[Tensor, Tensor]:  # noqa: A002 - Keras name
    """The ``k`` largest entries along the last axis and their int32 indices."""
    values, indices = torch.topk(convert_to_tensor(x), k, dim=-1, largest=True, sorted=sorted)
    return values, indices.to(torch.int32)


def in_top_k(targets: Any, predictions: Any, k: int) -> Tensor:
    """Whether each target's score is among the ``k`` best (ties count as inside, as in Keras)."""
    predictions = convert_to_tensor(predictions)
    targets = convert_to_tensor(targets, device=predictions.device).long().reshape(-1, 1)
    kth_best = torch.topk(predictions, k, dim=-1).values[:, -1:]
    return torch.any(torch.take_along_dim(predictions, targets, dim=-1) >= kth_best, dim=1)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _float(x)
    if axis is None:
        axis = tuple(range(x.ndim))
    return torch.logsumexp(x, dim=axis, keepdim=keepdims)


def erf(x: Any) -> Tensor:
    return torch.erf(_float(x))


def erfinv(x: Any) -> Tensor:
    return torch.erfinv(_float(x))


def rsqrt(x: Any) -> Tensor:
    return torch.rsqrt(_float(x))


def _segments(data: Any, segment_ids: Any, num_segments: int | None) -> tuple[Tensor, Tensor, int]:
    data = convert_to_tensor(data)
    ids = convert_to_tensor(segment_ids, device=data.device).long()
    n = int(ids.max().item()) + 1 if num_segments is None else int(num_segments)
    return data, ids, n


def segment_sum(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> Tensor:  # noqa: A002 - Keras name
    data, ids, n = _segments(data, segment_ids, num_segments)
    out = torch.zeros((n,) + tuple(data.shape[1:]), dtype=data.dtype, device=data.device)
    return out.index_add_(0, ids, data)


def segment_max(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> Tensor:  # noqa: A002 - Keras name
    data, ids, n = _segments(data, segment_ids, num_segments)
    out = torch.zeros((n,) + tuple(data.shape[1:]), dtype=data.dtype, device=data.device)
    index = ids.reshape((-1,) + (1,) * (data.ndim - 1)).expand_as(data)
    return out.scatter_reduce_(0, index, data, reduce="amax", include_self=False)


wrap_public_ops(globals())
