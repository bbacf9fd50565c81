"""``AdaptiveAveragePooling2D``: average pooling of 2D inputs to a fixed ``output_size``."""
from __future__ import annotations

from kerastorch.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Average pooling to ``output_size`` (an int, or 2 ints) over 4D inputs."""
    _rank = 2
    _mode = "average"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, data_format=data_format, **kwargs)
