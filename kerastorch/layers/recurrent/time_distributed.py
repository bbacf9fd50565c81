"""``TimeDistributed``: apply a layer to every temporal slice of its input.

Batch and time are folded into one axis (``(batch * time, ...)``), the inner layer runs
once, and the result is unfolded; a ``(batch, time, ...)`` mask is folded the same way
for inner layers that take one. The input mask passes through to the output.
"""
from __future__ import annotations

import torch

from kerastorch.backend import tree
from kerastorch.layers.core.wrapper import Wrapper
from kerastorch.layers.layer import Layer
from kerastorch.layers.layer_config import deserialize, serialize


class TimeDistributed(Wrapper):
    """Apply the same layer (same weights) to every timestep of a sequence.

    Args:
        layer: a ``keras.layers.Layer`` instance, called on inputs of shape ``(batch, ...)``.

    Call arguments:
        inputs: a tensor of shape ``(batch, time, ...)``.
        training: passed to the inner layer when it takes one.
        mask: an optional boolean tensor of shape ``(batch, time)``, folded with the inputs for
            inner layers that take a mask, and returned unchanged as the output mask.

    Input shape:
        ``(batch, time, *inner_input_shape)``, at least 3 dimensions.

    Output shape:
        ``(batch, time, *inner_output_shape)``.

    Example:

    >>> inputs = keras.Input(shape=(10, 128, 128, 3))
    >>> conv_2d_layer = keras.layers.Conv2D(64, (3, 3))
    >>> outputs = keras.layers.TimeDistributed(conv_2d_layer)(inputs)
    >>> outputs.shape
    (None, 10, 126, 126, 64)
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer!r}")
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_shape(self, input_shape) -> tuple:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(f'`TimeDistributed` layer "{self.name}" should be passed an `input_shape` with at '
                             f"least 3 dimensions (batch, time, ...), received: {input_shape}")
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape) -> None:
        child = self._child_shape(tuple(input_shape))
        if not self.layer.built:
            self.layer.build(child)
            self.layer.built = True
            self.layer._build_input_shape = child
        self.built = True

    def call(self, inputs, training=None, mask=None):
        shape = tuple(inputs.shape)
        self._child_shape(shape)
        batch, steps = shape[0], shape[1]
        if mask is not None and tuple(mask.shape[:2]) != (batch, steps):
            raise ValueError(f'`TimeDistributed` layer "{self.name}" should be passed a `mask` of shape '
                             f"({batch}, {steps}, ...), received: mask.shape={tuple(mask.shape)}")
        folded = inputs.reshape(batch * steps, *shape[2:])
        kwargs = {}
        if self.layer._call_has_training:
            kwargs["training"] = training
        if self.layer._call_has_mask and mask is not None:
            kwargs["mask"] = mask.reshape(batch * steps, *mask.shape[2:])
        outputs = self.layer(folded, **kwargs)

        def unfold(t):
            if not isinstance(t, torch.Tensor):
                return t
            return t.reshape(batch, steps, *t.shape[1:])
        return tree.map_structure(unfold, outputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects)
        return cls(layer, **config)
