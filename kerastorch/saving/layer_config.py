"""Layer configs made loadable: dialect clean-up of a (Keras 2 or Keras 3) layer config,
``deserialize_layer``, and rebuilding a model's compile configuration
(``compile_from_config``, ``deserialize_optimizer``).

Used by :mod:`kerastorch.saving.serialization` when a layer is met inside an object config,
by :mod:`kerastorch.saving.model_config` for each layer of a model, and by wrapper layers
for their inner layers.
"""
from __future__ import annotations

import copy
import inspect
import warnings
from typing import Any

from kerastorch.saving.serialization import (
    _LAYER_ALIASES,
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
    from kerastorch.layers.layer import _BASE_KWARGS, Layer
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
    from kerastorch import activations
    fn = getattr(activations, "hard_sigmoid_keras2", None)
    if fn is not None:
        return fn
    try:
        return activations.get("hard_sigmoid", legacy=True)
    except TypeError:
        warnings.warn("This file uses Keras 2's `hard_sigmoid` (clip(0.2x + 0.5, 0, 1)) but "
                      "kerastorch.activations offers no Keras 2 variant; Keras 3's formula is used.",
                      stacklevel=3)
        return "hard_sigmoid"


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
    from kerastorch.layers.layer import Layer
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
    if cls.__name__ == "Lambda" or _contains_bytecode(inner):
        if in_safe_mode() and _contains_bytecode(inner):
            _refuse_bytecode(f'the Lambda layer "{inner.get("name", "?")}"')
    cleaned: dict[str, Any] = {}
    from kerastorch.layers.layer import Layer
    from kerastorch.models.model import Model
    accepted = _accepted_keys(cls) if _is_builtin(cls) and not getattr(cls, "_op_name", None) \
        and not issubclass(cls, Model) else None
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
    out = {"class_name": cls.__name__ if short in _LAYER_ALIASES else class_name, "config": cleaned}
    for key in ("module", "registered_name", "build_config", "compile_config", "name", "inbound_nodes"):
        if key in layer_config:
            out[key] = layer_config[key]
    if short in _LAYER_ALIASES:
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
    from kerastorch.layers.layer import Layer
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
        from kerastorch.models.functional import Functional
        from kerastorch.models.sequential import Sequential
        try:
            if isinstance(cls, type) and issubclass(cls, (Sequential, Functional)):
                layer = cls.from_config(inner, custom_objects=_state("custom_objects"))
            else:
                layer = cls.from_config(inner)
        except (TypeError, ValueError) as e:
            if isinstance(e, ValueError) and "bytecode" in str(e):
                raise
            raise type(e)(f"Could not rebuild layer {config.get('class_name')!r} "
                          f"(name {inner.get('name')!r}) from its config: {e}") from e
        build_config = config.get("build_config")
        if build and isinstance(build_config, dict) and build_config.get("input_shape") is not None \
                and isinstance(layer, Layer) and not layer.built:
            try:
                layer.build_from_config(build_config)
            except Exception as e:  # noqa: BLE001
                warnings.warn(f'Could not build layer "{layer.name}" from its build config '
                              f"{build_config}: {e}", stacklevel=2)
        return layer


def compile_from_config(model, compile_config: dict) -> None:
    """``model.compile(**compile_config)`` with its serialized pieces rebuilt; warns on failure."""
    if not compile_config or not hasattr(model, "compile"):
        return
    cfg = dict(compile_config)
    kwargs = {}
    try:
        if cfg.get("optimizer") is not None:
            kwargs["optimizer"] = deserialize_optimizer(cfg["optimizer"])
        for key in ("loss", "metrics", "weighted_metrics"):
            if cfg.get(key) is not None:
                kwargs[key] = _deserialize_training_object(cfg[key], key)
        for key in ("loss_weights", "run_eagerly", "steps_per_execution", "jit_compile"):
            if key in cfg and cfg[key] is not None:
                kwargs[key] = cfg[key]
        _call_compile(model, kwargs)
    except Exception as e:  # noqa: BLE001 - as Keras: the model loads, uncompiled, with a warning
        warnings.warn(f"Could not compile the loaded model from its saved training configuration ({e}). "
                      "The model was *not* compiled; compile it manually.", stacklevel=3)


def _call_compile(model, kwargs: dict) -> None:
    params = inspect.signature(model.compile).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        kwargs = {k: v for k, v in kwargs.items() if k in params}
    model.compile(**kwargs)


def deserialize_optimizer(config):
    from kerastorch import optimizers
    if isinstance(config, str):
        return optimizers.get(config)
    config = dict(config)
    name = config.get("class_name", "")
    custom = _resolve_custom(config.get("registered_name")) or _resolve_custom(name)
    if custom is not None:
        return custom.from_config(dict(config.get("config") or {}))
    if isinstance(name, str) and ">" in name:
        config["class_name"] = name.split(">", 1)[1]
    inner = dict(config.get("config") or {})
    inner.pop("is_legacy_optimizer", None)
    inner.pop("jit_compile", None)
    config["config"] = inner
    return optimizers.deserialize({"class_name": config["class_name"], "config": inner})


def _deserialize_training_object(value, key):
    """Losses / metrics from a compile or training config: names stay names, dicts are rebuilt."""
    if value is None or isinstance(value, (str, bool, int, float)):
        obj = _resolve_custom(value) if isinstance(value, str) else None
        return obj if obj is not None else value
    if isinstance(value, list):
        return [_deserialize_training_object(v, key) for v in value]
    if isinstance(value, dict) and not _looks_like_object_config(value):
        return {k: _deserialize_training_object(v, key) for k, v in value.items()}
    class_name = value["class_name"]
    inner = value.get("config")
    if class_name in ("MeanMetricWrapper",) and isinstance(inner, dict):
        fn = inner.get("fn")
        return fn if isinstance(fn, str) else inner.get("name")
    if class_name == "function":
        try:
            return _deserialize_function(value)
        except TypeError:
            return inner
    custom = _resolve_custom(value.get("registered_name")) or _resolve_custom(class_name)
    if custom is not None:
        return custom.from_config(inner or {}) if hasattr(custom, "from_config") else custom
    family = "losses" if key == "loss" else "metrics"
    import importlib
    try:
        mod = importlib.import_module(f"kerastorch.{family}")
    except ImportError:
        return value
    if hasattr(mod, "deserialize") and not (isinstance(inner, dict) and ("fn" in inner or
                                                                          inner.get("reduction") == "auto")):
        try:
            return mod.deserialize({"class_name": class_name.split(">")[-1], "config": inner or {}})
        except Exception:  # noqa: BLE001
            pass
    cls = getattr(mod, class_name.split(">")[-1], None)
    if isinstance(cls, type):
        inner = dict(inner or {})
        if inner.get("reduction") == "auto":  # Keras 2's default reduction
            inner.pop("reduction")
        try:
            return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)
        except TypeError:
            accepted = _accepted_keys(cls) or set(inner)
            return cls(**{k: v for k, v in inner.items() if k in accepted})
    return value
