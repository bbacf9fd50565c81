"""``BaseZeroPadding``: zero-pad the spatial axes by ``(before, after)`` pairs (ZeroPadding1D/2D/3D)."""
from __future__ import annotations

import torch

import kerastorch.layers.reshaping.reshaping_utils as reshaping_utils
import kerastorch.layers.spatial_utils as spatial_utils
from kerastorch.backend.config import standardize_data_format
from kerastorch.layers.layer import Layer


class BaseZeroPadding(Layer):
    def __init__(self, rank: int, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = standardize_data_format(data_format)
        self._pairs = (reshaping_utils.normalize_pair_1d(padding, "padding"),) if rank == 1 else \
            reshaping_utils.normalize_pairs(padding, rank, "padding")
        self._axes = reshaping_utils.spatial_axes(self.data_format, rank)

    @property
    def padding(self):
        return self._pairs[0] if self.rank == 1 else self._pairs

    def build(self, input_shape) -> None:
        spatial_utils.check_ndim(self, input_shape, self.rank + 2)
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.ndim != self.rank + 2:
            spatial_utils.check_ndim(self, tuple(inputs.shape), self.rank + 2)
        return reshaping_utils.pad_axes(inputs, self._axes, self._pairs)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}
