"""`ProgbarLogger`: prints the progress bar and metrics of fit/evaluate/predict."""
from __future__ import annotations

import sys
from typing import Any

from kerastorch.callbacks.callback import Callback
from kerastorch.callbacks.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints `Epoch i/n` headers and a Keras style progress bar.

    Reads `verbose`, `epochs` and `steps` from the params the trainer gives
    `CallbackList` (`steps=None` when the number of batches is unknown, e.g.
    a generator: the bar then shows `N/Unknown` and learns the count at the
    end of the first epoch). Validation inside `fit` is silent.

    Batch logs are passed to the bar as given (0-d tensors are fine): the
    bar converts them only when it redraws, at most every 0.05 s. Logs are
    shown as-is, not averaged again, because the trainer's batch logs are
    already running means over the epoch.
    """

    _supports_lazy_logs = True

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0
        self.progbar: Progbar | None = None
        self.target: int | None = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        verbose = params.get("verbose", 1)
        if verbose == "auto":
            verbose = 1
        self.verbose = int(verbose)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._called_in_fit = True

    def on_train_end(self, logs: dict | None = None) -> None:
        # A later `evaluate` with this same logger must print again.
        self._called_in_fit = False

    def on_test_begin(self, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            sys.stdout.write(f"Epoch {epoch + 1}/{self.epochs}\n")
            sys.stdout.flush()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        # Predict logs hold model outputs, which are not displayed.
        self._update_progbar(batch, None)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._finalize_progbar(logs)

    def on_test_end(self, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._finalize_progbar(None)

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self) -> None:
        if self.progbar is None:
            self.progbar = Progbar(
                target=self.target, verbose=self.verbose, unit_name="step",
                stateless_metrics=(),
            )

    def _update_progbar(self, batch: int, logs: dict | None) -> None:
        self.seen = batch + 1  # batch is 0-based
        if self.verbose != 1:
            return  # verbose 2 prints at the end only; 0 prints nothing
        self._maybe_init_progbar()
        # Batch logs are running means: hand them over lazily (read only when the bar redraws).
        self.progbar.update(self.seen, (lambda: sorted(logs.items())) if logs else None, finalize=False)

    def _finalize_progbar(self, logs: dict | None) -> None:
        if not self.verbose:
            return
        self._maybe_init_progbar()
        if self.target is None:
            # Unknown number of steps: learned from this first full pass.
            self.target = self.seen
            self.progbar.target = self.target
        items = sorted(logs.items()) if logs else None
        self.progbar.update(self.target, items, finalize=True)
