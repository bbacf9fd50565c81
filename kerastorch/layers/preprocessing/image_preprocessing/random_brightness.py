"""``RandomBrightness``: add one random offset per image, a fraction of ``value_range``'s width.

``factor`` in [-1, 1] (a number ``f`` means ``(-|f|, |f|)``); results are clipped to
``value_range``. Labels and segmentation masks pass through.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    uniform,
)
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class RandomBrightness(BaseImagePreprocessingLayer):
    _VALUE_RANGE_VALIDATION_ERROR = "The `value_range` argument should be a list of two numbers. "

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(factor=factor, **kwargs)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(self._VALUE_RANGE_VALIDATION_ERROR + f"Received: value_range={value_range}")
        self.value_range = sorted(value_range)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        images = self._images_of(data)
        if images.ndim == 3:
            shape: tuple = (1, 1, 1)
        elif images.ndim == 4:
            shape = (images.shape[0], 1, 1, 1)
        else:
            raise ValueError(f"Expected the input image to be rank 3 or 4. Received inputs.shape={tuple(images.shape)}")
        if not training:
            return {"rgb_delta": torch.zeros(shape, device=images.device)}
        delta = uniform(shape, self.factor[0], self.factor[1], self._generator_seed(seed), images.device)
        return {"rgb_delta": delta * (self.value_range[1] - self.value_range[0])}

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
        images = as_images(images)
        if not training:
            return images
        delta = as_images(transformation["rgb_delta"]).to(device=images.device, dtype=images.dtype)
        return (images + delta).clamp(self.value_range[0], self.value_range[1])

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
