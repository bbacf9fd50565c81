"""Teacher-forcing schedules (scheduled sampling) and the callback that applies them during ``fit``.

During training a ``Seq2Seq`` decoder step receives the ground-truth previous token with
probability ``p = model.teacher_forcing`` and the model's own previous prediction otherwise.
Bengio et al. (2015, "Scheduled Sampling for Sequence Prediction with Recurrent Neural
Networks") start at ``p = 1`` and decay it with the training iteration ``i``:

* linear:          ``p_i = max(eps, k - c * i)``
* exponential:     ``p_i = k ** i``               (``k < 1``)
* inverse sigmoid: ``p_i = k / (k + exp(i / k))`` (``k >= 1``)

The schedules below compute these (with a floor ``minimum``), plus a constant one.
``TeacherForcingScheduler`` evaluates a schedule at every epoch (``unit="epoch"``, the
default) or every training batch (``unit="step"``, Bengio's iteration count), sets
``model.teacher_forcing`` and records the value in the epoch logs as ``teacher_forcing``
(so it appears in ``History.history["teacher_forcing"]``)::

    from kerastorch.seq2seq import TeacherForcingScheduler, InverseSigmoidDecay
    model.fit(src, tgt, epochs=10, callbacks=[TeacherForcingScheduler(InverseSigmoidDecay(k=3))])
"""
from __future__ import annotations

import math
import sys
from typing import Any, Callable

from kerastorch.callbacks.callback import Callback

__all__ = ["TeacherForcingSchedule", "ConstantSchedule", "LinearDecay", "ExponentialDecay", "InverseSigmoidDecay",
           "TeacherForcingScheduler", "get"]


def _clip(p: float) -> float:
    return min(1.0, max(0.0, float(p)))


class TeacherForcingSchedule:
    """Base class: ``schedule(i)`` is the teacher-forcing probability at step or epoch ``i`` (0-based)."""

    def __call__(self, i: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "TeacherForcingSchedule":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class ConstantSchedule(TeacherForcingSchedule):
    """``p_i = value`` (``value=1`` is plain teacher forcing, ``0`` always feeds the model's predictions)."""

    def __init__(self, value: float = 1.0):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"A teacher-forcing probability lies in [0, 1]; received value={value}.")
        self.value = float(value)

    def __call__(self, i: int) -> float:
        return self.value

    def get_config(self) -> dict:
        return {"value": self.value}


class LinearDecay(TeacherForcingSchedule):
    """``p_i = max(minimum, initial - (initial - minimum) * i / decay_steps)``.

    Bengio et al.'s ``max(eps, k - c i)`` with ``k = initial``, ``eps = minimum`` and
    ``c = (initial - minimum) / decay_steps``: ``p`` reaches ``minimum`` after ``decay_steps``.
    """

    def __init__(self, decay_steps: int, initial: float = 1.0, minimum: float = 0.0):
        if decay_steps <= 0:
            raise ValueError(f"`decay_steps` should be positive; received {decay_steps}.")
        if not 0.0 <= minimum <= initial <= 1.0:
            raise ValueError(f"Expected 0 <= minimum <= initial <= 1; received initial={initial}, minimum={minimum}.")
        self.decay_steps, self.initial, self.minimum = decay_steps, float(initial), float(minimum)

    def __call__(self, i: int) -> float:
        return _clip(max(self.minimum, self.initial - (self.initial - self.minimum) * i / self.decay_steps))

    def get_config(self) -> dict:
        return {"decay_steps": self.decay_steps, "initial": self.initial, "minimum": self.minimum}


class ExponentialDecay(TeacherForcingSchedule):
    """``p_i = max(minimum, initial * k ** i)`` with ``0 < k < 1`` (Bengio et al.: ``initial = 1``)."""

    def __init__(self, k: float = 0.9, initial: float = 1.0, minimum: float = 0.0):
        if not 0.0 < k < 1.0:
            raise ValueError(f"Exponential decay needs 0 < k < 1; received k={k}.")
        if not 0.0 <= minimum <= initial <= 1.0:
            raise ValueError(f"Expected 0 <= minimum <= initial <= 1; received initial={initial}, minimum={minimum}.")
        self.k, self.initial, self.minimum = float(k), float(initial), float(minimum)

    def __call__(self, i: int) -> float:
        return _clip(max(self.minimum, self.initial * self.k ** i))

    def get_config(self) -> dict:
        return {"k": self.k, "initial": self.initial, "minimum": self.minimum}


class InverseSigmoidDecay(TeacherForcingSchedule):
    """``p_i = max(minimum, k / (k + exp(i / k)))`` with ``k >= 1``; larger ``k`` decays later.

    ``p_0 = k / (k + 1)`` (not exactly 1); ``p`` crosses 1/2 at ``i = k ln k``.
    """

    def __init__(self, k: float = 10.0, minimum: float = 0.0):
        if k < 1.0:
            raise ValueError(f"Inverse sigmoid decay needs k >= 1; received k={k}.")
        if not 0.0 <= minimum <= 1.0:
            raise ValueError(f"`minimum` lies in [0, 1]; received {minimum}.")
        self.k, self.minimum = float(k), float(minimum)

    def __call__(self, i: int) -> float:
        exponent = i / self.k
        value = 0.0 if exponent > 700 else self.k / (self.k + math.exp(exponent))
        return _clip(max(self.minimum, value))

    def get_config(self) -> dict:
        return {"k": self.k, "minimum": self.minimum}


_SCHEDULES = {"constant": ConstantSchedule, "linear": LinearDecay, "linear_decay": LinearDecay,
              "exponential": ExponentialDecay, "exponential_decay": ExponentialDecay,
              "inverse_sigmoid": InverseSigmoidDecay, "inverse_sigmoid_decay": InverseSigmoidDecay}


def get(identifier: Any) -> Callable[[int], float]:
    """A schedule from an instance, a callable ``i -> p``, a number (constant), a name, or
    ``{"class_name": name, "config": {...}}``."""
    if isinstance(identifier, TeacherForcingSchedule):
        return identifier
    if isinstance(identifier, bool):
        raise TypeError(f"Could not interpret teacher-forcing schedule {identifier!r}.")
    if isinstance(identifier, (int, float)):
        return ConstantSchedule(float(identifier))
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _SCHEDULES:
            raise ValueError(f"Unknown teacher-forcing schedule {identifier!r}. Valid names: {sorted(_SCHEDULES)}")
        cls = _SCHEDULES[key]
        if cls is LinearDecay:
            raise ValueError("'linear' needs `decay_steps`: pass LinearDecay(decay_steps=...) or "
                             "{'class_name': 'linear', 'config': {'decay_steps': ...}}.")
        return cls()
    if isinstance(identifier, dict):
        name = str(identifier.get("class_name", "")).lower()
        by_class = {c.__name__.lower(): c for c in _SCHEDULES.values()}
        cls = _SCHEDULES.get(name) or by_class.get(name)
        if cls is None:
            raise ValueError(f"Unknown teacher-forcing schedule {identifier.get('class_name')!r}. Valid names: "
                             f"{sorted(_SCHEDULES)}")
        return cls.from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret teacher-forcing schedule {identifier!r}: pass a schedule object, a "
                    "callable `i -> probability`, a number or a schedule name.")


class TeacherForcingScheduler(Callback):
    """Set ``model.teacher_forcing`` from a schedule during ``fit``.

    Args:
        schedule: a :class:`TeacherForcingSchedule`, a callable ``i -> probability``, a constant or a name
            (see :func:`get`).
        unit: ``"epoch"`` (``i`` is the epoch index, set at each epoch start) or ``"step"`` (``i``
            counts training batches across epochs, set before each batch, as in Bengio et al.).
        verbose: 1 prints the probability at each epoch start.

    The epoch logs get ``teacher_forcing``: the probability used by the epoch's last batch.
    """

    _supports_lazy_logs = True  # the batch hook reads no logs

    def __init__(self, schedule: Any, unit: str = "epoch", verbose: int = 0):
        super().__init__()
        if unit not in ("epoch", "step"):
            raise ValueError(f"`unit` should be 'epoch' or 'step'; received unit={unit!r}.")
        self.schedule = get(schedule)
        self.unit = unit
        self.verbose = verbose
        self.step = 0
        if unit == "step":  # bound only when needed: CallbackList skips callbacks without batch hooks
            self.on_train_batch_begin = self._before_batch

    def _set(self, i: int) -> float:
        p = self.schedule(i)
        if not isinstance(p, (int, float)) or not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"The teacher-forcing schedule returned {p!r} for i={i}; expected a probability "
                             "in [0, 1].")
        if not hasattr(self.model, "teacher_forcing"):
            raise ValueError(f"TeacherForcingScheduler needs a model with a `teacher_forcing` attribute (such as "
                             f"kerastorch.seq2seq.Seq2Seq); {type(self.model).__name__} has none.")
        self.model.teacher_forcing = float(p)
        return float(p)

    def on_train_begin(self, logs=None) -> None:
        self.step = 0

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        if self.unit == "epoch":
            p = self._set(epoch)
        else:
            p = self._set(self.step)
        if self.verbose > 0:
            sys.stdout.write(f"\nEpoch {epoch + 1}: TeacherForcingScheduler setting teacher forcing to {p:.4f}.\n")
            sys.stdout.flush()

    def _before_batch(self, batch: int, logs=None) -> None:
        self._set(self.step)
        self.step += 1

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if logs is not None:
            logs["teacher_forcing"] = float(self.model.teacher_forcing)
