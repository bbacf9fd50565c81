"""``Identity``: returns its inputs unchanged (masks pass through)."""
from __future__ import annotations

from kerastorch.layers.layer import Layer


class Identity(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs
