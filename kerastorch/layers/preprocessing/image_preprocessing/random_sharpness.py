"""``RandomSharpness``: blend each image with a 3x3 smoothed copy; ``2 * factor`` below 1 blurs, above sharpens."""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from kerastorch.layers.preprocessing.image_preprocessing._color import batch_size_of, draw_factor
from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    check_value_range,
    compute_dtype_of,
)
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class RandomSharpness(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any, value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.value_range = check_value_range(self, value_range)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        images = self._images_of(data)
        return {"factor": draw_factor(self, images, (batch_size_of(images),), seed)}

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        dtype = compute_dtype_of(self)
        images = as_images(images).to(dtype)
        if not training:
            return images
        single = images.ndim == 3
        x = images.unsqueeze(0) if single else images
        last = self.data_format == "channels_last"
        x = x.permute(0, 3, 1, 2) if last else x
        sharpness = (as_images(transformation["factor"]).to(device=x.device, dtype=dtype) * 2).reshape(-1, 1, 1, 1)
        channels = x.shape[1]
        a, b = 1.0 / 13.0, 5.0 / 13.0
        kernel = torch.tensor([[a, a, a], [a, b, a], [a, a, a]], dtype=dtype, device=x.device)
        smoothed = F.conv2d(x, kernel.expand(channels, 1, 3, 3), padding=1, groups=channels)  # "same", zero padded
        x = (x + (1.0 - sharpness) * (smoothed - x)).clamp(self.value_range[0], self.value_range[1])
        x = x.permute(0, 2, 3, 1) if last else x
        return x.squeeze(0) if single else x

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
