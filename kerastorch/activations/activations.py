"""The ``keras.activations`` functions, with Keras's names, arguments and defaults.

They accept tensors, NumPy arrays and Python numbers and return torch tensors. Most
delegate to the fused kernels behind ``kerastorch.ops.nn``; the differences from the ops
are Keras's: ``relu`` takes ``negative_slope``/``max_value``/``threshold`` and ``gelu``
is exact by default. ``hard_sigmoid_keras2`` is Keras 2's ``clip(0.2 x + 0.5, 0, 1)``,
used when loading legacy configs that say ``"hard_sigmoid"``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from kerastorch.ops import nn as nn_ops
from kerastorch.ops.core import convert_to_tensor, wrap_public_ops
from kerastorch.ops.numpy import _float

Tensor = torch.Tensor


def relu(x: Any, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0, *, alpha: float | None = None) -> Tensor:
    """``max(x, 0)``, optionally leaky below ``threshold`` and capped at ``max_value``.

    ``alpha`` is Keras 2's name for ``negative_slope`` and is accepted for old code.
    """
    if alpha is not None:
        negative_slope = alpha
    x = convert_to_tensor(x)
    if negative_slope == 0.0 and threshold == 0.0:
        if max_value is None:
            return F.relu(x)
        if max_value == 6:
            return F.relu6(x)
        return torch.clamp(F.relu(x), 0.0, max_value)
    if negative_slope != 0.0 and max_value is None and threshold == 0.0:
        return F.leaky_relu(_float(x), negative_slope=negative_slope)
    x = _float(x)
    negative_part = F.relu(threshold - x) if negative_slope != 0.0 else None
    if threshold != 0.0:
        out = x * (x > threshold).to(x.dtype)  # values at or below the threshold become 0
    else:
        out = F.relu(x)
    if max_value is not None:
        out = torch.clamp(out, 0.0, max_value)
    if negative_part is not None:
        out = out - negative_slope * negative_part
    return out


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    return nn_ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x: Any) -> Tensor:
    return nn_ops.relu6(x)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    return nn_ops.elu(x, alpha=alpha)


def selu(x: Any) -> Tensor:
    """``scale * elu(x, alpha)`` with alpha=1.67326324, scale=1.05070098."""
    return nn_ops.selu(x)


def softplus(x: Any) -> Tensor:
    return nn_ops.softplus(x)


def softsign(x: Any) -> Tensor:
    return nn_ops.softsign(x)


def silu(x: Any) -> Tensor:
    return nn_ops.silu(x)


swish = silu


def gelu(x: Any, approximate: bool = False) -> Tensor:
    """``0.5 x (1 + erf(x / sqrt(2)))``; the tanh form when ``approximate=True``."""
    return nn_ops.gelu(x, approximate=approximate)


def tanh(x: Any) -> Tensor:
    return torch.tanh(_float(x))


def sigmoid(x: Any) -> Tensor:
    x = _float(x)
    out = torch.sigmoid(x)
    out._keras_logits = x  # as Keras does: lets a loss recover the logits for a stable formula
    return out


def exponential(x: Any) -> Tensor:
    return torch.exp(_float(x))


def hard_sigmoid(x: Any) -> Tensor:
    """Keras 3: ``relu6(x + 3) / 6``, i.e. 0 below -3, 1 above 3, ``x / 6 + 0.5`` between."""
    return nn_ops.hard_sigmoid(x)


def hard_sigmoid_keras2(x: Any) -> Tensor:
    """Keras 2's hard sigmoid: ``clip(0.2 x + 0.5, 0, 1)`` (saturates at +-2.5)."""
    return torch.clamp(0.2 * _float(x) + 0.5, 0.0, 1.0)


def hard_silu(x: Any) -> Tensor:
    return nn_ops.hard_silu(x)


hard_swish = hard_silu


def linear(x: Any) -> Any:
    """The identity; returns its input unchanged."""
    return x


def mish(x: Any) -> Tensor:
    """``x * tanh(softplus(x))``."""
    return nn_ops.mish(x)


def softmax(x: Any, axis: Any = -1) -> Tensor:
    x = _float(x)
    out = nn_ops.softmax(x, axis=axis)
    out._keras_logits = x
    return out


def log_softmax(x: Any, axis: Any = -1) -> Tensor:
    return nn_ops.log_softmax(x, axis=axis)


def crelu(x: Any, axis: int = -1) -> Tensor:
    """``concat([relu(x), relu(-x)], axis)``."""
    x = convert_to_tensor(x)
    return torch.cat([F.relu(x), F.relu(-x)], dim=axis)


def celu(x: Any, alpha: float = 1.0) -> Tensor:
    return nn_ops.celu(x, alpha=alpha)


def glu(x: Any, axis: int = -1) -> Tensor:
    return nn_ops.glu(x, axis=axis)


def hard_tanh(x: Any) -> Tensor:
    return nn_ops.hard_tanh(x)


def log_sigmoid(x: Any) -> Tensor:
    return nn_ops.log_sigmoid(x)


def tanh_shrink(x: Any) -> Tensor:
    return nn_ops.tanh_shrink(x)


def soft_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    return nn_ops.soft_shrink(x, threshold=threshold)


def hard_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    return nn_ops.hard_shrink(x, threshold=threshold)


def squareplus(x: Any, b: float = 4) -> Tensor:
    return nn_ops.squareplus(x, b=b)


def sparse_plus(x: Any) -> Tensor:
    return nn_ops.sparse_plus(x)


def sparse_sigmoid(x: Any) -> Tensor:
    """0 below -1, 1 above 1, ``(x + 1) / 2`` in between."""
    return nn_ops.sparse_sigmoid(x)


def sparsemax(x: Any, axis: int = -1) -> Tensor:
    """Projection onto the probability simplex: like softmax, but exact zeros for small logits."""
    return nn_ops.sparsemax(x, axis=axis)


def threshold(x: Any, threshold: float, default_value: float) -> Tensor:
    """``x`` where ``x > threshold``, else ``default_value``."""
    return nn_ops.threshold(x, threshold, default_value)


# Functional-API support: an activation applied to a KerasTensor records a graph node.
wrap_public_ops(globals(), exclude=("linear",))


# A layer applies its activation to a tensor it has just computed and that nothing else holds,
# so the element-wise activations torch can run in place do: one allocation less per call.
# Autograd allows it: the ops that produce layer outputs (matmul, conv, add) do not keep their
# output for backward, and relu_/tanh_ save their own result as relu/tanh do.
_IN_PLACE_KERNELS: dict = {relu: torch.relu_, tanh: torch.tanh_, linear: None}


def activate_own_output(activation: Callable, x: Tensor) -> Tensor:
    """``activation(x)`` for a layer's freshly computed ``x`` (which may be overwritten)."""
    try:
        kernel = _IN_PLACE_KERNELS.get(activation, activation)
    except TypeError:  # an unhashable callable object
        kernel = activation
    if kernel is None:
        return x
    if kernel is not activation and (not x.is_floating_point() or type(x) is not torch.Tensor):
        return activation(x)
    return kernel(x)
