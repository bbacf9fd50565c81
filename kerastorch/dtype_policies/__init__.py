"""``keras.dtype_policies``: the float dtype policies (quantized ones are not supported).

``get("mixed_float16")``, ``serialize(policy)`` and ``deserialize(config)`` speak Keras's
``{"module": "keras", "class_name": "DTypePolicy", "config": {"name": ...}}`` form.
"""
from __future__ import annotations

from typing import Any

from kerastorch.mixed_precision import DTypePolicy, FloatDTypePolicy


def serialize(dtype_policy: DTypePolicy) -> dict:
    return {"module": "keras", "class_name": "DTypePolicy", "config": dtype_policy.get_config(),
            "registered_name": None}


def deserialize(config: dict, custom_objects: Any = None) -> DTypePolicy:
    class_name = config.get("class_name")
    if class_name not in ("DTypePolicy", "FloatDTypePolicy", "Policy"):
        raise ValueError(f"kerastorch supports float dtype policies only (DTypePolicy); received class_name="
                         f"{class_name!r}. Quantized policies (int8, int4, float8, GPTQ, AWQ) are not supported.")
    return DTypePolicy.from_config(config.get("config", {}))


def get(identifier: Any) -> DTypePolicy:
    """A policy from a name ("float32", "mixed_bfloat16"), a serialized dict, or a policy (returned as is)."""
    if identifier is None:
        return DTypePolicy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    raise ValueError(f"Cannot interpret `dtype` argument. Expected a string, a dict or a DTypePolicy. "
                     f"Received: dtype={identifier!r}")


__all__ = ["DTypePolicy", "FloatDTypePolicy", "deserialize", "get", "serialize"]
