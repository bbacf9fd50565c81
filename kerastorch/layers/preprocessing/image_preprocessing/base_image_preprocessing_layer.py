"""``BaseImagePreprocessingLayer``: the shared frame of Keras 3's image augmentation layers.

A call is split in two, as in Keras: ``get_random_transformation(data, training, seed)`` draws
one batch's parameters (a dict of tensors, same keys and meaning as Keras's, so a Keras
transformation can be fed to a kerastorch layer and vice versa), then ``transform_images`` /
``transform_labels`` / ``transform_segmentation_masks`` apply it. Inputs are one image (rank
3) or a batch (rank 4), or a dict with ``"images"`` and optionally ``"labels"`` and
``"segmentation_masks"``. Draws come from the layer's ``SeedGenerator`` (seeded by ``seed`` or,
unseeded, from Python's ``random`` that ``keras.utils.set_random_seed`` seeds) through a
``torch.Generator`` on the images' device: one draw per batch, no per-image host work, and on
CPU the same numbers as Keras on torch for the same seed.

Like Keras, a standalone call augments (``training`` defaults to True); inside a model the
model's flag wins, so ``predict``/``evaluate`` leave images untouched.
"""
from __future__ import annotations

import math
from typing import Any

import torch

from kerastorch.backend import config
from kerastorch.layers.layer import Layer
from kerastorch.ops.control import saturate_cast
from kerastorch.ops.core import convert_to_tensor
from kerastorch.random.seed_generator import torch_generator
from kerastorch.utils.bounding_boxes import densify_bounding_boxes

Tensor = torch.Tensor


def as_images(value: Any) -> Tensor:
    """A tensor from numpy / python input (tensors pass through untouched)."""
    if isinstance(value, torch.Tensor):
        return value
    return convert_to_tensor(value)


def uniform(shape: Any, minval: Any, maxval: Any, seed: Any, device: Any, dtype: torch.dtype = torch.float32
            ) -> Tensor:
    """``U[minval, maxval)`` on ``device``, sampled as Keras's torch backend does (same numbers on CPU)."""
    shape = tuple(int(d) for d in shape)
    values = torch.rand(shape or (1,), generator=torch_generator(seed, device), dtype=dtype, device=device)
    values = (maxval - minval) * values + minval
    return values if shape else values[0]


def randint(shape: Any, minval: int, maxval: int, seed: Any, device: Any, dtype: torch.dtype = torch.int32) -> Tensor:
    """Integers in ``[minval, maxval)`` on ``device``, sampled as Keras's torch backend does."""
    return torch.randint(int(minval), int(maxval), tuple(int(d) for d in shape),
                         generator=torch_generator(seed, device), dtype=dtype, device=device)


def check_value_range(layer: Any, value_range: Any) -> list:
    """``value_range`` sorted, or the Keras error for anything but two numbers."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError("The `value_range` argument should be a list of two numbers. "
                         f"Received: value_range={value_range}")
    return sorted(value_range)


def cast_back(results: Tensor, dtype: torch.dtype) -> Tensor:
    """``results`` in ``dtype``; integer targets are rounded and saturated first (Keras's rule)."""
    if results.dtype == dtype:
        return results
    if not dtype.is_floating_point:
        return saturate_cast(torch.round(results), dtype)
    return results.to(dtype)


def compute_dtype_of(layer: Layer) -> torch.dtype:
    return config.to_torch_dtype(layer.compute_dtype)


class BaseImagePreprocessingLayer(Layer):
    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS = (-1, 1)

    def __init__(self, factor: Any = None, bounding_box_format: str | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bounding_box_format = bounding_box_format
        self.data_format = config.standardize_data_format(data_format)
        if self._USE_BASE_FACTOR:
            self._set_factor(factor or 0.0)
        elif factor is not None:
            raise ValueError(f"Layer {type(self).__name__} does not take a `factor` argument. "
                             f"Received: factor={factor}")
        # A standalone call augments, as Keras's `training=True` default does; a model's
        # fit/predict push their own flag, which takes precedence.
        self.training = True

    def _set_factor(self, factor: Any) -> None:
        low_bound, high_bound = self._FACTOR_BOUNDS
        message = ("The `factor` argument should be a number (or a list of two numbers) in the range "
                   f"[{low_bound}, {high_bound}]. Received: factor={factor}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > high_bound or factor[1] < low_bound:
                raise ValueError(message)
            lower, upper = sorted(factor)
        elif isinstance(factor, (int, float)) and not isinstance(factor, bool):
            if factor < low_bound or factor > high_bound:
                raise ValueError(message)
            factor = abs(factor)
            lower, upper = max(-factor, low_bound), factor
        else:
            raise ValueError(message)
        self.factor = (lower, upper)

    def _axes(self) -> tuple[int, int]:
        """(height axis, width axis), counted from the end so they hold batched or not."""
        return (-2, -1) if self.data_format == "channels_first" else (-3, -2)

    def _height_width(self, shape: Any) -> tuple[int, int]:
        h_axis, w_axis = self._axes()
        return int(shape[h_axis]), int(shape[w_axis])

    @staticmethod
    def _images_of(data: Any) -> Tensor:
        return as_images(data["images"] if isinstance(data, dict) else data)

    def _generator_seed(self, seed: Any) -> Any:
        return self.generator if seed is None else seed

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        return None

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement `_transform_images` or `transform_images`.")

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
        images = as_images(images).to(compute_dtype_of(self))
        if training:
            images = self._transform_images(images, transformation, self.interpolation)
        return images

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not transform labels.")

    def transform_bounding_boxes(self, bounding_boxes: Any, transformation: Any, training: bool = True) -> Any:
        # As in Keras: a layer that moves pixels but has no box rule must not return stale boxes.
        raise NotImplementedError(f"{type(self).__name__} does not transform bounding boxes (Keras 3.15's layer "
                                  "does not either). Pass only 'images', 'labels' and 'segmentation_masks'.")

    def _height_width_of(self, transformation_shape: Any) -> tuple[int, int]:
        h_axis, w_axis = self._axes()
        return int(transformation_shape[h_axis]), int(transformation_shape[w_axis])

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any,
                                     training: bool = True) -> Tensor:
        if training:
            segmentation_masks = self._transform_images(as_images(segmentation_masks), transformation, "nearest")
        return segmentation_masks

    def _single(self, method: Any, value: Tensor, transformation: Any, training: bool) -> Tensor:
        return method(value.unsqueeze(0), transformation, training=training).squeeze(0)

    @staticmethod
    def _is_batched(images: Tensor) -> bool:
        if images.ndim == 3:
            return False
        if images.ndim == 4:
            return True
        raise ValueError("Expected image tensor to have rank 3 (single image) or 4 (batch of images). "
                         f"Received: data.shape={tuple(images.shape)}")

    def call(self, data: Any, training: bool = True) -> Any:
        transformation = self.get_random_transformation(data, training=training)
        if not isinstance(data, dict):
            images = as_images(data)
            if self._is_batched(images):
                return self.transform_images(images, transformation, training=training)
            return self._single(self.transform_images, images, transformation, training)
        if "images" not in data:
            raise ValueError("A dict input to an image preprocessing layer needs an 'images' key. "
                             f"Received keys: {sorted(data)}")
        out = dict(data)  # Keras edits the caller's dict in place; a copy leaves it intact
        images = as_images(data["images"])
        batched = self._is_batched(images)

        def apply(method: Any, value: Any) -> Any:
            value = as_images(value)
            if batched:
                return method(value, transformation, training=training)
            return self._single(method, value, transformation, training)

        out["images"] = apply(self.transform_images, images)
        if "bounding_boxes" in data:
            if not self.bounding_box_format:
                raise ValueError("You passed an input with a 'bounding_boxes' key, but you didn't specify a "
                                 f"bounding box format. Pass a `bounding_box_format` argument to your "
                                 f"{type(self).__name__} layer, e.g. `bounding_box_format='xyxy'`.")
            boxes = densify_bounding_boxes(data["bounding_boxes"], is_batched=batched)
            if batched:
                out["bounding_boxes"] = self.transform_bounding_boxes(boxes, transformation, training=training)
            else:
                # One image: boxes (num_boxes, 4) go through the batched rule as a batch of one.
                single = {k: (v.unsqueeze(0) if k in ("boxes", "labels") else v) for k, v in boxes.items()}
                single = self.transform_bounding_boxes(single, transformation, training=training)
                out["bounding_boxes"] = {k: (v.squeeze(0) if k in ("boxes", "labels") else v)
                                         for k, v in single.items()}
        if "labels" in data:
            out["labels"] = apply(self.transform_labels, data["labels"])
        if "segmentation_masks" in data:
            out["segmentation_masks"] = apply(self.transform_segmentation_masks, data["segmentation_masks"])
        return out

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config_ = {**super().get_config(), "data_format": self.data_format}
        if self.bounding_box_format is not None:
            config_["bounding_box_format"] = self.bounding_box_format
        return config_

    def _transform_value_range(self, images: Tensor, original_range: Any, target_range: Any,
                               dtype: torch.dtype = torch.float32) -> Tensor:
        """Map values linearly from ``original_range`` to ``target_range``."""
        if original_range[0] == target_range[0] and original_range[1] == target_range[1]:
            return images
        images = images.to(dtype)
        low, high = float(original_range[0]), float(original_range[1])
        images = (images - low) / (high - low)
        return images * (float(target_range[1]) - float(target_range[0])) + float(target_range[0])

    def _compute_affine_matrix(self, center_x: float, center_y: float, angle: Tensor, translate_x: Tensor,
                               translate_y: Tensor, scale: Tensor, shear_x: Tensor, shear_y: Tensor,
                               height: int, width: int) -> Tensor:
        """Per-image ``[a0, a1, a2, b0, b1, b2, 0, 0]``: scale x shear x rotation about the centre.

        Angles in degrees; the centre is given as a fraction of ``(width - 1, height - 1)``.
        """
        to_radians = math.pi / 180.0
        angle = angle * to_radians
        cx = center_x * (width - 1)
        cy = center_y * (height - 1)
        cos, sin = torch.cos(angle), torch.sin(angle)
        tan_x, tan_y = torch.tan(shear_x * to_radians), torch.tan(shear_y * to_radians)
        a0 = scale * (cos + tan_x * sin)
        a1 = scale * (-sin + tan_x * cos)
        a2 = translate_x + cx - cx * a0 - cy * a1
        b0 = scale * (tan_y * cos + sin)
        b1 = scale * (tan_y * -sin + cos)
        b2 = translate_y + cy - cx * b0 - cy * b1
        zeros = torch.zeros_like(a0)
        return torch.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], dim=1)
