"""Object (de)serialization: ``serialize_keras_object`` / ``deserialize_keras_object``,
the context state of a load (safe mode, ``load_context``, ``legacy_config_scope``) and the
layer class registry.

Layer configs are cleaned and rebuilt in :mod:`kerastorch.saving.layer_config`, Keras 3
operation layers live in :mod:`kerastorch.saving.op_layers`, and the configs of functional
and sequential models are written and read in :mod:`kerastorch.saving.model_config`.

Loading never runs code from a file unless ``safe_mode=False``: Python bytecode
(``Lambda`` layers, ``__lambda__`` objects) is refused with a ``ValueError``, and
modules named in a file are never imported in safe mode.
"""
from __future__ import annotations

import base64
import contextlib
import marshal
import threading
import types
import warnings

import numpy as np

from kerastorch.saving import object_registration
from kerastorch.saving.op_layers import op_layer_classes

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
    # imported here: kerastorch.saving.layer_config imports this module at import time
    from kerastorch.saving.layer_config import _clean_nested, deserialize_layer
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
