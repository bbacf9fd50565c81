"""``GaussianDropout``: in training, multiply by ``N(1, sqrt(rate / (1 - rate)))`` noise; identity at inference."""
from __future__ import annotations

import math

import torch

from kerastorch.layers.layer import Layer
from kerastorch.layers.regularization._random import SeedStream


class GaussianDropout(Layer):
    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate}")
        self.rate = float(rate)
        self.seed = seed
        self._stream = SeedStream(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or not 0 < self.rate < 1:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = torch.randn(inputs.shape, dtype=inputs.dtype, device=inputs.device,
                            generator=self._stream.generator(inputs.device))
        return inputs * (noise * stddev + 1.0)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
