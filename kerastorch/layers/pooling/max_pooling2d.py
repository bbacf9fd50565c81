"""``MaxPooling2D``: 2D maximum pooling."""
from __future__ import annotations

from kerastorch.layers.pooling.base_pooling import BasePooling


class MaxPooling2D(BasePooling):
    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, 2, pool_mode="max", padding=padding, data_format=data_format,
                         **kwargs)
