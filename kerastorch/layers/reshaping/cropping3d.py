"""``Cropping3D``: crop the three spatial axes (int, 3 ints, or 3 ``(before, after)`` pairs)."""
from __future__ import annotations

from kerastorch.layers.reshaping.base_cropping import BaseCropping


class Cropping3D(BaseCropping):
    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, cropping, data_format=data_format, **kwargs)
