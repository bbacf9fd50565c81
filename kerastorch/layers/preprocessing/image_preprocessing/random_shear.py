"""``RandomShear``: shear each image along x and/or y by random factors (random sign) while training.

The transformation holds ``shear_factor`` (``(batch, 2)``: x then y); the matrix is
``[1, sx, 0, sy, 1, 0, 0, 0]`` (about the top-left corner, as in Keras).
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing._sampling import affine_batch
from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    compute_dtype_of,
    uniform,
)
from kerastorch.layers.preprocessing.image_preprocessing.random_zoom import check_fill_and_interpolation
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class RandomShear(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)
    _FACTOR_VALIDATION_ERROR = ("The `factor` argument should be a number (or a list of two numbers) "
                                "in the range [0, 1.0]. ")
    _SUPPORTED_FILL_MODE = ("reflect", "wrap", "constant", "nearest")
    _SUPPORTED_INTERPOLATION = ("nearest", "bilinear")

    def __init__(self, x_factor: Any = 0.0, y_factor: Any = 0.0, interpolation: str = "bilinear",
                 fill_mode: str = "reflect", fill_value: float = 0.0, data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.x_factor = self._factor(x_factor, "x_factor")
        self.y_factor = self._factor(y_factor, "y_factor")
        check_fill_and_interpolation(self, fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def _factor(self, factor: Any, name: str) -> tuple:
        def check(value: Any) -> None:
            if value > 1.0 or value < 0.0:
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
            return -abs(factor), abs(factor)
        raise ValueError(self._FACTOR_VALIDATION_ERROR + f"Received: {name}={factor}")

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training:
            return None
        images = self._images_of(data)
        batch_size = 1 if images.ndim == 3 else int(images.shape[0])
        seed = self._generator_seed(seed)
        dtype = compute_dtype_of(self)
        invert = uniform((batch_size, 1), 0, 1, seed, images.device, dtype)
        invert = torch.where(invert > 0.5, -torch.ones_like(invert), torch.ones_like(invert))
        shear_y = uniform((batch_size, 1), self.y_factor[0], self.y_factor[1], seed, images.device, dtype)
        shear_x = uniform((batch_size, 1), self.x_factor[0], self.x_factor[1], seed, images.device, dtype)
        return {"shear_factor": torch.cat([shear_x, shear_y], dim=1) * invert, "input_shape": tuple(images.shape)}

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        if transformation is None:
            return images
        shear = as_images(transformation["shear_factor"]).to(device=images.device, dtype=torch.float32)
        ones, zeros = torch.ones_like(shear[:, 0]), torch.zeros_like(shear[:, 0])
        matrix = torch.stack([ones, shear[:, 0], zeros, shear[:, 1], ones, zeros, zeros, zeros], dim=1)
        return affine_batch(images, matrix, interpolation, self.fill_mode, self.fill_value, self.data_format)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    @classmethod
    def from_config(cls, config: dict) -> RandomShear:
        # get_config writes a number f as (-f, f), which the constructor's [0, 1] check refuses
        # (real Keras 3.15 cannot reload its own config either); read such a pair back as f.
        config = dict(config)
        for key in ("x_factor", "y_factor"):
            value = config.get(key)
            if isinstance(value, (list, tuple)) and len(value) == 2 and value[0] == -value[1] and value[1] >= 0:
                config[key] = value[1]
        return cls(**config)

    def get_config(self) -> dict:
        return {**super().get_config(), "x_factor": self.x_factor, "y_factor": self.y_factor,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "seed": self.seed}
