"""``LeakyReLU``: ``x`` for ``x >= 0``, ``negative_slope * x`` otherwise.

Keras 3 default ``negative_slope=0.3``; the Keras 2 spelling ``alpha`` is accepted.
"""
from __future__ import annotations

import torch.nn.functional as F

from kerastorch.layers.layer import Layer


class LeakyReLU(Layer):
    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        if alpha is not None:  # Keras 2 spelling (tf.keras configs store it)
            negative_slope = alpha
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or negative. Expected a "
                             f"float. Received: negative_slope={negative_slope}")
        self.negative_slope = float(negative_slope)
        self.supports_masking = True

    def call(self, inputs):
        return F.leaky_relu(inputs, self.negative_slope)

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}
