"""The Keras object-config format: ``serialize_keras_object``/``deserialize_keras_object``,
the state of a load (safe mode, custom objects, Keras 2 semantics) and class lookup by name.

It sits in ``layers/`` (not ``saving/``) because wrapper, RNN and Lambda layers rebuild
their inner layers and functions from configs: ``saving/`` and ``models/`` use it from
above, nothing here imports them. Model classes take part in lookups through
``register_builtin_class`` (called by ``kerastorch.models``).

Three parts: the load context (thread-local flags set by ``load_context``/``SafeModeScope``),
the registries (``layer_registry``, ``register_builtin_class``, Keras 2 class aliases), and
object (de)serialization (plain values, tensors, functions, lambdas, ``get_config`` classes).
Layer configs of both dialects, their cleaning, ``deserialize_layer`` and
``keras.layers.serialize``/``deserialize`` live in ``kerastorch.layers.layer_config``, which
builds on this module; ``_deserialize`` reaches it, for configs naming a Layer, through a
function-local import (the two modules need each other).

Loading never runs code from a config unless safe mode is off: Python bytecode (``Lambda``
layers, ``__lambda__`` objects) is refused with a ``ValueError``, and modules named in a
config are never imported in safe mode.
"""
from __future__ import annotations

import base64
import contextlib
import importlib
import marshal
import threading
import types
import warnings

import numpy as np
import torch

import kerastorch.layers.object_registration as object_registration
from kerastorch._core.settings import enable_unsafe_deserialization, unsafe_deserialization_enabled  # noqa: F401
from kerastorch.graph.keras_tensor import KerasTensor
from kerastorch.layers.layer import Layer
from kerastorch.layers.operation_layers import operation_layer_class

PLAIN_TYPES = (str, int, float, bool)
_STATE = threading.local()

# Keras module names used for built-in kerastorch objects (what Keras 3 writes in "module").
_PUBLIC_MODULES = {
    "layers": "keras.layers", "optimizers": "keras.optimizers", "losses": "keras.losses",
    "metrics": "keras.metrics", "initializers": "keras.initializers", "regularizers": "keras.regularizers",
    "constraints": "keras.constraints", "activations": "keras.activations",
}

# Keras 2 / tf-keras class names with no kerastorch.layers export of that name (alias -> Keras 3 name).
_KERAS2_CLASS_ALIASES = {
    "CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU", "UnifiedLSTM": "LSTM", "UnifiedGRU": "GRU",
    "LSTMV1": "LSTM", "GRUV1": "GRU", "LSTMV2": "LSTM", "GRUV2": "GRU",
    "BatchNormalizationV1": "BatchNormalization", "BatchNormalizationV2": "BatchNormalization",
    "SyncBatchNormalization": "BatchNormalization", "LayerNormalizationV1": "LayerNormalization",
}


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


def in_safe_mode() -> bool:
    value = _state("safe_mode")
    if value is None:
        return not unsafe_deserialization_enabled()
    return value


def loading_in_safe_mode() -> bool:
    """True only inside a load (``load_model``/``from_config`` under a load context) that runs in safe mode:
    the time when a config must not make the process read files outside the archive (vocabulary paths)."""
    return bool(_state("safe_mode"))


def _refuse_bytecode(what: str) -> None:
    raise ValueError(
        f"Requested the deserialization of {what}, which holds Python bytecode. Loading it could "
        "execute arbitrary code, so it is disallowed by default. If you trust the source of this "
        "file, pass `safe_mode=False` to the loading function (or call "
        "`kerastorch.saving.enable_unsafe_deserialization()`).")


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
_BUILTIN_CLASSES: dict[str, type] = {}


def register_builtin_class(cls: type, *names: str) -> None:
    """Make a built-in class above ``layers`` (``Sequential``, ``Functional``) findable by name."""
    for name in (cls.__name__, *names):
        _BUILTIN_CLASSES[name] = cls


def layer_registry() -> dict[str, type]:
    """Every public kerastorch layer class by name (and exported alias), plus registered model classes
    and Keras 2 class names. Built on each call, so layers added later are found."""
    # local import: the layers package imports this module while it initializes
    import kerastorch.layers as layers_module  # this module is imported while the package initializes

    registry: dict[str, type] = {}
    for attr, value in vars(layers_module).items():
        if isinstance(value, type) and issubclass(value, Layer) and not attr.startswith("_"):
            registry.setdefault(value.__name__, value)
            registry.setdefault(attr, value)
    registry.update(_BUILTIN_CLASSES)
    for alias, canonical in _KERAS2_CLASS_ALIASES.items():
        if alias not in registry and canonical in registry:
            registry[alias] = registry[canonical]
    return registry


def _public_module_of(cls) -> tuple[str, str | None]:
    """(module, registered_name) to write for ``cls``, Keras 3 style."""
    module = getattr(cls, "__module__", "") or ""
    if getattr(cls, "_keras_module", None):
        # Keras writes registered_name None for an exported class (keras.utils.FeatureSpace), its own name otherwise.
        return cls._keras_module, None if getattr(cls, "_keras_exported", False) else cls.__name__
    if module.startswith("kerastorch."):
        if module.startswith("kerastorch.models."):
            if cls.__name__ == "Functional":  # Keras 3 writes its private path for this one
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
            compile_config = get_compile()
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
    # local import: layer_config builds on this module (it imports it at module level)
    from kerastorch.layers.layer_config import _clean_nested, deserialize_layer
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
    if class_name == "__keras_tensor__":
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
            fn = getattr(importlib.import_module(f"kerastorch.{family}"), name, None)
            if callable(fn):
                return fn
    if not in_safe_mode() and module and not module.startswith("keras"):
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as e:
            raise TypeError(f"Could not locate function '{name}' in module {module!r}: {e}") from e
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
    if module.startswith("keras.src.ops"):
        return operation_layer_class(short, module)
    registry = layer_registry()
    if short in registry:
        return registry[short]
    for fam in ("optimizers", "losses", "metrics", "initializers", "regularizers", "constraints"):
        cls = _find_in_family(fam, short)
        if cls is not None:
            return cls
    if short == "DTypePolicy" or short == "Policy":
        return _DTypePolicyStub
    # Keras 3's legacy .h5 writer leaves out the module of operation nodes ("NotEqual").
    return operation_layer_class(short)


class _DTypePolicyStub:
    """A Keras ``DTypePolicy`` dict turns into its name (``"float32"``, ``"mixed_float16"``)."""

    @classmethod
    def from_config(cls, config):
        return config.get("name", "float32")


def _find_in_family(family: str, name: str):
    mod = importlib.import_module(f"kerastorch.{family}")  # a floor below layers, loaded with kerastorch
    obj = getattr(mod, name, None)
    # only the family's own classes (a module's `from typing import Any` is not an object to rebuild)
    if isinstance(obj, type) and obj.__module__.startswith("kerastorch."):
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
