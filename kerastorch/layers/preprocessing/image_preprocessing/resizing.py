"""``Resizing``: resize a batch to ``(height, width)`` with Keras's interpolation names.

Deterministic, so it resizes in training and inference alike. ``crop_to_aspect_ratio`` /
``pad_to_aspect_ratio`` avoid distortion (centre crop, or ``fill_value`` bands);
``kerastorch.ops.image.resize`` does the work. Integer images come back in their dtype
(rounded, saturated), as in Keras.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
)
from kerastorch.ops import image as image_ops
from kerastorch.ops.control import saturate_cast
from kerastorch.utils.bounding_boxes import clip_to_image_size, convert_format

Tensor = torch.Tensor


class Resizing(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False

    def __init__(self, height: int, width: int, interpolation: str = "bilinear", crop_to_aspect_ratio: bool = False,
                 pad_to_aspect_ratio: bool = False, fill_mode: str = "constant", fill_value: float = 0.0,
                 antialias: bool = False, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        resized = image_ops.resize(images, size=(self.height, self.width), interpolation=interpolation,
                                   antialias=self.antialias, data_format=self.data_format,
                                   crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                                   pad_to_aspect_ratio=self.pad_to_aspect_ratio, fill_mode=self.fill_mode,
                                   fill_value=self.fill_value)
        if resized.dtype == images.dtype:
            return resized
        if not images.dtype.is_floating_point:
            resized = torch.round(resized)
        return saturate_cast(resized, images.dtype)

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        # Resizing is not an augmentation: inference resizes too.
        return self._transform_images(as_images(images), transformation, self.interpolation)

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any = None,
                                     training: bool = True) -> Tensor:
        return self._transform_images(as_images(segmentation_masks), transformation, "nearest")

    def transform_labels(self, labels: Any, transformation: Any = None, training: bool = True) -> Any:
        return labels

    def transform_bounding_boxes(self, bounding_boxes: Any, transformation: Any = None, training: bool = True) -> Any:
        input_height, input_width = transformation
        boxes = as_images(bounding_boxes["boxes"])
        # Padding boxes (all 0 or all -1) stay all-zero after resizing.
        padding = torch.all(boxes == -1, dim=-1) | torch.all(boxes == 0, dim=-1)
        bounding_boxes = convert_format(bounding_boxes, source=self.bounding_box_format, target="xyxy",
                                        height=input_height, width=input_width)
        bounding_boxes["boxes"] = self._transform_xyxy(bounding_boxes["boxes"], input_height, input_width)
        bounding_boxes = clip_to_image_size(bounding_boxes, height=self.height, width=self.width)
        boxes = bounding_boxes["boxes"]
        bounding_boxes["boxes"] = torch.where(padding.to(boxes.device).unsqueeze(-1), torch.zeros_like(boxes), boxes)
        return convert_format(bounding_boxes, source="xyxy", target=self.bounding_box_format, height=self.height,
                              width=self.width)

    def _transform_xyxy(self, boxes: Tensor, input_height: int, input_width: int) -> Tensor:
        dtype, device = boxes.dtype, boxes.device
        in_h = torch.tensor(float(input_height), dtype=dtype, device=device)
        in_w = torch.tensor(float(input_width), dtype=dtype, device=device)
        if self.pad_to_aspect_ratio:
            scale = torch.minimum(self.height / in_h, self.width / in_w)
            y_offset = torch.div(self.height - in_h * scale, 2, rounding_mode="floor")
            x_offset = torch.div(self.width - in_w * scale, 2, rounding_mode="floor")
            return torch.stack([boxes[..., 0] * scale + x_offset, boxes[..., 1] * scale + y_offset,
                                boxes[..., 2] * scale + x_offset, boxes[..., 3] * scale + y_offset], dim=-1)
        if self.crop_to_aspect_ratio:
            source_ratio = in_w / in_h
            wider = source_ratio > self.width / self.height
            new_width = torch.where(wider, self.height * source_ratio, torch.tensor(float(self.width), dtype=dtype,
                                                                                    device=device))
            new_height = torch.where(wider, torch.tensor(float(self.height), dtype=dtype, device=device),
                                     self.width / source_ratio)
            scale_x, scale_y = new_width / in_w, new_height / in_h
            crop_left = torch.div(new_width - self.width, 2, rounding_mode="floor")
            crop_top = torch.div(new_height - self.height, 2, rounding_mode="floor")
            return torch.stack([boxes[..., 0] * scale_x - crop_left, boxes[..., 1] * scale_y - crop_top,
                                boxes[..., 2] * scale_x - crop_left, boxes[..., 3] * scale_y - crop_top], dim=-1)
        height_ratio = torch.tensor(self.height / float(input_height), dtype=dtype, device=device)
        width_ratio = torch.tensor(self.width / float(input_width), dtype=dtype, device=device)
        return torch.stack([boxes[..., 0] * width_ratio, boxes[..., 1] * height_ratio, boxes[..., 2] * width_ratio,
                            boxes[..., 3] * height_ratio], dim=-1)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        return self._height_width(self._images_of(data).shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = list(input_shape)
        h_axis, w_axis = self._axes()
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation, "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}

