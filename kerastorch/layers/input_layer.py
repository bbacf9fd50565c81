"""``keras.Input``, the ``InputLayer`` behind it, and ``TorchOpLayer``.

The symbolic tensor itself (``KerasTensor``), its ``Node`` and ``symbolic_call`` live
one floor down in ``kerastorch.graph``; this module holds the two graph pieces that
are layers. A torch function applied to a KerasTensor (``x + y``, ``x[:, 0]``,
``keras.ops.concatenate``) becomes a ``TorchOpLayer`` node: this module installs that
recorder into ``graph.keras_tensor`` when it is imported, so ordinary expressions work
in functional models as they do in Keras 3.
"""
from __future__ import annotations

from typing import Any

from kerastorch._core import naming
from kerastorch.graph.keras_tensor import KerasHistory, KerasTensor, set_torch_op_recorder, standardize_dtype
from kerastorch.graph.node import Node
from kerastorch.graph.symbolic import symbolic_call
from kerastorch.layers.layer import Layer

__all__ = ["Input", "InputLayer", "KerasHistory", "KerasTensor", "TorchOpLayer"]


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


def _record_torch_op(func: Any, args: tuple, kwargs: dict) -> Any:
    return symbolic_call(TorchOpLayer(func), args, kwargs)


set_torch_op_recorder(_record_torch_op)


def _op_name(func) -> str:
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
        self._input_dtype = standardize_dtype(dtype)  # a torch dtype's name, or "string"
        self.built = True
        tensor = KerasTensor(self.batch_shape, self._input_dtype, name=self.name)
        Node(self, (), {}, tensor, is_input=True)
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
