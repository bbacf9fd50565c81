"""``AdaptiveMaxPooling3D``: max pooling of 3D inputs to a fixed ``output_size``."""
from __future__ import annotations

from kerastorch.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """Max pooling to ``output_size`` (an int, or 3 ints) over 5D inputs."""
    _rank = 3
    _mode = "max"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, data_format=data_format, **kwargs)
