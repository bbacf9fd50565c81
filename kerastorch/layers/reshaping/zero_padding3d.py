"""``ZeroPadding3D``: zero-pad the three spatial axes (int, 3 ints, or 3 ``(before, after)`` pairs)."""
from __future__ import annotations

from kerastorch.layers.reshaping.base_zero_padding import BaseZeroPadding


class ZeroPadding3D(BaseZeroPadding):
    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, padding, data_format=data_format, **kwargs)
