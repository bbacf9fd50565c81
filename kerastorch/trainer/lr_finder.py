"""``model.lr_find(...)``: the learning-rate range test, with no side effects on the model.

The test is an ordinary ``fit`` with the ``LRFinder`` callback (exponentially
growing learning rate per step, smoothed loss, early stop on divergence), so it
exercises exactly the training step the real training will use. Around it:

* the optimizer is swapped for a fresh copy built from its config (same class and
  hyper-parameters, float learning rate, same per-parameter learning-rate
  multipliers and weight-decay exclusions), so the user's optimizer -- its slots,
  ``iterations``, learning rate or schedule -- is never touched, built or not;
* every parameter, buffer (BatchNormalization moving statistics, ...) and
  gradient of the model is copied before and written back after (bit-identical);
* the RNG states (torch, numpy, python and the trainer's shuffle generator), the
  metric states, the train/eval mode of every module, ``model.history`` and
  ``model.stop_training`` are restored, so training after ``lr_find`` is the same
  as training without it.

Suggestion rules (all computed on the smoothed loss, skipping the first 10% of the
steps and the last 5 as fastai does, and any non-finite tail):

* ``"minimum"`` (default): a tenth of the learning rate of the lowest smoothed loss;
* ``"steep"``: the learning rate where the loss falls fastest per unit of log(lr);
* ``"valley"``: fastai's default since 2.5: with ``L`` the length of the longest
  decreasing subsequence of the loss, ending at ``end``, the middle of the ``L``
  points that end at ``end``.

experiments/lr_find_one_cycle.py compares them as ``fit_one_cycle``'s ``max_lr`` on
scikit-learn digits (table in docs/differences_from_keras.md): "minimum" and "steep"
beat Adam(1e-3) clearly, "valley" (which suggested ~2e-3) only matched it, and
"steep" is the most sensitive to noise in the flat start of the curve, so
"minimum" is the default.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

from kerastorch.backend import tree
from kerastorch.callbacks.lr_finder import LRFinder
from kerastorch.trainer.data.base import _is_array_like

SUGGESTION_METHODS = ("valley", "steep", "minimum")


# ------------------------------------------------------------------ suggestions
def _usable(lrs: np.ndarray, losses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    finite = np.isfinite(losses)
    if not finite.all():
        stop = int(np.argmin(finite))
        lrs, losses = lrs[:stop], losses[:stop]
    n = len(losses)
    skip_begin = n // 10
    skip_end = 5 if n - skip_begin > 10 else 0
    return lrs[skip_begin:n - skip_end], losses[skip_begin:n - skip_end]


def suggest_valley(lrs: np.ndarray, losses: np.ndarray) -> float:
    """fastai's "valley": find the longest decreasing subsequence of the loss, ending at index ``end``
    with length ``L``; the valley is the ``L`` points that end at ``end``, the suggestion its middle."""
    n = len(losses)
    length = [1] * n
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and length[j] + 1 > length[i]:
                length[i] = length[j] + 1
    end = int(np.argmax(length))
    start = max(0, end - length[end] + 1)
    return float(lrs[start + (end - start) // 2])


def suggest_steep(lrs: np.ndarray, losses: np.ndarray) -> float:
    """Learning rate where d(loss)/d(log lr) is most negative."""
    if len(losses) < 2:
        return float(lrs[0])
    slopes = np.diff(losses) / np.diff(np.log(lrs))
    return float(lrs[int(np.argmin(slopes))])


def suggest_minimum(lrs: np.ndarray, losses: np.ndarray) -> float:
    """A tenth of the learning rate with the lowest loss."""
    return float(lrs[int(np.argmin(losses))]) / 10.0


_SUGGEST: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "valley": suggest_valley, "steep": suggest_steep, "minimum": suggest_minimum}


class LRFinderResult:
    """What ``model.lr_find`` measured.

    Attributes:
        learning_rates: the learning rate of each step run.
        losses: the smoothed (bias-corrected exponential moving average) loss per step.
        raw_losses: each step's batch loss.
        diverged: whether the test stopped because the loss diverged.
        suggestions: ``{"valley": lr, "steep": lr, "minimum": lr}``.
        method: the rule behind ``suggestion``.
        suggestion: the suggested learning rate (a float), from ``method``.
    """

    def __init__(self, learning_rates, losses, raw_losses, diverged: bool = False, method: str = "minimum"):
        if method not in _SUGGEST:
            raise ValueError(f"Unknown suggestion method {method!r}; use one of {SUGGESTION_METHODS}.")
        self.learning_rates = [float(v) for v in learning_rates]
        self.losses = [float(v) for v in losses]
        self.raw_losses = [float(v) for v in raw_losses]
        self.diverged = bool(diverged)
        self.method = method
        lrs, sm = _usable(np.asarray(self.learning_rates, dtype=np.float64),
                          np.asarray(self.losses, dtype=np.float64))
        if len(lrs) == 0:
            raise ValueError("lr_find recorded no finite loss; check the data and the model (the loss was NaN "
                             "from the first step?).")
        self.suggestions = {name: fn(lrs, sm) for name, fn in _SUGGEST.items()}
        self.suggestion = self.suggestions[method]

    def plot(self, ax=None, skip_end: int = 5, show_suggestion: bool = True):
        """Plot the smoothed loss against the learning rate (log scale); returns the matplotlib Axes."""
        try:
            import matplotlib.pyplot as plt
        except ImportError as e:
            raise ImportError("LRFinderResult.plot() needs matplotlib, an optional dependency of kerastorch: "
                              "`pip install matplotlib` (or `pip install kerastorch[plot]`). The numbers are in "
                              "`.learning_rates` and `.losses`.") from e
        if ax is None:
            _, ax = plt.subplots()
        n = len(self.losses) - skip_end if len(self.losses) > skip_end + 1 else len(self.losses)
        ax.plot(self.learning_rates[:n], self.losses[:n])
        ax.set_xscale("log")
        ax.set_xlabel("Learning rate")
        ax.set_ylabel("Loss (smoothed)")
        if show_suggestion:
            lr = self.suggestion
            loss = float(np.interp(math.log(lr), np.log(self.learning_rates), self.losses))
            ax.plot([lr], [loss], "o", label=f"{self.method}: {lr:.2e}")
            ax.legend(loc="best")
        return ax

    def __repr__(self) -> str:
        return (f"LRFinderResult(suggestion={self.suggestion:.3g} ({self.method}), steps={len(self.losses)}, "
                f"diverged={self.diverged})")


# ------------------------------------------------------------------ lr_find
_NOT_FOR_LR_FIND = ("epochs", "initial_epoch", "validation_split", "validation_data", "validation_steps",
                    "validation_batch_size", "validation_freq")


def lr_find(model, x=None, y=None, batch_size=None, start_lr: float = 1e-7, end_lr: float = 10.0,
            num_steps: int = 100, smoothing: float = 0.98, diverge_threshold: float | None = 4.0,
            suggest: str = "minimum", verbose=0, callbacks=None, **fit_kwargs) -> LRFinderResult:
    """Run the learning-rate range test on ``(x, y)``; leave the model exactly as it was.

    ``fit_kwargs`` go to ``fit`` (``sample_weight``, ``class_weight``, ``shuffle``,
    ``steps_per_epoch``, ``drop_remainder``...). Python generators are consumed by
    the test: pass a re-iterable dataset (arrays, ``PyDataset``, ``DataLoader``).
    """
    model._check_compiled("lr_find")
    bad = sorted(k for k in fit_kwargs if k in _NOT_FOR_LR_FIND)
    if bad:
        raise TypeError(f"`lr_find()` does not take {bad}: it runs `num_steps` training steps and no validation.")
    if suggest not in _SUGGEST:
        raise ValueError(f"Unknown `suggest` method {suggest!r}; use one of {SUGGESTION_METHODS}.")
    finder = LRFinder(start_lr=start_lr, end_lr=end_lr, num_steps=num_steps, smoothing=smoothing,
                      diverge_threshold=diverge_threshold)
    extra = [] if callbacks is None else (list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks])
    _ensure_built(model, x)
    snapshot = _Snapshot(model)
    model.optimizer = _finder_optimizer(model, snapshot.optimizer, start_lr)
    try:
        # Each epoch has at least one step, so `num_steps` epochs always suffice; the callback stops the run.
        model.fit(x, y, batch_size=batch_size, epochs=finder.num_steps, verbose=verbose,
                  callbacks=[finder] + extra, **fit_kwargs)
    finally:
        snapshot.restore()
    if not finder.losses:
        raise ValueError("lr_find ran no training step: the data produced no batches.")
    return LRFinderResult(finder.learning_rates, finder.losses, finder.raw_losses, finder.diverged, suggest)


def _ensure_built(model, x) -> None:
    """Create the weights before the snapshot (a model without an Input is built by its first call)."""
    if getattr(model, "built", True) and all(getattr(l, "built", True) for l in model._flatten_layers()):
        return
    if not _is_array_like(x):
        raise ValueError("lr_find must restore the model's initial weights, but the model is not built yet and "
                         "its input shape cannot be read from this data. Give the model an `Input` or call "
                         "`model.build(input_shape)` first.")
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(tree.map_structure(lambda v: v[:2], x), training=False)
    model.train(was_training)


def _finder_optimizer(model, optimizer, start_lr: float):
    """A fresh optimizer of the same class and hyper-parameters, with a float learning rate."""
    inner = getattr(optimizer, "inner_optimizer", None)
    if inner is not None:  # a LossScaleOptimizer: copy the inner optimizer, wrap it the same way
        return type(optimizer)(_finder_optimizer(model, inner, start_lr), initial_scale=optimizer.initial_scale,
                               dynamic_growth_steps=optimizer.dynamic_growth_steps)
    config = dict(optimizer.get_config())
    config["learning_rate"] = float(start_lr)
    try:
        clone = type(optimizer).from_config(config)
    except Exception as e:  # noqa: BLE001 - report what the optimizer needs
        raise TypeError(f"lr_find copies the optimizer with `{type(optimizer).__name__}.from_config("
                        "optimizer.get_config())`, which failed; make the optimizer's config round-trip.") from e
    multipliers = getattr(optimizer, "lr_multipliers", None) or {}
    params = list(model.parameters())
    if multipliers:
        clone.set_lr_multipliers({p: multipliers[id(p)] for p in params if id(p) in multipliers})
    use_decay = getattr(optimizer, "_use_weight_decay", None)
    if use_decay is not None and getattr(getattr(optimizer, "inner_optimizer", optimizer), "weight_decay", None):
        # The same variables exempt from decay (the user's exclusions or compile's 1-D default).
        clone.exclude_from_weight_decay(var_list=[p for p in params if not use_decay(p)])
    return clone


class _Snapshot:
    """Everything ``fit`` may change on a model, copied so that it can be put back bit for bit."""

    def __init__(self, model) -> None:
        self.model = model
        self.optimizer = model.optimizer
        self.tensors = [(t, t.detach().clone()) for t in _state_tensors(model)]
        self.grads = [(p, None if p.grad is None else p.grad.detach().clone()) for p in model.parameters()]
        self.modes = [(m, m.training) for m in model.modules()]
        self.rng = model._get_rng_state()
        self.metric_values = [(v, v.detach().clone()) for v in _metric_tensors(model)]
        self.history = model.history
        self.stop_training = model.stop_training

    def restore(self) -> None:
        model = self.model
        model.optimizer = self.optimizer
        with torch.no_grad():
            for t, saved in self.tensors:
                t.copy_(saved)
            for v, saved in self.metric_values:
                v.copy_(saved)
        for p, grad in self.grads:
            p.grad = grad
        for m, training in self.modes:
            m.training = training
        model._set_rng_state(self.rng)
        model.history = self.history
        model.stop_training = self.stop_training
        model._invalidate_step_state()


def _state_tensors(model) -> list[torch.Tensor]:
    seen: set[int] = set()
    out = []
    for t in list(model.parameters()) + list(model.buffers()):
        if id(t) not in seen:
            seen.add(id(t))
            out.append(t)
    return out


def _metric_tensors(model) -> list[torch.Tensor]:
    out = []
    for metric in getattr(model, "metrics", []):
        for v in getattr(metric, "variables", []):
            if isinstance(v, torch.Tensor):
                out.append(v)
    return out

