"""``NonTrainableVariable``: a module buffer with Keras's ``assign`` API.

It lives on the lowest floor because ``keras.random.SeedGenerator`` keeps its state in one (Keras
saves a generator's state with the layer's weights), and ``random`` sits below ``layers``. The
trainable ``Variable`` (an ``nn.Parameter`` built from initializers) stays in ``layers/variable.py``,
which re-exports this class.
"""
from __future__ import annotations

import numpy as np
import torch


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

    def numpy(self, *, force: bool = False) -> np.ndarray:
        # `force` as torch.Tensor.numpy has it (torch.onnx's dynamo exporter passes it for weights)
        return self.detach().cpu().numpy()
