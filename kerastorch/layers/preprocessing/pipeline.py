"""``Pipeline``: apply a list of (preprocessing) layers in order, passing ``training`` and masks on.

Unlike ``Sequential`` it is a plain layer: no input shape, no build, so it can wrap data-side
augmentation and be called on dicts of images and labels. Its config is ``{"layers", "name"}``
as in Keras.
"""
from __future__ import annotations

from typing import Any

from kerastorch.layers.layer import Layer


class Pipeline(Layer):
    def __init__(self, layers: list, name: str | None = None) -> None:
        super().__init__(name=name)
        self._pipeline_layers = list(layers)
        # Register the sublayers as torch modules (device moves, .train()/.eval()).
        for index, layer in enumerate(self._pipeline_layers):
            self.add_module(f"layer_{index}", layer)
        # A standalone call augments (Keras's `training=True` default); a model's flag takes precedence.
        self.training = True

    @property
    def layers(self) -> list:
        return self._pipeline_layers

    def call(self, inputs: Any, training: bool = True, mask: Any = None) -> Any:
        outputs = inputs
        for layer in self._pipeline_layers:
            kwargs: dict = {}
            if getattr(layer, "_call_has_mask", False) and mask is not None:
                kwargs["mask"] = mask
            if getattr(layer, "_call_has_training", False) and training is not None:
                kwargs["training"] = training
            outputs = layer(inputs, **kwargs)
            inputs = outputs
            mask = getattr(outputs, "_keras_mask", None)
        return outputs

    @classmethod
    def from_config(cls, config: dict) -> Pipeline:
        # local import: serialization imports the kerastorch.layers package, which imports this module
        from kerastorch.layers.serialization import deserialize_keras_object
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("`Pipeline` config must contain a `layers` key mapping to a list of serialized layers. "
                             f"Received config with layers={layers}.")
        config = {**config, "layers": [deserialize_keras_object(x) for x in layers]}
        return cls(**config)

    def get_config(self) -> dict:
        # local import: serialization imports the kerastorch.layers package, which imports this module
        from kerastorch.layers.serialization import serialize_keras_object
        return {"layers": serialize_keras_object(self._pipeline_layers), "name": self.name}
