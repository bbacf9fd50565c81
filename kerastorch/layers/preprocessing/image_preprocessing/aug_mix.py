"""``AugMix``: mix ``num_chains`` chains of random augmentations with the original image.

As Keras: each chain applies up to ``chain_depth`` operations picked with Python's ``random``
(a pick may be "none"), chain outputs are summed with Dirichlet(``alpha``) weights, and the sum
is blended with the input by a Beta(``alpha``, ``alpha``) weight, then clipped to
``value_range``. The operations are Keras's sub-layers (shear, translation, rotation,
posterization, solarization, auto-contrast, equalization and, with ``all_ops``, brightness,
colour degeneration, contrast, sharpness) built with the shared ``factor``; every draw comes
from this layer's SeedGenerator in Keras's order, so seeded runs (with Python's ``random``
seeded too, as ``keras.utils.set_random_seed`` does) match Keras's.
"""
from __future__ import annotations

import random as py_random
from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.auto_contrast import AutoContrast
from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
    compute_dtype_of,
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
from kerastorch.random import random as random_ops
from kerastorch.random.seed_generator import SeedGenerator

Tensor = torch.Tensor

AUGMENT_LAYERS_ALL = ["random_shear", "random_translation", "random_rotation", "random_posterization", "solarization",
                      "auto_contrast", "equalization", "random_brightness", "random_color_degeneration",
                      "random_contrast", "random_sharpness"]
AUGMENT_LAYERS = AUGMENT_LAYERS_ALL[:7]


class AugMix(BaseImagePreprocessingLayer):
    """AugMix (Hendrycks et al., 2020) on a batch of images.

    Args:
        value_range: the images' value range (used by the colour operations and the final clip).
        num_chains: augmentation chains mixed together.
        chain_depth: operations drawn per chain (each draw may be "none").
        factor: strength shared by the operations, a number or ``(low, high)`` in [0, 1].
        alpha: concentration of the Dirichlet chain weights and of the Beta blending weight.
        all_ops: include brightness, colour degeneration, contrast and sharpness.
        interpolation: resampling of the geometric operations.
        seed: seed of the layer's draws.
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, value_range: Any = (0, 255), num_chains: int = 3, chain_depth: int = 3, factor: Any = 0.3,
                 alpha: float = 1.0, all_ops: bool = True, interpolation: str = "bilinear", seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.num_chains = num_chains
        self.chain_depth = chain_depth
        self._set_factor(factor)
        self.alpha = alpha
        self.all_ops = all_ops
        self.interpolation = interpolation
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self._augment_layers = AUGMENT_LAYERS_ALL if all_ops else AUGMENT_LAYERS
        common = {"seed": seed, "data_format": data_format}
        colour = {"value_range": value_range, **common}
        ops = {
            "random_shear": RandomShear(x_factor=self.factor, y_factor=self.factor, interpolation=interpolation,
                                        **common),
            "random_translation": RandomTranslation(height_factor=self.factor, width_factor=self.factor,
                                                    interpolation=interpolation, **common),
            "random_rotation": RandomRotation(factor=self.factor, interpolation=interpolation, **common),
            "solarization": Solarization(addition_factor=self.factor, threshold_factor=self.factor, **colour),
            "random_posterization": RandomPosterization(factor=max(1, int(8 * self.factor[1])), **colour),
            "auto_contrast": AutoContrast(value_range=value_range, data_format=data_format),
            "equalization": Equalization(value_range=value_range, data_format=data_format),
        }
        if all_ops:
            ops.update({
                "random_brightness": RandomBrightness(factor=self.factor, **colour),
                "random_color_degeneration": RandomColorDegeneration(factor=self.factor, **colour),
                "random_contrast": RandomContrast(factor=self.factor, **colour),
                "random_sharpness": RandomSharpness(factor=self.factor, **colour),
            })
        # Plain attributes, outside torch's module registry: they hold no weights and the config
        # rebuilds them (Keras does not serialize them either).
        for name, layer in ops.items():
            self.__dict__[name] = layer

    def build(self, input_shape: Any) -> None:
        self.built = True

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        if not training:
            return None
        seed = seed or self.generator
        gamma = random_ops.gamma((self.num_chains,), alpha=self.alpha, seed=seed)
        chain_mixing_weights = gamma / gamma.sum(dim=-1, keepdim=True)
        weight_sample = random_ops.beta((), alpha=self.alpha, beta=self.alpha, seed=seed)
        chain_transforms = []
        for _ in range(self.num_chains):
            depth_transforms = []
            for _ in range(self.chain_depth):
                # Python's `random`, as Keras: keras.utils.set_random_seed seeds it.
                layer_name = py_random.choice(self._augment_layers + [None])
                if layer_name is None:
                    continue
                layer = getattr(self, layer_name)
                depth_transforms.append({"layer_name": layer_name,
                                         "transformation": layer.get_random_transformation(data, seed=self.generator)})
            chain_transforms.append(depth_transforms)
        return {"chain_mixing_weights": chain_mixing_weights, "weight_sample": weight_sample,
                "chain_transforms": chain_transforms}

    def _mix(self, values: Tensor, transformation: Any, method: str) -> Tensor:
        dtype = compute_dtype_of(self)
        weights = as_images(transformation["chain_mixing_weights"]).to(device=values.device, dtype=dtype)
        weight_sample = as_images(transformation["weight_sample"]).to(device=values.device, dtype=dtype)
        mixed = torch.zeros_like(values)
        for index, chain in enumerate(transformation["chain_transforms"]):
            chained = values.clone()
            for step in chain:
                chained = getattr(getattr(self, step["layer_name"]), method)(chained, step["transformation"])
            mixed = mixed + chained * weights[index]
        return weight_sample * values + (1 - weight_sample) * mixed

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
        dtype = compute_dtype_of(self)
        images = as_images(images)
        if training:
            images = self._mix(images.to(dtype), transformation, "transform_images")
            images = torch.clamp(images, self.value_range[0], self.value_range[1])
        return images.to(dtype)

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        return labels

    def transform_bounding_boxes(self, bounding_boxes: Any, transformation: Any, training: bool = True) -> Any:
        # Keras 3.15 returns the boxes unchanged (even where a chain moved the pixels).
        return bounding_boxes

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Any:
        if training:
            return self._mix(as_images(segmentation_masks), transformation, "transform_segmentation_masks")
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range, "num_chains": self.num_chains,
                "chain_depth": self.chain_depth, "factor": self.factor, "alpha": self.alpha,
                "all_ops": self.all_ops, "interpolation": self.interpolation, "seed": self.seed}
