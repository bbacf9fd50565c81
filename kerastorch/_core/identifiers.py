"""The one resolver of Keras identifiers: names, config dicts, classes, callables -> objects.

``initializers``, ``regularizers``, ``constraints``, ``activations``, ``losses``,
``metrics``, ``optimizers`` and ``optimizers.schedules`` each build one ``Identifiers``
table and expose its ``get`` / ``serialize`` / ``deserialize``. The rule is Keras's:

- ``None`` -> the table's ``default`` (``None``; ``linear`` for activations);
- a name -> ``custom_objects``, then the table (Keras names, snake_case and aliases), then
  the ``functions`` table (metric functions whose names no class owns); ``get``
  instantiates a class found by name, ``deserialize`` does so only when
  ``instantiate_names`` (initializers, regularizers, constraints, optimizers);
- ``{"class_name": "function", "config": name}`` (Keras 3's form for plain functions) ->
  the function; ``{"class_name", "config"}`` -> ``cls.from_config(config)``;
- a class -> an instance; an instance of ``base_class`` or (unless ``accept_callables`` is
  False) any callable -> itself.

An unknown name raises ValueError listing the valid names, plus the table's ``hint`` for
that name (metrics explain that ``"accuracy"`` is resolved by ``compile``). Differences
between the packages are options of the table, not copies of the rule.
"""
from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Mapping
from typing import Any


class Identifiers:
    """A name table for one kind of Keras object, with Keras's ``get``/``serialize``/``deserialize``."""

    def __init__(self, kind: str, module: str, objects: Mapping[str, Any], example: str, *,
                 functions: Mapping[str, Any] | None = None,
                 legacy_overrides: Mapping[str, Any] | None = None,
                 hint: Callable[[str], str] | None = None,
                 normalize: Callable[[str], str] | None = None,
                 extra_valid_names: tuple[str, ...] = (),
                 base_class: type | None = None,
                 accept_callables: bool = True,
                 instantiate_names: bool = True,
                 pass_custom_objects: bool = False,
                 function_form: str = "dict",
                 default: Any = None):
        self.kind = kind                  # "initializer", written into error messages
        self.module = module              # "keras.initializers", written into configs
        self.objects = objects            # name -> class or function (Keras names, snake_case, aliases)
        self.example = example            # a valid name, for error messages
        self.functions = functions or {}  # looked up after `objects` (classes win, as in Keras)
        self.legacy_overrides = legacy_overrides or {}  # Keras 2 meanings, used with legacy=True
        self.hint = hint                  # name -> extra sentence for the unknown-name error
        self.normalize = normalize        # name spelling -> table key (optimizers: any letter case)
        self.extra_valid_names = extra_valid_names
        self.base_class = base_class      # instances pass through `get` even when not callable
        self.accept_callables = accept_callables  # False: only `base_class` instances (optimizers)
        self.instantiate_names = instantiate_names
        self.pass_custom_objects = pass_custom_objects  # from_config(config, custom_objects)
        self.function_form = function_form  # how `serialize` writes a function: "dict" or "name"
        self.default = default

    # ------------------------------------------------------------------ names
    def valid_names(self) -> list[str]:
        return sorted(set(self.objects) | set(self.functions) | set(self.extra_valid_names))

    def lookup(self, name: str, custom_objects: Mapping | None = None, legacy: bool = False) -> Any:
        """The class or function registered under ``name``; ValueError listing valid names if none."""
        if custom_objects and name in custom_objects:
            return custom_objects[name]
        if legacy and name in self.legacy_overrides:
            return self.legacy_overrides[name]
        key = self.normalize(name) if self.normalize and isinstance(name, str) else name
        for table in (self.objects, self.functions):
            if key in table:
                return table[key]
        hint = self.hint(name) if self.hint and isinstance(name, str) else ""
        raise ValueError(f"Could not interpret {self.kind} identifier: {name!r}.{' ' + hint if hint else ''} "
                         f"Valid names are: {self.valid_names()}. For a custom {self.kind}, pass an instance "
                         "or callable, or list it in `custom_objects`.")

    # -------------------------------------------------------------- configs
    def serialize(self, obj: Any) -> Any:
        """Keras 3 config form: ``{"module", "class_name", "config", "registered_name"}``; functions by name."""
        if obj is None:
            return None
        if hasattr(obj, "get_config") and not inspect.isclass(obj):
            cls = type(obj)
            builtin = self._registered(cls.__name__) is cls
            return {"module": self.module if builtin else cls.__module__, "class_name": cls.__name__,
                    "config": obj.get_config(), "registered_name": None if builtin else cls.__name__}
        name = getattr(obj, "__name__", None)
        if callable(obj) and name:
            if self.function_form == "name":
                return name
            return {"module": self.module, "class_name": "function", "config": name, "registered_name": name}
        raise TypeError(f"Cannot serialize {obj!r} as a {self.kind}: expected an object with `get_config()` "
                        "or a named function.")

    def _registered(self, name: str) -> Any:
        key = self.normalize(name) if self.normalize else name
        return self.objects.get(key)

    def deserialize(self, config: Any, custom_objects: Mapping | None = None, legacy: bool = False) -> Any:
        """Rebuild from a name or a config dict (Keras 3 or Keras 2 form)."""
        if isinstance(config, str):
            obj = self.lookup(config, custom_objects, legacy)
            return obj() if self.instantiate_names and inspect.isclass(obj) else obj
        if isinstance(config, dict):
            class_name = config.get("class_name")
            inner = config.get("config")
            if class_name == "function" or (class_name is None and isinstance(inner, str)):
                return self.lookup(inner if isinstance(inner, str) else config.get("registered_name"),
                                   custom_objects, legacy)
            if isinstance(class_name, str):
                registered = config.get("registered_name")
                if custom_objects and registered in custom_objects:
                    obj = custom_objects[registered]
                else:
                    obj = self.lookup(class_name, custom_objects, legacy)
                if not inspect.isclass(obj):
                    return obj
                inner = dict(inner or {})
                if not hasattr(obj, "from_config"):
                    return obj(**inner)
                if self.pass_custom_objects:
                    return obj.from_config(inner, custom_objects)
                return obj.from_config(inner)
        raise ValueError(f"Could not interpret {self.kind} config: {config!r}. Expected a name such as "
                         f"{self.example!r} or a dict with 'class_name' and 'config'.")

    def get(self, identifier: Any, legacy: bool = False) -> Any:
        """Resolve ``None``, a name, a config dict, a class (instantiated), an instance or a callable."""
        if identifier is None:
            return self.default
        if isinstance(identifier, (str, dict)):
            obj = self.deserialize(identifier, legacy=legacy)
        else:
            obj = identifier
        if inspect.isclass(obj):
            return obj()
        if self.base_class is not None and isinstance(obj, self.base_class):
            return obj
        if callable(obj) and self.accept_callables:
            return obj
        raise ValueError(f"Could not interpret {self.kind} identifier: {identifier!r}. Expected None, a name "
                         f"such as {self.example!r}, a dict config, an instance or a callable.")


def is_plain_function(obj: Any) -> bool:
    """A Python function (not a class instance with ``__call__``): serialized by its name."""
    return isinstance(obj, types.FunctionType)
