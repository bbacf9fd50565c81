"""Confusion-matrix metrics: TP/FP/TN/FN counts, Precision, Recall and AUC (Keras 3 formulas).

``update_confusion_matrix_variables`` follows ``keras/src/metrics/metrics_utils.py``:
a prediction is positive when strictly greater than a threshold.  Evenly spaced
thresholds (AUC's default) use Keras's O(N + T) bucket algorithm, done with
``index_add_`` so that no host synchronisation happens.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch._core import config
from kerastorch.losses.loss import squeeze_or_expand_to_same_rank, to_tensor
from kerastorch.metrics.base import Metric

NEG_INF = -1e10
TP, FP, TN, FN = "tp", "fp", "tn", "fn"


def _to_list(x) -> list:
    if isinstance(x, (list, tuple)):
        return list(x)
    if isinstance(x, np.ndarray):
        return x.tolist()
    return [x]


def parse_init_thresholds(thresholds, default_threshold: float = 0.5) -> list[float]:
    if thresholds is not None:
        invalid = [t for t in _to_list(thresholds) if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return [float(t) for t in _to_list(default_threshold if thresholds is None else thresholds)]


def is_evenly_distributed_thresholds(thresholds) -> bool:
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=config.epsilon()))


def _divide_no_nan(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    safe = torch.where(b != 0, b, torch.ones_like(b))
    return torch.where(b != 0, a / safe, torch.zeros_like(a))


_THRESHOLD_TENSORS: dict[tuple, torch.Tensor] = {}


def _thresholds_tensor(thresholds, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Thresholds as a tensor on ``device``, cached so updates do not copy them from the host each time."""
    key = (tuple(float(t) for t in thresholds), dtype, device)
    tensor = _THRESHOLD_TENSORS.get(key)
    if tensor is None:
        if len(_THRESHOLD_TENSORS) > 64:
            _THRESHOLD_TENSORS.clear()
        tensor = _THRESHOLD_TENSORS[key] = torch.as_tensor(
            np.asarray(thresholds, dtype=np.float32), dtype=dtype, device=device)
    return tensor


def _filter_top_k(x: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the top-k values of the last axis, set the others to NEG_INF (ties: lowest index first)."""
    idx = torch.sort(x, dim=-1, descending=True, stable=True).indices[..., :k]
    mask = torch.zeros_like(x).scatter_(-1, idx, 1.0)
    return x * mask + NEG_INF * (1 - mask)


def update_confusion_matrix_variables(variables: dict[str, torch.Tensor], y_true, y_pred, thresholds,
                                      top_k: int | None = None, class_id: int | None = None,
                                      sample_weight=None, multi_label: bool = False, label_weights=None,
                                      thresholds_distributed_evenly: bool = False) -> None:
    """Add weighted TP/FP/TN/FN counts per threshold into ``variables`` (keys "tp", "fp", "tn", "fn").

    ``y_pred > threshold`` is a positive prediction; ``y_true`` is cast to bool.
    With ``multi_label`` the counts have shape ``(num_thresholds, num_labels)``.
    """
    if multi_label and label_weights is not None:
        raise ValueError("`label_weights` for multilabel data should be handled outside of "
                         "`update_confusion_matrix_variables` when `multi_label` is True.")
    invalid = [k for k in variables if k not in (TP, FP, TN, FN)]
    if invalid or not variables:
        raise ValueError(f"Invalid confusion matrix keys: {invalid}. Valid keys are {[TP, FP, TN, FN]}.")
    var = next(iter(variables.values()))
    dtype, device = var.dtype, var.device
    y_pred = to_tensor(y_pred, dtype=dtype, device=device)
    y_true = to_tensor(y_true, dtype=dtype, device=device)
    with_epsilon = thresholds_distributed_evenly and (thresholds[0] < 0.0 or thresholds[-1] > 1.0)

    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype=dtype, device=device).unsqueeze(-1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.dim() == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {tuple(y_pred.shape)}")
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]

    weights = None
    if sample_weight is not None:
        if sample_weight.dim() < y_pred.dim():
            sample_weight = sample_weight.reshape(tuple(sample_weight.shape)
                                                  + (1,) * (y_pred.dim() - sample_weight.dim()))
        weights = torch.broadcast_to(sample_weight, y_pred.shape)
    if label_weights is not None:
        lw = torch.broadcast_to(to_tensor(label_weights, dtype=dtype, device=device), y_pred.shape)
        weights = lw if weights is None else weights * lw

    if thresholds_distributed_evenly:
        _update_evenly(variables, y_true, y_pred, len(thresholds), weights, multi_label, with_epsilon)
        return
    thresholds_t = _thresholds_tensor(thresholds, dtype, device)

    labels = y_true.to(torch.bool)
    if multi_label:  # (T, N, L)
        preds = y_pred.reshape(1, y_pred.shape[0], -1)
        labels = labels.reshape(1, labels.shape[0], -1)
        thr = thresholds_t.reshape(-1, 1, 1)
        w = None if weights is None else weights.reshape(1, weights.shape[0], -1)
    else:  # (T, M)
        preds, labels = y_pred.reshape(1, -1), labels.reshape(1, -1)
        thr = thresholds_t.reshape(-1, 1)
        w = None if weights is None else weights.reshape(1, -1)
    pred_pos = preds > thr
    pairs = {TP: (labels, pred_pos), FN: (labels, ~pred_pos), FP: (~labels, pred_pos),
             TN: (~labels, ~pred_pos)}
    for key, target in variables.items():
        label, pred = pairs[key]
        hits = (label & pred).to(dtype)
        if w is not None:
            hits = hits * w
        target.add_(hits.sum(dim=1))


def _update_evenly(variables, y_true, y_pred, num_thresholds, weights, multi_label, with_epsilon) -> None:
    """Keras's bucket algorithm for thresholds ``i / (T - 1)`` (optionally with the ±epsilon ends)."""
    dtype = y_pred.dtype
    y_pred = torch.clamp(y_pred, 0.0, 1.0)
    y_true = y_true.to(torch.bool).to(dtype)
    if weights is None:
        weights = torch.ones_like(y_pred)
    if not multi_label:
        y_true, y_pred, weights = y_true.reshape(-1), y_pred.reshape(-1), weights.reshape(-1)
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights
    buckets = torch.ceil(y_pred * (num_thresholds - 1)) - 1
    if with_epsilon:
        buckets = torch.relu(buckets)
    buckets = buckets.long()
    valid = buckets >= 0  # a prediction equal to the first threshold is not above any threshold
    buckets = buckets.clamp_min(0)
    true_labels = true_labels * valid
    false_labels = false_labels * valid
    if multi_label:
        num_labels = y_pred.shape[-1]
        flat = (buckets.reshape(-1, num_labels) * num_labels
                + torch.arange(num_labels, device=buckets.device)).reshape(-1)
        size, shape = num_thresholds * num_labels, (num_thresholds, num_labels)
    else:
        flat, size, shape = buckets, num_thresholds, (num_thresholds,)
    tp_buckets = torch.zeros(size, dtype=dtype, device=y_pred.device).index_add_(0, flat, true_labels.reshape(-1))
    fp_buckets = torch.zeros(size, dtype=dtype, device=y_pred.device).index_add_(0, flat, false_labels.reshape(-1))
    tp = torch.flip(torch.cumsum(torch.flip(tp_buckets.reshape(shape), [0]), 0), [0])
    fp = torch.flip(torch.cumsum(torch.flip(fp_buckets.reshape(shape), [0]), 0), [0])
    if TP in variables:
        variables[TP].add_(tp)
    if FP in variables:
        variables[FP].add_(fp)
    if TN in variables or FN in variables:
        reduce_dims = [d for d in range(true_labels.dim() - 1)] if multi_label else None
        total_true = true_labels.sum(dim=reduce_dims) if reduce_dims else true_labels.sum()
        total_false = false_labels.sum(dim=reduce_dims) if reduce_dims else false_labels.sum()
        if TN in variables:
            variables[TN].add_(total_false - fp)
        if FN in variables:
            variables[FN].add_(total_true - tp)


class _ConfusionMatrixConditionCount(Metric):
    """Weighted count of one confusion-matrix condition per threshold."""

    _condition = TP

    def __init__(self, thresholds=None, name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(self.thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        self._follow(y_pred, y_true)
        with torch.no_grad():
            update_confusion_matrix_variables(
                {self._condition: self.accumulator}, y_true, y_pred, thresholds=self.thresholds,
                thresholds_distributed_evenly=self._thresholds_distributed_evenly,
                sample_weight=sample_weight)

    def result(self) -> torch.Tensor:
        acc = self.accumulator.as_subclass(torch.Tensor)
        return acc[0].clone() if len(self.thresholds) == 1 else acc.clone()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """Weighted number of true positives (``y_pred > threshold`` and ``y_true``)."""
    _condition = TP


class FalsePositives(_ConfusionMatrixConditionCount):
    """Weighted number of false positives."""
    _condition = FP


class TrueNegatives(_ConfusionMatrixConditionCount):
    """Weighted number of true negatives."""
    _condition = TN


class FalseNegatives(_ConfusionMatrixConditionCount):
    """Weighted number of false negatives."""
    _condition = FN


class _PrecisionRecall(Metric):
    _other = FP  # Precision: tp / (tp + fp); Recall: tp / (tp + fn)

    def __init__(self, thresholds=None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = parse_init_thresholds(thresholds, default_threshold=default)
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), name="true_positives")
        other = self.add_variable(shape=(n,), name="false_positives" if self._other == FP else "false_negatives")
        if self._other == FP:
            self.false_positives = other
        else:
            self.false_negatives = other
        self._other_var = other

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        self._follow(y_pred, y_true)
        with torch.no_grad():
            update_confusion_matrix_variables(
                {TP: self.true_positives, self._other: self._other_var}, y_true, y_pred,
                thresholds=self.thresholds, thresholds_distributed_evenly=self._thresholds_distributed_evenly,
                top_k=self.top_k, class_id=self.class_id, sample_weight=sample_weight)

    def result(self) -> torch.Tensor:
        tp = self.true_positives.as_subclass(torch.Tensor)
        result = _divide_no_nan(tp, tp + self._other_var.as_subclass(torch.Tensor))
        return result[0] if len(self.thresholds) == 1 else result

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """``tp / (tp + fp)`` at each threshold (default 0.5), optionally for ``top_k`` / ``class_id``."""
    _other = FP


class Recall(_PrecisionRecall):
    """``tp / (tp + fn)`` at each threshold (default 0.5), optionally for ``top_k`` / ``class_id``."""
    _other = FN


class AUC(Metric):
    """Area under the ROC or PR curve, approximated with ``num_thresholds`` buckets (Keras formula).

    ``summation_method="interpolation"`` uses the trapezoid rule for ROC and
    Davis & Goadrich's interpolation for PR; "minoring"/"majoring" give lower /
    upper Riemann sums.  ``multi_label=True`` computes one AUC per label and
    averages them (weighted by ``label_weights`` if given).
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", summation_method: str = "interpolation",
                 name: str | None = None, dtype=None, thresholds=None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights=None, from_logits: bool = False):
        self._direction = "up"
        curve = str(getattr(curve, "value", curve))
        if curve.upper() not in ("ROC", "PR"):
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC"]')
        summation_method = str(getattr(summation_method, "value", summation_method)).lower()
        if summation_method not in ("interpolation", "majoring", "minoring"):
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". Expected values '
                             'are ["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(float(t) for t in thresholds)
            self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        eps = config.epsilon()
        self._thresholds = np.array([0.0 - eps] + thresholds + [1.0 + eps])
        self.curve = curve.upper()
        self.summation_method = summation_method
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (None if label_weights is None
                              else torch.as_tensor(np.asarray(label_weights), dtype=self._torch_dtype))
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        return list(self._thresholds)

    def _build(self, shape) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. "
                                 f"Full shape received for `y_pred`: {tuple(shape)}")
            self._num_labels = shape[1]
            var_shape = (self.num_thresholds, self._num_labels)
        else:
            var_shape = (self.num_thresholds,)
        self.true_positives = self.add_variable(shape=var_shape, name="true_positives")
        self.false_positives = self.add_variable(shape=var_shape, name="false_positives")
        self.true_negatives = self.add_variable(shape=var_shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape=var_shape, name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = to_tensor(y_pred)
        self._follow(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        with torch.no_grad():
            if self._from_logits:
                y_pred = torch.sigmoid(y_pred)
            label_weights = None if self.multi_label or self.label_weights is None else self.label_weights
            update_confusion_matrix_variables(
                {TP: self.true_positives, TN: self.true_negatives, FP: self.false_positives,
                 FN: self.false_negatives}, y_true, y_pred, self._thresholds,
                thresholds_distributed_evenly=self._thresholds_distributed_evenly,
                sample_weight=sample_weight, multi_label=self.multi_label, label_weights=label_weights)

    def _average(self, per_threshold_terms: torch.Tensor) -> torch.Tensor:
        if not self.multi_label:
            return per_threshold_terms.sum()
        by_label = per_threshold_terms.sum(dim=0)
        if self.label_weights is None:
            return by_label.mean()
        lw = self.label_weights.to(by_label.device)
        return _divide_no_nan((by_label * lw).sum(), lw.sum())

    def interpolate_pr_auc(self) -> torch.Tensor:
        """PR-AUC with Davis & Goadrich (2006) interpolation (Keras's closed form)."""
        n = self.num_thresholds
        tp = self.true_positives.as_subclass(torch.Tensor)
        fp = self.false_positives.as_subclass(torch.Tensor)
        fn = self.false_negatives.as_subclass(torch.Tensor)
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        prec_slope = _divide_no_nan(dtp, torch.clamp(dp, min=0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = torch.where((p[: n - 1] > 0) & (p[1:] > 0),
                                   _divide_no_nan(p[: n - 1], torch.clamp(p[1:], min=0)), torch.ones_like(p[1:]))
        increment = _divide_no_nan(prec_slope * (dtp + intercept * torch.log(safe_p_ratio)),
                                   torch.clamp(tp[1:] + fn[1:], min=0))
        return self._average(increment)

    def result(self) -> torch.Tensor:
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        n = self.num_thresholds
        tp = self.true_positives.as_subclass(torch.Tensor)
        fp = self.false_positives.as_subclass(torch.Tensor)
        tn = self.true_negatives.as_subclass(torch.Tensor)
        fn = self.false_negatives.as_subclass(torch.Tensor)
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[: n - 1], y[1:])
        else:
            heights = torch.maximum(y[: n - 1], y[1:])
        return self._average((x[: n - 1] - x[1:]) * heights)

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict[str, Any]:
        config_ = {
            **super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
            "summation_method": self.summation_method, "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config_["thresholds"] = self.thresholds[1:-1]
        return config_


class _SensitivitySpecificityBase(Metric):
    """Confusion counts at ``num_thresholds`` evenly spaced thresholds in [0, 1]; the subclasses report
    the best value of one rate among the thresholds where another rate reaches ``value``."""

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), name="true_positives")
        self.false_positives = self.add_variable(shape=(n,), name="false_positives")
        self.true_negatives = self.add_variable(shape=(n,), name="true_negatives")
        self.false_negatives = self.add_variable(shape=(n,), name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        self._follow(y_pred, y_true)
        with torch.no_grad():
            update_confusion_matrix_variables(
                {TP: self.true_positives, TN: self.true_negatives, FP: self.false_positives,
                 FN: self.false_negatives}, y_true, y_pred, thresholds=self.thresholds,
                thresholds_distributed_evenly=self._thresholds_distributed_evenly, class_id=self.class_id,
                sample_weight=sample_weight)

    def _counts(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        return tuple(v.as_subclass(torch.Tensor) for v in (self.true_positives, self.false_positives,
                                                            self.true_negatives, self.false_negatives))

    def _max_where_at_least(self, constrained: torch.Tensor, dependent: torch.Tensor) -> torch.Tensor:
        """``max(dependent)`` over thresholds where ``constrained >= value``; 0 when none qualifies."""
        feasible = constrained >= self.value
        return torch.clamp(torch.amax(torch.where(feasible, dependent, torch.zeros_like(dependent))), min=0.0)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_id": self.class_id}


def _check_rate(name: str, value: float) -> None:
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{name}` must be in the range [0, 1]. Received: {name}={value}")


class SensitivityAtSpecificity(_SensitivitySpecificityBase):
    """Best sensitivity (recall) among the thresholds whose specificity is at least ``specificity``."""

    def __init__(self, specificity: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        _check_rate("specificity", specificity)
        self.specificity = specificity
        self.num_thresholds = num_thresholds
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> torch.Tensor:
        tp, fp, tn, fn = self._counts()
        return self._max_where_at_least(_divide_no_nan(tn, tn + fp), _divide_no_nan(tp, tp + fn))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "specificity": self.specificity}


class SpecificityAtSensitivity(_SensitivitySpecificityBase):
    """Best specificity among the thresholds whose sensitivity (recall) is at least ``sensitivity``."""

    def __init__(self, sensitivity: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        _check_rate("sensitivity", sensitivity)
        self.sensitivity = sensitivity
        self.num_thresholds = num_thresholds
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> torch.Tensor:
        tp, fp, tn, fn = self._counts()
        return self._max_where_at_least(_divide_no_nan(tp, tp + fn), _divide_no_nan(tn, tn + fp))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "sensitivity": self.sensitivity}


class PrecisionAtRecall(_SensitivitySpecificityBase):
    """Best precision among the thresholds whose recall is at least ``recall``."""

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        _check_rate("recall", recall)
        self.recall = recall
        self.num_thresholds = num_thresholds
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> torch.Tensor:
        tp, fp, _, fn = self._counts()
        return self._max_where_at_least(_divide_no_nan(tp, tp + fn), _divide_no_nan(tp, tp + fp))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "recall": self.recall}


class RecallAtPrecision(_SensitivitySpecificityBase):
    """Best recall among the thresholds whose precision is at least ``precision``."""

    def __init__(self, precision: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        _check_rate("precision", precision)
        self.precision = precision
        self.num_thresholds = num_thresholds
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> torch.Tensor:
        tp, fp, _, fn = self._counts()
        return self._max_where_at_least(_divide_no_nan(tp, tp + fp), _divide_no_nan(tp, tp + fn))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "precision": self.precision}
