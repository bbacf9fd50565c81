"""``UpSampling2D``: scale rows/cols by integer factors.

``interpolation="nearest"`` repeats rows and columns; ``"bilinear"``/``"bicubic"`` resize
with half-pixel centers and no antialiasing (``F.interpolate(align_corners=False)``),
as Keras's ``ops.image.resize`` does.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

import kerastorch.layers.reshaping.reshaping_utils as reshaping_utils
import kerastorch.layers.spatial_utils as spatial_utils
from kerastorch.backend.config import standardize_data_format
from kerastorch.layers.layer import Layer

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic")


class UpSampling2D(Layer):
    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = spatial_utils.standardize_tuple(size, 2, "size")
        self.data_format = standardize_data_format(data_format)
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in _INTERPOLATIONS:
            raise ValueError(f"`interpolation` must be one of {list(_INTERPOLATIONS)}. "
                             f"Received: interpolation={interpolation!r}")
        self._axes = reshaping_utils.spatial_axes(self.data_format, 2)

    def build(self, input_shape) -> None:
        spatial_utils.check_ndim(self, input_shape, 4)
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.ndim != 4:
            spatial_utils.check_ndim(self, tuple(inputs.shape), 4)
        if self.interpolation == "nearest":
            return reshaping_utils.repeat_axes(inputs, self._axes, self.size)
        x = inputs if inputs.is_floating_point() else inputs.float()
        channels_last = self.data_format == "channels_last"
        if channels_last:
            x = spatial_utils.to_channels_first(x)
        out_size = (x.shape[2] * self.size[0], x.shape[3] * self.size[1])
        y = F.interpolate(x, size=out_size, mode=self.interpolation, align_corners=False)
        return spatial_utils.to_channels_last(y) if channels_last else y

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
