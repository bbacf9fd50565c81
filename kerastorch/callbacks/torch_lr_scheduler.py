"""``TorchLRScheduler``: a ``torch.optim.lr_scheduler`` stepped by ``fit``.

A torch user keeps the scheduler they know and hands it to ``fit`` instead of calling
``scheduler.step()`` in their loop::

    model.compile(optimizer=torch.optim.AdamW(model.parameters(), lr=1e-3), loss=...)
    sched = torch.optim.lr_scheduler.OneCycleLR(model.optimizer.torch_optimizer, max_lr=1e-2, total_steps=...)
    model.fit(x, y, callbacks=[keras.callbacks.TorchLRScheduler(sched, interval="batch")])

``scheduler`` is a scheduler object, or a factory ``f(optimizer) -> scheduler`` called at
``on_train_begin`` with the optimizer to drive: the torch optimizer inside ``model.optimizer``
(a ``TorchOptimizer``, built on the trainable weights now if ``compile`` got a class), or the
kerastorch optimizer itself, which is a ``torch.optim.Optimizer`` with a live ``param_groups``.
A factory is what to use when ``compile`` got a class or partial, or when ``fit`` runs twice
(a new schedule per run).

``interval="batch"`` steps after every training batch (OneCycleLR, CyclicLR, warm-ups);
``"epoch"`` (the default, torch's convention) after every epoch. ``ReduceLROnPlateau`` steps
per epoch with ``logs[monitor]``. Each epoch's logs get ``"learning_rate"`` (group 0's ``lr``),
as Keras's ``LearningRateScheduler`` logs it.
"""
from __future__ import annotations

import sys
import warnings
from typing import Any, Callable

import torch

from kerastorch.callbacks.callback import Callback, to_float

_INTERVALS = ("batch", "epoch")


def _driven_optimizers(model) -> tuple[Any, list]:
    """(the optimizer a factory gets, every object a given scheduler may legitimately drive)."""
    optimizer = model.optimizer
    if optimizer is None:
        raise ValueError("TorchLRScheduler needs a compiled model (`model.compile(optimizer=...)`).")
    inner = getattr(optimizer, "inner_optimizer", optimizer)  # under a LossScaleOptimizer
    if hasattr(inner, "torch_optimizer") and inner.torch_optimizer is None:
        # compile got a class or partial: create the torch optimizer now, on what the first step would use.
        weights = model.trainable_weights
        if not weights:
            raise ValueError("The torch optimizer is created on the trainable weights, and the model has none yet: "
                             "build the model (an `Input`, or `model.build(input_shape)`) before `fit`.")
        inner.build(weights)
    torch_opt = getattr(inner, "torch_optimizer", None)
    target = torch_opt if torch_opt is not None else inner
    return target, [o for o in (optimizer, inner, torch_opt) if o is not None]


class TorchLRScheduler(Callback):
    """Step a ``torch.optim.lr_scheduler`` scheduler during ``fit`` (see the module docstring).

    Args:
        scheduler: a torch LR scheduler (``LRScheduler`` or ``ReduceLROnPlateau``) built on the model's
            optimizer, or a callable ``f(optimizer) -> scheduler`` called at the start of training.
        interval: ``"epoch"`` (step after each epoch) or ``"batch"`` (after each training batch).
        monitor: for ``ReduceLROnPlateau``: the logged quantity it watches (``"val_loss"``).
        verbose: 1 prints the learning rate after each epoch.
    """

    _supports_lazy_logs = True  # the batch hook does not read the logs

    def __init__(self, scheduler: Any, interval: str = "epoch", monitor: str = "val_loss", verbose: int = 0) -> None:
        super().__init__()
        if interval not in _INTERVALS:
            raise ValueError(f"`interval` must be 'batch' or 'epoch'. Received: interval={interval!r}")
        is_scheduler = isinstance(scheduler, (torch.optim.lr_scheduler.LRScheduler,
                                              torch.optim.lr_scheduler.ReduceLROnPlateau))
        if not is_scheduler and not callable(scheduler):
            raise TypeError("`scheduler` must be a torch.optim.lr_scheduler object or a function optimizer -> "
                            f"scheduler. Received: {scheduler!r} of type {type(scheduler).__name__}")
        if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau) and interval != "epoch":
            raise ValueError("ReduceLROnPlateau watches an epoch metric: use interval='epoch'.")
        self.factory: Callable[[Any], Any] | None = None if is_scheduler else scheduler
        self.scheduler = scheduler if is_scheduler else None
        self.interval = interval
        self.monitor = monitor
        self.verbose = verbose

    def on_train_begin(self, logs: dict | None = None) -> None:
        target, allowed = _driven_optimizers(self.model)
        if self.factory is not None:
            self.scheduler = self.factory(target)
            if not isinstance(self.scheduler, (torch.optim.lr_scheduler.LRScheduler,
                                               torch.optim.lr_scheduler.ReduceLROnPlateau)):
                raise TypeError("The `scheduler` factory must return a torch.optim.lr_scheduler object. Received: "
                                f"{type(self.scheduler).__name__}")
        if not any(self.scheduler.optimizer is o for o in allowed):
            raise ValueError(f"The scheduler drives a {type(self.scheduler.optimizer).__name__} that is not the "
                             "model's optimizer (compile built a new one from a class or partial, or the model was "
                             "recompiled). Pass a factory `lambda opt: Scheduler(opt, ...)` to build it on the "
                             "right optimizer.")

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.interval == "batch":
            self.scheduler.step()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.interval == "epoch":
            if isinstance(self.scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                value = (logs or {}).get(self.monitor)
                if value is None:
                    warnings.warn(f"TorchLRScheduler: ReduceLROnPlateau watches `{self.monitor}`, which is not in the "
                                  f"logs (available: {sorted(logs or {})}); the scheduler is not stepped.",
                                  stacklevel=2)
                else:
                    self.scheduler.step(to_float(value))
            else:
                self.scheduler.step()
        lr = to_float(self.scheduler.optimizer.param_groups[0]["lr"])
        if logs is not None:
            logs["learning_rate"] = lr
        if self.verbose > 0:
            sys.stdout.write(f"\nEpoch {epoch + 1}: TorchLRScheduler set the learning rate to {lr}.\n")
            sys.stdout.flush()
