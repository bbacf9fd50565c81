"""``BaseAdaptivePooling``: pool to a fixed output size whatever the input's spatial size.

The windows are torch's adaptive ones (``floor(i * n / out)`` to ``ceil((i + 1) * n / out)``),
which is what Keras's torch backend runs too (``keras.ops.adaptive_*_pool``). ``output_size``
is normalized to a tuple of ``rank`` ints at construction, and stored that way in the config.
"""
from __future__ import annotations

import torch

import kerastorch.ops.nn as nn_ops
from kerastorch.backend import config
from kerastorch.layers.layer import Layer


def _output_size(output_size, rank: int, cls_name: str) -> tuple[int, ...]:
    if isinstance(output_size, int) and not isinstance(output_size, bool):
        return (output_size,) * rank
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != rank:
            raise ValueError(f"{cls_name}: for {rank}D input, `output_size` tuple must have length {rank}. "
                             f"Received: {output_size}")
        return tuple(int(v) for v in output_size)
    raise TypeError(f"{cls_name}: `output_size` must be an integer or tuple of {rank} integers. "
                    f"Received: {output_size} of type {type(output_size)}")


class BaseAdaptivePooling(Layer):
    _rank = 0
    _mode = "average"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.output_size = _output_size(output_size, self._rank, type(self).__name__)
        self.data_format = data_format or config.image_data_format()
        if self.data_format not in ("channels_first", "channels_last"):
            raise ValueError(f"Invalid data_format: {self.data_format}. Expected 'channels_first' or "
                             "'channels_last'.")

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.ndim != self._rank + 2:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                             f"ndim={self._rank + 2}, found ndim={inputs.ndim}. Full shape received: "
                             f"{tuple(inputs.shape)}")
        pool = nn_ops.adaptive_average_pool if self._mode == "average" else nn_ops.adaptive_max_pool
        return pool(inputs, output_size=self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self) -> dict:
        return {**super().get_config(), "output_size": self.output_size, "data_format": self.data_format}
