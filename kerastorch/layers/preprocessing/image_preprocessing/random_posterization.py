"""``RandomPosterization``: keep only the top ``bits`` bits of each 8-bit value (``bits`` drawn per image).

``factor`` is the bit count range within [1, 8]; values are mapped to 0-255 from
``value_range``, truncated to uint8, shifted right and back left, then mapped back.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    check_value_range,
    compute_dtype_of,
    randint,
)
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class RandomPosterization(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (1, 8)
    _MAX_FACTOR = 8

    def __init__(self, factor: Any, value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = check_value_range(self, value_range)
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        images = self._images_of(data)
        if images.ndim not in (3, 4):
            raise ValueError("Expected the input image to be rank 3 or 4. Received: "
                             f"inputs.shape={tuple(images.shape)}")
        batch_size = images.shape[0] if images.ndim == 4 else 1
        if self.factor[0] != self.factor[1]:
            bits = randint((batch_size,), self.factor[0], self.factor[1], self._generator_seed(seed), images.device,
                           dtype=torch.uint8)
        else:
            bits = torch.full((batch_size,), int(self.factor[0]), dtype=torch.uint8, device=images.device)
        return {"shift_factor": self._MAX_FACTOR - bits}

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        images = as_images(images)
        if not training:
            return images
        dtype = compute_dtype_of(self)
        shift = as_images(transformation["shift_factor"]).to(images.device)
        shift = shift.reshape(tuple(shift.shape) + (1, 1, 1))
        values = self._transform_value_range(images, self.value_range, (0, 255), dtype=dtype).to(dtype)
        values = values.to(torch.uint8)
        values = torch.bitwise_left_shift(torch.bitwise_right_shift(values, shift), shift)
        return self._transform_value_range(values.to(dtype), (0, 255), self.value_range, dtype=dtype)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
