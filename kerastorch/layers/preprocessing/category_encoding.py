"""``CategoryEncoding``: integer category ids (0 … ``num_tokens``-1) as one-hot, multi-hot or count vectors."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch.backend import config
from kerastorch.layers.layer import Layer
from kerastorch.layers.preprocessing.encoding import encode_categorical_inputs, output_depth_shape


class CategoryEncoding(Layer):
    """Encode integer features as dense vectors of length ``num_tokens``.

    Args:
        num_tokens: number of categories; inputs must lie in ``[0, num_tokens)``.
        output_mode: ``"multi_hot"`` (default; Keras 2's ``"binary"`` is accepted), ``"one_hot"`` or ``"count"``.
        sparse: accepted for Keras compatibility; torch sparse outputs are not produced, so it must be False.

    Call arguments:
        inputs: integer tensor (or array) of ids, rank 0 to 2.
        count_weights: with ``output_mode="count"``, a weight per input id summed instead of 1.

    Example:
        >>> CategoryEncoding(num_tokens=4, output_mode="multi_hot")([[0, 1], [0, 0], [1, 2], [3, 1]])
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot", sparse: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("`sparse=True` is not supported: kerastorch produces dense outputs only. "
                             "Use the dense output (sparse=False).")
        self.num_tokens, self.output_mode, self.sparse = num_tokens, output_mode, sparse

    def build(self, input_shape: Any) -> None:
        self.built = True

    def _convert_inputs(self, inputs: Any) -> torch.Tensor:
        # Nested lists are one array of values here (Keras's docstring calls), not a structure of inputs.
        return torch.as_tensor(np.asarray(inputs))

    def call(self, inputs: Any, count_weights: Any = None) -> torch.Tensor:
        inputs = torch.as_tensor(np.asarray(inputs)) if not isinstance(inputs, torch.Tensor) else inputs
        dtype = config.to_torch_dtype(self._variable_dtype())
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError("`count_weights` is not used when `output_mode` is not `'count'`. "
                                 f"Received `count_weights={count_weights}`.")
            count_weights = torch.as_tensor(count_weights, dtype=dtype, device=inputs.device)
        return encode_categorical_inputs(inputs.long(), self.output_mode, self.num_tokens, dtype, count_weights)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return output_depth_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode}
