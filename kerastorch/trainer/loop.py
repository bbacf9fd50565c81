"""The training loop's pieces: the one batch loop (``run_epoch``), lazy logs, step compilation.

``run_epoch`` is the only batch loop: ``fit`` runs it once per epoch, ``evaluate`` and
``predict`` once, the ``*_on_batch`` methods on a one-batch dataset without callbacks.
Callbacks that override no batch hook cost nothing per batch (``predict`` then collects the
step outputs in a list comprehension).
"""
from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, Callable

import torch


class LazyLogs(Mapping):
    """Metric results computed only when someone reads them.

    Computing ``result()`` every step would cost a few small kernels per metric
    and, on a GPU, reading them would force a host sync; the progress bar reads
    them only when it redraws.
    """

    __slots__ = ("_metrics", "_values")

    def __init__(self, metrics: list):
        self._metrics = metrics
        self._values: dict | None = None

    def _compute(self) -> dict:
        if self._values is None:
            # By name, as Keras's callback list hands batch logs on (its progress bar: "accuracy - loss").
            self._values = dict(sorted(((m.name, m.result()) for m in self._metrics), key=lambda kv: kv[0]))
        return self._values

    def __getitem__(self, key):
        return self._compute()[key]

    def __iter__(self):
        return iter(self._compute())

    def __len__(self) -> int:
        return len(self._metrics)

    def __repr__(self) -> str:
        return f"LazyLogs({dict(self._compute())})"


# Inductor's own use of a deprecated torch API warns on every compilation; nothing a user can act on.
warnings.filterwarnings("ignore", message=r"`torch\.jit\.script_method` is deprecated")


def maybe_compile(fn, label: str):
    """``torch.compile(fn)``, falling back to eager (with a warning) if compilation fails."""
    try:
        compiled = torch.compile(fn)
    except Exception as e:  # noqa: BLE001 - any compile failure means "run eagerly"
        warnings.warn(f"jit_compile=True: torch.compile is unavailable for {label} ({e}); running eagerly.",
                      stacklevel=3)
        return fn
    state = {"fn": compiled}

    def step(data):
        try:
            return state["fn"](data)
        except Exception as e:  # noqa: BLE001
            if state["fn"] is fn:
                raise
            warnings.warn(f"jit_compile=True: torch.compile could not compile {label} "
                          f"({type(e).__name__}: {str(e)[:200]}); falling back to eager execution.", stacklevel=2)
            state["fn"] = fn
            return fn(data)
    return step


def _no_hook(*args: Any) -> None:
    pass


def run_epoch(model, step: Callable[[Any], Any], batches: Iterable, mode: str, callbacks=None) -> Any:
    """Run ``step`` on each batch of one pass over ``batches``, with the batch hooks of ``mode``.

    ``mode`` is "train", "test" or "predict"; test and predict run under ``torch.no_grad()``.
    Training stops after the batch during which ``model.stop_training`` became true.
    Returns the last step's logs (train/test; None if there was no batch) or, for predict,
    the list of the step outputs (what ``on_predict_batch_end`` sees as ``{"outputs": ...}``).
    """
    hooks = callbacks is not None and callbacks.has_batch_hooks(mode)
    with torch.no_grad() if mode != "train" else contextlib.nullcontext():
        if mode == "predict" and not hooks:  # the common case: nothing to call between batches
            return [step(batch) for batch in batches]
        begin: Callable = getattr(callbacks, f"on_{mode}_batch_begin") if hooks else _no_hook
        end: Callable = getattr(callbacks, f"on_{mode}_batch_end") if hooks else _no_hook
        outputs: list | None = [] if mode == "predict" else None
        logs = None
        for index, batch in enumerate(batches):
            if hooks:
                begin(index)
            logs = step(batch)
            if outputs is not None:
                outputs.append(logs)
            if hooks:
                end(index, {"outputs": logs} if outputs is not None else logs)
            if model.stop_training and mode == "train":
                break
    return outputs if outputs is not None else logs
