"""``Average``: elementwise mean of a list of tensors, and the ``average`` alias."""
from __future__ import annotations

from kerastorch.layers.merging.base_merge import Merge


class Average(Merge):
    def _merge_function(self, inputs, masks):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / len(inputs)


def average(inputs, **kwargs):
    """Functional interface to the ``Average`` layer."""
    return Average(**kwargs)(inputs)
