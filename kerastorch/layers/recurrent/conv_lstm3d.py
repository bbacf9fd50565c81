"""``ConvLSTM3D``: 3D convolutional LSTM over inputs ``(batch, time, d1, d2, d3, channels)`` (channels_last)."""
from __future__ import annotations

from kerastorch.layers.recurrent.conv_lstm import ConvLSTM


class ConvLSTM3D(ConvLSTM):
    """Takes every ``ConvLSTM`` argument (Keras's names and defaults) except ``rank``."""

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(3, filters, kernel_size, **kwargs)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return cls(**config)
