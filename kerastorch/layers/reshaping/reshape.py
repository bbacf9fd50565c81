"""``Reshape``: ``(batch, ...)`` -> ``(batch, *target_shape)``; one entry may be -1 (inferred)."""
from __future__ import annotations

import math

import torch

from kerastorch.layers.layer import Layer


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (the batch axis is kept).

    Args:
        target_shape: The new shape without the batch axis; one entry may be ``-1`` to take
            the size the others leave.
        **kwargs: Base layer arguments (``name``, ``dtype``...).

    Call arguments:
        inputs: A tensor whose sample size equals that of ``target_shape``.

    Input shape:
        ``(batch_size, ...)``.

    Output shape:
        ``(batch_size, *target_shape)``.

    Example:

    >>> layer = keras.layers.Reshape((3, -1))
    >>> layer(np.ones((2, 12), "float32")).shape
    torch.Size([2, 3, 4])
    """
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            target_shape = tuple(int(d) for d in target_shape)
        except TypeError:
            raise ValueError(f"The `target_shape` argument must be a tuple of integers. "
                             f"Received: target_shape={target_shape!r}") from None
        if target_shape.count(-1) > 1:
            raise ValueError("The `target_shape` argument must not contain more than one `-1` value. "
                             f"Received: target_shape={target_shape}")
        if any(d < -1 or d == 0 for d in target_shape):
            raise ValueError("The `target_shape` entries must be positive integers or a single -1. "
                             f"Received: target_shape={target_shape}")
        self.target_shape = target_shape

    def _resolve(self, input_shape) -> tuple:
        size = math.prod(input_shape[1:])
        known = math.prod([d for d in self.target_shape if d != -1])  # a list: torch.compile traces no generators
        if -1 in self.target_shape:
            if known == 0 or size % known != 0:
                raise ValueError(self._mismatch(input_shape))
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            raise ValueError(self._mismatch(input_shape))
        return self.target_shape

    def _mismatch(self, input_shape) -> str:
        return (f'Layer "{self.name}": the total size of the new array must be unchanged. Cannot reshape an input '
                f"of shape {tuple(input_shape)} to (batch, *{self.target_shape}).")

    def build(self, input_shape) -> None:
        if input_shape is not None and all(d is not None for d in input_shape[1:]):
            self._resolve(input_shape)
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs.reshape(inputs.shape[0], *self._resolve(inputs.shape))

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}
