"""`MonitorCallback`: shared "is this metric better?" logic.

Used by `EarlyStopping` and `ModelCheckpoint`. In "auto" mode Keras 3 asks
the model's metric objects for their direction; we do the same and, when no
metric object answers, fall back to the metric's name.
"""
from __future__ import annotations

import operator
from typing import Any, Callable

from kerastorch.callbacks.callback import Callback

_MODES = ("auto", "min", "max")

# Name fragments used when no metric object says which way is better.
_HIGHER_IS_BETTER = (
    "acc", "auc", "precision", "recall", "f1", "fbeta", "iou",
    "r2", "sensitivity", "specificity", "cosine_similarity",
)
_LOWER_IS_BETTER = (
    "loss", "error", "crossentropy", "hinge", "divergence", "mse", "mae",
    "mape", "msle", "poisson", "logcosh", "huber",
)


def check_mode(mode: str, owner: str) -> str:
    if mode not in _MODES:
        raise ValueError(
            f"{owner} received an unknown mode={mode!r}. Expected one of "
            f"{list(_MODES)}: 'min' when lower is better, 'max' when higher "
            "is better, 'auto' to infer it from the monitored metric."
        )
    return mode


def _iter_metrics(model: Any):
    """Yields metric objects of `model`, looking inside metric containers."""
    stack = list(getattr(model, "metrics", None) or [])
    seen: set[int] = set()
    while stack:
        metric = stack.pop(0)
        if id(metric) in seen:
            continue
        seen.add(id(metric))
        yield metric
        inner = getattr(metric, "metrics", None)
        if isinstance(inner, (list, tuple)):
            stack.extend(inner)


def infer_direction(monitor: str, model: Any) -> str | None:
    """'min' or 'max' for the monitored quantity, or None if unknown."""
    name = monitor.removeprefix("val_")
    for metric in _iter_metrics(model):
        if getattr(metric, "name", None) == name:
            direction = getattr(metric, "_direction", None)
            if direction in ("up", "down"):
                return "max" if direction == "up" else "min"
    if name == "loss" or name.endswith("_loss"):
        return "min"
    lowered = name.lower()
    if any(word in lowered for word in _LOWER_IS_BETTER):
        return "min"
    if any(word in lowered for word in _HIGHER_IS_BETTER):
        return "max"
    return None


class MonitorCallback(Callback):
    """Base class for callbacks that compare a monitored value to its best.

    Args:
        monitor: name of the quantity in the logs.
        mode: "auto", "min" or "max".
        baseline: initial "best" value (None: the first value is best).
        min_delta: smallest change counted as an improvement.
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto",
                 baseline: float | None = None, min_delta: float = 0) -> None:
        super().__init__()
        self.monitor = monitor
        self.mode = check_mode(mode, type(self).__name__)
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op: Callable[[float, float], bool] | None = None

    def _set_monitor_op(self) -> None:
        """Resolves the direction; delayed until the model's metrics exist."""
        mode = self.mode
        if mode == "auto":
            mode = infer_direction(self.monitor, self.model)
            if mode is None:
                raise ValueError(
                    f"{type(self).__name__} callback received "
                    f"monitor={self.monitor}, but Keras isn't able to "
                    "automatically determine whether that metric should be "
                    "maximized or minimized. Pass `mode='max'` in order to "
                    "monitor based on the highest metric value, or pass "
                    "`mode='min'` in order to use the lowest value."
                )
        if mode == "min":
            self.monitor_op = operator.lt
            self.min_delta = -abs(self.min_delta)
        else:
            self.monitor_op = operator.gt
            self.min_delta = abs(self.min_delta)

    def _is_improvement(self, monitor_value: float, reference_value: float | None) -> bool:
        if reference_value is None:
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))
