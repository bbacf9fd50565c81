"""Registration of user classes and functions for (de)serialization.

``@keras.saving.register_keras_serializable(package="MyPkg")`` records a class
under ``"MyPkg>ClassName"``; ``custom_object_scope({...})`` makes extra names
visible to every lookup made inside it. Lookups check, in order: the active
scopes, the global registry, then the ``custom_objects`` passed explicitly.
"""
from __future__ import annotations

import inspect
import threading
from typing import Any

_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}
_SCOPES = threading.local()


def _scope_stack() -> list[dict]:
    stack = getattr(_SCOPES, "stack", None)
    if stack is None:
        stack = _SCOPES.stack = []
    return stack


class CustomObjectScope:
    """Expose custom classes/functions to deserialization inside a ``with`` block.

    ``with keras.saving.custom_object_scope({"MyLayer": MyLayer}): keras.models.load_model(path)``
    """

    def __init__(self, custom_objects: dict | None = None, *more_custom_objects: dict | None):
        # Keras 3 takes one dict (`custom_objects=`); Keras 2 scripts may pass several.
        self.custom_objects = {}
        for objects in (custom_objects, *more_custom_objects):
            if objects:
                if not isinstance(objects, dict):
                    raise TypeError(f"`custom_objects` must be a dict mapping names to objects. Received: "
                                    f"{objects!r}")
                self.custom_objects.update(objects)

    def __enter__(self):
        _scope_stack().append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scope_stack().pop()
        return False


custom_object_scope = CustomObjectScope


def get_custom_objects() -> dict[str, Any]:
    """The live global registry (mutating it registers objects, as in Keras)."""
    return _GLOBAL_CUSTOM_OBJECTS


def scoped_custom_objects() -> dict[str, Any]:
    """Every name visible right now: global registry, then scopes (innermost wins)."""
    merged = dict(_GLOBAL_CUSTOM_OBJECTS)
    for objects in _scope_stack():
        merged.update(objects)
    return merged


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator registering a class or function as ``"package>name"`` for serialization."""
    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        registered_name = f"{package}>{class_name}"
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg
    return decorator


def get_registered_name(obj) -> str:
    """``"package>name"`` for a registered object, else its ``__name__``."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return getattr(obj, "__name__", type(obj).__name__)


def is_registered(obj) -> bool:
    try:
        return obj in _GLOBAL_CUSTOM_NAMES
    except TypeError:
        return False


def get_registered_object(name: str | None, custom_objects: dict | None = None,
                          module_objects: dict | None = None):
    """The object registered (or passed) under ``name``, or None."""
    if name is None:
        return None
    for objects in reversed(_scope_stack()):
        if name in objects:
            return objects[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None
