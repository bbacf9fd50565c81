"""``Permute``: reorder the non-batch axes by ``dims`` (1-based, e.g. ``(2, 1)``); a zero-copy view."""
from __future__ import annotations

import torch

import kerastorch.layers.spatial_utils as spatial_utils
from kerastorch.layers.layer import Layer


class Permute(Layer):
    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` "
                             f"must be consecutive and start from 1. Received dims={dims}")
        self.dims = dims

    def build(self, input_shape) -> None:
        spatial_utils.check_ndim(self, input_shape, len(self.dims) + 1)
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.ndim != len(self.dims) + 1:
            spatial_utils.check_ndim(self, tuple(inputs.shape), len(self.dims) + 1)
        return inputs.permute(0, *self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}
