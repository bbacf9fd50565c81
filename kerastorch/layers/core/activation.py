"""``Activation``: apply an activation function by its Keras name."""
from __future__ import annotations

from kerastorch import activations
from kerastorch.layers.layer import Layer


class Activation(Layer):
    """Apply an activation function to the inputs.

    Args:
        activation: A name from ``keras.activations`` (``"relu"``, ``"softmax"``...) or a callable.
        **kwargs: Base layer arguments (``name``, ``dtype``...).

    Call arguments:
        inputs: A tensor.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.Activation("relu")
    >>> layer(np.array([-1.0, 2.0], "float32")).tolist()
    [0.0, 2.0]
    """
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
