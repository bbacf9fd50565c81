"""``RMSNormalization``: ``x * rsqrt(mean(x**2, axis) + epsilon) * scale`` (Zhang & Sennrich, 2019).

The arithmetic is ``keras.ops.rms_normalization`` (float32 or wider inside, cast back);
``scale`` is the one weight, shaped like the normalized axes and initialized to ones.
As in Keras, ``axis`` becomes a sorted list once the layer is built.
"""
from __future__ import annotations

import torch

import kerastorch.ops.nn as nn_ops
from kerastorch.layers.layer import Layer


class RMSNormalization(Layer):
    """Root-mean-square normalization over ``axis`` with a learned per-feature ``scale``.

    Example:

    >>> layer = keras.layers.RMSNormalization()
    >>> layer(np.array([[3.0, 4.0]], "float32")).shape
    torch.Size([1, 2])
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, (int, list, tuple)):
            raise TypeError(f"RMSNormalization: `axis` must be an int or a list/tuple of ints. Received: axis={axis!r}")
        self.axis = axis
        self.epsilon = epsilon

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        axes = sorted(self.axis) if isinstance(self.axis, (list, tuple)) else [self.axis]
        for a in axes:
            if not -ndim <= a < ndim:
                raise ValueError(f"Axis {a} is out of bounds for input shape {tuple(input_shape)}. "
                                 f"Received: axis={self.axis}")
        shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in shape):
            raise ValueError(f'RMSNormalization "{self.name}": the normalized axes {axes} must have known sizes. '
                             f"Received input shape {tuple(input_shape)}.")
        self.axis = axes
        self.scale = self.add_weight("scale", shape, "ones")
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return nn_ops.rms_normalization(inputs, scale=self.scale, axis=self.axis, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
