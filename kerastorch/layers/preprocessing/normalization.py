"""``Normalization``: ``(x - mean) / max(sqrt(variance), epsilon)`` per position of ``axis``.

The statistics come from the constructor (``mean``/``variance``) or from
``adapt(data)``, which computes the mean and population variance over every axis
not in ``axis``. Adapted statistics are the non-trainable weights ``mean``,
``variance`` and ``count`` (Keras 3's order and shapes), so they travel with
``get_weights``/``set_weights`` and the saved weights. ``invert=True`` maps
normalized values back.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from kerastorch.backend import config
from kerastorch.layers.layer import Layer


class Normalization(Layer):
    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(int(a) for a in axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be set. Received: "
                             f"mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("When setting values directly, `mean` and `variance` must have the same shape. "
                                 f"Received: mean shape {np.shape(mean)} and variance shape {np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(f"The rank of `mean` must be less than or equal to the number of axes "
                                 f"({len(self.axis)}). Received: mean shape {np.shape(mean)} for axis {self.axis}")

    def build(self, input_shape) -> None:
        if input_shape is None:
            return
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f'Normalization "{self.name}": all `axis` values must be in the range [-ndim, ndim). '
                             f"Received inputs with ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(f'Normalization "{self.name}": all `axis` values to be kept must have a known '
                                 f"shape. Received axis={self.axis}, inputs.shape={input_shape}, with unknown axis "
                                 f"at index {d}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [input_shape[d] if d in self._keep_axis else 1 for d in range(ndim)]
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        self._ndim = ndim
        if self.input_mean is None:
            self.mean = self.add_weight("mean", self._mean_and_var_shape, "zeros", trainable=False)
            self.variance = self.add_weight("variance", self._mean_and_var_shape, "ones", trainable=False)
            self.count = self.add_weight("count", (), "zeros", trainable=False, dtype="int64")
        else:
            dtype = config.to_torch_dtype(self._variable_dtype())
            mean = torch.as_tensor(np.asarray(self.input_mean), dtype=dtype)
            var = torch.as_tensor(np.asarray(self.input_variance), dtype=dtype)
            if mean.ndim > 0:
                expanded = [1] * ndim
                for i in range(1, mean.ndim + 1):
                    expanded[self._keep_axis[-i]] = mean.shape[-i]
                mean, var = mean.reshape(expanded), var.reshape(expanded)
            device = self._build_device()
            self.register_buffer("_fixed_mean", mean.expand(self._broadcast_shape).clone().to(device),
                                 persistent=False)
            self.register_buffer("_fixed_variance", var.expand(self._broadcast_shape).clone().to(device),
                                 persistent=False)
        self._build_input_shape = input_shape
        self.built = True

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Compute ``mean`` and ``variance`` of ``data`` (an array, a tensor, or an iterable of batches)."""
        if isinstance(data, (np.ndarray, torch.Tensor)):
            batches, single = [data], True
        elif isinstance(data, (list, tuple)) and data and not _is_array_like(_first_array(data[0])):
            batches, single = [np.asarray(data)], True  # nested python lists of numbers: one array
        elif hasattr(data, "__iter__"):
            batches, single = data, False
        else:
            raise TypeError(f"Unsupported data type: {type(data)}. `adapt` supports numpy arrays, torch tensors and "
                            "iterables of batches (e.g. a list of arrays or a DataLoader).")
        total_mean = total_var = None
        total_count = 0
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            x = _first_array(batch)
            x = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x).detach()
            x = x.to(torch.float64, copy=False).cpu()
            if total_mean is None:
                self._check_or_build(tuple(x.shape))
            else:
                self._check_compatible(tuple(x.shape))
            if self._reduce_axis:
                bmean = x.mean(dim=self._reduce_axis)
                bvar = x.var(dim=self._reduce_axis, correction=0)
                bcount = math.prod(x.shape[d] for d in self._reduce_axis)
            else:
                bmean, bvar, bcount = x, torch.zeros_like(x), 1
            if total_mean is None:
                total_mean, total_var, total_count = bmean, bvar, bcount
                continue
            total_count += bcount
            w = bcount / total_count
            new_mean = total_mean * (1 - w) + bmean * w
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - w) + (bvar + (bmean - new_mean) ** 2) * w
            total_mean = new_mean
            if single:
                break
        if total_mean is None:
            raise ValueError("adapt() received an empty iterable (no batches). Pass a non-empty array or a list of "
                             "batches, e.g. layer.adapt(x) or layer.adapt([x1, x2]).")
        if self.input_mean is not None:
            raise ValueError(f'Normalization "{self.name}" was given `mean` and `variance` in its constructor; '
                             "it cannot be adapted.")
        with torch.no_grad():
            self.mean.copy_(total_mean.reshape(self.mean.shape).to(self.mean))
            self.variance.copy_(total_var.reshape(self.variance.shape).to(self.variance))
            self.count.fill_(int(total_count))

    def _check_or_build(self, shape: tuple) -> None:
        if not self.built:
            self.build(shape)
            self.built = True
        else:
            self._check_compatible(shape)

    def _check_compatible(self, shape: tuple) -> None:
        if len(shape) != self._ndim or any(shape[d] != self._build_input_shape[d] for d in self._keep_axis):
            raise ValueError(f'Normalization "{self.name}" was built with input_shape={self._build_input_shape}, '
                             f"but adapt() received data with an incompatible shape, data.shape={shape}")

    def call(self, inputs):
        if self.input_mean is None:
            mean = self.mean.reshape(self._broadcast_shape)
            variance = self.variance.reshape(self._broadcast_shape)
        else:
            mean, variance = self._fixed_mean, self._fixed_variance
        dtype = mean.dtype
        x = inputs.to(dtype) if inputs.dtype != dtype else inputs
        denom = torch.sqrt(variance).clamp_min(config.epsilon())
        if self.invert:
            return mean + x * denom
        return (x - mean) / denom

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": list(self.axis), "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(), "variance": np.array(self.input_variance).tolist()}

    def build_from_config(self, build_config) -> None:
        if build_config and not self.built:
            self.build(build_config.get("input_shape"))


def _first_array(batch):
    """The inputs of a batch: ``x`` of an ``(x, y)`` / ``(x, y, w)`` tuple, else the batch itself."""
    if isinstance(batch, (tuple, list)) and batch and _is_array_like(batch[0]) and len(batch) in (2, 3) \
            and not all(isinstance(b, (int, float)) for b in batch):
        return batch[0]
    if isinstance(batch, dict):
        raise TypeError("adapt() received a dict batch; pass the arrays of the feature to normalize.")
    return batch


def _is_array_like(x) -> bool:
    return isinstance(x, (np.ndarray, torch.Tensor))
