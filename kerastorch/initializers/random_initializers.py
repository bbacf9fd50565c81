"""Random initializers: normal/uniform/truncated, ``VarianceScaling`` and its Glorot/He/LeCun
presets, and ``Orthogonal``.

Seeding follows Keras 3: an initializer holds a seed (the integer given, a
``keras.random.SeedGenerator``, or, when none is given, one drawn from Python's ``random`` at
construction) and samples through ``keras.random`` with it. So an integer-seeded (or
unseeded) initializer returns the same values on every call, ``keras.utils.set_random_seed``
makes models reproducible, and the values equal real Keras's on the same torch.
Samples are made on the CPU (``keras.random`` under ``device("cpu")``), so a seed gives the
same weights on every machine.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import torch

from kerastorch import random
from kerastorch._core.scopes import device
from kerastorch.initializers.initializer import Initializer, finish, float_dtype, standardize_shape
from kerastorch.random.seed_generator import SeedGenerator, make_default_seed

# Std of a standard normal truncated to [-2, 2]; dividing by it restores the requested std.
_TRUNCATION_STD = 0.87962566103423978


def compute_fans(shape: Any, input_axes: Any = None, output_axes: Any = None) -> tuple[int, int]:
    """(fan_in, fan_out) as Keras computes them; conv kernels ``(*k, in, out)`` scale by prod(k).

    ``input_axes``/``output_axes`` (both given) name the axes whose sizes multiply into each fan,
    for kernels of other layouts (e.g. EinsumDense).
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return int(math.prod(shape[a] for a in input_axes)), int(math.prod(shape[a] for a in output_axes))
    if len(shape) < 1:
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive_field = math.prod(shape[:-2])
        fan_in = shape[-2] * receptive_field
        fan_out = shape[-1] * receptive_field
    return int(fan_in), int(fan_out)


class RandomInitializer(Initializer):
    def __init__(self, seed: Any = None):
        self._init_seed = seed
        if seed is None:
            seed = make_default_seed()
        elif isinstance(seed, dict):  # a serialized keras.random.SeedGenerator
            seed = SeedGenerator.from_config(seed.get("config", seed))
        elif isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, SeedGenerator)):
            raise ValueError("`seed` argument should be an instance of `keras.random.SeedGenerator()` or an "
                             f"integer. Received: seed={seed!r}")
        self.seed = int(seed) if isinstance(seed, numbers.Integral) else seed

    def _sample(self, fn: Any, shape: Any, dtype: torch.dtype, **kwargs: Any) -> torch.Tensor:
        with device("cpu"):
            values = fn(standardize_shape(shape), dtype=dtype, seed=self.seed, **kwargs)
        return finish(values, dtype)

    def _normal(self, shape: Any, mean: float, stddev: float, dtype: torch.dtype) -> torch.Tensor:
        return self._sample(random.normal, shape, dtype, mean=mean, stddev=stddev)

    def _uniform(self, shape: Any, minval: float, maxval: float, dtype: torch.dtype) -> torch.Tensor:
        return self._sample(random.uniform, shape, dtype, minval=minval, maxval=maxval)

    def _truncated(self, shape: Any, mean: float, stddev: float, dtype: torch.dtype) -> torch.Tensor:
        """Normal samples restricted to two standard deviations around the mean."""
        return self._sample(random.truncated_normal, shape, dtype, mean=mean, stddev=stddev)

    def get_config(self) -> dict:
        seed = self._init_seed
        if hasattr(seed, "get_config"):
            seed = {"module": "keras.random", "class_name": "SeedGenerator", "config": seed.get_config(),
                    "registered_name": None}
        return {"seed": seed}


class RandomNormal(RandomInitializer):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        return self._normal(shape, self.mean, self.stddev, float_dtype(dtype, "RandomNormal"))

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class TruncatedNormal(RandomInitializer):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        return self._truncated(shape, self.mean, self.stddev, float_dtype(dtype, "TruncatedNormal"))

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(RandomInitializer):
    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        return self._uniform(shape, self.minval, self.maxval, float_dtype(dtype, "RandomUniform"))

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class VarianceScaling(RandomInitializer):
    """Samples with variance ``scale / n``, ``n`` being fan_in, fan_out or their average."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: Any = None, input_axes: Any = None,
                 output_axes: Any = None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Expected 'fan_in', 'fan_out' or 'fan_avg'.")
        distribution = distribution.lower()
        if distribution == "normal":  # Keras 2 spelling of the truncated normal
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}. Expected 'uniform', "
                             "'truncated_normal' or 'untruncated_normal'.")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        dtype = float_dtype(dtype, type(self).__name__)
        fan_in, fan_out = compute_fans(standardize_shape(shape), self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            return self._truncated(shape, 0.0, math.sqrt(scale) / _TRUNCATION_STD, dtype)
        if self.distribution == "untruncated_normal":
            return self._normal(shape, 0.0, math.sqrt(scale), dtype)
        limit = math.sqrt(3.0 * scale)
        return self._uniform(shape, -limit, limit, dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "input_axes": self.input_axes, "output_axes": self.output_axes}


class _Preset(VarianceScaling):
    """A VarianceScaling with fixed scale, mode and distribution."""

    _ARGS: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed: Any = None, input_axes: Any = None, output_axes: Any = None):
        scale, mode, distribution = self._ARGS
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed, input_axes=input_axes,
                         output_axes=output_axes)

    def get_config(self) -> dict:
        return {**RandomInitializer.get_config(self), "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class GlorotUniform(_Preset):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / (fan_in + fan_out))``."""
    _ARGS = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Preset):
    """Truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out))``."""
    _ARGS = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_Preset):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)``."""
    _ARGS = (2.0, "fan_in", "uniform")


class HeNormal(_Preset):
    """Truncated normal with ``stddev = sqrt(2 / fan_in)``."""
    _ARGS = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_Preset):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)``."""
    _ARGS = (1.0, "fan_in", "uniform")


class LecunNormal(_Preset):
    """Truncated normal with ``stddev = sqrt(1 / fan_in)``."""
    _ARGS = (1.0, "fan_in", "truncated_normal")


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix from the QR decomposition of a normal sample, times ``gain``.

    Shapes of rank > 2 are treated as ``(prod(shape[:-1]), shape[-1])`` matrices.
    """

    def __init__(self, gain: float = 1.0, seed: Any = None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        dtype = float_dtype(dtype, "Orthogonal")
        shape = standardize_shape(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        num_rows, num_cols = math.prod(shape[:-1]), shape[-1]
        flat_shape = (max(num_rows, num_cols), min(num_rows, num_cols))
        sample = self._normal(flat_shape, 0.0, 1.0, dtype)
        q, r = torch.linalg.qr(sample)
        q = q * torch.sign(torch.diagonal(r))  # makes the decomposition unique (uniform over O(n))
        if num_rows < num_cols:
            q = q.T
        return finish(self.gain * q.reshape(shape), dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "gain": self.gain}


# Keras 3.15 names the class Orthogonal (configs write "Orthogonal"); OrthogonalInitializer is its alias.
OrthogonalInitializer = Orthogonal
