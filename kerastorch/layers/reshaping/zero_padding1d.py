"""``ZeroPadding1D``: zero-pad the steps axis by ``padding`` (int or ``(before, after)``)."""
from __future__ import annotations

from kerastorch.layers.reshaping.base_zero_padding import BaseZeroPadding


class ZeroPadding1D(BaseZeroPadding):
    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(1, padding, data_format=data_format, **kwargs)
