"""``RandomElasticTransform``: distort some images with smoothed random displacement fields.

Per image: whether to distort (probability drawn from ``factor``); per call: a distortion
factor from ``scale`` giving ``alpha = 0.1 f max(H, W)`` and ``sigma = 0.05 f min(H, W)``.
The displacement noise itself is drawn from torch's global generator, exactly as Keras 3.15
does on torch (its ``elastic_transform`` ignores the seed there), so ``keras.utils.set_random_seed``
makes it reproducible and the same global seed gives Keras's numbers.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    compute_dtype_of,
    uniform,
)
from kerastorch.layers.preprocessing.image_preprocessing.random_erasing import named_factor
from kerastorch.ops import image as image_ops
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class RandomElasticTransform(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)
    _SUPPORTED_INTERPOLATION = ("nearest", "bilinear")
    _SUPPORTED_FILL_MODES = {"constant", "nearest", "wrap", "mirror", "reflect"}

    def __init__(self, factor: Any = 1.0, scale: Any = 1.0, interpolation: str = "bilinear",
                 fill_mode: str = "reflect", fill_value: float = 0.0, value_range: Any = (0, 255),
                 seed: int | None = None, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.scale = named_factor(self, scale, "scale")
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)
        if interpolation not in self._SUPPORTED_INTERPOLATION:
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                      f"{self._SUPPORTED_INTERPOLATION}.")
        if fill_mode not in self._SUPPORTED_FILL_MODES:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                      f"{self._SUPPORTED_FILL_MODES}.")

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training or self.scale[1] == 0 or self.factor[1] == 0:
            return None
        images = self._images_of(data)
        batch_size = 1 if images.ndim == 3 else int(images.shape[0])
        seed = self._generator_seed(seed)
        device = images.device
        probability = uniform((batch_size,), self.factor[0], self.factor[1], seed, device)
        threshold = uniform((batch_size,), 0.0, 1.0, seed, device)
        distortion = uniform((), self.scale[0], self.scale[1], seed, device, compute_dtype_of(self))
        return {"apply_transform": threshold < probability, "distortion_factor": distortion, "seed": seed}

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        if transformation is None:
            return images
        height, width = self._height_width(images.shape)
        factor = float(transformation["distortion_factor"])
        alpha = max(height, width) * (0.1 * factor)
        sigma = min(height, width) * (0.05 * factor)
        distorted = image_ops.elastic_transform(images, alpha=alpha, sigma=sigma, interpolation=interpolation,
                                                fill_mode=self.fill_mode, fill_value=self.fill_value,
                                                data_format=self.data_format)
        apply = torch.as_tensor(transformation["apply_transform"]).to(images.device)
        apply = apply.view(-1, 1, 1) if images.ndim == 3 else apply.view(-1, 1, 1, 1)
        images = torch.where(apply, distorted, images).clamp(self.value_range[0], self.value_range[1])
        return images.to(compute_dtype_of(self))

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "value_range": self.value_range, "seed": self.seed}
