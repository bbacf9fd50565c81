"""``Activation``: apply an activation function by its Keras name."""
from __future__ import annotations

from kerastorch import activations
from kerastorch.layers.layer import Layer


class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
