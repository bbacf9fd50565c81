"""``UnitNormalization``: scale each sample to unit L2 norm over ``axis``."""
from __future__ import annotations

import torch

from kerastorch.layers.layer import Layer


class UnitNormalization(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = [int(a) for a in axis]
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                            f"Received: axis={axis}")
        self.supports_masking = True

    def call(self, inputs):
        x = inputs if inputs.is_floating_point() else inputs.float()
        square_sum = x.square().sum(dim=self.axis, keepdim=True)
        return x * torch.rsqrt(square_sum.clamp_min(1e-12))

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
