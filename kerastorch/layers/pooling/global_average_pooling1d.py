"""``GlobalAveragePooling1D``: mean over the steps axis; with a mask, the mean of the unmasked steps."""
from __future__ import annotations

import torch

from kerastorch.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling1D(BaseGlobalPooling):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs: torch.Tensor, mask=None) -> torch.Tensor:
        x = self._check(inputs)
        axis = self._spatial_axes[0]
        if mask is None:
            return x.mean(dim=axis, keepdim=self.keepdims)
        mask = mask.to(torch.bool).unsqueeze(2 if self.data_format == "channels_last" else 1)
        total = torch.where(mask, x, torch.zeros((), dtype=x.dtype, device=x.device)).sum(
            dim=axis, keepdim=self.keepdims)
        return total / mask.to(x.dtype).sum(dim=axis, keepdim=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None
