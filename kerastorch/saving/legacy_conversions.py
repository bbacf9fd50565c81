"""Weight arrays of old Keras files converted to today's Keras layout, keyed by class name.

Everything here works on numpy arrays in Keras order and Keras shapes (what
``get_weights``/``set_weights`` speak); the saving code never sees a layer's
internal torch layout. Conversions are chosen from the arrays' count and
shapes, compared with the shapes the target layer expects, so they also work on
files whose version attributes are missing or wrong:

* Keras 1 LSTM / ConvLSTM2D: 12 arrays ``W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o``
  (gate order i, c, f, o) -> kernel, recurrent_kernel, bias with gates i, f, c, o.
* Keras 1 GRU: 9 arrays (gates z, r, h) -> 3.
* CuDNNLSTM / CuDNNGRU: bias of 2 x 4u (2 x 3u) values and input kernels in CuDNN's
  per-gate Fortran layout -> LSTM / GRU(reset_after=True).
* Convolution kernels stored Theano-style / channels_first in Keras 1
  ``(filters, in, *kernel)`` -> ``(*kernel, in, filters)``; kernels written by the
  Theano backend are flipped spatially (Theano convolves, TensorFlow correlates).
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np


class Target(NamedTuple):
    """What a converter needs to know about the layer receiving the arrays."""
    class_name: str
    config: dict
    shapes: list


def target_of(layer) -> Target:
    """``Target`` for a live kerastorch layer."""
    try:
        config = layer.get_config()
    except Exception:  # noqa: BLE001 - a layer without a config still has weights
        config = {}
    return Target(type(layer).__name__, config if isinstance(config, dict) else {},
                  [tuple(w.shape) for w in layer.get_weights()])


def convert(layer, arrays: list, keras_version: str | None = None, backend: str | None = None) -> list:
    """Arrays from a legacy file (in Keras order) converted for ``layer``."""
    return _convert(layer, target_of(layer), list(arrays), keras_version, backend)


def _convert(layer, target: Target, arrays: list, version, backend) -> list:
    name = target.class_name
    if name == "Bidirectional":
        half_file = len(arrays) // 2
        half_expected = len(target.shapes) // 2
        parts = []
        for i, attr in enumerate(("forward_layer", "backward_layer")):
            sub = getattr(layer, attr, None) if layer is not None else None
            chunk = arrays[:half_file] if i == 0 else arrays[half_file:]
            if sub is not None and hasattr(sub, "get_weights"):
                parts += _convert(sub, target_of(sub), chunk, version, backend)
            else:
                inner = target.config.get("layer") or {}
                sub_target = Target(inner.get("class_name", ""), inner.get("config") or {},
                                    target.shapes[:half_expected] if i == 0 else target.shapes[half_expected:])
                parts += _convert(None, sub_target, chunk, version, backend)
        return parts
    if name == "TimeDistributed":
        sub = getattr(layer, "layer", None) if layer is not None else None
        if sub is not None and hasattr(sub, "get_weights"):
            return _convert(sub, target_of(sub), arrays, version, backend)
        inner = target.config.get("layer") or {}
        return _convert(None, Target(inner.get("class_name", ""), inner.get("config") or {}, target.shapes),
                        arrays, version, backend)
    if layer is not None and _is_container(layer) and len(arrays) == len(target.shapes):
        out, pos = [], 0
        for sub in _sublayers(layer):
            n = len(sub.get_weights())
            if n:
                out += _convert(sub, target_of(sub), arrays[pos:pos + n], version, backend)
                pos += n
        return out + arrays[pos:]
    fn = CONVERTERS.get(_base_class_name(name))
    if fn is None:
        return arrays
    return fn(arrays, target, version, backend)


def _is_container(layer) -> bool:
    from kerastorch.models.model import Model
    return isinstance(layer, Model)


def _sublayers(model) -> list:
    return [layer for layer in model.layers if hasattr(layer, "get_weights")]


def _base_class_name(name: str) -> str:
    return {"CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU"}.get(name, name)


# --------------------------------------------------------------------- recurrent layers
def _transform_kernels(kernels: np.ndarray, func, n_gates: int) -> np.ndarray:
    return np.hstack([func(k) for k in np.hsplit(kernels, n_gates)])


def _cudnn_input_transform(kernel: np.ndarray) -> np.ndarray:
    # CuDNN keeps each gate's input kernel in Fortran order: same shape, transposed layout.
    return kernel.T.reshape(kernel.shape, order="F")


def _keras1_gates(arrays: list, order=(0, 2, 1, 3)) -> list:
    """Merge per-gate arrays ``[W, U, b] * n_gates`` into 3, reordering the gates."""
    n = len(arrays) // 3
    groups = [arrays[3 * g:3 * g + 3] for g in range(n)]
    groups = [groups[i] for i in order[:n]]
    return [np.concatenate([g[j] for g in groups], axis=-1) for j in range(3)]


def convert_lstm(arrays: list, target: Target, version=None, backend=None) -> list:
    if len(arrays) == 12:  # Keras 1: gates i, c, f, o
        arrays = _keras1_gates(arrays, order=(0, 2, 1, 3))
    if len(arrays) == 3:
        units = arrays[1].shape[0]
        if tuple(arrays[2].shape) == (8 * units,):  # CuDNNLSTM: input and recurrent biases
            kernel = _transform_kernels(arrays[0], _cudnn_input_transform, 4)
            recurrent = _transform_kernels(arrays[1], lambda k: k.T, 4)
            bias = np.sum(np.split(arrays[2], 2, axis=0), axis=0)
            arrays = [kernel, recurrent, bias]
        elif arrays[2].ndim == 1 and arrays[2].shape[0] != 4 * units:
            raise ValueError(f"Invalid LSTM bias shape {arrays[2].shape} for {units} units: expected "
                             f"({4 * units},) (or ({8 * units},) from CuDNNLSTM).")
    return arrays


def convert_gru(arrays: list, target: Target, version=None, backend=None) -> list:
    if len(arrays) == 9:  # Keras 1: gates z, r, h
        arrays = _keras1_gates(arrays, order=(0, 1, 2))
    if len(arrays) != 3:
        return arrays
    units = arrays[1].shape[0]
    bias_shape = tuple(arrays[2].shape)
    if bias_shape == (6 * units,):
        source = "CuDNNGRU"
    elif bias_shape == (2, 3 * units):
        source = "GRU(reset_after=True)"
    elif bias_shape == (3 * units,):
        source = "GRU(reset_after=False)"
    else:
        raise ValueError(f"Invalid GRU bias shape {bias_shape} for {units} units.")
    reset_after = target.config.get("reset_after")
    if reset_after is None and len(target.shapes) == 3:
        reset_after = len(target.shapes[2]) == 2
    wanted = "GRU(reset_after=True)" if reset_after in (True, None) else "GRU(reset_after=False)"
    if source == wanted:
        return arrays
    if "GRU(reset_after=False)" in (source, wanted):
        raise ValueError(f"{source} weights are not compatible with {wanted}: the reset gate is applied "
                         "at a different place. Rebuild the layer with the matching `reset_after`.")
    kernel = _transform_kernels(arrays[0], _cudnn_input_transform, 3)
    recurrent = _transform_kernels(arrays[1], lambda k: k.T, 3)
    bias = np.asarray(arrays[2]).reshape((2, -1))
    return [kernel, recurrent, bias]


# --------------------------------------------------------------------- convolutions
def _fit_kernel(kernel: np.ndarray, expected: tuple, transpose_conv: bool = False) -> np.ndarray:
    """``kernel`` transposed into ``expected`` when it is stored in an old layout."""
    if tuple(kernel.shape) == tuple(expected):
        return kernel
    n = len(expected)
    if kernel.ndim == n + 1 and kernel.shape[-1] == 1 and n == 3:
        # Keras 1 Conv1D: (filters, input_dim, filter_length, 1)
        candidate = np.transpose(kernel, (2, 3, 1, 0))[:, 0, :, :]
        if candidate.shape == tuple(expected):
            return candidate
    if kernel.ndim != n:
        return kernel
    spatial = tuple(range(2, n))
    perms = []
    if transpose_conv:
        perms += [spatial + (0, 1), tuple(range(n - 2)) + (n - 1, n - 2)]
    perms += [spatial + (1, 0)]  # (filters, in, *k) -> (*k, in, filters): Theano / channels_first
    if n == 4:
        perms.append((3, 2, 0, 1))  # what tf-keras tries on any mismatch
    for perm in perms:
        if tuple(kernel.shape[i] for i in perm) == tuple(expected):
            return np.transpose(kernel, perm)
    return kernel


def _flip_spatial(kernel: np.ndarray) -> np.ndarray:
    """Theano's convolution kernels are flipped compared with TensorFlow's correlation."""
    slices = [slice(None, None, -1)] * (kernel.ndim - 2) + [slice(None), slice(None)]
    return np.ascontiguousarray(kernel[tuple(slices)])


def convert_conv(arrays: list, target: Target, version=None, backend=None) -> list:
    if not arrays or not target.shapes:
        return arrays
    arrays = list(arrays)
    transpose_conv = target.class_name.endswith("Transpose")
    arrays[0] = _fit_kernel(np.asarray(arrays[0]), target.shapes[0], transpose_conv)
    if backend == "theano" and target.class_name in _THEANO_FLIP:
        arrays[0] = _flip_spatial(arrays[0])
    return arrays


def convert_conv_lstm(arrays: list, target: Target, version=None, backend=None) -> list:
    if len(arrays) == 12:
        arrays = _keras1_gates(arrays, order=(0, 2, 1, 3))
    arrays = list(arrays)
    for i in (0, 1):
        if i < len(arrays) and i < len(target.shapes):
            arrays[i] = _fit_kernel(np.asarray(arrays[i]), target.shapes[i])
            if backend == "theano":
                arrays[i] = _flip_spatial(arrays[i])
    return arrays


_THEANO_FLIP = {"Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "Conv1DTranspose", "Conv3DTranspose"}

CONVERTERS: dict[str, Any] = {
    "LSTM": convert_lstm,
    "GRU": convert_gru,
    "Conv1D": convert_conv, "Conv2D": convert_conv, "Conv3D": convert_conv,
    "Conv1DTranspose": convert_conv, "Conv2DTranspose": convert_conv, "Conv3DTranspose": convert_conv,
    "ConvLSTM1D": convert_conv_lstm, "ConvLSTM2D": convert_conv_lstm, "ConvLSTM3D": convert_conv_lstm,
}
