"""``RandomErasing``: overwrite a random box of some images with noise or a fixed value.

Per image: box side ratios ``sqrt(U[scale])`` for width and height, box positions, and
whether to erase (probability drawn from ``factor``). ``fill_value=None`` fills with
``normal * value_range[1]``; a number or an RGB triple fills with that; both clipped to
``value_range``.
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
from kerastorch.random import random as keras_random
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


def named_factor(layer: Any, factor: Any, name: str) -> tuple:
    """A ``(lower, upper)`` pair within ``layer._FACTOR_BOUNDS`` (Keras's error text names the argument)."""
    low_bound, high_bound = layer._FACTOR_BOUNDS
    message = (f"The `{name}` argument should be a number (or a list of two numbers) in the range "
               f"[{low_bound}, {high_bound}]. Received: factor={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > high_bound or factor[1] < low_bound:
            raise ValueError(message)
        lower, upper = sorted(factor)
        return lower, upper
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if factor < low_bound or factor > high_bound:
            raise ValueError(message)
        factor = abs(factor)
        return max(-factor, low_bound), factor
    raise ValueError(message)


def box_masks(layer: Any, shape: tuple, x0: Tensor, x1: Tensor, y0: Tensor, y1: Tensor, dtype: torch.dtype,
              device: Any) -> Tensor:
    """Boolean ``(batch, ...)`` masks of the boxes ``[x0, x1) x [y0, y1)``, repeated over channels."""
    height, width = layer._height_width(shape)
    rows = torch.arange(height, dtype=dtype, device=device).view(1, height, 1)
    cols = torch.arange(width, dtype=dtype, device=device).view(1, 1, width)
    x0, x1, y0, y1 = (v.view(-1, 1, 1) for v in (x0, x1, y0, y1))
    masks = (cols >= x0) & (cols < x1) & (rows >= y0) & (rows < y1)
    last = layer.data_format == "channels_last"
    channels = shape[-1] if last else shape[-3]
    channel_axis = 3 if last else 1
    return masks.unsqueeze(channel_axis).repeat_interleave(int(channels), dim=channel_axis)


class RandomErasing(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any = 1.0, scale: Any = (0.02, 0.33), fill_value: Any = None,
                 value_range: Any = (0, 255), seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.scale = named_factor(self, scale, "scale")
        self.fill_value = fill_value
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def _fill(self, images: Tensor, seed: Any) -> Tensor:
        dtype = compute_dtype_of(self)
        fill_value = self.fill_value
        if fill_value is None:
            fill = keras_random.normal(tuple(images.shape), dtype=dtype, seed=seed).to(images.device)
            fill = fill * self.value_range[1]
        elif isinstance(fill_value, (tuple, list)):
            if len(fill_value) != 3:
                raise ValueError("The `fill_value` argument should be a number (or a list of three numbers) "
                                 f"Received: fill_value={fill_value}")
            fill = torch.empty(images.shape, dtype=dtype, device=images.device)
            fill[...] = torch.tensor(fill_value, dtype=dtype, device=images.device)
        elif isinstance(fill_value, (int, float)):
            fill = torch.full(images.shape, float(fill_value), dtype=dtype, device=images.device)
        else:
            raise ValueError("The `fill_value` argument should be a number (or a list of three numbers) "
                             f"Received: fill_value={fill_value}")
        return fill.clamp(self.value_range[0], self.value_range[1])

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training:
            return None
        images = self._images_of(data)
        batch_size = batch_size_of(images, colon=False)
        height, width = self._height_width(images.shape)
        seed = self._generator_seed(seed)
        dtype, device = compute_dtype_of(self), images.device
        ratios = torch.sqrt(uniform((batch_size, 2), self.scale[0], self.scale[1], seed, device, dtype))

        def bounds(length: int, ratio: Tensor) -> tuple[Tensor, Tensor]:
            crop = (ratio * length).to(dtype)
            start = uniform((batch_size,), 0, 1, seed, device, dtype) * (length - crop)
            return start, start + crop

        x0, x1 = bounds(width, ratios[:, 0])
        y0, y1 = bounds(height, ratios[:, 1])
        masks = box_masks(self, tuple(images.shape), x0, x1, y0, y1, dtype, device)
        probability = uniform((batch_size,), self.factor[0], self.factor[1], seed, device)
        threshold = uniform((batch_size,), 0.0, 1.0, seed, device)
        return {"apply_erasing": threshold < probability, "batch_masks": masks, "fill_value": self._fill(images, seed)}

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        images = as_images(images).to(compute_dtype_of(self))
        if not training:
            return images
        masks = as_images(transformation["batch_masks"]).to(images.device)
        apply = as_images(transformation["apply_erasing"]).to(images.device).view(-1, 1, 1, 1)
        fill = as_images(transformation["fill_value"]).to(device=images.device, dtype=images.dtype)
        if images.ndim == 3:
            apply = apply.reshape(1, 1, 1)
        erased = torch.where(masks, fill, images)
        return torch.where(apply, erased, images)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale, "fill_value": self.fill_value,
                "value_range": self.value_range, "seed": self.seed}
