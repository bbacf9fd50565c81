"""``keras.initializers``: weight initializers and their ``get``/``serialize``/``deserialize``.

Names resolve both ways Keras writes them: class names from configs (``"GlorotUniform"``,
``"VarianceScaling"``) and snake-case strings from user code (``"glorot_uniform"``).
"""
from __future__ import annotations

import inspect
from typing import Any

from kerastorch.backend.naming import to_snake_case
from kerastorch.initializers.constant_initializers import (
    Constant, Identity, IdentityInitializer, Ones, Zeros,
)
from kerastorch.initializers.initializer import Initializer
from kerastorch.initializers.random_initializers import (
    GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal,
    OrthogonalInitializer, RandomInitializer, RandomNormal, RandomUniform, TruncatedNormal,
    VarianceScaling, compute_fans,
)

_CLASSES = (
    Initializer, Constant, Identity, Ones, Zeros, GlorotNormal, GlorotUniform, HeNormal,
    HeUniform, LecunNormal, LecunUniform, RandomNormal, TruncatedNormal, RandomUniform,
    VarianceScaling, OrthogonalInitializer,
)
ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({
    "uniform": RandomUniform, "normal": RandomNormal, "one": Ones, "zero": Zeros,
    "orthogonal": OrthogonalInitializer, "Orthogonal": OrthogonalInitializer,
    "IdentityInitializer": Identity,
})

# snake-case callables, as `keras.initializers.glorot_uniform(seed=1)` also works in Keras
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal = VarianceScaling, OrthogonalInitializer
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal


def _lookup(name: str, custom_objects: dict | None) -> Any:
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in ALL_OBJECTS_DICT:
        return ALL_OBJECTS_DICT[name]
    raise ValueError(f"Unknown initializer: {name!r}. Valid names are: {sorted(ALL_OBJECTS_DICT)}. "
                     "For a custom initializer, pass an instance or list it in `custom_objects`.")


def serialize(initializer: Any) -> dict | None:
    """The Keras 3 config dict ``{"module", "class_name", "config", "registered_name"}``."""
    if initializer is None:
        return None
    cls = type(initializer)
    builtin = ALL_OBJECTS_DICT.get(cls.__name__) is cls
    return {
        "module": "keras.initializers" if builtin else cls.__module__,
        "class_name": cls.__name__,
        "config": initializer.get_config(),
        "registered_name": None if builtin else cls.__name__,
    }


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """An initializer instance from a name or a ``{"class_name", "config"}`` dict."""
    if isinstance(config, str):
        obj = _lookup(config, custom_objects)
        return obj() if inspect.isclass(obj) else obj
    if isinstance(config, dict) and "class_name" in config:
        name = config.get("registered_name") or config["class_name"]
        if custom_objects and name in custom_objects:
            cls = custom_objects[name]
        else:
            cls = _lookup(config["class_name"], custom_objects)
        inner = config.get("config") or {}
        return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)
    raise ValueError(f"Could not interpret initializer config: {config!r}. Expected a name such as "
                     "'glorot_uniform' or a dict with 'class_name' and 'config'.")


def get(identifier: Any) -> Any:
    """Resolve ``None``, a name, a config dict, a class (instantiated) or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}. Expected None, "
                     "a string name, a dict config, an Initializer or a callable.")


__all__ = [
    "Initializer", "RandomInitializer", "Constant", "Identity", "IdentityInitializer", "Ones",
    "Zeros", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "LecunNormal",
    "LecunUniform", "RandomNormal", "TruncatedNormal", "RandomUniform", "VarianceScaling",
    "OrthogonalInitializer", "Orthogonal", "compute_fans", "get", "serialize", "deserialize",
    "ALL_OBJECTS_DICT",
]
