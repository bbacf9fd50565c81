"""``TorchMetricsWrapper``: a ``torchmetrics.Metric`` in Keras's metric state cycle.

torchmetrics and Keras metrics have the same life cycle under other names, so the wrapper
only maps them: ``update_state(y_true, y_pred)`` -> ``update(preds=y_pred, target=y_true)``
(torchmetrics takes the prediction first), ``result()`` -> ``compute()``, ``reset_state()`` ->
``reset()``. ``compile(metrics=[torchmetrics.F1Score(...)])`` wraps it (``metrics.get``);
torchmetrics stays optional: this module never imports it and recognises its metrics by
their base class's module.

Name: Keras names a metric object after its class in snake case, so the wrapper does the
same with the torchmetrics class (``torchmetrics.Accuracy(task="multiclass")`` is a
``MulticlassAccuracy`` -> ``"multiclass_accuracy"``, ``val_multiclass_accuracy`` in History);
pass ``TorchMetricsWrapper(metric, name="acc")`` for another name.

Cost: ``update`` runs torchmetrics' own tensor code and nothing here reads a value back to
the host, so a batch costs no sync beyond what the torchmetrics metric itself does (its
argument validation, ``validate_args=True`` by default, inspects values on some metrics;
pass ``validate_args=False`` for the fastest loop). ``compute`` runs when the logs are read.
The metric's states move to the data's device on the first update.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch._core.naming import to_snake_case
from kerastorch.metrics.base import Metric


def is_torchmetrics_metric(obj: Any) -> bool:
    """Whether ``obj`` is a ``torchmetrics.Metric`` instance (without importing torchmetrics)."""
    if not isinstance(obj, torch.nn.Module):
        return False
    return any(cls.__name__ == "Metric" and cls.__module__.startswith("torchmetrics") for cls in type(obj).__mro__)


class TorchMetricsWrapper(Metric):
    """A ``torchmetrics.Metric`` used as a Keras metric (see the module docstring).

    Args:
        metric: the ``torchmetrics.Metric`` instance (it keeps its state; the wrapper holds none).
        name: the logged name; default: the torchmetrics class name in snake case.
    """

    def __init__(self, metric: Any, name: str | None = None) -> None:
        if not is_torchmetrics_metric(metric):
            raise TypeError("TorchMetricsWrapper expects a `torchmetrics.Metric` instance. Received: "
                            f"{metric!r} of type {type(metric).__name__}")
        super().__init__(name=name or to_snake_case(type(metric).__name__))
        self.metric = metric
        self._metric_device: torch.device | None = None

    def update_state(self, y_true: torch.Tensor, y_pred: torch.Tensor, sample_weight: Any = None) -> None:
        if sample_weight is not None:
            raise ValueError(f"The torchmetrics metric {type(self.metric).__name__} ('{self.name}') takes no sample "
                             "weights: list it in `metrics=`, not `weighted_metrics=` (a masked output also "
                             "passes its mask as weights).")
        device = y_pred.device if isinstance(y_pred, torch.Tensor) else None
        if device is not None and device != self._metric_device:
            self.metric.to(device)
            self._metric_device = device
        with torch.no_grad():
            self.metric.update(y_pred, y_true)

    def result(self) -> Any:
        return self.metric.compute()

    def reset_state(self) -> None:
        self.metric.reset()

    @property
    def variables(self) -> list[torch.Tensor]:
        """The torchmetrics metric's tensor states (list states, e.g. of ``cat`` metrics, are left out)."""
        return [value for value in self.metric.metric_state.values() if isinstance(value, torch.Tensor)]

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"A torchmetrics metric ({type(self.metric).__name__}) has no Keras config: a saved "
                                  "model does not record it; pass it to `compile` again after loading.")
