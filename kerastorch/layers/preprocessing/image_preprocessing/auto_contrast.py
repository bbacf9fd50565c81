"""``AutoContrast``: stretch each image's channels so their min maps to 0 and max to 255 (deterministic).

Works on the 0-255 scale (``value_range`` mapped there and back); a constant channel (0/0)
keeps its original values.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    cast_back,
    check_value_range,
    compute_dtype_of,
)

Tensor = torch.Tensor


class AutoContrast(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False

    def __init__(self, value_range: Any = (0, 255), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.value_range = check_value_range(self, value_range)

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        original = as_images(images)
        dtype = compute_dtype_of(self)
        values = self._transform_value_range(original, self.value_range, (0, 255), dtype=dtype).to(dtype)
        # Keras reduces over axes 1 and 2 whatever the data format (height and width of a
        # channels-last batch).
        low = torch.amin(values, dim=(1, 2), keepdim=True)
        high = torch.amax(values, dim=(1, 2), keepdim=True)
        scale = 255.0 / (high - low)
        results = (values * scale + (-low * scale)).clamp(0.0, 255.0)
        results = self._transform_value_range(results, (0, 255), self.value_range, dtype=dtype)
        results = torch.where(torch.isnan(results), original.to(results.dtype), results)
        return cast_back(results, values.dtype)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range}
