"""``ops.nn`` spatial ops: convolution, pooling, patches and depth/space blocks.

Keras's ``(batch, *spatial, channels)`` layout is the default: the conv and pool ops move
channels first, call the torch kernel and move them back, so the layout and "same" padding
rules (TensorFlow's: the extra pixel on the right) live once in the helpers here. Kernels keep
Keras's ``(*spatial, in, out)`` shape and are permuted per call. ``unfold``/``fold`` are
channels-first, as torch's. ``ops.nn`` re-exports every name (``keras.ops.nn.conv`` is public).
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from kerastorch._core import config
from kerastorch.ops.core import convert_to_tensor, wrap_public_ops

__all__ = [
    "adaptive_average_pool", "adaptive_max_pool", "average_pool", "conv", "conv_transpose", "depth_to_space",
    "depthwise_conv", "fold", "max_pool", "separable_conv", "space_to_depth", "unfold",
]

Tensor = torch.Tensor


# ---------------------------------------------------------------- convolution and pooling

def _tuple(op: str, name: str, value: Any, n: int) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"{op}: `{name}` must be an int or a tuple of {n} ints. Received: {name}={value}")
    return value


def _spatial_rank(op: str, x: Tensor) -> int:
    if x.ndim not in (3, 4, 5):
        raise ValueError(f"{op}: `inputs` must have rank 3, 4 or 5 (batch, spatial dims, channels). "
                         f"Received: inputs.shape={tuple(x.shape)}")
    return x.ndim - 2


def _to_channels_first(x: Tensor, data_format: str) -> Tensor:
    return torch.movedim(x, -1, 1).contiguous() if data_format == "channels_last" else x


def _from_channels_first(x: Tensor, data_format: str) -> Tensor:
    return torch.movedim(x, 1, -1) if data_format == "channels_last" else x


def _check_padding(op: str, padding: str) -> str:
    padding = padding.lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"{op}: `padding` must be 'valid' or 'same'. Received: padding={padding!r}")
    return padding


def _same_pads(sizes: Any, kernel: Any, strides: Any, dilation: Any) -> list[tuple[int, int]]:
    """TensorFlow's "same" padding per spatial dim: extra pixel on the right."""
    pads = []
    for n, k, s, d in zip(sizes, kernel, strides, dilation):
        k_eff = (k - 1) * d + 1
        total = max(0, (-(-n // s) - 1) * s + k_eff - n)
        pads.append((total // 2, total - total // 2))
    return pads


def _pad_spatial(x: Tensor, pads: list[tuple[int, int]], mode: str = "constant",
                 value: float = 0.0) -> Tensor:
    flat = [p for pair in reversed(pads) for p in pair]
    if not any(flat):
        return x
    return F.pad(x, flat, mode=mode, value=value) if mode == "constant" else F.pad(x, flat, mode=mode)


def _pool(op: str, inputs: Any, pool_size: Any, strides: Any, padding: str, data_format: Any) -> tuple:
    x = convert_to_tensor(inputs)
    n = _spatial_rank(op, x)
    pool = _tuple(op, "pool_size", pool_size, n)
    strides = pool if strides is None else _tuple(op, "strides", strides, n)
    data_format = config.standardize_data_format(data_format)
    return _to_channels_first(x, data_format), n, pool, strides, _check_padding(op, padding), data_format


def max_pool(inputs: Any, pool_size: Any, strides: Any = None, padding: str = "valid",
             data_format: str | None = None) -> Tensor:
    x, n, pool, strides, padding, data_format = _pool("max_pool", inputs, pool_size, strides, padding, data_format)
    if padding == "same":
        x = _pad_spatial(x, _same_pads(x.shape[2:], pool, strides, (1,) * n), value=float("-inf")) \
            if x.is_floating_point() else _pad_spatial(x, _same_pads(x.shape[2:], pool, strides, (1,) * n),
                                                       mode="replicate")
    fn = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[n - 1]
    return _from_channels_first(fn(x, kernel_size=pool, stride=strides), data_format)


def average_pool(inputs: Any, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None) -> Tensor:
    """Mean pooling; with ``padding="same"`` border windows average only their real entries.

    (When "same" needs more padding on one side than the other, Keras's torch backend instead
    repeats the edge values into the lopsided border, and so does this function.)
    """
    x, n, pool, strides, padding, data_format = _pool("average_pool", inputs, pool_size, strides, padding,
                                                      data_format)
    fn = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[n - 1]
    torch_padding: Any = 0
    if padding == "same":
        pads = _same_pads(x.shape[2:], pool, strides, (1,) * n)
        if any(left != right for left, right in pads):
            x = _pad_spatial(x, pads, mode="replicate")
        else:
            torch_padding = [left for left, _ in pads]
    out = fn(x, kernel_size=pool, stride=strides, padding=torch_padding, count_include_pad=False)
    return _from_channels_first(out, data_format)


def _adaptive(op: str, fn_table: tuple, inputs: Any, output_size: Any, data_format: Any) -> Tensor:
    x = convert_to_tensor(inputs)
    n = _spatial_rank(op, x)
    data_format = config.standardize_data_format(data_format)
    size = _tuple(op, "output_size", output_size, n)
    out = fn_table[n - 1](_to_channels_first(x, data_format), size if n > 1 else size[0])
    return _from_channels_first(out[0] if isinstance(out, tuple) else out, data_format)


def adaptive_average_pool(inputs: Any, output_size: Any, data_format: str | None = None) -> Tensor:
    return _adaptive("adaptive_average_pool", (F.adaptive_avg_pool1d, F.adaptive_avg_pool2d,
                                               F.adaptive_avg_pool3d), inputs, output_size, data_format)


def adaptive_max_pool(inputs: Any, output_size: Any, data_format: str | None = None) -> Tensor:
    return _adaptive("adaptive_max_pool", (F.adaptive_max_pool1d, F.adaptive_max_pool2d,
                                           F.adaptive_max_pool3d), inputs, output_size, data_format)


def _torch_kernel(kernel: Tensor) -> Tensor:
    # Keras kernels are (*spatial, in, out); torch wants (out, in, *spatial).
    return kernel.permute(kernel.ndim - 1, kernel.ndim - 2, *range(kernel.ndim - 2))


def conv(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid", data_format: str | None = None,
         dilation_rate: Any = 1) -> Tensor:
    """N-D convolution with a Keras ``(*spatial, in_channels / groups, out_channels)`` kernel."""
    x = convert_to_tensor(inputs)
    kernel = convert_to_tensor(kernel, device=x.device)
    n = _spatial_rank("conv", x)
    if kernel.ndim != n + 2:
        raise ValueError(f"conv: `kernel` must have rank {n + 2} for inputs of rank {x.ndim}. "
                         f"Received: kernel.shape={tuple(kernel.shape)}")
    strides = _tuple("conv", "strides", strides, n)
    dilation = _tuple("conv", "dilation_rate", dilation_rate, n)
    padding = _check_padding("conv", padding)
    data_format = config.standardize_data_format(data_format)
    x = _to_channels_first(x, data_format)
    w = _torch_kernel(kernel)
    if x.shape[1] % w.shape[1]:
        raise ValueError(f"conv: the input channels ({x.shape[1]}) must be divisible by the kernel's input "
                         f"channels ({w.shape[1]}).")
    dtype = torch.promote_types(x.dtype, w.dtype)
    x, w = x.to(dtype), w.to(dtype)
    if padding == "same":
        x = _pad_spatial(x, _same_pads(x.shape[2:], w.shape[2:], strides, dilation))
    fn = (F.conv1d, F.conv2d, F.conv3d)[n - 1]
    out = fn(x, w, stride=strides, dilation=dilation, groups=x.shape[1] // w.shape[1])
    return _from_channels_first(out, data_format)


def depthwise_conv(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid",
                   data_format: str | None = None, dilation_rate: Any = 1) -> Tensor:
    """Per-channel convolution; ``kernel`` is ``(*spatial, in_channels, depth_multiplier)``."""
    kernel = convert_to_tensor(kernel)
    x = convert_to_tensor(inputs)
    channels = x.shape[-1] if config.standardize_data_format(data_format) == "channels_last" else x.shape[1]
    if kernel.shape[-2] != channels:
        raise ValueError(f"depthwise_conv: the kernel's input channels ({kernel.shape[-2]}) must equal the "
                         f"inputs' channels ({channels}). Received: kernel.shape={tuple(kernel.shape)}")
    kernel = kernel.reshape(tuple(kernel.shape[:-2]) + (1, kernel.shape[-2] * kernel.shape[-1]))
    return conv(x, kernel, strides, padding, data_format, dilation_rate)


def separable_conv(inputs: Any, depthwise_kernel: Any, pointwise_kernel: Any, strides: Any = 1,
                   padding: str = "valid", data_format: str | None = None, dilation_rate: Any = 1) -> Tensor:
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format, dilation_rate)


def _transpose_pads(k: int, s: int, d: int, padding: str, output_padding: int | None) -> tuple[int, int]:
    """(left, right) padding of the stride-dilated input, as Keras (and JAX) define them."""
    k_eff = (k - 1) * d + 1
    if padding == "valid":
        extra = max(k_eff, s) - k_eff if output_padding is None else output_padding
        return k_eff - 1, k_eff - 1 + extra
    total = s + k_eff - 2 if output_padding is None else k_eff + k_eff % 2 - 2 + output_padding
    left = min(total // 2 + total % 2, k_eff - 1)
    return left, total - left


def conv_transpose(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid", output_padding: Any = None,
                   data_format: str | None = None, dilation_rate: Any = 1) -> Tensor:
    """Transposed convolution; ``kernel`` is ``(*spatial, out_channels, in_channels)`` as in Keras."""
    x = convert_to_tensor(inputs)
    kernel = convert_to_tensor(kernel, device=x.device)
    n = _spatial_rank("conv_transpose", x)
    strides = _tuple("conv_transpose", "strides", strides, n)
    dilation = _tuple("conv_transpose", "dilation_rate", dilation_rate, n)
    out_pad = (None,) * n if output_padding is None else _tuple("conv_transpose", "output_padding",
                                                                output_padding, n)
    padding = _check_padding("conv_transpose", padding)
    data_format = config.standardize_data_format(data_format)
    x = _to_channels_first(x, data_format)
    w = kernel.permute(kernel.ndim - 1, kernel.ndim - 2, *range(kernel.ndim - 2))  # (in, out, *spatial)
    dtype = torch.promote_types(x.dtype, w.dtype)
    fn = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[n - 1]
    out = fn(x.to(dtype), w.to(dtype), stride=strides, dilation=dilation)
    # torch gives the full (input - 1) * stride + k_eff window; cut (or zero-extend) it to Keras's.
    index = [slice(None), slice(None)]
    extend = []
    for i in range(n):
        k_eff = (w.shape[2 + i] - 1) * dilation[i] + 1
        left, right = _transpose_pads(w.shape[2 + i], strides[i], dilation[i], padding, out_pad[i])
        crop_l, crop_r = k_eff - 1 - left, k_eff - 1 - right
        index.append(slice(max(crop_l, 0), out.shape[2 + i] - max(crop_r, 0)))
        extend.append((max(-crop_l, 0), max(-crop_r, 0)))
    out = _pad_spatial(out[tuple(index)], extend)
    return _from_channels_first(out, data_format)


# ---------------------------------------------------------------- patches and blocks

def unfold(x: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """Sliding blocks of a channels-first ``(N, C, H, W)`` batch as ``(N, C * kh * kw, L)``."""
    x = convert_to_tensor(x)
    if x.ndim != 4:
        raise ValueError(f"unfold: `x` must be (N, C, H, W). Received: x.shape={tuple(x.shape)}")
    return F.unfold(x, kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)


def fold(x: Any, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Tensor:
    """Inverse of :func:`unfold`: sums overlapping blocks back into ``(N, C, *output_size)``."""
    x = convert_to_tensor(x)
    return F.fold(x, output_size=output_size, kernel_size=kernel_size, dilation=dilation, padding=padding,
                  stride=stride)


def depth_to_space(x: Any, block_size: int, data_format: str = "channels_last") -> Tensor:
    x = convert_to_tensor(x)
    if x.ndim != 4:
        raise ValueError(f"depth_to_space: `x` must have rank 4. Received: x.shape={tuple(x.shape)}")
    b = int(block_size)
    if data_format == "channels_last":
        n, h, w, c = x.shape
        if c % (b * b):
            raise ValueError(f"depth_to_space: channels ({c}) must be divisible by block_size**2 ({b * b}).")
        return x.reshape(n, h, w, b, b, c // (b * b)).permute(0, 1, 3, 2, 4, 5).reshape(n, h * b, w * b, -1)
    n, c, h, w = x.shape
    return x.reshape(n, c // (b * b), b, b, h, w).permute(0, 1, 4, 2, 5, 3).reshape(n, -1, h * b, w * b)


def space_to_depth(x: Any, block_size: int, data_format: str = "channels_last") -> Tensor:
    x = convert_to_tensor(x)
    if x.ndim != 4:
        raise ValueError(f"space_to_depth: `x` must have rank 4. Received: x.shape={tuple(x.shape)}")
    b = int(block_size)
    if data_format == "channels_last":
        n, h, w, c = x.shape
        if h % b or w % b:
            raise ValueError(f"space_to_depth: height and width ({h}, {w}) must be divisible by block_size={b}.")
        return x.reshape(n, h // b, b, w // b, b, c).permute(0, 1, 3, 2, 4, 5).reshape(n, h // b, w // b, -1)
    n, c, h, w = x.shape
    return x.reshape(n, c, h // b, b, w // b, b).permute(0, 1, 3, 5, 2, 4).reshape(n, -1, h // b, w // b)


wrap_public_ops(globals())
