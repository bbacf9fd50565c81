"""`CallbackList`: one object that forwards every hook to a list of callbacks.

Batch hooks run on every step, so the list precomputes which callbacks
actually override each batch hook and returns at once when none does. Lazy
log values (0-d tensors) are converted to python floats, once per call, only
for callbacks that did not declare they can handle lazy values.
"""
from __future__ import annotations

from typing import Any, Iterable

from kerastorch.callbacks.callback import (
    BATCH_HOOK_ALIASES,
    Callback,
    overrides,
    python_logs,
    pythonify_logs_inplace,
)
from kerastorch.callbacks.history import History
from kerastorch.callbacks.progbar_logger import ProgbarLogger

# Batch hooks whose logs are metric values (predict logs hold raw outputs).
_NUMERIC_BATCH_HOOKS = ("on_train_batch_end", "on_test_batch_end")


def _flatten(callbacks: Any) -> list[Callback]:
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(
            "`callbacks` must be a list of `keras.callbacks.Callback` "
            f"instances. Received: callbacks={callbacks!r}"
        )
    flat: list[Callback] = []
    for item in callbacks:
        flat.extend(_flatten(item) if item is not None else [])
    return flat


class CallbackList(Callback):
    """Container that calls the same hook on each of its callbacks.

    Args:
        callbacks: list of `Callback` instances (nested lists are flattened).
        add_history: add a `History` callback if none is in `callbacks`.
        add_progbar: add a `ProgbarLogger` callback if none is in `callbacks`.
        model: the model the callbacks act on.
        **params: training parameters given to every callback's `set_params`
            (the trainer passes `verbose`, `epochs` and `steps`).
    """

    def __init__(
        self,
        callbacks: Iterable[Callback] | Callback | None = None,
        add_history: bool = False,
        add_progbar: bool = False,
        model: Any = None,
        **params: Any,
    ) -> None:
        super().__init__()
        self.callbacks: list[Callback] = _flatten(callbacks)
        self._history: History | None = None
        self._progbar: ProgbarLogger | None = None
        self._add_default_callbacks(add_history, add_progbar)
        self._refresh_batch_targets()
        self.set_model(model)
        self.set_params(params)

    def _add_default_callbacks(self, add_history: bool, add_progbar: bool) -> None:
        for cb in self.callbacks:
            if isinstance(cb, ProgbarLogger):
                self._progbar = cb
            elif isinstance(cb, History):
                self._history = cb
        # History goes after user callbacks so it records keys they add.
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def _refresh_batch_targets(self) -> None:
        """For each batch hook: the (callback, wants_python_floats) pairs of
        the callbacks that override it, in list order."""
        self._targets: dict[str, list[tuple[Callback, bool]]] = {}
        for hook, alias in BATCH_HOOK_ALIASES.items():
            numeric = hook in _NUMERIC_BATCH_HOOKS
            self._targets[hook] = [
                (cb, numeric and not cb._supports_lazy_logs)
                for cb in self.callbacks
                if overrides(cb, hook) or (alias is not None and overrides(cb, alias))
            ]

    def append(self, callback: Callback) -> None:
        """Adds a callback at the end of the list."""
        for cb in _flatten(callback):
            self.callbacks.append(cb)
            if self._model is not None:
                cb.set_model(self._model)
            if self.params:
                cb.set_params(self.params)
        self._refresh_batch_targets()

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params
        if params:
            for cb in self.callbacks:
                cb.set_params(params)

    def set_model(self, model: Any) -> None:
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    # -- batch hooks (hot path) -------------------------------------------

    def has_batch_hooks(self, mode: str) -> bool:
        """Whether any callback overrides ``on_<mode>_batch_begin`` or ``on_<mode>_batch_end``."""
        return bool(self._targets[f"on_{mode}_batch_begin"] or self._targets[f"on_{mode}_batch_end"])

    def _call_batch(self, hook: str, targets: list, batch: int, logs: Any,
                    method: str | None = None) -> None:
        logs = logs if logs is not None else {}
        py_logs = None
        name = method or hook
        for cb, wants_floats in targets:
            if wants_floats:
                if py_logs is None:
                    py_logs = python_logs(logs)
                getattr(cb, name)(batch, logs=py_logs)
            else:
                getattr(cb, name)(batch, logs=logs)

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        targets = self._targets["on_train_batch_begin"]
        if targets:
            self._call_batch("on_train_batch_begin", targets, batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        targets = self._targets["on_train_batch_end"]
        if targets:
            self._call_batch("on_train_batch_end", targets, batch, logs)

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        targets = self._targets["on_train_batch_begin"]
        if targets:
            self._call_batch("on_train_batch_begin", targets, batch, logs,
                             method="on_batch_begin")

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        targets = self._targets["on_train_batch_end"]
        if targets:
            self._call_batch("on_train_batch_end", targets, batch, logs,
                             method="on_batch_end")

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        targets = self._targets["on_test_batch_begin"]
        if targets:
            self._call_batch("on_test_batch_begin", targets, batch, logs)

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        targets = self._targets["on_test_batch_end"]
        if targets:
            self._call_batch("on_test_batch_end", targets, batch, logs)

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        targets = self._targets["on_predict_batch_begin"]
        if targets:
            self._call_batch("on_predict_batch_begin", targets, batch, logs)

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        targets = self._targets["on_predict_batch_end"]
        if targets:
            self._call_batch("on_predict_batch_end", targets, batch, logs)

    # -- epoch / run hooks ------------------------------------------------

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        pythonify_logs_inplace(logs)
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_begin(self, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        pythonify_logs_inplace(logs)
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_test_begin(self, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        for cb in self.callbacks:
            cb.on_test_begin(logs)

    def on_test_end(self, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        pythonify_logs_inplace(logs)
        for cb in self.callbacks:
            cb.on_test_end(logs)

    def on_predict_begin(self, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        for cb in self.callbacks:
            cb.on_predict_begin(logs)

    def on_predict_end(self, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        for cb in self.callbacks:
            cb.on_predict_end(logs)
