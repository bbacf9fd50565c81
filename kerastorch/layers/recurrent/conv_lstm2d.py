"""``ConvLSTM2D``: 2D convolutional LSTM over inputs ``(batch, time, rows, cols, channels)`` (channels_last)."""
from __future__ import annotations

from kerastorch.layers.recurrent.conv_lstm import ConvLSTM


class ConvLSTM2D(ConvLSTM):
    """Takes every ``ConvLSTM`` argument (Keras's names and defaults) except ``rank``."""

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(2, filters, kernel_size, **kwargs)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return cls(**config)
