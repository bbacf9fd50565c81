"""``RandomTranslation``: shift each image by a random fraction of its height and width while training.

The transformation holds ``translations`` (``(batch, 2)``: x then y shift in pixels); the
shifted-in border is filled per ``fill_mode`` by ``kerastorch.ops.image.affine_transform``.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing._sampling import affine_batch
from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    uniform,
)
from kerastorch.layers.preprocessing.image_preprocessing.random_zoom import (
    check_fill_and_interpolation,
    factor_range,
)
from kerastorch.random.seed_generator import SeedGenerator
from kerastorch.utils.bounding_boxes import clip_to_image_size, convert_format

Tensor = torch.Tensor


class RandomTranslation(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_VALIDATION_ERROR = ("The `factor` argument should be a number (or a list of two numbers) "
                                "in the range [-1.0, 1.0]. ")
    _SUPPORTED_FILL_MODE = ("reflect", "wrap", "constant", "nearest")
    _SUPPORTED_INTERPOLATION = ("nearest", "bilinear")

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = factor_range(self, height_factor, "height_factor", True)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = factor_range(self, width_factor, "width_factor", True)
        check_fill_and_interpolation(self, fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        if transformation is None:
            return images
        single = images.ndim == 3
        if single:
            images = images.unsqueeze(0)
        translations = as_images(transformation["translations"]).to(device=images.device, dtype=torch.float32)
        ones = torch.ones_like(translations[:, :1])
        zeros = torch.zeros_like(ones)
        # [[1, 0, -dx], [0, 1, -dy]]: output (x, y) reads input (x - dx, y - dy).
        matrix = torch.cat([ones, zeros, -translations[:, 0:1], zeros, ones, -translations[:, 1:], zeros, zeros], 1)
        out = affine_batch(images, matrix, interpolation, self.fill_mode, self.fill_value, self.data_format)
        return out.squeeze(0) if single else out

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_bounding_boxes(self, bounding_boxes: Any, transformation: Any, training: bool = True) -> Any:
        if not training or transformation is None:
            return bounding_boxes
        height, width = self._height_width_of(transformation["input_shape"])
        bounding_boxes = convert_format(bounding_boxes, source=self.bounding_box_format, target="xyxy",
                                        height=height, width=width)
        boxes = bounding_boxes["boxes"]
        translations = as_images(transformation["translations"]).to(device=boxes.device, dtype=boxes.dtype)
        # The image matrix reads input (x - dx, y - dy), so boxes move by +(dx, dy).
        dx, dy = translations[:, 0:1], translations[:, 1:2]
        if boxes.ndim == 3:
            dx, dy = dx.unsqueeze(-1), dy.unsqueeze(-1)
        bounding_boxes["boxes"] = torch.cat([boxes[..., 0:1] - (-dx), boxes[..., 1:2] - (-dy),
                                             boxes[..., 2:3] - (-dx), boxes[..., 3:4] - (-dy)], dim=-1)
        bounding_boxes = clip_to_image_size(bounding_boxes, height=height, width=width, bounding_box_format="xyxy")
        return convert_format(bounding_boxes, source="xyxy", target=self.bounding_box_format, height=height,
                              width=width)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training:
            return None
        images = self._images_of(data)
        batch_size = images.shape[0] if images.ndim == 4 else 1
        height, width = self._height_width(images.shape)
        seed = self._generator_seed(seed)
        height_translate = uniform((batch_size, 1), self.height_lower, self.height_upper, seed, images.device) * height
        width_translate = uniform((batch_size, 1), self.width_lower, self.width_upper, seed, images.device) * width
        translations = torch.cat([width_translate, height_translate], dim=1).to(torch.float32)
        return {"translations": translations, "input_shape": tuple(images.shape)}

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor,
                "fill_mode": self.fill_mode, "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value, "data_format": self.data_format}
