"""Object (de)serialization: ``serialize_keras_object`` / ``deserialize_keras_object``,
the layer class registry, and the configs of functional and sequential models.

Two config dialects are read and written:

* Keras 3 (``model.get_config()``, ``config.json`` of ``.keras`` files): ``InputLayer``
  has ``batch_shape``; an inbound node is ``{"args": [...], "kwargs": {...}}`` with
  ``{"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node, tensor]}}``
  leaves; ``dtype`` may be a ``DTypePolicy`` dict.
* Keras 2 / tf-keras (``model_config`` of legacy ``.h5`` files, tf-keras ``to_json``):
  ``batch_input_shape``; an inbound node is a list of ``[layer, node, tensor, kwargs]``.

Node indices differ between the dialects for nested models: tf-keras counts a nested
Functional model (or a Sequential model with an input layer) from 1, because such a
model owns a node created at construction; Keras 3 counts from 1 only for nested
Functional models, and only in ``input_layers``/``output_layers``. Reading and writing
both follow these rules.

Loading never runs code from a file unless ``safe_mode=False``: Python bytecode
(``Lambda`` layers, ``__lambda__`` objects) is refused with a ``ValueError``, and
modules named in a file are never imported in safe mode.
"""
from __future__ import annotations

import base64
import contextlib
import copy
import inspect
import marshal
import threading
import types
import warnings
from typing import Any

import numpy as np

from kerastorch.saving import object_registration

PLAIN_TYPES = (str, int, float, bool)
_STATE = threading.local()

# Keras module names used for built-in kerastorch objects (what Keras 3 writes in "module").
_PUBLIC_MODULES = {
    "layers": "keras.layers", "optimizers": "keras.optimizers", "losses": "keras.losses",
    "metrics": "keras.metrics", "initializers": "keras.initializers", "regularizers": "keras.regularizers",
    "constraints": "keras.constraints", "activations": "keras.activations",
}

# Keras class names that kerastorch spells differently (alias -> canonical name).
_LAYER_ALIASES = {
    "Convolution1D": "Conv1D", "Convolution2D": "Conv2D", "Convolution3D": "Conv3D",
    "Convolution1DTranspose": "Conv1DTranspose", "Convolution2DTranspose": "Conv2DTranspose",
    "Convolution3DTranspose": "Conv3DTranspose", "Deconvolution2D": "Conv2DTranspose",
    "Deconvolution3D": "Conv3DTranspose", "SeparableConvolution1D": "SeparableConv1D",
    "SeparableConvolution2D": "SeparableConv2D", "DepthwiseConvolution2D": "DepthwiseConv2D",
    "MaxPool1D": "MaxPooling1D", "MaxPool2D": "MaxPooling2D", "MaxPool3D": "MaxPooling3D",
    "AvgPool1D": "AveragePooling1D", "AvgPool2D": "AveragePooling2D", "AvgPool3D": "AveragePooling3D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D", "GlobalMaxPool2D": "GlobalMaxPooling2D",
    "GlobalMaxPool3D": "GlobalMaxPooling3D", "GlobalAvgPool1D": "GlobalAveragePooling1D",
    "GlobalAvgPool2D": "GlobalAveragePooling2D", "GlobalAvgPool3D": "GlobalAveragePooling3D",
    "CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU", "UnifiedLSTM": "LSTM", "UnifiedGRU": "GRU",
    "LSTMV1": "LSTM", "GRUV1": "GRU", "LSTMV2": "LSTM", "GRUV2": "GRU",
    "BatchNormalizationV1": "BatchNormalization", "BatchNormalizationV2": "BatchNormalization",
    "SyncBatchNormalization": "BatchNormalization", "LayerNormalizationV1": "LayerNormalization",
    "Model": "Functional",
}

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

_RNN_CLASSES = {"LSTM", "GRU", "SimpleRNN", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
                "LSTMCell", "GRUCell", "SimpleRNNCell", "ConvLSTM1DCell", "ConvLSTM2DCell", "ConvLSTM3DCell"}


# --------------------------------------------------------------------- context state
def _state(name, default=None):
    return getattr(_STATE, name, default)


@contextlib.contextmanager
def _set_state(**values):
    old = {k: getattr(_STATE, k, None) for k in values}
    for k, v in values.items():
        setattr(_STATE, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(_STATE, k, v)


class SafeModeScope:
    """Inside this scope, deserialization refuses (``True``) or allows (``False``) Python bytecode."""

    def __init__(self, safe_mode: bool | None = True):
        self.safe_mode = safe_mode

    def __enter__(self):
        self._old = _state("safe_mode")
        if self.safe_mode is not None:
            _STATE.safe_mode = bool(self.safe_mode)
        return self

    def __exit__(self, *exc):
        _STATE.safe_mode = self._old
        return False


_UNSAFE_GLOBALLY = [False]


def enable_unsafe_deserialization() -> None:
    """Allow loading Python bytecode (lambdas) everywhere, like ``keras.config.enable_unsafe_deserialization``."""
    _UNSAFE_GLOBALLY[0] = True


def in_safe_mode() -> bool:
    value = _state("safe_mode")
    if value is None:
        return not _UNSAFE_GLOBALLY[0]
    return value


def _refuse_bytecode(what: str) -> None:
    raise ValueError(
        f"Requested the deserialization of {what}, which holds Python bytecode. Loading it could "
        "execute arbitrary code, so it is disallowed by default. If you trust the source of this "
        "file, pass `safe_mode=False` to the loading function (or call "
        "`kerastorch.saving.enable_unsafe_deserialization()`).")


@contextlib.contextmanager
def legacy_config_scope(legacy: bool = True):
    """While active, model ``get_config`` writes the Keras 2 (tf-keras) dialect."""
    with _set_state(write_legacy=legacy):
        yield


@contextlib.contextmanager
def load_context(keras2_semantics: bool | None = None, custom_objects: dict | None = None,
                 safe_mode: bool | None = None):
    """Flags for a whole load: Keras 2 meaning of ``hard_sigmoid``, custom objects, safe mode."""
    updates = {}
    if keras2_semantics is not None:
        updates["keras2"] = keras2_semantics
    if custom_objects is not None:
        merged = dict(_state("custom_objects") or {})
        merged.update(custom_objects)
        updates["custom_objects"] = merged
    with _set_state(**updates), SafeModeScope(safe_mode), \
            object_registration.CustomObjectScope(custom_objects or {}):
        yield


# --------------------------------------------------------------------- registries
def layer_registry() -> dict[str, type]:
    """Every public kerastorch layer class by name, plus Keras aliases and model classes.

    Built on each call from ``kerastorch.layers`` (so layers added later are found) and cheap.
    """
    import kerastorch.layers as layers_module
    from kerastorch.layers.layer import Layer
    from kerastorch.models.functional import Functional
    from kerastorch.models.model import Model
    from kerastorch.models.sequential import Sequential

    registry: dict[str, type] = {}
    for attr, value in vars(layers_module).items():
        if isinstance(value, type) and issubclass(value, Layer) and not attr.startswith("_"):
            registry.setdefault(value.__name__, value)
            registry.setdefault(attr, value)
    registry.update({"Sequential": Sequential, "Functional": Functional, "Model": Functional})
    del Model
    for alias, canonical in _LAYER_ALIASES.items():
        if alias not in registry and canonical in registry:
            registry[alias] = registry[canonical]
    for name, cls in op_layer_classes().items():
        registry.setdefault(name, cls)
    return registry


def _public_module_of(cls) -> tuple[str, str | None]:
    """(module, registered_name) to write for ``cls``, Keras 3 style."""
    module = getattr(cls, "__module__", "") or ""
    if getattr(cls, "_keras_module", None):
        return cls._keras_module, cls.__name__
    if module.startswith("kerastorch."):
        if module.startswith("kerastorch.models."):
            if cls.__name__ == "Sequential":
                return "keras", None
            if cls.__name__ == "Functional":
                return "keras.src.models.functional", "Functional"
            return "keras", None
        family = module.split(".")[1]
        if family in _PUBLIC_MODULES:
            return _PUBLIC_MODULES[family], None
        return module.replace("kerastorch", "keras", 1), None
    if object_registration.is_registered(cls):
        return module, object_registration.get_registered_name(cls)
    return module, cls.__name__


# --------------------------------------------------------------------- serialization
def serialize_keras_object(obj):
    """A JSON-compatible description of ``obj`` (Keras 3 format); inverse of ``deserialize_keras_object``."""
    import torch
    if obj is None or isinstance(obj, PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {"start": serialize_keras_object(obj.start),
                                                      "stop": serialize_keras_object(obj.stop),
                                                      "step": serialize_keras_object(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    from kerastorch.layers.input_layer import KerasTensor
    if type(obj) is KerasTensor:
        history = obj._keras_history
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(obj.shape), "dtype": obj.dtype,
                           "keras_history": [history.layer.name, history.node_index, history.tensor_index]
                           if history else None}}
    if isinstance(obj, torch.Tensor):
        return {"class_name": "__tensor__", "config": {"value": obj.detach().cpu().numpy().tolist(),
                                                       "dtype": str(obj.dtype).replace("torch.", "")}}
    if isinstance(obj, np.ndarray):
        if obj.ndim == 0:
            return obj.item()
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, torch.dtype):
        return str(obj).replace("torch.", "")
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        warnings.warn("The object being serialized includes a `lambda`, which can only be loaded back with "
                      "`safe_mode=False`. Prefer named, registered functions.", stacklevel=2)
        return {"class_name": "__lambda__", "config": {"value": func_dump(obj)}}
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)) or (
            callable(obj) and not hasattr(obj, "get_config") and hasattr(obj, "__name__")):
        return _serialize_function(obj)
    if hasattr(obj, "get_config"):
        cls = type(obj)
        inner = obj.get_config()
        if not isinstance(inner, dict):
            raise TypeError(f"The `get_config()` method of {obj!r} should return a dict. It returned: {inner!r}")
        module, registered_name = _public_module_of(cls)
        config = {"module": module, "class_name": cls.__name__, "config": serialize_keras_object(inner),
                  "registered_name": registered_name}
        get_build = getattr(obj, "get_build_config", None)
        if callable(get_build):
            build_config = get_build()
            if build_config is not None:
                config["build_config"] = serialize_keras_object(_listify(build_config))
        get_compile = getattr(obj, "get_compile_config", None)
        if callable(get_compile):
            try:
                compile_config = get_compile()
            except Exception:  # noqa: BLE001 - a half-compiled model still serializes
                compile_config = None
            if compile_config is not None:
                config["compile_config"] = serialize_keras_object(compile_config)
        return config
    raise TypeError(f"Cannot serialize object {obj!r} of type {type(obj).__name__}. To be serializable, a "
                    "class must implement the `get_config()` method.")


def _listify(value):
    if isinstance(value, (list, tuple)):
        return [_listify(v) for v in value]
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    return value


def _serialize_function(fn):
    module = getattr(fn, "__module__", None) or "builtins"
    name = getattr(fn, "__name__", None)
    if module.startswith("kerastorch.activations"):
        return name
    if object_registration.is_registered(fn):
        return {"module": module, "class_name": "function", "config": name,
                "registered_name": object_registration.get_registered_name(fn)}
    if module.startswith("kerastorch."):
        family = module.split(".")[1]
        return {"module": _PUBLIC_MODULES.get(family, module.replace("kerastorch", "keras", 1)),
                "class_name": "function", "config": name, "registered_name": name}
    return {"module": module, "class_name": "function", "config": name, "registered_name": name}


def func_dump(fn) -> list:
    """``[code, defaults, closure]`` of a Python function, as Keras writes lambdas."""
    code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return [code, fn.__defaults__, closure]


def func_load(value, globs: dict | None = None):
    """Rebuild a function from ``func_dump`` output; only ever called outside safe mode."""
    if in_safe_mode():
        _refuse_bytecode("a Python lambda")
    if isinstance(value, (list, tuple)):
        code, defaults, closure = (list(value) + [None, None])[:3]
    else:
        code, defaults, closure = value, None, None
    try:
        raw = base64.b64decode(code.encode("ascii") if isinstance(code, str) else code)
        fn_code = marshal.loads(raw)
    except (ValueError, TypeError, EOFError) as e:
        raise ValueError(f"Could not load the serialized Python function: the bytecode is invalid or was "
                         f"written by another Python version ({e}).") from e
    cells = None
    if closure:
        cells = tuple(types.CellType(c) for c in closure)
    if isinstance(defaults, list):
        defaults = tuple(defaults)
    return types.FunctionType(fn_code, globs or globals(), name=fn_code.co_name, argdefs=defaults,
                              closure=cells)


def _contains_bytecode(config) -> bool:
    if isinstance(config, dict):
        if config.get("class_name") == "__lambda__":
            return True
        if config.get("function_type") == "lambda" or config.get("output_shape_type") == "lambda":
            return True
        return any(_contains_bytecode(v) for v in config.values())
    if isinstance(config, list):
        return any(_contains_bytecode(v) for v in config)
    return False


def _resolve_custom(name):
    if not isinstance(name, str):
        return None
    obj = object_registration.get_registered_object(name, _state("custom_objects"))
    return obj


def deserialize_keras_object(config, custom_objects: dict | None = None, safe_mode: bool = True, **kwargs):
    """Rebuild an object from ``serialize_keras_object`` output (or a Keras 2 ``{"class_name", "config"}``)."""
    with load_context(custom_objects=custom_objects,
                      safe_mode=None if _state("safe_mode") is not None else safe_mode):
        return _deserialize(config, kwargs.get("module_objects"), kwargs.get("printable_module_name", "object"))


def _deserialize(config, module_objects=None, kind="object"):
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        obj = _resolve_custom(config)
        if obj is not None:
            return obj
        if module_objects and config in module_objects:
            return module_objects[config]
        return config
    if isinstance(config, (list, tuple)):
        return [_deserialize(x, module_objects, kind) for x in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {k: _deserialize(v, module_objects, kind) for k, v in config.items()}
    class_name = config["class_name"]
    inner = config.get("config")
    special = _deserialize_special(class_name, inner if isinstance(inner, dict) else {})
    if special is not _NOT_SPECIAL:
        return special
    if class_name == "function":
        return _deserialize_function(config)
    cls = _find_class(class_name, config.get("registered_name"), config.get("module"), module_objects)
    if cls is None:
        raise TypeError(f"Could not locate class '{class_name}'. Make sure custom classes are decorated with "
                        "`@keras.saving.register_keras_serializable()` or passed in `custom_objects`. "
                        f"Full object config: {_short(config)}")
    from kerastorch.layers.layer import Layer
    if isinstance(cls, type) and issubclass(cls, Layer):
        return deserialize_layer(config)
    if isinstance(cls, types.FunctionType):
        return cls
    if not hasattr(cls, "from_config"):
        raise TypeError(f"Unable to reconstruct an instance of '{class_name}': the class has no `from_config()`.")
    inner = _clean_nested(inner or {})
    try:
        return cls.from_config(inner)
    except TypeError as e:
        raise TypeError(f"{cls.__name__} could not be deserialized from config={_short(inner)}: {e}") from e


_NOT_SPECIAL = object()


def _deserialize_special(class_name, inner):
    import torch
    if class_name == "__keras_tensor__":
        from kerastorch.layers.input_layer import KerasTensor
        kt = KerasTensor(inner.get("shape") or (), inner.get("dtype") or "float32")
        kt._pre_serialization_keras_history = inner.get("keras_history")
        return kt
    if class_name == "__tensor__":
        return torch.as_tensor(np.asarray(inner["value"], dtype=inner.get("dtype") or None))
    if class_name == "__numpy__":
        return np.asarray(inner["value"], dtype=inner.get("dtype") or None)
    if class_name == "__bytes__":
        return str(inner["value"]).encode("utf-8")
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__slice__":
        return slice(_deserialize(inner.get("start")), _deserialize(inner.get("stop")),
                     _deserialize(inner.get("step")))
    if class_name == "__tuple__":
        return tuple(_deserialize(v) for v in inner.get("value", []))
    if class_name == "__lambda__":
        if in_safe_mode():
            _refuse_bytecode("a `lambda` object")
        if "value" in inner:
            return func_load(inner.get("value"))
        return func_load([inner.get("code"), inner.get("defaults"), inner.get("closure")])
    if class_name == "__typespec__":
        raise ValueError("TensorFlow TypeSpec objects cannot be loaded without TensorFlow.")
    return _NOT_SPECIAL


def _deserialize_function(config):
    name = config.get("config")
    registered = config.get("registered_name")
    for key in (registered, name):
        obj = _resolve_custom(key)
        if obj is not None:
            return obj
    module = config.get("module") or ""
    if module.startswith("keras") or module == "builtins":
        for family in ("activations", "losses", "metrics"):
            if module.startswith("keras") and module.split(".")[-1] not in (family, "keras", "src") \
                    and family not in module:
                continue
            try:
                mod = __import__(f"kerastorch.{family}", fromlist=["get"])
                fn = getattr(mod, name, None)
                if callable(fn):
                    return fn
            except ImportError:
                continue
    if not in_safe_mode() and module and not module.startswith("keras"):
        import importlib
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            pass
    raise TypeError(f"Could not locate function '{name}' (module {module!r}). Register it with "
                    "`@keras.saving.register_keras_serializable()` or pass it in `custom_objects`.")


def _find_class(class_name, registered_name=None, module=None, module_objects=None):
    short = class_name.split(">", 1)[1] if isinstance(class_name, str) and ">" in class_name else class_name
    for key in (registered_name, class_name, short):
        obj = _resolve_custom(key)
        if obj is not None:
            return obj
    if module_objects and class_name in module_objects:
        return module_objects[class_name]
    module = module or ""
    family = None
    for fam in _PUBLIC_MODULES:
        if f".{fam}" in module or module == f"keras.{fam}":
            family = fam
            break
    if family not in (None, "layers"):
        cls = _find_in_family(family, short)
        if cls is not None:
            return cls
    registry = layer_registry()
    if short in registry:
        return registry[short]
    for fam in ("optimizers", "losses", "metrics", "initializers", "regularizers", "constraints"):
        cls = _find_in_family(fam, short)
        if cls is not None:
            return cls
    if short == "DTypePolicy" or short == "Policy":
        return _DTypePolicyStub
    return None


class _DTypePolicyStub:
    """A Keras ``DTypePolicy`` dict turns into its name (``"float32"``, ``"mixed_float16"``)."""

    @classmethod
    def from_config(cls, config):
        return config.get("name", "float32")


def _find_in_family(family: str, name: str):
    import importlib
    try:
        mod = importlib.import_module(f"kerastorch.{family}")
    except ImportError:
        return None
    obj = getattr(mod, name, None)
    if isinstance(obj, type):
        return obj
    objects = getattr(mod, "ALL_OBJECTS_DICT", None)
    if isinstance(objects, dict):
        obj = objects.get(name) or objects.get(str(name).lower())
        if isinstance(obj, type):
            return obj
    return None


def _short(config, limit: int = 300) -> str:
    text = repr(config)
    return text if len(text) <= limit else text[:limit] + "..."


# --------------------------------------------------------------------- layer configs
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


# --------------------------------------------------------------------- Keras 3 op layers
_OP_TABLE = None


def _op_table():
    global _OP_TABLE
    if _OP_TABLE is not None:
        return _OP_TABLE
    import torch

    def reduce(fn):
        def run(x, axis=None, keepdims=False):
            if axis is None:
                out = fn(x)
                return out.reshape([1] * x.ndim) if keepdims else out
            return fn(x, dim=tuple(axis) if isinstance(axis, (list, tuple)) else axis, keepdim=keepdims)
        return run

    def amax(x, dim=None, keepdim=False):
        return torch.amax(x, dim=dim, keepdim=keepdim) if dim is not None else torch.max(x)

    def amin(x, dim=None, keepdim=False):
        return torch.amin(x, dim=dim, keepdim=keepdim) if dim is not None else torch.min(x)

    def as_tensor_pair(fn):
        def run(x1, x2):
            if not isinstance(x1, torch.Tensor):
                x1 = torch.as_tensor(x1, device=x2.device)
            if not isinstance(x2, torch.Tensor):
                x2 = torch.as_tensor(x2, device=x1.device)
            return fn(x1, x2)
        return run

    def cast(x, dtype=None):
        from kerastorch.backend import config
        return x.to(config.to_torch_dtype(dtype))

    def concat(xs, axis=0):
        return torch.cat(list(xs), dim=axis)

    def softmax(x, axis=-1):
        return torch.softmax(x, dim=axis)

    def expand_dims(x, axis=0):
        return torch.unsqueeze(x, axis)

    def squeeze(x, axis=None):
        return torch.squeeze(x) if axis is None else torch.squeeze(x, axis)

    def transpose(x, axes=None):
        return x.permute(*axes) if axes is not None else x.permute(*reversed(range(x.ndim)))

    def reshape(x, newshape=None):
        return torch.reshape(x, tuple(newshape))

    def where(condition, x1=None, x2=None):
        return torch.where(condition, x1, x2)

    numpy_mod = "keras.src.ops.numpy"
    _OP_TABLE = {
        "Add": (numpy_mod, as_tensor_pair(torch.add)), "Subtract": (numpy_mod, as_tensor_pair(torch.sub)),
        "Multiply": (numpy_mod, as_tensor_pair(torch.mul)), "Divide": (numpy_mod, as_tensor_pair(torch.div)),
        "TrueDivide": (numpy_mod, as_tensor_pair(torch.true_divide)),
        "Power": (numpy_mod, as_tensor_pair(torch.pow)), "Matmul": (numpy_mod, as_tensor_pair(torch.matmul)),
        "Maximum": (numpy_mod, as_tensor_pair(torch.maximum)),
        "Minimum": (numpy_mod, as_tensor_pair(torch.minimum)),
        "Equal": (numpy_mod, as_tensor_pair(torch.eq)), "NotEqual": (numpy_mod, as_tensor_pair(torch.ne)),
        "Greater": (numpy_mod, as_tensor_pair(torch.gt)), "GreaterEqual": (numpy_mod, as_tensor_pair(torch.ge)),
        "Less": (numpy_mod, as_tensor_pair(torch.lt)), "LessEqual": (numpy_mod, as_tensor_pair(torch.le)),
        "LogicalAnd": (numpy_mod, as_tensor_pair(torch.logical_and)),
        "LogicalOr": (numpy_mod, as_tensor_pair(torch.logical_or)),
        "LogicalNot": (numpy_mod, torch.logical_not), "Negative": (numpy_mod, torch.neg),
        "Absolute": (numpy_mod, torch.abs), "Sqrt": (numpy_mod, torch.sqrt), "Square": (numpy_mod, torch.square),
        "Exp": (numpy_mod, torch.exp), "Log": (numpy_mod, torch.log), "Tanh": (numpy_mod, torch.tanh),
        "Any": (numpy_mod, reduce(torch.any)), "All": (numpy_mod, reduce(torch.all)),
        "Sum": (numpy_mod, reduce(torch.sum)), "Mean": (numpy_mod, reduce(torch.mean)),
        "Max": (numpy_mod, reduce(amax)), "Min": (numpy_mod, reduce(amin)),
        "Concatenate": (numpy_mod, concat), "ExpandDims": (numpy_mod, expand_dims),
        "Squeeze": (numpy_mod, squeeze), "Transpose": (numpy_mod, transpose), "Reshape": (numpy_mod, reshape),
        "Where": (numpy_mod, where), "Cast": ("keras.src.ops.core", cast),
        "Relu": ("keras.src.ops.nn", torch.relu), "Sigmoid": ("keras.src.ops.nn", torch.sigmoid),
        "Softmax": ("keras.src.ops.nn", softmax),
    }
    return _OP_TABLE


_OP_CLASSES: dict[str, type] = {}


def op_layer_classes() -> dict[str, type]:
    """Layer classes standing for Keras 3 operations found in functional configs (``NotEqual``...)."""
    if _OP_CLASSES:
        return _OP_CLASSES
    from kerastorch.layers.layer import Layer

    class KerasOpLayer(Layer):
        """One Keras 3 operation (e.g. ``keras.ops.not_equal``) recorded in a functional model."""
        _op_name = "op"
        _keras_module = "keras.src.ops.numpy"

        def __init__(self, name=None, **op_config):
            op_config.pop("trainable", None)
            op_config.pop("dtype", None)
            super().__init__(name=name)
            self.op_config = op_config
            self._fn = _op_table()[self._op_name][1]

        def call(self, *args, **kwargs):
            return self._fn(*args, **{**self.op_config, **kwargs})

        def get_config(self):
            return {"name": self.name, **self.op_config}

        @classmethod
        def from_config(cls, config):
            return cls(**config)

    for op_name, (module, _) in _op_table().items():
        _OP_CLASSES[op_name] = type(op_name, (KerasOpLayer,), {
            "_op_name": op_name, "_keras_module": module, "__module__": __name__,
            "__doc__": f"The Keras 3 operation `{op_name}` as a layer of a loaded functional model."})
    return _OP_CLASSES


def is_op_layer(layer) -> bool:
    """Whether ``layer`` is an operation node (not a Keras layer; absent from ``.weights.h5`` files)."""
    from kerastorch.layers.input_layer import TorchOpLayer
    return isinstance(layer, TorchOpLayer) or getattr(type(layer), "_keras_module", "").startswith("keras.src.ops")


def _torch_op_as_keras(layer):
    """The Keras 3 op class for a TorchOpLayer wrapping a common operator, or None."""
    import operator

    import torch
    mapping = {operator.add: "Add", operator.sub: "Subtract", operator.mul: "Multiply",
               operator.truediv: "TrueDivide", operator.matmul: "Matmul", operator.neg: "Negative",
               operator.pow: "Power", operator.abs: "Absolute", torch.add: "Add", torch.sub: "Subtract",
               torch.mul: "Multiply", torch.matmul: "Matmul", torch.abs: "Absolute", torch.exp: "Exp",
               torch.sqrt: "Sqrt", torch.square: "Square", torch.tanh: "Tanh", torch.relu: "Relu",
               torch.sigmoid: "Sigmoid", torch.maximum: "Maximum", torch.minimum: "Minimum",
               operator.lt: "Less", operator.le: "LessEqual", operator.gt: "Greater", operator.ge: "GreaterEqual"}
    return mapping.get(getattr(layer, "func", None))


# --------------------------------------------------------------------- model configs
def _model_node_set(model) -> set:
    """Nodes belonging to a functional model: its run nodes plus its inputs' nodes."""
    nodes = set(model._run_nodes)
    for t in model.inputs:
        h = t._keras_history
        nodes.add(h.layer._inbound_nodes[h.node_index])
    return nodes


def _layer_node_indices(layer, node_set: set, legacy: bool, io: bool = False) -> dict:
    """{id(node): config index} for ``layer``'s nodes in this model, per the dialect's counting."""
    from kerastorch.layers.input_layer import InputLayer
    if isinstance(layer, InputLayer):
        return {id(n): 0 for n in layer._inbound_nodes}
    offset = _node_offset(layer, legacy, io)
    out = {}
    k = 0
    for node in layer._inbound_nodes:
        if node in node_set:
            out[id(node)] = offset + k
            k += 1
    return out


def _node_offset(layer, legacy: bool, io: bool) -> int:
    from kerastorch.models.functional import Functional
    from kerastorch.models.sequential import Sequential
    if legacy:
        if isinstance(layer, Functional):
            return 1
        if isinstance(layer, Sequential) and layer._input_layer is not None:
            return 1
        return 0
    return 1 if io and isinstance(layer, Functional) else 0


def _layer_entry(layer) -> dict:
    from kerastorch.layers.input_layer import TorchOpLayer
    if isinstance(layer, TorchOpLayer):
        op = _torch_op_as_keras(layer)
        if op is None:
            layer.get_config()  # raises the explanatory NotImplementedError
        module = _op_table()[op][0]
        return {"module": module, "class_name": op, "config": {"name": layer.name}, "registered_name": op}
    return serialize_keras_object(layer)


def functional_config(model) -> dict:
    """``get_config()`` of a functional model (Keras 3 dialect, or Keras 2 inside ``legacy_config_scope``)."""
    from kerastorch.backend import tree
    from kerastorch.layers.input_layer import KerasTensor
    legacy = bool(_state("write_legacy"))
    node_set = _model_node_set(model)
    index_maps = {}

    def node_index(layer, node, io=False):
        key = (id(layer), io)
        if key not in index_maps:
            index_maps[key] = _layer_node_indices(layer, node_set, legacy, io)
        return index_maps[key][id(node)]

    def ref(t, io=False):
        h = t._keras_history
        node = h.layer._inbound_nodes[h.node_index]
        return [h.layer.name, node_index(h.layer, node, io), h.tensor_index]

    layer_configs = []
    for layer in model._graph_layers:
        entry = _layer_entry(layer)
        if legacy:
            entry = to_legacy_layer_config(entry)
        entry["name"] = layer.name
        nodes = []
        for node in layer._inbound_nodes:
            if node not in node_set or node.is_input:
                continue
            nodes.append(_legacy_node(node, ref) if legacy else _k3_node(node, ref))
        entry["inbound_nodes"] = nodes
        layer_configs.append(entry)

    def io_refs(struct):
        if type(struct) is KerasTensor:
            return [ref(struct, io=True)] if legacy else ref(struct, io=True)
        if isinstance(struct, dict) and not legacy:
            return {k: io_refs(v) for k, v in struct.items()}
        return [ref(t, io=True) for t in tree.flatten(struct)]

    config = {"name": model.name, "trainable": model.trainable, "layers": layer_configs,
              "input_layers": io_refs(model._inputs_struct), "output_layers": io_refs(model._outputs_struct)}
    return config


def _k3_node(node, ref) -> dict:
    from kerastorch.backend import tree
    from kerastorch.layers.input_layer import KerasTensor

    def conv(x):
        if type(x) is KerasTensor:
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(x.shape), "dtype": x.dtype, "keras_history": ref(x)}}
        return serialize_keras_object(x)

    args = _map_leaves(conv, list(node.call_args))
    kwargs = _map_leaves(conv, dict(node.call_kwargs))
    del tree
    return {"args": args, "kwargs": kwargs}


def _map_leaves(fn, value):
    if isinstance(value, (list, tuple)):
        return [_map_leaves(fn, v) for v in value]
    if isinstance(value, dict):
        return {k: _map_leaves(fn, v) for k, v in value.items()}
    return fn(value)


def _legacy_node(node, ref) -> list:
    from kerastorch.backend import tree
    from kerastorch.layers.input_layer import KerasTensor
    args = list(node.call_args)
    first = args[0] if args else None
    kwargs = dict(node.call_kwargs)
    if len(args) > 1:
        params = [p for p in inspect.signature(node.layer.call).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        names = [p.name for p in params][1:]
        for name, value in zip(names, args[1:]):
            kwargs[name] = value

    def conv_kw(x):
        if type(x) is KerasTensor:
            return ref(x)
        return serialize_keras_object(x)

    kwargs = _map_leaves(conv_kw, kwargs)
    if kwargs.get("mask", 0) is None:
        del kwargs["mask"]
    entries = []
    for leaf in tree.flatten(first) if isinstance(first, (list, tuple, dict)) else [first]:
        if type(leaf) is KerasTensor:
            entries.append(ref(leaf) + [kwargs])
        else:
            entries.append(["_CONSTANT_VALUE", -1, serialize_keras_object(leaf), kwargs])
    return entries


def to_legacy_layer_config(entry: dict) -> dict:
    """A Keras 3 layer entry rewritten for tf-keras: dtype strings, ``batch_input_shape``, no Keras-3-only keys."""
    out = {"class_name": entry["class_name"], "config": _legacy_inner(entry["class_name"], entry.get("config"))}
    if entry.get("registered_name") and entry["registered_name"] != entry["class_name"]:
        out["class_name"] = entry["registered_name"]
    return out


_K3_ONLY_KEYS = {"quantization_config", "lora_rank", "lora_alpha", "use_cudnn", "flash_attention"}


def _legacy_inner(class_name, config):
    if not isinstance(config, dict):
        return config
    out = {}
    for key, value in config.items():
        if key in _K3_ONLY_KEYS:
            continue
        if key == "seed" and class_name in _RNN_CLASSES:
            continue
        if key == "dtype":
            value = _dtype_name(value)
        if key == "batch_shape" and class_name == "InputLayer":
            key = "batch_input_shape"
        if isinstance(value, dict) and _looks_like_object_config(value):
            value = dict(value)
            value.pop("build_config", None)
            value.pop("compile_config", None)
            value.pop("shared_object_id", None)
            if key in ("layer", "backward_layer", "cell"):
                value = to_legacy_layer_config(value)
            elif value.get("class_name") in ("DTypePolicy", "Policy"):
                value = _dtype_name(value)
        elif isinstance(value, list) and key in ("cells",):
            value = [to_legacy_layer_config(v) if _looks_like_object_config(v) else v for v in value]
        out[key] = value
    if class_name == "InputLayer":
        out.setdefault("sparse", False)
        out.setdefault("ragged", False)
    return out


def sequential_config(model) -> dict:
    """``get_config()`` of a Sequential model in the active dialect."""
    legacy = bool(_state("write_legacy"))
    layers = []
    if model._input_layer is not None:
        entry = serialize_keras_object(model._input_layer)
        layers.append(to_legacy_layer_config(entry) if legacy else entry)
    for layer in model._stack:
        entry = serialize_keras_object(layer)
        layers.append(to_legacy_layer_config(entry) if legacy else entry)
    config = {"name": model.name, "trainable": model.trainable}
    if not legacy:
        config["dtype"] = {"module": "keras", "class_name": "DTypePolicy",
                           "config": {"name": model.dtype}, "registered_name": None}
    config["layers"] = layers
    if model._input_layer is not None and not legacy:
        config["build_input_shape"] = list(model._input_layer.batch_shape)
    return config


def sequential_from_config(config, custom_objects: dict | None = None, cls=None):
    """Rebuild a Sequential model from either dialect's config (also Keras 2.0's list form)."""
    from kerastorch.layers.input_layer import InputLayer
    from kerastorch.models.sequential import Sequential
    cls = cls or Sequential
    if isinstance(config, list):
        config = {"layers": config}
    keras2 = None
    if _state("keras2") is None:
        first = (config.get("layers") or [{}])[0]
        inner = first.get("config") if isinstance(first, dict) else None
        keras2 = isinstance(inner, dict) and "batch_input_shape" in inner
    with load_context(custom_objects=custom_objects, keras2_semantics=keras2):
        model = cls(name=config.get("name"))
        for layer_config in config.get("layers", []):
            model.add(deserialize_layer(layer_config, build=False))
        build_shape = config.get("build_input_shape")
        if not model.built and build_shape:
            model.build(tuple(build_shape))
        if config.get("trainable") is False:
            model.trainable = False
    return model


class _NotReady(Exception):
    pass


def _is_legacy_functional(config: dict) -> bool:
    for layer in config.get("layers", []):
        nodes = layer.get("inbound_nodes") or []
        if nodes and isinstance(nodes[0], list):
            return True
        if nodes and isinstance(nodes[0], dict):
            return False
        inner = layer.get("config") or {}
        if layer.get("class_name") == "InputLayer" and isinstance(inner, dict):
            if "batch_input_shape" in inner:
                return True
            if "batch_shape" in inner:
                return False
    return False


def _is_entry(x) -> bool:
    return (isinstance(x, list) and len(x) in (3, 4) and isinstance(x[0], str)
            and isinstance(x[1], int) and not isinstance(x[1], bool)
            and (len(x) == 3 or isinstance(x[3], dict)))


def functional_from_config(config, custom_objects: dict | None = None, cls=None):
    """Rebuild a functional model from either dialect's config."""
    from kerastorch.backend import tree
    from kerastorch.layers.input_layer import InputLayer, KerasTensor
    from kerastorch.models.functional import Functional
    cls = cls or Functional
    if not isinstance(config, dict) or "layers" not in config:
        raise ValueError(f"Invalid functional model config (no 'layers'): {_short(config)}")
    legacy = _is_legacy_functional(config)
    keras2 = _state("keras2")
    with load_context(custom_objects=custom_objects, keras2_semantics=legacy if keras2 is None else None):
        created: dict[str, Any] = {}
        outputs: dict[str, list] = {}
        pending = []
        for layer_config in config["layers"]:
            name = layer_config.get("name") or (layer_config.get("config") or {}).get("name")
            layer = deserialize_layer(layer_config, build=False)
            if name is None:
                name = layer.name
            if name in created:
                raise ValueError(f'The model config has two layers named "{name}".')
            created[name] = layer
            pending.append([name, layer, list(layer_config.get("inbound_nodes") or [])])

        def tensor(lname, idx, tidx, io=False):
            layer = created.get(lname)
            if layer is None:
                raise ValueError(f'The model config refers to an unknown layer "{lname}".')
            if isinstance(layer, InputLayer):
                return layer.output_tensor
            call = int(idx) - _node_offset(layer, legacy, io)
            if call < 0:
                call = int(idx)
            calls = outputs.get(lname, [])
            if call >= len(calls):
                raise _NotReady
            flat = tree.flatten(calls[call])
            if not 0 <= int(tidx) < len(flat):
                raise ValueError(f'Layer "{lname}" has no output tensor #{tidx} (it has {len(flat)}).')
            return flat[int(tidx)]

        def resolve_k3(value):
            if isinstance(value, KerasTensor):
                h = getattr(value, "_pre_serialization_keras_history", None)
                return tensor(*h) if h else value
            if isinstance(value, list):
                return [resolve_k3(v) for v in value]
            if isinstance(value, tuple):
                return tuple(resolve_k3(v) for v in value)
            if isinstance(value, dict):
                return {k: resolve_k3(v) for k, v in value.items()}
            return value

        def resolve_legacy_kwargs(value):
            if _is_entry(value) and len(value) == 3 and value[0] in created:
                return tensor(*value)
            if isinstance(value, list):
                return [resolve_legacy_kwargs(v) for v in value]
            if isinstance(value, dict):
                return {k: resolve_legacy_kwargs(v) for k, v in value.items()}
            return value

        def call_node(layer, node_data):
            if isinstance(node_data, dict):
                args = _deserialize(node_data.get("args") or [])
                kwargs = _deserialize(node_data.get("kwargs") or {})
                args = resolve_k3(args)
                kwargs = resolve_k3(kwargs)
            else:
                entries = _flatten_entries(node_data)
                inputs, kwargs = [], {}
                for entry in entries:
                    if entry[0] == "_CONSTANT_VALUE":
                        inputs.append(entry[2])
                    else:
                        inputs.append(tensor(entry[0], entry[1], entry[2]))
                    if len(entry) == 4 and entry[3]:
                        kwargs = entry[3]
                kwargs = resolve_legacy_kwargs(_deserialize(kwargs))
                params = _call_params(layer)
                if len(inputs) > 1 and params is not None and "initial_state" in params \
                        and "initial_state" not in kwargs:
                    args = [inputs[0]]
                    kwargs["initial_state"] = inputs[1:]
                else:
                    args = [inputs[0] if len(inputs) == 1 else inputs]
            kwargs = _filter_call_kwargs(layer, kwargs)
            return layer(*args, **kwargs)

        while pending:
            progress = False
            remaining = []
            for item in pending:
                name, layer, nodes = item
                while nodes:
                    try:
                        out = call_node(layer, nodes[0])
                    except _NotReady:
                        break
                    outputs.setdefault(name, []).append(out)
                    nodes.pop(0)
                    progress = True
                if nodes:
                    remaining.append(item)
            pending = remaining
            if pending and not progress:
                stuck = ", ".join(sorted(n for n, _, _ in pending))
                raise ValueError(f"Cannot rebuild the model from its config: the inputs of layer(s) {stuck} "
                                 "can never be computed (invalid or incomplete config).")

        def io(struct):
            if _is_entry(struct):
                return tensor(struct[0], struct[1], struct[2], io=True)
            if isinstance(struct, dict):
                return {k: io(v) for k, v in struct.items()}
            if isinstance(struct, (list, tuple)):
                return [io(v) for v in struct]
            raise ValueError(f"Invalid input_layers/output_layers entry in the model config: {struct!r}")

        try:
            inputs = io(config.get("input_layers") or [])
            outs = io(config.get("output_layers") or [])
        except _NotReady:
            raise ValueError("Cannot rebuild the model from its config: an output refers to a layer call "
                             "that the config never makes.") from None
        if isinstance(inputs, list) and len(inputs) == 1 and legacy:
            inputs = inputs[0]
        if isinstance(outs, list) and len(outs) == 1 and legacy:
            outs = outs[0]
        model = cls(inputs=inputs, outputs=outs, name=config.get("name"))
        if config.get("trainable") is False:
            model.trainable = False
    return model


def _flatten_entries(node_data) -> list:
    if _is_entry(node_data) or (isinstance(node_data, list) and len(node_data) in (3, 4)
                                and node_data and node_data[0] == "_CONSTANT_VALUE"):
        return [node_data]
    if isinstance(node_data, dict):
        out = []
        for key in sorted(node_data):
            out.extend(_flatten_entries(node_data[key]))
        return out
    if isinstance(node_data, list):
        out = []
        for item in node_data:
            out.extend(_flatten_entries(item))
        return out
    raise ValueError(f"Invalid inbound node data in the model config: {_short(node_data)}")


def _call_params(layer):
    try:
        params = inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return None
    return set(params)


def _filter_call_kwargs(layer, kwargs: dict) -> dict:
    kwargs = {k: v for k, v in kwargs.items() if k != "training"}
    if kwargs.get("mask", 0) is None:
        kwargs.pop("mask")
    params = _call_params(layer)
    if params is None:
        return kwargs
    return {k: v for k, v in kwargs.items() if k in params}


# --------------------------------------------------------------------- models <-> json
def model_config(model, legacy: bool = False) -> dict:
    """``{"class_name", "config", ...}`` for a whole model in the chosen dialect."""
    with legacy_config_scope(legacy):
        entry = serialize_keras_object(model)
    if legacy:
        out = {"class_name": entry["class_name"] if entry.get("registered_name") in (None, entry["class_name"])
               else entry["registered_name"], "config": entry["config"]}
        return out
    return entry


def model_from_config(config: dict, custom_objects: dict | None = None, safe_mode: bool = True,
                      keras2_semantics: bool | None = None):
    """A model (or layer) from ``model_config`` output of either dialect."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Invalid model config: expected a dict with 'class_name' and 'config'. "
                         f"Received: {_short(config)}")
    with load_context(keras2_semantics=keras2_semantics, custom_objects=custom_objects, safe_mode=safe_mode):
        return deserialize_layer(config)
