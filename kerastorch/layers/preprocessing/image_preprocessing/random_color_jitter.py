"""``RandomColorJitter``: RandomBrightness, RandomContrast, RandomSaturation and RandomHue in that
order, each only when its factor is given.

The inner layers do the maths; every draw comes from this layer's own SeedGenerator (as in
Keras), so one seed fixes the whole chain.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    compute_dtype_of,
)
from kerastorch.layers.preprocessing.image_preprocessing.random_brightness import RandomBrightness
from kerastorch.layers.preprocessing.image_preprocessing.random_contrast import RandomContrast
from kerastorch.layers.preprocessing.image_preprocessing.random_hue import RandomHue
from kerastorch.layers.preprocessing.image_preprocessing.random_saturation import RandomSaturation
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class RandomColorJitter(BaseImagePreprocessingLayer):
    def __init__(self, value_range: Any = (0, 255), brightness_factor: Any = None, contrast_factor: Any = None,
                 saturation_factor: Any = None, hue_factor: Any = None, seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        self.seed = seed
        self.generator = SeedGenerator(seed)
        common = {"value_range": value_range, "seed": seed}
        # Kept out of torch's module registry (no weights; the config rebuilds them).
        self.__dict__["_steps"] = [
            cls(factor=factor, **common)
            for cls, factor in ((RandomBrightness, brightness_factor), (RandomContrast, contrast_factor),
                                (RandomSaturation, saturation_factor), (RandomHue, hue_factor))
            if factor is not None
        ]

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        images = as_images(images)
        if not training:
            return images
        dtype = compute_dtype_of(self)
        images = images.to(dtype)
        for step in self._steps:
            step_transformation = step.get_random_transformation(images, seed=self.generator)
            if isinstance(step, RandomContrast):
                step_transformation["contrast_factor"] = step_transformation["contrast_factor"].to(dtype)
            images = step.transform_images(images, step_transformation)
        return images.to(dtype)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range, "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor, "saturation_factor": self.saturation_factor,
                "hue_factor": self.hue_factor, "seed": self.seed}
