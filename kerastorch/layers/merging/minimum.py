"""``Minimum``: elementwise minimum of a list of tensors, and the ``minimum`` alias.

Masked entries take the other inputs' values (Keras 3).
"""
from __future__ import annotations

import torch

from kerastorch.layers.merging.base_merge import Merge, merge_with_or_masks


class Minimum(Merge):
    def _merge_function(self, inputs, masks):
        return merge_with_or_masks(torch.minimum, inputs, masks)


def minimum(inputs, **kwargs):
    """Functional interface to the ``Minimum`` layer."""
    return Minimum(**kwargs)(inputs)
