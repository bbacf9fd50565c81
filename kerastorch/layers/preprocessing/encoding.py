"""Integer ids → the output modes Keras's categorical layers share (``int``, ``one_hot``, ``multi_hot``,
``count``): used by CategoryEncoding, Discretization and the lookup layers, written once on ``keras.ops``."""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.ops import nn as nn_ops


def encode_categorical_inputs(inputs: torch.Tensor, output_mode: str, depth: int, dtype: Any,
                              count_weights: torch.Tensor | None = None) -> torch.Tensor:
    """Keras's ``numerical_utils.encode_categorical_inputs`` for dense tensors."""
    if output_mode == "int":
        return inputs.to(dtype)
    if inputs.ndim == 0:
        inputs = inputs.unsqueeze(-1)
    if output_mode == "multi_hot":
        return nn_ops.multi_hot(inputs, depth, dtype=dtype)
    if output_mode == "one_hot":
        if inputs.ndim > 1 and inputs.shape[-1] == 1:
            inputs = inputs.squeeze(-1)
        return nn_ops.one_hot(inputs, depth, dtype=dtype)
    if output_mode == "count":
        if count_weights is not None:
            dtype = count_weights.dtype
        one_hot = nn_ops.one_hot(inputs, depth, dtype=dtype)
        if count_weights is not None:
            one_hot = one_hot * count_weights.unsqueeze(-1)
        return one_hot.sum(dim=1 if inputs.ndim > 1 else 0)
    raise ValueError(f"Unknown output_mode {output_mode!r}: expected 'int', 'one_hot', 'multi_hot' or 'count'.")


def output_depth_shape(input_shape: tuple, output_mode: str, depth: int) -> tuple:
    """The output shape of ``encode_categorical_inputs`` for ``input_shape``."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if not input_shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(input_shape) > 1 and input_shape[-1] == 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    return input_shape[:-1] + (depth,)
