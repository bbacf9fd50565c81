"""``AdditiveAttention`` (Bahdanau-style): ``scores = sum(scale * tanh(query + key), axis=-1)``.

``scale`` is a ``(dim,)`` weight (glorot-uniform) when ``use_scale=True`` (the default).
Masking, dropout and outputs follow :class:`Attention`.
"""
from __future__ import annotations

import torch

from kerastorch.layers.attention.attention import Attention


class AdditiveAttention(Attention):
    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs):
        kwargs.pop("score_mode", None)
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape) -> None:
        self._validate_inputs(input_shape)
        dim = input_shape[0][-1]
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight("scale", (dim,), "glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        q = query.unsqueeze(-2)
        k = key.unsqueeze(-3)
        t = torch.tanh(q + k)
        if self.scale is not None:
            return torch.matmul(t, self.scale)
        return torch.sum(t, dim=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["score_mode"]
        return config
