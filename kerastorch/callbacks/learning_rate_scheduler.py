"""`LearningRateScheduler`: set the learning rate from a per-epoch function."""
from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np
import torch

from kerastorch.callbacks.callback import Callback, to_float


class LearningRateScheduler(Callback):
    """At the start of each epoch sets `lr = schedule(epoch, lr)`.

    Args:
        schedule: function of (epoch index from 0, current lr as float)
            returning the new lr; a one-argument `schedule(epoch)` (older
            Keras API) is also accepted.
        verbose: 1 prints the new learning rate each epoch.

    Each epoch's logs get a "learning_rate" entry (as in Keras 3).
    """

    _supports_lazy_logs = True  # no batch hooks

    def __init__(self, schedule: Callable[..., Any], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                "`schedule` must be a function (epoch, lr) -> new lr. "
                f"Received: schedule={schedule!r}"
            )
        self.schedule = schedule
        self.verbose = verbose

    def _update_optimizer_lr(self, optimizer: Any, epoch: int) -> float:
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:  # new API
            learning_rate = self.schedule(epoch, to_float(optimizer.learning_rate))
        except TypeError:  # old API: schedule(epoch)
            learning_rate = self.schedule(epoch)
        if isinstance(learning_rate, bool) or not isinstance(
            learning_rate, (int, float, np.floating, np.integer, torch.Tensor)
        ):
            raise ValueError(
                "The output of the `schedule` function should be a float. "
                f"Got: {learning_rate}"
            )
        learning_rate = to_float(learning_rate)
        optimizer.learning_rate = learning_rate
        return learning_rate

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        optimizer = self.model.optimizer
        inner = getattr(optimizer, "optimizers", None)
        for opt in inner or [optimizer]:
            learning_rate = self._update_optimizer_lr(opt, epoch)
            if self.verbose > 0:
                which = f"{opt.name} " if inner else ""
                sys.stdout.write(
                    f"\nEpoch {epoch + 1}: LearningRateScheduler setting "
                    f"{which}learning rate to {learning_rate}.\n"
                )
                sys.stdout.flush()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is None:
            return
        optimizer = self.model.optimizer
        inner = getattr(optimizer, "optimizers", None)
        if inner:
            for opt in inner:
                logs[f"learning_rate_{opt.name}"] = to_float(opt.learning_rate)
        else:
            logs["learning_rate"] = to_float(optimizer.learning_rate)
