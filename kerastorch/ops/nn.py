"""Neural-network ``keras.ops``: activations, softmax, one-hot, moments and cross-entropies.

``keras.activations`` is built on these functions, so their formulas are Keras's. Where
torch has a fused kernel with the same math (``F.selu``, ``F.hardsigmoid`` ...) it is used.
Note ``gelu`` here defaults to the tanh approximation, as ``keras.ops.gelu`` does, while
``keras.activations.gelu`` defaults to the exact form.
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from kerastorch._core import config
from kerastorch.ops.core import convert_to_tensor, wrap_public_ops
from kerastorch.ops.numpy import _float

Tensor = torch.Tensor


# ---------------------------------------------------------------- activations

def relu(x: Any) -> Tensor:
    return F.relu(convert_to_tensor(x))


def relu6(x: Any) -> Tensor:
    return F.relu6(convert_to_tensor(x))


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    return F.leaky_relu(_float(x), negative_slope=negative_slope)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    return F.elu(_float(x), alpha=alpha)


def selu(x: Any) -> Tensor:
    # torch's constants are the full-precision values of Keras's alpha=1.67326324, scale=1.05070098
    return F.selu(_float(x))


def celu(x: Any, alpha: float = 1.0) -> Tensor:
    return F.celu(_float(x), alpha=alpha)


def gelu(x: Any, approximate: bool = True) -> Tensor:
    return F.gelu(_float(x), approximate="tanh" if approximate else "none")


def sigmoid(x: Any) -> Tensor:
    return torch.sigmoid(_float(x))


def log_sigmoid(x: Any) -> Tensor:
    return F.logsigmoid(_float(x))


def hard_sigmoid(x: Any) -> Tensor:
    """Keras 3's hard sigmoid, ``relu6(x + 3) / 6``."""
    return F.hardsigmoid(_float(x))


def hard_silu(x: Any) -> Tensor:
    return F.hardswish(_float(x))


hard_swish = hard_silu


def silu(x: Any) -> Tensor:
    return F.silu(_float(x))


swish = silu


def softplus(x: Any) -> Tensor:
    return F.softplus(_float(x))


def softsign(x: Any) -> Tensor:
    return F.softsign(_float(x))


def mish(x: Any) -> Tensor:
    return F.mish(_float(x))


def hard_tanh(x: Any) -> Tensor:
    return F.hardtanh(_float(x))


def tanh_shrink(x: Any) -> Tensor:
    return F.tanhshrink(_float(x))


def soft_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    return F.softshrink(_float(x), lambd=threshold)


def hard_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    return F.hardshrink(_float(x), lambd=threshold)


def threshold(x: Any, threshold: float, default_value: float) -> Tensor:
    x = _float(x)
    return torch.where(x > threshold, x, torch.full_like(x, default_value))


def squareplus(x: Any, b: float = 4) -> Tensor:
    x = _float(x)
    return (x + torch.sqrt(x * x + b)) / 2


def sparse_plus(x: Any) -> Tensor:
    """0 below -1, ``(x + 1)^2 / 4`` on ``(-1, 1)``, ``x`` above 1."""
    x = _float(x)
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x >= 1, x, (x + 1) ** 2 / 4))


def glu(x: Any, axis: int = -1) -> Tensor:
    return F.glu(_float(x), dim=axis)


def softmax(x: Any, axis: Any = -1) -> Tensor:
    x = _float(x)
    if isinstance(axis, int):
        return F.softmax(x, dim=axis)
    axes = tuple(range(x.ndim)) if axis is None else tuple(axis)
    return torch.exp(x - torch.logsumexp(x, dim=axes, keepdim=True))


def log_softmax(x: Any, axis: Any = -1) -> Tensor:
    x = _float(x)
    if isinstance(axis, int):
        return F.log_softmax(x, dim=axis)
    axes = tuple(range(x.ndim)) if axis is None else tuple(axis)
    return x - torch.logsumexp(x, dim=axes, keepdim=True)


# ---------------------------------------------------------------- encoding and statistics

def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None, sparse: bool = False) -> Tensor:
    """One-hot rows; indices outside ``[0, num_classes)`` give all-zero rows, like Keras."""
    x = convert_to_tensor(x).long()
    valid = (x >= 0) & (x < num_classes)
    out = F.one_hot(torch.where(valid, x, 0), num_classes) * valid.unsqueeze(-1)
    out = out.to(config.to_torch_dtype(dtype))
    if axis != -1 and axis != out.ndim - 1:
        out = torch.movedim(out, -1, axis)
    return out


def multi_hot(inputs: Any, num_classes: int, axis: int = -1, dtype: Any = None,
              sparse: bool = False) -> Tensor:
    inputs = convert_to_tensor(inputs)
    reduction_axis = 1 if inputs.ndim > 1 else 0
    return torch.amax(one_hot(inputs, num_classes, axis=axis, dtype=dtype), dim=reduction_axis)


def moments(x: Any, axes: Any, keepdims: bool = False, synchronized: bool = False) -> tuple[Tensor, Tensor]:
    """(mean, population variance) over ``axes``."""
    x = _float(x)
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    compute = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x  # half is too narrow for stats
    variance, mean = torch.var_mean(compute, dim=axes, correction=0, keepdim=keepdims)
    return mean.to(x.dtype), variance.to(x.dtype)


def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None) -> Tensor:
    x = _float(x)
    eps = config.epsilon() if epsilon is None else epsilon
    norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clamp(norm, min=eps)


def batch_normalization(x: Any, mean: Any, variance: Any, axis: int, offset: Any = None,
                        scale: Any = None, epsilon: float = 1e-3) -> Tensor:
    x = _float(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]

    def _b(v: Any) -> Tensor:
        return convert_to_tensor(v, device=x.device).to(x.dtype).reshape(shape)

    out = (x - _b(mean)) * torch.rsqrt(_b(variance) + epsilon)
    if scale is not None:
        out = out * _b(scale)
    if offset is not None:
        out = out + _b(offset)
    return out


# ---------------------------------------------------------------- cross-entropies

def _check_same_rank(target: Tensor, output: Tensor) -> None:
    if target.ndim != output.ndim:
        raise ValueError("Arguments `target` and `output` must have the same rank. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    output = _float(output)
    target = convert_to_tensor(target, device=output.device).to(output.dtype)
    _check_same_rank(target, output)
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -(target * torch.log(output) + (1.0 - target) * torch.log(1.0 - output))


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> Tensor:
    output = _float(output)
    target = convert_to_tensor(target, device=output.device).to(output.dtype)
    _check_same_rank(target, output)
    if from_logits:
        log_prob = F.log_softmax(output, dim=axis)
    else:
        # Keras rescales so rows sum to one, then clips away log(0)
        output = output / torch.sum(output, dim=axis, keepdim=True)
        eps = config.epsilon()
        log_prob = torch.log(torch.clamp(output, eps, 1.0 - eps))
    return -torch.sum(target * log_prob, dim=axis)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> Tensor:
    output = _float(output)
    target = convert_to_tensor(target, device=output.device).long()
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = target.squeeze(-1)
    expected = list(output.shape)
    del expected[axis]
    if list(target.shape) != expected:
        raise ValueError("`target` must have the shape of `output` without its class axis. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")
    if from_logits:
        log_prob = F.log_softmax(output, dim=axis)
    else:
        output = output / torch.sum(output, dim=axis, keepdim=True)
        eps = config.epsilon()
        log_prob = torch.log(torch.clamp(output, eps, 1.0 - eps))
    # Out-of-range targets contribute 0, as Keras's one-hot formulation gives.
    valid = (target >= 0) & (target < output.shape[axis])
    safe = torch.where(valid, target, 0).unsqueeze(axis)
    picked = torch.gather(log_prob, axis, safe).squeeze(axis)
    return -picked * valid.to(picked.dtype)


def dropout(x: Any, rate: float, noise_shape: Any = None, seed: int | None = None) -> Tensor:
    """Inverted dropout: keep with probability ``1 - rate`` and rescale by ``1 / (1 - rate)``."""
    x = _float(x)
    if rate <= 0:
        return x
    shape = tuple(x.shape) if noise_shape is None else tuple(
        d if n is None else int(n) for n, d in zip(noise_shape, x.shape))
    generator = None
    if seed is not None:
        generator = torch.Generator(device=x.device).manual_seed(int(seed))
    keep = torch.rand(shape, generator=generator, device=x.device) >= rate
    return x * keep.to(x.dtype) / (1.0 - rate)


wrap_public_ops(globals())
