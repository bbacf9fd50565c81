"""``RandomZoom``: zoom each image in or out about its centre while training.

``height_factor``/``width_factor`` are fractions in (-1, 1]: a zoom draw of ``1 + f`` with
``f < 0`` zooms in. Without ``width_factor`` the height draw is reused (aspect ratio kept).
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
from kerastorch.utils.bounding_boxes import clip_to_image_size, convert_format

Tensor = torch.Tensor


def check_fill_and_interpolation(layer: Any, fill_mode: str, interpolation: str) -> None:
    if fill_mode not in layer._SUPPORTED_FILL_MODE:
        raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one {layer._SUPPORTED_FILL_MODE}.")
    if interpolation not in layer._SUPPORTED_INTERPOLATION:
        raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                  f"{layer._SUPPORTED_INTERPOLATION}.")


def factor_range(layer: Any, factor: Any, factor_name: str, lower_inclusive: bool) -> tuple[float, float]:
    """``(lower, upper)`` of a height/width factor (a number ``f`` means ``(-|f|, |f|)``)."""
    def check(value: Any) -> None:
        too_low = value < -1.0 if lower_inclusive else value <= -1.0
        if value > 1.0 or too_low:
            raise ValueError(layer._FACTOR_VALIDATION_ERROR + f"Received: input_number={value}")

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(layer._FACTOR_VALIDATION_ERROR + f"Received: {factor_name}={factor}")
        check(factor[0])
        check(factor[1])
        lower, upper = sorted(factor)
        return lower, upper
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        check(factor)
        return -abs(factor), abs(factor)
    raise ValueError(layer._FACTOR_VALIDATION_ERROR + f"Received: {factor_name}={factor}")


class RandomZoom(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_VALIDATION_ERROR = ("The `height_factor` and `width_factor` arguments should be a number (or a list of "
                                "two numbers) in the range (-1.0, 1.0]. ")
    _SUPPORTED_FILL_MODE = ("reflect", "wrap", "constant", "nearest")
    _SUPPORTED_INTERPOLATION = ("nearest", "bilinear")

    def __init__(self, height_factor: Any, width_factor: Any = None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = factor_range(self, height_factor, "height_factor", False)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = factor_range(self, width_factor, "width_factor", False)
        check_fill_and_interpolation(self, fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        if transformation is None:
            return images
        zooms = torch.cat([as_images(transformation["width_zoom"]), as_images(transformation["height_zoom"])],
                          dim=1).to(device=images.device, dtype=torch.float32)
        single = images.ndim == 3
        if single:
            images = images.unsqueeze(0)
        height, width = self._height_width(images.shape)
        matrix = self._get_zoom_matrix(zooms, height, width)
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
        zooms = torch.cat([as_images(transformation["width_zoom"]), as_images(transformation["height_zoom"])],
                          dim=1).to(device=boxes.device, dtype=torch.float32)
        m = self._get_zoom_matrix(zooms, height, width)
        # The window of the input that the zoomed image shows: (0, 0) and (width, height) mapped.
        w_start, h_start = m[:, 2:3], m[:, 5:6]
        w_end = m[:, 0:1] * width + m[:, 1:2] * height + m[:, 2:3]
        h_end = m[:, 3:4] * width + m[:, 4:5] * height + m[:, 5:6]
        window_height, window_width = (h_end - h_start).unsqueeze(-1), (w_end - w_start).unsqueeze(-1)
        if boxes.ndim == 3:
            h_end, h_start, w_end, w_start = (v.unsqueeze(-1) for v in (h_end, h_start, w_end, w_start))
        x1 = torch.clamp(boxes[..., 0:1], w_start, w_end) - w_start
        y1 = torch.clamp(boxes[..., 1:2], h_start, h_end) - h_start
        x2 = torch.clamp(boxes[..., 2:3], w_start, w_end) - w_start
        y2 = torch.clamp(boxes[..., 3:4], h_start, h_end) - h_start
        bounding_boxes["boxes"] = torch.cat([x1, y1, x2, y2], dim=-1)
        bounding_boxes = convert_format(bounding_boxes, source="xyxy", target="rel_xyxy", height=window_height,
                                        width=window_width)
        bounding_boxes = clip_to_image_size(bounding_boxes, height=window_height, width=window_width,
                                            bounding_box_format="rel_xyxy")
        return convert_format(bounding_boxes, source="rel_xyxy", target=self.bounding_box_format, height=height,
                              width=width)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training:
            return None
        images = self._images_of(data)
        shape = (images.shape[0], 1) if images.ndim == 4 else (1, 1)
        seed = self._generator_seed(seed)
        height_zoom = uniform(shape, 1.0 + self.height_lower, 1.0 + self.height_upper, seed, images.device)
        if self.width_factor is not None:
            width_zoom = uniform(shape, 1.0 + self.width_lower, 1.0 + self.width_upper, seed, images.device)
        else:
            width_zoom = height_zoom
        return {"height_zoom": height_zoom, "width_zoom": width_zoom, "input_shape": tuple(images.shape)}

    @staticmethod
    def _get_zoom_matrix(zooms: Tensor, height: int, width: int) -> Tensor:
        # [[zx, 0, x_offset], [0, zy, y_offset]]: scale about the centre of the image.
        zeros = torch.zeros_like(zooms[:, :1])
        x_offset = ((width - 1.0) / 2.0) * (1.0 - zooms[:, 0:1])
        y_offset = ((height - 1.0) / 2.0) * (1.0 - zooms[:, 1:])
        return torch.cat([zooms[:, 0:1], zeros, x_offset, zeros, zooms[:, 1:], y_offset, zeros, zeros], dim=1)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor,
                "fill_mode": self.fill_mode, "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value, "data_format": self.data_format}
