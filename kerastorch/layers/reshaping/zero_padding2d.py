"""``ZeroPadding2D``: zero-pad rows/cols by an int, ``(sym_h, sym_w)`` or ``((top, bottom), (left, right))``."""
from __future__ import annotations

from kerastorch.layers.reshaping.base_zero_padding import BaseZeroPadding


class ZeroPadding2D(BaseZeroPadding):
    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(2, padding, data_format=data_format, **kwargs)
