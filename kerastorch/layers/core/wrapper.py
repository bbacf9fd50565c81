"""``Wrapper``: the base of layers that wrap another layer (``TimeDistributed``, ``Bidirectional``).

The wrapped layer is a submodule (``self.layer``), so its weights are the
wrapper's weights and follow ``trainable``/``.to(device)``. ``get_config`` nests
the wrapped layer as ``{"class_name": ..., "config": ...}``.
"""
from __future__ import annotations

from kerastorch.layers.layer import Layer
from kerastorch.layers.layer_config import deserialize, serialize


class Wrapper(Layer):
    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer!r} supplied to {type(self).__name__} isn't a supported layer type. "
                             "Please ensure wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None) -> None:
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
            self.layer._build_input_shape = input_shape
        self.built = True

    def get_config(self) -> dict:
        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
