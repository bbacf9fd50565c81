"""``AveragePooling3D``: 3D average (over valid elements only for "same" padding) pooling."""
from __future__ import annotations

from kerastorch.layers.pooling.base_pooling import BasePooling


class AveragePooling3D(BasePooling):
    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, 3, pool_mode="average", padding=padding, data_format=data_format,
                         name=name, **kwargs)
