"""Keras 3 operations recorded as nodes of a functional model, as layers.

When a Keras 3 functional model applies a ``keras.ops`` function to symbolic tensors
(``keras.ops.convert_to_tensor(x)``, ``x != 0``...), the config holds an entry such as
``{"module": "keras.src.ops.core", "class_name": "ConvertToTensor", "config": {"name":
..., "dtype": ...}}``. Keras builds each operation class from the function's non-tensor
arguments and calls it on the tensors, so ``keras.ops.f(*tensors, **config)`` is what the
node computes. Loading therefore needs no table of operations: the class name is matched
to the ``kerastorch.ops`` function of the same name (``ConvertToTensor`` ->
``convert_to_tensor``, ``GetItem`` -> ``get_item``; three normalizations have longer
function names), in the namespace the module names (``keras.src.ops.image`` ->
``kerastorch.ops.image``...).

Writing goes the other way for ``TorchOpLayer`` nodes (torch functions applied to
KerasTensors): the common operators map onto the Keras operation of the same meaning.
Operation nodes hold no weights and are not layers in Keras 3, so weights files skip them
(``is_operation_layer``).
"""
from __future__ import annotations

import inspect
import types
from typing import Any, Callable

from kerastorch import ops
from kerastorch.layers.input_layer import TORCH_TO_KERAS, TorchOpLayer
from kerastorch.layers.layer import Layer

_DEFAULT_MODULE = "keras.src.ops.numpy"


def _namespaces(module: str) -> list:
    """The kerastorch.ops namespaces to search for an operation of Keras module ``module``."""
    leaf = module.rsplit(".", 1)[-1]
    sub = getattr(ops, leaf, None)
    first = [sub] if isinstance(sub, types.ModuleType) else []
    return first + [ops] + [getattr(ops, n) for n in ("numpy", "nn", "math", "core", "linalg", "image")
                            if isinstance(getattr(ops, n, None), types.ModuleType)]


def _key(name: str) -> str:
    return name.replace("_", "").lower()


# The three Keras operation classes whose function has a longer name.
_FUNCTION_OF = {"BatchNorm": "batch_normalization", "LayerNorm": "layer_normalization",
                "RMSNorm": "rms_normalization"}


def find_operation(class_name: str, module: str = _DEFAULT_MODULE) -> Callable | None:
    """The ``kerastorch.ops`` function behind the Keras operation class ``class_name``, or None."""
    wanted = _key(_FUNCTION_OF.get(class_name, class_name))
    for namespace in _namespaces(module):
        for attr, value in vars(namespace).items():
            if not attr.startswith("_") and callable(value) and not isinstance(value, type) \
                    and _key(attr) == wanted:
                return value
    return None


class OperationLayer(Layer):
    """One Keras 3 operation (``keras.ops.<function>``) applied in a loaded functional model.

    Subclasses are made per operation by ``operation_layer_class``; ``op_config`` holds the
    operation's non-tensor arguments exactly as the config stores them.
    """
    _op_name = ""
    _is_operation_node = True  # not one of model.layers, as Keras 3's operations
    _keras_module = _DEFAULT_MODULE
    _function: Callable | None = None

    def __init__(self, name: str | None = None, **op_config: Any):
        super().__init__(name=name)
        self.op_config = op_config
        fn = type(self)._function
        params = inspect.signature(fn).parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
        unknown = {k: v for k, v in op_config.items() if not takes_any and k not in params}
        # Keras-only arguments at their "off" value (sparse=None, ragged=False) change nothing here.
        bad = {k: v for k, v in unknown.items() if v not in (None, False)}
        if bad:
            raise ValueError(f"The Keras operation {self._op_name} of layer \"{name}\" uses {bad}, which "
                             f"kerastorch.ops.{fn.__name__} does not take.")
        self._call_config = {k: v for k, v in op_config.items() if k not in unknown}

    def call(self, *args, **kwargs):
        return type(self)._function(*args, **{**self._call_config, **kwargs})

    def get_config(self) -> dict:
        return {"name": self.name, **self.op_config}

    def get_build_config(self) -> None:
        return None  # Keras operations are not built: their config entries carry no build_config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


_CLASSES: dict[tuple[str, str], type] = {}


def operation_layer_class(class_name: str, module: str = _DEFAULT_MODULE) -> type | None:
    """The layer class standing for Keras operation ``class_name`` (None when kerastorch.ops lacks it)."""
    key = (class_name, module)
    if key not in _CLASSES:
        fn = find_operation(class_name, module)
        if fn is None:
            return None
        _CLASSES[key] = type(class_name, (OperationLayer,), {
            "_op_name": class_name, "_keras_module": module, "_function": staticmethod(fn),
            "__module__": __name__,
            "__doc__": f"The Keras 3 operation `{class_name}` as a layer of a loaded functional model."})
    return _CLASSES[key]


def is_operation_layer(layer) -> bool:
    """Whether ``layer`` is an operation node (not a Keras layer; absent from weights files)."""
    return isinstance(layer, (TorchOpLayer, OperationLayer))


_TORCH_TO_KERAS = TORCH_TO_KERAS
_KERAS_MODULE_OF = {"Relu": "keras.src.ops.nn", "Sigmoid": "keras.src.ops.nn"}


def operation_config(layer: TorchOpLayer) -> dict:
    """The Keras 3 config entry of a ``TorchOpLayer`` node; NotImplementedError for other functions."""
    name = _TORCH_TO_KERAS.get(getattr(layer, "func", None))
    if name is None:
        layer.get_config()  # raises the explanatory NotImplementedError
    module = _KERAS_MODULE_OF.get(name, _DEFAULT_MODULE)
    return {"module": module, "class_name": name, "config": {"name": layer.name}, "registered_name": name}
