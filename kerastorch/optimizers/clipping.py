"""Keras's gradient clipping (``clipnorm``, ``global_clipnorm``, ``clipvalue``) on groups of gradients.

Gradients arrive grouped by device/dtype (see ``Optimizer._make_plan``); each rule uses torch's
foreach kernels, one call per group.
"""
from __future__ import annotations

from typing import Union

import torch

# The gradients of one (device, dtype) group: a list, or the tuple torch's foreach kernels return.
Tensors = Union[list[torch.Tensor], tuple[torch.Tensor, ...]]
Groups = list[Tensors]


def clip_gradients(group_grads: Groups, clipnorm: float | None, global_clipnorm: float | None,
                   clipvalue: float | None) -> Groups:
    """Apply the first of Keras's clipping rules that is set (Keras allows only one)."""
    if clipnorm and clipnorm > 0:
        out: Groups = []
        for gg in group_grads:
            norms = torch._foreach_norm(gg)
            # g * clipnorm / max(norm, clipnorm)  (Keras's `_clip_by_norm`)
            factors = torch._foreach_div(torch._foreach_clamp_min(norms, clipnorm), clipnorm)
            out.append(torch._foreach_div(gg, factors))
        return out
    if global_clipnorm and global_clipnorm > 0:
        device = group_grads[0][0].device
        group_norms = [torch.stack(torch._foreach_norm(gg)).to(device=device, dtype=torch.float32)
                       for gg in group_grads]
        norm = torch.linalg.vector_norm(torch.cat(group_norms))
        # clip * min(1/norm, 1/clip), NaN/inf norms propagate (Keras's `clip_by_global_norm`).
        scale = global_clipnorm * torch.clamp(1.0 / norm, max=1.0 / global_clipnorm)
        scale = scale + (norm - norm)
        return [torch._foreach_mul(gg, scale.to(device=gg[0].device, dtype=gg[0].dtype)) for gg in group_grads]
    if clipvalue and clipvalue > 0:
        return [torch._foreach_clamp_max(torch._foreach_clamp_min(gg, -clipvalue), clipvalue) for gg in group_grads]
    return group_grads
