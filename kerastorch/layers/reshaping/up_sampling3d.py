"""``UpSampling3D``: repeat each of the three spatial axes by integer factors (nearest)."""
from __future__ import annotations

import torch

import kerastorch.layers.reshaping.reshaping_utils as reshaping_utils
import kerastorch.layers.spatial_utils as spatial_utils
from kerastorch.backend.config import standardize_data_format
from kerastorch.layers.layer import Layer


class UpSampling3D(Layer):
    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = spatial_utils.standardize_tuple(size, 3, "size")
        self.data_format = standardize_data_format(data_format)
        self._axes = reshaping_utils.spatial_axes(self.data_format, 3)

    def build(self, input_shape) -> None:
        spatial_utils.check_ndim(self, input_shape, 5)
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.ndim != 5:
            spatial_utils.check_ndim(self, tuple(inputs.shape), 5)
        return reshaping_utils.repeat_axes(inputs, self._axes, self.size)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
