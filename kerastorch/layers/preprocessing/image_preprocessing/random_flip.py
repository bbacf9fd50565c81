"""``RandomFlip``: flip each image horizontally and/or vertically with probability 1/2 while training.

One uniform draw per image (``flips``: shape ``(batch, 1, 1, 1)``, True where ``u <= 0.5``); in
``"horizontal_and_vertical"`` mode the same draw flips both axes, as in Keras.
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
from kerastorch.random.seed_generator import SeedGenerator
from kerastorch.utils.bounding_boxes import clip_to_image_size, convert_format

Tensor = torch.Tensor

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


class RandomFlip(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False

    def __init__(self, mode: str = HORIZONTAL_AND_VERTICAL, seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode argument {mode!r}; expected "
                             f"one of {HORIZONTAL!r}, {VERTICAL!r}, {HORIZONTAL_AND_VERTICAL!r}.")
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.mode = mode

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training:
            return None
        images = self._images_of(data)
        shape = tuple(images.shape)
        flips_shape = (1, 1, 1) if len(shape) == 3 else (shape[0], 1, 1, 1)
        flips = uniform(flips_shape, 0.0, 1.0, self._generator_seed(seed), images.device) <= 0.5
        return {"flips": flips, "input_shape": shape}

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
        images = as_images(images).to(compute_dtype_of(self))
        if training and transformation is not None:
            return self._flip(images, transformation["flips"])
        return images

    def _flip(self, images: Tensor, flips: Any) -> Tensor:
        flips = as_images(flips).to(images.device)
        single = images.ndim == 3
        if single:
            images = images.unsqueeze(0)
        # One gather of every pixel from its (possibly mirrored) source, per image: a single pass
        # over the batch, where `torch.where(flips, images.flip(...), images)` made three, per axis.
        batch = images.shape[0]
        height, width = self._height_width(images.shape)
        flips = flips.reshape(batch, 1)
        cols = torch.arange(width, device=images.device).view(1, width)
        rows = torch.arange(height, device=images.device).view(1, height)
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            cols = torch.where(flips, width - 1 - cols, cols)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            rows = torch.where(flips, height - 1 - rows, rows)
        source = (rows.expand(batch, height).unsqueeze(2) * width + cols.expand(batch, width).unsqueeze(1))
        source = source.reshape(batch, height * width)
        if self.data_format == "channels_last":
            # Written in channels_last memory, like the input: the model after this layer then runs
            # in the memory format it would run in without augmentation.
            flat = images.reshape(batch, height * width, -1)
            out = torch.gather(flat, 1, source.unsqueeze(2).expand(flat.shape)).reshape(images.shape)
        else:
            flat = images.reshape(batch, -1, height * width)
            out = torch.gather(flat, 2, source.unsqueeze(1).expand(flat.shape)).reshape(images.shape)
        return out.squeeze(0) if single else out

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_bounding_boxes(self, bounding_boxes: Any, transformation: Any, training: bool = True) -> Any:
        if not training or transformation is None:
            return bounding_boxes
        flips = as_images(transformation["flips"]).squeeze(-1)
        height, width = self._height_width_of(transformation["input_shape"])
        # Flipped in relative coordinates: x -> 1 - x (and y -> 1 - y), corners swapped.
        bounding_boxes = convert_format(bounding_boxes, source=self.bounding_box_format, target="rel_xyxy",
                                        height=height, width=width)
        boxes = bounding_boxes["boxes"]
        flips = flips.to(boxes.device)
        x1, y1, x2, y2 = boxes[..., 0:1], boxes[..., 1:2], boxes[..., 2:3], boxes[..., 3:4]
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            boxes = torch.where(flips, torch.cat([1 - x2, y1, 1 - x1, y2], dim=-1), boxes)
            x1, y1, x2, y2 = boxes[..., 0:1], boxes[..., 1:2], boxes[..., 2:3], boxes[..., 3:4]
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            boxes = torch.where(flips, torch.cat([x1, 1 - y2, x2, 1 - y1], dim=-1), boxes)
        bounding_boxes["boxes"] = boxes
        # Keras clips these relative boxes against the pixel size (a no-op for boxes inside the image).
        bounding_boxes = clip_to_image_size(bounding_boxes, height=height, width=width, bounding_box_format="xyxy")
        return convert_format(bounding_boxes, source="rel_xyxy", target=self.bounding_box_format, height=height,
                              width=width)

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Tensor:
        return self.transform_images(segmentation_masks, transformation, training=training)

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed, "mode": self.mode, "data_format": self.data_format}
