"""The `Callback` base class and helpers to read (possibly lazy) log values.

The trainer hands batch hooks logs whose values may be 0-d torch tensors (or
callables returning them) so that nothing forces a device->host sync on every
step. Callbacks that need a number call `to_float` only when they really must.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch


def to_float(value: Any) -> float:
    """Converts a log value (python number, numpy scalar, 0-d tensor or a
    callable returning one of those) to a python float.

    Converting a tensor calls `.item()`, which waits for the device: call this
    only when the number is actually needed.
    """
    if isinstance(value, float):
        return value
    if callable(value) and not isinstance(value, torch.Tensor):
        value = value()
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(
                "Expected a scalar log value, received a tensor of shape "
                f"{tuple(value.shape)}. Reduce it to a scalar before logging it."
            )
        return float(value.detach().item())
    if isinstance(value, np.ndarray) and value.size != 1:
        raise ValueError(
            "Expected a scalar log value, received an array of shape "
            f"{value.shape}. Reduce it to a scalar before logging it."
        )
    try:
        return float(value)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"Expected a number, a 0-d tensor or a callable returning one; "
            f"received {value!r} of type {type(value).__name__}."
        ) from e


def python_logs(logs: Mapping[str, Any] | None) -> dict[str, Any]:
    """Returns a copy of `logs` with every numeric value as a python float.

    Nested dicts are flattened (as Keras does); values that are not numbers
    (strings, arrays with several elements) are kept unchanged.
    """
    result: dict[str, Any] = {}
    for key, value in (logs or {}).items():
        if isinstance(value, Mapping):
            result.update(python_logs(value))
            continue
        try:
            result[key] = to_float(value)
        except (TypeError, ValueError):
            result[key] = value
    return result


def pythonify_logs_inplace(logs: dict[str, Any] | None) -> None:
    """Replaces tensor values of `logs` by python floats, keeping the dict.

    Epoch-level hooks share one dict that callbacks may extend (e.g.
    `ReduceLROnPlateau` adds "learning_rate" for `History` to record), so it
    is converted in place rather than copied.
    """
    if not logs:
        return
    for key, value in logs.items():
        if isinstance(value, torch.Tensor) or callable(value):
            try:
                logs[key] = to_float(value)
            except (TypeError, ValueError):
                pass


class Callback:
    """Base class for objects that hook into `fit`, `evaluate` and `predict`.

    Subclass it and override the hooks you need. `CallbackList` looks at
    which batch hooks a callback overrides, so a callback that only
    overrides epoch hooks costs nothing per training step.

    Attributes:
        model: the model being trained (set by `set_model`).
        params: dict of training parameters (`verbose`, `epochs`, `steps`).
    """

    # Whether batch hooks may receive lazy logs (0-d tensors / callables).
    # User callbacks get python floats, as in Keras; built-in callbacks that
    # convert values themselves set this to True to avoid a sync per step.
    _supports_lazy_logs: bool = False

    def __init__(self) -> None:
        self.params: dict[str, Any] | None = None
        self._model: Any = None

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def set_model(self, model: Any) -> None:
        self._model = model

    @property
    def model(self) -> Any:
        model = self._model
        # DDP wraps the Keras model: callbacks expect the Keras API.
        if isinstance(model, torch.nn.parallel.DistributedDataParallel):
            return model.module
        return model

    # Backwards compatible aliases of the train batch hooks.
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Alias of `on_train_batch_begin` (Keras 2 name)."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Alias of `on_train_batch_end` (Keras 2 name)."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of an epoch of `fit` (epoch is 0-based)."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of an epoch of `fit` with the epoch's metrics,
        validation ones prefixed with `val_`."""

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each training batch; forwards to `on_batch_begin`."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each training batch with the running metrics;
        forwards to `on_batch_end`."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each batch of `evaluate` (and of validation)."""

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each batch of `evaluate` (and of validation)."""

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each batch of `predict`."""

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each batch of `predict`; logs hold `outputs`."""

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `fit`."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called at the end of `fit` with the last epoch's logs."""

    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `evaluate` or of a validation run."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """Called at the end of `evaluate` or of a validation run."""

    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `predict`."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called at the end of `predict`."""


# Hooks a callback may override, with the alias that also counts for them.
BATCH_HOOK_ALIASES: dict[str, str | None] = {
    "on_train_batch_begin": "on_batch_begin",
    "on_train_batch_end": "on_batch_end",
    "on_test_batch_begin": None,
    "on_test_batch_end": None,
    "on_predict_batch_begin": None,
    "on_predict_batch_end": None,
}


def overrides(callback: Callback, hook: str) -> bool:
    """Whether `callback` does something in `hook` (overridden in a subclass
    or set on the instance, as `LambdaCallback` does)."""
    if hook in vars(callback):
        return True
    return getattr(type(callback), hook, None) is not getattr(Callback, hook)

