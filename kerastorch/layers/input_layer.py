"""``keras.Input``, the ``InputLayer`` behind it, and ``TorchOpLayer``.

The symbolic tensor itself (``KerasTensor``), its ``Node`` and ``symbolic_call`` live
one floor down in ``kerastorch.graph``; this module holds the two graph pieces that
are layers. A torch function applied to a KerasTensor (``x + y``, ``x[:, 0]``,
``keras.ops.concatenate``) becomes a ``TorchOpLayer`` node: this module installs that
recorder into ``graph.keras_tensor`` when it is imported, so ordinary expressions work
in functional models as they do in Keras 3.
"""
from __future__ import annotations

import operator
from typing import Any

import torch

from kerastorch._core import naming
from kerastorch.graph.keras_tensor import KerasHistory, KerasTensor, set_torch_op_recorder, standardize_dtype
from kerastorch.graph.node import Node
from kerastorch.graph.symbolic import symbolic_call
from kerastorch.layers.layer import Layer

__all__ = ["Input", "InputLayer", "KerasHistory", "KerasTensor", "TorchOpLayer"]


# Python and torch operators applied to KerasTensors, by the Keras 3 operation they equal: the
# node is named as Keras names that operation (``add``, ``multiply``...) and written as it.
TORCH_TO_KERAS = {
    operator.add: "Add", operator.sub: "Subtract", operator.mul: "Multiply", operator.truediv: "TrueDivide",
    operator.matmul: "Matmul", operator.neg: "Negative", operator.pow: "Power", operator.abs: "Absolute",
    operator.lt: "Less", operator.le: "LessEqual", operator.gt: "Greater", operator.ge: "GreaterEqual",
    torch.add: "Add", torch.sub: "Subtract", torch.mul: "Multiply", torch.matmul: "Matmul", torch.abs: "Absolute",
    torch.exp: "Exp", torch.sqrt: "Sqrt", torch.square: "Square", torch.tanh: "Tanh", torch.relu: "Relu",
    torch.sigmoid: "Sigmoid", torch.maximum: "Maximum", torch.minimum: "Minimum",
}


class TorchOpLayer(Layer):
    """A torch function applied to KerasTensors in a functional model: an operation node.

    As Keras 3's operations, it is not one of ``model.layers`` (``model.operations`` lists it)
    and holds no weights; ``summary`` shows it and ``get_config`` writes it as the Keras op.
    """
    _is_operation_node = True

    def __init__(self, func, **kwargs):
        name = kwargs.pop("name", None) or _op_name(func)
        super().__init__(name=name, **kwargs)
        self.func = func
        # The Keras operation class it stands for (summary shows ``add (Add)``); the function's name otherwise.
        self.operation_class_name = _keras_op_class(func) or type(self).__name__

    def call(self, *args, **kwargs):
        return self.func(*args, **kwargs)

    def get_config(self):
        raise NotImplementedError(
            f'The op layer "{self.name}" wraps the Python function {self.func!r}, which cannot be '
            "serialized. Use a Keras layer or a registered custom layer instead to save this model's config.")


def _record_torch_op(func: Any, args: tuple, kwargs: dict) -> Any:
    return symbolic_call(TorchOpLayer(func), args, kwargs)


set_torch_op_recorder(_record_torch_op)


def _keras_op_class(func) -> str | None:
    return TORCH_TO_KERAS.get(func) or ("GetItem" if func is operator.getitem else None)


def _op_name(func) -> str:
    base = _keras_op_class(func) or getattr(func, "__name__", None) or type(func).__name__
    return naming.auto_name(naming.to_snake_case(base.strip("_")) or "op")


class InputLayer(Layer):
    """The layer behind ``keras.Input``: the entry point of a functional model."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, **kwargs):
        batch_shape = kwargs.pop("batch_input_shape", batch_shape)
        if kwargs.get("input_shape") is not None and shape is None:
            shape = kwargs.pop("input_shape")
        kwargs.pop("input_shape", None)
        super().__init__(name=name, dtype=dtype, **{k: v for k, v in kwargs.items() if k in ("trainable",)})
        # Torch tensors here are dense: Keras's torch backend refuses sparse and ragged inputs the same way.
        if sparse:
            raise ValueError("`sparse=True` is not supported with the torch backend: pass dense tensors (Keras "
                             "densifies sparse inputs with `sparse=False` on this backend too).")
        if ragged:
            raise ValueError("`ragged=True` is not supported with the torch backend (ragged tensors are "
                             "TensorFlow's): pad the sequences (keras.utils.pad_sequences) and use masking.")
        if input_tensor is not None:
            if type(input_tensor) is not KerasTensor:
                raise ValueError(f"Argument `input_tensor` must be a KerasTensor. Received invalid type: "
                                 f"input_tensor={input_tensor!r} (of type {type(input_tensor)})")
            if batch_size is not None and (not input_tensor.shape or input_tensor.shape[0] != batch_size):
                raise ValueError("When providing the `input_tensor` argument, you cannot provide an "
                                 "incompatible `batch_size` argument.")
            if shape is not None and tuple(shape) != tuple(input_tensor.shape[1:]):
                raise ValueError("When providing the `input_tensor` argument, you cannot provide an "
                                 "incompatible `shape` argument.")
            if batch_shape is not None and tuple(batch_shape) != tuple(input_tensor.shape):
                raise ValueError("When providing the `input_tensor` argument, you cannot provide an "
                                 "incompatible `batch_shape` argument.")
            if dtype is not None and standardize_dtype(dtype) != input_tensor.dtype:
                raise ValueError("When providing the `input_tensor` argument, you cannot provide an "
                                 "incompatible `dtype` argument.")
            batch_shape, dtype = input_tensor.shape, input_tensor.dtype
        elif batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument to `keras.Input`, e.g. `keras.Input(shape=(784,))`.")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        elif shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        self.batch_shape = tuple(batch_shape)
        self._input_dtype = standardize_dtype(dtype)  # a torch dtype's name, or "string"
        self.sparse = False
        self.ragged = False
        # An optional input accepts None in a functional model's call (the layers it feeds get None).
        self.optional = bool(optional)
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
                "ragged": False, "name": self.name, "optional": self.optional}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None, name=None,
          tensor=None, optional=False) -> KerasTensor:
    """A symbolic input of a functional model: ``keras.Input(shape=(784,))``.

    Args:
        shape: the shape of one sample, without the batch size (``None`` for a size that varies).
        batch_size: an optional fixed batch size.
        dtype: the data type the input expects (default ``keras.config.floatx()``; ``"string"``
            for raw text fed to a ``TextVectorization``/``StringLookup`` inside the model).
        sparse, ragged: not available on torch (a ``ValueError`` says so when set to True).
        batch_shape: the full shape including the batch size, instead of ``shape``/``batch_size``.
        name: the input layer's name (unique within a model; auto-named ``input_layer`` otherwise).
        tensor: an existing tensor to wrap as this input.
        optional: lets the model be called with ``None`` for this input; the layers it feeds
            then receive ``None``.

    Returns:
        A ``KerasTensor`` to call layers on; pass it to ``keras.Model(inputs, outputs)``.

    Example:

    >>> x = keras.Input(shape=(32,))
    >>> y = keras.layers.Dense(16, activation="softmax")(x)
    >>> model = keras.Model(x, y)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, ragged=ragged,
                       batch_shape=batch_shape, name=name, input_tensor=tensor, optional=optional)
    return layer.output_tensor
