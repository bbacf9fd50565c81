"""Metric base class plus the reduction metrics ``Mean``, ``Sum`` and ``MeanMetricWrapper``.

State lives in ``MetricVariable`` tensors created on the CPU and moved, in
place, to the device of the first data they see.  ``update_state`` only runs
tensor ops (no ``.item()``), so metrics never stall an accelerator; only
``result()`` consumers (progress bars, callbacks) read values back.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

from kerastorch import initializers
from kerastorch._core import config
from kerastorch._core.naming import auto_name, to_snake_case
from kerastorch.losses.loss import apply_mask, get_mask, squeeze_or_expand_to_same_rank, to_tensor


class MetricVariable(torch.Tensor):
    """A metric state tensor with Keras ``Variable``-style methods (``assign``, ``assign_add`` ...).

    Operations on it return plain tensors (like ``nn.Parameter``), so the
    subclass costs nothing in the hot path; it exists so that Keras custom
    metrics written as ``self.tp.assign(self.tp + x)`` keep working.
    """

    __torch_function__ = torch._C._disabled_torch_function_impl

    def __new__(cls, data: torch.Tensor, path: str | None = None):
        var = torch.Tensor._make_subclass(cls, data, False)
        var.path = path
        return var

    def assign(self, value) -> "MetricVariable":
        with torch.no_grad():
            self.copy_(to_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_add(self, value) -> "MetricVariable":
        with torch.no_grad():
            self.add_(to_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_sub(self, value) -> "MetricVariable":
        with torch.no_grad():
            self.sub_(to_tensor(value, dtype=self.dtype, device=self.device))
        return self

    @property
    def value(self) -> torch.Tensor:
        return self.detach().as_subclass(torch.Tensor)

    def numpy(self) -> np.ndarray:  # works for accelerator tensors too
        return self.detach().cpu().as_subclass(torch.Tensor).numpy()

    def __deepcopy__(self, memo):
        result = MetricVariable(self.detach().as_subclass(torch.Tensor).clone(), self.path)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (MetricVariable, (self.detach().as_subclass(torch.Tensor).cpu().clone(), self.path))

    def __repr__(self) -> str:
        return f"<MetricVariable path={self.path} value={self.as_subclass(torch.Tensor)!r}>"


def _initial_value(initializer, shape: tuple, dtype: torch.dtype) -> torch.Tensor:
    if initializer is None or initializer in ("zeros", "Zeros"):
        return torch.zeros(shape, dtype=dtype)
    if initializer in ("ones", "Ones"):
        return torch.ones(shape, dtype=dtype)
    if isinstance(initializer, (int, float)):
        return torch.full(shape, float(initializer), dtype=dtype)
    if isinstance(initializer, str) or not callable(initializer):
        initializer = initializers.get(initializer)  # the initializers module owns the other names
    value = initializer(shape, dtype=config.dtype_name(dtype))
    return to_tensor(value, dtype=dtype).detach().cpu().reshape(shape).clone()


class Metric:
    """Base class of metrics (``keras.metrics.Metric``).

    Subclasses create state in ``__init__`` with ``add_variable`` and implement
    ``update_state`` and ``result``.  ``__call__`` is ``update_state`` then ``result``.
    """

    def __init__(self, dtype=None, name: str | None = None):
        self.name = name or auto_name(to_snake_case(self.__class__.__name__))
        self._torch_dtype = config.to_torch_dtype(dtype)
        self._variables: list[MetricVariable] = []
        self._metrics: list[Metric] = []
        self._device: torch.device | None = None

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, Metric) and "_metrics" in self.__dict__ and value is not self:
            if value not in self._metrics:
                self._metrics.append(value)
        super().__setattr__(name, value)

    @property
    def dtype(self) -> str:
        return config.dtype_name(self._torch_dtype)

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation: str = "sum",
                     name: str | None = None) -> MetricVariable:
        """Create a state tensor (on the device of the data seen so far, CPU before any update)."""
        if "_variables" not in self.__dict__:
            raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` method of "
                               f"{self.__class__.__name__}. Go add it!")
        shape = tuple(int(s) for s in (shape if isinstance(shape, (tuple, list)) else (shape,)))
        tdtype = config.to_torch_dtype(dtype) if dtype is not None else self._torch_dtype
        data = _initial_value(initializer, shape, tdtype)
        if self._device is not None:
            data = data.to(self._device)
        var = MetricVariable(data, f"{self.name}/{name}" if name else self.name)
        self._variables.append(var)
        return var

    def add_weight(self, shape=(), initializer=None, dtype=None, name: str | None = None) -> MetricVariable:
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self) -> list[MetricVariable]:
        out = list(self._variables)
        for metric in self._metrics:
            out.extend(metric.variables)
        return out

    def _to_device(self, device: torch.device) -> None:
        """Move all state, in place, to ``device`` (called with the data's device on update)."""
        if self._device == device:
            return
        with torch.no_grad():
            for var in self._variables:
                if var.device != device:
                    var.data = var.data.to(device)
        self._device = device
        for metric in self._metrics:
            metric._to_device(device)

    def _follow(self, *tensors) -> torch.device | None:
        for t in tensors:
            if isinstance(t, torch.Tensor):
                self._to_device(t.device)
                return t.device
        return self._device

    def reset_state(self) -> None:
        with torch.no_grad():
            for var in self.variables:
                var.zero_()

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError(f"Metric '{self.__class__.__name__}' must implement `update_state()`.")

    def result(self):
        raise NotImplementedError(f"Metric '{self.__class__.__name__}' must implement `result()`.")

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config_: dict[str, Any]) -> "Metric":
        return cls(**config_)

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} name={self.name}>"


def reduce_to_samplewise_values(values: torch.Tensor, sample_weight, reduce_fn: Callable, dtype: torch.dtype):
    """Weight values and reduce them to one value per sample (Keras's rule for Mean/Sum)."""
    mask = get_mask(values)
    values = to_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype=dtype, device=values.device)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, to_tensor(mask, device=values.device), dtype, "sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = sample_weight.dim(), values.dim()
        if values_ndim > weight_ndim:
            values = reduce_fn(values, dim=list(range(weight_ndim, values_ndim)))
        sample_weight = torch.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, dim=list(range(1, weight_ndim)))
    if values.dim() > 1:
        values = reduce_fn(values, dim=list(range(1, values.dim())))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the values seen."""

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), name="total")

    def update_state(self, values, sample_weight=None) -> None:
        values = to_tensor(values, dtype=self._torch_dtype)
        self._follow(values)
        values, _ = reduce_to_samplewise_values(values, sample_weight, torch.sum, self._torch_dtype)
        self.total.add_(values.sum())

    def result(self) -> torch.Tensor:
        return self.total.as_subclass(torch.Tensor).clone()


class Mean(Metric):
    """The (weighted) mean of the values seen: ``total / count``."""

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), name="total")
        self.count = self.add_variable(shape=(), name="count")

    def update_state(self, values, sample_weight=None) -> None:
        values = to_tensor(values, dtype=self._torch_dtype)
        self._follow(values)  # state moves to the data's device
        with torch.no_grad():
            if isinstance(sample_weight, (int, float)) and values.dim() == 0:
                self.total.add_(values, alpha=sample_weight)  # one kernel per step
                self.count.add_(sample_weight)
                return
            values, sample_weight = reduce_to_samplewise_values(values, sample_weight, torch.mean,
                                                                self._torch_dtype)
            self.total.add_(values.sum())
            if sample_weight is not None:
                self.count.add_(sample_weight.sum())
            else:
                self.count.add_(values.shape[0] if values.dim() >= 1 else 1)

    def result(self) -> torch.Tensor:
        count = self.count.as_subclass(torch.Tensor)
        total = self.total.as_subclass(torch.Tensor)
        return torch.where(count != 0, total / torch.where(count != 0, count, 1), torch.zeros_like(total))


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function ``fn(y_true, y_pred, **kwargs)`` over everything seen."""

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        if not callable(fn):
            raise TypeError(f"`fn` must be callable. Received: {fn!r}")
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        mask = get_mask(y_pred)
        with torch.no_grad():
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
            if mask is not None:
                values = to_tensor(values)
                sample_weight = apply_mask(
                    None if sample_weight is None else to_tensor(sample_weight, device=values.device),
                    to_tensor(mask, device=values.device), self._torch_dtype, "sum")
            super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict[str, Any]:
        config_ = super().get_config()
        config_["fn"] = getattr(self._fn, "__name__", repr(self._fn))
        config_.update(self._fn_kwargs)
        return config_

    @classmethod
    def from_config(cls, config_: dict[str, Any]) -> "MeanMetricWrapper":
        config_ = dict(config_)
        if "fn" not in config_:
            return cls(**config_)
        fn = config_.pop("fn")
        if isinstance(fn, dict):
            fn = fn.get("config")
        if isinstance(fn, str):
            from kerastorch import metrics  # local import: the package's name table is built from these classes
            fn = metrics.get(fn)
        return cls(fn, **config_)
