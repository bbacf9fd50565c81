"""Shared pieces of the colour layers: per-image factor draws and the rank check."""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import uniform


def batch_size_of(images: torch.Tensor, colon: bool = True) -> int:
    if images.ndim == 3:
        return 1
    if images.ndim == 4:
        return int(images.shape[0])
    sep = ":" if colon else ""
    raise ValueError(f"Expected the input image to be rank 3 or 4. Received{sep} inputs.shape={tuple(images.shape)}")


def draw_factor(layer: Any, images: torch.Tensor, shape: tuple, seed: Any) -> torch.Tensor:
    return uniform(shape, layer.factor[0], layer.factor[1], layer._generator_seed(seed), images.device)
