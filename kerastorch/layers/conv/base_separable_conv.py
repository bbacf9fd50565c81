"""``BaseSeparableConv``: a depthwise convolution followed by a pointwise (1x1) one.

Keras weights: ``depthwise_kernel (*k, in, mult)``, ``pointwise_kernel (1,..., in*mult,
filters)``, ``bias (filters,)``; stored as torch grouped-conv/conv weights. Strides,
padding and dilation apply to the depthwise step, as in Keras.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

import kerastorch.layers.spatial_utils as spatial_utils
import kerastorch.layers.weight_layouts as weight_layouts
from kerastorch import activations, constraints, initializers, regularizers
from kerastorch.backend.config import standardize_data_format
from kerastorch.layers.layer import Layer

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
# Keys that tf-keras writes into separable-conv configs (inherited from its Conv base); ignored.
_LEGACY_KEYS = ("groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint")


class BaseSeparableConv(Layer):
    def __init__(self, rank: int, depth_multiplier: int = 1, filters: int | None = None, kernel_size=3,
                 strides=1, padding="valid", data_format=None, dilation_rate=1, activation=None,
                 use_bias=True, depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        groups = kwargs.get("groups", 1)
        if groups not in (1, None):
            raise ValueError(f"{type(self).__name__} only supports groups=1. Received: groups={groups!r}.")
        for key in _LEGACY_KEYS:
            kwargs.pop(key, None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        if not isinstance(depth_multiplier, int) or isinstance(depth_multiplier, bool) or depth_multiplier <= 0:
            raise ValueError("Invalid value for argument `depth_multiplier`. Expected a strictly positive "
                             f"integer. Received depth_multiplier={depth_multiplier!r}.")
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly positive integer. "
                             f"Received filters={filters!r}.")
        self.depth_multiplier = depth_multiplier
        self.filters = filters
        self.kernel_size = spatial_utils.standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = spatial_utils.standardize_tuple(strides, rank, "strides")
        self.dilation_rate = spatial_utils.standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = spatial_utils.standardize_padding(padding, allow_causal=rank == 1)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                             f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._channel_axis = spatial_utils.channel_axis(self.data_format)
        self._conv = _CONV[rank]

    def build(self, input_shape) -> None:
        spatial_utils.check_ndim(self, input_shape, self.rank + 2)
        in_channels = input_shape[self._channel_axis]
        if in_channels is None:
            raise ValueError(f'The channel dimension of the inputs to {type(self).__name__} layer "{self.name}" '
                             f"should be defined. Found None. Full input shape received: {tuple(input_shape)}")
        self._in_channels = in_channels
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (in_channels, self.depth_multiplier),
            self.depthwise_initializer, self.depthwise_regularizer, self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1,) * self.rank + (in_channels * self.depth_multiplier, self.filters),
            self.pointwise_initializer, self.pointwise_regularizer, self.pointwise_constraint)
        self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer, self.bias_regularizer,
                                    self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.ndim != self.rank + 2:
            spatial_utils.check_ndim(self, tuple(inputs.shape), self.rank + 2)
        spatial_utils.check_axis(self, inputs.shape, self._channel_axis, self._in_channels)
        x = spatial_utils.cast_input(inputs, self.depthwise_kernel.dtype)
        if self.data_format == "channels_last":
            x = spatial_utils.to_channels_first(x)
        x, pad = spatial_utils.conv_padding(x, self.padding, self.kernel_size, self.strides, self.dilation_rate)
        y = self._conv(x, self.depthwise_kernel, None, self.strides, pad, self.dilation_rate, self._in_channels)
        y = self._conv(y, self.pointwise_kernel, self.bias)
        if self.data_format == "channels_last":
            y = spatial_utils.to_channels_last(y)
        return activations.activate_own_output(self.activation, y)

    def _weight_from_keras(self, attr: str, value: torch.Tensor) -> torch.Tensor:
        if attr == "depthwise_kernel":
            return weight_layouts.depthwise_kernel_to_torch(value)
        if attr == "pointwise_kernel":
            return weight_layouts.conv_kernel_to_torch(value)
        return value

    def _weight_to_keras(self, attr: str, value: torch.Tensor) -> torch.Tensor:
        if attr == "depthwise_kernel":
            return weight_layouts.depthwise_kernel_to_keras(value, self.depth_multiplier)
        if attr == "pointwise_kernel":
            return weight_layouts.conv_kernel_to_keras(value)
        return value

    def get_config(self) -> dict:
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier, "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
                "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
                "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}
