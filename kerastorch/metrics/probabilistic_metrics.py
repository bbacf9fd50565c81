"""Crossentropy, KL/Poisson and hinge metrics: running means of the matching Keras losses."""
from __future__ import annotations

from typing import Any

from kerastorch.losses import losses as _losses
from kerastorch.metrics.base import MeanMetricWrapper


class _LossMetric(MeanMetricWrapper):
    _fn_static = None
    _default_name = ""

    def __init__(self, name: str | None = None, dtype=None, **kwargs):
        super().__init__(type(self)._fn_static, name=name or self._default_name, dtype=dtype, **kwargs)
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config_: dict[str, Any]):
        return cls(**config_)


class KLDivergence(_LossMetric):
    """Running mean of the Kullback-Leibler divergence."""
    _fn_static = staticmethod(_losses.kl_divergence)
    _default_name = "kl_divergence"

    def __init__(self, name: str = "kl_divergence", dtype=None):
        super().__init__(name=name, dtype=dtype)


class Poisson(_LossMetric):
    """Running mean of the Poisson loss."""
    _fn_static = staticmethod(_losses.poisson)
    _default_name = "poisson"

    def __init__(self, name: str = "poisson", dtype=None):
        super().__init__(name=name, dtype=dtype)


class Hinge(_LossMetric):
    """Running mean of the hinge loss."""
    _fn_static = staticmethod(_losses.hinge)
    _default_name = "hinge"

    def __init__(self, name: str = "hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)


class SquaredHinge(_LossMetric):
    """Running mean of the squared hinge loss."""
    _fn_static = staticmethod(_losses.squared_hinge)
    _default_name = "squared_hinge"

    def __init__(self, name: str = "squared_hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)


class CategoricalHinge(_LossMetric):
    """Running mean of the categorical hinge loss."""
    _fn_static = staticmethod(_losses.categorical_hinge)
    _default_name = "categorical_hinge"

    def __init__(self, name: str = "categorical_hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)


class BinaryCrossentropy(_LossMetric):
    """Running mean of the binary crossentropy."""
    _fn_static = staticmethod(_losses.binary_crossentropy)

    def __init__(self, name: str = "binary_crossentropy", dtype=None, from_logits: bool = False,
                 label_smoothing: float = 0.0):
        super().__init__(name=name, dtype=dtype, from_logits=from_logits, label_smoothing=label_smoothing)


class CategoricalCrossentropy(_LossMetric):
    """Running mean of the categorical crossentropy."""
    _fn_static = staticmethod(_losses.categorical_crossentropy)

    def __init__(self, name: str = "categorical_crossentropy", dtype=None, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1):
        super().__init__(name=name, dtype=dtype, from_logits=from_logits, label_smoothing=label_smoothing,
                         axis=axis)


class SparseCategoricalCrossentropy(_LossMetric):
    """Running mean of the sparse categorical crossentropy."""
    _fn_static = staticmethod(_losses.sparse_categorical_crossentropy)

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype=None, from_logits: bool = False,
                 ignore_class: int | None = None, axis: int = -1):
        super().__init__(name=name, dtype=dtype, from_logits=from_logits, ignore_class=ignore_class, axis=axis)
