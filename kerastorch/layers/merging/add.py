"""``Add``: elementwise sum of a list of tensors, and the ``add`` functional alias."""
from __future__ import annotations

from kerastorch.layers.merging.base_merge import Merge


class Add(Merge):
    def _merge_function(self, inputs, masks):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


def add(inputs, **kwargs):
    """Functional interface to the ``Add`` layer: ``keras.layers.add([a, b])``."""
    return Add(**kwargs)(inputs)
