"""``RandomRotation``: rotate each image by its own angle from ``factor * 360`` degrees while training.

The transformation carries the angles and the ``[a0..b2, 0, 0]`` matrices (rotation about the
image centre) that ``kerastorch.ops.image.affine_transform`` applies with Keras's fill modes.
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
from kerastorch.random.seed_generator import SeedGenerator
from kerastorch.utils.bounding_boxes import affine_transform, clip_to_image_size, convert_format

Tensor = torch.Tensor


class RandomRotation(BaseImagePreprocessingLayer):
    _SUPPORTED_FILL_MODE = ("reflect", "wrap", "constant", "nearest")
    _SUPPORTED_INTERPOLATION = ("nearest", "bilinear")

    def __init__(self, factor: Any, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        if fill_mode not in self._SUPPORTED_FILL_MODE:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one {self._SUPPORTED_FILL_MODE}.")
        if interpolation not in self._SUPPORTED_INTERPOLATION:
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                      f"{self._SUPPORTED_INTERPOLATION}.")

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        matrix = as_images(transformation["rotation_matrix"]).to(images.device)
        return affine_batch(images, matrix, interpolation, self.fill_mode, self.fill_value, self.data_format)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_bounding_boxes(self, bounding_boxes: Any, transformation: Any, training: bool = True) -> Any:
        if not training or transformation is None:
            return bounding_boxes
        height, width = transformation["image_height"], transformation["image_width"]
        angle = as_images(transformation["angle"])
        zeros = torch.zeros_like(angle)
        # As Keras 3.15: the boxes are rotated as xyxy whatever `bounding_box_format` says, then the
        # hull is clipped and converted from xyxy to the layer's format.
        out = dict(bounding_boxes)
        out["boxes"] = affine_transform(bounding_boxes["boxes"], angle=angle, translate_x=zeros, translate_y=zeros,
                                        scale=torch.ones_like(angle), shear_x=zeros, shear_y=zeros, height=height,
                                        width=width)
        out = clip_to_image_size(out, height=height, width=width, bounding_box_format="xyxy")
        return convert_format(out, source="xyxy", target=self.bounding_box_format, height=height, width=width)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training:
            return None
        images = self._images_of(data)
        batch_size = images.shape[0] if images.ndim == 4 else 1
        height, width = self._height_width(images.shape)
        angle = uniform((batch_size,), self.factor[0] * 360.0, self.factor[1] * 360.0, self._generator_seed(seed),
                        images.device)
        zeros = torch.zeros(batch_size, device=images.device)
        matrix = self._compute_affine_matrix(0.5, 0.5, angle, zeros, zeros, torch.ones_like(zeros), zeros, zeros,
                                             height, width)
        if images.ndim == 3:
            matrix = matrix.squeeze(0)
        return {"angle": angle, "rotation_matrix": matrix, "image_height": height, "image_width": width,
                "batch_size": batch_size}

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "data_format": self.data_format,
                "fill_mode": self.fill_mode, "fill_value": self.fill_value, "interpolation": self.interpolation,
                "seed": self.seed}
