"""``BaseGlobalPooling``: reduce all spatial axes (max or mean), optionally keeping them as size 1."""
from __future__ import annotations

import torch

import kerastorch.layers.spatial_utils as spatial_utils
from kerastorch.backend import config
from kerastorch.layers.layer import Layer


class BaseGlobalPooling(Layer):
    def __init__(self, rank: int, data_format=None, keepdims: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = config.standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        first = 1 if self.data_format == "channels_last" else 2
        self._spatial_axes = tuple(range(first, first + rank))

    def build(self, input_shape) -> None:
        spatial_utils.check_ndim(self, input_shape, self.rank + 2)
        self.built = True

    def _check(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.ndim != self.rank + 2:
            spatial_utils.check_ndim(self, tuple(inputs.shape), self.rank + 2)
        return inputs if inputs.is_floating_point() else inputs.to(config.to_torch_dtype(config.floatx()))

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}
