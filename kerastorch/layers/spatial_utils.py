"""Argument checks, TensorFlow-style padding arithmetic and layout permutes shared by
the convolution, pooling and reshaping layers.

"same" padding follows TensorFlow: the output length is ``ceil(n / stride)`` and the
total padding ``max((out - 1) * stride + k_eff - n, 0)`` is split with the extra
element at the end.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F


# ----------------------------------------------------------------- arguments
def standardize_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple[int, ...]:
    """An int or an iterable of ``n`` ints as a tuple of ``n`` ints."""
    if isinstance(value, bool):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {name}={value!r}")
    if isinstance(value, int):
        out = (value,) * n
    else:
        try:
            out = tuple(value)
        except TypeError:
            raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                             f"Received: {name}={value!r}") from None
        if len(out) != n or not all(isinstance(v, int) and not isinstance(v, bool) for v in out):
            raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {name}={value!r}")
    lowest = 0 if allow_zero else 1
    if any(v < lowest for v in out):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers >= {lowest}. "
                         f"Received: {name}={value!r}")
    return out


def standardize_padding(padding, allow_causal: bool = False) -> str:
    if not isinstance(padding, str):
        raise ValueError(f"The `padding` argument must be a string. Received: padding={padding!r}")
    value = padding.lower()
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if value not in allowed:
        raise ValueError(f"The `padding` argument must be one of {list(allowed)}. Received: padding={padding!r}")
    return value


def check_ndim(layer, shape, ndim: int) -> None:
    """Keras's input-spec error for a wrong input rank."""
    if shape is None or len(shape) != ndim:
        found = None if shape is None else len(shape)
        shape = None if shape is None else tuple(shape)
        raise ValueError(f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected '
                         f"ndim={ndim}, found ndim={found}. Full shape received: {shape}")


def check_axis(layer, shape, axis: int, expected) -> None:
    """Keras's input-spec error for a wrong size of a fixed axis (e.g. channels)."""
    if expected is not None and shape[axis] != expected:
        raise ValueError(f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected axis '
                         f"{axis} of input shape to have value {expected}, but received input with shape "
                         f"{tuple(shape)}")


def channel_axis(data_format: str) -> int:
    return -1 if data_format == "channels_last" else 1


# ------------------------------------------------------------------- padding
def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow "same" padding ``(before, after)`` along one axis."""
    k_eff = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + k_eff - size, 0)
    return total // 2, total - total // 2


def conv_output_length(size, kernel: int, padding: str, stride: int, dilation: int = 1):
    """Output length of a convolution/pooling along one axis (None stays None)."""
    if size is None:
        return None
    k_eff = (kernel - 1) * dilation + 1
    if padding == "same":
        return -(-size // stride)
    if padding == "causal":
        return (size - 1) // stride + 1
    return (size - k_eff) // stride + 1 if size >= k_eff else 0


def spatial_padding(spatial: Sequence[int], kernel: Sequence[int], strides: Sequence[int],
                    dilation: Sequence[int] | None = None) -> list[tuple[int, int]]:
    dilation = dilation or (1,) * len(spatial)
    return [same_padding(n, k, s, d) for n, k, s, d in zip(spatial, kernel, strides, dilation)]


def pad_spatial(x: torch.Tensor, pads: Sequence[tuple[int, int]], value: float = 0.0) -> torch.Tensor:
    """``F.pad`` the trailing spatial axes of a channels-first tensor by ``(before, after)`` pairs."""
    flat = []
    for before, after in reversed(list(pads)):
        flat.extend((before, after))
    return F.pad(x, flat, value=value)


# -------------------------------------------------------------------- layout
def to_channels_first(x: torch.Tensor) -> torch.Tensor:
    """``(N, *spatial, C)`` -> ``(N, C, *spatial)`` as a view (channels_last strided)."""
    return x.permute(0, x.ndim - 1, *range(1, x.ndim - 1))


def to_channels_last(x: torch.Tensor) -> torch.Tensor:
    """``(N, C, *spatial)`` -> ``(N, *spatial, C)`` as a view."""
    return x.permute(0, *range(2, x.ndim), 1)


def cast_input(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Cast layer inputs to the weights' dtype (Keras autocasts inputs), except under autocast."""
    if x.dtype != dtype and not torch.is_autocast_enabled():
        return x.to(dtype)
    return x


def conv_padding(x: torch.Tensor, padding: str, kernel: Sequence[int], strides: Sequence[int],
                 dilation: Sequence[int]):
    """``(x, torch_padding)`` for ``F.convNd`` on a channels-first ``x``, TensorFlow semantics.

    Symmetric "same" padding goes to torch's own ``padding`` argument (no copy); asymmetric padding
    (odd total, e.g. even kernels or strides > 1) is applied explicitly with the extra element at
    the end (torch's ``padding="same"`` would make the same copy internally, with a warning).
    """
    if padding == "valid":
        return x, 0
    if padding == "causal":
        left = (kernel[0] - 1) * dilation[0]
        return pad_spatial(x, [(left, 0)] + [(0, 0)] * (len(kernel) - 1)), 0
    pads = spatial_padding(x.shape[2:], kernel, strides, dilation)
    if all(before == after for before, after in pads):
        return x, tuple(before for before, _ in pads)
    return pad_spatial(x, pads), 0


def kernel_for_input(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """On CUDA, a channels_last copy of a 2D/3D conv kernel when ``x`` is channels_last-strided.

    cuDNN picks faster NHWC kernels when input and weight agree (3x3, 32->64 channels, batch 128 at
    28x28, fwd+bwd on an H200: 0.50 -> 0.37 ms); the weight copy is tiny. On CPU (oneDNN) a
    channels_last weight is slower, so the kernel is returned as is there.
    """
    if not kernel.is_cuda or kernel.ndim not in (4, 5) or x.ndim != kernel.ndim:
        return kernel
    fmt = torch.channels_last if kernel.ndim == 4 else torch.channels_last_3d
    if x.is_contiguous(memory_format=fmt) and not x.is_contiguous():
        return kernel.contiguous(memory_format=fmt)
    return kernel
