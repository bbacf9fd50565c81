"""``Lambda``: wrap an arbitrary function as a layer.

Serialization follows Keras. A Python ``lambda`` is stored as its bytecode
(Keras's ``func_dump``: base64 of ``marshal.dumps(fn.__code__)``, the defaults and
the closure cell values); ``get_config`` writes the Keras 3 form
``{"class_name": "__lambda__", "config": {"code", "defaults", "closure"}}`` and
``from_config`` also reads Keras 2 configs (``function``/``function_type``/``module``,
with the dump as a ``[code, defaults, closure]`` list). A named function is stored
by module and name.

Loading bytecode executes code from the file, so it is refused unless safe mode
is off: ``from_config(config, safe_mode=False)``, or the ambient flag of
``kerastorch.layers.serialization`` (``in_safe_mode()`` returning False) set by a
loader called with ``safe_mode=False``. ``deserialize_function`` is the helper
loaders use for that.
"""
from __future__ import annotations

import binascii
import builtins
import codecs
import importlib
import inspect
import marshal
import sys
import types
from typing import Any

import numpy as np
import torch

from kerastorch import activations, backend, ops
from kerastorch.layers.layer import Layer
from kerastorch.layers.object_registration import get_registered_object
from kerastorch.layers.serialization import in_safe_mode

_SAFE_MODE_MESSAGE = (
    "Requested the deserialization of a `Lambda` layer whose `{what}` is a Python lambda stored as bytecode. "
    "Loading it runs code from the saved file, a potential risk of arbitrary code execution, so it is disallowed "
    "by default (safe mode). If you trust the source of the file, pass `safe_mode=False` to the loading function "
    "(e.g. `keras.models.load_model(path, safe_mode=False)` or `Lambda.from_config(config, safe_mode=False)`), "
    "or call `keras.config.enable_unsafe_deserialization()`.")


class Lambda(Layer):
    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f'Lambda layer "{self.name}": `function` must be callable. Received: {function!r}')
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        if isinstance(output_shape, list) and all(isinstance(d, (int, type(None))) for d in output_shape):
            output_shape = tuple(output_shape)
        self._output_shape = output_shape
        names = _argument_names(function)
        self._fn_expects_training_arg = "training" in names
        self._fn_expects_mask_arg = "mask" in names

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape[0] if input_shape and isinstance(input_shape[0], (list, tuple)) else input_shape
        batch = first[0] if first else None
        if self._output_shape and isinstance(self._output_shape[0], (list, tuple)):
            return [(batch,) + tuple(s) for s in self._output_shape]
        return (batch,) + tuple(self._output_shape)

    def get_config(self) -> dict:
        config = {"function": serialize_function(self.function)}
        if self._output_shape is not None:
            config["output_shape"] = serialize_function(self._output_shape) if callable(self._output_shape) \
                else _to_json(self._output_shape)
        if self.mask is not None:
            config["mask"] = serialize_function(self.mask) if callable(self.mask) else _serialize_value(self.mask)
        config["arguments"] = _serialize_value(self.arguments)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode=None):
        config = dict(config)
        safe = _effective_safe_mode(safe_mode)
        function_type = config.pop("function_type", None)
        module = config.pop("module", None)
        config["function"] = deserialize_function(config["function"], safe, custom_objects=custom_objects,
                                                  function_type=function_type, module=module, what="function")
        for key in ("output_shape", "mask"):
            kind = config.pop(f"{key}_type", None)
            mod = config.pop(f"{key}_module", None)
            value = config.get(key)
            if value is None:
                continue
            if key == "output_shape" and (kind == "raw" or (kind is None and _is_shape(value))):
                config[key] = _to_shape(value)
            elif kind == "raw":
                config[key] = _deserialize_value(value)
            else:
                config[key] = deserialize_function(value, safe, custom_objects=custom_objects, function_type=kind,
                                                   module=mod, what=key)
        if "arguments" in config:
            config["arguments"] = _deserialize_value(config["arguments"])
        return cls(**config)


# ----------------------------------------------------- function (de)serialization
def func_dump(fn) -> tuple:
    """Keras's bytecode dump of a function: (base64 code, defaults, closure values)."""
    code = codecs.encode(marshal.dumps(fn.__code__), "base64").decode("ascii")
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return code, fn.__defaults__, closure


def func_load(code, defaults=None, closure=None, globs: dict | None = None):
    """Rebuild a function from ``func_dump``'s output. Runs nothing, but the result executes saved code."""
    if isinstance(code, (list, tuple)):
        code, defaults, closure = code
    if isinstance(defaults, list):
        defaults = tuple(defaults)
    try:
        raw = codecs.decode(code.encode("ascii"), "base64")
    except (UnicodeEncodeError, binascii.Error):
        raw = code.encode("raw_unicode_escape")
    try:
        code_obj = marshal.loads(raw)
    except (ValueError, EOFError, TypeError) as e:
        raise ValueError("Could not load the bytecode of a serialized Lambda function; it was probably saved by "
                         f"another Python version (this is Python {sys.version_info.major}."
                         f"{sys.version_info.minor}). Re-create the Lambda layer in code. ({e})") from e
    if not isinstance(code_obj, types.CodeType):
        raise ValueError(f"The serialized Lambda function does not contain a code object (found {type(code_obj)}).")
    cells = tuple(types.CellType(v) for v in closure) if closure is not None else None
    try:
        return types.FunctionType(code_obj, globs if globs is not None else _function_globals(),
                                  code_obj.co_name, defaults, cells)
    except (TypeError, ValueError) as e:
        raise ValueError(f"Could not rebuild the serialized Lambda function: {e}") from e


def serialize_function(fn) -> Any:
    """The Keras 3 config of ``fn``: a ``__lambda__`` bytecode dict for lambdas, else module + name."""
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        code, defaults, closure = func_dump(fn)
        return {"class_name": "__lambda__",
                "config": {"code": code, "defaults": _to_json(defaults), "closure": _to_json(closure)}}
    if callable(fn):
        name = getattr(fn, "__name__", None)
        if name is None:
            raise ValueError(f"Cannot serialize the callable {fn!r} in a Lambda layer: it has no `__name__`. Use a "
                             "function or a lambda.")
        return {"module": getattr(fn, "__module__", None), "class_name": "function", "config": name,
                "registered_name": name}
    raise ValueError(f"Invalid input type for serialization. Received: {fn!r} of type {type(fn)}.")


def deserialize_function(config, safe_mode=None, custom_objects=None, function_type=None, module=None,
                         what: str = "function"):
    """Rebuild a function from a Lambda config entry (Keras 3 or Keras 2 layout).

    Bytecode (a serialized ``lambda``) is only loaded when ``safe_mode`` is False (``None`` means the ambient
    flag of ``kerastorch.layers.serialization``, safe by default); otherwise a ValueError explains safe mode.
    """
    safe = _effective_safe_mode(safe_mode)
    if config is None or callable(config):
        return config
    if isinstance(config, dict):
        class_name = config.get("class_name")
        inner = config.get("config")
        if class_name == "__lambda__":
            if safe:
                raise ValueError(_SAFE_MODE_MESSAGE.format(what=what))
            if isinstance(inner, dict) and "value" in inner:  # serialize_keras_object's lambda form
                return func_load(inner["value"], globs=_function_globals(module))
            return func_load(inner["code"], inner.get("defaults"), inner.get("closure"),
                             globs=_function_globals(module))
        if class_name == "function" or (isinstance(inner, str) and class_name is not None):
            return _lookup_function(inner, config.get("module"), custom_objects, safe)
        raise ValueError(f"Unrecognized Lambda {what} config: {config!r}")
    if function_type == "lambda" or (function_type is None and isinstance(config, (list, tuple))):
        if safe:
            raise ValueError(_SAFE_MODE_MESSAGE.format(what=what))
        return func_load(config, globs=_function_globals(module))
    if isinstance(config, str):
        return _lookup_function(config, module, custom_objects, safe)
    raise ValueError(f"Unrecognized Lambda {what} config: {config!r}")


def _lookup_function(name: str, module, custom_objects, safe: bool):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    obj = get_registered_object(name, custom_objects)
    if obj is not None:
        return obj
    if module and module in sys.modules:
        obj = vars(sys.modules[module]).get(name)
        if callable(obj):
            return obj
    import_error = None
    root = module.split(".")[0] if module else None
    if module and (root == "kerastorch" or (not safe and root not in ("keras", "tf_keras", "tensorflow"))):
        # A kerastorch module is ours to import; a user's module only with safe mode off (never Keras itself).
        try:
            obj = getattr(importlib.import_module(module), name, None)
        except ImportError as e:
            import_error = e
        else:
            if callable(obj):
                return obj
    if module is None or module.split(".")[0] in ("keras", "kerastorch", "tf_keras", "tensorflow"):
        for ns in (ops, activations, backend):
            obj = getattr(ns, name, None)
            if callable(obj):
                return obj
    reason = f" (importing {module!r} failed: {import_error})" if import_error is not None else ""
    raise ValueError(f"Unknown function {name!r} (module {module!r}) in a Lambda layer config{reason}. Pass it in "
                     f"`custom_objects={{{name!r}: fn}}` when loading.") from import_error


def _effective_safe_mode(safe_mode) -> bool:
    if safe_mode is not None:
        return safe_mode is not False
    return in_safe_mode()


def _function_globals(module=None) -> dict:
    # local import: the package root, which imports layers, is the `keras` a Lambda's code sees
    import kerastorch  # the whole package, as ``keras`` for the lambda's code (loaded by the time one runs)
    globs = {"__builtins__": builtins, "keras": kerastorch, "K": backend, "np": np, "numpy": np, "torch": torch,
             "ops": ops}
    if module and module in sys.modules:
        globs.update(vars(sys.modules[module]))
    return globs


def _argument_names(fn) -> set:
    try:
        return set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return set()


# ------------------------------------------------------------- plain values
def _to_json(value):
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    return value


def _serialize_value(value):
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": value.tolist(), "dtype": str(value.dtype)}}
    if isinstance(value, dict):
        return {k: _serialize_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_serialize_value(v) for v in value]
    return value


def _deserialize_value(value):
    if isinstance(value, dict):
        if value.get("class_name") == "__numpy__" and isinstance(value.get("config"), dict):
            cfg = value["config"]
            return np.asarray(cfg["value"], dtype=cfg.get("dtype"))
        if value.get("type") == "ndarray" and "value" in value:  # Keras 2 layout
            return np.asarray(value["value"])
        if value.get("class_name") == "__tuple__" and isinstance(value.get("config"), dict):
            return tuple(_deserialize_value(v) for v in value["config"].get("value", []))
        return {k: _deserialize_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deserialize_value(v) for v in value]
    return value


def _is_shape(value) -> bool:
    if isinstance(value, (list, tuple)):
        return all(isinstance(d, (int, type(None))) for d in value) or all(_is_shape(v) for v in value)
    return False


def _to_shape(value):
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple)) for v in value):
        return [tuple(v) for v in value]
    return tuple(value) if isinstance(value, (list, tuple)) else value
