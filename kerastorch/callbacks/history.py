"""`History`: records the epoch logs of `fit`; `fit` returns it."""
from __future__ import annotations

from typing import Any

from kerastorch.callbacks.callback import Callback, to_float


class History(Callback):
    """Collects each epoch's logs into `history` (name -> list of values).

    `fit` adds one automatically and returns it, so `model.fit(...).history`
    holds e.g. `{"loss": [...], "val_loss": [...]}`; `epoch` lists the
    (0-based) epoch indices that ran.
    """

    _supports_lazy_logs = True  # no batch hooks

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            try:
                value = to_float(value)
            except (TypeError, ValueError):
                pass
            self.history.setdefault(key, []).append(value)
        # The model points at the latest state of its history.
        if self.model is not None:
            self.model.history = self
