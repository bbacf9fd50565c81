"""``keras.mixed_precision``: a global policy that the trainer maps to torch autocast.

``set_global_policy("mixed_float16")`` runs forward passes under
``torch.autocast(float16)``, and ``compile()`` then wraps the optimizer in a
``LossScaleOptimizer`` (dynamic loss scaling), as Keras does; ``"mixed_bfloat16"``
uses bfloat16 and needs no scaling. Variables stay float32, as in Keras.
"""
from __future__ import annotations

import torch

# The optimizer wrapper lives with the optimizers (``keras.optimizers.LossScaleOptimizer``).
from kerastorch.optimizers.loss_scale_optimizer import LossScaleOptimizer  # noqa: F401

_POLICIES = {"float32": None, "float64": None, "mixed_float16": torch.float16, "mixed_bfloat16": torch.bfloat16,
             "float16": None, "bfloat16": None}


class DTypePolicy:
    """A layer's compute and variable dtypes (``"mixed_float16"``: float16 compute, float32 variables)."""

    def __init__(self, name: str | None = None):
        if name is None:  # Keras: the global policy's name
            name = _GLOBAL.name if "_GLOBAL" in globals() else "float32"
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

    def get_config(self) -> dict:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> "DTypePolicy":
        return cls(**config)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self.name}">'


Policy = DTypePolicy
FloatDTypePolicy = DTypePolicy  # Keras 3 keeps this older name as an alias
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
