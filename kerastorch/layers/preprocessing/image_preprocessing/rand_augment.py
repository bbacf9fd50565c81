"""``RandAugment``: apply ``num_ops`` operations picked at random (per batch) from eleven augmentations.

The operations are Keras's list (shear, translation, rotation, brightness, colour degeneration,
contrast, sharpness, posterization, solarization, auto-contrast, equalization), each built with
the shared ``factor``/``value_range``. A transformation holds the picked indices and every
operation's own transformation, all drawn from this layer's SeedGenerator in Keras's order.
Only the picked operations run (Keras computes all eleven and selects, with the same result).
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.auto_contrast import AutoContrast
from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    compute_dtype_of,
    randint,
)
from kerastorch.layers.preprocessing.image_preprocessing.equalization import Equalization
from kerastorch.layers.preprocessing.image_preprocessing.random_brightness import RandomBrightness
from kerastorch.layers.preprocessing.image_preprocessing.random_color_degeneration import RandomColorDegeneration
from kerastorch.layers.preprocessing.image_preprocessing.random_contrast import RandomContrast
from kerastorch.layers.preprocessing.image_preprocessing.random_posterization import RandomPosterization
from kerastorch.layers.preprocessing.image_preprocessing.random_rotation import RandomRotation
from kerastorch.layers.preprocessing.image_preprocessing.random_sharpness import RandomSharpness
from kerastorch.layers.preprocessing.image_preprocessing.random_shear import RandomShear
from kerastorch.layers.preprocessing.image_preprocessing.random_translation import RandomTranslation
from kerastorch.layers.preprocessing.image_preprocessing.solarization import Solarization
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor


class RandAugment(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)
    _AUGMENT_LAYERS = ["random_shear", "random_translation", "random_rotation", "random_brightness",
                       "random_color_degeneration", "random_contrast", "random_sharpness", "random_posterization",
                       "solarization", "auto_contrast", "equalization"]

    def __init__(self, value_range: Any = (0, 255), num_ops: int = 2, factor: Any = 0.5,
                 interpolation: str = "bilinear", seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.num_ops = num_ops
        self._set_factor(factor)
        self.interpolation = interpolation
        self.seed = seed
        self.generator = SeedGenerator(seed)
        common = {"seed": seed, "data_format": data_format}
        colour = {"value_range": value_range, **common}
        ops = {
            "random_shear": RandomShear(x_factor=self.factor, y_factor=self.factor, interpolation=interpolation,
                                        **common),
            "random_translation": RandomTranslation(height_factor=self.factor, width_factor=self.factor,
                                                    interpolation=interpolation, **common),
            "random_rotation": RandomRotation(factor=self.factor, interpolation=interpolation, **common),
            "random_brightness": RandomBrightness(factor=self.factor, **colour),
            "random_color_degeneration": RandomColorDegeneration(factor=self.factor, **colour),
            "random_contrast": RandomContrast(factor=self.factor, **colour),
            "random_sharpness": RandomSharpness(factor=self.factor, **colour),
            "random_posterization": RandomPosterization(factor=max(1, int(8 * self.factor[1])), **colour),
            "solarization": Solarization(addition_factor=self.factor, threshold_factor=self.factor, **colour),
            "auto_contrast": AutoContrast(value_range=value_range, data_format=data_format),
            "equalization": Equalization(value_range=value_range, data_format=data_format),
        }
        # Plain attributes, outside torch's module registry: they hold no weights and the config
        # rebuilds them (Keras does not serialize them either).
        for name, layer in ops.items():
            self.__dict__[name] = layer

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training:
            return None
        images = self._images_of(data)
        indices = randint((self.num_ops,), 0, len(self._AUGMENT_LAYERS), self.generator, images.device)
        transforms = {name: getattr(self, name).get_random_transformation(data, training=training,
                                                                          seed=self.generator)
                      for name in self._AUGMENT_LAYERS}
        return {"transforms": transforms, "layer_idxes": indices}

    def _apply(self, values: Tensor, transformation: Any, method: str) -> Tensor:
        names = list(transformation["transforms"])
        # One small host read per batch (num_ops integers) to run only the picked operations.
        for index in as_images(transformation["layer_idxes"]).tolist():
            name = names[int(index)]
            values = getattr(getattr(self, name), method)(values, transformation["transforms"][name])
        return values

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        dtype = compute_dtype_of(self)
        images = as_images(images).to(dtype)
        if training:
            images = self._apply(images, transformation, "transform_images")
        return images.to(dtype)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        if training:
            return self._apply(as_images(segmentation_masks), transformation, "transform_segmentation_masks")
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range, "num_ops": self.num_ops,
                "factor": self.factor, "interpolation": self.interpolation, "seed": self.seed}
