"""``ConvLSTM1D``: 1D convolutional LSTM over inputs ``(batch, time, steps, channels)`` (channels_last)."""
from __future__ import annotations

from kerastorch.layers.recurrent.conv_lstm import ConvLSTM


class ConvLSTM1D(ConvLSTM):
    """Takes every ``ConvLSTM`` argument (Keras's names and defaults) except ``rank``."""

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(1, filters, kernel_size, **kwargs)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return cls(**config)
