"""``Resizing``: resize a batch to ``(height, width)`` with Keras's interpolation names.

Deterministic, so it resizes in training and inference alike. ``crop_to_aspect_ratio`` /
``pad_to_aspect_ratio`` avoid distortion (centre crop, or ``fill_value`` bands);
``kerastorch.ops.image.resize`` does the work. Integer images come back in their dtype
(rounded, saturated), as in Keras.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
)
from kerastorch.ops import image as image_ops
from kerastorch.ops.control import saturate_cast

Tensor = torch.Tensor


class Resizing(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False

    def __init__(self, height: int, width: int, interpolation: str = "bilinear", crop_to_aspect_ratio: bool = False,
                 pad_to_aspect_ratio: bool = False, fill_mode: str = "constant", fill_value: float = 0.0,
                 antialias: bool = False, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        resized = image_ops.resize(images, size=(self.height, self.width), interpolation=interpolation,
                                   antialias=self.antialias, data_format=self.data_format,
                                   crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                                   pad_to_aspect_ratio=self.pad_to_aspect_ratio, fill_mode=self.fill_mode,
                                   fill_value=self.fill_value)
        if resized.dtype == images.dtype:
            return resized
        if not images.dtype.is_floating_point:
            resized = torch.round(resized)
        return saturate_cast(resized, images.dtype)

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        # Resizing is not an augmentation: inference resizes too.
        return self._transform_images(as_images(images), transformation, self.interpolation)

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any = None,
                                     training: bool = True) -> Tensor:
        return self._transform_images(as_images(segmentation_masks), transformation, "nearest")

    def transform_labels(self, labels: Any, transformation: Any = None, training: bool = True) -> Any:
        return labels

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        return self._height_width(self._images_of(data).shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = list(input_shape)
        h_axis, w_axis = self._axes()
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation, "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}

