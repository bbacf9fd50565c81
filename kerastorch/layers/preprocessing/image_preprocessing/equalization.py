"""``Equalization``: histogram equalization per channel (the histogram spans the whole batch, as in Keras).

Values are binned on the 0-255 scale into ``bins`` bins; each value is mapped through the
rounded, normalised cumulative histogram. A channel whose histogram has at most one filled bin
is left as it is. Applied only while training, as Keras 3.15 does.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    check_value_range,
    compute_dtype_of,
)

Tensor = torch.Tensor


class Equalization(BaseImagePreprocessingLayer):
    def __init__(self, value_range: Any = (0, 255), bins: int = 256, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.bins = bins
        self.value_range = check_value_range(self, value_range)

    @staticmethod
    def _rescale(values: Tensor, source: Any, target: Any) -> Tensor:
        scale = (target[1] - target[0]) / (source[1] - source[0])
        return values * scale + (target[0] - source[0] * scale)

    def _equalize_channel(self, channel: Tensor) -> Tensor:
        channel = self._rescale(channel, self.value_range, (0, 255))
        scaled = (channel.to(torch.float32) - 0.0) * (self.bins - 1) / 255.0
        indices = scaled.to(torch.int32).clamp(0, self.bins - 1).reshape(-1)
        hist = torch.bincount(indices, minlength=self.bins)
        cdf = torch.cumsum(hist, 0)
        # The first non-zero cdf entry, found without a host sync (the cdf is non-decreasing).
        cdf_min = torch.where(cdf > 0, cdf, cdf[-1]).min()
        denominator = cdf[-1] - cdf_min
        denominator = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
        table = torch.clamp(torch.round((cdf - cdf_min) * 255 / denominator), 0, 255)
        lookup = torch.clamp((channel / 255.0) * (self.bins - 1), 0, self.bins - 1).to(torch.int64)
        equalized = table[lookup].to(channel.dtype)
        equalized = torch.where(torch.count_nonzero(hist) <= 1, channel, equalized)
        return self._rescale(equalized, (0, 255), self.value_range)

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        images = as_images(images)
        if not training:
            return images
        dtype = compute_dtype_of(self)
        images = images.to(dtype)
        axis = -3 if self.data_format == "channels_first" else -1
        channels = [self._equalize_channel(c) for c in images.unbind(axis)]
        return torch.stack(channels, dim=axis).to(dtype)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}
