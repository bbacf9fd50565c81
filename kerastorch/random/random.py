"""``keras.random``: seeded sampling with Keras's semantics on torch generators.

Every function takes ``seed`` = int (same values on every call), ``SeedGenerator`` (advances
per call) or None (the global generator). The samplers are the ones Keras's torch backend
uses, seeded the same way, so a seeded draw equals Keras's draw on the same torch and device.
Gamma, beta and binomial sample through ``torch.distributions``, which only read torch's
global RNG: they seed it for the draw and restore it afterwards, so other draws are unaffected.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch._core.config import floatx, get_device, to_torch_dtype
from kerastorch.ops.core import convert_to_tensor
from kerastorch.random.seed_generator import SeedGenerator, int_seed, torch_generator

Tensor = torch.Tensor


def _tensor(x: Any) -> Tensor:
    return convert_to_tensor(x)


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int):
        return (shape,)
    try:
        return tuple(int(d) for d in shape)
    except TypeError as error:
        raise ValueError(f"`shape` must be a tuple of integers. Received: shape={shape!r}") from error


def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None, seed: Any = None) -> Tensor:
    """Samples from N(mean, stddev**2)."""
    return torch.normal(mean, stddev, size=_shape(shape), generator=torch_generator(seed),
                        dtype=to_torch_dtype(dtype or floatx()), device=get_device())


def uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None, seed: Any = None) -> Tensor:
    """Samples from U[minval, maxval)."""
    shape = _shape(shape)
    dtype = to_torch_dtype(dtype or floatx())
    if dtype.is_floating_point is False:
        raise ValueError(f"`keras.random.uniform` requires a floating point `dtype`. Received: dtype={dtype}. "
                         "For integers use `keras.random.randint`.")
    values = torch.rand(shape or (1,), generator=torch_generator(seed), dtype=dtype, device=get_device())
    values = (maxval - minval) * values + minval
    return values if shape else values[0]


def randint(shape: Any, minval: int, maxval: int, dtype: Any = "int32", seed: Any = None) -> Tensor:
    """Integers in ``[minval, maxval)``."""
    return torch.randint(low=minval, high=maxval, size=_shape(shape), generator=torch_generator(seed),
                         dtype=to_torch_dtype(dtype), device=get_device())


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Any = None) -> Tensor:
    """N(mean, stddev**2) restricted to two standard deviations around the mean.

    Like Keras on torch: draw 4 standard normals per value and keep the first inside (-2, 2)
    (the first draw when none is, which happens with probability 0.0455**4).
    """
    shape = _shape(shape)
    dtype = to_torch_dtype(dtype)
    draws = normal(shape + (4,), mean=0.0, stddev=1.0, dtype=dtype, seed=seed)
    inside = (draws > -2) & (draws < 2)
    first_inside = inside.max(-1, keepdim=True)[1]
    return draws.gather(-1, first_inside).squeeze(-1) * stddev + mean


def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> Tensor:
    """Zero each entry with probability ``rate`` and scale the rest by ``1 / (1 - rate)``."""
    inputs = _tensor(inputs)
    if not 0.0 <= float(rate) <= 1.0:
        raise ValueError(f"`rate` must be in [0, 1]. Received: rate={rate}")
    if rate == 1.0:
        return torch.zeros_like(inputs)
    if rate == 0.0:
        return inputs
    seeded = seed is not None and not (isinstance(seed, SeedGenerator) and seed._initial_seed is None)
    if not seeded and noise_shape is None:
        # Unseeded, as in Keras: torch's own dropout on the global RNG.
        return torch.nn.functional.dropout(inputs, p=rate, training=True)
    keep_prob = 1.0 - rate
    if noise_shape is None:
        noise_shape = tuple(inputs.shape)
    else:
        noise_shape = tuple(inputs.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))
    keep = torch.full(noise_shape, keep_prob, device=inputs.device)
    mask = torch.bernoulli(keep, generator=torch_generator(seed, inputs.device)).bool()
    mask = torch.broadcast_to(mask, inputs.shape)
    return torch.where(mask, inputs / keep_prob, torch.zeros_like(inputs))


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> Tensor:
    """``x`` with its entries permuted along ``axis`` (the same permutation for every slice)."""
    x = _tensor(x)
    axis = axis % x.ndim if x.ndim else 0
    keys = torch.rand(x.shape[: axis + 1], generator=torch_generator(seed, x.device), device=x.device)
    order = keys.argsort(axis)
    order = order.reshape(order.shape + (1,) * (x.ndim - axis - 1)).expand(x.shape)
    return x.gather(axis, order)


def categorical(logits: Any, num_samples: int, dtype: Any = "int32", seed: Any = None) -> Tensor:
    """``num_samples`` class indices per row of ``logits`` (shape ``(batch, classes)``)."""
    logits = _tensor(logits)
    if logits.ndim != 2:
        raise ValueError(f"`logits` should be a 2-D tensor of shape (batch_size, num_classes). "
                         f"Received: logits.shape={tuple(logits.shape)}")
    probs = torch.softmax(logits, dim=-1)
    samples = torch.multinomial(probs, num_samples, replacement=True,
                                generator=torch_generator(seed, logits.device))
    return samples.to(to_torch_dtype(dtype))


def _sample_with_global_rng(distribution: torch.distributions.Distribution, seed: Any, dtype: Any) -> Tensor:
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(int_seed(seed))
        return distribution.sample().to(to_torch_dtype(dtype or floatx()))
    finally:
        torch.random.set_rng_state(state)


def gamma(shape: Any, alpha: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Gamma(alpha, 1) samples."""
    shape = _shape(shape)
    alpha = torch.broadcast_to(_tensor(alpha).to(get_device()), shape)
    rate = torch.ones(shape, device=get_device())
    return _sample_with_global_rng(torch.distributions.Gamma(alpha, rate), seed, dtype)


def binomial(shape: Any, counts: Any, probabilities: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Binomial(counts, probabilities) samples."""
    shape = _shape(shape)
    counts = torch.broadcast_to(_tensor(counts).to(get_device()), shape)
    probabilities = torch.broadcast_to(_tensor(probabilities).to(get_device()), shape)
    return _sample_with_global_rng(torch.distributions.Binomial(total_count=counts, probs=probabilities),
                                   seed, dtype)


def beta(shape: Any, alpha: Any, beta: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Beta(alpha, beta) samples."""
    shape = _shape(shape)
    concentration1 = torch.broadcast_to(_tensor(alpha).to(get_device()), shape)
    concentration0 = torch.broadcast_to(_tensor(beta).to(get_device()), shape)
    return _sample_with_global_rng(torch.distributions.Beta(concentration1, concentration0), seed, dtype)
