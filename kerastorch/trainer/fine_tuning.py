"""Fine-tuning helpers: freeze / unfreeze, layer groups with their own learning rates, one-cycle fits.

* ``freeze(model, up_to=None, train_bn=True)`` freezes the layers before ``up_to``
  (a layer, its name, or its index in ``model.layers``) and makes ``up_to`` and the
  layers after it trainable, like fastai's ``freeze_to``. With no ``up_to`` every
  layer but the head (the last layer with weights) is frozen. Frozen layers follow
  Keras 3's rule: their weights get no gradient and their BatchNormalization layers
  run in inference mode (moving statistics, no update). With ``train_bn=True``
  (fastai's choice) the BatchNormalization layers of the frozen part stay trainable
  instead, which lets their statistics and affine weights adapt to the new data.
  Nested models are looked into: ``up_to`` may name a layer inside a sub-model.
* ``unfreeze(model)`` makes every layer trainable.
* ``layer_groups(model, n)`` splits the layers with weights into ``n`` contiguous
  groups: the head alone last, the body in ``n - 1`` nearly equal parts before it.
  A ``keras.applications`` backbone (alone or nested in a model) declares its stages
  (``model._application_stages``: the names of the layers that start each stage); then
  the groups follow those stages, adjacent stages merged when ``n`` is smaller.
* ``set_layer_group_lrs(model, groups, lrs=None, lr_mult=None)`` gives each group a
  learning-rate factor via ``optimizer.set_lr_multipliers``: the effective learning
  rate of a parameter is the optimizer's (float, schedule or one-cycle) learning rate
  times its group's factor. ``lr_mult=m`` spaces the factors geometrically from
  ``1/m`` (first group) to ``1`` (head), fastai's ``slice(lr/m, lr)``.
* ``fit_one_cycle`` and ``fine_tune`` put these together with ``OneCycleScheduler``.

Optimizer state survives freezing and unfreezing: the trainer hands the optimizer
the current trainable parameters at every ``fit``, and the optimizer keeps the slots
of the parameters it has seen (keyed by parameter identity), creating fresh slots
only for parameters new to it.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import torch

from kerastorch.callbacks.history import History
from kerastorch.callbacks.one_cycle import OneCycleScheduler
from kerastorch.layers.layer import Layer
from kerastorch.layers.normalization.batch_normalization import BatchNormalization
from kerastorch.trainer.data.splitting import split_validation
from kerastorch.trainer.lr_finder import lr_find


# ------------------------------------------------------------------ layers
def _is_container(layer) -> bool:
    """A nested model (it has ``compile`` and a non-empty ``layers`` list)."""
    sub = getattr(layer, "layers", None) if hasattr(layer, "compile") else None
    return isinstance(sub, (list, tuple)) and len(sub) > 0


def leaf_layers(model) -> list:
    """The model's layers in order, with nested models replaced by their own layers."""
    out = []
    for layer in model.layers:
        out.extend(leaf_layers(layer) if _is_container(layer) else [layer])
    return out


def _has_weights(layer) -> bool:
    return any(True for _ in layer.parameters())


def _find_layer(model, key) -> Any:
    if isinstance(key, torch.nn.Module):
        return key
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        return model.get_layer(index=int(key))
    if isinstance(key, str):
        for layer in model.layers:
            if getattr(layer, "name", None) == key:
                return layer
        for layer in leaf_layers(model):
            if getattr(layer, "name", None) == key:
                return layer
        names = [getattr(l, "name", type(l).__name__) for l in leaf_layers(model)]
        raise ValueError(f"No layer named {key!r} in model {model.name!r}. Layers: {names}.")
    raise TypeError(f"Expected a layer, a layer name or a layer index; received {key!r} of type "
                    f"{type(key).__name__}.")


def _leaf_index(model, leaves: list, key) -> int:
    target = _find_layer(model, key)
    first = target
    if _is_container(target):
        first = leaf_layers(target)[0]
    for i, leaf in enumerate(leaves):
        if leaf is first:
            return i
    raise ValueError(f"Layer {getattr(target, 'name', target)!r} is not a layer of model {model.name!r}.")


def head_layer(model):
    """The last layer with weights (the 'head' that ``freeze()`` leaves trainable)."""
    weighted = [l for l in leaf_layers(model) if _has_weights(l)]
    if not weighted:
        raise ValueError(f"Model {model.name!r} has no layer with weights.")
    return weighted[-1]


def _is_batch_norm(layer) -> bool:
    return isinstance(layer, BatchNormalization)


def _sync_container_flags(model) -> None:
    """A nested model counts as trainable while any of its layers is."""
    for layer in model.layers:
        if _is_container(layer):
            _sync_container_flags(layer)
            layer._trainable = any(getattr(l, "_trainable", True) for l in layer.layers)
    model._trainable = any(getattr(l, "_trainable", True) for l in model.layers) or not model.layers


def freeze(model, up_to=None, train_bn: bool = True) -> None:
    """Freeze the layers before ``up_to`` (default: all but the head); see the module docstring."""
    leaves = leaf_layers(model)
    cut = _leaf_index(model, leaves, head_layer(model) if up_to is None else up_to)
    for i, layer in enumerate(leaves):
        layer.trainable = i >= cut
    if train_bn:
        for layer in leaves[:cut]:
            sublayers = layer._flatten_layers() if isinstance(layer, Layer) else []
            for sub in sublayers:
                if _is_batch_norm(sub):
                    sub.trainable = True
    _sync_container_flags(model)
    model._invalidate_step_state()


def unfreeze(model) -> None:
    """Make every layer (and every weight) of the model trainable."""
    model.trainable = True
    model._invalidate_step_state()


# ------------------------------------------------------------------ layer groups
def layer_groups(model, n: int) -> list[list]:
    """Split the layers with weights into at most ``n`` groups: the body in ``n - 1`` parts, then the head."""
    if int(n) < 1:
        raise ValueError(f"The number of layer groups must be >= 1; received {n}.")
    weighted = [l for l in leaf_layers(model) if _has_weights(l)]
    if not weighted:
        raise ValueError(f"Model {model.name!r} has no layer with weights.")
    if n == 1:
        return [weighted]
    staged = _stage_groups(model, weighted)
    if staged is not None and len(staged) > 1:
        return _merge_groups(staged, int(n))
    body, head = weighted[:-1], weighted[-1]
    parts = [list(p) for p in np.array_split(np.arange(len(body)), min(n - 1, len(body))) if len(p)] \
        if body else []
    return [[body[i] for i in p] for p in parts] + [[head]]


def _stage_starts(model) -> set:
    """Names of layers that begin a stage, as declared by ``keras.applications`` models (nested ones too)."""
    starts = set(getattr(model, "_application_stages", None) or ())
    for layer in getattr(model, "layers", None) or ():
        if _is_container(layer):
            starts |= _stage_starts(layer)
    return starts


def _stage_groups(model, weighted: list) -> list[list] | None:
    """The weighted layers cut at declared stage starts; None when the model declares no stages.

    Layers after the last stage start (a head added on top of a backbone included) form the
    last group, so a fine-tuning head stays a group of its own.
    """
    starts = _stage_starts(model)
    if not starts:
        return None
    inside = {id(l) for l in _staged_leaves(model)}
    groups: list[list] = [[]]
    previous_inside = True
    for layer in weighted:
        now_inside = id(layer) in inside
        # A new group at each stage start, and where the layers leave the staged backbone.
        if groups[-1] and (getattr(layer, "name", None) in starts or (previous_inside and not now_inside)):
            groups.append([])
        groups[-1].append(layer)
        previous_inside = now_inside
    return groups


def _staged_leaves(model) -> list:
    if getattr(model, "_application_stages", None):
        return leaf_layers(model)
    out = []
    for layer in getattr(model, "layers", None) or ():
        if _is_container(layer):
            out.extend(_staged_leaves(layer))
    return out


def _merge_groups(groups: list[list], n: int) -> list[list]:
    """At most ``n`` groups: the last (head) kept, the others merged into ``n - 1`` contiguous runs."""
    if len(groups) <= n:
        return groups
    body, head = groups[:-1], groups[-1]
    runs = np.array_split(np.arange(len(body)), n - 1)
    return [[layer for i in run for layer in body[i]] for run in runs if len(run)] + [head]


def geometric_factors(n: int, lr_mult: float) -> list[float]:
    """``n`` factors from ``1 / lr_mult`` to ``1``, evenly spaced in log scale (fastai's ``even_mults``)."""
    if n == 1:
        return [1.0]
    if lr_mult <= 0:
        raise ValueError(f"`lr_mult` must be positive; received {lr_mult}.")
    return [float(lr_mult ** (-(n - 1 - i) / (n - 1))) for i in range(n)]


def _resolve_groups(model, groups) -> list[list]:
    if isinstance(groups, (int, np.integer)) and not isinstance(groups, bool):
        return layer_groups(model, int(groups))
    if not isinstance(groups, (list, tuple)) or not groups:
        raise TypeError("`groups` must be a number of groups or a list of groups (each a layer, a layer name, "
                        f"a layer index, or a list of those); received {groups!r}.")
    out = []
    for group in groups:
        members = group if isinstance(group, (list, tuple)) else [group]
        out.append([_find_layer(model, m) for m in members])
    return out


def set_layer_group_lrs(model, groups=3, lrs: Sequence[float] | None = None,
                        lr_mult: float | None = None) -> list[float]:
    """Give each layer group its own learning-rate factor (relative to the optimizer's learning rate).

    Args:
        groups: a number of groups (see ``layer_groups``) or a list of groups, each a
            layer, a layer name, a layer index, or a list of those. Layers in no
            group keep factor 1.
        lrs: one factor per group.
        lr_mult: instead of ``lrs``: factors spaced geometrically from ``1 / lr_mult``
            (first group) to 1 (last group).

    Returns the factors, one per group.
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "set_lr_multipliers"):
        raise RuntimeError("`set_layer_group_lrs` needs a compiled model: call `model.compile(optimizer=...)` "
                           "first.")
    resolved = _resolve_groups(model, groups)
    if lrs is None and lr_mult is not None:
        factors = geometric_factors(len(resolved), lr_mult)
    elif lrs is not None and lr_mult is None:
        factors = [float(f) for f in lrs]
    else:
        raise ValueError("Pass exactly one of `lrs` (a factor per group) and `lr_mult`.")
    if len(factors) != len(resolved):
        raise ValueError(f"Got {len(factors)} learning-rate factors for {len(resolved)} layer groups "
                         f"({[[getattr(l, 'name', '?') for l in g] for g in resolved]}).")
    if any(not (f > 0 and math.isfinite(f)) for f in factors):
        raise ValueError(f"Learning-rate factors must be positive and finite; received {factors}.")
    optimizer.set_lr_multipliers({p: None for p in model.parameters()})
    for group, factor in zip(resolved, factors):
        optimizer.set_lr_multipliers({layer: factor for layer in group})
    return factors


# ------------------------------------------------------------------ one-cycle fits
def _callbacks_list(callbacks) -> list:
    if callbacks is None:
        return []
    return list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]


def _presplit(x, y, fit_kwargs: dict) -> tuple[Any, Any, dict]:
    """Do fit's validation split once, so lr_find and every phase see the same training data."""
    split = fit_kwargs.get("validation_split")
    if not split or fit_kwargs.get("validation_data") is not None:
        return x, y, fit_kwargs
    kwargs = dict(fit_kwargs)
    kwargs.pop("validation_split")
    (x, y, sw), kwargs["validation_data"] = split_validation(x, y, kwargs.pop("sample_weight", None), split,
                                                             verbose=kwargs.get("verbose", "auto") != 0)
    if sw is not None:
        kwargs["sample_weight"] = sw
    return x, y, kwargs


def fit_one_cycle(model, x=None, y=None, epochs: int = 1, max_lr: float | None = None, div_factor: float = 25.0,
                  final_div_factor: float = 1e4, pct_start: float = 0.25,
                  moms: Sequence[float] | None = (0.95, 0.85, 0.95), anneal: str = "cos", callbacks=None,
                  lr_find_kwargs: dict | None = None, **fit_kwargs):
    """``fit`` with a ``OneCycleScheduler``; without ``max_lr``, ``lr_find``'s suggestion is used.

    The ``LRFinderResult`` of that search is kept as ``model.lr_find_result``.
    """
    x, y, fit_kwargs = _presplit(x, y, fit_kwargs)
    if max_lr is None:
        finder_kwargs = {k: fit_kwargs[k] for k in ("batch_size", "sample_weight", "class_weight", "shuffle",
                                                      "steps_per_epoch", "drop_remainder") if k in fit_kwargs}
        finder_kwargs.update(lr_find_kwargs or {})
        result = lr_find(model, x, y, **finder_kwargs)
        model.lr_find_result = result
        max_lr = result.suggestion
        if fit_kwargs.get("verbose", "auto") != 0:
            print(f"fit_one_cycle: lr_find suggests max_lr={max_lr:.3g} ({result.method}).")
    scheduler = OneCycleScheduler(max_lr, div_factor=div_factor, final_div_factor=final_div_factor,
                                  pct_start=pct_start, moms=moms, anneal=anneal)
    return model.fit(x, y, epochs=epochs, callbacks=_callbacks_list(callbacks) + [scheduler], **fit_kwargs)


def fine_tune(model, x=None, y=None, epochs: int = 1, base_lr: float = 2e-3, freeze_epochs: int = 1,
              lr_mult: float = 100.0, train_bn: bool = True, n_groups: int = 3, pct_start: float = 0.3,
              div_factor: float = 5.0, callbacks=None, **fit_kwargs):
    """fastai's ``fine_tune``: train the head of a frozen model, then the whole model with discriminative LRs.

    1. ``freeze(train_bn=train_bn)``; ``freeze_epochs`` one-cycle epochs at ``max_lr=base_lr``
       (``pct_start=0.99``).
    2. ``unfreeze()``; ``set_layer_group_lrs(n_groups, lr_mult=lr_mult)``; ``epochs`` one-cycle
       epochs at ``max_lr=base_lr / 2`` for the head (``base_lr / 2 / lr_mult`` for the first
       group), with ``pct_start`` and ``div_factor``.

    The optimizer (and its state) is the compiled one throughout; the layer-group factors stay set
    afterwards (``model.set_layer_group_lrs(1, lrs=[1.0])`` resets them). Returns one ``History``
    covering both phases (epochs numbered on from phase 1).
    """
    model._check_compiled("fine_tune")
    x, y, fit_kwargs = _presplit(x, y, fit_kwargs)
    fit_kwargs.pop("initial_epoch", None)
    cbs = _callbacks_list(callbacks)
    histories = []
    if freeze_epochs > 0:
        freeze(model, train_bn=train_bn)
        histories.append(fit_one_cycle(model, x, y, epochs=freeze_epochs, max_lr=base_lr, pct_start=0.99,
                                       callbacks=cbs, **fit_kwargs))
    unfreeze(model)
    set_layer_group_lrs(model, n_groups, lr_mult=lr_mult)
    histories.append(fit_one_cycle(model, x, y, epochs=freeze_epochs + epochs, initial_epoch=freeze_epochs,
                                   max_lr=base_lr / 2, pct_start=pct_start, div_factor=div_factor, callbacks=cbs,
                                   **fit_kwargs))
    merged = History()
    merged.set_model(model)
    for h in histories:
        merged.epoch.extend(h.epoch)
        for key, values in h.history.items():
            merged.history.setdefault(key, []).extend(values)
    model.history = merged
    return merged
