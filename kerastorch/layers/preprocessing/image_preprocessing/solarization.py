"""``Solarization``: add a random offset, then invert every pixel above a random threshold.

Computed on the 0-255 scale (``value_range`` is mapped there and back); ``addition_factor``
and ``threshold_factor`` are fractions of 255 (a number ``f`` means ``(0, f)``).
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
    uniform,
)
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class Solarization(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_VALIDATION_ERROR = ("The `addition_factor` and `threshold_factor` arguments should be a number (or a "
                                "list of two numbers) in the range [0, 1]. ")

    def __init__(self, addition_factor: Any = 0.0, threshold_factor: Any = 0.0, value_range: Any = (0, 255),
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.addition_factor = self._factor(addition_factor, "addition_factor")
        self.threshold_factor = self._factor(threshold_factor, "threshold_factor")
        self.value_range = check_value_range(self, value_range)

    def _factor(self, factor: Any, name: str) -> tuple:
        def check(value: Any) -> None:
            if value > 1.0 or value < 0:
                raise ValueError(self._FACTOR_VALIDATION_ERROR + f"Received: input_number={value}")

        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(self._FACTOR_VALIDATION_ERROR + f"Received: {name}={factor}")
            check(factor[0])
            check(factor[1])
            lower, upper = sorted(factor)
            return lower, upper
        if isinstance(factor, (int, float)) and not isinstance(factor, bool):
            check(factor)
            return 0, factor
        raise ValueError(self._FACTOR_VALIDATION_ERROR + f"Received: {name}={factor}")

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training:
            return None
        images = self._images_of(data)
        shape = (images.shape[0], 1, 1, 1) if images.ndim == 4 else (1, 1, 1)
        seed = self._generator_seed(seed)
        dtype = compute_dtype_of(self)
        # Keras scales only the upper bound by 255 (kept as is, for identical draws).
        additions = uniform(shape, self.addition_factor[0], self.addition_factor[1] * 255, seed, images.device, dtype)
        thresholds = uniform(shape, self.threshold_factor[0], self.threshold_factor[1] * 255, seed, images.device,
                             dtype)
        return {"additions": additions, "thresholds": thresholds}

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
        dtype = compute_dtype_of(self)
        images = as_images(images).to(dtype)
        if not training or transformation is None:
            return images
        thresholds = as_images(transformation["thresholds"]).to(images.device)
        additions = as_images(transformation["additions"]).to(images.device)
        scaled = self._transform_value_range(images, self.value_range, (0, 255), dtype=dtype)
        results = (scaled + additions).clamp(0, 255)
        results = torch.where(results < thresholds, results, 255 - results)
        results = self._transform_value_range(results, (0, 255), self.value_range, dtype=dtype)
        return cast_back(results, images.dtype)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range, "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor, "seed": self.seed}
