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
