"""``MixUp``: blend each image (and its label) with another image of the batch.

Per call: a permutation of the batch and ``Beta(alpha, alpha)`` weights, one per image; the
output is ``w * x + (1 - w) * x[perm]``, labels alike. Draws go through ``keras.random``'s
``shuffle`` and ``beta`` with the layer's SeedGenerator, as in Keras.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    compute_dtype_of,
)
from kerastorch.random import random as keras_random
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class MixUp(BaseImagePreprocessingLayer):
    def __init__(self, alpha: float = 0.2, data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.alpha = alpha
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        images = self._images_of(data)
        batch_size = 1 if images.ndim == 3 else int(images.shape[0])
        seed = self._generator_seed(seed)
        order = keras_random.shuffle(torch.arange(batch_size, dtype=torch.int64), seed=seed).to(images.device)
        weight = keras_random.beta((batch_size,), self.alpha, self.alpha, seed=seed).to(images.device)
        return {"mix_weight": weight, "permutation_order": order}

    def _mix(self, values: Tensor, transformation: Any, weight_shape: tuple) -> Tensor:
        weight = as_images(transformation["mix_weight"]).to(values.device)
        order = as_images(transformation["permutation_order"]).to(device=values.device, dtype=torch.int64)
        weight = weight.reshape(weight_shape).to(values.dtype)
        return weight * values + (1.0 - weight) * values.index_select(0, order)

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        images = as_images(images)
        if not training:
            return images
        return self._mix(images.to(compute_dtype_of(self)), transformation, (-1, 1, 1, 1))

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        labels = as_images(labels)
        if not training:
            return labels
        if not labels.is_floating_point():
            labels = labels.to(compute_dtype_of(self))
        return self._mix(labels, transformation, (-1, 1))

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        masks = as_images(segmentation_masks)
        if not training:
            return masks
        if not masks.is_floating_point():
            masks = masks.to(compute_dtype_of(self))
        return self._mix(masks, transformation, (-1, 1, 1, 1))

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha, "seed": self.seed}
