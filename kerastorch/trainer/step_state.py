"""``StepState``: what a train/test step needs to know about the model, decided once.

Keras 3 re-reads ``model.trainable_weights`` (and asks every layer for its losses) on every
step. That costs tens of microseconds per step on a small model, so the trainer keeps those
facts in one explicit object instead, built on first use and rebuilt when stale::

    state = model._step_state()          # O(1) when nothing changed
    state.params                         # the trainable weights, in Keras order
    state.loss_layers                    # the layers whose losses the step collects
    state.has_constraints                # whether any weight has a constraint
    state.autocast()                     # torch.autocast context of the mixed-precision policy

It is stale (and rebuilt on the next step) when

* any layer's ``trainable`` changes, a weight is added, or a layer calls ``add_loss`` for the
  first time: ``Layer`` bumps one process-wide generation counter
  (``layers.layer._StructureGeneration``), which the state compares with the value it was
  built at (one integer comparison per step);
* ``compile()``, ``freeze()``/``unfreeze()`` or ``lr_find`` call ``model._invalidate_step_state()``;
* ``fit``/``evaluate``/``predict`` start under another global dtype policy or device.

Nothing else is cached per model; the state is always present (``train_step`` works before
any ``fit``). Torch-level edits that bypass Keras's API (``p.requires_grad_(False)`` on a
parameter) are seen after one of the events above, for example the next ``compile``.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import torch

from kerastorch import mixed_precision
from kerastorch.layers.layer import _StructureGeneration

_NO_AUTOCAST = contextlib.nullcontext()  # stateless and reentrant: one instance serves every step


@dataclass
class StepState:
    """Per-model facts that every step reads (see the module docstring)."""

    generation: int = -1
    params: list[torch.Tensor] = field(default_factory=list)
    loss_layers: list[Any] = field(default_factory=list)
    has_constraints: bool = False
    autocast_dtype: torch.dtype | None = None
    device_type: str = "cpu"
    policy: Any = None

    def is_current(self) -> bool:
        return self.generation == _StructureGeneration.value

    def autocast(self):
        """The ``torch.autocast`` context of the mixed-precision policy (a no-op context without one)."""
        if self.autocast_dtype is None:
            return _NO_AUTOCAST
        return torch.autocast(self.device_type, dtype=self.autocast_dtype)


def build_step_state(model) -> StepState:
    """Read the facts from ``model`` now (after its weights exist: call after a forward pass)."""
    generation = _StructureGeneration.value
    layers = model._flatten_layers()
    # Every layer that can contribute a loss: weight regularizers, an activity regularizer,
    # or one that has called add_loss (Layer marks itself and bumps the generation the first
    # time, so a layer that starts adding losses later is picked up on that very step).
    loss_layers = [l for l in layers if getattr(l, "_weight_regularizers", None)
                   or getattr(l, "activity_regularizer", None) is not None
                   or l.__dict__.get("_adds_losses")]
    first = next(iter(model.parameters()), None)
    if first is None:
        first = next(iter(model.buffers()), None)
    policy = mixed_precision.global_policy()
    return StepState(
        generation=generation,
        params=list(model.trainable_weights),
        loss_layers=loss_layers,
        has_constraints=any(getattr(l, "_weight_constraints", None) for l in layers),
        autocast_dtype=policy.autocast_dtype,
        device_type=first.device.type if first is not None else "cpu",
        policy=policy,
    )
