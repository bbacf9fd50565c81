"""``ELU``: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise."""
from __future__ import annotations

import torch.nn.functional as F

from kerastorch.layers.layer import Layer


class ELU(Layer):
    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)
        self.supports_masking = True

    def call(self, inputs):
        return F.elu(inputs, self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}
