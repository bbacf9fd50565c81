"""`EarlyStopping`: stop `fit` once a monitored metric stops improving."""
from __future__ import annotations

import sys
import warnings
from typing import Any

from kerastorch.callbacks.callback import to_float
from kerastorch.callbacks.monitor_callback import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Stops training when `monitor` has not improved for `patience` epochs.

    Same rules as Keras 3: the first monitored value is always an
    improvement; `wait` restarts only when a value beats both the best so far
    and `baseline`; training stops (via `model.stop_training`) when `wait`
    reaches `patience`, never at epoch 0.

    Args:
        monitor: quantity to monitor, e.g. "val_loss" or "val_accuracy".
        min_delta: changes smaller than this do not count as improvement.
        patience: epochs without improvement before stopping.
        verbose: 1 prints a message when stopping / restoring weights.
        mode: "auto", "min" or "max".
        baseline: value the metric must beat for `wait` to restart.
        restore_best_weights: at the end of training, load the weights of
            the best epoch seen (even if training did not stop early).
        start_from_epoch: epochs of warm-up during which nothing is checked.
    """

    _supports_lazy_logs = True  # no batch hooks

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor=monitor, mode=mode, baseline=None, min_delta=min_delta)
        if patience < 0:
            raise ValueError(f"`patience` must be >= 0. Received: patience={patience}")
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights: list[Any] | None = None
        self.best_epoch = 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        # Allows reusing the instance for several `fit` calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something better shows up, the current weights are best.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return

        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            _print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                _print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict | None) -> float | None:
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which "
                f"is not available. Available metrics are: {','.join(logs)}",
                stacklevel=2,
            )
            return None
        return to_float(value)


def _print(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()
