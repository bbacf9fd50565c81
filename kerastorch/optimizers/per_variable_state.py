"""State whose shape or presence depends on the variable (Adafactor's factored moments, Muon's
Adam-only velocities), kept per variable in Keras's creation order.

The base optimizer's slots are one ``zeros_like`` tensor per variable and slot name; these
optimizers declare ``_variable_slots(variable)`` instead and read them with ``_slot_of``.
"""
from __future__ import annotations

import torch

from kerastorch.optimizers.base_optimizer import Optimizer


class PerVariableStateOptimizer(Optimizer):
    """An optimizer whose per-variable state is declared by ``_variable_slots``."""

    def _variable_slots(self, variable: torch.Tensor) -> list[tuple[str, torch.Tensor]]:
        """``(name, initial tensor)`` pairs for one variable, in Keras's creation order."""
        raise NotImplementedError(f"{type(self).__name__} must implement `_variable_slots`.")

    def _add_variables(self, variables: list[torch.Tensor]) -> None:
        new = [v for v in variables if id(v) not in self._index]
        super()._add_variables(variables)
        states = self.__dict__.setdefault("_per_variable", [])
        for v in new:
            with torch.no_grad():
                states.append(dict(self._variable_slots(v)))

    def _slot_of(self, variable: torch.Tensor, name: str) -> torch.Tensor | None:
        """The variable's slot ``name``, or None where this variable has none (Muon's AdamW-only slots)."""
        return self.__dict__["_per_variable"][self._index[id(variable)]].get(name)

    def _slot(self, variable: torch.Tensor, name: str) -> torch.Tensor:
        """A slot every variable of this optimizer has."""
        return self.__dict__["_per_variable"][self._index[id(variable)]][name]

    def _state_items(self) -> list[tuple[str, torch.Tensor]]:
        items = super()._state_items()
        for i, state in enumerate(self.__dict__.get("_per_variable", [])):
            items += [(f"{name}/{i}", tensor) for name, tensor in state.items()]
        return items
