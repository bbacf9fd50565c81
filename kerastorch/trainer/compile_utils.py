"""What ``compile(loss=..., metrics=...)`` turns into: per-output losses and metrics.

Losses and metrics may be given once (applied to every output), as a list (one
per output, in output order) or as a dict keyed by output name, as in Keras.
Masks carried by predictions (``y_pred._keras_mask``) weight the losses and
metrics like Keras 3 does.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch import losses as losses_module
from kerastorch import metrics as metrics_module
from kerastorch.backend import tree


def _per_output(spec: Any, output_names: list[str], what: str) -> list:
    """Spread a loss/metric/weight spec over the outputs: one entry (or None) per output."""
    n = len(output_names)
    if isinstance(spec, dict):
        unknown = set(spec) - set(output_names)
        if unknown:
            raise ValueError(f"The `{what}` dict has keys {sorted(unknown)} that are not output names of the "
                             f"model. Expected keys among: {output_names}.")
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)) and what != "metrics":
        if len(spec) != n:
            raise ValueError(f"When passing a list as `{what}`, it should have one entry per model output. "
                             f"The model has {n} output(s) ({output_names}), but you passed {what}={spec!r}.")
        return list(spec)
    if what == "metrics" and isinstance(spec, (list, tuple)) and n > 1 and spec and \
            all(isinstance(s, (list, tuple)) or s is None for s in spec):
        if len(spec) != n:
            raise ValueError(f"`metrics` has {len(spec)} entries but the model has {n} outputs ({output_names}).")
        return list(spec)
    return [spec] * n


def _to_loss(spec):
    """A ``Loss`` object for a loss spec; plain per-sample functions get Keras's batch reduction."""
    loss = losses_module.get(spec)
    if isinstance(loss, losses_module.Loss):
        return loss
    return losses_module.LossFunctionWrapper(loss, name=getattr(loss, "__name__", None))


def _mask_of(y_pred):
    return getattr(y_pred, "_keras_mask", None)


class CompileLoss:
    """The total training loss: the weighted sum of each output's loss."""

    def __init__(self, loss: Any, loss_weights: Any = None):
        self._spec = loss
        self._weights_spec = loss_weights
        self.built = False

    def build(self, output_names: list[str]) -> None:
        self.output_names = output_names
        specs = _per_output(self._spec, output_names, "loss")
        self.losses: list[Any] = [_to_loss(s) if s is not None else None for s in specs]
        weights = _per_output(self._weights_spec, output_names, "loss_weights") if self._weights_spec is not None \
            else [1.0] * len(output_names)
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.built = True

    def __call__(self, y_true, y_pred, sample_weight=None) -> tuple[torch.Tensor, list]:
        """Total loss and the per-output losses (for multi-output logging)."""
        if isinstance(y_pred, torch.Tensor) and isinstance(y_true, torch.Tensor) and len(self.losses) == 1 \
                and getattr(y_pred, "_keras_mask", None) is None:
            # Single output, no mask: the per-step fast path.
            value = self.losses[0](y_true, y_pred, sample_weight=sample_weight)
            return (value * self.weights[0] if self.weights[0] != 1.0 else value), [value]
        y_pred_flat = tree.flatten(y_pred)
        y_true_flat = _flatten_targets(y_true, self.output_names, len(y_pred_flat))
        sw_flat = _flatten_targets(sample_weight, self.output_names, len(y_pred_flat)) \
            if sample_weight is not None else [None] * len(y_pred_flat)
        total = None
        per_output: list[torch.Tensor | None] = []
        for loss_fn, weight, yt, yp, sw in zip(self.losses, self.weights, y_true_flat, y_pred_flat, sw_flat):
            if loss_fn is None or yt is None:
                per_output.append(None)
                continue
            mask = _mask_of(yp)
            if mask is not None:
                value = loss_fn(yt, yp, sample_weight=sw, mask=mask) if _accepts_mask(loss_fn) \
                    else loss_fn(yt, yp, sample_weight=_combine(sw, mask))
            else:
                value = loss_fn(yt, yp, sample_weight=sw) if sw is not None else loss_fn(yt, yp)
            per_output.append(value)
            value = value * weight if weight != 1.0 else value
            total = value if total is None else total + value
        if total is None:
            raise ValueError("No loss to compute: `compile(loss=...)` was not given a loss for any output, or "
                             "no targets `y` were passed to `fit`.")
        return total, per_output


def _accepts_mask(loss_fn) -> bool:
    flag = getattr(loss_fn, "_kt_accepts_mask", None)
    if flag is None:
        import inspect
        try:
            flag = "mask" in inspect.signature(loss_fn.__call__).parameters
        except (TypeError, ValueError):
            flag = False
        try:
            loss_fn._kt_accepts_mask = flag
        except AttributeError:
            pass
    return flag


def _combine(sample_weight, mask):
    mask = mask.to(torch.float32)
    if sample_weight is None:
        return mask
    sw = sample_weight.to(mask.dtype)
    while sw.ndim < mask.ndim:
        sw = sw.unsqueeze(-1)
    return sw * mask


def _flatten_targets(y, output_names, n):
    if y is None:
        return [None] * n
    if isinstance(y, dict):
        missing = [name for name in output_names if name not in y]
        if len(missing) == len(output_names):
            raise ValueError(f"The target dict has keys {sorted(y)}, but the model's outputs are named "
                             f"{output_names}.")
        return [y.get(name) for name in output_names]
    if isinstance(y, (list, tuple)):
        if n == 1 and len(y) != 1:
            return [y]
        if len(y) != n:
            raise ValueError(f"The model has {n} outputs ({output_names}) but {len(y)} target arrays were "
                             "passed. Pass one target per output, as a list or a dict keyed by output name.")
        return list(y)
    if n != 1:
        raise ValueError(f"The model has {n} outputs ({output_names}) but a single target array was passed. "
                         "Pass a list or a dict of targets, one per output.")
    return [y]


class CompileMetrics:
    """Stateful metrics per output, named like Keras (``accuracy``, ``out_a_accuracy``...)."""

    def __init__(self, metrics: Any, weighted_metrics: Any = None):
        self._spec = metrics
        self._weighted_spec = weighted_metrics
        self.built = False
        self.metrics: list = []

    def build(self, output_names: list[str], losses: list, y_true_flat: list, y_pred_flat: list) -> None:
        self.output_names = output_names
        multi = len(output_names) > 1
        self._entries: list[tuple[int, Any, bool]] = []  # (output index, metric, weighted)
        for weighted, spec in ((False, self._spec), (True, self._weighted_spec)):
            if spec is None:
                continue
            per_output = _per_output(spec, output_names, "metrics")
            for i, out_specs in enumerate(per_output):
                if out_specs is None:
                    continue
                if not isinstance(out_specs, (list, tuple)):
                    out_specs = [out_specs]
                for s in out_specs:
                    metric = self._resolve(s, losses[i], y_true_flat[i], y_pred_flat[i])
                    if multi:
                        metric.name = f"{output_names[i]}_{metric.name}"
                    if weighted and any(m.name == metric.name for _, m, _ in self._entries):
                        metric.name = f"weighted_{metric.name}"
                    # Keras's result(): a repeated name gets "_1", "_2"... in order of appearance.
                    taken = {m.name for _, m, _ in self._entries}
                    if metric.name in taken:
                        index = 1
                        while f"{metric.name}_{index}" in taken:
                            index += 1
                        metric.name = f"{metric.name}_{index}"
                    self._entries.append((i, metric, weighted))
        self.metrics = [m for _, m, _ in self._entries]
        self.built = True

    @staticmethod
    def _resolve(spec, loss, y_true, y_pred):
        if isinstance(spec, str) and spec in ("accuracy", "acc"):
            metric = metrics_module.resolve_accuracy(loss, tuple(y_true.shape) if y_true is not None else None,
                                                     tuple(y_pred.shape))
            metric.name = spec
            return metric
        if isinstance(spec, str) and spec in ("crossentropy", "ce"):
            raise ValueError("The 'crossentropy' metric shortcut is not supported; name the metric explicitly, "
                             "e.g. 'sparse_categorical_crossentropy'.")
        metric = metrics_module.get(spec)
        if not isinstance(metric, metrics_module.Metric):  # a plain function: its running mean
            metric = metrics_module.MeanMetricWrapper(metric, name=getattr(metric, "__name__", None))
        if isinstance(spec, str):
            metric.name = spec  # Keras logs a string metric as written: "mae" -> "mae", "val_mae"
        return metric

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if not self._entries:
            return
        if isinstance(y_pred, torch.Tensor) and getattr(y_pred, "_keras_mask", None) is None \
                and isinstance(y_true, torch.Tensor):
            for _, metric, weighted in self._entries:
                metric.update_state(y_true, y_pred, sample_weight=sample_weight if weighted else None)
            return
        y_pred_flat = tree.flatten(y_pred)
        y_true_flat = _flatten_targets(y_true, self.output_names, len(y_pred_flat))
        sw_flat = _flatten_targets(sample_weight, self.output_names, len(y_pred_flat)) \
            if sample_weight is not None else [None] * len(y_pred_flat)
        for i, metric, weighted in self._entries:
            yt, yp = y_true_flat[i], y_pred_flat[i]
            if yt is None:
                continue
            sw = sw_flat[i] if weighted else None
            mask = _mask_of(yp)
            if mask is not None:
                sw = _combine(sw, mask)
            metric.update_state(yt, yp, sample_weight=sw)

    def reset_state(self) -> None:
        for m in self.metrics:
            m.reset_state()
