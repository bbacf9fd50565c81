"""``Multiply``: elementwise product of a list of tensors, and the ``multiply`` alias.

With masks (Keras 3): masked entries count as 1 in the product; when every input
is masked, entries masked in all inputs are 0 in the output.
"""
from __future__ import annotations

import torch

from kerastorch.layers.merging.base_merge import Merge, expanded_mask


class Multiply(Merge):
    def _merge_function(self, inputs, masks):
        all_masked = all(m is not None for m in masks)
        output = output_mask = None
        for x, m in zip(inputs, masks):
            if m is not None:
                m = expanded_mask(m, x)
                x = torch.where(m, x, torch.ones((), dtype=x.dtype, device=x.device))
                if all_masked:
                    output_mask = m if output_mask is None else torch.logical_or(output_mask, m)
            output = x if output is None else output * x
        if all_masked and output_mask is not None:
            output = torch.where(output_mask, output, torch.zeros((), dtype=output.dtype, device=output.device))
        return output


def multiply(inputs, **kwargs):
    """Functional interface to the ``Multiply`` layer."""
    return Multiply(**kwargs)(inputs)
