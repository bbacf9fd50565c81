"""``GlobalAveragePooling2D``: mean over the spatial axes of 2D (channels_last or channels_first) inputs."""
from __future__ import annotations

import torch

from kerastorch.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Mean of each channel over both spatial axes of 2D inputs.

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: Keep the spatial axes with size 1.
        **kwargs: Base layer arguments (``name``, ``dtype``...).

    Call arguments:
        inputs: A 4D tensor.

    Input shape:
        ``(batch_size, rows, cols, channels)`` (channels_last) or ``(batch_size, channels, rows, cols)``.

    Output shape:
        ``(batch_size, channels)``; with ``keepdims``, ``(batch_size, 1, 1, channels)``
        (channels_last) or ``(batch_size, channels, 1, 1)``.

    Example:

    >>> layer = keras.layers.GlobalAveragePooling2D()
    >>> layer(np.ones((2, 7, 7, 32), "float32")).shape
    torch.Size([2, 32])
    """
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return self._check(inputs).mean(dim=self._spatial_axes, keepdim=self.keepdims)
