"""``keras.Sequential``: a plain stack of single-input, single-output layers.

When the input shape is known (``keras.Input`` first, or ``input_shape=`` on the
first layer) each added layer is built at once, as in Keras, so
``set_weights`` and ``summary`` work before the model has seen data. Calling
the model runs the layers in a plain loop (masks travel on the tensors).
"""
from __future__ import annotations

import torch

import kerastorch.models.functional_config as functional_config
from kerastorch.layers.core.torch_module_wrapper import wrap_module
from kerastorch.layers.input_layer import InputLayer, KerasTensor
from kerastorch.layers.layer import Layer
from kerastorch.models.model import Model


class Sequential(Model):
    def __init__(self, layers=None, trainable: bool = True, name: str | None = None, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._stack: list[Layer] = []
        self._input_layer: InputLayer | None = None
        self._symbolic_output: KerasTensor | None = None
        self.supports_masking = True
        for layer in layers or []:
            self.add(layer)

    def add(self, layer) -> None:
        """Append a layer (or a ``keras.Input`` tensor, which sets the input shape)."""
        if type(layer) is KerasTensor:
            history = layer._keras_history
            if not isinstance(history.layer, InputLayer):
                raise ValueError("Only a `keras.Input` tensor may be added to a Sequential model; received "
                                 f"the output of layer {history.layer.name!r}.")
            layer = history.layer
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError("An InputLayer can only be the first element of a Sequential model.")
            self._input_layer = layer
            self._symbolic_output = layer.output_tensor
            self.built = True
            self._build_input_shape = layer.batch_shape
            return
        if not isinstance(layer, torch.nn.Module):
            raise TypeError(f"The added layer must be an instance of class Layer (or a torch.nn.Module). "
                            f"Received: layer={layer!r} of type {type(layer)}.")
        if not isinstance(layer, Layer):
            layer = wrap_module(layer)  # a plain torch module: trained, counted and saved as a Keras layer
        if isinstance(layer, Layer) and any(getattr(l, "name", None) == layer.name for l in self._stack):
            raise ValueError(f'All layers added to a Sequential model should have unique names. Name "{layer.name}" '
                             "is already the name of a layer in this model. Update the `name` argument to pass "
                             "a unique name.")
        if not self._stack and self._input_layer is None and getattr(layer, "_batch_input_shape", None):
            self._input_layer = InputLayer(batch_shape=layer._batch_input_shape, dtype=layer._dtype_spec)
            self._symbolic_output = self._input_layer.output_tensor
            self.built = True
            self._build_input_shape = self._input_layer.batch_shape
        self._stack.append(layer)
        self._track_layer(layer)
        if self._symbolic_output is not None:
            self._symbolic_output = layer(self._symbolic_output)

    def pop(self) -> Layer:
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        for key, module in list(self._modules.items()):
            if module is layer:
                del self._modules[key]
        if self._input_layer is not None:
            out = self._input_layer.output_tensor
            for l in self._stack:
                out = l(out)
            self._symbolic_output = out
        return layer

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)

    @property
    def inputs(self):
        return [self._input_layer.output_tensor] if self._input_layer is not None else None

    @property
    def outputs(self):
        return [self._symbolic_output] if self._symbolic_output is not None else None

    @property
    def input_shape(self):
        """The input's shape with a None batch, e.g. ``(None, 4)`` (Keras's ``model.input_shape``)."""
        if self._input_layer is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input shape yet. Start it with "
                                 "`keras.Input(shape=...)` or call `build(input_shape)` first.")
        return tuple(self._input_layer.output_tensor.shape)

    @property
    def output_shape(self):
        """The output's shape with a None batch, e.g. ``(None, 3)`` (Keras's ``model.output_shape``)."""
        if self._symbolic_output is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined output shape yet. Start it with "
                                 "`keras.Input(shape=...)` or call `build(input_shape)` first.")
        return tuple(self._symbolic_output.shape)

    @property
    def input_names(self):
        return [self._input_layer.name] if self._input_layer is not None else []

    @property
    def output_names(self):
        return [self._stack[-1].name] if self._stack else []

    def build(self, input_shape=None) -> None:
        if input_shape is None:
            input_shape = self._build_input_shape
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument to build a Sequential model.")
        if self._input_layer is None:
            self._input_layer = InputLayer(batch_shape=tuple(input_shape))
            out = self._input_layer.output_tensor
            for layer in self._stack:
                out = layer(out)
            self._symbolic_output = out
        self.built = True
        self._build_input_shape = tuple(input_shape)

    def call(self, inputs, training=None, mask=None):
        input_layer = self._modules.get("_input_layer")  # not self._input_layer: nn.Module.__getattr__ is slow
        # The common case (a tensor of exactly the declared shape) answered by one comparison, here.
        if input_layer is not None and (type(inputs) is not torch.Tensor
                                        or inputs.shape[1:] != input_layer.batch_shape[1:]):
            _check_sequential_input(self, input_layer.batch_shape, inputs)
        x = inputs
        for layer in self._stack:
            x = layer(x)
        return x

    def _convert_inputs(self, inputs):
        # The first layer decides how raw data becomes its input: a string layer (TextVectorization...) keeps text.
        if self._stack:
            return self._stack[0]._convert_inputs(inputs)
        return super()._convert_inputs(inputs)

    def _maybe_build(self, inputs) -> None:
        if not self.built and isinstance(inputs, torch.Tensor):
            self.build((None,) + tuple(inputs.shape[1:]))
        self.built = True

    def get_config(self) -> dict:
        return functional_config.sequential_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return functional_config.sequential_from_config(cls, config, custom_objects=custom_objects)


def _check_sequential_input(model: Sequential, expected: tuple, x) -> None:
    if not isinstance(x, torch.Tensor):
        return
    shape = x.shape
    if len(shape) != len(expected) or any(e is not None and e != a for e, a in zip(expected[1:], shape[1:])):
        raise ValueError(
            f'Input 0 of layer "{model.name}" is incompatible with the layer: expected shape={expected}, '
            f"found shape={tuple(x.shape)}")
