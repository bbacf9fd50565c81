"""``keras.models.clone_model``: a new model with the same architecture and fresh weights.

Sequential and functional models are rebuilt layer by layer (each layer cloned from its
config, or by ``clone_function``), replaying the functional graph's nodes on new inputs;
a subclassed model is rebuilt from its ``get_config``. A compiled Sequential or functional
model's clone is compiled from the same compile config, as in Keras 3.
"""
from __future__ import annotations

from typing import Any, Callable

from kerastorch._core import tree
from kerastorch.graph.keras_tensor import KerasTensor
from kerastorch.layers.input_layer import Input, InputLayer, TorchOpLayer
from kerastorch.layers.layer import Layer
from kerastorch.layers.serialization import serialize_keras_object
from kerastorch.models.functional import Functional
from kerastorch.models.model import Model
from kerastorch.models.sequential import Sequential


def _default_clone(layer: Layer) -> Layer:
    if isinstance(layer, TorchOpLayer):
        return TorchOpLayer(layer.func)
    if isinstance(layer, (Sequential, Functional)):
        return clone_model(layer)
    return type(layer).from_config(layer.get_config())


def clone_model(model: Model, input_tensors=None, clone_function: Callable | None = None,
                call_function: Callable | None = None, recursive: bool = False, **kwargs: Any) -> Model:
    """A new model with the same architecture and freshly initialized weights."""
    clone_function = clone_function or _default_clone
    if isinstance(model, Sequential):
        layers = [clone_function(layer) for layer in model.layers]
        new = Sequential(name=model.name)
        if input_tensors is not None:
            new.add(tree.flatten(input_tensors)[0])
        elif model._input_layer is not None:
            src = model._input_layer
            new.add(InputLayer(batch_shape=src.batch_shape, dtype=src.dtype, name=src.name))
        for layer in layers:
            new.add(layer)
        return _copy_compile(model, new)
    if isinstance(model, Functional):
        return _copy_compile(model, _clone_functional(model, input_tensors, clone_function, call_function))
    if not hasattr(model, "get_config"):
        raise ValueError(f"clone_model expects a Keras model; received {type(model).__name__}.")
    try:
        return type(model).from_config(model.get_config())
    except (TypeError, NotImplementedError) as e:
        raise type(e)(f"Cannot clone the subclassed model {type(model).__name__}: its from_config/get_config "
                      f"cannot rebuild it ({e}). Implement get_config() and from_config().") from e


def _copy_compile(model: Model, new: Model) -> Model:
    """A compiled Sequential/functional model's clone is compiled the same way (Keras 3 does this)."""
    if getattr(model, "compiled", False):
        # Serialized first, so the clone gets its own optimizer and metric objects (fresh state).
        new.compile_from_config(serialize_keras_object(model.get_compile_config()))
    return new


def _clone_functional(model: Functional, input_tensors, clone_function, call_function) -> Functional:
    if input_tensors is not None:
        new_inputs = tree.flatten(input_tensors)
        if len(new_inputs) != len(model.inputs):
            raise ValueError(f"clone_model: the model has {len(model.inputs)} inputs, {len(new_inputs)} "
                             "input tensors were given.")
    else:
        new_inputs = [Input(batch_shape=t.shape, dtype=t.dtype, name=t._keras_history.layer.name)
                      for t in model.inputs]
    mapping = {id(old): new for old, new in zip(model.inputs, new_inputs)}

    def sub(x):
        return mapping[id(x)] if type(x) is KerasTensor else x

    clones: dict[int, Layer] = {}
    for node in model._run_nodes:
        layer = node.layer
        if id(layer) not in clones:
            clones[id(layer)] = clone_function(layer)
        new_layer = clones[id(layer)]
        args = [_map_structure(sub, a) for a in node.call_args]
        kw = {k: _map_structure(sub, v) for k, v in node.call_kwargs.items()}
        out = call_function(new_layer, *args, **kw) if call_function is not None else new_layer(*args, **kw)
        for old, new in zip(node.flat_outputs, tree.flatten(out)):
            mapping[id(old)] = new
    inputs = tree.pack_sequence_as(model._inputs_struct, new_inputs) \
        if isinstance(model._inputs_struct, (list, tuple, dict)) else new_inputs[0]
    outputs = tree.map_structure(lambda t: mapping[id(t)], model._outputs_struct)
    return Functional(inputs, outputs, name=model.name)


def _map_structure(fn, value):
    if isinstance(value, (list, tuple)):
        return type(value)(_map_structure(fn, v) for v in value)
    if isinstance(value, dict):
        return {k: _map_structure(fn, v) for k, v in value.items()}
    return fn(value)
