"""``Flatten``: ``(batch, ...)`` -> ``(batch, prod(...))``.

With ``data_format="channels_first"`` the input is first moved to channels_last, so the
flattened order is ``(..., C)`` as in Keras; the default (channels_last) flattens the
axes in their given order.
"""
from __future__ import annotations

import math

import torch

import kerastorch.layers.spatial_utils as spatial_utils
from kerastorch.backend.config import standardize_data_format
from kerastorch.layers.layer import Layer


class Flatten(Layer):
    """Flatten every axis but the batch axis: ``(batch, d1, ..., dn)`` -> ``(batch, d1 * ... * dn)``.

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``; channels_first
            inputs are flattened in channels_last order, as Keras does, so weights that follow
            work with either layout.
        **kwargs: Base layer arguments (``name``, ``dtype``...).

    Call arguments:
        inputs: A tensor of rank 2 or more (a 1D input gets a trailing axis of size 1).

    Input shape:
        ``(batch_size, ...)``.

    Output shape:
        ``(batch_size, product of the other axes)``.

    Example:

    >>> layer = keras.layers.Flatten()
    >>> layer(np.ones((2, 3, 4), "float32")).shape
    torch.Size([2, 12])
    """
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)

    def build(self, input_shape) -> None:
        if input_shape is None or len(input_shape) < 1:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                             f"min_ndim=1, found ndim=0. Full shape received: {input_shape}")
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        x = inputs
        if self.data_format == "channels_first" and x.ndim > 2:
            x = spatial_utils.to_channels_last(x)
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}
