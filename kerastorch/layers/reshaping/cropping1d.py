"""``Cropping1D``: crop the steps axis of ``(batch, steps, features)`` by ``(before, after)``."""
from __future__ import annotations

from kerastorch.layers.reshaping.base_cropping import BaseCropping


class Cropping1D(BaseCropping):
    def __init__(self, cropping=(1, 1), **kwargs):
        kwargs.pop("data_format", None)  # 1D cropping is always (batch, steps, features)
        super().__init__(1, cropping, data_format="channels_last", **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("data_format")
        return config
