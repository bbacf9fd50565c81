"""``RandomContrast``: scale each image's deviation from its per-channel mean by a random factor.

``contrast_factor`` is drawn per image from ``[1 - lower, 1 + upper]``; results are clipped to
``value_range``. Segmentation masks and labels pass through.
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


class RandomContrast(BaseImagePreprocessingLayer):
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        images = self._images_of(data)
        if images.ndim == 3:
            shape: tuple = (1, 1, 1)
        elif images.ndim == 4:
            shape = (images.shape[0], 1, 1, 1)  # one factor per image
        else:
            raise ValueError(f"Expected the input image to be rank 3 or 4. Received inputs.shape={tuple(images.shape)}")
        dtype = compute_dtype_of(self)
        if not training:
            return {"contrast_factor": torch.zeros(shape, dtype=dtype, device=images.device)}
        factor = uniform(shape, 1.0 - self.factor[0], 1.0 + self.factor[1], self._generator_seed(seed),
                         images.device, dtype=dtype)
        return {"contrast_factor": factor}

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
        images = as_images(images)
        if not training:
            return images
        factor = as_images(transformation["contrast_factor"]).to(images.device)
        h_axis, w_axis = self._axes()
        mean = images.mean(dim=h_axis, keepdim=True).mean(dim=w_axis, keepdim=True)
        out = (images - mean) * factor + mean
        return out.clamp(self.value_range[0], self.value_range[1])

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
