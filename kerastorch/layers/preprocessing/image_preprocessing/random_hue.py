"""``RandomHue``: rotate the HSV hue of each image by a random amount (either direction).

Per image: a sign (uniform > 0.5 means negative) and a magnitude from ``factor`` (in [0, 1]);
the hue moves by ``sign * magnitude / 2`` of a full turn, wrapped into [0, 1].
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing._color import batch_size_of, draw_factor
from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    compute_dtype_of,
    uniform,
)
from kerastorch.ops import image as image_ops
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class RandomHue(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any, value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        images = self._images_of(data)
        batch_size = batch_size_of(images, colon=False)
        seed = self._generator_seed(seed)
        invert = uniform((batch_size,), 0.0, 1.0, seed, images.device)
        invert = torch.where(invert > 0.5, -torch.ones_like(invert), torch.ones_like(invert))
        factor = draw_factor(self, images, (batch_size,), seed)
        return {"factor": invert * factor * 0.5}

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        images = as_images(images)
        if not training:
            return images
        dtype = compute_dtype_of(self)
        images = self._transform_value_range(images.to(dtype), self.value_range, (0, 1))
        shift = as_images(transformation["factor"]).to(device=images.device, dtype=images.dtype)
        shift = shift.reshape(tuple(shift.shape) + (1, 1)) if images.ndim == 4 else shift.reshape(1, 1)
        hsv = image_ops.rgb_to_hsv(images, data_format=self.data_format)
        channel_axis = -3 if self.data_format == "channels_first" else -1
        hue, saturation, value = hsv.unbind(channel_axis)
        hue = hue + shift
        hue = torch.where(hue > 1.0, hue - 1.0, hue)
        hue = torch.where(hue < 0.0, hue + 1.0, hue)
        images = image_ops.hsv_to_rgb(torch.stack([hue, saturation, value], dim=channel_axis),
                                      data_format=self.data_format)
        images = self._transform_value_range(images.clamp(0, 1), (0, 1), self.value_range)
        return images.to(dtype)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
