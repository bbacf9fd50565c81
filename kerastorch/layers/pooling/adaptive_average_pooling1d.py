"""``AdaptiveAveragePooling1D``: average pooling of 1D inputs to a fixed ``output_size``."""
from __future__ import annotations

from kerastorch.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Average pooling to ``output_size`` (an int, or 1 ints) over 3D inputs."""
    _rank = 1
    _mode = "average"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, data_format=data_format, **kwargs)
