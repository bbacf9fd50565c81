"""``torch.utils.data.DataLoader`` (or a ``Dataset``, wrapped in a DataLoader)."""
from __future__ import annotations

import torch

from kerastorch.trainer.data.base import (
    DataAdapter,
    apply_class_weight,
    batch_tuple,
    to_device,
    unpack_x_y_sample_weight,
)


class TorchDataLoaderAdapter(DataAdapter):
    def __init__(self, data, batch_size=None, shuffle=False, steps=None, device=None, class_weight=None):
        # A loader made here from a Dataset batches at fit's batch_size (the global batch when distributed).
        self._made_from_dataset = not isinstance(data, torch.utils.data.DataLoader)
        if isinstance(data, torch.utils.data.DataLoader):
            self.loader = data
        else:
            self.loader = torch.utils.data.DataLoader(data, batch_size=batch_size or 32, shuffle=bool(shuffle))
        self.device = device
        self.class_weight = class_weight
        try:
            length = len(self.loader)
        except TypeError:  # an IterableDataset has no length
            length = None
        self.num_batches = steps if steps is not None else length
        self.batch_size = getattr(self.loader, "batch_size", None)

    def iter_epoch(self):
        for step, data in enumerate(self.loader):
            if self.num_batches is not None and step >= self.num_batches:
                break
            x, y, sw = unpack_x_y_sample_weight(data)
            x, y, sw = to_device((x, y, sw), self.device)
            yield batch_tuple(x, y, apply_class_weight(y, sw, self.class_weight))
