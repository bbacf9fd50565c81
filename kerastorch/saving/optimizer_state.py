"""Optimizer variables in Keras layout, for files.

Keras files store each per-variable slot (momentum, velocity...) in the Keras layout
of its variable. A kerastorch layer may keep a weight in another layout (a convolution
kernel as ``(out, in, kh, kw)``), and its optimizer slots follow that layout, so
slots go through the owning layer's ``_weight_to_keras`` / ``_weight_from_keras``
when written to or read from a file.
"""
from __future__ import annotations

import numpy as np
import torch


def _owners(model) -> dict:
    """id(trainable variable) -> (owner layer, attribute)."""
    out = {}
    if hasattr(model, "_weight_slots"):
        for owner, attr in model._weight_slots():
            out[id(getattr(owner, attr))] = (owner, attr)
    return out


def _variable_of(opt, key: str):
    head, _, tail = key.rpartition("/")
    if head and tail.isdigit():
        variables = getattr(opt, "_trainable_variables", [])
        i = int(tail)
        if i < len(variables):
            return variables[i]
    return None


def keras_layout_values(model, opt) -> list[np.ndarray]:
    """``opt.variables`` as numpy arrays, per-variable slots converted to Keras layout."""
    owners = _owners(model)
    out = []
    for key, tensor in opt._state_items():
        value = tensor.detach()
        var = _variable_of(opt, key)
        if var is not None and id(var) in owners:
            owner, attr = owners[id(var)]
            if hasattr(owner, "_weight_to_keras"):
                value = owner._weight_to_keras(attr, value)
        out.append(value.cpu().numpy())
    return out


def set_from_keras_layout(model, opt, arrays) -> None:
    """Restore ``opt`` (built) from arrays in ``opt.variables`` order and Keras layout."""
    owners = _owners(model)
    items = opt._state_items()
    if len(items) != len(arrays):
        raise ValueError(f"the optimizer has {len(items)} variables, the file has {len(arrays)}")
    state = {}
    for (key, target), value in zip(items, arrays):
        value = torch.as_tensor(np.asarray(value))
        var = _variable_of(opt, key)
        if var is not None and id(var) in owners:
            owner, attr = owners[id(var)]
            if hasattr(owner, "_weight_from_keras") and tuple(value.shape) != tuple(target.shape):
                value = owner._weight_from_keras(attr, value.to(target.dtype))
        state[key] = value
    opt.set_state(state)


def state_from_keras_layout(model, opt, state: dict) -> dict:
    """A ``get_state``-style dict whose per-variable entries are in Keras layout, converted back."""
    owners = _owners(model)
    out = {}
    for key, value in state.items():
        value = torch.as_tensor(np.asarray(value))
        var = _variable_of(opt, key)
        if var is not None and id(var) in owners and tuple(value.shape) != tuple(var.shape):
            owner, attr = owners[id(var)]
            value = owner._weight_from_keras(attr, value.to(var.dtype))
        out[key] = value
    return out


def tf_keras_optimizer_state(opt, names: list, arrays: list) -> dict:
    """Map tf-keras optimizer weights (``iteration:0``, ``Adam/m/<var>:0`` interleaved) onto ``get_state`` keys."""
    current = opt.get_state()
    slot_names = list(opt._slot_names()) if hasattr(opt, "_slot_names") else []
    state = {}
    tokens: list[str] = []
    counts: dict[str, int] = {}
    for name, value in zip(names, arrays):
        base = name.split(":")[0]
        if base.split("/")[-1] in ("iteration", "iterations"):
            state["iterations"] = value
            continue
        if base.split("/")[-1] in ("learning_rate", "lr"):
            state["learning_rate"] = value
            continue
        parts = base.split("/")
        token = parts[1] if len(parts) > 2 else parts[0]
        if token not in counts:
            tokens.append(token)
            counts[token] = 0
        if len(tokens) > len(slot_names):
            raise ValueError(f"unexpected optimizer variable {name!r}")
        state[f"{slot_names[tokens.index(token)]}/{counts[token]}"] = value
        counts[token] += 1
    if "learning_rate" in current and "learning_rate" not in state:
        state["learning_rate"] = current["learning_rate"]
    return state
