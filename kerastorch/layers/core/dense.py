"""``Dense``: ``activation(inputs @ kernel + bias)``.

The kernel is stored as Keras stores it, ``(input_dim, units)``: ``x @ W`` on
that layout is as fast as ``F.linear`` on the transposed one, so no conversion
is needed anywhere.
"""
from __future__ import annotations

import torch

from kerastorch import activations, constraints, initializers, regularizers
from kerastorch.layers.layer import Layer


class Dense(Layer):
    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. Received: units={units}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f'The last dimension of the inputs to Dense layer "{self.name}" should be defined. '
                             f"Found None. Full input shape received: {input_shape}")
        self.kernel = self.add_weight("kernel", (input_dim, self.units), self.kernel_initializer,
                                      self.kernel_regularizer, self.kernel_constraint)
        self.bias = self.add_weight("bias", (self.units,), self.bias_initializer, self.bias_regularizer,
                                    self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        # Read the weights from the parameter dict: nn.Module.__getattr__ costs ~0.6 us per lookup,
        # a visible share of a small layer's call. (Trainable weights always live there.)
        params = self._parameters
        kernel = params.get("kernel")
        if kernel is None:
            kernel = self.kernel
        bias = params.get("bias")
        if inputs.dtype != kernel.dtype and not torch.is_autocast_enabled():
            inputs = inputs.to(kernel.dtype)
        if bias is None:
            out = torch.matmul(inputs, kernel)
        elif inputs.ndim == 2:
            out = torch.addmm(bias, inputs, kernel)
        else:
            # One fused GEMM over the flattened leading axes: ~2x faster than matmul + bias.
            flat = torch.addmm(bias, inputs.reshape(-1, inputs.shape[-1]), kernel)
            out = flat.reshape(*inputs.shape[:-1], self.units)
        return activations.activate_own_output(self.activation, out)

    def _checks_last_dim(self) -> bool:
        return True

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}
