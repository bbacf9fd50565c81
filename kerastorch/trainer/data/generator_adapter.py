"""Python generators and iterables yielding ``(x, y[, sample_weight])`` batches."""
from __future__ import annotations

import warnings

from kerastorch.trainer.data.base import (
    DataAdapter,
    apply_class_weight,
    batch_tuple,
    to_device,
    unpack_x_y_sample_weight,
)


class GeneratorDataAdapter(DataAdapter):
    def __init__(self, generator, steps=None, device=None, class_weight=None):
        self.source = generator
        self.iterator = iter(generator) if not hasattr(generator, "__next__") else generator
        self.reiterable = not hasattr(generator, "__next__")
        self.num_batches = steps
        self.device = device
        self.class_weight = class_weight
        self.exhausted = False

    def iter_epoch(self):
        if self.reiterable and self.num_batches is None:
            self.iterator = iter(self.source)
        count = 0
        while self.num_batches is None or count < self.num_batches:
            try:
                data = next(self.iterator)
            except StopIteration:
                if self.num_batches is not None and count < self.num_batches:
                    warnings.warn(f"Your input ran out of data after {count} of the {self.num_batches} steps "
                                  "requested; interrupting. Make sure the generator can produce at least "
                                  "`steps_per_epoch * epochs` batches.", stacklevel=2)
                    self.exhausted = True
                return
            if not isinstance(data, (tuple, list, dict)) and not hasattr(data, "shape"):
                raise ValueError("A generator passed to fit/evaluate/predict must yield `x`, `(x, y)` or "
                                 f"`(x, y, sample_weight)`; it yielded an object of type {type(data)}.")
            x, y, sw = unpack_x_y_sample_weight(data)
            x, y, sw = to_device((x, y, sw), self.device)
            sw = apply_class_weight(y, sw, self.class_weight)
            yield batch_tuple(x, y, sw)
            count += 1
