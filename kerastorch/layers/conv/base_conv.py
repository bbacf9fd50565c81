"""``BaseConv``: the N-D convolution shared by Conv1D/Conv2D/Conv3D.

The kernel is stored in torch layout ``(filters, in/groups, *k)``; ``get_weights``
shows Keras's ``(*k, in/groups, filters)``. channels_last inputs are permuted to
channels-first views (no copy; torch convolutions run channels_last-strided
tensors natively) and the output is permuted back.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

import kerastorch.layers.spatial_utils as spatial_utils
import kerastorch.layers.weight_layouts as weight_layouts
from kerastorch import activations, constraints, initializers, regularizers
from kerastorch.backend.config import standardize_data_format
from kerastorch.layers.core.lora import LoRAMixin
from kerastorch.layers.file_formats import upgrade_conv_kernel
from kerastorch.layers.layer import Layer

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


class BaseConv(LoRAMixin, Layer):
    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly positive integer. "
                             f"Received filters={filters!r}.")
        self.filters = filters
        self.kernel_size = spatial_utils.standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = spatial_utils.standardize_tuple(strides, rank, "strides")
        self.dilation_rate = spatial_utils.standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = spatial_utils.standardize_padding(padding, allow_causal=rank == 1)
        self.data_format = standardize_data_format(data_format)
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"The number of groups must be a positive integer. Received: groups={groups!r}.")
        if filters % groups != 0:
            raise ValueError("The number of filters must be evenly divisible by the number of groups. "
                             f"Received: groups={groups}, filters={filters}.")
        self.groups = groups
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                             f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._channel_axis = spatial_utils.channel_axis(self.data_format)
        self._conv = _CONV[rank]
        self._init_lora(lora_rank, lora_alpha)

    def build(self, input_shape) -> None:
        spatial_utils.check_ndim(self, input_shape, self.rank + 2)
        in_channels = input_shape[self._channel_axis]
        if in_channels is None:
            raise ValueError(f'The channel dimension of the inputs to {type(self).__name__} layer "{self.name}" '
                             f"should be defined. Found None. Full input shape received: {tuple(input_shape)}")
        if in_channels % self.groups != 0:
            raise ValueError("The number of input channels must be evenly divisible by the number of groups. "
                             f"Received groups={self.groups}, but the input has {in_channels} channels (full "
                             f"input shape is {tuple(input_shape)}).")
        self._check_output_size(input_shape)
        self._in_channels = in_channels
        self.kernel = self.add_weight("kernel", self.kernel_size + (in_channels // self.groups, self.filters),
                                      self.kernel_initializer, self.kernel_regularizer, self.kernel_constraint)
        self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer, self.bias_regularizer,
                                    self.bias_constraint) if self.use_bias else None
        self.built = True
        if self.lora_rank:
            self.enable_lora(self.lora_rank, lora_alpha=self.lora_alpha)

    def _check_output_size(self, input_shape) -> None:
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        for size, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate):
            out = spatial_utils.conv_output_length(size, k, self.padding, s, d)
            if out is not None and out <= 0:
                raise ValueError(f'Computed output size of layer "{self.name}" would be zero or negative: the '
                                 f"input shape {tuple(input_shape)} is too small for kernel_size="
                                 f"{self.kernel_size} with dilation_rate={self.dilation_rate} and "
                                 f"padding={self.padding!r}.")

    def _check_call_input(self, inputs: torch.Tensor) -> None:
        if inputs.ndim != self.rank + 2:
            spatial_utils.check_ndim(self, tuple(inputs.shape), self.rank + 2)
        spatial_utils.check_axis(self, inputs.shape, self._channel_axis, self._in_channels)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        self._check_call_input(inputs)
        kernel = self._lora_weight() if self.lora_enabled else self.kernel
        x = spatial_utils.cast_input(inputs, kernel.dtype)
        if self.data_format == "channels_last":
            x = spatial_utils.to_channels_first(x)
        x, pad = spatial_utils.conv_padding(x, self.padding, self.kernel_size, self.strides, self.dilation_rate)
        kernel = spatial_utils.kernel_for_input(x, kernel)
        y = self._conv(x, kernel, self.bias, self.strides, pad, self.dilation_rate, self.groups)
        if self.data_format == "channels_last":
            y = spatial_utils.to_channels_last(y)
        return activations.activate_own_output(self.activation, y)

    def _weight_from_keras(self, attr: str, value: torch.Tensor) -> torch.Tensor:
        return weight_layouts.conv_kernel_to_torch(value) if attr == "kernel" else value

    def _weight_to_keras(self, attr: str, value: torch.Tensor) -> torch.Tensor:
        return weight_layouts.conv_kernel_to_keras(value) if attr == "kernel" else value

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint), **self._lora_config()}

    def _upgrade_legacy_weights(self, arrays: list, keras_version: str | None, backend: str | None) -> list:
        """Kernels stored Theano-style or channels-first by Keras 1, and Theano's flipped kernels."""
        return upgrade_conv_kernel(self, arrays, backend)
