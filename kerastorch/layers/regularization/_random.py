"""Seeded random streams for the noise layers.

A layer built with ``seed=None`` draws from torch's global generator (so
``torch.manual_seed`` makes runs reproducible); with a seed it owns a
``torch.Generator`` per device, seeded once, so its stream is repeatable.
"""
from __future__ import annotations

import torch


class SeedStream:
    def __init__(self, seed):
        self.seed = seed
        self._generators: dict = {}

    def generator(self, device: torch.device):
        if self.seed is None:
            return None
        key = str(device)
        g = self._generators.get(key)
        if g is None:
            g = torch.Generator(device=device)
            g.manual_seed(int(self.seed))
            self._generators[key] = g
        return g


def keep_mask(shape, keep_prob: float, like: torch.Tensor, stream: SeedStream) -> torch.Tensor:
    """A float 0/1 tensor of ``shape``, 1 with probability ``keep_prob``."""
    u = torch.empty(shape, dtype=like.dtype if like.is_floating_point() else torch.float32, device=like.device)
    return u.bernoulli_(keep_prob, generator=stream.generator(like.device))


def concrete_noise_shape(inputs: torch.Tensor, noise_shape, layer_name: str) -> tuple:
    if noise_shape is None:
        return tuple(inputs.shape)
    if len(noise_shape) != inputs.ndim:
        raise ValueError(f'Layer "{layer_name}": noise_shape {tuple(noise_shape)} must have one entry per input '
                         f"dimension; received inputs of shape {tuple(inputs.shape)}.")
    return tuple(inputs.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))
