"""``SwapEMAWeights``: evaluate (and optionally checkpoint) with the optimizer's EMA weights.

The optimizer (``use_ema=True``) keeps a moving average of every trainable variable; this
callback swaps those averages into the model for evaluation and prediction and swaps the
training values back afterwards, as Keras 3 does.
"""
from __future__ import annotations

import torch

from kerastorch.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Swap the EMA weights in for ``evaluate``/``predict`` (and, with ``swap_on_epoch``, around
    each epoch end, so that other callbacks such as ``ModelCheckpoint`` see them).

    Differs from Keras 3.15 in one place: Keras's ``on_predict_end`` never swaps the training
    weights back (its condition is inverted); here prediction restores them like evaluation does.
    """

    def __init__(self, swap_on_epoch: bool = False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _ema_optimizers(self) -> list:
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        inner = getattr(optimizer, "optimizers", None)
        candidates = list(inner) if inner is not None else [optimizer]
        ema = [opt for opt in candidates if getattr(opt, "use_ema", False)]
        if not ema:
            raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. "
                             f"Received: use_ema={getattr(optimizer, 'use_ema', None)}")
        return ema

    def _swap_variables(self) -> None:
        with torch.no_grad():
            for optimizer in self._ema_optimizers():
                for variable, average in zip(optimizer._trainable_variables, optimizer._ema):
                    current = variable.detach().clone()
                    variable.copy_(average)
                    average.copy_(current)

    def _finalize_ema_values(self) -> None:
        with torch.no_grad():
            for optimizer in self._ema_optimizers():
                for variable, average in zip(optimizer._trainable_variables, optimizer._ema):
                    average.copy_(variable)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True
            # After the last epoch the EMA weights stay in the model; make the averages agree.
            if epoch == self.params["epochs"] - 1:
                self._finalize_ema_values()

    def on_test_begin(self, logs: dict | None = None) -> None:
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def on_test_end(self, logs: dict | None = None) -> None:
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self.on_test_begin(logs)

    def on_predict_end(self, logs: dict | None = None) -> None:
        self.on_test_end(logs)
