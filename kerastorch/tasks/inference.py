"""What the data says: the task from the targets, the input type from the inputs, class weights, the split.

Each rule is a small pure function of numpy arrays so that tests can check it alone and the
summary can say *why* a choice was made.

Targets (``infer_target``):

* ``bool`` values, or exactly two distinct values -> ``"binary"`` (one sigmoid unit);
* 2-D rows of 0/1 summing to 1 -> ``"multiclass"`` with one-hot targets;
* 2-D rows of 0/1 otherwise -> ``"multilabel"`` (one sigmoid unit per column);
* strings -> ``"multiclass"`` (or binary with two), labels encoded by sorted class name;
* integer values (integer dtype, or floats that are all whole numbers):
  the ids ``0..k-1`` all present with ``k <= n / 2`` -> ``"multiclass"`` (the class-id convention);
  more than ``MANY_VALUES`` distinct values -> ``"regression"`` (a count or amount);
  anything else (say ratings 1..5) is ambiguous: a ValueError names ``task=``;
* other floats -> ``"regression"`` (several columns: one output per column).

Inputs (``infer_input_type``): a directory path -> images from sub-folders; strings -> text;
a dict of columns or a DataFrame -> tabular with per-column preprocessing; 4-D arrays (or 3-D
``uint8``) -> images; 2-D numbers -> tabular.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

TASKS = ("binary", "multiclass", "multilabel", "regression")
INPUT_TYPES = ("tabular", "text", "image")
# Integer-valued targets with more distinct values than this (and not the ids 0..k-1) are a quantity.
MANY_VALUES = 20
# max/min class count at or above which the classes get "balanced" weights.
IMBALANCE_RATIO = 1.5


@dataclass
class TargetInfo:
    """The task inferred from ``y`` and what the model needs to know about the targets."""

    task: str
    n_outputs: int                      # units of the output layer
    one_hot: bool = False               # multiclass targets given as one-hot rows
    class_names: list | None = None     # labels of the classes (strings, or the values themselves)
    counts: list | None = None          # samples per class (binary / multiclass)
    mean: np.ndarray | None = None      # regression: per-output mean and variance of the targets
    variance: np.ndarray | None = None
    reason: str = ""
    encode: dict | None = field(default=None, repr=False)  # label value -> class id, when labels are not 0..k-1


def as_numpy(v: Any) -> np.ndarray:
    """A numpy view of an array, tensor, list or pandas object."""
    if isinstance(v, torch.Tensor):
        return v.detach().cpu().numpy()
    if hasattr(v, "to_numpy"):
        return v.to_numpy()
    return np.asarray(v)


def _is_stringy(arr: np.ndarray) -> bool:
    if arr.dtype.kind in "US":
        return True
    if arr.dtype.kind == "O" and arr.size:
        return isinstance(arr.flat[0], (str, bytes))
    return False


def _whole(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "iub" or (arr.dtype.kind == "f" and bool(np.all(np.isfinite(arr)))
                                       and bool(np.all(arr == np.round(arr))))


def _ambiguous(values: np.ndarray, n: int) -> ValueError:
    shown = ", ".join(str(v) for v in values[:8]) + (", ..." if len(values) > 8 else "")
    return ValueError(
        f"Cannot tell whether these targets are classes or a quantity: {len(values)} distinct whole-number "
        f"values ({shown}) in {n} samples, not the class ids 0..{len(values) - 1}. Pass "
        "task='multiclass' to treat each value as a class, or task='regression' to predict the number.")


def infer_target(y: Any, task: str | None = None) -> TargetInfo:
    """The task for targets ``y``; ``task`` (one of TASKS) overrides the inference and is checked against y."""
    if y is None:
        raise ValueError("keras.tasks needs targets to infer the task: received y=None. Pass `y` (or a "
                         "directory of images with one sub-folder per class as `x`).")
    if isinstance(y, (list, tuple, dict)) and not (isinstance(y, list) and y and np.isscalar(y[0])):
        raise ValueError(f"keras.tasks expects one target array; received a {type(y).__name__} of arrays. "
                         "Build a multi-output model yourself, or stack the targets as columns of one array.")
    if task is not None and task not in TASKS:
        raise ValueError(f"`task` must be one of {TASKS} (or None to infer it); received task={task!r}.")
    arr = as_numpy(y)
    if arr.ndim == 0 or arr.shape[0] == 0:
        raise ValueError(f"Targets must have one row per sample; received y of shape {arr.shape}.")
    n = arr.shape[0]
    if arr.ndim > 2:
        raise ValueError(f"keras.tasks supports targets of shape (n,) or (n, k); received {arr.shape}.")
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 2:
        return _infer_2d(arr, task)
    if _is_stringy(arr):
        names = sorted({str(v) for v in arr.tolist()})
        return _classes(arr.astype(str), names, task, "string labels", string_labels=True)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Targets must be numbers, booleans or strings; received dtype {arr.dtype}.")
    values = np.unique(arr)
    if task == "regression":
        return _regression(arr.reshape(n, 1), "task='regression' (given)")
    if arr.dtype.kind == "b" or len(values) == 2:
        return _classes(arr, values.tolist(), task or "binary", f"two distinct values {values.tolist()}")
    if task in ("binary", "multilabel"):
        raise ValueError(f"task={task!r} needs {'two classes' if task == 'binary' else 'targets of shape (n, k)'}; "
                         f"received 1-D targets with {len(values)} distinct values.")
    if len(values) == 1:
        raise ValueError(f"All {n} targets have the same value {values[0]!r}: there is nothing to learn. "
                         "Check the targets (or pass task='regression' on more varied data).")
    whole = _whole(arr)
    is_ids = whole and values[0] == 0 and values[-1] == len(values) - 1 and len(values) <= max(2, n // 2)
    if task == "multiclass":
        return _classes(arr, values.tolist(), task, "task='multiclass' (given)")
    if is_ids:
        return _classes(arr, values.tolist(), "multiclass",
                        f"integer class ids 0..{len(values) - 1}")
    if not whole:
        return _regression(arr.reshape(n, 1), "real-valued targets")
    if len(values) > MANY_VALUES:
        return _regression(arr.reshape(n, 1), f"{len(values)} distinct whole-number values (a quantity)")
    raise _ambiguous(values, n)


def _infer_2d(arr: np.ndarray, task: str | None) -> TargetInfo:
    k = arr.shape[1]
    binary = arr.dtype.kind in "biuf" and bool(np.all((arr == 0) | (arr == 1)))
    one_hot = binary and bool(np.all(arr.sum(axis=1) == 1))
    if task == "regression" or (task is None and not binary):
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"Regression targets must be numbers; received dtype {arr.dtype}.")
        return _regression(arr, f"{k} real-valued columns" if task is None else "task='regression' (given)")
    if not binary:
        raise ValueError(f"task={task!r} with 2-D targets needs 0/1 columns; received values other than 0 and 1 "
                         "in y. Pass task='regression' or class ids of shape (n,).")
    if task == "binary":
        raise ValueError(f"task='binary' needs targets of shape (n,) or (n, 1); received shape {arr.shape}. "
                         "Use task='multilabel' for several independent 0/1 columns.")
    counts = arr.sum(axis=0).astype(int).tolist()
    if (one_hot and task != "multilabel") or task == "multiclass":
        if not one_hot:
            raise ValueError("task='multiclass' with 2-D targets needs one-hot rows (exactly one 1 per row).")
        return TargetInfo("multiclass", k, one_hot=True, class_names=list(range(k)), counts=counts,
                          reason=f"one-hot rows over {k} classes")
    return TargetInfo("multilabel", k, class_names=list(range(k)), counts=counts,
                      reason=f"{k} independent 0/1 columns")


def _classes(arr: np.ndarray, names: list, task: str, reason: str, string_labels: bool = False) -> TargetInfo:
    if string_labels or not (names == list(range(len(names)))):
        encode = {name: i for i, name in enumerate(names)}
        ids = np.array([encode[v.item() if hasattr(v, "item") else v] for v in arr])
    else:
        encode, ids = None, arr.astype(np.int64)
    counts = np.bincount(ids.astype(np.int64), minlength=len(names)).tolist()
    if task == "binary" and len(names) != 2:
        raise ValueError(f"task='binary' needs two classes; received {len(names)} distinct labels.")
    if task == "binary" or (len(names) == 2 and task != "multiclass"):
        return TargetInfo("binary", 1, class_names=names, counts=counts, reason=reason, encode=encode)
    return TargetInfo("multiclass", len(names), class_names=names, counts=counts, reason=reason, encode=encode)


def _regression(arr: np.ndarray, reason: str) -> TargetInfo:
    values = arr.astype(np.float64)
    variance = values.var(axis=0)
    variance[variance == 0] = 1.0
    return TargetInfo("regression", arr.shape[1], mean=values.mean(axis=0), variance=variance, reason=reason)


def encode_targets(info: TargetInfo, y: Any) -> np.ndarray:
    """``y`` as the loss expects it: class ids (int64), 0/1 floats, or float32 regression targets."""
    arr = as_numpy(y)
    if arr.ndim == 2 and arr.shape[1] == 1 and info.task != "multilabel" and not info.one_hot:
        arr = arr[:, 0]
    if info.task == "regression":
        return arr.astype(np.float32).reshape(arr.shape[0], info.n_outputs)
    if info.task == "multilabel" or info.one_hot:
        return arr.astype(np.float32)
    if info.encode is not None:
        keys = arr.astype(str) if _is_stringy(arr) else arr
        try:
            ids = np.array([info.encode[v.item() if hasattr(v, "item") else v] for v in keys], dtype=np.int64)
        except KeyError as e:
            raise ValueError(f"Label {e.args[0]!r} was not among the classes seen when the model was built "
                             f"({info.class_names}).") from None
    else:
        ids = arr.astype(np.int64)
    if info.task == "binary":
        return ids.astype(np.float32).reshape(-1, 1)
    return ids


def class_weights(info: TargetInfo, setting: Any = "auto") -> tuple[dict | None, str]:
    """(class_weight dict or None, why). "auto": "balanced" weights when max/min count >= IMBALANCE_RATIO."""
    if info.task not in ("binary", "multiclass"):
        if setting not in ("auto", None):
            raise ValueError(f"class_weight applies to binary and multi-class tasks; this task is {info.task!r}.")
        return None, "not used (" + info.task + ")"
    counts = np.asarray(info.counts, dtype=np.float64)
    ratio = float(counts.max() / max(counts.min(), 1.0))
    balanced = {i: float(counts.sum() / (len(counts) * max(c, 1.0))) for i, c in enumerate(counts)}
    if setting is None:
        return None, "none (given)"
    if isinstance(setting, dict):
        return {int(k): float(v) for k, v in setting.items()}, "given"
    if setting == "balanced":
        return balanced, f"balanced (given; counts ratio {ratio:.1f})"
    if setting != "auto":
        raise ValueError(f"`class_weight` must be 'auto', 'balanced', None or a dict; received {setting!r}.")
    if ratio >= IMBALANCE_RATIO:
        return balanced, f"balanced: largest/smallest class {ratio:.1f}x (>= {IMBALANCE_RATIO})"
    return None, f"none: classes balanced (largest/smallest {ratio:.1f}x < {IMBALANCE_RATIO})"


def infer_input_type(x: Any, input_type: str | None = None) -> str:
    """"tabular", "text" or "image" for inputs ``x``; ``input_type`` overrides."""
    if input_type is not None:
        if input_type not in INPUT_TYPES:
            raise ValueError(f"`input_type` must be one of {INPUT_TYPES}; received {input_type!r}.")
        return input_type
    if isinstance(x, (str, os.PathLike)) and os.path.isdir(x):
        return "image"
    if isinstance(x, dict) or is_dataframe(x):
        return "tabular"
    if isinstance(x, (list, tuple)) and x and isinstance(x[0], (str, bytes)):
        return "text"
    if x is None:
        raise ValueError("keras.tasks needs inputs: received x=None.")
    arr = as_numpy(x)
    if _is_stringy(arr):
        if arr.ndim == 1 or (arr.ndim == 2 and arr.shape[1] == 1):
            return "text"
        raise ValueError(f"String inputs of shape {arr.shape}: pass a dict of columns (one per feature) for "
                         "tabular data, or one string per sample for text.")
    if arr.ndim == 4 or (arr.ndim == 3 and arr.dtype == np.uint8):
        return "image"
    if arr.ndim == 2:
        return "tabular"
    if arr.ndim == 1:
        return "tabular"
    raise ValueError(f"Cannot tell the input type of an array of shape {arr.shape} and dtype {arr.dtype}. Pass "
                     "input_type='image' (images (n, h, w, channels)), or reshape to (n, features) for tabular data.")


def is_dataframe(x: Any) -> bool:
    """A pandas DataFrame (duck-typed: pandas is an optional dependency)."""
    return hasattr(x, "columns") and hasattr(x, "dtypes") and hasattr(x, "__getitem__") and not isinstance(x, dict)


def columns_of(x: Any) -> dict[str, np.ndarray]:
    """A dict of columns (or DataFrame) as ``{name: (n, 1) array}``, the model's per-column inputs."""
    if is_dataframe(x):
        x = {str(c): x[c] for c in x.columns}
    out = {}
    for name, col in x.items():
        arr = as_numpy(col)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2 or arr.shape[1] != 1:
            raise ValueError(f"Column {name!r} must hold one value per sample; received shape {arr.shape}.")
        if _is_stringy(arr):
            arr = arr.astype(str)
        out[str(name)] = arr
    return out


def is_categorical_column(arr: np.ndarray) -> bool:
    """String columns are categories; numbers (and booleans, as 0/1) are numeric unless named in `categorical`."""
    return _is_stringy(arr)
