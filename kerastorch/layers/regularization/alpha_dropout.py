"""``AlphaDropout``: dropout for SELU networks that keeps the mean and variance of the inputs.

Dropped entries are set to ``-alpha * scale`` of SELU, then an affine map restores
the statistics (Keras's formula). Identity at inference.
"""
from __future__ import annotations

import torch

from kerastorch.layers.layer import Layer
from kerastorch.layers.regularization._random import SeedStream, concrete_noise_shape

_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate}")
        self.rate = float(rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        self._stream = SeedStream(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or not 0 < self.rate < 1:
            return inputs
        shape = concrete_noise_shape(inputs, self.noise_shape, self.name)
        u = torch.rand(shape, dtype=inputs.dtype, device=inputs.device,
                       generator=self._stream.generator(inputs.device))
        kept = (u >= self.rate).to(inputs.dtype)
        alpha_p = -_ALPHA * _SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": list(self.noise_shape) if self.noise_shape is not None else None, "seed": self.seed}
