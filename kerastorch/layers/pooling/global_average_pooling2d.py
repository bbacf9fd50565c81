"""``GlobalAveragePooling2D``: mean over the spatial axes of 2D (channels_last or channels_first) inputs."""
from __future__ import annotations

import torch

from kerastorch.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling2D(BaseGlobalPooling):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return self._check(inputs).mean(dim=self._spatial_axes, keepdim=self.keepdims)
