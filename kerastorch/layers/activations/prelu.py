"""``PReLU``: ``relu(x) - alpha * relu(-x)`` with a learned ``alpha``.

``alpha`` has the input's non-batch shape with 1 at ``shared_axes``
(e.g. ``shared_axes=[1, 2]`` on NHWC images gives ``(1, 1, C)``).
"""
from __future__ import annotations

import torch

from kerastorch import constraints, initializers, regularizers
from kerastorch.layers.layer import Layer


class PReLU(Layer):
    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [int(a) for a in shared_axes]
        else:
            self.shared_axes = [int(shared_axes)]
        self.supports_masking = True

    def build(self, input_shape) -> None:
        param_shape = list(input_shape[1:])
        for a in self.shared_axes or ():
            if not 1 <= a <= len(param_shape):
                raise ValueError(f'PReLU "{self.name}": shared axis {a} is out of range for input shape '
                                 f"{tuple(input_shape)} (axes are counted from 1, after the batch axis).")
            param_shape[a - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(f'PReLU "{self.name}" needs known sizes for every non-shared axis; received input shape '
                             f"{tuple(input_shape)}. Pass `shared_axes` for the unknown axes.")
        self.alpha = self.add_weight("alpha", tuple(param_shape), self.alpha_initializer, self.alpha_regularizer,
                                     self.alpha_constraint)
        self.built = True

    def call(self, inputs):
        return torch.relu(inputs) - self.alpha * torch.relu(-inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint), "shared_axes": self.shared_axes}
