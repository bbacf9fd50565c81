"""``RepeatVector``: ``(batch, features)`` -> ``(batch, n, features)``."""
from __future__ import annotations

import torch

import kerastorch.layers.spatial_utils as spatial_utils
from kerastorch.layers.layer import Layer


class RepeatVector(Layer):
    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise TypeError(f"Expected an integer value for `n` (> 0). Received: n={n!r}")
        self.n = n

    def build(self, input_shape) -> None:
        spatial_utils.check_ndim(self, input_shape, 2)
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.ndim != 2:
            spatial_utils.check_ndim(self, tuple(inputs.shape), 2)
        # A real copy (not a broadcast view), so later in-place ops on the output stay legal.
        return inputs.unsqueeze(1).expand(-1, self.n, -1).contiguous()

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}
