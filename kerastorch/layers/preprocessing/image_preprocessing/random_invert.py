"""``RandomInvert``: replace an image by ``value_range[1] - image`` with a random probability.

Per image, a probability is drawn from ``factor``'s range and compared with a uniform
threshold (two draws, as in Keras).
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    compute_dtype_of,
    uniform,
)
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class RandomInvert(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any = 1.0, value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training:
            return None
        images = self._images_of(data)
        if images.ndim not in (3, 4):
            raise ValueError(f"Expected the input image to be rank 3 or 4. Received inputs.shape={tuple(images.shape)}")
        batch_size = images.shape[0] if images.ndim == 4 else 1
        seed = self._generator_seed(seed)
        probability = uniform((batch_size,), self.factor[0], self.factor[1], seed, images.device)
        threshold = uniform((batch_size,), 0, 1, seed, images.device)
        return {"apply_inversion": threshold < probability}

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
        images = as_images(images)
        if not training:
            return images
        images = images.to(compute_dtype_of(self))
        apply = as_images(transformation["apply_inversion"]).to(images.device).view(-1, 1, 1, 1)
        if images.ndim == 3:
            apply = apply.reshape(1, 1, 1)
        return torch.where(apply, self.value_range[1] - images, images)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
