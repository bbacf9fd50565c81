"""``CenterCrop``: the central ``(height, width)`` window of each image.

Deterministic (applied in inference too). An image smaller than the target on either side is
instead centre-cropped to the target aspect ratio and resized (Keras's ``smart_resize``).
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    compute_dtype_of,
)
from kerastorch.utils.bounding_boxes import clip_to_image_size, convert_format
from kerastorch.utils.image_utils import smart_resize

Tensor = torch.Tensor


class CenterCrop(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False

    def __init__(self, height: int, width: int, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height = height
        self.width = width

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        return {"input_shape": tuple(self._images_of(data).shape)}

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_bounding_boxes(self, bounding_boxes: Any, transformation: Any, training: bool = True) -> Any:
        height, width = self._height_width_of(transformation["input_shape"])
        bounding_boxes = convert_format(bounding_boxes, source=self.bounding_box_format, target="xyxy",
                                        height=height, width=width)
        h_diff, w_diff = height - self.height, width - self.width
        if h_diff >= 0 and w_diff >= 0:
            h_start, w_start = int(h_diff / 2), int(w_diff / 2)
            h_end, w_end = h_start + self.height, w_start + self.width
            bounding_boxes = self._clip_window(bounding_boxes, h_start, w_start, h_end, w_end)
        else:
            # The aspect-ratio window that smart_resize crops, then scaled to the target size.
            crop_height = max(min(height, int(float(width * self.height) / self.width)), 1)
            crop_width = max(min(width, int(float(height * self.width) / self.height)), 1)
            h_start, w_start = int(float(height - crop_height) / 2), int(float(width - crop_width) / 2)
            bounding_boxes = self._clip_window(bounding_boxes, h_start, w_start, h_start + crop_height,
                                               w_start + crop_width)
            bounding_boxes = convert_format(bounding_boxes, source="xyxy", target="rel_xyxy", height=crop_height,
                                            width=crop_width)
            bounding_boxes = convert_format(bounding_boxes, source="rel_xyxy", target="xyxy", height=self.height,
                                            width=self.width)
        bounding_boxes = clip_to_image_size(bounding_boxes, height=self.height, width=self.width,
                                            bounding_box_format="xyxy")
        return convert_format(bounding_boxes, source="xyxy", target=self.bounding_box_format, height=self.height,
                              width=self.width)

    @staticmethod
    def _clip_window(bounding_boxes: dict, h_start: int, w_start: int, h_end: int, w_end: int) -> dict:
        boxes = bounding_boxes["boxes"]
        bounding_boxes["boxes"] = torch.cat([torch.clamp(boxes[..., 0:1], w_start, w_end) - w_start,
                                             torch.clamp(boxes[..., 1:2], h_start, h_end) - h_start,
                                             torch.clamp(boxes[..., 2:3], w_start, w_end) - w_start,
                                             torch.clamp(boxes[..., 3:4], h_start, h_end) - h_start], dim=-1)
        return bounding_boxes

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Tensor:
        return self.transform_images(segmentation_masks, transformation, training=training)

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        images = as_images(images).to(compute_dtype_of(self))
        height, width = self._height_width(images.shape)
        h_diff, w_diff = height - self.height, width - self.width
        if h_diff >= 0 and w_diff >= 0:
            h_axis, w_axis = self._axes()
            return images.narrow(h_axis, h_diff // 2, self.height).narrow(w_axis, w_diff // 2, self.width)
        return smart_resize(images, (self.height, self.width), data_format=self.data_format)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = list(input_shape)
        if len(shape) not in (3, 4) or isinstance(shape[0], (list, tuple)):
            raise ValueError("`input_shape` must be a non-nested tuple or list of rank-1 with size 3 (unbatched) "
                             f"or 4 (batched). Received: input_shape={input_shape}")
        h_axis, w_axis = self._axes()
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width, "data_format": self.data_format}
