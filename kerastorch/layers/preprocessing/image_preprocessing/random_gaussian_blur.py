"""``RandomGaussianBlur``: blur some images with a Gaussian kernel of random sigma.

Per image: whether to blur (probability drawn from ``factor``); per call: the ``(sigma_y,
sigma_x)`` pair from ``sigma``. ``kerastorch.ops.image.gaussian_blur`` does the filtering.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing._color import batch_size_of
from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    compute_dtype_of,
    uniform,
)
from kerastorch.layers.preprocessing.image_preprocessing.random_erasing import named_factor
from kerastorch.ops import image as image_ops
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class RandomGaussianBlur(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any = 1.0, kernel_size: Any = 3, sigma: Any = 1.0, value_range: Any = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.kernel_size = self._kernel_size(kernel_size)
        self.sigma = named_factor(self, sigma, "sigma")
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)

    @staticmethod
    def _kernel_size(size: Any) -> tuple:
        message = f"kernel_size must be an odd number. Received: kernel_size={size}"
        if isinstance(size, (tuple, list)):
            if len(size) != 2:
                raise ValueError(f"The `kernel_size` argument should be a number (or a list of two numbers) "
                                 f"Received: kernel_size={size}")
            if size[0] % 2 == 0 or size[1] % 2 == 0:
                raise ValueError(message)
            return size[0], size[1]
        if isinstance(size, (int, float)) and not isinstance(size, bool):
            if size % 2 == 0:
                raise ValueError(message)
            return size, size
        raise ValueError(message)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training:
            return None
        images = self._images_of(data)
        batch_size = batch_size_of(images, colon=False)
        seed = self._generator_seed(seed)
        device = images.device
        probability = uniform((batch_size,), self.factor[0], self.factor[1], seed, device)
        threshold = uniform((batch_size,), 0.0, 1.0, seed, device)
        sigma = uniform((2,), self.sigma[0], self.sigma[1], seed, device, compute_dtype_of(self)) + 1e-6
        return {"should_apply_blur": threshold < probability, "blur_factor": sigma}

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        images = as_images(images).to(compute_dtype_of(self))
        if not training or transformation is None:
            return images
        sigma = as_images(transformation["blur_factor"]).to(images.device)
        apply = as_images(transformation["should_apply_blur"]).to(images.device).view(-1, 1, 1, 1)
        if images.ndim == 3:
            apply = apply.reshape(1, 1, 1)
        blurred = image_ops.gaussian_blur(images, kernel_size=self.kernel_size, sigma=sigma,
                                          data_format=self.data_format)
        images = torch.where(apply, blurred, images).clamp(self.value_range[0], self.value_range[1])
        return images.to(compute_dtype_of(self))

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "kernel_size": self.kernel_size, "sigma": self.sigma,
                "value_range": self.value_range, "seed": self.seed}
