"""``AveragePooling2D``: 2D average (over valid elements only for "same" padding) pooling."""
from __future__ import annotations

from kerastorch.layers.pooling.base_pooling import BasePooling


class AveragePooling2D(BasePooling):
    """Mean over ``pool_size`` windows of each channel of 2D inputs.

    Args:
        pool_size: Window size, an int for both axes or a 2-tuple.
        strides: Step between windows (default: ``pool_size``).
        padding: ``"valid"`` or ``"same"`` (TensorFlow's: output ``ceil(n / stride)``; padded positions
            are left out of each mean).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: Base layer arguments (``name``, ``dtype``...).

    Call arguments:
        inputs: A 4D tensor.

    Input shape:
        ``(batch_size, rows, cols, channels)`` (channels_last) or ``(batch_size, channels, rows, cols)``.

    Output shape:
        ``(batch_size, pooled_rows, pooled_cols, channels)`` (channels_last) or
        ``(batch_size, channels, pooled_rows, pooled_cols)``.

    Example:

    >>> layer = keras.layers.AveragePooling2D(pool_size=3, strides=1, padding="same")
    >>> layer(np.ones((2, 5, 5, 3), "float32")).shape
    torch.Size([2, 5, 5, 3])
    """
    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, 2, pool_mode="average", padding=padding, data_format=data_format,
                         name=name, **kwargs)
