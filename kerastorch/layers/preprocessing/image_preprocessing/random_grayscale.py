"""``RandomGrayscale``: turn each image grey (all channels equal) with probability ``factor``."""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    uniform,
)
from kerastorch.ops import image as image_ops
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class RandomGrayscale(BaseImagePreprocessingLayer):
    def __init__(self, factor: float = 0.5, data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        if factor < 0 or factor > 1:
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor}")
        self.factor = factor
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        images = self._images_of(data)
        batch_size = images.shape[0] if images.ndim == 4 else 1
        values = uniform((batch_size,), 0, 1, self._generator_seed(seed), images.device)
        return (values < self.factor).view(batch_size, 1, 1, 1)

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
        images = as_images(images)
        if not training:
            return images
        should_apply = transformation if transformation is not None else self.get_random_transformation(images)
        should_apply = as_images(should_apply).to(images.device)
        if images.ndim == 3:
            should_apply = should_apply.reshape(1, 1, 1)
        grey = image_ops.rgb_to_grayscale(images, data_format=self.data_format)
        return torch.where(should_apply, grey, images)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any = None,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}
