"""``Wrapper``: the base of layers that wrap another layer (``TimeDistributed``, ``Bidirectional``).

The wrapped layer is a submodule (``self.layer``), so its weights are the
wrapper's weights and follow ``trainable``/``.to(device)``. ``get_config`` nests
the wrapped layer as ``{"class_name": ..., "config": ...}``.
"""
from __future__ import annotations

from kerastorch.layers.layer import Layer


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
        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)


def serialize_layer(layer: Layer) -> dict:
    """``{"class_name", "config"}`` of a layer (the saving package's serializer when it is available)."""
    try:
        from kerastorch.saving import serialization as ser
        fn = getattr(ser, "serialize_keras_object", None)
    except ImportError:
        fn = None
    if callable(fn):
        return fn(layer)
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize_layer(config, custom_objects=None) -> Layer:
    """Rebuild a layer from ``{"class_name", "config"}`` (custom_objects, then ``keras.layers`` names)."""
    if isinstance(config, Layer):
        return config
    try:
        from kerastorch.saving import layer_config, serialization as ser
        fn = getattr(layer_config, "deserialize_layer", None) or getattr(ser, "deserialize_keras_object", None)
    except ImportError:
        fn = None
    if callable(fn):
        return fn(config, custom_objects=custom_objects)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Expected a layer config dict with 'class_name' and 'config'. Received: {config!r}")
    import kerastorch.layers as layers_module
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or getattr(layers_module, name, None)
    if cls is None or not isinstance(cls, type) or not issubclass(cls, Layer):
        raise ValueError(f"Unknown layer: {name!r}. Please ensure you are using a `keras.utils.custom_object_scope` "
                         "or pass it in `custom_objects`.")
    return cls.from_config(dict(config.get("config", {})))
