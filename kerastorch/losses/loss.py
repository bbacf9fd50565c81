"""The ``Loss`` base class and Keras 3's reduction / masking rules.

Kept separate from ``losses.py`` because metrics reuse ``squeeze_or_expand_to_same_rank``
and ``apply_mask`` exactly as Keras's metrics reuse them.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch._core import config
from kerastorch._core.naming import auto_name, to_snake_case

REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction):
    if reduction == "auto":  # Keras 2 configs say "auto"; it meant sum over batch size.
        return "sum_over_batch_size"
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of {REDUCTIONS}. "
                         f"Received: reduction={reduction!r}")
    return reduction


def to_tensor(x, dtype: torch.dtype | None = None, device: torch.device | None = None) -> torch.Tensor:
    """Convert numpy/lists/scalars to a tensor; cast and move only when needed."""
    if not isinstance(x, torch.Tensor):
        x = np.asarray(x)
        if dtype is None and x.dtype == np.float64:  # Python floats/lists become floatx, as in Keras
            dtype = config.to_torch_dtype(None)
        x = torch.as_tensor(x)
    if (dtype is not None and x.dtype != dtype) or (device is not None and x.device != device):
        x = x.to(device=device if device is not None else x.device, dtype=dtype or x.dtype,
                 non_blocking=True)
    return x


def get_mask(x):
    """The Keras mask carried by a tensor (``tensor._keras_mask``), or None."""
    return getattr(x, "_keras_mask", None)


def squeeze_or_expand_to_same_rank(x1: torch.Tensor, x2: torch.Tensor, expand_rank_1: bool = True):
    """Squeeze/expand the last dim when the ranks differ by exactly one (Keras rule)."""
    r1, r2 = x1.dim(), x2.dim()
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def apply_mask(sample_weight, mask, dtype: torch.dtype, reduction):
    """Merge a boolean mask into the sample weights.

    For "mean"/"sum_over_batch_size" the valid entries are rescaled by
    ``total / valid`` so that dividing by the element count afterwards yields
    the mean over valid entries only (Keras 3 ``apply_mask``).
    """
    if mask is None:
        return sample_weight
    mask = mask.to(dtype)
    if reduction in ("mean", "sum_over_batch_size"):
        total = float(mask.numel())
        valid = mask.sum()
        mask = mask * torch.where(valid > 0, total / valid.clamp_min(1e-38), torch.zeros_like(valid))
    if sample_weight is not None:
        sample_weight = sample_weight.to(dtype)
        mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
        return sample_weight * mask
    return mask


def reduce_values(values: torch.Tensor, sample_weight=None, reduction="sum_over_batch_size"):
    if reduction is None or reduction == "none" or values.dim() == 0 or tuple(values.shape) == (0,):
        return values
    loss = values.sum()
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = sample_weight.sum().to(loss.dtype)
            loss = torch.where(divisor != 0, loss / torch.where(divisor != 0, divisor, 1), 0)
        else:
            n = values.numel()
            loss = loss / n if n > 0 else loss
    return loss


def reduce_weighted_values(values: torch.Tensor, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype: torch.dtype | None = None):
    """Weight per-sample losses by ``sample_weight`` and ``mask``, then reduce (Keras 3 rules)."""
    reduction = standardize_reduction(reduction)
    values = to_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype=values.dtype, device=values.device)
    if mask is not None:
        mask = to_tensor(mask, device=values.device)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


class Loss:
    """Base class of losses (``keras.losses.Loss``).

    Subclasses implement ``call(y_true, y_pred)`` returning per-sample losses;
    ``__call__`` converts the inputs to the loss dtype, applies sample weights
    and masks, and reduces.

    Args:
        name: the loss name (default: snake-cased class name).
        reduction: "sum_over_batch_size" (default; weighted sum / number of elements), "sum",
            "mean" (same as sum_over_batch_size), "mean_with_sample_weight" (weighted sum / sum of
            weights), "none"/None (no reduction).
        dtype: computation dtype (default ``floatx()``); inputs are cast to it.
    """

    def __init__(self, name: str | None = None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or auto_name(to_snake_case(self.__class__.__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = config.to_torch_dtype(dtype)

    @property
    def dtype(self) -> str:
        return config.dtype_name(self._dtype)

    def __call__(self, y_true, y_pred, sample_weight=None, mask=None) -> torch.Tensor:
        if sample_weight is None and mask is None and type(y_pred) is torch.Tensor \
                and y_pred.dtype == self._dtype and getattr(y_pred, "_keras_mask", None) is None \
                and self.reduction == "sum_over_batch_size" and isinstance(y_true, torch.Tensor):
            # The per-step fast path: no weights, no masks, mean reduction.
            fused = self._fused_mean(y_true, y_pred)
            if fused is not None:
                return fused
            losses = self.call(y_true, y_pred)
            if getattr(losses, "_keras_mask", None) is None and losses.dtype == self._dtype and losses.dim():
                return losses.mean()
            return reduce_weighted_values(losses, mask=get_mask(losses), reduction=self.reduction,
                                          dtype=self._dtype)
        in_mask = mask if mask is not None else get_mask(y_pred)
        y_pred = to_tensor(y_pred, dtype=self._dtype)
        y_true = to_tensor(y_true, dtype=self._dtype, device=y_pred.device)
        losses = self.call(y_true, y_pred)
        out_mask = get_mask(losses)
        if in_mask is not None:
            in_mask = to_tensor(in_mask, dtype=torch.bool, device=y_pred.device)
        if in_mask is not None and out_mask is not None:
            in_mask, out_mask = squeeze_or_expand_to_same_rank(in_mask, out_mask)
            mask = in_mask & out_mask
        else:
            mask = in_mask if in_mask is not None else out_mask
        if sample_weight is None and mask is None:
            return reduce_values(to_tensor(losses, dtype=self._dtype), None, self.reduction)
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask,
                                      reduction=self.reduction, dtype=self._dtype)

    def _fused_mean(self, y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor | None:
        """The unweighted mean loss as one fused torch kernel where one exists, else None.

        Same value as ``mean(call(y_true, y_pred))`` up to float rounding; fewer autograd nodes.
        """
        return None

    def call(self, y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError(f"Loss '{self.__class__.__name__}' must implement `call()`.")

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Loss":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} name={self.name}>"

