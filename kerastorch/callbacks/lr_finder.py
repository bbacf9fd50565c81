"""`LRFinder`: the learning-rate range test as a callback on `fit`'s batch events.

Each training step runs at a learning rate that grows exponentially from
`start_lr` to `end_lr` over `num_steps` steps (Leslie Smith's range test, as
fastai's `lr_find` does it). The callback records each step's loss, an
exponentially smoothed (and bias-corrected) loss, and stops training when the
smoothed loss exceeds `diverge_threshold` times the best one seen, when it is
not finite, or after `num_steps` steps.

`model.lr_find(...)` (kerastorch.trainer.lr_finder) runs it on a copy of the
optimizer and restores the model afterwards; use the callback directly only if
you want the test to change your model.
"""
from __future__ import annotations

import math

from kerastorch.callbacks.callback import Callback, to_float


class LRFinder(Callback):
    """Exponentially increasing learning rate per step; records the loss curve.

    Args:
        start_lr: learning rate of the first step.
        end_lr: learning rate of step `num_steps - 1`.
        num_steps: number of steps of the test (at least 2).
        smoothing: beta of the exponential moving average of the loss
            (`avg = beta * avg + (1 - beta) * loss`, debiased by `1 - beta**n`).
        diverge_threshold: stop when the smoothed loss exceeds this multiple of
            the best smoothed loss; `None` never stops early (except on NaN/inf).

    After `fit`: `learning_rates`, `raw_losses` (each step's batch loss) and
    `losses` (smoothed), one entry per step run; `diverged` tells whether the
    test stopped on divergence.
    """

    _supports_lazy_logs = True  # converts the loss itself

    def __init__(self, start_lr: float = 1e-7, end_lr: float = 10.0, num_steps: int = 100,
                 smoothing: float = 0.98, diverge_threshold: float | None = 4.0) -> None:
        super().__init__()
        if not (start_lr > 0 and end_lr > start_lr):
            raise ValueError(f"LRFinder needs 0 < start_lr < end_lr; received start_lr={start_lr}, "
                             f"end_lr={end_lr}.")
        if int(num_steps) < 2:
            raise ValueError(f"LRFinder needs num_steps >= 2; received num_steps={num_steps}.")
        if not 0 <= smoothing < 1:
            raise ValueError(f"`smoothing` (the beta of the moving average) must be in [0, 1); "
                             f"received {smoothing}.")
        if diverge_threshold is not None and diverge_threshold <= 1:
            raise ValueError(f"`diverge_threshold` must be > 1 (or None); received {diverge_threshold}.")
        self.start_lr = float(start_lr)
        self.end_lr = float(end_lr)
        self.num_steps = int(num_steps)
        self.smoothing = float(smoothing)
        self.diverge_threshold = diverge_threshold
        self._reset()

    def _reset(self) -> None:
        self.learning_rates: list[float] = []
        self.raw_losses: list[float] = []
        self.losses: list[float] = []
        self.diverged = False
        self._step = 0
        self._avg = 0.0
        self._best = math.inf
        self._lr = self.start_lr

    def lr_at(self, step: int) -> float:
        """The learning rate of step `step` (0-based): geometric from start_lr to end_lr."""
        pos = min(step, self.num_steps - 1) / (self.num_steps - 1)
        return self.start_lr * (self.end_lr / self.start_lr) ** pos

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._lr = self.lr_at(self._step)
        self.model.optimizer.learning_rate = self._lr
        # Per-batch logs: with the running means reset, logs["loss"] is this batch's loss.
        self.model.reset_metrics()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = to_float((logs or {})["loss"])
        self._step += 1
        beta = self.smoothing
        self._avg = beta * self._avg + (1.0 - beta) * loss
        smoothed = self._avg / (1.0 - beta ** self._step)
        self.learning_rates.append(self._lr)
        self.raw_losses.append(loss)
        self.losses.append(smoothed)
        if not math.isfinite(smoothed):
            self.diverged = True
            self.model.stop_training = True
            return
        self._best = min(self._best, smoothed)
        if self.diverge_threshold is not None and smoothed > self.diverge_threshold * self._best:
            self.diverged = True
            self.model.stop_training = True
        elif self._step >= self.num_steps:
            self.model.stop_training = True
