"""``MaxNumBoundingBoxes``: give every image exactly ``max_number`` boxes (truncate or pad).

Images, labels and masks pass through; the ``bounding_boxes`` dict's ``boxes`` ``(batch, n, 4)``
and ``labels`` ``(batch, n)`` are cut to the first ``max_number`` boxes or padded with
``fill_value`` (-1 by default), so ragged detection targets batch into fixed shapes.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
)

Tensor = torch.Tensor


class MaxNumBoundingBoxes(BaseImagePreprocessingLayer):
    """Truncate or pad the boxes of each image to ``max_number``.

    Args:
        max_number: boxes per image in the output.
        fill_value: value of the padding boxes' coordinates and labels.
    """

    _USE_BASE_FACTOR = False

    def __init__(self, max_number: int, fill_value: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Any:
        return images

    def transform_labels(self, labels: Any, transformation: Any = None, training: bool = True) -> Any:
        return labels

    def transform_bounding_boxes(self, bounding_boxes: Any, transformation: Any, training: bool = True) -> dict:
        boxes = as_images(bounding_boxes["boxes"])
        labels = as_images(bounding_boxes["labels"])
        pad = max(self.max_number - int(boxes.shape[1]), 0)
        boxes = torch.nn.functional.pad(boxes[:, : self.max_number], (0, 0, 0, pad), value=self.fill_value)
        labels = torch.nn.functional.pad(labels[:, : self.max_number], (0, pad), value=self.fill_value)
        out = dict(bounding_boxes)
        out["boxes"] = boxes.reshape(boxes.shape[0], self.max_number, 4)
        out["labels"] = labels.reshape(labels.shape[0], self.max_number)
        return out

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any = None,
                                     training: bool = True) -> Any:
        return self.transform_images(segmentation_masks)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            extra = set(input_shape["bounding_boxes"]) - {"boxes", "labels"}
            if extra:
                raise KeyError(f"There are unsupported keys in `bounding_boxes`: {list(extra)}. Only `boxes` and "
                               "`labels` are supported.")
            boxes_shape = list(input_shape["bounding_boxes"]["boxes"])
            labels_shape = list(input_shape["bounding_boxes"]["labels"])
            boxes_shape[1] = labels_shape[1] = self.max_number
            input_shape = dict(input_shape)
            input_shape["bounding_boxes"] = {"boxes": boxes_shape, "labels": labels_shape}
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "max_number": self.max_number}
