"""`ReduceLROnPlateau`: lower the learning rate when a metric stalls."""
from __future__ import annotations

import sys
import warnings

import numpy as np

from kerastorch.callbacks.callback import Callback, to_float
from kerastorch.callbacks.monitor_callback import check_mode


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by `factor` after `patience` epochs
    without improvement of `monitor`, then waits `cooldown` epochs.

    As in Keras 3, "auto" mode maximizes when the name contains "acc" and
    minimizes otherwise, and each epoch's logs get a "learning_rate" entry.

    Args:
        monitor: quantity to monitor.
        factor: new_lr = lr * factor (must be < 1).
        patience: epochs without improvement before reducing.
        verbose: 1 prints a message on each reduction.
        mode: "auto", "min" or "max".
        min_delta: threshold for counting a change as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: lower bound of the learning rate.
    """

    _supports_lazy_logs = True  # no batch hooks

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs,
    ) -> None:
        super().__init__()
        if factor >= 1.0:
            raise ValueError(
                "ReduceLROnPlateau does not support a factor >= 1.0. "
                f"Received factor={factor}"
            )
        if "epsilon" in kwargs:  # Keras 1/2 name of min_delta
            min_delta = kwargs.pop("epsilon")
        if kwargs:  # Keras 3 accepts and ignores unknown keyword arguments
            warnings.warn(f"ReduceLROnPlateau ignores the arguments {sorted(kwargs)}.",
                          stacklevel=2)
        self.monitor = monitor
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.mode = check_mode(mode, "ReduceLROnPlateau")
        self._reset()

    def _reset(self) -> None:
        """Resets the best value, wait and cooldown counters."""
        if self.mode == "min" or (self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op = lambda a, b: a < b - self.min_delta
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: a > b + self.min_delta
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = to_float(optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                "Learning rate reduction is conditioned on metric "
                f"`{self.monitor}` which is not available. Available metrics "
                f"are: {','.join(logs)}.",
                stacklevel=2,
            )
            return
        current = to_float(current)
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0

        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = to_float(optimizer.learning_rate)
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        sys.stdout.write(
                            f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing "
                            f"learning rate to {new_lr}.\n"
                        )
                        sys.stdout.flush()
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
