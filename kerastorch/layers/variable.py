"""``Variable``: a trainable weight, an ``nn.Parameter`` with Keras's variable API.

Keras 3 custom training steps read ``v.value.grad`` and call ``v.assign(x)``; a
Parameter subclass gives both without copying and stays a plain Parameter for
torch (optimizers, ``state_dict``, ``torch.compile``).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn


class Variable(nn.Parameter):
    keras_name: str = "variable"

    @property
    def value(self) -> "Variable":
        return self

    @property
    def trainable(self) -> bool:
        return self.requires_grad

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self.requires_grad_(bool(value))

    @property
    def path(self) -> str:
        return self.keras_name

    def assign(self, value) -> "Variable":
        with torch.no_grad():
            self.copy_(torch.as_tensor(np.asarray(value) if not isinstance(value, torch.Tensor) else value,
                                       dtype=self.dtype))
        return self

    def assign_add(self, value) -> "Variable":
        with torch.no_grad():
            self.add_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_sub(self, value) -> "Variable":
        with torch.no_grad():
            self.sub_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def numpy(self) -> np.ndarray:
        return self.detach().cpu().numpy()


class NonTrainableVariable(torch.Tensor):
    """A non-trainable weight (a module buffer) with Keras's ``assign``/``assign_add`` API.

    Keras code keeps running sums in ``add_weight(trainable=False)`` variables and updates them
    with ``self.total.assign_add(x)``. Operations on it return plain tensors, so it costs nothing
    on the hot path; ``Layer._apply`` re-wraps it after ``.to(device)``.
    """

    __torch_function__ = torch._C._disabled_torch_function_impl
    keras_name: str = "variable"

    def __new__(cls, data: torch.Tensor, keras_name: str = "variable"):
        var = torch.Tensor._make_subclass(cls, data, False)
        var.keras_name = keras_name
        return var

    @property
    def value(self) -> "NonTrainableVariable":
        return self

    @property
    def trainable(self) -> bool:
        return False

    @property
    def path(self) -> str:
        return self.keras_name

    def assign(self, value) -> "NonTrainableVariable":
        with torch.no_grad():
            self.copy_(torch.as_tensor(np.asarray(value) if not isinstance(value, torch.Tensor) else value,
                                       dtype=self.dtype))
        return self

    def assign_add(self, value) -> "NonTrainableVariable":
        with torch.no_grad():
            self.add_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_sub(self, value) -> "NonTrainableVariable":
        with torch.no_grad():
            self.sub_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def numpy(self) -> np.ndarray:
        return self.detach().cpu().numpy()
