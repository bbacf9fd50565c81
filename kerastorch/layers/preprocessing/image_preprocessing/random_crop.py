"""``RandomCrop``: one random ``(height, width)`` window per batch while training.

As in Keras, the window offset is drawn once per call (shared by the batch); an input not
larger than the target on both sides takes the centred aspect-ratio box and is resized.
Inference returns the images unchanged (Keras 3.15's behaviour).
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
from kerastorch.random.seed_generator import SeedGenerator, make_default_seed
from kerastorch.utils.bounding_boxes import convert_format

Tensor = torch.Tensor


class RandomCrop(BaseImagePreprocessingLayer):
    def __init__(self, height: int, width: int, seed: int | None = None, data_format: str | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, data_format=data_format, **kwargs)
        self.height = height
        self.width = width
        # Keras records a drawn seed in the config but seeds the generator with the argument.
        self.seed = seed if seed is not None else make_default_seed()
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        seed = self._generator_seed(seed)
        images = self._images_of(data)
        height, width = self._height_width(images.shape)
        if training and height > self.height and width > self.width:
            h_start = uniform((), 0, float(height - self.height + 1), seed, images.device).to(torch.int32)
            w_start = uniform((), 0, float(width - self.width + 1), seed, images.device).to(torch.int32)
            return h_start, w_start
        crop_height = max(min(height, int(float(width * self.height) / self.width)), 1)
        crop_width = max(min(width, int(float(height * self.width) / self.height)), 1)
        return int(float(height - crop_height) / 2), int(float(width - crop_width) / 2)

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
        images = as_images(images)
        if not training:
            return images
        images = images.to(compute_dtype_of(self))
        h_start, w_start = (int(v) for v in transformation)
        h_axis, w_axis = self._axes()
        height, width = self._height_width(images.shape)
        # Python slicing semantics (Keras slices), clipped at the border.
        images = images.narrow(h_axis, min(h_start, height), max(0, min(self.height, height - h_start)))
        images = images.narrow(w_axis, min(w_start, width), max(0, min(self.width, width - w_start)))
        if self._height_width(images.shape) != (self.height, self.width):
            images = image_ops.resize(images, size=(self.height, self.width), data_format=self.data_format)
            images = images.to(compute_dtype_of(self))
        return images

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_bounding_boxes(self, bounding_boxes: Any, transformation: Any, training: bool = True) -> Any:
        if not training:
            return bounding_boxes
        h_start, w_start = transformation
        boxes = convert_format(bounding_boxes["boxes"], source=self.bounding_box_format, target="xyxy",
                               height=self.height, width=self.width)
        h_start = torch.as_tensor(h_start).to(device=boxes.device, dtype=boxes.dtype)
        w_start = torch.as_tensor(w_start).to(device=boxes.device, dtype=boxes.dtype)
        # Keras 3.15 subtracts the row offset from x and the column offset from y (and only floors
        # at 0); kept as is so boxes match Keras's.
        boxes = torch.stack([torch.clamp(boxes[..., 0] - h_start, min=0), torch.clamp(boxes[..., 1] - w_start, min=0),
                             torch.clamp(boxes[..., 2] - h_start, min=0), torch.clamp(boxes[..., 3] - w_start, min=0)],
                            dim=-1)
        boxes = convert_format(boxes, source="xyxy", target=self.bounding_box_format, height=self.height,
                               width=self.width)
        return {"boxes": boxes, "labels": bounding_boxes["labels"]}

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Tensor:
        return self.transform_images(segmentation_masks, transformation)

    def compute_output_shape(self, input_shape: Any, *args: Any, **kwargs: Any) -> Any:
        shape = list(input_shape)
        h_axis, w_axis = self._axes()
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width, "seed": self.seed,
                "data_format": self.data_format}
