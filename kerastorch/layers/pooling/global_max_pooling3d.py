"""``GlobalMaxPooling3D``: maximum over the spatial axes of 3D (channels_last or channels_first) inputs."""
from __future__ import annotations

import torch

from kerastorch.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling3D(BaseGlobalPooling):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return self._check(inputs).amax(dim=self._spatial_axes, keepdim=self.keepdims)
