"""``keras.activations``: the activation functions and their ``get``/``serialize``/``deserialize``.

Layers call ``get(activation)`` on whatever the user passed (``None``, ``"relu"``, a
callable, a serialized dict) and store the callable; ``serialize`` gives back the Keras
name so configs round-trip through real Keras. ``get(..., legacy=True)`` is for Keras 2
configs, where ``"hard_sigmoid"`` meant ``clip(0.2 x + 0.5, 0, 1)``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kerastorch._core.identifiers import Identifiers
from kerastorch.activations.activations import (
    activate_own_output,  # noqa: F401 - for layers
    celu,
    crelu,
    elu,
    exponential,
    gelu,
    glu,
    hard_shrink,
    hard_sigmoid,
    hard_sigmoid_keras2,
    hard_silu,
    hard_swish,
    hard_tanh,
    leaky_relu,
    linear,
    log_sigmoid,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    soft_shrink,
    softmax,
    softplus,
    softsign,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    swish,
    tanh,
    tanh_shrink,
    threshold,
)

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


# The one identifier rule (kerastorch._core.identifiers): names give the function, None gives linear.
_IDENTIFIERS = Identifiers("activation function", "keras.activations", ALL_OBJECTS_DICT, example="relu",
                           legacy_overrides=_LEGACY_OVERRIDES, function_form="name", default=linear)


def serialize(activation: Callable) -> Any:
    """The Keras name of a built-in activation (``"relu"``); custom ones by their own name/config."""
    if activation is hard_sigmoid_keras2:  # Keras 2's formula has no Keras 3 name of its own
        return "hard_sigmoid"
    # Built-ins serialize to their canonical name (`swish` -> "silu", like Keras 3).
    return _IDENTIFIERS.serialize(activation)


def deserialize(config: Any, custom_objects: dict | None = None, legacy: bool = False) -> Callable:
    """Turn a name or a ``{"class_name", "config"}`` dict back into the activation callable."""
    return _IDENTIFIERS.deserialize(config, custom_objects, legacy=legacy)


def get(identifier: Any, legacy: bool = False) -> Callable:
    """Resolve ``None`` (-> ``linear``), a name, a serialized dict, or a callable."""
    return _IDENTIFIERS.get(identifier, legacy=legacy)


__all__ = [
    "get", "serialize", "deserialize", "ALL_OBJECTS_DICT", *sorted(ALL_OBJECTS_DICT),
    "hard_sigmoid_keras2",
]
