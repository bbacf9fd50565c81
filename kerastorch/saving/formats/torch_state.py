"""``torch.save`` state dicts (``.pt``/``.pth``): the model's ``state_dict()``, read with
``weights_only=True`` (no code runs), keys and shapes checked before anything is applied.
"""
from __future__ import annotations

import pickle
import warnings

import torch

from kerastorch.saving import file_utils
from kerastorch.saving.file_utils import FileFormatError


def save_state_dict(model, path: str) -> None:
    """``model.state_dict()`` (on CPU) into ``path``, atomically."""
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    with file_utils.atomic_path(path) as tmp:
        torch.save(state, tmp)


def load_state_dict(model, path: str, by_name: bool, skip_mismatch: bool) -> None:
    """A torch state_dict file into ``model`` (``by_name``: missing keys allowed), problems listed by key."""
    with file_utils.reading(path, "read the torch checkpoint"):
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as e:
            raise FileFormatError(f"{path!r} could not be loaded with torch.load(weights_only=True): {e}") from e
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise FileFormatError(f"{path!r} does not hold a state_dict (a dict of tensors).")
    own = model.state_dict()
    problems = []
    kept = {}
    for key, value in state.items():
        if key not in own:
            problems.append(f"unexpected weight {key!r}")
            continue
        if tuple(own[key].shape) != tuple(value.shape):
            layer, _, weight = key.rpartition(".")
            problems.append(f'shape mismatch for layer "{layer}", weight "{weight}": the model expects '
                            f"{tuple(own[key].shape)}, the file has {tuple(value.shape)}")
            continue
        kept[key] = value
    missing = [k for k in own if k not in state]
    if not by_name:
        problems += [f"missing weight {k!r}" for k in missing]
    if problems:
        msg = f"Cannot load {path!r} into model \"{getattr(model, 'name', '?')}\": " + "; ".join(problems[:10])
        if len(problems) > 10:
            msg += f"; ... ({len(problems)} problems)"
        if not skip_mismatch:
            raise ValueError(msg)
        warnings.warn(msg + " -- skipped.", stacklevel=3)
    model.load_state_dict(kept, strict=False)
