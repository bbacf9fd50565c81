"""``keras.activations``: the activation functions and their ``get``/``serialize``/``deserialize``.

Layers call ``get(activation)`` on whatever the user passed (``None``, ``"relu"``, a
callable, a serialized dict) and store the callable; ``serialize`` gives back the Keras
name so configs round-trip through real Keras. ``get(..., legacy=True)`` is for Keras 2
configs, where ``"hard_sigmoid"`` meant ``clip(0.2 x + 0.5, 0, 1)``.
"""
from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from kerastorch.activations.activations import (
    celu, crelu, elu, exponential, gelu, glu, hard_shrink, hard_sigmoid, hard_sigmoid_keras2,
    hard_silu, hard_swish, hard_tanh, leaky_relu, linear, log_sigmoid, log_softmax, mish, relu,
    relu6, selu, sigmoid, silu, soft_shrink, softmax, softplus, softsign, sparse_plus,
    squareplus, swish, tanh, tanh_shrink,
)
from kerastorch.activations.activations import sparse_sigmoid, sparsemax, threshold
from kerastorch.activations.activations import activate_own_output  # noqa: F401 - for layers


_BUILTINS: dict[str, Callable] = {
    fn.__name__: fn for fn in (
        relu, leaky_relu, relu6, softmax, elu, selu, softplus, softsign, silu, gelu, tanh,
        sigmoid, exponential, hard_sigmoid, hard_silu, linear, mish, log_softmax, crelu, celu,
        glu, hard_tanh, log_sigmoid, tanh_shrink, soft_shrink, hard_shrink, squareplus, sparse_plus,
        sparse_sigmoid, sparsemax, threshold,
    )
}
_ALIASES = {"swish": silu, "hard_swish": hard_silu}
ALL_OBJECTS_DICT: dict[str, Callable] = {**_BUILTINS, **_ALIASES}
# Keras 2 configs name these differently or meant a different formula
_LEGACY_OVERRIDES = {"hard_sigmoid": hard_sigmoid_keras2}


def _lookup(name: str, custom_objects: dict | None, legacy: bool) -> Callable:
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if legacy and name in _LEGACY_OVERRIDES:
        return _LEGACY_OVERRIDES[name]
    if name in ALL_OBJECTS_DICT:
        return ALL_OBJECTS_DICT[name]
    raise ValueError(f"Unknown activation function: {name!r}. Valid names are: "
                     f"{sorted(ALL_OBJECTS_DICT)}. For a custom activation, pass the callable "
                     "itself or list it in `custom_objects`.")


def serialize(activation: Callable) -> Any:
    """The Keras name of a built-in activation (``"relu"``); custom ones by their own name/config."""
    if activation is hard_sigmoid_keras2:  # Keras 2's formula has no Keras 3 name of its own
        return "hard_sigmoid"
    name = getattr(activation, "__name__", None)
    if isinstance(activation, types.FunctionType) and name:
        # Built-ins serialize to their canonical name (`swish` -> "silu", like Keras 3)
        return name
    if hasattr(activation, "get_config"):
        return {"module": type(activation).__module__, "class_name": type(activation).__name__,
                "config": activation.get_config(), "registered_name": type(activation).__name__}
    raise ValueError(f"Cannot serialize activation {activation!r}: it has neither a function "
                     "name nor a `get_config()` method.")


def deserialize(config: Any, custom_objects: dict | None = None, legacy: bool = False) -> Callable:
    """Turn a name or a ``{"class_name", "config"}`` dict back into the activation callable."""
    if isinstance(config, str):
        return _lookup(config, custom_objects, legacy)
    if isinstance(config, dict):
        class_name = config.get("class_name")
        inner = config.get("config")
        if class_name == "function" or (class_name is None and isinstance(inner, str)):
            # Keras 3 saves plain functions as {"class_name": "function", "config": "relu", ...}
            return _lookup(inner if isinstance(inner, str) else config["registered_name"],
                           custom_objects, legacy)
        if isinstance(class_name, str):
            obj = _lookup(class_name, custom_objects, legacy)
            if isinstance(obj, type):
                return obj.from_config(inner) if hasattr(obj, "from_config") else obj(**(inner or {}))
            return obj
    raise ValueError(f"Could not interpret activation config: {config!r}. Expected a name such as "
                     "'relu' or a dict with 'class_name' and 'config'.")


def get(identifier: Any, legacy: bool = False) -> Callable:
    """Resolve ``None`` (-> ``linear``), a name, a serialized dict, or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier, legacy=legacy)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}. "
                     "Expected None, a string name, a dict config or a callable.")


__all__ = [
    "get", "serialize", "deserialize", "ALL_OBJECTS_DICT", *sorted(ALL_OBJECTS_DICT),
    "hard_sigmoid_keras2",
]
