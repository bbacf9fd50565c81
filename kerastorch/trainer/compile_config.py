"""Rebuilding the arguments of ``compile()`` from a saved compile (or tf-keras training) config.

``Trainer.compile_from_config`` (the Keras 3 API) calls ``compile_arguments`` and then
``compile``. Optimizers, losses and metrics come back through their families'
``deserialize``; names stay names; registered custom objects are found by name.
"""
from __future__ import annotations

import importlib
import inspect
from typing import Any

from kerastorch import optimizers
from kerastorch.layers.layer_config import _accepted_keys, _looks_like_object_config
from kerastorch.layers.serialization import _deserialize_function, _resolve_custom


def compile_arguments(compile_config: dict) -> dict[str, Any]:
    """``compile()`` keyword arguments rebuilt from a serialized compile config."""
    cfg = dict(compile_config)
    kwargs: dict[str, Any] = {}
    if cfg.get("optimizer") is not None:
        kwargs["optimizer"] = deserialize_optimizer(cfg["optimizer"])
    for key in ("loss", "metrics", "weighted_metrics"):
        if cfg.get(key) is not None:
            kwargs[key] = _deserialize_training_object(cfg[key], key)
    for key in ("loss_weights", "run_eagerly", "steps_per_execution", "jit_compile"):
        if key in cfg and cfg[key] is not None:
            kwargs[key] = cfg[key]
    return kwargs


def compile_with(model, kwargs: dict) -> None:
    """``model.compile(**kwargs)``, leaving out arguments an overridden ``compile`` does not take."""
    params = inspect.signature(model.compile).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        kwargs = {k: v for k, v in kwargs.items() if k in params}
    model.compile(**kwargs)


def deserialize_optimizer(config):
    """An optimizer from its Keras 3 or tf-keras config (or its name)."""
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
    mod = importlib.import_module(f"kerastorch.{family}")
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
