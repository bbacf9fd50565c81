"""``Cropping2D``: crop rows/cols by an int, ``(sym_h, sym_w)`` or ``((top, bottom), (left, right))``."""
from __future__ import annotations

from kerastorch.layers.reshaping.base_cropping import BaseCropping


class Cropping2D(BaseCropping):
    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(2, cropping, data_format=data_format, **kwargs)
