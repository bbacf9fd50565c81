"""`OneCycleScheduler`: Leslie Smith's 1cycle policy, per batch.

The learning rate rises from ``max_lr / div_factor`` to ``max_lr`` over the
first ``pct_start`` of the steps, then anneals to
``max_lr / div_factor / final_div_factor`` (PyTorch ``OneCycleLR``'s naming and
defaults for the two divisors; fastai's ``div_final`` is the product of both).
Both phases follow a half cosine (or a straight line with ``anneal="linear"``),
as in fastai and PyTorch. Momentum cycles the other way: ``moms[0]`` down to
``moms[1]`` while the learning rate rises, then up to ``moms[2]``. It is set on
``beta_1`` for the Adam family (Adam, AdamW, Adamax, Nadam, Lion) and on
``momentum`` for SGD / RMSprop when their momentum is non-zero (an optimizer
built without momentum has no momentum state, so it is left alone).

Step ``i`` (0-based) of ``total_steps`` sits at position ``i / (total_steps - 1)``,
so the first step runs at the initial and the last at the final learning rate;
steps past ``total_steps`` keep the final values. The learning rate of each
epoch's last step is logged as ``"learning_rate"`` (and the momentum as
``"momentum"``) in the epoch logs, so ``History`` records them; every step's
values are in ``learning_rates`` / ``momentums``. The values stay on the
optimizer after training, as with fastai and PyTorch.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

from kerastorch.callbacks.callback import Callback
from kerastorch.optimizers.schedules import learning_rate_schedule as lr_schedules


def _anneal(kind: str, start: float, end: float, pct: float) -> float:
    if kind == "cos":
        return end + (start - end) * (1.0 + math.cos(math.pi * pct)) / 2.0
    return start + (end - start) * pct


def momentum_attribute(optimizer: Any) -> str | None:
    """The optimizer attribute holding its momentum: ``beta_1``, ``momentum`` or None (no momentum)."""
    if hasattr(optimizer, "beta_1"):
        return "beta_1"
    momentum = getattr(optimizer, "momentum", None)
    if isinstance(momentum, (int, float)) and not isinstance(momentum, bool) and momentum > 0:
        return "momentum"
    return None


class OneCycleScheduler(Callback):
    """Per-batch one-cycle learning rate (warm-up, then annealing) with inverse momentum cycling.

    Args:
        max_lr: the peak learning rate.
        total_steps: number of training steps of the cycle; None uses
            ``(epochs - initial_epoch) * steps_per_epoch`` of the ``fit`` call.
        div_factor: the initial learning rate is ``max_lr / div_factor``.
        final_div_factor: the final learning rate is ``initial_lr / final_div_factor``.
        pct_start: fraction of the steps spent raising the learning rate.
        moms: ``(start, middle, end)`` momentum (a pair ``(high, low)`` means
            ``(high, low, high)``); None leaves the momentum alone.
        anneal: "cos" (default) or "linear".
    """

    _supports_lazy_logs = True  # batch hooks ignore the logs

    def __init__(self, max_lr: float, total_steps: int | None = None, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, pct_start: float = 0.25,
                 moms: Sequence[float] | None = (0.95, 0.85, 0.95), anneal: str = "cos") -> None:
        super().__init__()
        if not max_lr > 0:
            raise ValueError(f"`max_lr` must be a positive float; received max_lr={max_lr!r}.")
        if total_steps is not None and int(total_steps) < 1:
            raise ValueError(f"`total_steps` must be a positive integer or None; received {total_steps!r}.")
        if not 0 <= pct_start <= 1:
            raise ValueError(f"`pct_start` must be in [0, 1]; received pct_start={pct_start!r}.")
        if div_factor <= 0 or final_div_factor <= 0:
            raise ValueError("`div_factor` and `final_div_factor` must be positive; received "
                             f"div_factor={div_factor!r}, final_div_factor={final_div_factor!r}.")
        if anneal not in ("cos", "linear"):
            raise ValueError(f"`anneal` must be 'cos' or 'linear'; received anneal={anneal!r}.")
        if moms is not None:
            moms = tuple(float(m) for m in moms)
            if len(moms) == 2:
                moms = (moms[0], moms[1], moms[0])
            if len(moms) != 3:
                raise ValueError(f"`moms` must be (start, middle, end) or (high, low); received {moms!r}.")
        self.max_lr = float(max_lr)
        self.total_steps = None if total_steps is None else int(total_steps)
        self.div_factor = float(div_factor)
        self.final_div_factor = float(final_div_factor)
        self.pct_start = float(pct_start)
        self.moms = moms
        self.anneal = anneal
        self.initial_lr = self.max_lr / self.div_factor
        self.final_lr = self.initial_lr / self.final_div_factor
        self.learning_rates: list[float] = []
        self.momentums: list[float] = []
        self._total: int | None = self.total_steps
        self._step = 0
        self._optimizer = None
        self._mom_attr: str | None = None

    # ------------------------------------------------------------ schedule
    def _position(self, step: int, total: int) -> tuple[int, float]:
        """(phase, fraction of the phase done) of ``step`` in a cycle of ``total`` steps."""
        pos = 0.0 if total <= 1 else min(step, total - 1) / (total - 1)
        if self.pct_start > 0 and pos <= self.pct_start:
            return 0, pos / self.pct_start
        return 1, (pos - self.pct_start) / (1.0 - self.pct_start)

    def lr_at(self, step: int, total_steps: int | None = None) -> float:
        """The learning rate of step ``step`` (0-based)."""
        phase, pct = self._position(step, self._resolve_total(total_steps))
        if phase == 0:
            return _anneal(self.anneal, self.initial_lr, self.max_lr, pct)
        return _anneal(self.anneal, self.max_lr, self.final_lr, pct)

    def momentum_at(self, step: int, total_steps: int | None = None) -> float | None:
        """The momentum of step ``step`` (0-based), or None without momentum cycling."""
        if self.moms is None:
            return None
        phase, pct = self._position(step, self._resolve_total(total_steps))
        start, middle, end = self.moms
        if phase == 0:
            return _anneal(self.anneal, start, middle, pct)
        return _anneal(self.anneal, middle, end, pct)

    def _resolve_total(self, total_steps: int | None) -> int:
        total = total_steps or self._total
        if total is None:
            raise ValueError("OneCycleScheduler does not know the number of steps yet: pass `total_steps`.")
        return int(total)

    # ------------------------------------------------------------ events
    def on_train_begin(self, logs: dict | None = None) -> None:
        optimizer = self.model.optimizer
        if isinstance(getattr(optimizer, "_learning_rate", None), lr_schedules.LearningRateSchedule):
            raise TypeError("OneCycleScheduler sets the learning rate at every step, but the optimizer was "
                            "created with a `LearningRateSchedule`. Create the optimizer with a float "
                            "`learning_rate` to use the one-cycle policy (or keep the schedule and drop "
                            "this callback).")
        self._optimizer = optimizer
        self._mom_attr = momentum_attribute(optimizer) if self.moms is not None else None
        self._total = self.total_steps
        self._step = 0
        self.learning_rates = []
        self.momentums = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self._total is None:
            params = self.params or {}
            steps, epochs = params.get("steps"), params.get("epochs")
            if not steps or not epochs:
                raise ValueError("OneCycleScheduler cannot tell how many steps `fit` will run (the data has no "
                                 "length): pass `total_steps=` (or `steps_per_epoch=` to fit).")
            self._total = max(1, (int(epochs) - int(epoch)) * int(steps))

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        lr = self.lr_at(self._step)
        self._optimizer.learning_rate = lr
        self.learning_rates.append(lr)
        if self._mom_attr is not None:
            mom = self.momentum_at(self._step)
            setattr(self._optimizer, self._mom_attr, mom)
            self.momentums.append(mom)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._step += 1

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is None or not self.learning_rates:
            return
        logs["learning_rate"] = self.learning_rates[-1]
        if self.momentums:
            logs["momentum"] = self.momentums[-1]
