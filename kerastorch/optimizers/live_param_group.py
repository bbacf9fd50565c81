"""The torch-style param group a kerastorch optimizer exposes, so torch's schedulers drive it.

``torch.optim.lr_scheduler`` objects read and write ``optimizer.param_groups[i]["lr"]`` (and cycle
``"betas"`` / ``"momentum"``); a kerastorch optimizer keeps those values as its own attributes, so its
one group is a dict whose live keys read and write them on every access.
"""
from __future__ import annotations

from typing import Any


class LiveParamGroup(dict):
    """The one torch-style param group of a kerastorch optimizer.

    ``"lr"`` (and ``"betas"`` / ``"momentum"`` where the optimizer has them) are read from and
    written to the optimizer on every access, so a ``torch.optim.lr_scheduler`` drives the
    optimizer directly. Other keys (``"initial_lr"``, a scheduler's bookkeeping) are plain
    entries. ``"params"`` is the optimizer's built variables.
    """

    _LIVE = ("lr", "betas", "momentum", "params")

    def __init__(self, optimizer: Any) -> None:
        super().__init__()
        self._optimizer = optimizer
        for key in self._LIVE:
            if self._has(key):
                dict.__setitem__(self, key, None)  # present for `in`, `keys()`; the value is read live

    def _has(self, key: str) -> bool:
        opt = self._optimizer
        if key == "betas":
            return hasattr(opt, "beta_1") and hasattr(opt, "beta_2")
        if key == "momentum":
            return bool(getattr(opt, "momentum", 0))  # a momentum-free SGD has no momentum state to cycle
        return True

    def __getitem__(self, key):
        opt = self._optimizer
        if key == "lr":
            return opt._current_learning_rate()
        if key == "params":
            return opt._trainable_variables
        if key == "betas" and self._has(key):
            return (float(opt.beta_1), float(opt.beta_2))
        if key == "momentum" and self._has(key):
            return float(opt.momentum)
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        return self[key] if key in self else default

    def __setitem__(self, key, value) -> None:
        opt: Any = self._optimizer  # beta_1/beta_2/momentum live on the subclasses that have them
        if key == "lr":
            opt.learning_rate = float(value)
        elif key == "betas" and self._has(key):
            opt.beta_1, opt.beta_2 = float(value[0]), float(value[1])
        elif key == "momentum" and self._has(key):
            opt.momentum = float(value)
        elif key == "params":
            raise TypeError("The `params` of a kerastorch optimizer's param group are the variables it was "
                            "built on; build it with `optimizer.build(variables)` instead of assigning them.")
        else:
            dict.__setitem__(self, key, value)

    def values(self):
        return [self[k] for k in self]

    def items(self):
        return [(k, self[k]) for k in self]
