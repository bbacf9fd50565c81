"""``keras.mixed_precision``: a global policy that the trainer maps to torch autocast.

``set_global_policy("mixed_float16")`` runs forward passes under
``torch.autocast(float16)`` with a gradient scaler; ``"mixed_bfloat16"`` uses
bfloat16 and needs no scaler. Variables stay float32, as in Keras.
"""
from __future__ import annotations

import torch

_POLICIES = {"float32": None, "float64": None, "mixed_float16": torch.float16, "mixed_bfloat16": torch.bfloat16,
             "float16": None, "bfloat16": None}


class DTypePolicy:
    def __init__(self, name: str = "float32"):
        if name not in _POLICIES:
            raise ValueError(f"Unknown dtype policy {name!r}. Valid policies: {sorted(_POLICIES)}.")
        self.name = name

    @property
    def compute_dtype(self) -> str:
        return {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}.get(self.name, self.name)

    @property
    def variable_dtype(self) -> str:
        return "float32" if self.name.startswith("mixed_") else self.name

    @property
    def autocast_dtype(self) -> torch.dtype | None:
        return _POLICIES[self.name]

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self.name}">'


Policy = DTypePolicy
_GLOBAL = DTypePolicy("float32")


def set_global_policy(policy) -> None:
    global _GLOBAL
    _GLOBAL = policy if isinstance(policy, DTypePolicy) else DTypePolicy(str(policy))


def global_policy() -> DTypePolicy:
    return _GLOBAL


def set_dtype_policy(policy) -> None:
    set_global_policy(policy)


def dtype_policy() -> DTypePolicy:
    return _GLOBAL


class LossScaleOptimizer:
    """Accepted for Keras compatibility: wraps an optimizer; scaling is done by the trainer's GradScaler."""

    def __new__(cls, inner_optimizer, **kwargs):
        return inner_optimizer
