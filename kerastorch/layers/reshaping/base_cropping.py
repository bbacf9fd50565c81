"""``BaseCropping``: slice ``(before, after)`` off the spatial axes (Cropping1D/2D/3D); returns a view."""
from __future__ import annotations

import torch

import kerastorch.layers.reshaping.reshaping_utils as reshaping_utils
import kerastorch.layers.spatial_utils as spatial_utils
from kerastorch.backend.config import standardize_data_format
from kerastorch.layers.layer import Layer


class BaseCropping(Layer):
    def __init__(self, rank: int, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = standardize_data_format(data_format)
        self._pairs = (reshaping_utils.normalize_pair_1d(cropping, "cropping"),) if rank == 1 else \
            reshaping_utils.normalize_pairs(cropping, rank, "cropping")
        self._axes = reshaping_utils.spatial_axes(self.data_format, rank)

    @property
    def cropping(self):
        return self._pairs[0] if self.rank == 1 else self._pairs

    def _check_sizes(self, shape) -> None:
        for axis, (before, after) in zip(self._axes, self._pairs):
            if shape[axis] is not None and before + after >= shape[axis]:
                raise ValueError(f'Layer "{self.name}": `cropping` {self.cropping} is too large for the input shape '
                                 f"{tuple(shape)}: it would leave axis {axis} (size {shape[axis]}) empty.")

    def build(self, input_shape) -> None:
        spatial_utils.check_ndim(self, input_shape, self.rank + 2)
        self._check_sizes(input_shape)
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.ndim != self.rank + 2:
            spatial_utils.check_ndim(self, tuple(inputs.shape), self.rank + 2)
        self._check_sizes(inputs.shape)
        return reshaping_utils.crop_axes(inputs, self._axes, self._pairs)

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}
