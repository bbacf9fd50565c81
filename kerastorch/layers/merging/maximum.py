"""``Maximum``: elementwise maximum of a list of tensors, and the ``maximum`` alias.

Masked entries take the other inputs' values (Keras 3).
"""
from __future__ import annotations

import torch

from kerastorch.layers.merging.base_merge import Merge, merge_with_or_masks


class Maximum(Merge):
    def _merge_function(self, inputs, masks):
        return merge_with_or_masks(torch.maximum, inputs, masks)


def maximum(inputs, **kwargs):
    """Functional interface to the ``Maximum`` layer."""
    return Maximum(**kwargs)(inputs)
