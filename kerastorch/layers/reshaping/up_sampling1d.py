"""``UpSampling1D``: repeat each step ``size`` times.

``(batch, steps, features)`` -> ``(batch, steps * size, features)``.
"""
from __future__ import annotations

import torch

import kerastorch.layers.reshaping.reshaping_utils as reshaping_utils
import kerastorch.layers.spatial_utils as spatial_utils
from kerastorch.layers.layer import Layer


class UpSampling1D(Layer):
    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = spatial_utils.standardize_tuple(size, 1, "size")[0]

    def build(self, input_shape) -> None:
        spatial_utils.check_ndim(self, input_shape, 3)
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.ndim != 3:
            spatial_utils.check_ndim(self, tuple(inputs.shape), 3)
        return reshaping_utils.repeat_axes(inputs, (1,), (self.size,))

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}
