"""``validation_split`` and shuffle checks: where kerastorch's defaults differ from Keras's.

Keras takes the *last* fraction of the arrays as validation data, before any
shuffling. On data sorted by class or by collection time that gives a validation
set of one class (or only the newest samples), and the validation metrics mean
nothing. kerastorch draws a seeded random split instead, stratified by class when
the targets are class labels. ``keras.config.set_default("validation_split", "last")``
(or ``keras.config.use_keras_defaults()``) restores Keras's split.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch

from kerastorch.backend import defaults, tree

_REPORTED = False


def _labels_of(y) -> np.ndarray | None:
    """Class ids when ``y`` holds class labels (ids or one-hot rows), else None."""
    if y is None or isinstance(y, (list, tuple, dict)):
        return None
    arr = y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 1:
        if arr.dtype.kind in "iub" or (arr.dtype.kind == "f" and np.all(arr == np.round(arr))):
            values = np.unique(arr)
            return arr.astype(np.int64) if len(values) <= max(2, len(arr) // 2) else None
        return None
    if arr.ndim == 2 and arr.shape[1] > 1 and np.all((arr == 0) | (arr == 1)) and np.all(arr.sum(axis=1) == 1):
        return arr.argmax(axis=1)
    return None


def _stratified_indices(labels: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    val = []
    for cls in np.unique(labels):
        idx = np.flatnonzero(labels == cls)
        rng.shuffle(idx)
        take = int(round(len(idx) * fraction))
        val.append(idx[:take])
    return np.sort(np.concatenate(val))


def split_validation(x, y, sample_weight, validation_split: float, verbose: bool = True):
    """Split arrays into (train, validation) tuples of ``(x, y, sample_weight)``."""
    from kerastorch.trainer.data.data_adapter import _is_array_like
    if not _is_array_like(x):
        raise ValueError("`validation_split` is only supported for arrays/tensors; received x of type "
                         f"{type(x)}. Pass `validation_data` instead.")
    if not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received {validation_split}.")
    n = int(tree.flatten(x)[0].shape[0])
    n_train = int(n * (1.0 - validation_split))
    if n_train == 0 or n_train == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split it into a "
                         f"validation and training set as specified by `validation_split={validation_split}`.")
    strategy = defaults.get("validation_split")
    if strategy == "last":
        val_idx = np.arange(n_train, n)
        how = "the last fraction of the arrays (Keras's split)"
    else:
        rng = np.random.default_rng(defaults.get("validation_split_seed"))
        labels = _labels_of(y) if strategy == "stratified" else None
        if labels is not None:
            val_idx = _stratified_indices(labels, validation_split, rng)
            how = "a random sample stratified by class"
        else:
            val_idx = np.sort(rng.permutation(n)[: n - n_train])
            how = "a random sample"
    mask = np.ones(n, dtype=bool)
    mask[val_idx] = False
    train_idx = np.flatnonzero(mask)
    _report(validation_split, how, verbose)

    def take(structure, idx):
        if structure is None:
            return None
        def pick(v):
            if isinstance(v, torch.Tensor):
                return v[torch.as_tensor(idx, device=v.device)]
            return np.asarray(v)[idx]
        return tree.map_structure(pick, structure)
    return ((take(x, train_idx), take(y, train_idx), take(sample_weight, train_idx)),
            (take(x, val_idx), take(y, val_idx), take(sample_weight, val_idx)))


def _report(fraction: float, how: str, verbose: bool) -> None:
    global _REPORTED
    if _REPORTED or not verbose:
        return
    _REPORTED = True
    note = "" if "Keras" in how else \
        " — keras.config.set_default('validation_split', 'last') restores Keras's last-fraction split"
    print(f"validation_split={fraction}: validation data is {how}{note}.")


def check_shuffle(model, x, shuffle):
    """Warn where ``shuffle`` cannot or must not apply, instead of ignoring it silently like Keras."""
    if not shuffle:
        return shuffle
    if any(getattr(layer, "stateful", False) for layer in model._flatten_layers()):
        warnings.warn("shuffle=True with a stateful RNN would break the state carried between batches; "
                      "training data is NOT shuffled. Pass shuffle=False to silence this warning.", stacklevel=3)
        return False
    if isinstance(x, torch.utils.data.DataLoader):
        if isinstance(x.sampler, torch.utils.data.SequentialSampler):
            warnings.warn("The DataLoader passed to fit() uses a sequential sampler, so its data is not shuffled "
                          "(fit's `shuffle` cannot change a DataLoader). Create it with shuffle=True to shuffle "
                          "training data every epoch.", stacklevel=3)
        return shuffle
    is_generator = hasattr(x, "__next__") or (hasattr(x, "__iter__") and not hasattr(x, "__getitem__")
                                              and not isinstance(x, (dict, list, tuple)))
    if is_generator and not isinstance(x, (np.ndarray, torch.Tensor)):
        warnings.warn("shuffle=True has no effect on a Python generator: batches are used in the order it "
                      "yields them. Shuffle inside the generator (or use a keras.utils.PyDataset) and pass "
                      "shuffle=False to silence this warning.", stacklevel=3)
    return shuffle
