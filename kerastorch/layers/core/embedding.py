"""``Embedding``: map integer ids to dense vectors (``embeddings[ids]``).

Float ids are truncated to integers, as Keras casts them. ``mask_zero=True``
makes id 0 padding: the output mask is ``ids != 0``. An id outside
``[0, input_dim)`` raises a ValueError (converted from torch's IndexError, so
there is no extra check or host sync on the fast path).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from kerastorch import constraints, initializers, regularizers
from kerastorch.layers.core.lora import LoRAMixin
from kerastorch.layers.layer import Layer


class Embedding(LoRAMixin, Layer):
    """Map integer ids to dense vectors: ``embeddings[ids]``.

    Args:
        input_dim: Vocabulary size: ids must be in ``[0, input_dim)``.
        output_dim: Size of each vector.
        embeddings_initializer: Initializer of the ``(input_dim, output_dim)`` table
            (default uniform in ``[-0.05, 0.05]``).
        embeddings_regularizer: Regularizer of the table.
        embeddings_constraint: Constraint on the table.
        mask_zero: Treat id 0 as padding: the output carries the mask ``ids != 0`` for the
            layers that follow (id 0 is still looked up).
        weights: Optional initial table (Keras 2 argument).
        lora_rank, lora_alpha: Build with LoRA of this rank (the table frozen, a trainable
            low-rank update added; see ``enable_lora``). As in Keras 3.15, building with
            ``lora_rank`` resets ``lora_alpha`` to ``lora_rank``.
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``, ``input_length``...).

    Call arguments:
        inputs: Integer ids of any shape (floats are truncated).

    Input shape:
        ``(batch_size, ...)``.

    Output shape:
        ``(batch_size, ..., output_dim)``.

    Example:

    >>> layer = keras.layers.Embedding(100, 8, mask_zero=True)
    >>> y = layer(np.array([[4, 7, 0]]))
    >>> y.shape, y._keras_mask.tolist()
    (torch.Size([1, 3, 8]), [[True, True, False]])
    """
    _lora_target = "embeddings"
    _lora_prefix = "lora_embeddings"
    _lora_regularizer_attr = "embeddings_regularizer"
    _lora_constraint_attr = "embeddings_constraint"

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, lora_rank: int | None = None,
                 lora_alpha: float | None = None, quantization_config=None, **kwargs):
        input_length = kwargs.pop("input_length", None)  # Keras 2
        kwargs.pop("sparse", None)
        if input_length is not None and kwargs.get("input_shape") is None \
                and kwargs.get("batch_input_shape") is None:
            kwargs["input_shape"] = (input_length,)
        if weights is not None and not isinstance(weights, (list, tuple)):
            weights = [weights]
        super().__init__(weights=weights, **kwargs)
        if not isinstance(input_dim, int) or input_dim <= 0 or not isinstance(output_dim, int) or output_dim <= 0:
            raise ValueError("Both `input_dim` and `output_dim` should be positive integers. Received: "
                             f"input_dim={input_dim}, output_dim={output_dim}")
        if quantization_config is not None:
            raise ValueError(f'Embedding "{self.name}": quantization is not supported by kerastorch. Received: '
                             f"quantization_config={quantization_config!r}; pass None.")
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.input_length = input_length
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self._init_lora(lora_rank, lora_alpha)
        if weights is not None:
            self.build(None)
            self.built = True
            self.set_weights(weights)
            self._initial_weights = None

    def build(self, input_shape=None) -> None:
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          self.embeddings_initializer, self.embeddings_regularizer,
                                          self.embeddings_constraint)
        self.built = True
        if self.lora_rank:
            self.enable_lora(self.lora_rank)  # Keras 3.15 passes no lora_alpha here (it becomes the rank)

    def call(self, inputs):
        if inputs.dtype not in (torch.int64, torch.int32):
            inputs = inputs.to(torch.int64)
        try:
            return F.embedding(inputs, self._lora_weight() if self.lora_enabled else self.embeddings)
        except IndexError as e:
            ids = inputs.detach()
            raise ValueError(
                f'Embedding layer "{self.name}" received ids outside the valid range [0, {self.input_dim}) '
                f"(input_dim={self.input_dim}): min id {int(ids.min())}, max id {int(ids.max())}, input shape "
                f"{tuple(inputs.shape)}. Increase `input_dim` or fix the ids.") from e

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return inputs != 0

    def get_config(self) -> dict:
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
                "mask_zero": self.mask_zero, "quantization_config": None, **self._lora_config()}
