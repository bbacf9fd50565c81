"""``Softmax`` over ``axis`` (an int or a list of axes), with Keras's masking.

With a mask, masked positions get a large negative logit (``-1e9``; ``-3e4``
for half precision) and a zero output. A per-timestep mask (one dimension
fewer than the inputs) is broadcast over the last axis.
"""
from __future__ import annotations

import torch

from kerastorch.layers.layer import Layer


def large_negative_number(dtype: torch.dtype) -> float:
    return -3e4 if dtype in (torch.float16, torch.bfloat16) else -1e9


class Softmax(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = [int(a) for a in axis] if isinstance(axis, (list, tuple)) else int(axis)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        x = inputs if inputs.is_floating_point() else inputs.float()
        if mask is not None:
            m = mask.to(x.dtype)
            if m.ndim == x.ndim - 1:
                m = m.unsqueeze(-1)
            x = x + (1.0 - m) * large_negative_number(x.dtype)
        if isinstance(self.axis, list) and len(self.axis) > 1:
            out = torch.exp(x - torch.logsumexp(x, dim=self.axis, keepdim=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, list) else self.axis
            out = torch.softmax(x, dim=axis)
        if mask is not None:
            out = out * m
        return out

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
