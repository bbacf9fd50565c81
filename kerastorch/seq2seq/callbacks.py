"""``SequenceAccuracy``: exact-match accuracy of free-running decoding, logged at epoch ends during ``fit``."""
from __future__ import annotations

import numpy as np

from kerastorch.callbacks.callback import Callback

__all__ = ["SequenceAccuracy"]


class SequenceAccuracy(Callback):
    """Decode ``src`` at the end of every ``every``-th epoch and log the exact-match accuracy against ``tgt``.

    The value is added to the epoch logs as ``name`` (default ``"val_sequence_accuracy"``), so
    ``History``, ``EarlyStopping(monitor=...)`` and ``ModelCheckpoint`` can use it. Put this callback
    before those in the ``callbacks`` list. ``beam_width=1`` is greedy decoding.
    """

    def __init__(self, src, tgt, beam_width: int = 1, every: int = 1, name: str = "val_sequence_accuracy",
                 batch_size: int = 256, verbose: int = 0):
        super().__init__()
        self.src, self.tgt = np.asarray(src), np.asarray(tgt)
        if len(self.src) != len(self.tgt):
            raise ValueError(f"`src` has {len(self.src)} rows but `tgt` has {len(self.tgt)}.")
        if every < 1:
            raise ValueError(f"`every` should be >= 1; received {every}.")
        self.beam_width, self.every, self.name = beam_width, every, name
        self.batch_size, self.verbose = batch_size, verbose
        self.history: list[float] = []

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if (epoch + 1) % self.every:
            return
        value = self.model.sequence_accuracy(self.src, self.tgt, beam_width=self.beam_width,
                                             batch_size=self.batch_size)
        self.history.append(value)
        if logs is not None:
            logs[self.name] = value
        if self.verbose:
            print(f"Epoch {epoch + 1}: {self.name} = {value:.4f}")
