"""``RandomPerspective``: move the four image corners by random offsets and warp accordingly.

Per image: whether to warp (probability drawn from ``factor``) and corner offsets, a fraction
``U[-scale/2, scale/2)`` of each corner's own coordinates; ``kerastorch.ops.image.perspective_transform``
does the resampling with ``fill_value`` outside.
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
from kerastorch.ops import image as image_ops
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class RandomPerspective(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)
    _SUPPORTED_INTERPOLATION = ("nearest", "bilinear")

    def __init__(self, factor: Any = 1.0, scale: float = 1.0, interpolation: str = "bilinear",
                 fill_value: float = 0.0, seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.scale = scale
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed
        self.generator = SeedGenerator(seed)
        if scale < 0.0 or scale > 1.0:
            raise ValueError(f"The `scale` argument should be a number in the range [0,1]. Received: scale={scale}")
        if interpolation not in self._SUPPORTED_INTERPOLATION:
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                      f"{self._SUPPORTED_INTERPOLATION}.")

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training:
            return None
        images = self._images_of(data)
        batch_size = 1 if images.ndim == 3 else int(images.shape[0])
        height, width = self._height_width(images.shape)
        seed = self._generator_seed(seed)
        dtype, device = compute_dtype_of(self), images.device
        probability = uniform((batch_size,), self.factor[0], self.factor[1], seed, device)
        threshold = uniform((batch_size,), 0.0, 1.0, seed, device)
        offsets = uniform((batch_size, 4, 2), -0.5 * self.scale, 0.5 * self.scale, seed, device, dtype)
        corners = torch.tensor([[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]],
                               dtype=dtype, device=device)
        start = corners.unsqueeze(0).repeat(batch_size, 1, 1)
        return {"apply_perspective": threshold < probability, "start_points": start,
                "end_points": start + start * offsets, "input_shape": tuple(images.shape)}

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        if transformation is None:
            return images
        single = images.ndim == 3
        if single:
            images = images.unsqueeze(0)
        start = as_images(transformation["start_points"]).to(images.device)
        end = as_images(transformation["end_points"]).to(images.device)
        warped = image_ops.perspective_transform(images, start, end, interpolation=interpolation,
                                                 fill_value=self.fill_value, data_format=self.data_format)
        apply = as_images(transformation["apply_perspective"]).to(images.device).view(-1, 1, 1, 1)
        out = torch.where(apply, warped, images)
        return out.squeeze(0) if single else out

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value, "seed": self.seed}
