"""``CutMix``: paste a random box from another image of the batch into each image; labels mix by area.

Per call (batches only; a single image passes through): ``alpha`` from ``factor``, per-image
``Beta(alpha, alpha)`` weights giving the box side ratio ``sqrt(1 - w)``, box positions, and a
batch permutation. The transformation holds the boolean ``batch_masks`` and the area-corrected
``mix_weight``, as in Keras.
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
from kerastorch.random import random as keras_random
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class CutMix(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any = 1.0, seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training:
            return None
        images = self._images_of(data)
        if images.ndim == 3:
            return None
        batch_size = int(images.shape[0])
        height, width = self._height_width(images.shape)
        seed = self._generator_seed(seed)
        dtype = compute_dtype_of(self)
        device = images.device
        alpha = uniform((), self.factor[0], self.factor[1], seed, device, dtype) + 1e-6
        weight = keras_random.beta((batch_size,), float(alpha), float(alpha), seed=seed, dtype=dtype).to(device)
        ratio = torch.sqrt(1.0 - weight)

        def bounds(length: int) -> tuple[Tensor, Tensor]:
            crop = (ratio * length).to(dtype)
            start = uniform((batch_size,), 0, 1, seed, device, dtype) * (length - crop)
            return start, start + crop

        x0, x1 = bounds(width)
        y0, y1 = bounds(height)
        rows = torch.arange(height, dtype=dtype, device=device).view(1, height, 1)
        cols = torch.arange(width, dtype=dtype, device=device).view(1, 1, width)
        x0v, x1v, y0v, y1v = (v.view(-1, 1, 1) for v in (x0, x1, y0, y1))
        masks = (cols >= x0v) & (cols < x1v) & (rows >= y0v) & (rows < y1v)  # (batch, H, W)
        channels = images.shape[-1] if self.data_format == "channels_last" else images.shape[-3]
        channel_axis = 3 if self.data_format == "channels_last" else 1
        masks = masks.unsqueeze(channel_axis).repeat_interleave(channels, dim=channel_axis)
        mix_weight = 1.0 - (x1 - x0) * (y1 - y0) / (width * height)
        order = keras_random.shuffle(torch.arange(batch_size, dtype=torch.int32), seed=seed).to(device)
        return {"permutation_order": order, "batch_masks": masks, "mix_weight": mix_weight}

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        images = as_images(images).to(compute_dtype_of(self))
        if training and transformation is not None:
            order = as_images(transformation["permutation_order"]).to(device=images.device, dtype=torch.int64)
            masks = as_images(transformation["batch_masks"]).to(images.device)
            images = torch.where(masks, images.index_select(0, order), images)
        return images

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        labels = as_images(labels)
        if training and transformation is not None:
            order = as_images(transformation["permutation_order"]).to(device=labels.device, dtype=torch.int64)
            weight = as_images(transformation["mix_weight"]).to(labels.device).reshape(-1, 1)
            labels = weight * labels + (1.0 - weight) * labels.index_select(0, order)
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Tensor:
        return self.transform_images(segmentation_masks, transformation, training)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}
