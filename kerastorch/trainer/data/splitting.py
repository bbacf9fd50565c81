"""``validation_split``: Keras's last-fraction split, unless the tail would mislead, plus shuffle checks.

Keras takes the *last* fraction of the arrays as validation data, before any shuffling.
A ported script whose data is already in random order must get Keras's numbers, so the
default policy ("auto") keeps that split whenever it is sound:

* class labels (integer ids or one-hot rows): the class counts of the tail are tested
  against those of the whole data (a chi-square test with the finite-population
  correction).  A tail that random sampling explains (p >= 1e-5) is kept: the split is
  exactly Keras's.  A tail that it does not (class-sorted or blocked labels, drift) is
  replaced by a seeded split stratified by class, announced by one warning line;
* anything else (regression targets, several outputs, no targets): Keras's split. Data
  in time order (a regression on a sequence) must be validated on its newest samples, so
  it is never shuffled; when the targets look ordered the warning says so once.

``keras.config.set_default("validation_split", ...)``: "last" (always Keras's split; also
``use_keras_defaults()``), "stratified" (always the seeded stratified split), "random"
(always a seeded unstratified random split) or "auto" (the default above).
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import torch

from kerastorch.backend import defaults, tree
from kerastorch.trainer.data.base import _is_array_like, text_lists_as_arrays

# The tail is called unrepresentative below this p-value: on data in random order that
# happens once in 100 000 splits, so ported scripts keep Keras's numbers (experiments/
# validation_split_policy.py measures both error rates).
TAIL_P_VALUE = 1e-5
# |lag-1 autocorrelation| of the targets above which regression data is taken as ordered
# (time series, or sorted by target); in random order it is about N(0, 1/n).
ORDERED_AUTOCORRELATION = 0.5

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


def tail_p_value(labels: np.ndarray, n_train: int) -> float:
    """P-value of the class counts of ``labels[n_train:]`` under a random order of ``labels``.

    Pearson's chi-square of the tail's counts against ``fraction * class count``, scaled by
    ``(N - 1) / (N - n)`` because the tail is drawn without replacement (multivariate
    hypergeometric), against a chi-square with ``classes - 1`` degrees of freedom.
    """
    n = len(labels)
    n_val = n - n_train
    classes, inverse = np.unique(labels, return_inverse=True)
    if len(classes) < 2:
        return 1.0
    total = np.bincount(inverse, minlength=len(classes)).astype(np.float64)
    tail = np.bincount(inverse[n_train:], minlength=len(classes)).astype(np.float64)
    expected = total * (n_val / n)
    statistic = float(np.sum((tail - expected) ** 2 / expected)) * (n - 1) / max(n - n_val, 1)
    dof = len(classes) - 1
    return float(torch.special.gammaincc(torch.tensor(dof / 2.0, dtype=torch.float64),
                                         torch.tensor(statistic / 2.0, dtype=torch.float64)))


def _lag1_autocorrelation(y) -> float | None:
    """Lag-1 autocorrelation of per-sample target means (None when there is no single target array)."""
    if y is None or isinstance(y, (list, tuple, dict)):
        return None
    arr = y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    if arr.dtype.kind not in "iufb" or arr.shape[0] < 8:
        return None
    values = arr.reshape(arr.shape[0], -1).astype(np.float64).mean(axis=1)
    centered = values - values.mean()
    denominator = float(np.sum(centered * centered))
    if denominator == 0.0:
        return 0.0
    return float(np.sum(centered[1:] * centered[:-1]) / denominator)


def choose_validation_indices(y, n: int, n_train: int, strategy: str, seed: int):
    """``(validation indices, how, notice)`` for one split; ``notice`` is None when there is nothing to say."""
    if strategy == "last":
        return np.arange(n_train, n), "the last fraction of the arrays (Keras's split)", None
    rng = np.random.default_rng(seed)
    labels = _labels_of(y) if strategy in ("auto", "stratified") else None
    if strategy == "auto":
        if labels is None:
            r1 = _lag1_autocorrelation(y)
            notice = None
            if r1 is not None and abs(r1) > ORDERED_AUTOCORRELATION:
                notice = (f"the targets look ordered (lag-1 autocorrelation {r1:.2f}: a time series, or data "
                          "sorted by target); validation is the last fraction, the newest samples, as in Keras "
                          "(never shuffled). keras.config.set_default('validation_split', 'random') draws a "
                          "random split instead")
            return np.arange(n_train, n), "the last fraction of the arrays (Keras's split)", notice
        p_value = tail_p_value(labels, n_train)
        if p_value >= TAIL_P_VALUE:
            return np.arange(n_train, n), "the last fraction of the arrays (Keras's split)", None
        classes, total = np.unique(labels, return_counts=True)
        tail = np.array([np.sum(labels[n_train:] == c) for c in classes])
        worst = int(np.argmax(np.abs(tail - total * (n - n_train) / n)))
        notice = (f"the last {n - n_train} samples (Keras's split) hold class {classes[worst]} "
                  f"{tail[worst]} times where its share would be {total[worst] * (n - n_train) / n:.0f} "
                  f"(class-sorted or blocked labels, p={p_value:.1e}); using a seeded split stratified by class "
                  "instead. keras.config.set_default('validation_split', 'last') keeps Keras's split")
        return _stratified_indices(labels, (n - n_train) / n, rng), "a random sample stratified by class", notice
    if labels is not None:
        return _stratified_indices(labels, (n - n_train) / n, rng), "a random sample stratified by class", None
    return np.sort(rng.permutation(n)[: n - n_train]), "a random sample", None


def split_validation(x, y, sample_weight, validation_split: float, verbose: bool = True):
    """Split arrays into (train, validation) tuples of ``(x, y, sample_weight)``; both keep their order.

    ``verbose`` is accepted for the callers' symmetry only: a change from Keras's split is a
    warning, so that ``verbose=0`` runs hear about it too.
    """
    x = text_lists_as_arrays(x)
    if not _is_array_like(x):
        raise ValueError("`validation_split` is only supported for arrays/tensors; received x of type "
                         f"{type(x)}. Pass `validation_data` instead.")
    if not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received {validation_split}.")
    n = int(tree.flatten(x)[0].shape[0])
    n_train = math.floor(n * (1.0 - validation_split))  # Keras's split point
    if n_train == 0 or n_train == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split it into a "
                         f"validation and training set as specified by `validation_split={validation_split}`.")
    val_idx, _how, notice = choose_validation_indices(y, n, n_train, defaults.get("validation_split"),
                                                     defaults.get("validation_split_seed"))
    if notice is not None:
        warnings.warn(f"validation_split={validation_split}: {notice}.", UserWarning, stacklevel=3)
    mask = np.ones(n, dtype=bool)
    mask[val_idx] = False
    train_idx = np.flatnonzero(mask)
    keras_split = bool(val_idx[0] == n_train and len(val_idx) == n - n_train)

    def take(structure, idx, contiguous_from=None):
        if structure is None:
            return None

        def pick(v):
            if contiguous_from is not None:  # Keras's split: plain slices, no copies of the index
                return v[contiguous_from[0]:contiguous_from[1]]
            if isinstance(v, torch.Tensor):
                return v[torch.as_tensor(idx, device=v.device)]
            return np.asarray(v)[idx]
        return tree.map_structure(pick, structure)
    train_slice = (0, n_train) if keras_split else None
    val_slice = (n_train, n) if keras_split else None
    return ((take(x, train_idx, train_slice), take(y, train_idx, train_slice),
             take(sample_weight, train_idx, train_slice)),
            (take(x, val_idx, val_slice), take(y, val_idx, val_slice), take(sample_weight, val_idx, val_slice)))


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
