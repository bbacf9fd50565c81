"""``BasePooling``: N-D max/average pooling with TensorFlow "same" semantics.

"same" output length is ``ceil(n / stride)`` with the extra padding element at the end.
Max pooling pads with ``-inf``; average pooling averages only the valid (non-padded)
elements of each window, as TensorFlow and Keras 2 do (Keras 3 on torch instead
replicates the border when the padding is asymmetric).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

import kerastorch.layers.spatial_utils as spatial_utils
from kerastorch.backend import config
from kerastorch.layers.layer import Layer

_MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


class BasePooling(Layer):
    def __init__(self, pool_size, strides, rank: int, pool_mode: str = "max", padding="valid",
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        if pool_mode not in ("max", "average"):
            raise ValueError(f"`pool_mode` must be either 'max' or 'average'. Received: {pool_mode!r}.")
        self.rank = rank
        self.pool_mode = pool_mode
        self.pool_size = spatial_utils.standardize_tuple(pool_size, rank, "pool_size")
        self.strides = self.pool_size if strides is None else spatial_utils.standardize_tuple(strides, rank, "strides")
        self.padding = spatial_utils.standardize_padding(padding)
        self.data_format = config.standardize_data_format(data_format)

    def build(self, input_shape) -> None:
        spatial_utils.check_ndim(self, input_shape, self.rank + 2)
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        for size, k, s in zip(spatial, self.pool_size, self.strides):
            out = spatial_utils.conv_output_length(size, k, self.padding, s)
            if out is not None and out <= 0:
                raise ValueError(f'Computed output size of layer "{self.name}" would be zero or negative: the '
                                 f"input shape {tuple(input_shape)} is too small for pool_size={self.pool_size} "
                                 f"with padding={self.padding!r}.")
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.ndim != self.rank + 2:
            spatial_utils.check_ndim(self, tuple(inputs.shape), self.rank + 2)
        x = inputs if inputs.is_floating_point() else inputs.to(config.to_torch_dtype(config.floatx()))
        if self.data_format == "channels_last":
            x = spatial_utils.to_channels_first(x)
        y = self._max_pool(x) if self.pool_mode == "max" else self._avg_pool(x)
        if self.data_format == "channels_last":
            y = spatial_utils.to_channels_last(y)
        return y

    def _same_pads(self, x: torch.Tensor):
        return spatial_utils.spatial_padding(x.shape[2:], self.pool_size, self.strides)

    def _max_pool(self, x: torch.Tensor) -> torch.Tensor:
        pool = _MAX_POOL[self.rank]
        if self.padding == "valid":
            return pool(x, self.pool_size, self.strides)
        pads = self._same_pads(x)
        if all(before == after for before, after in pads):
            return pool(x, self.pool_size, self.strides, tuple(before for before, _ in pads))
        return pool(spatial_utils.pad_spatial(x, pads, float("-inf")), self.pool_size, self.strides)

    def _avg_pool(self, x: torch.Tensor) -> torch.Tensor:
        pool = _AVG_POOL[self.rank]
        if self.padding == "valid":
            return pool(x, self.pool_size, self.strides)
        pads = self._same_pads(x)
        if all(before == after for before, after in pads):
            return pool(x, self.pool_size, self.strides, tuple(before for before, _ in pads),
                        count_include_pad=False)
        # Asymmetric: zero-pad, average, and rescale by the fraction of valid elements per window.
        ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype, device=x.device)
        valid_fraction = pool(spatial_utils.pad_spatial(ones, pads), self.pool_size, self.strides)
        return pool(spatial_utils.pad_spatial(x, pads), self.pool_size, self.strides) / valid_fraction

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}
