"""``GaussianNoise``: in training, add zero-mean normal noise with ``stddev``; identity at inference."""
from __future__ import annotations

import torch

from kerastorch.layers.layer import Layer
from kerastorch.layers.regularization._random import SeedStream


class GaussianNoise(Layer):
    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= stddev:
            raise ValueError(f"Invalid value received for argument `stddev`. Expected a float value >= 0. "
                             f"Received: stddev={stddev}")
        self.stddev = float(stddev)
        self.seed = seed
        self._stream = SeedStream(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        noise = torch.randn(inputs.shape, dtype=inputs.dtype, device=inputs.device,
                            generator=self._stream.generator(inputs.device))
        return inputs + noise * self.stddev

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}
