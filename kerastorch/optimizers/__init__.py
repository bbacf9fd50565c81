"""``keras.optimizers``: optimizers, schedules and the ``get/serialize/deserialize`` helpers."""
from __future__ import annotations

from typing import Any

from kerastorch.optimizers import schedules
from kerastorch.optimizers.adadelta import Adadelta
from kerastorch.optimizers.adagrad import Adagrad
from kerastorch.optimizers.adam import Adam
from kerastorch.optimizers.adamax import Adamax
from kerastorch.optimizers.adamw import AdamW
from kerastorch.optimizers.base_optimizer import Optimizer
from kerastorch.optimizers.lion import Lion
from kerastorch.optimizers.nadam import Nadam
from kerastorch.optimizers.rmsprop import RMSprop
from kerastorch.optimizers.sgd import SGD

ALL_OBJECTS = (Optimizer, Adam, SGD, RMSprop, Adadelta, AdamW, Adagrad, Adamax, Nadam, Lion)
# Keras looks optimizer names up case-insensitively ("adam", "Adam", "ADAM", "rmsprop").
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """Keras 3 form: ``{"module", "class_name", "config", "registered_name"}``."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"`serialize` expects an Optimizer instance. Received: {optimizer!r}")
    cls = type(optimizer)
    builtin = ALL_OBJECTS_DICT.get(cls.__name__.lower()) is cls
    return {"module": "keras.optimizers" if builtin else cls.__module__, "class_name": cls.__name__,
            "config": optimizer.get_config(), "registered_name": None if builtin else cls.__name__}


def deserialize(config: dict[str, Any], custom_objects: dict | None = None) -> Optimizer:
    """Build an optimizer from ``serialize`` output (or a Keras 2 ``{"class_name", "config"}`` dict)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Expected a dict with keys 'class_name' and 'config' to deserialize an optimizer. "
                         f"Received: {config!r}")
    name = config["class_name"]
    if isinstance(name, str) and name.startswith("Custom>"):  # tf.keras wrote "Custom>Adam" in h5 files
        name = name[len("Custom>"):]
    custom = custom_objects or {}
    cls = custom.get(name) or custom.get(config.get("registered_name") or "")
    if cls is None:
        cls = ALL_OBJECTS_DICT.get(str(name).lower())
    if cls is None:
        raise ValueError(f"Could not interpret optimizer identifier: {name!r}. Expected one of "
                         f"{sorted(c.__name__ for c in ALL_OBJECTS[1:])} (any letter case), or pass custom "
                         "optimizers in `custom_objects`.")
    return cls.from_config(dict(config.get("config") or {}), custom_objects)


def get(identifier) -> Optimizer | None:
    """An optimizer from a name (``"adam"``), a config dict, or an instance (returned unchanged)."""
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Pass an optimizer name "
                     f"such as 'adam', a config dict, or an Optimizer instance.")


__all__ = ["Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "Lion", "Nadam", "Optimizer", "RMSprop", "SGD",
           "deserialize", "get", "schedules", "serialize"]
