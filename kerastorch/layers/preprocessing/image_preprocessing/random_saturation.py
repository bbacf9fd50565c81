"""``RandomSaturation``: scale the HSV saturation of each image by a random factor.

A draw ``f`` becomes the multiplier ``f / (1 - f + epsilon)`` (0.5 keeps the image, 1 is
fully saturated, 0 greyscale), as in Keras.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.backend import config
from kerastorch.layers.preprocessing.image_preprocessing._color import batch_size_of, draw_factor
from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    check_value_range,
    compute_dtype_of,
)
from kerastorch.ops import image as image_ops
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class RandomSaturation(BaseImagePreprocessingLayer):
    def __init__(self, factor: Any, value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.value_range = check_value_range(self, value_range)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        images = self._images_of(data)
        factor = draw_factor(self, images, (batch_size_of(images, colon=True),), seed)
        return {"factor": factor / (1 - factor + config.epsilon())}

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        images = as_images(images)
        if not training:
            return images
        factor = as_images(transformation["factor"]).to(device=images.device, dtype=compute_dtype_of(self))
        factor = factor.reshape(tuple(factor.shape) + (1, 1))
        hsv = image_ops.rgb_to_hsv(images, data_format=self.data_format)
        channel_axis = -3 if self.data_format == "channels_first" else -1
        hue, saturation, value = hsv.unbind(channel_axis)
        if images.ndim == 3:
            factor = factor.reshape(1, 1)
        saturation = (saturation * factor).clamp(self.value_range[0], self.value_range[1])
        return image_ops.hsv_to_rgb(torch.stack([hue, saturation, value], dim=channel_axis),
                                    data_format=self.data_format)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
