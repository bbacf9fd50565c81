"""``BaseConvTranspose``: the N-D transposed convolution of Conv1D/2D/3DTranspose.

Keras's kernel layout is ``(*k, filters, in)``; it is stored in torch's
``conv_transposeNd`` layout ``(in, filters, *k)``. Output sizes and alignment follow
Keras/TensorFlow: per axis the "natural" full output ``(n - 1) * s + k_eff`` is cropped
by ``(k_eff - 1 - pad_before, k_eff - 1 - pad_after)`` (a negative crop extends with
zeros), where

* ``valid``: ``pad_before = k_eff - 1``, ``pad_after = k_eff - 1 + output_padding``
  (``output_padding`` defaults to ``max(k_eff, s) - k_eff``), so the size is
  ``(n - 1) * s + k_eff + output_padding``;
* ``same``: total ``s + k_eff - 2`` (``k_eff + k_eff % 2 - 2 + output_padding`` when
  given), ``pad_before = min(ceil(total / 2), k_eff - 1)``, so the size is ``n * s``
  (``(n - 1) * s + k_eff % 2 + output_padding``).

Symmetric crops go to torch's ``padding``/``output_padding``; the rest is a slice (a view).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

import kerastorch.layers.spatial_utils as spatial_utils
import kerastorch.layers.weight_layouts as weight_layouts
from kerastorch import activations, constraints, initializers, regularizers
from kerastorch.backend.config import standardize_data_format
from kerastorch.layers.file_formats import upgrade_conv_kernel
from kerastorch.layers.layer import Layer

_CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def transpose_crops(kernel: int, stride: int, dilation: int, padding: str, output_padding) -> tuple[int, int]:
    """Keras's ``(crop_before, crop_after)`` of the natural transposed-conv output along one axis."""
    k_eff = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(k_eff, stride) - k_eff if output_padding is None else output_padding
        before, after = k_eff - 1, k_eff - 1 + extra
    else:
        total = stride + k_eff - 2 if output_padding is None else k_eff + k_eff % 2 - 2 + output_padding
        before = min(total // 2 + total % 2, k_eff - 1)
        after = total - before
    return k_eff - 1 - before, k_eff - 1 - after


def transpose_output_length(size, kernel: int, stride: int, dilation: int, padding: str, output_padding):
    if size is None:
        return None
    k_eff = (kernel - 1) * dilation + 1
    before, after = transpose_crops(kernel, stride, dilation, padding, output_padding)
    return (size - 1) * stride + k_eff - before - after


class BaseConvTranspose(Layer):
    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, groups=1, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if groups != 1:  # tf-keras configs carry `groups`; only 1 is supported (as in Keras 3)
            raise ValueError(f"{type(self).__name__} only supports groups=1. Received: groups={groups!r}.")
        self.rank = rank
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly positive integer. "
                             f"Received filters={filters!r}.")
        self.filters = filters
        self.kernel_size = spatial_utils.standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = spatial_utils.standardize_tuple(strides, rank, "strides")
        self.dilation_rate = spatial_utils.standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = spatial_utils.standardize_padding(padding)
        self.output_padding = None if output_padding is None else spatial_utils.standardize_tuple(
            output_padding, rank, "output_padding", allow_zero=True)
        if self.output_padding is not None:
            for op, s in zip(self.output_padding, self.strides):
                if op >= s:
                    raise ValueError(f"`output_padding` must be < `strides`. Received: output_padding="
                                     f"{self.output_padding}, strides={self.strides}")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                             f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._channel_axis = spatial_utils.channel_axis(self.data_format)
        self._conv_transpose = _CONV_TRANSPOSE[rank]
        self._torch_args = self._plan()

    def _plan(self):
        """Torch ``padding``/``output_padding`` plus the remaining per-axis (before, after) crops."""
        padding, output_padding, crops = [], [], []
        for i in range(self.rank):
            s, d = self.strides[i], self.dilation_rate[i]
            op = None if self.output_padding is None else self.output_padding[i]
            before, after = transpose_crops(self.kernel_size[i], s, d, self.padding, op)
            p = max(0, min(before, after))
            before, after = before - p, after - p
            extra = 0
            if after < 0 and -after < max(s, d):  # torch's output_padding must be < stride or dilation
                extra, after = -after, 0
            padding.append(p)
            output_padding.append(extra)
            crops.append((before, after))
        return tuple(padding), tuple(output_padding), crops

    def build(self, input_shape) -> None:
        spatial_utils.check_ndim(self, input_shape, self.rank + 2)
        in_channels = input_shape[self._channel_axis]
        if in_channels is None:
            raise ValueError(f'The channel dimension of the inputs to {type(self).__name__} layer "{self.name}" '
                             f"should be defined. Found None. Full input shape received: {tuple(input_shape)}")
        self._in_channels = in_channels
        self.kernel = self.add_weight("kernel", self.kernel_size + (self.filters, in_channels),
                                      self.kernel_initializer, self.kernel_regularizer, self.kernel_constraint)
        self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer, self.bias_regularizer,
                                    self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.ndim != self.rank + 2:
            spatial_utils.check_ndim(self, tuple(inputs.shape), self.rank + 2)
        spatial_utils.check_axis(self, inputs.shape, self._channel_axis, self._in_channels)
        x = spatial_utils.cast_input(inputs, self.kernel.dtype)
        if self.data_format == "channels_last":
            x = spatial_utils.to_channels_first(x)
        padding, output_padding, crops = self._torch_args
        needs_zeros = any(b < 0 or a < 0 for b, a in crops)
        y = self._conv_transpose(x, self.kernel, None if needs_zeros else self.bias, self.strides, padding,
                                 output_padding, 1, self.dilation_rate)
        for axis, (before, after) in enumerate(crops, start=2):
            if before > 0 or after > 0:
                y = y.narrow(axis, max(before, 0), y.shape[axis] - max(before, 0) - max(after, 0))
        if needs_zeros:
            y = spatial_utils.pad_spatial(y, [(max(-b, 0), max(-a, 0)) for b, a in crops])
            if self.bias is not None:
                y = y + self.bias.view(-1, *([1] * self.rank))
        if self.data_format == "channels_last":
            y = spatial_utils.to_channels_last(y)
        return activations.activate_own_output(self.activation, y)

    def _weight_from_keras(self, attr: str, value: torch.Tensor) -> torch.Tensor:
        return weight_layouts.conv_transpose_kernel_to_torch(value) if attr == "kernel" else value

    def _weight_to_keras(self, attr: str, value: torch.Tensor) -> torch.Tensor:
        return weight_layouts.conv_transpose_kernel_to_keras(value) if attr == "kernel" else value

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "output_padding": self.output_padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}

    def _upgrade_legacy_weights(self, arrays: list, keras_version: str | None, backend: str | None) -> list:
        """Kernels stored in an old axis order, and Theano's flipped kernels."""
        return upgrade_conv_kernel(self, arrays, backend, transpose_conv=True)
