"""``Variable``: a trainable weight, an ``nn.Parameter`` with Keras's variable API.

Keras 3 custom training steps read ``v.value.grad`` and call ``v.assign(x)``; a
Parameter subclass gives both without copying and stays a plain Parameter for
torch (optimizers, ``state_dict``, ``torch.compile``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from kerastorch import initializers
from kerastorch._core.config import floatx, to_torch_dtype
from kerastorch._core.non_trainable_variable import NonTrainableVariable
from kerastorch._core.scopes import current_path
from kerastorch.ops.core import convert_to_tensor

__all__ = ["Variable", "NonTrainableVariable"]


class Variable(nn.Parameter):
    keras_name: str = "variable"

    def __new__(cls, initializer: Any = None, shape: Any = None, dtype: Any = None, trainable: bool = True,
                autocast: bool = True, aggregation: str = "none", synchronization: str = "auto",
                name: str | None = None, layout: Any = None, *, requires_grad: bool | None = None,
                **kwargs: Any) -> "Variable":
        """``keras.Variable(initializer, shape=None, dtype=None, trainable=True, ..., name=None)``.

        ``initializer`` is a value (array, list, tensor) or an initializer (callable or name such
        as ``"glorot_uniform"``, which needs ``shape``). Without ``dtype`` a value keeps its own
        dtype and an initializer makes ``floatx()``, as in Keras. ``autocast``,
        ``aggregation``, ``synchronization`` and ``layout`` are accepted for compatibility:
        they concern Keras's distributed and mixed-precision machinery, which torch handles
        outside the variable.
        """
        if isinstance(shape, bool) and requires_grad is None:
            # torch's own copies call `type(param)(data, requires_grad)` (Parameter.__deepcopy__).
            requires_grad, shape = shape, None
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to Variable: {kwargs}")
        if initializer is None:
            raise ValueError("`keras.Variable` needs an `initializer`: a value, or an initializer and a `shape`.")
        if isinstance(initializer, str) or (callable(initializer) and not isinstance(initializer, torch.Tensor)):
            if shape is None:
                raise ValueError("When creating a Variable from an initializer, the `shape` argument should be "
                                 f"specified. Received: initializer={initializer!r} and shape={shape}")
            value = initializers.get(initializer)(tuple(shape), dtype=dtype or floatx())
        else:
            value = initializer
        if isinstance(value, torch.Tensor):
            tensor = value.detach()
            if dtype is not None:
                tensor = tensor.to(to_torch_dtype(dtype))
        else:
            # As Keras: without a dtype, a value keeps its own (Python floats -> floatx, ints -> int32,
            # NumPy arrays their dtype).
            tensor = convert_to_tensor(value, dtype=dtype).detach().cpu()
        if shape is not None and tuple(tensor.shape) != tuple(shape):
            raise ValueError(f"Initial value has shape {tuple(tensor.shape)} but the Variable was given "
                             f"shape={tuple(shape)}.")
        if requires_grad is None:
            requires_grad = bool(trainable) and (tensor.is_floating_point() or tensor.is_complex())
        variable = super().__new__(cls, tensor, requires_grad)
        if name is not None:
            scope = current_path()
            variable.keras_name = f"{scope}/{name}" if scope else name
        return variable

    @property
    def value(self) -> "Variable":
        return self

    @property
    def trainable(self) -> bool:
        return self.requires_grad

    @trainable.setter
    def trainable(self, value: bool) -> None:
        # Remembered apart from requires_grad: a weight frozen on its own (LoRA's base kernel) stays
        # frozen when its layer's `trainable` is switched off and on again, as in Keras.
        self._var_trainable = bool(value)
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

    def numpy(self, *, force: bool = False) -> np.ndarray:
        # `force` as torch.Tensor.numpy has it (torch.onnx's dynamo exporter passes it for weights)
        return self.detach().cpu().numpy()
