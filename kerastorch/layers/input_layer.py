"""``keras.Input`` and the symbolic ``KerasTensor`` of the functional API.

A KerasTensor has a shape (``None`` for unknown dimensions), a dtype and a
history: the layer call (node) that produced it. Calling a layer on
KerasTensors records a node instead of computing. Any torch function applied to
a KerasTensor (``x + y``, ``x[:, 0]``, ``keras.ops.concatenate``) is recorded
the same way, through ``__torch_function__``, so ordinary expressions work in
functional models as they do in Keras 3.
"""
from __future__ import annotations

import operator
from typing import Any, NamedTuple

import torch

from kerastorch.backend import config
from kerastorch.layers.layer import Layer


class KerasHistory(NamedTuple):
    layer: Any
    node_index: int
    tensor_index: int


class KerasTensor:
    """A symbolic tensor: what a layer returns when called on ``keras.Input``."""

    def __init__(self, shape, dtype="float32", name: str | None = None, keras_history=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = config.dtype_name(config.to_torch_dtype(dtype))
        self.name = name
        self._keras_history = keras_history
        self._keras_mask = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def torch_dtype(self) -> torch.dtype:
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
        from kerastorch.models.functional import symbolic_call
        return symbolic_call(TorchOpLayer(func), args, kwargs or {})

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


def _swap(fn):
    def swapped(a, b):
        return fn(b, a)
    swapped.__name__ = f"r{fn.__name__}"
    return swapped


class TorchOpLayer(Layer):
    """A layer wrapping one torch function applied to KerasTensors in a functional model."""

    def __init__(self, func, **kwargs):
        name = kwargs.pop("name", None) or _op_name(func)
        super().__init__(name=name, **kwargs)
        self.func = func

    def call(self, *args, **kwargs):
        return self.func(*args, **kwargs)

    def get_config(self):
        raise NotImplementedError(
            f'The op layer "{self.name}" wraps the Python function {self.func!r}, which cannot be '
            "serialized. Use a Keras layer or a registered custom layer instead to save this model's config.")


def _op_name(func) -> str:
    from kerastorch.backend import naming
    base = getattr(func, "__name__", None) or type(func).__name__
    return naming.auto_name(naming.to_snake_case(base.strip("_")) or "op")


class InputLayer(Layer):
    """The layer behind ``keras.Input``: the entry point of a functional model."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, name=None, **kwargs):
        batch_shape = kwargs.pop("batch_input_shape", batch_shape)
        kwargs.pop("input_shape", None)
        kwargs.pop("ragged", None)
        super().__init__(name=name, dtype=dtype, **{k: v for k, v in kwargs.items() if k in ("trainable",)})
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument to `keras.Input`, e.g. `keras.Input(shape=(784,))`.")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        self.batch_shape = tuple(batch_shape)
        self._input_dtype = config.dtype_name(config.to_torch_dtype(dtype))
        self.built = True
        from kerastorch.models.functional import Node
        tensor = KerasTensor(self.batch_shape, self._input_dtype, name=self.name)
        Node(self, (), {}, tensor)
        self.output_tensor = tensor

    @property
    def dtype(self) -> str:
        return self._input_dtype

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": self._input_dtype, "sparse": False,
                "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None,
          **kwargs) -> KerasTensor:
    """A symbolic input of a functional model: ``keras.Input(shape=(784,))``."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape, name=name,
                       **kwargs)
    return layer.output_tensor
