"""Conversions between Keras weight layouts and the layouts torch kernels want.

Flat, small, pure functions of a tensor (views where possible). Layers call them
from ``_weight_to_keras`` / ``_weight_from_keras``.

Convolution kernels
  Keras ``(*k, in/groups, out)``  <->  torch ``F.convNd`` ``(out, in/groups, *k)``
Transposed convolution kernels
  Keras ``(*k, out, in)``         <->  torch ``F.conv_transposeNd`` ``(in, out, *k)``
  (the same axis permutation as plain convolutions)
Depthwise kernels
  Keras ``(*k, in, multiplier)``  <->  torch grouped conv ``(in*multiplier, 1, *k)``,
  output channel ``c * multiplier + m`` as in TensorFlow.
"""
from __future__ import annotations

import torch


def conv_kernel_to_torch(kernel: torch.Tensor) -> torch.Tensor:
    """Keras ``(*k, in, out)`` -> torch ``(out, in, *k)``."""
    rank = kernel.ndim - 2
    return kernel.permute(rank + 1, rank, *range(rank))


def conv_kernel_to_keras(weight: torch.Tensor) -> torch.Tensor:
    """torch ``(out, in, *k)`` -> Keras ``(*k, in, out)``."""
    rank = weight.ndim - 2
    return weight.permute(*range(2, rank + 2), 1, 0)


def conv_transpose_kernel_to_torch(kernel: torch.Tensor) -> torch.Tensor:
    """Keras ``(*k, out, in)`` -> torch ``(in, out, *k)``."""
    return conv_kernel_to_torch(kernel)


def conv_transpose_kernel_to_keras(weight: torch.Tensor) -> torch.Tensor:
    """torch ``(in, out, *k)`` -> Keras ``(*k, out, in)``."""
    return conv_kernel_to_keras(weight)


def depthwise_kernel_to_torch(kernel: torch.Tensor) -> torch.Tensor:
    """Keras ``(*k, in, mult)`` -> torch ``(in*mult, 1, *k)`` (for ``groups=in``)."""
    rank = kernel.ndim - 2
    flat = kernel.reshape(*kernel.shape[:rank], -1)  # (*k, in*mult), index c*mult + m
    return flat.permute(rank, *range(rank)).unsqueeze(1)


def depthwise_kernel_to_keras(weight: torch.Tensor, depth_multiplier: int) -> torch.Tensor:
    """torch ``(in*mult, 1, *k)`` -> Keras ``(*k, in, mult)``."""
    rank = weight.ndim - 2
    flat = weight.squeeze(1).permute(*range(1, rank + 1), 0)  # (*k, in*mult)
    return flat.reshape(*flat.shape[:rank], -1, depth_multiplier)
