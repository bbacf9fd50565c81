"""Keras loss functions (per-sample, reduced over the last axis) and their ``Loss`` classes.

Formulas follow Keras 3 with its torch backend (``keras/src/losses/losses.py`` and
``keras/src/backend/torch/nn.py``), including the epsilon clipping of
probabilities, so values match Keras to float32 precision.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import torch
import torch.nn.functional as F

from kerastorch._core import config
from kerastorch.losses.loss import Loss, squeeze_or_expand_to_same_rank, to_tensor

# Label range checks on accelerator tensors need a host sync; they are done for
# the first few calls only (CPU tensors are always checked, for free).
_DEVICE_LABEL_CHECKS_LEFT = 16


def _pair(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor]:
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(config.to_torch_dtype(None))
    return to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device), y_pred


def _normalize(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """L2 normalisation as ``keras.ops.normalize``: ``x * min(rsqrt(sum(x**2)), 1/epsilon)``."""
    inv_norm = torch.rsqrt(torch.sum(x * x, dim=axis, keepdim=True))
    return x * torch.clamp(inv_norm, max=1.0 / config.epsilon())


def _shape_error(loss_name: str, y_true: torch.Tensor, y_pred: torch.Tensor, expected: str) -> ValueError:
    return ValueError(f"Invalid shapes for loss `{loss_name}`: received y_true.shape={tuple(y_true.shape)} "
                      f"and y_pred.shape={tuple(y_pred.shape)}. {expected}")


# ---------------------------------------------------------------------------- regression
def mean_squared_error(y_true, y_pred) -> torch.Tensor:
    """``mean(square(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    return torch.mean(torch.square(y_true - y_pred), dim=-1)


def mean_absolute_error(y_true, y_pred) -> torch.Tensor:
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    return torch.mean(torch.abs(y_true - y_pred), dim=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> torch.Tensor:
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)``."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    diff = torch.abs((y_true - y_pred) / torch.clamp(torch.abs(y_true), min=config.epsilon()))
    return 100.0 * torch.mean(diff, dim=-1)


def mean_squared_logarithmic_error(y_true, y_pred) -> torch.Tensor:
    """``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)``."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    eps = config.epsilon()
    first = torch.log(torch.clamp(y_pred, min=eps) + 1.0)
    second = torch.log(torch.clamp(y_true, min=eps) + 1.0)
    return torch.mean(torch.square(first - second), dim=-1)


def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` (a loss: -1 is best)."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    return -torch.sum(_normalize(y_true, axis) * _normalize(y_pred, axis), dim=axis)


def huber(y_true, y_pred, delta: float = 1.0) -> torch.Tensor:
    """Quadratic for ``|error| <= delta``, linear beyond; mean over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    error = y_pred - y_true
    abs_error = torch.abs(error)
    return torch.mean(torch.where(abs_error <= delta, 0.5 * torch.square(error),
                                  delta * abs_error - 0.5 * delta * delta), dim=-1)


def log_cosh(y_true, y_pred) -> torch.Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)`` computed stably as ``x + softplus(-2x) - log 2``."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    x = y_pred - y_true
    return torch.mean(x + F.softplus(-2.0 * x) - math.log(2.0), dim=-1)


# ---------------------------------------------------------------------------- hinge
def _convert_binary_labels_to_hinge(y_true: torch.Tensor) -> torch.Tensor:
    """0/1 labels become -1/1; other labels are left alone (decided on device, no sync)."""
    is_binary = torch.all((y_true == 0) | (y_true == 1))
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred) -> torch.Tensor:
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)`` with 0/1 labels mapped to -1/1."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _convert_binary_labels_to_hinge(y_true)
    return torch.mean(torch.clamp(1.0 - y_true * y_pred, min=0.0), dim=-1)


def squared_hinge(y_true, y_pred) -> torch.Tensor:
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`` with 0/1 labels mapped to -1/1."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _convert_binary_labels_to_hinge(y_true)
    return torch.mean(torch.square(torch.clamp(1.0 - y_true * y_pred, min=0.0)), dim=-1)


def categorical_hinge(y_true, y_pred) -> torch.Tensor:
    """``maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    pos = torch.sum(y_true * y_pred, dim=-1)
    neg = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.clamp(neg - pos + 1.0, min=0.0)


# ---------------------------------------------------------------------------- probabilistic
def kl_divergence(y_true, y_pred) -> torch.Tensor:
    """``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to ``[epsilon, 1]``."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = config.epsilon()
    y_true = torch.clamp(y_true, eps, 1.0)
    y_pred = torch.clamp(y_pred, eps, 1.0)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


def poisson(y_true, y_pred) -> torch.Tensor:
    """``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return torch.mean(y_pred - y_true * torch.log(y_pred + config.epsilon()), dim=-1)


def _check_axis(axis) -> None:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis!r} of type {type(axis)}")


def _categorical_log_probs(output: torch.Tensor, from_logits: bool, axis: int) -> torch.Tensor:
    if from_logits:
        return F.log_softmax(output, dim=axis)
    eps = config.epsilon()
    output = output / torch.sum(output, dim=axis, keepdim=True)
    return torch.log(torch.clamp(output, eps, 1.0 - eps))


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1) -> torch.Tensor:
    """``-sum(y_true * log(p), axis)``; probabilities are renormalised and clipped to [eps, 1-eps].

    With ``label_smoothing`` the one-hot targets become ``y * (1 - ls) + ls / num_classes``.
    """
    _check_axis(axis)
    y_true, y_pred = _pair(y_true, y_pred)
    if y_pred.dim() > 0 and y_pred.shape[-1] == 1:
        warnings.warn("In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, "
                      f"num_classes) with num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. "
                      "Consider using 'binary_crossentropy' if you only have 2 classes.",
                      SyntaxWarning, stacklevel=2)
    if y_true.shape != y_pred.shape or y_pred.dim() < 1:
        raise _shape_error("categorical_crossentropy", y_true, y_pred,
                           "y_true must be one-hot with the same shape as y_pred; for integer class labels "
                           "use `sparse_categorical_crossentropy`.")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    return -torch.sum(y_true * _categorical_log_probs(y_pred, from_logits, axis), dim=axis)


def _check_sparse_labels(target: torch.Tensor, num_classes: int, y_pred: torch.Tensor) -> None:
    global _DEVICE_LABEL_CHECKS_LEFT
    if target.device.type != "cpu":
        # On a GPU the check is a host sync: run it on the first calls only, where a wrong number
        # of output units shows up.
        if _DEVICE_LABEL_CHECKS_LEFT <= 0:
            return
        _DEVICE_LABEL_CHECKS_LEFT -= 1
    if not target.numel() or torch.compiler.is_compiling():
        # A compiled step (jit_compile=True) must not read tensors on the host: its first batch
        # runs eagerly and is checked here; later out-of-range labels fail in the gather kernel.
        return
    low, high = (int(v) for v in torch.aminmax(target))  # one reduction
    if low < 0 or high >= num_classes:
        raise ValueError(f"Invalid labels for loss `sparse_categorical_crossentropy`: labels must be in "
                         f"[0, {num_classes}) for y_pred.shape={tuple(y_pred.shape)} ({num_classes} "
                         f"classes), but found labels in [{low}, {high}] (y_true.shape="
                         f"{tuple(target.shape)}). Check the number of units of the output layer.")


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False, ignore_class: int | None = None,
                                   axis: int = -1) -> torch.Tensor:
    """Categorical crossentropy with integer labels, shaped like ``y_pred`` without the class axis.

    Labels of shape ``(N,)`` or ``(N, 1)``, int or float, are accepted.  With
    ``ignore_class`` those entries get loss 0 and are masked out of the mean.
    """
    _check_axis(axis)
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(config.to_torch_dtype(None))
    y_true = to_tensor(y_true, device=y_pred.device)
    if y_pred.dim() < 1:
        raise _shape_error("sparse_categorical_crossentropy", y_true, y_pred, "y_pred must be at least rank 1.")
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    valid_mask = None
    if ignore_class is not None:
        valid_mask = y_true != ignore_class
        y_true = y_true * valid_mask.to(y_true.dtype)
        y_pred = y_pred * valid_mask.unsqueeze(-1).to(y_pred.dtype)
    axis = axis % y_pred.dim()
    expected = list(y_pred.shape[:axis]) + list(y_pred.shape[axis + 1:])
    if list(y_true.shape) != expected:
        raise _shape_error("sparse_categorical_crossentropy", y_true, y_pred,
                           "y_true must hold integer class indices shaped like y_pred without its class "
                           "axis (e.g. (batch,) or (batch, 1)); for one-hot labels use "
                           "`categorical_crossentropy`.")
    target = y_true.long()
    num_classes = y_pred.shape[axis]
    _check_sparse_labels(target, num_classes, y_pred)
    log_prob = _categorical_log_probs(y_pred, from_logits, axis)
    in_range = (target >= 0) & (target < num_classes)
    picked = log_prob.gather(axis, target.clamp(0, num_classes - 1).unsqueeze(axis)).squeeze(axis)
    res = -picked * in_range.to(picked.dtype)  # out-of-range labels: one-hot of zeros, as in Keras
    if valid_mask is not None:
        res = torch.where(valid_mask, res, torch.zeros_like(res))
        res._keras_mask = valid_mask
    return res


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> torch.Tensor:
    """Mean over ``axis`` of ``-(y log p + (1-y) log(1-p))``, ``p`` clipped to [eps, 1-eps].

    With ``label_smoothing`` targets are squeezed towards 0.5: ``y * (1 - ls) + 0.5 * ls``.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return torch.mean(_binary_crossentropy(y_true, y_pred, from_logits), dim=axis)


def _binary_crossentropy(target: torch.Tensor, output: torch.Tensor, from_logits: bool) -> torch.Tensor:
    if target.shape != output.shape:
        raise _shape_error("binary_crossentropy", target, output,
                           "y_true and y_pred must have the same shape (e.g. both (batch, 1)).")
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    # Same as torch's binary_cross_entropy (log clamped at -100) but without its
    # device-side range assert, so NaN predictions give a NaN loss instead of a crash.
    return -(target * torch.clamp(torch.log(output), min=-100.0)
             + (1.0 - target) * torch.clamp(torch.log1p(-output), min=-100.0))


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing: bool = False, alpha: float = 0.25,
                              gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1) -> torch.Tensor:
    """Binary crossentropy scaled by the focal factor ``(1 - p_t) ** gamma`` (Lin et al., 2018)."""
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = torch.sigmoid(y_pred)
    bce = _binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return torch.mean(focal_bce, dim=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha: float = 0.25, gamma: float = 2.0,
                                   from_logits: bool = False, label_smoothing: float = 0.0,
                                   axis: int = -1) -> torch.Tensor:
    """Categorical crossentropy weighted by ``alpha * (1 - p) ** gamma`` per class."""
    _check_axis(axis)
    y_true, y_pred = _pair(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise _shape_error("categorical_focal_crossentropy", y_true, y_pred,
                           "y_true must be one-hot with the same shape as y_pred.")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = torch.softmax(y_pred, dim=axis)
    eps = config.epsilon()
    output = torch.clamp(y_pred / torch.sum(y_pred, dim=axis, keepdim=True), eps, 1.0 - eps)
    cce = -y_true * torch.log(output)
    if not isinstance(alpha, (int, float)):  # per-class weights
        alpha = torch.as_tensor(alpha, dtype=output.dtype, device=output.device)
    return torch.sum(torch.pow(1.0 - output, gamma) * alpha * cce, dim=axis)


# Keras 2 / legacy spellings.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
bce = binary_crossentropy


# ---------------------------------------------------------------------------- classes
_FUSED_MEAN_KERNELS = {mean_squared_error: F.mse_loss, mean_absolute_error: F.l1_loss}


class LossFunctionWrapper(Loss):
    """A ``Loss`` around a per-sample function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, reduction="sum_over_batch_size", name: str | None = None, dtype=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"`fn` must be callable. Received: {fn!r}")
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def _fused_mean(self, y_true, y_pred):
        # With equal shapes the mean over the last axis then over the batch is the mean of all
        # elements, which torch computes in one kernel (and one backward node).
        kernel = _FUSED_MEAN_KERNELS.get(self.fn)
        if kernel is None or self._fn_kwargs or y_true.shape != y_pred.shape or y_true.dtype != y_pred.dtype \
                or not y_pred.dim():
            return None
        return kernel(y_pred, y_true)

    def get_config(self) -> dict[str, Any]:
        config_ = super().get_config()
        config_["fn"] = getattr(self.fn, "__name__", repr(self.fn))
        config_.update(self._fn_kwargs)
        return config_

    @classmethod
    def from_config(cls, config_: dict[str, Any]) -> "LossFunctionWrapper":
        config_ = dict(config_)
        if "fn" not in config_:  # subclasses (BinaryCrossentropy, ...) rebuild from their own arguments
            return cls(**config_)
        fn = config_.pop("fn")
        if isinstance(fn, dict):  # Keras 3 serialized function
            fn = fn.get("config")
        if isinstance(fn, str):
            from kerastorch.losses import get  # local import: the package's name table is built from these classes
            fn = get(fn)
        return cls(fn, **config_)

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}, kwargs={self._fn_kwargs})>"


class _SimpleWrapper(LossFunctionWrapper):
    """A wrapper whose config is just ``name`` and ``reduction`` (Keras's regression/hinge losses)."""

    _fn = None
    _default_name = ""

    def __init__(self, reduction="sum_over_batch_size", name: str | None = None, dtype=None):
        super().__init__(type(self)._fn, name=name or self._default_name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)

    @classmethod
    def from_config(cls, config_: dict[str, Any]):
        return cls(**config_)


def _simple(class_name: str, fn, default_name: str, doc: str) -> type:
    # A real __init__ per class so that inspect.signature shows Keras's default name.
    def __init__(self, reduction="sum_over_batch_size", name: str | None = default_name, dtype=None):
        _SimpleWrapper.__init__(self, reduction=reduction, name=name, dtype=dtype)

    return type(class_name, (_SimpleWrapper,), {"_fn": staticmethod(fn), "_default_name": default_name,
                                                "__init__": __init__, "__doc__": doc, "__module__": __name__})


MeanSquaredError = _simple("MeanSquaredError", mean_squared_error, "mean_squared_error",
                           "Mean of squares of errors: ``mean(square(y_true - y_pred))``.")
MeanAbsoluteError = _simple("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error",
                            "Mean absolute error: ``mean(abs(y_true - y_pred))``.")
MeanAbsolutePercentageError = _simple("MeanAbsolutePercentageError", mean_absolute_percentage_error,
                                      "mean_absolute_percentage_error",
                                      "``100 * mean(abs((y_true - y_pred) / y_true))``.")
MeanSquaredLogarithmicError = _simple("MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
                                      "mean_squared_logarithmic_error",
                                      "``mean(square(log(y_true + 1) - log(y_pred + 1)))``.")
LogCosh = _simple("LogCosh", log_cosh, "log_cosh", "``mean(log(cosh(y_pred - y_true)))``.")
Hinge = _simple("Hinge", hinge, "hinge", "``maximum(1 - y_true * y_pred, 0)``; 0/1 labels become -1/1.")
SquaredHinge = _simple("SquaredHinge", squared_hinge, "squared_hinge",
                       "``square(maximum(1 - y_true * y_pred, 0))``; 0/1 labels become -1/1.")
CategoricalHinge = _simple("CategoricalHinge", categorical_hinge, "categorical_hinge",
                           "``maximum(neg - pos + 1, 0)`` for one-hot labels.")
KLDivergence = _simple("KLDivergence", kl_divergence, "kl_divergence",
                       "Kullback-Leibler divergence ``y_true * log(y_true / y_pred)``.")
Poisson = _simple("Poisson", poisson, "poisson", "``y_pred - y_true * log(y_pred)``.")


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity along ``axis`` (-1 means identical directions)."""

    def __init__(self, axis: int = -1, reduction="sum_over_batch_size", name: str = "cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic within ``delta``, linear outside."""

    def __init__(self, delta: float = 1.0, reduction="sum_over_batch_size", name: str = "huber_loss",
                 dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary crossentropy; ``from_logits=True`` uses the stable sigmoid formulation."""

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction="sum_over_batch_size", name: str = "binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        config_ = Loss.get_config(self)
        config_.update({"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                        "axis": self.axis})
        return config_


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary focal crossentropy (down-weights easy examples)."""

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25, gamma: float = 2.0,
                 from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction="sum_over_batch_size", name: str = "binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        config_ = Loss.get_config(self)
        config_.update({"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                        "axis": self.axis, "apply_class_balancing": self.apply_class_balancing,
                        "alpha": self.alpha, "gamma": self.gamma})
        return config_


class CategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy for one-hot labels; ``from_logits=True`` uses ``log_softmax``."""

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction="sum_over_batch_size", name: str = "categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        config_ = Loss.get_config(self)
        config_.update({"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                        "axis": self.axis})
        return config_


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Alpha-balanced focal crossentropy for one-hot labels."""

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1, reduction="sum_over_batch_size",
                 name: str = "categorical_focal_crossentropy", dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.alpha = alpha
        self.gamma = gamma
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        config_ = Loss.get_config(self)
        config_.update({"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                        "axis": self.axis, "alpha": self.alpha, "gamma": self.gamma})
        return config_


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy for integer labels; ``ignore_class`` entries are masked out."""

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction="sum_over_batch_size", axis: int = -1, name: str = "sparse_categorical_crossentropy",
                 dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class

    def get_config(self) -> dict[str, Any]:
        config_ = Loss.get_config(self)
        config_.update({"from_logits": self.from_logits, "ignore_class": self.ignore_class})
        return config_


# ---------------------------------------------------------------------------- overlap / metric-learning / sequence
def _axis_sum(x: torch.Tensor, axis) -> torch.Tensor:
    """``sum(x, axis)`` with ``axis=None`` meaning every axis, as ``keras.ops.sum``."""
    if axis is None:
        return torch.sum(x)
    return torch.sum(x, dim=tuple(axis) if isinstance(axis, (list, tuple)) else axis)


def dice(y_true, y_pred, axis=None) -> torch.Tensor:
    """``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)`` over ``axis``.

    ``axis=None`` reduces every axis (one value for the whole batch), as in Keras.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    intersection = _axis_sum(y_true * y_pred, axis)
    denominator = _axis_sum(y_true, axis) + _axis_sum(y_pred, axis) + config.epsilon()
    return 1.0 - 2.0 * intersection / denominator


def tversky(y_true, y_pred, alpha: float = 0.5, beta: float = 0.5, axis=None) -> torch.Tensor:
    """``1 - TP / (TP + alpha * FP + beta * FN + epsilon)`` with soft counts over ``axis``.

    Keras's naming: ``FP = sum((1 - y_pred) * y_true)`` and ``FN = sum(y_pred * (1 - y_true))``.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    intersection = _axis_sum(y_true * y_pred, axis)
    fp = _axis_sum((1.0 - y_pred) * y_true, axis)
    fn = _axis_sum(y_pred * (1.0 - y_true), axis)
    return 1.0 - intersection / (intersection + fp * alpha + fn * beta + config.epsilon())


def _pos_neg_masks(query_labels: torch.Tensor, key_labels: torch.Tensor, remove_diagonal: bool = True):
    query_labels = query_labels.reshape(-1, 1)
    key_labels = key_labels.reshape(-1, 1)
    positive = query_labels == key_labels.T
    negative = ~positive
    if remove_diagonal:
        eye = torch.eye(query_labels.numel(), key_labels.numel(), dtype=torch.bool, device=positive.device)
        positive = positive & ~eye
    return positive, negative


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal: bool = True,
           gamma: float = 80, margin: float = 0.4) -> torch.Tensor:
    """Circle loss (Sun et al., 2020) for integer labels ``(N,)`` and unit-norm embeddings ``(N, D)``.

    Per query: ``softplus(logsumexp(pos terms) + logsumexp(neg terms))`` over the cosine distances to
    the references (the batch itself by default).  Entries with loss 0 are masked out of the mean.
    """
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(config.to_torch_dtype(None))
    y_true = to_tensor(y_true, device=y_pred.device).to(torch.int32)
    ref_embeddings = y_pred if ref_embeddings is None else to_tensor(ref_embeddings, dtype=y_pred.dtype,
                                                                    device=y_pred.device)
    ref_labels = y_true if ref_labels is None else to_tensor(ref_labels, device=y_pred.device).to(torch.int32)
    distances = torch.clamp(1.0 - y_pred @ ref_embeddings.T, min=0.0)
    positive, negative = _pos_neg_masks(y_true, ref_labels, remove_diagonal)
    pos_weights = torch.clamp((margin + distances) * positive.to(distances.dtype), min=0.0)
    neg_weights = torch.clamp((1.0 + margin - distances) * negative.to(distances.dtype), min=0.0)
    pos_terms = -gamma * pos_weights * (margin - distances)
    neg_terms = gamma * neg_weights * ((1.0 - margin) - distances)
    minus_inf = torch.tensor(float("-inf"), dtype=distances.dtype, device=distances.device)
    p_loss = torch.logsumexp(torch.where(positive, pos_terms, minus_inf), dim=1)
    n_loss = torch.logsumexp(torch.where(negative, neg_terms, minus_inf), dim=1)
    loss = F.softplus(p_loss + n_loss)
    loss._keras_mask = loss > 0
    return loss


def categorical_generalized_cross_entropy(y_true, y_pred, q: float) -> torch.Tensor:
    """``(1 - p ** q) / q`` with ``p`` the predicted probability of the integer label (Zhang & Sabuncu, 2018)."""
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(config.to_torch_dtype(None))
    labels = to_tensor(y_true, device=y_pred.device).long()
    one_hot = F.one_hot(labels, num_classes=y_pred.shape[-1]).to(y_pred.dtype)
    p = torch.sum(y_pred * one_hot, dim=-1)
    return (1.0 - torch.pow(p, q)) / q


def ctc(y_true, y_pred) -> torch.Tensor:
    """CTC loss per sample: integer labels ``(batch, max_label_length)`` padded with 0 (the blank),
    logits ``(batch, time, num_classes)``; every output sequence uses its full length."""
    y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    if y_true.dim() != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` "
                         f"in integer format. Received: y_true.shape={tuple(y_true.shape)}")
    if y_pred.dim() != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape "
                         f"`(batch_size, max_length, num_classes)`. Received: y_pred.shape={tuple(y_pred.shape)}")
    if not y_pred.is_floating_point() or y_pred.dtype in (torch.float16, torch.bfloat16):
        y_pred = y_pred.float()
    batch, time = y_pred.shape[0], y_pred.shape[1]
    targets = y_true.long()
    label_length = torch.sum(targets != 0, dim=-1)
    input_length = torch.full((batch,), time, dtype=torch.long, device=y_pred.device)
    log_probs = F.log_softmax(y_pred.transpose(0, 1), dim=-1)
    return F.ctc_loss(log_probs, targets, input_length, label_length, blank=0, reduction="none")


class CTC(LossFunctionWrapper):
    """Connectionist Temporal Classification loss (label 0 is the blank / padding)."""

    def __init__(self, reduction="sum_over_batch_size", name: str = "ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class Dice(LossFunctionWrapper):
    """Dice loss ``1 - 2 * |y ∩ p| / (|y| + |p|)`` for segmentation masks."""

    def __init__(self, reduction="sum_over_batch_size", name: str = "dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        config_ = Loss.get_config(self)
        config_.update({"axis": self.axis})
        return config_


class Tversky(LossFunctionWrapper):
    """Tversky loss: Dice with separate weights ``alpha`` (false positives) and ``beta`` (false negatives)."""

    def __init__(self, alpha: float = 0.5, beta: float = 0.5, reduction="sum_over_batch_size",
                 name: str = "tversky", axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha, beta=beta, axis=axis)
        self.alpha = alpha
        self.beta = beta
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        config_ = Loss.get_config(self)
        config_.update({"alpha": self.alpha, "beta": self.beta, "axis": self.axis})
        return config_


class Circle(LossFunctionWrapper):
    """Circle loss between integer labels and L2-normalised embeddings (metric learning)."""

    def __init__(self, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True,
                 reduction="sum_over_batch_size", name: str = "circle", dtype=None):
        super().__init__(circle, name=name, reduction=reduction, dtype=dtype, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)
        self.gamma = gamma
        self.margin = margin
        self.remove_diagonal = remove_diagonal

    def get_config(self) -> dict[str, Any]:
        config_ = Loss.get_config(self)
        config_.update({"gamma": self.gamma, "margin": self.margin, "remove_diagonal": self.remove_diagonal})
        return config_


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Noise-robust generalized crossentropy ``(1 - p ** q) / q`` for integer labels, ``0 < q < 1``."""

    def __init__(self, q: float = 0.5, reduction="sum_over_batch_size",
                 name: str = "categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError(f"`q` must be in the interval (0, 1). Received: q={q!r}")
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction, dtype=dtype, q=q)
        self.q = q

    def get_config(self) -> dict[str, Any]:
        config_ = Loss.get_config(self)
        config_.update({"q": self.q})
        return config_
