"""The symbolic tensor of the functional API: ``KerasTensor`` and its ``KerasHistory``.

A KerasTensor has a shape (``None`` for unknown dimensions), a dtype and a history:
the layer call (node) that produced it. Calling a layer on KerasTensors records a node
instead of computing. Any torch function applied to a KerasTensor (``x + y``,
``x[:, 0]``, ``keras.ops.concatenate``) is recorded the same way, through
``__torch_function__``.

Recording a torch function needs a *layer* to hold it (the node's layer, serialized
and listed in ``model.layers``), and layers live one floor above this one. So the
layers floor hands its op-layer recorder down once, at import, through
``set_torch_op_recorder`` (``layers/input_layer.py`` does it next to ``TorchOpLayer``);
nothing here imports upward.
"""
from __future__ import annotations

import operator
from typing import Any, Callable, NamedTuple

import torch

from kerastorch._core import config, naming, tree


class KerasHistory(NamedTuple):
    layer: Any
    node_index: int
    tensor_index: int


# fn(func, args, kwargs) -> KerasTensor(s): records `func(*args, **kwargs)` as a graph node.
_TORCH_OP_RECORDER: list[Callable] = []


def set_torch_op_recorder(recorder: Callable) -> None:
    """Install how a torch function applied to KerasTensors is recorded (done once by ``layers``)."""
    _TORCH_OP_RECORDER[:] = [recorder]


# fn() called whenever a KerasTensor is made: ``layers`` installs the hooks that let a plain torch module be
# called on KerasTensors (layers/core/torch_module_wrapper.py) only while graphs are being built.
_KERAS_TENSOR_LISTENER: list[Callable] = []


def set_keras_tensor_listener(listener: Callable) -> None:
    """Install the function called each time a KerasTensor is created (done once by ``layers``)."""
    _KERAS_TENSOR_LISTENER[:] = [listener]


class KerasTensor:
    """A symbolic tensor: what a layer returns when called on ``keras.Input``."""

    def __init__(self, shape, dtype="float32", sparse: bool = False, ragged: bool = False,
                 record_history: bool = True, name: str | None = None, **kwargs):
        # Keras's ragged-tensor details (TensorFlow only): accepted and kept, as Keras keeps them.
        ragged_rank = kwargs.pop("ragged_rank", None)
        row_splits_dtype = kwargs.pop("row_splits_dtype", None)
        if kwargs:
            raise TypeError(f"KerasTensor() got unexpected keyword arguments: {', '.join(sorted(kwargs))}. "
                            "It takes shape, dtype, sparse, ragged, record_history and name.")
        if shape is None:
            raise ValueError("KerasTensor needs a `shape`: a tuple of ints or None (unknown), e.g. (None, 3).")
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.ragged = bool(ragged)
        if self.sparse and self.ragged:
            raise ValueError("KerasTensor cannot have `sparse=True` and `ragged=True` at the same time.")
        self.ragged_rank = None if ragged_rank is None else int(ragged_rank)
        self.row_splits_dtype = None if row_splits_dtype is None else standardize_dtype(row_splits_dtype)
        # False: calls on this tensor record no graph node (shape inference only), as in Keras.
        self.record_history = bool(record_history)
        self.name = name or naming.auto_name("keras_tensor")
        self._keras_history = None
        self._keras_mask = None
        if _KERAS_TENSOR_LISTENER:
            _KERAS_TENSOR_LISTENER[0]()

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def torch_dtype(self) -> torch.dtype:
        if self.dtype == "string":
            raise TypeError(f"{self!r} holds strings, which have no torch dtype: a string layer "
                            "(TextVectorization, StringLookup, Hashing) turns them into numbers first.")
        return config.to_torch_dtype(self.dtype)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __len__(self):
        if self.shape and self.shape[0] is not None:
            return self.shape[0]
        raise TypeError("A symbolic KerasTensor has an unknown batch size; `len()` is not defined.")

    def __iter__(self):
        raise TypeError("A symbolic KerasTensor cannot be iterated over. If you meant to unpack the outputs "
                        "of a layer, make sure the layer returns several outputs.")

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor has no truth value: it holds no data until the model runs.")

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if not _TORCH_OP_RECORDER:
            raise RuntimeError("Applying a torch function to a KerasTensor needs `kerastorch.layers`, which "
                               "installs the op recorder; `import kerastorch` first.")
        return _TORCH_OP_RECORDER[0](func, args, kwargs or {})

    def _op(self, fn, *args):
        return self.__torch_function__(fn, (type(self),), (self,) + args)

    # Arithmetic, comparison and indexing: recorded as op nodes like any torch function.
    def __add__(self, o): return self._op(operator.add, o)
    def __radd__(self, o): return self._op(_swap(operator.add), o)
    def __sub__(self, o): return self._op(operator.sub, o)
    def __rsub__(self, o): return self._op(_swap(operator.sub), o)
    def __mul__(self, o): return self._op(operator.mul, o)
    def __rmul__(self, o): return self._op(_swap(operator.mul), o)
    def __truediv__(self, o): return self._op(operator.truediv, o)
    def __rtruediv__(self, o): return self._op(_swap(operator.truediv), o)
    def __floordiv__(self, o): return self._op(operator.floordiv, o)
    def __pow__(self, o): return self._op(operator.pow, o)
    def __rpow__(self, o): return self._op(_swap(operator.pow), o)
    def __matmul__(self, o): return self._op(operator.matmul, o)
    def __rmatmul__(self, o): return self._op(_swap(operator.matmul), o)
    def __mod__(self, o): return self._op(operator.mod, o)
    def __neg__(self): return self._op(operator.neg)
    def __abs__(self): return self._op(operator.abs)
    def __lt__(self, o): return self._op(operator.lt, o)
    def __le__(self, o): return self._op(operator.le, o)
    def __gt__(self, o): return self._op(operator.gt, o)
    def __ge__(self, o): return self._op(operator.ge, o)
    def __and__(self, o): return self._op(operator.and_, o)
    def __or__(self, o): return self._op(operator.or_, o)
    def __invert__(self): return self._op(operator.invert)
    def __getitem__(self, idx): return self._op(operator.getitem, idx)
    __hash__ = object.__hash__


def standardize_dtype(dtype: Any) -> str:
    """A KerasTensor's dtype name: a torch dtype's name, or ``"string"`` for text inputs.

    Strings have no torch dtype; they stay Python/numpy values until a string layer
    (TextVectorization, StringLookup, Hashing) turns them into integer tensors.
    """
    if dtype is str or dtype is bytes or (isinstance(dtype, str) and dtype in ("string", "str", "object")):
        return "string"
    if not isinstance(dtype, (str, torch.dtype, dict)) and getattr(dtype, "kind", None) in ("U", "S", "O"):
        return "string"  # a numpy str/bytes/object dtype
    return config.dtype_name(config.to_torch_dtype(dtype))


def _swap(fn):
    def swapped(a, b):
        return fn(b, a)
    swapped.__name__ = f"r{fn.__name__}"
    return swapped


def is_keras_tensor(x: Any) -> bool:
    return type(x) is KerasTensor


def any_keras_tensor(args: tuple | list, kwargs: dict) -> bool:
    """Whether a call's arguments hold a KerasTensor anywhere in their nests (a symbolic call)."""
    return any(type(t) is KerasTensor for t in tree.flatten(list(args)) + tree.flatten(kwargs))
