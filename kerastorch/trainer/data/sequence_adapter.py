"""``keras.utils.Sequence`` / ``PyDataset``: indexable batches with a length."""
from __future__ import annotations

import torch

from kerastorch.trainer.data.base import (
    DataAdapter,
    apply_class_weight,
    batch_tuple,
    to_device,
    unpack_x_y_sample_weight,
)


class SequenceDataAdapter(DataAdapter):
    def __init__(self, sequence, shuffle=False, steps=None, device=None, class_weight=None, generator=None):
        self.sequence = sequence
        self.shuffle = bool(shuffle)
        self.device = device
        self.class_weight = class_weight
        self.generator = generator
        length = len(sequence)
        self.num_batches = length if steps is None else min(int(steps), length) if steps else length

    def iter_epoch(self):
        n = len(self.sequence)
        order = torch.randperm(n, generator=self.generator).tolist() if self.shuffle else range(n)
        for step, i in enumerate(order):
            if step >= self.num_batches:
                break
            x, y, sw = unpack_x_y_sample_weight(self.sequence[i])
            x, y, sw = to_device((x, y, sw), self.device)
            yield batch_tuple(x, y, apply_class_weight(y, sw, self.class_weight))

    def on_epoch_end(self) -> None:
        hook = getattr(self.sequence, "on_epoch_end", None)
        if hook is not None:
            hook()
