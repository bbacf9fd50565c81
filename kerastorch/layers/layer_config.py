"""Layer configs in both dialects, Keras 3 and Keras 2 / tf-keras, and ``keras.layers.serialize``/``deserialize``.

A Keras 3 layer config is ``{"module": "keras.layers", "class_name": "Dense", "config": {...},
"registered_name": None, "build_config": {"input_shape": [...]}}``: its dtype is a
``DTypePolicy`` object config and nested objects (initializers, regularizers, inner layers)
are full object configs with their module. A Keras 2 / tf-keras config is
``{"class_name": ..., "config": {...}}`` with no module: its dtype is a name, its class may be
a Keras 2 one (``CuDNNLSTM``, ``BatchNormalizationV1``), it carries keys Keras 3 dropped
(``time_major``, ``implementation``, ``renorm``...), and ``hard_sigmoid`` means Keras 2's formula.

Cleaning (``clean_layer_config``) turns either into what a kerastorch class takes: the class
is found by name (Keras 2 aliases renamed, CuDNN defaults filled in), bytecode is refused in
safe mode, dtype policies become names, nested layer configs (wrappers, RNN cells, Sequential
layers) are cleaned the same way and nested objects resolved (``_clean_nested``). Keys the
class does not take are dropped: silently when only the other dialect writes them
(``_DIALECT_KEYS``), with a ``ValueError`` when dropping one would change the layer
(``_MUST_BE_FALSY``, ``groups``), with a warning otherwise.

``deserialize_layer`` sits on top: clean, ``from_config``, then build from the build config.
It is what ``keras.layers.deserialize``, the wrapper/RNN layers, ``models``' config readers
and ``serialization``'s object deserializer (for configs naming a Layer) call. This module
builds on ``serialization`` (load state, class lookup, object configs); the reverse edge is
one function-local import there.
"""
from __future__ import annotations

import copy
import inspect
import warnings
from typing import Any

from kerastorch import activations
from kerastorch.layers.layer import _BASE_KWARGS, Layer
from kerastorch.layers.serialization import (
    _KERAS2_CLASS_ALIASES,
    _NOT_SPECIAL,
    _contains_bytecode,
    _deserialize,
    _deserialize_function,
    _deserialize_special,
    _find_class,
    _refuse_bytecode,
    _resolve_custom,
    _short,
    _state,
    in_safe_mode,
    layer_registry,
    load_context,
    serialize_keras_object,
)

# Keys one dialect writes that a kerastorch layer may not take; dropped silently when the
# layer has no such argument (anything else unknown is dropped with a warning).
_DIALECT_KEYS = {
    "time_major", "implementation", "groups", "query_shape", "key_shape", "value_shape",
    "softmax_robust_masking", "seed", "zero_output_for_mask", "quantization_config", "lora_rank",
    "lora_alpha", "use_cudnn", "ragged", "optional", "sparse", "autocast", "fused", "renorm",
    "renorm_clipping", "renorm_momentum", "virtual_batch_size", "adjustment", "input_length",
    "synchronized", "module", "registered_name", "build_config", "compile_config", "shared_object_id",
    "input_dtype", "unroll_tf", "reset_dropout_mask", "flash_attention", "dtype_policy",
}
# ...and the values under which dropping them changes nothing.
_MUST_BE_FALSY = {"time_major": "time-major RNN inputs", "renorm": "batch renormalization",
                  "virtual_batch_size": "virtual batches", "adjustment": "BatchNormalization adjustment"}


def _dtype_name(value):
    if isinstance(value, dict):
        inner = value.get("config") or {}
        if isinstance(inner, dict) and "name" in inner:
            return inner["name"]
        return value.get("name", "float32")
    return value


def _accepted_keys(cls) -> set[str] | None:
    """Constructor keywords ``cls`` takes (None when any keyword goes: a user class)."""
    keys: set[str] = set()
    for klass in cls.__mro__:
        if "__init__" not in klass.__dict__:
            continue
        if klass is Layer:
            keys |= {"name", "trainable", "dtype"} | _BASE_KWARGS
            return keys
        try:
            params = inspect.signature(klass.__dict__["__init__"]).parameters
        except (TypeError, ValueError):
            return None
        var_kw = False
        for p in list(params.values())[1:]:
            if p.kind is p.VAR_KEYWORD:
                var_kw = True
            elif p.kind is not p.VAR_POSITIONAL:
                keys.add(p.name)
        if not var_kw:
            return keys
    return keys


def _is_builtin(cls) -> bool:
    return (getattr(cls, "__module__", "") or "").startswith("kerastorch.")


def _keras2_hard_sigmoid():
    return activations.hard_sigmoid_keras2


def _looks_like_object_config(value) -> bool:
    return isinstance(value, dict) and "class_name" in value and "config" in value


def _clean_nested(value):
    """Dialect clean-up inside nested objects (initializers, regularizers...), resolving custom ones."""
    if isinstance(value, list):
        return [_clean_nested(v) for v in value]
    if not isinstance(value, dict):
        if isinstance(value, str):
            obj = _resolve_custom(value)
            return obj if obj is not None else value
        return value
    if not _looks_like_object_config(value):
        return {k: _clean_nested(v) for k, v in value.items()}
    class_name = value["class_name"]
    if class_name in ("DTypePolicy", "Policy", "DTypePolicyMap"):
        return _dtype_name(value)
    special = _deserialize_special(class_name, value.get("config") if isinstance(value.get("config"), dict)
                                   else {}) if class_name.startswith("__") else _NOT_SPECIAL
    if special is not _NOT_SPECIAL and class_name != "__keras_tensor__":
        return special
    registered = value.get("registered_name")
    custom = _resolve_custom(registered) or _resolve_custom(class_name)
    if custom is not None:
        return _deserialize(value)
    if class_name == "function":
        return _deserialize_function(value)
    registry = layer_registry()
    short = class_name.split(">", 1)[-1]
    if short in registry and issubclass(registry[short], Layer) and value.get("module", "keras.layers") \
            not in ("keras.initializers", "keras.regularizers", "keras.constraints"):
        return clean_layer_config(value)
    cleaned = {"class_name": short if ">" in class_name and _find_class(short) is not None else class_name,
               "config": value["config"]}
    inner = cleaned["config"]
    if isinstance(inner, dict):
        inner = {k: _clean_nested(v) for k, v in inner.items() if k != "shared_object_id"}
        for key in ("input_axes", "output_axes"):
            if key in inner and inner[key] is None:
                del inner[key]
        cleaned["config"] = inner
    for key in ("module", "registered_name"):
        if value.get(key) is not None and key not in cleaned:
            cleaned[key] = value[key]
    return cleaned


def clean_layer_config(layer_config: dict) -> dict:
    """A layer config dict made loadable by kerastorch: dialect keys dropped, aliases renamed,
    dtype policies flattened, nested layer configs cleaned the same way, bytecode refused."""
    class_name = layer_config.get("class_name")
    registered = layer_config.get("registered_name")
    inner = copy.copy(layer_config.get("config") or {})
    if isinstance(inner, list):  # Keras 2.0-2.2 Sequential: the config is the list of layers
        inner = {"layers": inner}
    cls = _find_class(class_name, registered, layer_config.get("module"))
    if cls is None:
        raise ValueError(_unknown_layer_message(class_name))
    short = class_name.split(">", 1)[-1]
    inner = _convert_legacy_class(short, inner)
    if in_safe_mode() and _contains_bytecode(inner):
        _refuse_bytecode(f'layer "{inner.get("name", "?")}" ({short})')
    cleaned: dict[str, Any] = {}
    # Only built-in layers have their keys checked: model classes and operation layers read their own.
    accepted = _accepted_keys(cls) if _is_builtin(cls) and cls.__module__.split(".")[1] == "layers" \
        and not getattr(cls, "_op_name", None) else None
    own_from_config = accepted is not None and getattr(cls.from_config, "__func__", None) \
        is not getattr(Layer.from_config, "__func__", None)
    keras2 = bool(_state("keras2"))
    for key, value in inner.items():
        if key == "dtype":
            value = _dtype_name(value)
        elif key in ("layers", "layer", "backward_layer", "cell", "cells", "forward_layer"):
            value = _clean_layer_value(value)
        else:
            value = _clean_nested(value)
        if keras2 and key in ("activation", "recurrent_activation") and value == "hard_sigmoid":
            value = _keras2_hard_sigmoid()
        if own_from_config and key not in accepted and (key not in _DIALECT_KEYS or key in ("module",)):
            cleaned[key] = value  # the class reads its own config (e.g. Lambda's function_type/module)
            continue
        if accepted is not None and key not in accepted:
            if key in _MUST_BE_FALSY and value:
                raise ValueError(f'Cannot load layer "{inner.get("name")}" ({short}): it uses '
                                 f"{_MUST_BE_FALSY[key]} ({key}={value!r}), which kerastorch does not support.")
            if key == "groups" and value not in (None, 1):
                raise ValueError(f'Cannot load layer "{inner.get("name")}" ({short}): groups={value} is not '
                                 "supported by this layer.")
            if key not in _DIALECT_KEYS:
                warnings.warn(f'Ignoring the argument {key}={_short(value, 80)} of layer "{inner.get("name")}" '
                              f"({short}): kerastorch's {cls.__name__} does not take it.", stacklevel=3)
            continue
        cleaned[key] = value
    out = {"class_name": cls.__name__ if short in _KERAS2_CLASS_ALIASES else class_name, "config": cleaned}
    for key in ("module", "registered_name", "build_config", "compile_config", "name", "inbound_nodes"):
        if key in layer_config:
            out[key] = layer_config[key]
    if short in _KERAS2_CLASS_ALIASES:
        out.pop("registered_name", None)
        out.pop("module", None)
    return out


def _clean_layer_value(value):
    if isinstance(value, list):
        return [_clean_layer_value(v) for v in value]
    if _looks_like_object_config(value):
        return clean_layer_config(value)
    return value


def _convert_legacy_class(class_name: str, config: dict) -> dict:
    """Config changes for Keras 2 classes that map onto another kerastorch class."""
    config = dict(config)
    if class_name == "CuDNNLSTM":
        config.setdefault("activation", "tanh")
        config.setdefault("recurrent_activation", "sigmoid")
        config.setdefault("unit_forget_bias", True)
    elif class_name == "CuDNNGRU":
        config.setdefault("activation", "tanh")
        config.setdefault("recurrent_activation", "sigmoid")
        config["reset_after"] = True
    return config


def _unknown_layer_message(class_name) -> str:
    return (f"Unknown layer: '{class_name}'. Please ensure you are using a `keras.utils.custom_object_scope` "
            "and that this object is included in the scope (or pass it in `custom_objects`, or register it "
            "with `@keras.saving.register_keras_serializable()`).")


def deserialize_layer(config, custom_objects: dict | None = None, build: bool = True):
    """A layer (or model) from its serialized config, in either dialect.

    ``kerastorch.layers.deserialize`` and wrapper layers (Bidirectional, TimeDistributed, RNN)
    may call this for their inner layers.
    """
    if isinstance(config, Layer):
        return config
    if isinstance(config, str):
        cls = _find_class(config)
        if cls is None:
            raise ValueError(_unknown_layer_message(config))
        return cls()
    if not _looks_like_object_config(config):
        raise ValueError(f"Could not interpret layer config: {_short(config)}. Expected a dict with "
                         "'class_name' and 'config'.")
    with load_context(custom_objects=custom_objects):
        cleaned = clean_layer_config(config)
        cls = _find_class(cleaned["class_name"], cleaned.get("registered_name"), cleaned.get("module"))
        inner = cleaned["config"]
        try:
            if "custom_objects" in inspect.signature(cls.from_config).parameters:
                layer = cls.from_config(inner, custom_objects=_state("custom_objects"))
            else:
                layer = cls.from_config(inner)
        except (TypeError, ValueError) as e:
            if isinstance(e, ValueError) and "bytecode" in str(e):
                raise
            raise type(e)(f"Could not rebuild layer {config.get('class_name')!r} "
                          f"(name {inner.get('name')!r}) from its config: {e}") from e
        build_config = config.get("build_config")
        # A FeatureSpace's build config is keyed by feature name (Keras's layout), with no input_shape.
        if build and isinstance(build_config, dict) and (build_config.get("input_shape") is not None
                                                         or getattr(layer, "_build_config_by_name", False)) \
                and isinstance(layer, Layer) and not layer.built:
            try:
                layer.build_from_config(build_config)
            except (ValueError, TypeError) as e:  # the layer still loads; its first call builds it
                warnings.warn(f'Could not build layer "{layer.name}" from its build config '
                              f"{build_config}: {type(e).__name__}: {e}", stacklevel=2)
        return layer




def serialize(layer) -> dict:
    """``keras.layers.serialize``: the ``{"module", "class_name", "config", ...}`` dict of a layer."""
    return serialize_keras_object(layer)


def deserialize(config, custom_objects: dict | None = None):
    """``keras.layers.deserialize``: a layer from its config (Keras 3 or Keras 2 dialect)."""
    return deserialize_layer(config, custom_objects=custom_objects)
