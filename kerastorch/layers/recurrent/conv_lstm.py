"""``ConvLSTMCell`` and the ``ConvLSTM`` base of ConvLSTM1D/2D/3D.

An LSTM whose input and recurrent transforms are convolutions. Keras layout:
``kernel (*kernel_size, in, 4f)``, ``recurrent_kernel (*kernel_size, f, 4f)``,
``bias (4f,)``, gates i, f, c, o. The input convolution runs once over all timesteps
(batch and time folded together); the loop only runs the recurrent ``same`` convolution.
The default ``recurrent_activation`` is Keras 3's ``"sigmoid"`` (tf-keras used
``"hard_sigmoid"``, i.e. ``activations.hard_sigmoid_keras2``).
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

import kerastorch.layers.recurrent.cell_utils as cell_utils
import kerastorch.layers.recurrent.fused as fused
from kerastorch import activations, constraints, initializers, regularizers
from kerastorch.backend import config as backend_config
from kerastorch.layers.file_formats import fit_kernel, flip_spatial, keras_shapes, merge_keras1_gates
from kerastorch.layers.layer import Layer
from kerastorch.layers.recurrent.dropout_rnn_cell import DropoutRNNCell
from kerastorch.layers.recurrent.rnn import RNN

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _tuple(value, rank: int, name: str) -> tuple:
    if isinstance(value, int):
        return (value,) * rank
    value = tuple(int(v) for v in value)
    if len(value) != rank:
        raise ValueError(f"The `{name}` argument must be a tuple of {rank} integers. Received: {name}={value}")
    return value


class ConvLSTMCell(DropoutRNNCell, Layer):
    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        if rank not in (1, 2, 3):
            raise ValueError(f"Rank {rank} convolutions are not currently implemented. Received: rank={rank}")
        self.rank = rank
        self.filters = int(filters)
        self.kernel_size = _tuple(kernel_size, rank, "kernel_size")
        self.strides = _tuple(strides, rank, "strides")
        self.padding = str(padding).lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"The `padding` argument must be 'valid' or 'same'. Received: padding={padding!r}")
        self.data_format = backend_config.standardize_data_format(data_format)
        self.dilation_rate = _tuple(dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("Specifying `strides > 1` is not compatible with `dilation_rate > 1`. Received: "
                             f"strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.dropout_mask_count = 4
        self._init_seed(seed)
        self._step_ndim = rank + 2
        self.state_size = -1  # defined by the spatial output shape (see get_initial_state)

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        if self.data_format == "channels_first":
            channels, spatial = input_shape[1], input_shape[2:]
        else:
            channels, spatial = input_shape[-1], input_shape[1:-1]
        if None in spatial:
            raise ValueError("ConvLSTM layers only support static input shapes for the spatial dimension. "
                             f"Received invalid input shape: input_shape={input_shape}")
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found None. Full input "
                             f"shape received: input_shape={input_shape}")
        self.spatial_dims = tuple(spatial)
        self.input_dim = channels
        f = self.filters
        self.kernel = self.add_weight("kernel", self.kernel_size + (channels, 4 * f), self.kernel_initializer,
                                      self.kernel_regularizer, self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", self.kernel_size + (f, 4 * f),
                                                self.recurrent_initializer, self.recurrent_regularizer,
                                                self.recurrent_constraint)
        if self.use_bias:
            if self.unit_forget_bias:
                base = self.bias_initializer

                def bias_initializer(shape, dtype=None):
                    ones = initializers.get("ones")
                    parts = [base((f,), dtype=dtype), ones((f,), dtype=dtype), base((2 * f,), dtype=dtype)]
                    return torch.cat([torch.as_tensor(p) for p in parts])
            else:
                bias_initializer = self.bias_initializer
            self.bias = self.add_weight("bias", (4 * f,), bias_initializer, self.bias_regularizer,
                                        self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    # ---------------------------------------------------------------- convs
    def _torch_kernel(self, w: torch.Tensor) -> torch.Tensor:
        """Keras ``(*k, in, out)`` -> torch ``(out, in, *k)``."""
        r = self.rank
        return w.permute(r + 1, r, *range(r))

    def _same_pads(self, spatial, strides, dilation) -> list:
        pads = []
        for size, k, s, d in zip(spatial, self.kernel_size, strides, dilation):
            out = math.ceil(size / s)
            total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
            pads.append((total // 2, total - total // 2))
        flat = []
        for left, right in reversed(pads):  # F.pad wants the last dimension first
            flat += [left, right]
        return flat

    def _conv(self, x, w, b, strides, padding, dilation):
        """Convolution in the layer's data format over a batch with any number of leading dims."""
        lead = x.shape[:x.ndim - self.rank - 1]
        x = x.reshape(-1, *x.shape[len(lead):])
        if self.data_format == "channels_last":
            x = x.movedim(-1, 1)
        if padding == "same":
            pads = self._same_pads(x.shape[2:], strides, dilation)
            if any(pads):
                x = F.pad(x, pads)
        out = _CONV[self.rank](x, self._torch_kernel(w), b, stride=strides, dilation=dilation)
        if self.data_format == "channels_last":
            out = out.movedim(1, -1)
        return out.reshape(*lead, *out.shape[1:])

    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else -(self.rank + 1)

    # ----------------------------------------------------------------- step
    def _input_projection(self, x: torch.Tensor, training=False) -> torch.Tensor:
        self._act = fused.fast_activation(self.activation)
        self._rec_act = fused.fast_activation(self.recurrent_activation)
        if x.dtype != self.kernel.dtype:
            x = x.to(self.kernel.dtype)
        dp = None
        if training and 0.0 < self.dropout < 1.0:
            dp = self.get_dropout_mask(x if x.ndim == self._step_ndim else x[0])
        if dp is None:
            return self._conv(x, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate)
        kernels = torch.chunk(self.kernel, 4, dim=-1)
        biases = torch.chunk(self.bias, 4) if self.bias is not None else (None,) * 4
        return torch.cat([self._conv(x * m, k, b, self.strides, self.padding, self.dilation_rate)
                          for m, k, b in zip(dp, kernels, biases)], dim=self._channel_axis)

    def _recurrent_step(self, z_x: torch.Tensor, states, training=False):
        h, c = states[0], states[1]
        ones = (1,) * self.rank
        rdp = None
        if training and 0.0 < self.recurrent_dropout < 1.0:
            rdp = self.get_recurrent_dropout_mask(h)
        if rdp is None:
            z_h = self._conv(h, self.recurrent_kernel, None, ones, "same", ones)
        else:
            z_h = torch.cat([self._conv(h * m, k, None, ones, "same", ones)
                             for m, k in zip(rdp, torch.chunk(self.recurrent_kernel, 4, dim=-1))],
                            dim=self._channel_axis)
        i, f, g, o = torch.chunk(z_x + z_h, 4, dim=self._channel_axis)
        ra, a = self._rec_act, self._act
        c = ra(f) * c + ra(i) * a(g)
        h = ra(o) * a(c)
        return h, [h, c]

    def call(self, inputs, states, training=False):
        return self._recurrent_step(self._input_projection(inputs, training), list(states), training)

    def _output_spatial(self) -> tuple:
        out = []
        for size, k, s, d in zip(self.spatial_dims, self.kernel_size, self.strides, self.dilation_rate):
            if self.padding == "same":
                out.append(math.ceil(size / s))
            else:
                out.append((size - (k - 1) * d - 1) // s + 1)
        return tuple(out)

    def get_initial_state(self, batch_size=None):
        spatial = self._output_spatial()
        shape = ((batch_size,) + spatial + (self.filters,) if self.data_format == "channels_last"
                 else (batch_size, self.filters) + spatial)
        return [torch.zeros(shape, dtype=self.kernel.dtype, device=self.kernel.device) for _ in range(2)]

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias, "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "unit_forget_bias": self.unit_forget_bias,
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return cls(**config)


_CONV_KEYS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate")


@cell_utils.delegate("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                     "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                     "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
                     "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                     "bias_constraint", "dropout", "recurrent_dropout")
class ConvLSTM(RNN):
    """N-D convolutional LSTM; use ConvLSTM1D / ConvLSTM2D / ConvLSTM3D."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        cell = ConvLSTMCell(rank, filters, kernel_size, strides=strides, padding=padding,
                            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                            recurrent_activation=recurrent_activation, use_bias=use_bias,
                            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
                            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                            name="conv_lstm_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self._expected_ndim = rank + 3

    @property
    def state_size(self) -> list:
        return [-1, -1]

    def get_config(self) -> dict:
        cfg = dict(super().get_config())
        cfg.pop("cell", None)
        cell_cfg = self.cell.get_config()
        for key in _CONV_KEYS + cell_utils.CELL_KEYS:
            if key in cell_cfg:
                cfg[key] = cell_cfg[key]
        cfg["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return cfg

    def _upgrade_legacy_weights(self, arrays: list, keras_version: str | None, backend: str | None) -> list:
        """Keras 1's per-gate arrays, channels-first kernels, and Theano's flipped kernels."""
        if len(arrays) == 12:
            arrays = merge_keras1_gates(arrays, order=(0, 2, 1, 3))
        arrays = list(arrays)
        shapes = keras_shapes(self)
        for i in (0, 1):
            if i < len(arrays) and i < len(shapes):
                arrays[i] = fit_kernel(np.asarray(arrays[i]), shapes[i])
                if backend == "theano":
                    arrays[i] = flip_spatial(arrays[i])
        return arrays
