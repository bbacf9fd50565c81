"""Resolving Keras identifiers: ``"l2"``, ``{"class_name": ..., "config": ...}``, classes, callables.

``initializers``, ``regularizers`` and ``constraints`` all resolve names the same
way; each builds one ``Identifiers`` table and exposes its ``get`` /
``serialize`` / ``deserialize``.
"""
from __future__ import annotations

import inspect
from typing import Any


class Identifiers:
    def __init__(self, kind: str, module: str, objects: dict[str, Any], example: str):
        self.kind = kind            # "initializer"
        self.module = module        # "keras.initializers", written into configs
        self.objects = objects      # name -> class (Keras names, snake_case and aliases)
        self.example = example      # a valid name, for error messages

    def lookup(self, name: str, custom_objects: dict | None = None) -> Any:
        if custom_objects and name in custom_objects:
            return custom_objects[name]
        if name in self.objects:
            return self.objects[name]
        raise ValueError(f"Unknown {self.kind}: {name!r}. Valid names are: {sorted(self.objects)}. "
                         f"For a custom {self.kind}, pass an instance or list it in `custom_objects`.")

    def serialize(self, obj: Any) -> dict | None:
        """The Keras 3 config dict ``{"module", "class_name", "config", "registered_name"}``."""
        if obj is None:
            return None
        cls = type(obj)
        builtin = self.objects.get(cls.__name__) is cls
        return {"module": self.module if builtin else cls.__module__, "class_name": cls.__name__,
                "config": obj.get_config(), "registered_name": None if builtin else cls.__name__}

    def deserialize(self, config: Any, custom_objects: dict | None = None) -> Any:
        if isinstance(config, str):
            obj = self.lookup(config, custom_objects)
            return obj() if inspect.isclass(obj) else obj
        if isinstance(config, dict) and "class_name" in config:
            name = config.get("registered_name") or config["class_name"]
            if custom_objects and name in custom_objects:
                cls = custom_objects[name]
            else:
                cls = self.lookup(config["class_name"], custom_objects)
            inner = config.get("config") or {}
            return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)
        raise ValueError(f"Could not interpret {self.kind} config: {config!r}. Expected a name such as "
                         f"{self.example!r} or a dict with 'class_name' and 'config'.")

    def get(self, identifier: Any) -> Any:
        """Resolve ``None``, a name, a config dict, a class (instantiated) or a callable."""
        if identifier is None:
            return None
        if isinstance(identifier, (str, dict)):
            return self.deserialize(identifier)
        if inspect.isclass(identifier):
            return identifier()
        if callable(identifier):
            return identifier
        raise ValueError(f"Could not interpret {self.kind} identifier: {identifier!r}. Expected None, "
                         f"a string name, a dict config, an instance or a callable.")
