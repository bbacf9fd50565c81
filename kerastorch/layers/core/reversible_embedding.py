"""``ReversibleEmbedding``: an Embedding that can also project hidden states back to vocabulary logits.

``layer(ids)`` is the embedding lookup; ``layer(hidden, reverse=True)`` is
``hidden @ embeddings.T`` (tied weights, the default) or ``hidden @ reverse_embeddings``
(``tie_weights=False``: a second ``(output_dim, input_dim)`` weight with the same initializer),
optionally computed in ``reverse_dtype`` and soft-capped as ``tanh(logits / cap) * cap``.

Masks: Keras attaches the ``ids != 0`` mask to the forward output only. Here the mask is
computed from integer inputs (ids) only, so a reverse call on float hidden states carries none.
Quantized (int8/int4) modes are not implemented, as for Embedding.
"""
from __future__ import annotations

import torch

from kerastorch.backend import config
from kerastorch.layers.core.embedding import Embedding


class ReversibleEmbedding(Embedding):
    """Token embedding whose transpose maps hidden states back to logits (``reverse=True``).

    Example:

    >>> layer = keras.layers.ReversibleEmbedding(10, 4)
    >>> hidden = layer(np.array([[1, 2, 3]]))
    >>> layer(hidden, reverse=True).shape
    torch.Size([1, 3, 10])
    """

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero, **kwargs)
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None) -> None:
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight("reverse_embeddings", (self.output_dim, self.input_dim),
                                                      self.embeddings_initializer, trainable=True)

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        if self.tie_weights:
            kernel = (self._lora_weight() if self.lora_enabled else self.embeddings).transpose(0, 1)
        else:
            kernel = self.reverse_embeddings
        if self.reverse_dtype is not None:
            dtype = config.to_torch_dtype(self.reverse_dtype)
            inputs, kernel = inputs.to(dtype), kernel.to(dtype)
        elif inputs.dtype != kernel.dtype:
            kernel = kernel.to(inputs.dtype)
        logits = torch.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = torch.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs, mask=None):
        # Forward calls take integer ids; reverse calls take float hidden states and give no mask.
        if not self.mask_zero or inputs.is_floating_point():
            return None
        return inputs != 0

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return (*tuple(input_shape)[:-1], self.input_dim)
        return (*tuple(input_shape), self.output_dim)

    def get_config(self) -> dict:
        return {**super().get_config(), "tie_weights": self.tie_weights, "reverse_dtype": self.reverse_dtype,
                "logit_soft_cap": self.logit_soft_cap}
