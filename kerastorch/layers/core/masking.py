"""``Masking``: mark timesteps whose features all equal ``mask_value`` as padding.

Output: ``inputs * any(inputs != mask_value, axis=-1)``; output mask:
``any(inputs != mask_value, axis=-1)``.
"""
from __future__ import annotations

from kerastorch.layers.layer import Layer


class Masking(Layer):
    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def call(self, inputs):
        keep = (inputs != self.mask_value).any(dim=-1, keepdim=True)
        return inputs * keep.to(inputs.dtype)

    def compute_mask(self, inputs, mask=None):
        return (inputs != self.mask_value).any(dim=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
